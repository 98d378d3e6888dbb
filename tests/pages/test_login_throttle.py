"""The login form's throttle under AppTest, on a database of its own and a clock the test moves.

AppTest has no client address, so every attempt comes from "unknown"; other addresses are
covered in tests/db/test_logins.py.
"""

import datetime as dt
from types import SimpleNamespace

import jwt
import pytest
from extra_streamlit_components import CookieManager
from sqlalchemy import select
from streamlit.runtime import context
from streamlit.testing.v1 import AppTest

from db import logins
from db.engine import make_engine, transaction
from db.models import AuditLog, LoginFailure
from tests.db.factories import build_book
from tests.pages.conftest import APP, PASSWORD, database_at, log_in
from ui import auth
from ui.text import literal

T0 = dt.datetime(2026, 11, 23, 12, 0, 0)


@pytest.fixture
def app_database_url(tmp_path) -> str:
    """A fresh database: failures counted here must not throttle other tests' logins."""
    return database_at(tmp_path, build_book)


@pytest.fixture
def clock(monkeypatch) -> list[dt.datetime]:
    """The throttle's now, frozen at T0 until a test moves it."""
    moment = [T0]
    monkeypatch.setattr(logins.service, "now", lambda: moment[0])
    return moment


def submit(app, username: str, password: str):
    app.text_input[0].input(username)
    app.text_input[1].input(password)
    app.button[0].click()
    return app.run()


def throttle_state(url: str) -> tuple[dict[tuple[str, str], int], list[str]]:
    """The failure counts per (username, address), and the audit log's actions in order."""
    engine = make_engine(url)
    with transaction(engine) as session:
        rows = {(r.username, r.address): r.failures for r in session.scalars(select(LoginFailure))}
        actions = session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    engine.dispose()
    return rows, actions


def test_four_wrong_passwords_bring_the_wait_and_the_right_one_waits_too(app, app_database_url, clock):
    app.run()
    errors = [submit(app, "mark", "not the password").error[0].value for _ in range(4)]
    assert errors == [
        "Username or password is incorrect.",
        "Username or password is incorrect.",
        "Username or password is incorrect.",
        "Too many failed attempts. Try again in 1 second.",
    ]
    submit(app, "mark", PASSWORD)
    assert [e.value for e in app.error] == ["Too many failed attempts. Try again in 1 second."]
    assert not app.title and not app.metric
    assert [t.label for t in app.text_input] == ["Username", "Password"]
    assert throttle_state(app_database_url) == (
        {("mark", "unknown"): 4},
        ["login_failed", "login_failed", "login_failed", "login_throttled"],
    )

    clock[0] = T0 + dt.timedelta(seconds=1)
    submit(app, "mark", PASSWORD)
    assert not app.exception and not app.error
    assert app.title[0].value == "Home"
    assert throttle_state(app_database_url)[0] == {}


def test_a_long_wait_reads_in_minutes_and_ends(app, app_database_url, clock):
    engine = make_engine(app_database_url)
    with transaction(engine) as session:
        session.add(LoginFailure(username="sam", address="unknown", failures=10, last_failed_at=T0))
    engine.dispose()
    clock[0] = T0 + dt.timedelta(seconds=4)  # 10 failures → 64 s, 60 left
    app.run()
    submit(app, "Sam", PASSWORD)
    assert [e.value for e in app.error] == ["Too many failed attempts. Try again in 1 minute."]
    clock[0] = T0 + dt.timedelta(seconds=64)
    submit(app, "Sam", PASSWORD)
    assert app.title[0].value == "Home"
    assert app.session_state["username"] == "sam"


def test_an_unknown_username_gets_the_same_answers(app, clock):
    app.run()
    errors = [submit(app, "mallory", "guess").error[0].value for _ in range(5)]
    assert errors == [
        "Username or password is incorrect.",
        "Username or password is incorrect.",
        "Username or password is incorrect.",
        "Too many failed attempts. Try again in 1 second.",
        "Too many failed attempts. Try again in 1 second.",
    ]


def test_an_empty_form_checks_nothing(app, app_database_url):
    app.run()
    submit(app, "  ", "")
    assert [e.value for e in app.error] == ["Enter your username and password."]
    assert throttle_state(app_database_url) == ({}, [])


def test_logging_in_with_a_wrong_then_right_password_keeps_the_deep_link(app, clock):
    log_in(app, "mark", "not the password")
    app.switch_page("pages/advocates.py").run()
    assert [t.label for t in app.text_input] == ["Username", "Password"]
    submit(app, "mark", PASSWORD)
    assert app.title[0].value == "Advocate pipeline"


def test_a_username_with_a_nul_byte_is_refused_with_a_message_and_not_counted(app, app_database_url):
    app.run()
    submit(app, "mark\x00", PASSWORD)
    assert not app.exception
    assert [e.value for e in app.error] == [
        literal("Username: control characters (such as NUL) are not allowed.")
    ]
    assert throttle_state(app_database_url) == ({}, [])


def browser(monkeypatch, cookies: dict[str, str]) -> AppTest:
    """A new browser session sending cookies (AppTest's own client sends none)."""
    client = SimpleNamespace(cookies=cookies, headers=[], remote_ip=None)
    monkeypatch.setattr(context, "_get_client_context", lambda: client)
    return AppTest.from_file(APP, default_timeout=30).run()


def test_a_browser_that_logged_in_before_gets_in_while_someone_keeps_guessing(app, clock, monkeypatch):
    written: dict[str, str] = {}
    monkeypatch.setattr(
        CookieManager, "set", lambda _, cookie, value, **options: written.update({cookie: value})
    )
    log_in(app, "mark")
    assert app.title[0].value == "Home" and set(written) == {auth.COOKIE_NAME, auth.DEVICE_COOKIE}

    attacker = AppTest.from_file(APP, default_timeout=30).run()
    for step in range(40):  # a wrong password every 0.3 s, from the same (unknown) address
        clock[0] = T0 + dt.timedelta(seconds=0.3 * step)
        submit(attacker, "mark", "a guess")
    assert attacker.error[0].value.startswith("Too many failed attempts.")

    elsewhere = browser(monkeypatch, {})
    submit(elsewhere, "mark", PASSWORD)
    assert [e.value for e in elsewhere.error] == [attacker.error[0].value]

    again = browser(monkeypatch, {auth.DEVICE_COOKIE: written[auth.DEVICE_COOKIE]})
    submit(again, "mark", PASSWORD)
    assert not again.error and again.title[0].value == "Home"


def test_a_device_cookie_of_another_user_or_key_is_no_exemption(app, app_database_url, clock, monkeypatch):
    engine = make_engine(app_database_url)
    with transaction(engine) as session:
        session.add(LoginFailure(username="mark", address="unknown", failures=10, last_failed_at=T0))
    engine.dispose()
    for claims, key in (
        ({"device_of": "sam", "device": "d1"}, "test-cookie-key-that-is-long-enough-for-hs256"),
        ({"device_of": "mark", "device": "d1"}, "another-key-that-is-also-long-enough-for-hs256"),
        ({"device_of": "mark", "device": ""}, "test-cookie-key-that-is-long-enough-for-hs256"),
    ):
        attempt = browser(monkeypatch, {auth.DEVICE_COOKIE: jwt.encode(claims, key, algorithm="HS256")})
        submit(attempt, "mark", PASSWORD)
        assert [e.value for e in attempt.error] == ["Too many failed attempts. Try again in 2 minutes."]
