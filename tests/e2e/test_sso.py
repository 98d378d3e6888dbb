"""In Chromium: company sign-in through a mock OpenID Connect provider on 127.0.0.1, against the real app."""

from __future__ import annotations

import json
import shutil
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from db.company_sign_in import REFUSED, SIGNED_IN
from db.engine import make_engine
from db.models import AuditLog
from tests.e2e.conftest import copy_app, screenshot, settle, streamlit_server

pytestmark = pytest.mark.e2e

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
serving = pytest.importorskip("werkzeug.serving")

COMPANY = "Mock Company"
# The provider's accounts; each is a button on its sign-in page, named by its subject.
SAM = oidc_provider_mock.User(
    sub="sam-at-company", claims={"email": "Sam@Advocacy-Demo.example", "email_verified": True, "name": "Sam"}
)
MALLORY = oidc_provider_mock.User(
    sub="mallory-at-company", claims={"email": "mallory@advocacy-demo.example", "email_verified": True}
)


@pytest.fixture(scope="module")
def provider():
    """The mock provider in a thread of this process, on a free port of 127.0.0.1."""
    server = serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(user_claims=[SAM, MALLORY], require_nonce=True), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def database(demo_database, tmp_path_factory) -> str:
    """A copy of the demo database without the audit rows earlier browser tests left in it (logouts): these
    tests count the rows they add, and end sessions."""
    copy = tmp_path_factory.mktemp("sso") / "demo.db"
    shutil.copy(demo_database.removeprefix("sqlite:///"), copy)
    engine = make_engine(f"sqlite:///{copy}")
    with engine.begin() as connection:
        connection.execute(delete(AuditLog))
    engine.dispose()
    return f"sqlite:///{copy}"


@pytest.fixture(scope="module")
def server(provider, database, tmp_path_factory):
    """The app from a copy whose secrets file points its company sign-in at the mock provider."""
    root = tmp_path_factory.mktemp("sso-app")
    copy_app(root)
    (root / ".streamlit" / "secrets.toml").write_text(
        f"""[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "e2e-company-sign-in-cookie-secret-0123456789"
client_id = "advocacy-dashboard"
client_secret = "e2e-client-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[company_sign_in]
name = "{COMPANY}"
"""
    )
    with streamlit_server(database, root) as running:
        yield running


def audit_rows(database: str, action: str) -> list[tuple[str, str | None, dict]]:
    engine = make_engine(database)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(AuditLog.username, AuditLog.entity_id, AuditLog.after)
                .where(AuditLog.action == action)
                .order_by(AuditLog.id)
            ).all()
    finally:
        engine.dispose()
    return [(row.username, row.entity_id, json.loads(row.after or "null")) for row in rows]


def sign_in_at_the_provider(page, url: str, subject: str) -> None:
    page.goto(url)
    button = page.get_by_role("button", name=f"Sign in with {COMPANY}")
    button.wait_for()
    settle(page)
    button.click()
    # The provider's own page: one button per account.
    page.get_by_role("button", name=subject, exact=True).click()


def test_a_known_email_signs_in_as_its_user_and_sees_its_roles_pages(server, page, database):
    # The rows this run adds (a browser test that failed is run again on the same database).
    signed_in, logged_out = len(audit_rows(database, SIGNED_IN)), len(audit_rows(database, "log_out"))
    sign_in_at_the_provider(page, server.url, SAM.sub)
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    settle(page)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Sam Sales")).to_be_visible()
    links = sidebar.get_by_test_id("stPageLink-NavLink")
    # Each link's text is its icon's ligature name followed by the page title.
    expect(links).to_have_text(
        ["homeHome", "library_booksAsset library", "handshakeReference requests", "mailDigests"]
    )
    screenshot(page, "sso-signed-in")
    # Streamlit keeps the identity in an HttpOnly cookie; the app's own login cookie is not written.
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["_streamlit_user"]["httpOnly"] is True
    assert "advocacy_session" not in cookies
    assert [(row[0], row[2]["email"]) for row in audit_rows(database, SIGNED_IN)[signed_in:]] == [
        ("sam", "sam@advocacy-demo.example")
    ]

    # A reload is a new session of the same sign-in: still Sam, and no second audit row.
    page.reload()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    assert len(audit_rows(database, SIGNED_IN)) == signed_in + 1

    # Logging out ends the app's sessions and the identity cookie, then passes by the provider's logout.
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("button", name=f"Sign in with {COMPANY}")).to_be_visible()
    assert "_streamlit_user" not in {cookie["name"] for cookie in page.context.cookies()}
    assert [row[0] for row in audit_rows(database, "log_out")[logged_out:]] == ["sam"]


def test_an_unknown_email_is_refused_and_audited(server, page, database):
    refused = len(audit_rows(database, REFUSED))  # the rows this run adds
    sign_in_at_the_provider(page, server.url, MALLORY.sub)
    alert = page.get_by_test_id("stAlertContentError")
    expect(alert).to_have_text(
        "No user here has your company e-mail address. Ask an admin to add it to your user."
    )
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Username")).to_have_count(0)
    screenshot(page, "sso-refused")
    rows = audit_rows(database, REFUSED)[refused:]
    assert [(row[0], row[1], row[2]["reason"], row[2]["subject"]) for row in rows] == [
        ("(company sign-in)", "mallory@advocacy-demo.example", "unknown", MALLORY.sub)
    ]
    page.get_by_role("button", name=f"Sign out of {COMPANY}").click()
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("textbox", name="Username")).to_be_visible()
