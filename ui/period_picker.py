"""The period selector the KPI and referral pages share: a calendar grain and one of its recent periods."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import periods
from ui import numbers

HOW_MANY = {"Month": 13, "Quarter": 8, "Year": 3}


def choose(key: str, today: dt.date) -> tuple[periods.Period, periods.Period]:
    """The chosen period and the like-for-like period before it."""
    with st.container(horizontal=True):
        grain = st.segmented_control("Period", list(periods.GRAINS), default="Quarter", key=f"{key}_grain")
        grain = grain or "Quarter"
        chosen = st.selectbox(
            grain,
            periods.recent(grain, today, HOW_MANY[grain]),
            format_func=lambda period: period.label,
            key=f"{key}_{grain}",
        )
    before = periods.previous(chosen, grain)
    st.caption(
        f"{numbers.day(chosen.start)} – {numbers.day(chosen.end)}, compared with {before.label} "
        f"({numbers.day(before.start)} – {numbers.day(before.end)})."
    )
    return chosen, before
