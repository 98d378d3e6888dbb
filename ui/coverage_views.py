"""The data coverage panel (Admin and "Does the score work?"): how much real data the latest scores rest on."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import coverage, health
from ui import data


def panel(week: dt.date | None) -> None:
    """Coverage of the score's inputs over the accounts active in week, with a warning per thin dimension."""
    if week is None:
        st.info(f"No health scores yet. {data.why_not_scored()}")
        return
    found = data.data_coverage(week)
    if not found.accounts:
        st.info(f"No account was active in the week of {week:%d %b %Y}.")
        return
    st.caption(
        f"How many of the {found.accounts:,} accounts active in the week of {week:%d %b %Y} (the latest scored) "
        "have real data for each part of the health score. A dimension without data is left out of an account's "
        "score; an account without tickets gets full marks on support."
    )
    for warning in found.warnings:
        st.warning(warning)
    if not found.warnings:
        st.success(
            f"Every dimension has data for at least {coverage.LOW_SHARE:.0%} of the active accounts.",
        )
    by_dimension = pd.DataFrame(
        {
            "dimension": [health.DIMENSION_LABELS[dim] for dim in found.dimensions.index],
            "accounts": [coverage.share_text(count, found.accounts) for count in found.dimensions],
        }
    )
    st.dataframe(
        by_dimension,
        hide_index=True,
        column_config={"dimension": "Dimension", "accounts": "Scored from data"},
    )
    by_input = found.inputs.assign(
        dimension=found.inputs["dimension"].map(health.DIMENSION_LABELS),
        accounts=[coverage.share_text(count, found.accounts) for count in found.inputs["accounts"]],
    )
    st.dataframe(
        by_input,
        hide_index=True,
        column_config={"dimension": "Dimension", "input": "Input", "accounts": "With data"},
    )
