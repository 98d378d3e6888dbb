"""In Chromium: Streamlit's clear_cache message, sent by an anonymous websocket client, logs nobody out."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from tests.e2e.conftest import copy_app, log_in, settle, streamlit_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def embedded_demo(demo_database, tmp_path_factory):
    """The app as `streamlit run app.py` starts on a laptop: no DATABASE_URL, no cookie key, so it signs
    cookies with a key it generates. It runs from a copy whose data/advocacy.db is a copy of the e2e demo
    database, so the repository's own data/ is left alone."""
    root = tmp_path_factory.mktemp("embedded")
    copy_app(root)
    (root / "data").mkdir()
    shutil.copy(demo_database.removeprefix("sqlite:///"), root / "data" / "advocacy.db")
    with streamlit_server(None, root) as running:
        yield running


def clear_every_cache(server_url: str) -> None:
    """What the app's "Clear cache" menu sends, from a client with no cookie, no XSRF token and no Origin."""
    clear = BackMsg(clear_cache=True)
    rerun = BackMsg()
    rerun.rerun_script.SetInParent()
    with connect(server_url.replace("http://", "ws://") + "/_stcore/stream") as anonymous:
        anonymous.send(clear.SerializeToString())
        # The server handles one session's messages in order: an answer to the rerun means the clear is done.
        anonymous.send(rerun.SerializeToString())
        ForwardMsg.FromString(anonymous.recv(timeout=30))


def test_an_anonymous_cache_clear_leaves_a_demo_login_cookie_valid(embedded_demo, page):
    log_in(page, embedded_demo.url, "sam")
    clear_every_cache(embedded_demo.url)
    page.reload()
    settle(page)
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    expect(page.locator("h1")).to_have_text("Home")
    expect(page.get_by_role("textbox", name="Username")).to_have_count(0)
