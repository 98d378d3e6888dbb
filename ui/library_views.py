"""The asset library's cards and its 'used in deal' form."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import assets, links
from core import vocabulary as v
from db import service
from db.service import Actor
from ui import asset_forms, data, text, writes

TYPE_ICONS = {
    "case_study": ":material/description:",
    "video_testimonial": ":material/videocam:",
    "written_testimonial": ":material/format_quote:",
    "reference_call": ":material/call:",
    "webinar": ":material/co_present:",
    "site_visit": ":material/apartment:",
}
GRID_COLUMNS = 3
SUMMARY_CHARACTERS = 220
# Session state: how many cards the library shows for which filter ("Show more" adds a page of cards).
SHOWN = "lib_shown"


def cards(shown: pd.DataFrame, stale_reasons: pd.Series) -> None:
    """The assets as a grid of bordered cards, GRID_COLUMNS to a row."""
    for start in range(0, len(shown), GRID_COLUMNS):
        row = shown.iloc[start : start + GRID_COLUMNS]
        for column, (asset_id, asset) in zip(st.columns(GRID_COLUMNS), row.iterrows(), strict=False):
            with column.container(border=True, height="stretch"):
                _card(asset_id, asset, stale_reasons[asset_id])


def _card(asset_id: int, asset: pd.Series, why_stale: str) -> None:
    """One asset: type icon and title; industry, customer and date; freshness; summary and quote; its link. The
    text is one markdown element: 20 cards of a few elements each draw in the browser noticeably faster."""
    label = assets.TYPE_LABELS.get(asset["asset_type"], asset["asset_type"])
    published = f"{asset['published_on']:%-d %b %Y}" if pd.notna(asset["published_on"]) else "not published"
    customer = asset["account_name"] if isinstance(asset["account_name"], str) else "no customer named"
    facts = [label, asset["industries"] or "no industry", customer, published]
    paragraphs = [
        f"{TYPE_ICONS.get(asset['asset_type'], ':material/article:')} **{text.literal(asset['title'])}**",
        f":small[:gray[{text.literal(' · '.join(facts))}]]",
    ]
    if why_stale:
        paragraphs.append(
            f":orange-badge[:material/history: Stale] :small[:gray[{text.literal(why_stale[:1].upper() + why_stale[1:])}.]]"
        )
    elif asset["approval_status"] != "approved":
        paragraphs.append(f":gray-badge[:material/pending: Customer approval {asset['approval_status']}]")
    else:
        paragraphs.append(":green-badge[:material/check_circle: Fresh]")
    if asset["summary"]:
        summary = asset["summary"]
        cut = (
            summary
            if len(summary) <= SUMMARY_CHARACTERS
            else summary[:SUMMARY_CHARACTERS].rsplit(" ", 1)[0] + "…"
        )
        paragraphs.append(text.literal(cut))
    if pd.notna(asset["quote"]) and asset["quote"]:
        paragraphs.append(f"> {text.literal(asset['quote'])}")
    st.markdown("\n\n".join(paragraphs))
    # A link stored before links were checked is shown only when it is a web or mail link.
    if asset["url"] and links.is_allowed_link(asset["url"]):
        st.link_button("Open", asset["url"], icon=":material/open_in_new:")
    asset_forms.download(asset_id, asset)


def how_many(chosen: assets.LibraryFilter, page: int) -> int:
    """How many cards to show: a page of them for a new filter, more after each "Show more"."""
    kept = st.session_state.get(SHOWN)
    if kept is None or kept[0] != chosen:
        st.session_state[SHOWN] = (chosen, page)
    return st.session_state[SHOWN][1]


def show_more(found: int, shown: int, page: int) -> None:
    """A button for the next page of cards while some are not shown."""
    if shown >= found:
        return

    def more() -> None:
        chosen, count = st.session_state[SHOWN]
        st.session_state[SHOWN] = (chosen, count + page)

    st.button(
        f"Show {min(page, found - shown):,} more ({found - shown:,} not shown)",
        key="lib_more",
        on_click=more,
        icon=":material/expand_more:",
    )


def suggest_nearest(suggestions: list[assets.Suggestion]) -> None:
    """When nothing is found: the nearest searches that find something, one click each."""
    if not suggestions:
        st.info("No asset matches. Try fewer filters.")
        return
    st.info("No asset matches all of this. The nearest searches that find some:")

    def choose(nearer: assets.LibraryFilter) -> None:
        st.session_state["lib_text"] = nearer.text
        st.session_state["lib_industries"] = list(nearer.industries)

    with st.container(horizontal=True):
        for number, suggestion in enumerate(suggestions):
            st.button(
                f"{suggestion.label} ({suggestion.hits:,})",
                key=f"lib_nearest_{number}",
                on_click=choose,
                args=(suggestion.chosen,),
            )


def use_in_deal(actor: Actor, shown: pd.DataFrame) -> None:
    """Log that an asset on screen was used in a deal, with the outcome if it is known."""
    approved = shown[shown["approval_status"] == "approved"]
    if approved.empty:
        return
    with st.form("use_in_deal", clear_on_submit=True):
        st.subheader("Used one of these in a deal?")
        asset_id = st.selectbox(
            "Asset", approved.index, format_func=lambda a: approved.at[a, "title"], key="use_asset"
        )
        left, middle, right = st.columns(3)
        opportunity = left.text_input("Opportunity", max_chars=200, key="use_opportunity")
        outcome = middle.selectbox(
            "Outcome",
            [None, *v.DEAL_OUTCOMES],
            format_func=lambda o: "Not known yet" if o is None else o.title(),
            key="use_outcome",
        )
        amount = right.number_input(
            "Deal amount ($)", min_value=0.0, value=None, step=1000.0, key="use_amount"
        )
        if st.form_submit_button("Log use in deal"):
            writes.attempt(
                lambda: service.log_asset_use(
                    data.engine(), actor, int(asset_id), opportunity, outcome, amount
                ),
                f"Logged '{approved.at[asset_id, 'title']}' as used for {opportunity.strip()}.",
            )
