"""Company sign-in in the app: st.user's e-mail logs in as its user with its role, and nothing changes without [auth]."""

import datetime as dt
import time
from types import SimpleNamespace

import jwt
import pytest
import streamlit as st
from sqlalchemy import select, update
from streamlit.runtime import context
from streamlit.testing.v1 import AppTest

from core import roles
from db import service
from db.company_sign_in import MESSAGES, REFUSED, SIGNED_IN
from db.engine import make_engine, transaction
from db.models import AuditLog, User
from tests.db.factories import build_book
from tests.pages.conftest import APP, database_at
from ui import auth

KEY = "test-cookie-key-that-is-long-enough-for-hs256"  # the environment fixture's
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-cookie-secret-for-the-company-sign-in-tests",
    "client_id": "advocacy",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.fixture
def app_engine(app_database_url):
    database = make_engine(app_database_url)
    yield database
    database.dispose()


@pytest.fixture
def app_database_url(tmp_path) -> str:
    """A database of its own: these tests write audit rows and end sessions."""
    return database_at(tmp_path, build_book)


def configured(app, *, allow_password_login: bool | None = None, **identity):
    """app with [auth] in its secrets and, when identity is given, that identity signed in."""
    app.secrets["auth"] = AUTH
    app.secrets["company_sign_in"] = {"name": "Acme"}
    if allow_password_login is not None:
        app.secrets["company_sign_in"]["allow_password_login"] = allow_password_login
    if identity:
        app.user = {
            "is_logged_in": True,
            "iss": "http://idp",
            "sub": "s-1",
            "iat": int(time.time()),
            **identity,
        }
    return app


def audit_actions(app_engine) -> list[tuple[str, str, str | None]]:
    with app_engine.connect() as conn:
        rows = conn.execute(
            select(AuditLog.username, AuditLog.action, AuditLog.entity_id).order_by(AuditLog.id)
        )
        return [tuple(row) for row in rows]


def menu(app) -> list[str]:
    return [link.label for link in app.sidebar.get("page_link")]


def test_without_auth_the_login_page_is_the_password_form_alone(app):
    app.run()
    assert [b.label for b in app.button] == ["Login"]
    assert [t.label for t in app.text_input] == ["Username", "Password"]


def test_with_auth_the_company_button_stands_beside_the_password_form(app):
    configured(app).run()
    assert [b.label for b in app.button] == ["Sign in with Acme", "Login"]
    assert [t.label for t in app.text_input] == ["Username", "Password"]


def test_allow_password_login_false_leaves_only_the_company_button(app):
    configured(app, allow_password_login=False).run()
    assert [b.label for b in app.button] == ["Sign in with Acme"]
    assert not app.text_input


def test_a_bad_setting_is_named_instead_of_guessed(app):
    configured(app)
    app.secrets["company_sign_in"]["allow_password_login"] = "false"
    app.run()
    assert "allow_password_login true or false" in app.error[0].value
    assert not app.button


@pytest.mark.parametrize(
    ("email", "username", "role"),
    [("Sam@Example.com", "sam", roles.SALES), ("ada@example.com", "ada", roles.ADMIN)],
)
def test_a_known_email_logs_in_as_its_user_with_its_roles_pages(app, app_engine, email, username, role):
    configured(app, email=email, email_verified=True).run()
    assert not app.exception
    assert app.title[0].value == "Home"
    assert app.session_state["username"] == username
    assert menu(app) == [spec.title for spec in roles.pages_for(role) if spec.in_menu]
    assert audit_actions(app_engine) == [(username, SIGNED_IN, str(user_id(app_engine, username)))]


def user_id(app_engine, username: str) -> int:
    with app_engine.connect() as conn:
        return conn.scalar(select(User.id).where(User.username == username))


@pytest.mark.parametrize(
    ("identity", "reason"),
    [
        ({"email": "mallory@example.com"}, "unknown"),
        ({"email": "sam@example.com", "email_verified": False}, "unverified"),
    ],
)
def test_an_unknown_or_unverified_email_is_refused_audited_and_can_sign_out(
    app, app_engine, identity, reason
):
    configured(app, **identity).run()
    assert [e.value for e in app.error] == [MESSAGES[reason]]
    assert not app.title and not app.text_input
    assert audit_actions(app_engine) == [("(company sign-in)", REFUSED, identity["email"])]
    app.run()  # a rerun of the same sign-in writes no second row
    assert len(audit_actions(app_engine)) == 1
    app.button(key="company_sign_out").click().run()
    assert app.user == {"is_logged_in": False}
    assert [b.label for b in app.button] == ["Sign in with Acme", "Login"]


def test_a_disabled_user_is_refused(app, app_engine):
    with transaction(app_engine) as session:
        session.execute(update(User).where(User.username == "sam").values(disabled=True))
    configured(app, email="sam@example.com").run()
    assert [e.value for e in app.error] == [MESSAGES["disabled"]]


def test_a_logout_elsewhere_ends_the_company_session_at_its_next_rerun(app, app_engine):
    configured(app, email="sam@example.com").run()
    assert app.title[0].value == "Home"
    sam = service.Actor(id=user_id(app_engine, "sam"), username="sam", name="Sam", role="sales")
    time.sleep(1.1)  # iat has whole seconds: the logout must come after it
    service.log_out(app_engine, sam)
    st.cache_data.clear()  # the credentials' few seconds have passed
    app.run()
    assert not app.title
    assert [i.value for i in app.info] == [MESSAGES["ended"]]
    assert [b.label for b in app.button] == ["Sign in with Acme", "Login"]


def test_logging_out_ends_the_users_sessions_and_signs_out_of_the_company(app, app_engine):
    configured(app, email="sam@example.com").run()
    app.sidebar.button(key="log_out").click().run()
    assert app.user == {"is_logged_in": False}
    assert not app.title
    assert [a[1] for a in audit_actions(app_engine)] == [SIGNED_IN, "log_out"]


def test_a_password_login_is_unchanged_with_auth_configured(app):
    configured(app).run()
    app.text_input[0].input("sam")
    app.text_input[1].input("correct horse battery")
    app.button(key="FormSubmitter:login-Login").click().run()
    assert app.title[0].value == "Home"


@pytest.mark.parametrize(("allow", "logged_in"), [(True, True), (False, False)])
def test_with_passwords_off_a_login_cookie_logs_nobody_in(environment, monkeypatch, allow, logged_in):
    token = jwt.encode({"username": "sam", "exp_date": time.time() + auth.COOKIE_DAYS * 86_400 - 60}, KEY)
    browser = SimpleNamespace(cookies={auth.COOKIE_NAME: token}, headers=[], remote_ip=None)
    monkeypatch.setattr(context, "_get_client_context", lambda: browser)
    app = configured(AppTest.from_file(APP, default_timeout=30), allow_password_login=allow).run()
    assert bool(app.title) is logged_in


@pytest.mark.parametrize(
    ("iat", "expected"),
    [
        (1_000_000, dt.datetime(1970, 1, 12, 13, 46, 40)),
        (1_000_000 + 300, dt.datetime(1970, 1, 12, 13, 51, 40)),  # the clock skew allowed
        (1_000_000 + 301, None),  # from the future
        (1_000_000 - 7 * 86_400 + 1, dt.datetime(1970, 1, 5, 13, 46, 41)),
        (1_000_000 - 7 * 86_400, None),  # older than a login cookie lives
        ("1000000", None),
        (True, None),
        (None, None),
    ],
)
def test_the_sign_in_moment_is_the_id_tokens_issue_time_within_a_cookies_lifetime(iat, expected):
    assert auth.signed_in_at({"iat": iat}, now=1_000_000) == expected


def test_a_user_enabled_a_moment_ago_signs_in_though_the_cached_credentials_are_older(app, app_engine):
    with transaction(app_engine) as session:
        session.execute(update(User).where(User.username == "sam").values(disabled=True))
    configured(app, email="sam@example.com").run()
    assert [e.value for e in app.error] == [MESSAGES["disabled"]]
    with transaction(app_engine) as session:
        session.execute(update(User).where(User.username == "sam").values(disabled=False))
    app.run()  # the credentials cached a second ago still lack sam
    assert app.title[0].value == "Home"
