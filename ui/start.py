"""The app's own look (its name, logo and icon in assets/) and what a first start shows while the demo database is built."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core import roles
from ui import data

PRODUCT = "Customer Advocacy & Health"
ASSETS = Path(__file__).resolve().parents[1] / "assets"
# Files of our own: a Material icon as page_icon makes the browser fetch the favicon from Google's servers.
ICON = ASSETS / "favicon.png"
LOGO = ASSETS / "logo.svg"


def prepare_database() -> None:
    """Open the database; when the embedded demo database is built on a first start (seconds), a progress bar
    says what is happening instead of a blank page."""
    placeholder = st.empty()

    def report(message: str, share: float) -> None:
        placeholder.progress(share, text=f"First start: {message}")

    data.engine(progress=report)
    placeholder.empty()


def pages() -> dict[str, st.Page]:
    """Every page of the app by key, for st.navigation: each role's menu lists its own (app.py)."""
    return {
        spec.key: st.Page(
            spec.path, title=spec.title, icon=spec.icon, url_path=spec.key, default=spec.key == "home"
        )
        for spec in roles.PAGES
    }
