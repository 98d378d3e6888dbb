"""Any websocket client, logged in or not, can make Streamlit clear every cache: that must log nobody out."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.runtime import context
from streamlit.testing.v1 import AppTest
from streamlit_authenticator.models.cookie_model import CookieModel

# The page tests' fixtures, imported so pytest finds them here; the tests then take them by name (F811).
from tests.pages.conftest import APP, app, app_database, app_database_url, environment, log_in, served  # noqa: F401
from ui import auth, data


def clear_every_cache() -> None:
    """What Streamlit does for a clear_cache back message (AppSession._handle_clear_cache_request)."""
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def demo_key(environment, monkeypatch) -> None:  # noqa: F811
    """Cookies signed with the key generated for the demo database, while the app runs on the test database."""
    monkeypatch.delenv("DASHBOARD_COOKIE_KEY")
    monkeypatch.setattr(auth, "is_embedded_demo", lambda: True)


def test_clearing_the_caches_keeps_the_generated_cookie_key(monkeypatch):
    monkeypatch.delenv("DASHBOARD_COOKIE_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)  # the embedded demo: no engine is made here
    key, generated = auth.cookie_key()
    assert generated and len(key) >= 32
    clear_every_cache()
    assert auth.cookie_key() == (key, True)


def test_the_configured_cookie_key_is_read_as_it_is_now(environment, monkeypatch):  # noqa: F811
    assert auth.cookie_key() == ("test-cookie-key-that-is-long-enough-for-hs256", False)
    monkeypatch.setenv("DASHBOARD_COOKIE_KEY", "another-test-key-also-long-enough-for-hs256")
    assert auth.cookie_key() == ("another-test-key-also-long-enough-for-hs256", False)


def test_clearing_the_caches_keeps_the_engine(environment):  # noqa: F811
    database = data.engine()
    clear_every_cache()
    assert data.engine() is database


def test_another_database_url_gets_its_own_engine(environment, monkeypatch, tmp_path):  # noqa: F811
    database = data.engine()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    other = data.engine()
    assert other is not database and str(other.url).endswith("other.db")


def test_a_login_cookie_still_logs_in_after_the_caches_are_cleared(demo_key, app, monkeypatch):  # noqa: F811
    issued = []
    encode = CookieModel._token_encode
    monkeypatch.setattr(
        CookieModel, "_token_encode", lambda model: issued.append(encode(model)) or issued[-1]
    )
    log_in(app, "amy")
    assert app.title[0].value == "Home" and len(issued) == 1

    clear_every_cache()
    app.run()
    assert not app.exception and app.title[0].value == "Home"

    # A reload: a new session that has only the cookie the login set.
    browser = SimpleNamespace(cookies={auth.COOKIE_NAME: issued[0]}, headers=[], remote_ip=None)
    monkeypatch.setattr(context, "_get_client_context", lambda: browser)
    reloaded = AppTest.from_file(APP, default_timeout=30).run()
    assert not reloaded.exception
    assert not reloaded.text_input, "the login form is back: the cookie no longer validates"
    assert reloaded.title[0].value == "Home"
