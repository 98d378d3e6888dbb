"""The figures behind a chart or table, one click away, as a spreadsheet-safe CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import export


def numbers(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    """An expander with the frame and its CSV download, drawn once it is opened (a closed one costs the page
    one element, not a table)."""
    box = st.expander("Numbers", key=f"{key}_open", on_change="rerun")
    if box.open:
        with box:
            st.dataframe(frame, hide_index=True)
            csv_button(frame, file_stem, key)


def csv_button(frame: pd.DataFrame, file_stem: str, key: str, label: str = "Download CSV") -> None:
    """The CSV is written when the button is clicked, not on every run of the page."""
    st.download_button(
        label,
        lambda: export.to_csv(frame),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=key,
        on_click="ignore",
    )
