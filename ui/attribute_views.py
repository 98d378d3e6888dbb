"""Custom account attributes on the pages: their values as people read them, the account page's section and
the Health board's filter."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.board import AttributeFilter
from ui import data, facts

UNKNOWN_LEFT_OUT = "Accounts where it is unknown are left out."


def value_text(value: object, kind: str) -> str:
    """An attribute's value for people: 1,234.5 · yes / no · 5 Mar 2024 · text as typed; 'unknown' when blank."""
    if pd.isna(value):
        return facts.UNKNOWN
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "number":
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if kind == "date":
        day = pd.Timestamp(value)
        return f"{day.day} {day:%b %Y}"
    return str(value)


def account_section(kinds: dict[str, str], account_id: int) -> None:
    """One account's custom attributes (kinds: name → kind), name → value, in a collapsed section; nothing
    without attributes."""
    if not kinds:
        return
    row = data.attribute_values(tuple(kinds), account_id).reindex([account_id]).iloc[0]
    with st.expander(f"Custom attributes ({len(kinds)})"):
        st.dataframe(
            pd.DataFrame(
                {
                    "attribute": list(kinds),
                    "value": [value_text(row[name], kind) for name, kind in kinds.items()],
                }
            ),
            hide_index=True,
            column_config={"attribute": "Attribute", "value": "Value"},
        )


def board_filter(kinds: dict[str, str]) -> AttributeFilter | None:
    """A row of filters: a custom attribute (kinds: name → kind), then the values to keep — a choice of values for
    text and yes/no, a range for numbers and dates (accounts where it is unknown drop out); None when no attribute
    is picked."""
    if not kinds:
        return None
    with st.container(horizontal=True):
        name = st.selectbox(
            "Custom attribute",
            [None, *kinds],
            format_func=lambda chosen: "Any" if chosen is None else chosen,
            key="board_attribute",
        )
        if name is None:
            return None
        return _values_filter(name, kinds[name], data.attribute_values((name,))[name])


def _values_filter(name: str, kind: str, values: pd.Series) -> AttributeFilter | None:
    # A key per attribute: picking another one starts from all its values.
    key = f"board_attribute_values_{name}"
    if kind in ("text", "bool"):
        options = [True, False] if kind == "bool" else sorted(values.dropna().unique())
        picked = st.multiselect(
            f"{name} is", [*options, None], format_func=lambda value: value_text(value, kind), key=key
        )
        return AttributeFilter(name, values=tuple(picked))
    known = values.dropna()
    if known.empty:
        st.caption(f"No account has a value for {name}.")
        return None
    low, high = known.min(), known.max()
    if kind == "date":
        first, last = low.date(), high.date()
        chosen = st.date_input(f"{name} between", (first, last), key=key, help=UNKNOWN_LEFT_OUT)
        # While a range is being picked the widget holds its first day only.
        return AttributeFilter(name, between=(chosen[0], chosen[1] if len(chosen) == 2 else last))
    if low == high:
        st.caption(
            f"Every known {name} is {value_text(low, kind)}; accounts where it is unknown are left out."
        )
        return AttributeFilter(name, between=(low, high))
    if (known % 1 == 0).all():
        low, high = int(low), int(high)
    chosen = st.slider(f"{name} between", low, high, (low, high), key=key, help=UNKNOWN_LEFT_OUT)
    return AttributeFilter(name, between=chosen)
