"""In Chromium: the first start of `streamlit run app.py` on a laptop shows how the demo database's build goes,
then a login page with the product's name."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import copy_app, streamlit_server
from ui import start

pytestmark = pytest.mark.e2e


def test_first_start_shows_progress_then_the_named_login_page(tmp_path, page):
    copy_app(tmp_path)  # no data/: the app builds its demo database on the first visit
    with streamlit_server(None, tmp_path) as server:
        page.goto(server.url)
        progress = page.get_by_test_id("stProgress")
        expect(progress).to_contain_text("First start:", timeout=30_000)
        expect(progress).to_contain_text("Scoring the demo accounts", timeout=60_000)
        expect(page.get_by_role("textbox", name="Username")).to_be_visible(timeout=120_000)
        expect(progress).to_have_count(0)
        expect(page.get_by_role("heading", name=start.PRODUCT)).to_be_visible()
        expect(page.get_by_test_id("stSidebarLogo").or_(page.get_by_test_id("stHeaderLogo"))).to_be_visible()
