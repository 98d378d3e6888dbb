"""How a page runs a write: the service call, then a toast on the rerun, or the reason it was refused."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from db import service
from ui import data, text

FLASH = "write_flash"


def show_flash() -> None:
    """The outcome of the write made before the last rerun, once."""
    if message := st.session_state.pop(FLASH, None):
        # A toast, not an element in the page: it must not shift the tabs, or they reset.
        st.toast(text.literal(message), icon=":material/check_circle:")


def attempt(write: Callable[[], object], message: str) -> None:
    """Run a service write; on success forget cached data and rerun with message, else show why not."""
    try:
        write()
    except (service.ValidationError, service.PermissionDenied) as error:
        st.error(text.literal(error))
        return
    data.after_write()
    st.session_state[FLASH] = message
    st.rerun()
