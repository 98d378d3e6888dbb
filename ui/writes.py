"""How a page runs a write and tells the user what came of it: the one place for write feedback.

Success is a toast on the rerun; a stale edit (someone saved the record since the page read it) reloads the
data and says why, where the form is drawn; any other refusal is an error in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from db import families, service
from ui import cache, text

FLASH = "write_flash"
# A refused stale edit's message, shown once after the rerun that reloads the form (see show_stale).
STALE = "write_stale"
T = TypeVar("T")


def show_flash() -> None:
    """The outcome of the write made before the last rerun, once."""
    if message := st.session_state.pop(FLASH, None):
        # A toast, not an element in the page: it must not shift the tabs, or they reset.
        st.toast(text.literal(message), icon=":material/check_circle:")


def show_stale() -> None:
    """Why the last save was refused as stale, once, where the form that made it is drawn."""
    if message := st.session_state.pop(STALE, None):
        st.warning(text.literal(message), icon=":material/sync_problem:")


def attempt(
    write: Callable[[], T],
    message: str | Callable[[T], str],
    reset: Callable[[], None] | None = None,
) -> None:
    """Run a service write. On success forget the cached data of the families it changed and rerun with
    message (or message of what the write returned); on a stale edit forget them too and rerun with the
    current values and why (show_stale); else show why not in place. reset, on success and on a stale edit,
    makes the form start over from the database."""
    with families.recording() as changed:
        try:
            result = write()
        except service.StaleEdit as stale:
            st.session_state[STALE] = str(stale)
        except (service.ValidationError, service.PermissionDenied) as error:
            st.error(text.literal(error))
            return
        else:
            st.session_state[FLASH] = message(result) if callable(message) else message
    cache.after_write(changed)
    if reset:
        reset()
    st.rerun()
