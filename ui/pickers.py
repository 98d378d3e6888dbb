"""Choosing one or a few of many: a plain selectbox for a short list, a search first for a long one.

A selectbox sends every option to the browser on every run: 50,000 customer names take seconds to send and
draw. Past MANY options, a text box narrows the list on the server and the selectbox offers the first SHOWN
matches, with how many matched.
"""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd
import streamlit as st

# Up to this many options, the browser's own type-to-search in the selectbox is fast enough.
MANY = 1_000
# How many matches of a search are offered at once.
SHOWN = 50


def _matches(labels: pd.Series, key: str, noun: str, keep: list[Hashable]) -> pd.Series:
    """labels narrowed by a search box when there are many; keep (chosen already) stays offered."""
    if len(labels) <= MANY:
        return labels
    query = st.text_input(
        f"Find {noun}", key=f"{key}_find", placeholder=f"Type part of the name ({len(labels):,} {noun}s)"
    ).strip()
    found = labels[labels.str.contains(query, case=False, regex=False)] if query else labels.iloc[:0]
    if query:
        more = f"; the first {SHOWN} are offered, type more to narrow" if len(found) > SHOWN else ""
        st.caption(f"{len(found):,} of {len(labels):,} {noun}s match '{query}'{more}.")
    kept = labels[labels.index.isin(keep) & ~labels.index.isin(found.index[:SHOWN])]
    return pd.concat([kept, found.iloc[:SHOWN]])


def pick(
    label: str,
    labels: pd.Series,
    key: str,
    noun: str,
    current: Hashable | None = None,
    nothing: str | None = None,
    placeholder: str | None = None,
) -> Hashable | None:
    """One of labels (id → text, in the order to offer), or None: for "nothing" (its text, offered first) or
    while nothing is chosen (with placeholder). current starts chosen."""
    offered = _matches(labels, key, noun, [] if current is None else [current])
    options = ([None] if nothing is not None else []) + list(offered.index)
    if current in options:
        index: int | None = options.index(current)
    else:
        index = 0 if nothing is not None or placeholder is None else None
    return st.selectbox(
        label,
        options,
        index=index if options else None,
        format_func=lambda option: nothing if option is None else offered[option],
        placeholder=placeholder or "Choose",
        key=key,
    )


def pick_many(label: str, labels: pd.Series, key: str, noun: str) -> list[Hashable]:
    """Some of labels (id → text, in the order to offer); what is chosen stays offered while searching."""
    chosen = st.session_state.get(key, [])
    offered = _matches(labels, key, noun, chosen)
    return st.multiselect(label, list(offered.index), format_func=offered.get, key=key, placeholder="Choose")
