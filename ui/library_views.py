"""The asset library's cards and its 'used in deal' form."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import assets
from core import vocabulary as v
from db import service
from db.service import Actor
from ui import asset_forms, data, text, writes


def cards(shown: pd.DataFrame, stale_reasons: pd.Series) -> None:
    """One bordered card per asset: the key facts, the quote, freshness and a copyable link."""
    for asset_id, asset in shown.iterrows():
        with st.container(border=True):
            st.markdown(f"**{text.literal(asset['title'])}**")
            facts = [
                assets.TYPE_LABELS[asset["asset_type"]],
                asset["industries"],
                asset["products"],
                asset["company_size"],
                asset["region"],
                f"customer approval: {asset['approval_status']}",
            ]
            if pd.notna(asset["published_on"]):
                facts.append(f"published {asset['published_on']:%d %b %Y}")
            st.caption(text.literal(" · ".join(fact for fact in facts if fact)))
            if asset["summary"]:
                st.text(asset["summary"])
            if pd.notna(asset["quote"]) and asset["quote"]:
                st.markdown(f"> {text.literal(asset['quote'])}")
            if stale_reasons[asset_id]:
                st.warning(text.literal(f"Stale: {stale_reasons[asset_id]}."), icon=":material/history:")
            if asset["url"]:
                st.code(asset["url"], language=None)
            asset_forms.download(asset_id, asset)


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
