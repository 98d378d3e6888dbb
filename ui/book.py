"""Whose accounts a page shows: the one "my book" choice."""

from __future__ import annotations

import streamlit as st

from core import roles
from db.service import Actor


def scope(actor: Actor, key: str) -> int | None:
    """The owner whose accounts to show, None for every account: a user bound to a book (an account manager)
    chooses between their book, the default, and all accounts; everyone else sees every account."""
    owner = roles.book_owner(actor)
    if owner is None:
        return None
    chosen = st.segmented_control("Accounts", ["My book", "All accounts"], default="My book", key=key)
    return owner if chosen != "All accounts" else None
