"""In Chromium: the board opens accounts in the same tab and leads through them in its order; a page outside the
role says so; and no page makes the browser ask anything of a host but the app's own."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from core import board, roles
from db.engine import make_engine
from db.reads import accounts as account_reads
from db.reads import settings as settings_reads
from tests.e2e.conftest import enter, log_in, screenshot, settle

pytestmark = pytest.mark.e2e
VIEWPORT = {"width": 1280, "height": 720}


def board_order(database_url: str, sort: str) -> list[int]:
    """The whole company's board in the given order, computed through core/ from the same database."""
    engine = make_engine(database_url)
    week = account_reads.latest_scored_week(engine)
    table = board.board_table(
        account_reads.board(engine, week, None),
        settings_reads.load_settings(engine),
        week + dt.timedelta(days=6),
    )
    names = board.sort_board(table, sort)["name"]
    engine.dispose()
    return [str(name) for name in names]


def test_board_opens_accounts_in_the_same_tab_and_leads_on_in_its_order(demo_server, page):
    enter(page, demo_server.url, "mark", "/health")
    expect(page.locator("h1")).to_have_text("Health board")
    sort = "Highest ARR first"
    page.get_by_test_id("stSelectbox").filter(has_text="Sort").click()
    page.get_by_role("option", name=sort).click()
    settle(page)
    names = board_order(demo_server.database_url, sort)
    pages_before = len(page.context.pages)
    # The first row's selection box, in the grid's first data row.
    table = page.get_by_test_id("stDataFrame")
    table.locator("canvas").first.wait_for()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 55)
    expect(page.locator("h1")).to_have_text(names[0])
    assert len(page.context.pages) == pages_before  # no new tab
    expect(page.get_by_text(f"Account 1 of {len(names):,} on the board")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("h1")).to_have_text(names[1])
    page.get_by_role("button", name="Next").click()
    expect(page.locator("h1")).to_have_text(names[2])
    page.get_by_role("button", name="Previous").click()
    expect(page.locator("h1")).to_have_text(names[1])
    settle(page)
    page.wait_for_timeout(800)  # charts draw after the script ends
    screenshot(page, "account-previous-next")
    page.get_by_role("link", name="Back to board").click()
    expect(page.locator("h1")).to_have_text("Health board")
    expect(page.get_by_role("combobox", name="Sort")).to_have_value(sort)


def test_sales_opening_the_health_board_is_told_it_is_not_for_their_role(demo_server, page):
    enter(page, demo_server.url, "sam", "/health")
    expect(page.get_by_test_id("stAlertContentError")).to_have_text(
        "Health board is not available to the Sales role. The pages you can open are in the menu on the left."
    )
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_test_id("stMain").locator("h1")).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)


def test_admins_pages_are_every_roles_pages():
    """The next test visits the admin's pages alone: what leaves the browser is the frontend's doing, and the
    admin's pages hold every page another role may open."""
    admin_pages = set(roles.pages_for(roles.ADMIN))
    for role in roles.ROLE_LABELS:
        assert set(roles.pages_for(role)) <= admin_pages, role


def test_no_request_leaves_the_server_on_any_page(demo_server, browser):
    own = urlsplit(demo_server.url).netloc
    at_home: list[str] = []
    elsewhere: list[str] = []

    def record(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss"):
            (at_home if parts.netloc == own else elsewhere).append(f"{request.method} {request.url}")

    # A window of its own: nothing another test's pages fetched or stored (Streamlit keeps some answers of
    # other hosts in localStorage) may spare this one a request.
    context = browser.new_context(viewport=VIEWPORT)
    context.on("request", record)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        log_in(page, demo_server.url, "admin")
        account_id = board_first_account(demo_server.database_url)
        for spec in roles.pages_for(roles.ADMIN):
            # Through the menu, as a user goes; a page outside it (a task, an account) by its address.
            if spec.in_menu:
                page.get_by_test_id("stSidebar").get_by_role("link", name=spec.title, exact=True).click()
            else:
                page.goto(f"{demo_server.url}/{spec.key}?account={account_id}")
            expect(page.get_by_test_id("stMainBlockContainer").locator("h1").first).to_have_text(
                re.compile(".")
            )
            settle(page)
            page.wait_for_timeout(500)  # charts and icons load after the script ends
    finally:
        context.close()
    assert any("/static/" in request for request in at_home)  # the recorder hears the app's own requests
    assert not elsewhere, "\n".join(elsewhere)


def board_first_account(database_url: str) -> int:
    engine = make_engine(database_url)
    week = account_reads.latest_scored_week(engine)
    account_id = int(account_reads.board(engine, week, None).index[0])
    engine.dispose()
    return account_id
