"""The advocate pipeline page's four views; the page decides which one is open."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import advocates, export, pipeline
from core.outreach import CHANNEL_LABELS
from db import service
from db.service import Actor
from ui import advocate_forms as forms
from ui import charts, data, writes

# Rows drawn in a table; CSV exports carry every row.
TABLE_ROWS = 200


def who_to_ask(actor: Actor, ranked: pd.DataFrame, settings: dict[str, float], today: dt.date) -> None:
    """Ranked contacts with why and why not, the CSV of the whole list, and nomination."""
    show = st.segmented_control(
        "Show",
        list(advocates.SHOW_OPTIONS),
        format_func=advocates.SHOW_OPTIONS.get,
        default="eligible",
        key="adv_show",
    )
    listed = advocates.shortlist(ranked, show or "all")
    shown = listed.head(TABLE_ROWS).copy()
    shown["why"] = advocates.why(shown)
    shown["not_now"] = advocates.reasons(shown, shown, settings).map("; ".join)
    _candidates_table(shown)
    st.caption(f"Showing {len(shown):,} of {len(listed):,} contacts.")
    st.download_button(
        "Download the list (CSV)",
        lambda: export.to_csv(listed.assign(why=advocates.why(listed))),
        file_name=f"advocate-candidates-{today}.csv",
        mime="text/csv",
        on_click="ignore",
    )
    _nominate(actor, shown)


def _candidates_table(shown: pd.DataFrame) -> None:
    """The shown contacts, who first and then why."""
    # Who, then why: at 1280 px (about 820 px of table) the reason is whole on screen; the rest follow to the right.
    st.dataframe(
        shown[
            [
                "rank",
                "contact_name",
                "account_name",
                "advocate_score",
                "why",
                "not_now",
                "nps_class",
                "title",
                "available_on",
                "stage",
            ]
        ],
        hide_index=True,
        placeholder="—",
        column_config={
            "rank": st.column_config.NumberColumn("#", width=40),
            "contact_name": st.column_config.TextColumn("Contact", width=110),
            "title": "Title",
            "account_name": st.column_config.TextColumn("Account", width=150),
            "nps_class": "NPS class",
            "advocate_score": st.column_config.ProgressColumn(
                "Score", min_value=0, max_value=100, format="%.0f", width=80
            ),
            "why": st.column_config.TextColumn("Why", width=430),
            "not_now": st.column_config.TextColumn("Not now because", width="medium"),
            "available_on": st.column_config.DateColumn("Can be asked from"),
            "stage": "Stage",
        },
    )


def _nominate(actor: Actor, shown: pd.DataFrame) -> None:
    """Nominate one of the shown contacts who may be asked and is still a candidate."""
    nominable = shown[shown["eligible"] & shown["stage"].fillna("candidate").eq("candidate")]
    if not nominable.empty:
        contact_id = st.selectbox(
            "Nominate a contact",
            nominable.index,
            format_func=lambda c: f"{nominable.at[c, 'contact_name']} · {nominable.at[c, 'account_name']}",
            key="adv_nominate_contact",
        )
        if st.button("Nominate", type="primary", key="adv_nominate"):
            writes.attempt(
                lambda: service.nominate(data.engine(), actor, int(contact_id)),
                f"Nominated {nominable.at[contact_id, 'contact_name']}: log the ask on the Pipeline tab.",
            )


def pipeline_board(
    actor: Actor,
    records: pd.DataFrame,
    changes: pd.DataFrame,
    fatigue: pd.DataFrame,
    settings: dict[str, float],
    today: dt.date,
) -> None:
    """Stage counts, conversion, time in stage, one stage's advocates and the forms to work one."""
    _stage_summary(records, changes)
    standing = _stage_table(records, fatigue, today)
    if not standing.empty:
        _work_advocate(actor, standing, fatigue, settings)


def _stage_summary(records: pd.DataFrame, changes: pd.DataFrame) -> None:
    """Advocates per stage, conversion between stages and time in stage."""
    counts = pipeline.stage_counts(records)
    for tile, row in zip(st.columns(len(counts)), counts.itertuples(), strict=True):
        tile.metric(row.stage, f"{row.advocates:,}")
    left, right = st.columns(2)
    with left:
        st.subheader("Conversion between stages")
        conversion = pipeline.conversion(changes)
        conversion["step"] = conversion["from_stage"] + " → " + conversion["to_stage"]
        st.altair_chart(
            charts.horizontal_bars(
                conversion, "conversion", "step", "Went on to the next stage", value_format=".0%"
            )
        )
    with right:
        st.subheader("Time in stage (days)")
        st.dataframe(
            pipeline.time_in_stage(changes),
            hide_index=True,
            placeholder="—",
            column_config={
                "stage": "Stage",
                "stays": "Finished stays",
                "median_days": st.column_config.NumberColumn("Median", format="%.0f"),
                "p75_days": st.column_config.NumberColumn("75th percentile", format="%.0f"),
            },
        )


def _stage_table(records: pd.DataFrame, fatigue: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The chosen stage's advocates as a table; returns them (every one, longest in stage first)."""
    stage = (
        st.segmented_control(
            "Stage",
            list(pipeline.STAGE_LABELS),
            format_func=pipeline.STAGE_LABELS.get,
            default="nominated",
            key="adv_stage",
        )
        or "nominated"
    )
    standing = pipeline.in_stage(records, stage, today, fatigue)
    columns = ["contact_name", "title", "account_name", "owner", "days_in_stage"]
    # Only advocates who said yes take references, so only they have a fatigue date worth showing.
    if stage in advocates.IN_PROGRAM_STAGES:
        columns.append("available_on")
    st.dataframe(
        standing.head(TABLE_ROWS)[columns],
        hide_index=True,
        placeholder="—",
        column_config={
            "contact_name": "Advocate",
            "title": "Title",
            "account_name": "Account",
            "owner": "Account owner",
            "days_in_stage": st.column_config.NumberColumn("Days in stage", format="%d"),
            "available_on": st.column_config.DateColumn("Free for references from"),
        },
    )
    st.caption(f"Showing {min(len(standing), TABLE_ROWS):,} of {len(standing):,} advocates in this stage.")
    return standing


def _work_advocate(
    actor: Actor, standing: pd.DataFrame, fatigue: pd.DataFrame, settings: dict[str, float]
) -> None:
    """Choose one of the stage's shown advocates and work them: one tab per form."""
    st.subheader("Work an advocate")
    by_id = standing.head(TABLE_ROWS).set_index("id")
    chosen = st.selectbox(
        "Advocate",
        by_id.index,
        format_func=lambda a: f"{by_id.at[a, 'contact_name']} · {by_id.at[a, 'account_name']}",
        key="adv_work",
    )
    advocate = by_id.loc[chosen].to_dict() | {"id": int(chosen)}
    name = advocate["contact_name"]
    writes.show_stale()
    if advocate["fatigued"]:
        st.warning(advocates.fatigue_reason(fatigue.loc[chosen], settings))
    ask, follow, answer, move, reward, thanks = st.tabs(
        ["Log an ask", "Log a follow-up", "Record the answer", "Move stage", "Reward", "Thank-you"],
        key="adv_work_tab",
        on_change="rerun",
    )
    with ask:
        forms.outreach_form(actor, advocate["id"], name, "work_ask", follow_up=False, channel="email")
    history = data.advocate_outreach(advocate["id"])
    with follow:
        if refusal := pipeline.check_follow_up(history, advocate["id"], settings):
            st.info(refusal)
        else:
            forms.outreach_form(actor, advocate["id"], name, "work_follow", follow_up=True, channel="phone")
    with answer:
        waiting = pipeline.awaiting_answer(history, advocate["id"])
        if waiting is None:
            st.info("No ask or follow-up is waiting for an answer.")
        else:
            forms.answer_form(actor, waiting, name, "work")
    with move:
        forms.stage_form(actor, advocate, "work")
    with reward:
        forms.reward_form(actor, advocate["id"], name, "work")
    with thanks:
        forms.thank_you_form(actor, advocate["id"], name, "work")


def follow_ups(actor: Actor, due: pd.DataFrame, settings: dict[str, float]) -> None:
    """Asks waiting for a follow-up, with the channel to try next, and the form to log it."""
    st.caption(
        f"Asks with no answer after {settings['follow_up_due_days']:g} days, at most "
        f"{settings['max_follow_ups']:g} follow-ups each; the proposed channel is the best-converting one not yet tried."
    )
    if due.empty:
        st.info("No follow-up is due.")
    else:
        st.dataframe(
            due.assign(
                channel=due["channel"].map(CHANNEL_LABELS),
                suggested_channel=due["suggested_channel"].map(CHANNEL_LABELS),
            )[
                [
                    "contact_name",
                    "account_name",
                    "sent_on",
                    "channel",
                    "next_follow_up",
                    "days_waiting",
                    "suggested_channel",
                ]
            ],
            hide_index=True,
            placeholder="—",
            column_config={
                "contact_name": "Advocate",
                "account_name": "Account",
                "sent_on": st.column_config.DateColumn("Last sent"),
                "channel": "Last channel",
                "next_follow_up": st.column_config.NumberColumn("Follow-up no.", format="%d"),
                "days_waiting": st.column_config.NumberColumn("Days waiting", format="%d"),
                "suggested_channel": "Try next",
            },
        )
        pick = st.selectbox(
            "Follow up with",
            due.index,
            format_func=lambda i: f"{due.at[i, 'contact_name']} · {due.at[i, 'account_name']}",
            key="due_pick",
        )
        forms.outreach_form(
            actor,
            int(due.at[pick, "advocate_id"]),
            due.at[pick, "contact_name"],
            f"due_{pick}",
            follow_up=True,
            channel=due.at[pick, "suggested_channel"],
        )


def thank_yous(actor: Actor, owed: pd.DataFrame, settings: dict[str, float]) -> None:
    """Thank-yous owed, overdue first, and the form to record one."""
    st.caption(
        f"Every agreement, fulfilled reference and converted referral owes a thank-you; overdue after "
        f"{settings['thank_you_due_days']:g} days."
    )
    if owed.empty:
        st.info("Every advocate has been thanked.")
    else:
        st.metric(
            "Overdue thank-yous",
            f"{int(owed['overdue'].sum()):,}",
            f"{len(owed):,} owed in all",
            delta_color="off",
            delta_arrow="off",
        )
        st.dataframe(
            owed.assign(reason=owed["reason"].map(forms.REASON_LABELS)).head(TABLE_ROWS)[
                ["contact_name", "account_name", "reason", "on", "days_waiting", "overdue"]
            ],
            hide_index=True,
            placeholder="—",
            column_config={
                "contact_name": "Advocate",
                "account_name": "Account",
                "reason": "For",
                "on": st.column_config.DateColumn("Since"),
                "days_waiting": st.column_config.NumberColumn("Days waiting", format="%d"),
                "overdue": st.column_config.CheckboxColumn("Overdue"),
            },
        )
        pick = st.selectbox(
            "Thank",
            owed.head(TABLE_ROWS).index,
            format_func=lambda i: (
                f"{owed.at[i, 'contact_name']} · {forms.REASON_LABELS[owed.at[i, 'reason']].lower()} of {owed.at[i, 'on']:%d %b %Y}"
            ),
            key="thanks_pick",
        )
        forms.thank_you_form(
            actor,
            int(owed.at[pick, "advocate_id"]),
            owed.at[pick, "contact_name"],
            f"owed_{pick}",
            owed.at[pick, "reason"],
        )
