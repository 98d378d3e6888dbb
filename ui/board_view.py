"""The health board's view kept in the session: its filters and sort (every widget keyed "board_…") and the
order of its rows, so an account opened from the board leads back to the same board and on to the next account."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import board

PREFIX = "board_"
VIEW = "health_board_view"
ORDER = "health_board_order"
TABLE = "open_account"
OPENING = "health_board_opening"


def restore() -> None:
    """Put back the board's filters as the user left them: Streamlit forgets a widget's value once a run of
    another page has not drawn it."""
    for key, value in st.session_state.get(VIEW, {}).items():
        if key not in st.session_state:
            st.session_state[key] = value


def remember(order: pd.Index) -> None:
    """Keep the board's filters and the order of its filtered rows (account ids) for the account page."""
    st.session_state[VIEW] = {
        key: value for key, value in st.session_state.to_dict().items() if key.startswith(PREFIX)
    }
    st.session_state[ORDER] = [int(account_id) for account_id in order]


def open_selected() -> None:
    """The table's selection callback: note the selected row's account (the table shows the first rows of the
    board's order) for open_chosen() at the start of the run that follows."""
    if rows := st.session_state[TABLE].selection.rows:
        st.session_state[OPENING] = st.session_state[ORDER][rows[0]]


def open_chosen() -> None:
    """Open the account a row selection chose, before the board is drawn again for nothing."""
    if (account_id := st.session_state.pop(OPENING, None)) is not None:
        st.switch_page("pages/account.py", query_params={"account": str(account_id)})


def account_navigation(account_id: int) -> None:
    """Back to the board, and Previous / Next in the board's order when the account is on it."""
    place = board.place_in(st.session_state.get(ORDER, []), account_id)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.page_link("pages/health.py", label="Back to board", icon=":material/arrow_back:")
        if place is None:
            return
        # Buttons, not links: a link to the page on screen is drawn as the current page.
        for label, neighbour, icon, side in (
            ("Previous", place.previous, ":material/chevron_left:", "left"),
            ("Next", place.next, ":material/chevron_right:", "right"),
        ):
            if st.button(
                label,
                key=f"account_{label.lower()}",
                icon=icon,
                icon_position=side,
                disabled=neighbour is None,
            ):
                st.switch_page("pages/account.py", query_params={"account": str(neighbour)})
        st.caption(f"Account {place.position:,} of {place.total:,} on the board")
