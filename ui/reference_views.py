"""The reference-request page's views: matching a prospect, working the requests, and what references won."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import advocates, assets, links, matching, references, roles
from core import vocabulary as v
from db import service
from db.service import Actor
from ui import data, numbers, writes

MATCHES = 10


def prospect_form(key: str) -> matching.Prospect | None:
    """Industry first, then size, region, product and the pain point; None until an industry is chosen."""
    industries = sorted(data.customers_by_industry(dt.date.today())["industry"])
    left, middle, right, last = st.columns(4)
    industry = left.selectbox("Industry", industries, index=None, placeholder="Choose", key=f"{key}_industry")
    size = middle.selectbox("Company size", v.SEGMENTS, index=None, placeholder="Any", key=f"{key}_size")
    region = right.selectbox("Region", v.REGIONS, index=None, placeholder="Any", key=f"{key}_region")
    product = last.selectbox("Product", v.PRODUCTS, index=None, placeholder="Any", key=f"{key}_product")
    pain = st.text_input(
        "Pain point (free text)", key=f"{key}_pain", placeholder="e.g. slow onboarding of new teams"
    )
    return None if industry is None else matching.Prospect(industry, size, region, product, pain)


def matches(prospect: matching.Prospect, today: dt.date, settings: dict[str, float]):
    """Ranked and excluded assets and advocates for prospect."""
    library = data.library(today, data.latest_scored_week())
    tags = data.asset_tags()
    asset_hits = matching.match_assets_or_nearest(
        prospect, library, tags, assets.freshness(library, today, settings), limit=MATCHES
    )
    pool = data.reference_pool(today, data.latest_scored_week())
    fatigue = advocates.fatigue(data.reference_activities(), today, settings)
    advocate_hits = matching.match_advocates(prospect, pool, fatigue, settings, today, limit=MATCHES)
    return asset_hits, advocate_hits


def _reasons(frame: pd.DataFrame) -> pd.Series:
    return frame["reasons"].map("; ".join)


def _why_with_differences(frame: pd.DataFrame) -> pd.Series:
    """Why each asset matches, then what differs from the prospect: why the match is not exact."""
    differs = frame["differs"].map(lambda said: f" — not exact: {'; '.join(said)}" if said else "")
    return _reasons(frame) + differs


def show_matches(asset_hits, advocate_hits) -> None:
    """The ranked assets and advocates with why they match, and those excluded with why, one click away.

    One above the other at full width: side by side, a 1280 px screen showed only the assets' titles.
    """
    _asset_matches(*asset_hits)
    _advocate_matches(*advocate_hits)


def _asset_matches(ranked_assets: pd.DataFrame, excluded_assets: pd.DataFrame) -> None:
    """The ranked assets with why they match, or the nearest ones with why not exactly; the excluded below."""
    st.subheader("Assets")
    if ranked_assets.empty:
        st.info("No approved asset matches this prospect.")
    else:
        if not ranked_assets["same_industry"].any():
            st.info(
                "No approved asset comes from a customer in this industry yet. The nearest alternatives are below: "
                "each says why it is not an exact match."
            )
        st.dataframe(
            ranked_assets.assign(
                why=_why_with_differences(ranked_assets),
                type=ranked_assets["asset_type"].map(lambda code: numbers.label(code, assets.TYPE_LABELS)),
                # A link stored before links were checked is shown only when it is a web or mail link.
                url=ranked_assets["url"].where(ranked_assets["url"].map(links.is_allowed_link)),
            )[["match_score", "title", "why", "url", "type"]],
            hide_index=True,
            placeholder="—",
            column_config={
                "match_score": st.column_config.NumberColumn("Match", format="%.0f", width=60),
                "title": st.column_config.TextColumn("Asset", width=220),
                "why": st.column_config.TextColumn("Why it matches", width="large"),
                "url": st.column_config.LinkColumn("Link", display_text="Open", width=60),
                "type": "Type",
            },
        )
    with st.expander(f"Excluded assets ({len(excluded_assets):,})"):
        st.dataframe(
            excluded_assets[["title", "reason"]],
            hide_index=True,
            placeholder="—",
            column_config={"title": "Asset", "reason": st.column_config.TextColumn("Why not", width="large")},
        )


def _advocate_matches(ranked_advocates: pd.DataFrame, excluded_advocates: pd.DataFrame) -> None:
    """The ranked reference-ready advocates with why they match; the best excluded ones with why not."""
    st.subheader("Reference customers")
    if ranked_advocates.empty:
        st.info("No reference-ready advocate matches this prospect.")
    else:
        st.dataframe(
            ranked_advocates.assign(why=_reasons(ranked_advocates))[
                ["match_score", "contact_name", "account_name", "why", "title"]
            ],
            hide_index=True,
            placeholder="—",
            column_config={
                "match_score": st.column_config.NumberColumn("Match", format="%.0f", width=60),
                "contact_name": st.column_config.TextColumn("Advocate", width=140),
                "account_name": st.column_config.TextColumn("Customer", width=170),
                "why": st.column_config.TextColumn("Why they match", width="large"),
                "title": "Title",
            },
        )
    with st.expander(f"Best-matching advocates excluded ({len(excluded_advocates):,})"):
        st.dataframe(
            excluded_advocates[["contact_name", "account_name", "reason"]],
            hide_index=True,
            placeholder="—",
            column_config={
                "contact_name": "Advocate",
                "account_name": "Customer",
                "reason": st.column_config.TextColumn("Why not", width="large"),
            },
        )


def request_form(actor: Actor, prospect: matching.Prospect, settings: dict[str, float]) -> None:
    """Ask marketing for a reference for this prospect's deal."""
    with st.form("new_request", clear_on_submit=True):
        st.markdown(
            f"**Request a reference** — needed within {settings['reference_sla_hours']:g} hours unless you say otherwise"
        )
        left, middle, right = st.columns(3)
        name = left.text_input("Prospect", max_chars=200, key="req_prospect")
        deal_size = middle.number_input(
            "Deal size ($)", min_value=0.0, value=None, step=5000.0, key="req_size"
        )
        kind = right.selectbox("Kind", v.REQUEST_KINDS, format_func=str.capitalize, key="req_kind")
        left, right = st.columns(2)
        deal_stage = left.selectbox("Deal stage", v.DEAL_STAGES, format_func=str.capitalize, key="req_stage")
        needed = right.date_input(
            "Needed by (default: the SLA)", value=None, min_value=dt.date.today(), key="req_needed"
        )
        if st.form_submit_button("Request reference", type="primary"):
            writes.attempt(
                lambda: service.create_reference_request(
                    data.engine(),
                    actor,
                    prospect=name,
                    industry=prospect.industry,
                    company_size=prospect.company_size,
                    region=prospect.region,
                    product=prospect.product,
                    deal_size=deal_size,
                    deal_stage=deal_stage,
                    kind=kind,
                    needed_by=None if needed is None else dt.datetime.combine(needed, dt.time(17)),
                ),
                f"Requested a {kind} reference for {name.strip()}.",
            )


def request_table(requests: pd.DataFrame, sla: pd.DataFrame) -> None:
    """Requests with their SLA: overdue ones flagged at the top."""
    table = requests.join(sla).assign(
        status_label=requests["status"].map(references.STATUS_LABELS),
        still_open=requests["status"].isin(references.OPEN_STATUSES),
    )
    # Overdue first, then the rest of the open ones by deadline, then the closed ones newest first.
    table = table.sort_values(
        ["overdue", "still_open", "needed_by"], ascending=[False, False, True], kind="stable"
    )
    table = pd.concat(
        [table[table["still_open"]], table[~table["still_open"]].sort_values("requested_at", ascending=False)]
    )
    # Closed requests have no hours left and many have no advocate or asset: "—", never "None".
    table = table.assign(
        hours_left=table["hours_left"].map(numbers.count),
        kind=table["kind"].str.capitalize(),
        **{
            column: table[column].map(numbers.text)
            for column in ("requested_by_name", "advocate_name", "asset_title", "outcome")
        },
        won_amount=table["won_amount"].map(numbers.amount),
    )
    st.dataframe(
        table.head(200)[
            [
                "overdue",
                "prospect",
                "industry",
                "kind",
                "deal_size",
                "status_label",
                "needed_by",
                "hours_left",
                "requested_by_name",
                "advocate_name",
                "asset_title",
                "outcome",
                "won_amount",
            ]
        ],
        hide_index=True,
        placeholder="—",
        column_config={
            "overdue": st.column_config.CheckboxColumn("Overdue"),
            "prospect": "Prospect",
            "industry": "Industry",
            "kind": "Kind",
            "deal_size": st.column_config.NumberColumn("Deal size", format="dollar", step=1),
            "status_label": "Status",
            "needed_by": st.column_config.DatetimeColumn("Needed by", format="D MMM YYYY, HH:mm"),
            "hours_left": "Hours left",
            "requested_by_name": "Requested by",
            "advocate_name": "Advocate",
            "asset_title": "Asset",
            "outcome": "Outcome",
            "won_amount": "Won",
        },
    )


def work_request(actor: Actor, requests: pd.DataFrame, today: dt.date, settings: dict[str, float]) -> None:
    """Fulfil an open request with a matched advocate or asset, close an assigned one, or record a deal's outcome."""
    workable = requests[requests["status"].isin(("open", "assigned", "done"))]
    if workable.empty:
        return
    st.subheader("Work a request")
    writes.show_stale()
    first = references.most_urgent_open(workable)
    request_id = st.selectbox(
        "Request",
        workable.index,
        index=0 if first is None else workable.index.get_loc(first),
        format_func=lambda r: (
            f"{workable.at[r, 'prospect']} · {workable.at[r, 'kind']} · "
            f"{references.STATUS_LABELS[workable.at[r, 'status']].lower()} · needed by {numbers.day(workable.at[r, 'needed_by'])}"
        ),
        key="work_request",
    )
    request = workable.loc[request_id]
    version = int(request["version"])
    if request["status"] == "open" and roles.may(actor, "assign_reference"):
        _assign_form(actor, int(request_id), request, version, today, settings)
    elif request["status"] == "assigned" and roles.may(actor, "complete_reference"):
        _complete_buttons(actor, int(request_id), request, version)
    elif request["status"] == "done":
        _outcome_form(actor, int(request_id), request, version)
    else:
        st.caption("Marketing fulfils open requests.")


def _assign_form(
    actor: Actor,
    request_id: int,
    request: pd.Series,
    version: int,
    today: dt.date,
    settings: dict[str, float],
) -> None:
    """Assign an open request the advocate or asset that best matches its prospect."""
    prospect = matching.Prospect(
        request["industry"], request["company_size"], request["region"], request["product"]
    )
    (ranked_assets, _), (ranked_advocates, excluded) = matches(prospect, today, settings)
    options = [("advocate", int(a)) for a in ranked_advocates.index] + [
        ("asset", int(a)) for a in ranked_assets.index
    ]
    labels = {
        (
            "advocate",
            int(a),
        ): f"Advocate: {row.contact_name} ({row.account_name}) — match {row.match_score:.0f}"
        for a, row in ranked_advocates.iterrows()
    }
    labels |= {
        ("asset", int(a)): f"Asset: {row.title} — match {row.match_score:.0f}"
        for a, row in ranked_assets.iterrows()
    }
    if not options:
        st.info("Nothing matches this request yet.")
        return
    with st.form("assign"):
        choice = st.selectbox("Assign", options, format_func=labels.get, key="assign_choice")
        if st.form_submit_button("Assign", type="primary"):
            kind, chosen = choice
            writes.attempt(
                lambda: service.assign_reference(
                    data.engine(),
                    actor,
                    request_id,
                    version,
                    advocate_id=chosen if kind == "advocate" else None,
                    asset_id=chosen if kind == "asset" else None,
                ),
                f"Assigned {labels[choice].split(' — ')[0].split(': ', 1)[1]} to {request['prospect']}.",
            )
    with st.expander(f"Best-matching advocates excluded ({len(excluded):,})"):
        st.dataframe(excluded[["contact_name", "account_name", "reason"]], hide_index=True, placeholder="—")


def _complete_buttons(actor: Actor, request_id: int, request: pd.Series, version: int) -> None:
    """Mark an assigned request done or declined."""
    left, right = st.columns(2)
    if left.button("Mark done", type="primary", key="req_done"):
        writes.attempt(
            lambda: service.complete_reference(data.engine(), actor, request_id, version, "done"),
            f"The reference for {request['prospect']} is done.",
        )
    if right.button("Declined", key="req_declined"):
        writes.attempt(
            lambda: service.complete_reference(data.engine(), actor, request_id, version, "declined"),
            f"The request for {request['prospect']} was declined.",
        )


def _outcome_form(actor: Actor, request_id: int, request: pd.Series, version: int) -> None:
    """Record the deal outcome of a request whose reference is done."""
    with st.form("outcome", clear_on_submit=True):
        left, right = st.columns(2)
        outcome = left.selectbox(
            "Deal outcome", v.DEAL_OUTCOMES, format_func=str.capitalize, key="deal_outcome"
        )
        amount = right.number_input(
            "Won amount ($)", min_value=0.0, value=None, step=5000.0, key="deal_amount"
        )
        if st.form_submit_button("Record outcome"):
            writes.attempt(
                lambda: service.record_deal_outcome(
                    data.engine(), actor, request_id, version, outcome, amount
                ),
                f"Recorded the {request['prospect']} deal as {outcome}.",
            )


def influence(library: pd.DataFrame, advocate_names: pd.DataFrame) -> None:
    """Deals, wins, win rate and influenced revenue per asset and per advocate, the win rate next to the name."""
    st.subheader("By asset")
    by_asset = references.influence(data.asset_deals()).join(library[["title"]])
    st.dataframe(
        _win_rate_text(by_asset.head(200))[
            ["title", "win_rate", "uses", "won", "lost", "influenced_revenue"]
        ],
        hide_index=True,
        placeholder="—",
        column_config=_influence_columns("Asset", "title"),
    )
    st.subheader("By advocate")
    by_advocate = references.influence(data.advocate_deals()).join(advocate_names)
    st.dataframe(
        _win_rate_text(by_advocate.head(200))[
            ["contact_name", "account_name", "win_rate", "uses", "won", "lost", "influenced_revenue"]
        ],
        hide_index=True,
        placeholder="—",
        column_config=_influence_columns("Advocate", "contact_name")
        | {"account_name": st.column_config.TextColumn("Customer", width=200)},
    )


def _win_rate_text(table: pd.DataFrame) -> pd.DataFrame:
    """The win rate as a whole percent, "—" where no deal has closed yet."""
    return table.assign(win_rate=table["win_rate"].map(numbers.percent))


def _influence_columns(label: str, name: str) -> dict:
    return {
        name: st.column_config.TextColumn(label, width=260),
        "uses": st.column_config.NumberColumn("Deals", format="%d"),
        "won": st.column_config.NumberColumn("Won", format="%d"),
        "lost": st.column_config.NumberColumn("Lost", format="%d"),
        "win_rate": st.column_config.TextColumn("Win rate", width=80),
        "influenced_revenue": st.column_config.NumberColumn("Influenced revenue", format="dollar", step=1),
    }


def summary_tiles(summary: dict[str, float]) -> None:
    tiles = st.columns(5)
    tiles[0].metric("Open requests", f"{summary['open']:,}")
    tiles[1].metric("Overdue", f"{summary['overdue']:,}")
    tiles[2].metric("Fulfilled", f"{summary['done']:,}")
    tiles[3].metric(
        "Win rate", numbers.NO_DATA if pd.isna(summary["win_rate"]) else numbers.percent(summary["win_rate"])
    )
    tiles[4].metric("Influenced revenue", numbers.money(summary["influenced_revenue"]))
