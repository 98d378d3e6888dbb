"""Any login cookie but a current one this app issued logs nobody in: the login form shows, nothing raises."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import jwt
import pytest
from streamlit.runtime import context
from streamlit.testing.v1 import AppTest
from streamlit_authenticator.models.cookie_model import CookieModel

# The page tests' fixtures, imported so pytest finds them here; the tests then take them by name (F811).
from tests.pages.conftest import APP, app_database, app_database_url, environment  # noqa: F401
from ui import auth

# An HS512 token signed with our 45-byte key is one of the attacks; PyJWT warns about the length.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

KEY = "test-cookie-key-that-is-long-enough-for-hs256"  # the environment fixture's
WEEK = auth.COOKIE_DAYS * 86_400


def signed(payload: dict, key: str = KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def signed_raw(payload: bytes) -> str:
    """A token whose payload is any JSON text (PyJWT's encode accepts only dicts)."""
    return jwt.api_jws.encode(payload, KEY, algorithm="HS256")


def fresh() -> float:
    return time.time() + WEEK - 60  # issued a minute ago


BAD = {
    "alg none": lambda: jwt.encode({"username": "amy", "exp_date": fresh()}, None, algorithm="none"),
    "HS512": lambda: signed({"username": "amy", "exp_date": fresh()}, algorithm="HS512"),
    "another key": lambda: signed(
        {"username": "amy", "exp_date": fresh()}, key="another-key-that-is-also-long-enough-for-hs256"
    ),
    "string exp_date": lambda: signed({"username": "amy", "exp_date": str(fresh())}),
    "missing exp_date": lambda: signed({"username": "amy"}),
    "boolean exp_date": lambda: signed({"username": "amy", "exp_date": True}),
    "NaN exp_date": lambda: signed_raw(b'{"username": "amy", "exp_date": NaN}'),
    "past exp_date": lambda: signed({"username": "amy", "exp_date": time.time() - 1}),
    "exp_date a century ahead": lambda: signed(
        {"username": "amy", "exp_date": time.time() + 100 * 365 * 86_400}
    ),
    "past exp": lambda: signed({"username": "amy", "exp_date": fresh(), "exp": int(time.time()) - 10}),
    "upper-case username": lambda: signed({"username": "AMY", "exp_date": fresh()}),
    "number as username": lambda: signed({"username": 7, "exp_date": fresh()}),
    "missing username": lambda: signed({"exp_date": fresh()}),
    "unknown username": lambda: signed({"username": "mallory", "exp_date": fresh()}),
    "list payload": lambda: signed_raw(json.dumps([{"username": "amy"}]).encode()),
    "garbage": lambda: "not-a-token",
    "three garbage parts": lambda: "a.b.c",
    "empty": lambda: "",
}


@pytest.fixture
def deleted(monkeypatch) -> list[bool]:
    calls: list[bool] = []
    monkeypatch.setattr(CookieModel, "delete_cookie", lambda model: calls.append(True))
    return calls


def with_cookie(monkeypatch, token: str) -> AppTest:
    browser = SimpleNamespace(cookies={auth.COOKIE_NAME: token}, headers=[], remote_ip=None)
    monkeypatch.setattr(context, "_get_client_context", lambda: browser)
    return AppTest.from_file(APP, default_timeout=30)


@pytest.mark.parametrize("make", BAD.values(), ids=BAD.keys())
def test_a_bad_cookie_shows_the_login_form_and_is_deleted(environment, monkeypatch, deleted, make):  # noqa: F811
    app = with_cookie(monkeypatch, make()).run()
    assert not app.exception, [e.value for e in app.exception]
    assert [t.label for t in app.text_input] == ["Username", "Password"]
    assert not app.title and not app.sidebar.button
    assert deleted == [True]


def test_the_cookie_this_app_issues_logs_in(environment, monkeypatch, deleted):  # noqa: F811
    app = with_cookie(monkeypatch, signed({"username": "amy", "exp_date": fresh()})).run()
    assert not app.exception and app.title[0].value == "Home"
    assert deleted == []
