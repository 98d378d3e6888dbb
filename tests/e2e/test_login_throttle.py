"""In Chromium: the login throttle's wait message, and user text that must never become formatting."""

from __future__ import annotations

import shutil
import threading
import time

import jwt
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from db import demo, logins
from db.engine import make_engine, transaction
from db.models import Account, LoginFailure, User
from tests.e2e.conftest import COOKIE_KEY, log_in, open_login, screenshot, settle, streamlit_server
from ui import auth

pytestmark = pytest.mark.e2e

SCRIPT = "<script>alert(1)</script>"
MARKDOWN = "**bold** [x](javascript:alert(1))"


@pytest.fixture(scope="module")
def hostile_database(demo_database, tmp_path_factory) -> tuple[str, int]:
    """A copy of the demo database whose first account is named SCRIPT, in industry MARKDOWN; admin is named MARKDOWN."""
    source = demo_database.removeprefix("sqlite:///")
    copy = tmp_path_factory.mktemp("hostile") / "demo.db"
    shutil.copy(source, copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    with transaction(engine) as session:
        account_id = session.scalar(select(Account.id).order_by(Account.id).limit(1))
        session.execute(
            update(Account).where(Account.id == account_id).values(name=SCRIPT, industry=MARKDOWN)
        )
        session.execute(update(User).where(User.username == "admin").values(name=MARKDOWN))
    engine.dispose()
    return url, account_id


@pytest.fixture(scope="module")
def server(hostile_database):
    with streamlit_server(hostile_database[0]) as running:
        yield running


def submit(page: Page, username: str, password: str) -> None:
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Login").click()
    settle(page)  # the same alert stays up between attempts: only the ended rerun shows this one was counted


def test_wrong_passwords_bring_the_wait_message(server, page):
    open_login(page, server.url)
    alert = page.get_by_test_id("stAlertContentError")
    # An unknown name: the shared demo users stay unthrottled, and it is answered like a real one.
    for _ in range(3):
        submit(page, "mallory", "not the password")
        expect(alert).to_have_text("Username or password is incorrect.")
        page.get_by_role("textbox", name="Password").fill("")
    submit(page, "mallory", "still not the password")
    expect(alert).to_have_text("Too many failed attempts. Try again in 1 second.")
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    screenshot(page, "login-throttled")


def test_a_wrong_password_every_0_3_s_does_not_keep_out_a_browser_that_logged_in_before(
    server, page, hostile_database
):
    log_in(page, server.url, "mark")
    page.wait_for_function("document.cookie.includes('advocacy_device')")
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("textbox", name="Username").wait_for()

    # The attack in issue 16: a wrong password every 0.3 s, from the address every local login shares.
    engine = make_engine(hostile_database[0])
    stop, answers = threading.Event(), []

    def guess() -> None:
        while not stop.wait(0.3):
            answers.append(logins.check_login(engine, "mark", "a wrong guess", None).status)

    attacker = threading.Thread(target=guess)
    attacker.start()
    try:
        page.wait_for_timeout(5_000)
        open_login(page, server.url)
        submit(page, "mark", demo.DEMO_PASSWORD)
        expect(page.get_by_test_id("stMetric").first).to_be_visible()
        assert not page.get_by_test_id("stAlertContentError").count()
    finally:
        stop.set()
        attacker.join()
    # The attack did hold the username: without this browser's cookie the password would not be checked.
    assert "wait" in answers
    with engine.connect() as conn:
        held = conn.scalar(
            select(LoginFailure.failures).where(
                LoginFailure.username == "mark", LoginFailure.address == "unknown"
            )
        )
    engine.dispose()
    assert held > logins.throttle.PAIR.free
    screenshot(page, "login-known-browser-under-attack")


@pytest.mark.parametrize(
    "token",
    [
        jwt.encode({"username": "admin", "exp_date": time.time() + 86_400}, None, algorithm="none"),
        jwt.encode({"username": "admin", "exp_date": "tomorrow"}, COOKIE_KEY, algorithm="HS256"),
        "garbage",
    ],
    ids=["alg none", "string exp_date", "garbage"],
)
def test_a_bad_login_cookie_shows_the_login_form(server, page, token):
    page.context.add_cookies([{"name": auth.COOKIE_NAME, "value": token, "url": server.url}])
    open_login(page, server.url)
    expect(page.get_by_role("button", name="Login")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)


def test_names_with_markup_show_as_typed(server, page, hostile_database):
    _, account_id = hostile_database
    open_login(page, server.url)
    submit(page, "admin", demo.DEMO_PASSWORD)
    sidebar_name = page.get_by_test_id("stSidebar").locator("strong").first
    expect(sidebar_name).to_contain_text("bold")
    assert shown(sidebar_name) == MARKDOWN
    page.wait_for_function("document.cookie.includes('advocacy_session')")
    page.goto(f"{server.url}/account?account={account_id}")
    expect(page.locator("h1")).to_have_text(SCRIPT)
    caption = page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first
    expect(caption).to_contain_text("bold")
    assert MARKDOWN in shown(caption)
    expect(caption.locator("a, strong")).to_have_count(0)
    assert not page.evaluate("Array.from(document.scripts).some(s => s.textContent.includes('alert(1)'))")
    screenshot(page, "account-hostile-name")


def shown(element) -> str:
    """The text a reader sees: ui.text.literal puts an invisible zero-width space after each colon."""
    return element.inner_text().replace("\u200b", "")
