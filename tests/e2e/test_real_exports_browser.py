"""In Chromium at 1280×720, on a fresh empty database with one admin: a customer-success operations analyst on
day one takes a SaaS company's five exports (tests/db/test_real_exports.saas_files) from file to scored weeks
and a backtest with the Import page alone — the column grid, Values, a saved profile, the check before each
Import — and the Admin page's scoring run; no file is edited first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from db import demo, migrate, service
from db.engine import make_engine
from db.users import OPERATOR
from tests.db.test_real_exports import rows, saas_files
from tests.e2e.conftest import open_login, screenshot, settle, streamlit_server

pytestmark = pytest.mark.e2e

# Storing 9,040 usage events or scoring 32 weeks takes seconds alone and much longer on a busy 2-core machine.
SLOW = 120_000
# What a cell must never show: the missing values of Python and pandas, as they print.
RAW = {"None", "nan", "NaN", "NaT", "<NA>", "null"}
KINDS = {
    "subscriptions": "Subscriptions (ARR, seats, renewal and churn derive from them)",
    "usage": "Product usage events (aggregated into weekly usage)",
    "tickets": "Support tickets",
    "churn": "Churn events",
}


# A laptop-sized window: the import check and its problems must read at 1280 px.
VIEWPORT = {"width": 1280, "height": 720}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a migrated, empty SQLite database whose only user is an admin."""
    url = f"sqlite:///{tmp_path_factory.mktemp('real-exports') / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    service.create_user(
        engine, OPERATOR, "admin", "Ada Admin", "ada@example.com", "admin", demo.DEMO_PASSWORD
    )
    engine.dispose()
    with streamlit_server(url) as running:
        yield running


def log_in_to_an_empty_book(page: Page, url: str) -> None:
    """conftest.log_in waits for Home's figures; an empty book has none, only the reason why."""
    open_login(page, url)
    page.get_by_role("textbox", name="Username").fill("admin")
    page.get_by_role("textbox", name="Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_test_id("stAlertContentInfo")).to_have_text(
        "No health scores yet. No usage imported yet: import usage or usage events first."
    )
    page.wait_for_function("document.cookie.includes('advocacy_session')")
    settle(page)


def open_page(page: Page, link: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=link, exact=True).click()
    expect(page.locator("h1")).to_have_text(link)
    settle(page)


def scroll_to(page: Page, heading: str) -> None:
    page.get_by_role("heading", name=heading, exact=True).evaluate("heading => heading.scrollIntoView()")


def upload(page: Page, kind: str, path) -> None:
    """Choose what the file holds, then upload it to that kind's own, empty uploader."""
    scroll_to(page, "Import and export")
    page.get_by_test_id("stSelectbox").filter(has_text="What the file holds").click()
    page.get_by_role("option", name=kind, exact=True).click()
    expect(page.get_by_role("combobox", name="What the file holds")).to_have_value(kind)
    settle(page)
    # The last kind's uploader still holds its file until the rerun has drawn this kind's.
    expect(page.get_by_test_id("stFileChip")).to_have_count(0)
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_role("heading", name="Check", exact=True)).to_be_visible(timeout=SLOW)
    settle(page)


def expect_ready(page: Page, line: str) -> None:
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="ready.")).to_have_text(
        line, timeout=SLOW
    )


def import_checked(page: Page, button: str, line: str, name: str) -> None:
    """Press Import under the check and wait for what it stored."""
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="Imported")).to_have_text(
        line, timeout=SLOW
    )
    settle(page)
    scroll_to(page, "Check")
    screenshot(page, name)


def expect_rows(grid: Locator, expected: list[list[str]]) -> None:
    """Wait until a data grid holds these cells, read from the accessible table it keeps beside its canvas."""
    expect(grid.locator("table[role=grid] tbody tr")).to_have_count(len(expected))
    for row, cells in enumerate(expected):
        for column, cell in enumerate(cells):
            expect(grid.get_by_test_id(f"glide-cell-{column}-{row}")).to_have_text(cell)


def grid_rows(grid: Locator) -> list[list[str]]:
    """The cells of a data grid as text, from the accessible table it keeps beside its canvas."""
    return grid.locator("table[role=grid] tbody tr").evaluate_all(
        "rows => rows.map(row => Array.from(row.cells, cell => cell.innerText.trim()))"
    )


def store_as(page: Page, grid: Locator, value: str, meaning: str) -> None:
    """In a Values grid, say what a file value means: double-click its "Stored as" cell and pick the meaning."""
    row = [cells[0] for cells in grid_rows(grid)].index(value)
    # Streamlit draws 35 px rows under a 35 px header; "Stored as" is the last column.
    grid.dblclick(position={"x": grid.bounding_box()["width"] - 100, "y": 35 * (row + 1) + 17})
    editor = page.locator("#portal")
    editor.get_by_role("combobox").fill(meaning)
    # Enter takes the one option left; a click on it was sometimes lost while the menu was still drawn.
    expect(editor.get_by_role("option")).to_have_text([meaning])
    editor.get_by_role("combobox").press("Enter")
    settle(page)
    expect(grid.get_by_test_id(f"glide-cell-2-{row}")).to_have_text(meaning)


def test_an_analyst_takes_saas_exports_to_scored_weeks_and_a_backtest(server, page, tmp_path):
    files = saas_files(tmp_path)
    log_in_to_an_empty_book(page, server.url)
    open_page(page, "Import and export")

    # Accounts: plan tiers are the CRM's own words for segments, mapped by hand; countries are suggested.
    upload(page, "Accounts", files["accounts"])
    # Typed: in a 720 px window the dropdown's list is too short to draw every field.
    page.get_by_test_id("stSelectbox").filter(has_text="plan_tier").click()
    page.keyboard.type("Segment")
    page.get_by_role("option", name="Segment", exact=True).click()
    settle(page)
    tiers = page.get_by_test_id("stDataFrame").filter(has_text="Basic")
    expect(tiers).to_be_visible()
    expect_rows(tiers, [["Basic", "14", ""], ["Pro", "13", ""]])  # Enterprise is the app's word
    expect_rows(
        page.get_by_test_id("stDataFrame").filter(has_text="GB"),
        [
            ["US", "6", "North America"],
            ["DE", "6", "EMEA"],
            ["JP", "6", "APAC"],
            ["BR", "6", "LATAM"],
            ["GB", "6", "EMEA"],
            ["IN", "5", "APAC"],
            ["CA", "5", "North America"],
        ],
    )
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("27 problems in 2 groups")
    store_as(page, tiers, "Basic", "SMB")
    store_as(page, tiers, "Pro", "Mid-Market")
    expect_rows(tiers, [["Basic", "14", "SMB"], ["Pro", "13", "Mid-Market"]])
    scroll_to(page, "Values")
    screenshot(page, "real-exports-accounts-values")
    expect(page.get_by_test_id("stAlertContentInfo")).to_have_text("1 custom attribute kept: referral_source")
    expect_ready(page, "40 rows are ready. Would add 40, update 0, leave 0 unchanged.")
    scroll_to(page, "Check")
    screenshot(page, "real-exports-accounts-check")
    page.get_by_role("textbox", name="Profile name").fill("crm accounts")
    page.get_by_role("button", name="Save this mapping as a profile").click()
    expect(page.get_by_text("Saved the mapping as import profile 'crm accounts'.")).to_be_visible()
    settle(page)
    import_checked(
        page, "Import 40 rows", "Imported 40 rows: 40 added, 0 updated, 0 unchanged.", "real-exports-accounts"
    )

    # The other four exports map by themselves: check, then import.
    for name, rows_in_file, ready, imported in [
        ("subscriptions", "48", "Would add 48, update 0", "48 rows: 48 added"),
        ("usage", "9,040", "Would add 1,551, update 0", "9,040 events as 1,551 account-weeks: 1,551 added"),
        ("tickets", "200", "Would add 200, update 0", "200 rows: 200 added"),
        ("churn", "16", "Would add 16, update 0", "16 rows: 16 added"),
    ]:
        upload(page, KINDS[name], files[name])
        expect_ready(page, f"{rows_in_file} rows are ready. {ready}, leave 0 unchanged.")
        expect(page.get_by_role("textbox", name="Profile name")).to_have_value("")
        import_checked(
            page,
            f"Import {rows_in_file} rows",
            f"Imported {imported}, 0 updated, 0 unchanged.",
            f"real-exports-{name}",
        )

    # The scoring run says why weeks wait, then scores them.
    open_page(page, "Admin")
    page.get_by_role("tab", name="Scoring run").click()
    settle(page)
    expect(page.get_by_text("No week has been scored yet.")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentInfo")).to_have_text(
        "Waiting for the scoring run: 32 weeks not scored yet. An admin starts it on the Admin page "
        "(Scoring run), or a scheduler runs python -m db.scoring."
    )
    screenshot(page, "real-exports-scoring-waiting")
    page.get_by_role("button", name="Score new weeks").click()
    expect(page.get_by_test_id("stToast")).to_contain_text(
        "Scored 32 new weeks; rescored 0 weeks changed by imports.", timeout=SLOW
    )
    screenshot(page, "real-exports-scored")
    expect(page.get_by_text("Latest scored week: 21 Oct 2024.")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentInfo")).to_have_count(0)
    # Gone (after 4 s), or it would cover the backtest's date field in the next screenshots.
    expect(page.get_by_test_id("stToast")).to_have_count(0)

    # The backtest opens on scores 90 days + 8 weeks before the latest week (21 Oct 2024): the week of 27 May.
    open_page(page, "Does the score work?")
    verdict = page.get_by_test_id("stMarkdownContainer").filter(has_text="accounts churned in the window")
    scored = page.get_by_test_id("stMetric").filter(has_text="Accounts scored")
    expect(verdict).to_have_text("Not enough churn to judge: 4 of 36 accounts churned in the window.")
    expect(scored).to_contain_text("36")
    page.get_by_test_id("stDateInput").evaluate("field => field.scrollIntoView()")
    screenshot(page, "real-exports-backtest")
    # The week of 15 July 2024: every account that churned in May or June is back, so all 40 are scored, and
    # 8 churn again in September (tests/db/test_real_exports.py computes the same).
    page.get_by_test_id("stDateInput").get_by_role("spinbutton", name="month").click()
    page.keyboard.type("0715")
    page.locator("h1").click()  # the date is taken when the field loses focus
    settle(page)
    expect(verdict).to_have_text("Not enough churn to judge: 8 of 40 accounts churned in the window.")
    expect(scored).to_contain_text("40")
    expect(page.get_by_test_id("stMetric").filter(has_text="ROC AUC")).to_contain_text("0.75")
    page.get_by_test_id("stDateInput").evaluate("field => field.scrollIntoView()")
    screenshot(page, "real-exports-backtest-july")

    # The board shows the latest week, when the 8 accounts that churned again in September are gone.
    open_page(page, "Health board")
    expect(page.get_by_text("Scores for the week of 21 Oct 2024", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stCaptionContainer").filter(has_text="Showing")).to_have_text(
        "Showing 32 of 32 accounts. Select a row to open its account here."
    )
    screenshot(page, "real-exports-health-board")
    board = page.get_by_test_id("stDataFrame")
    board.evaluate("grid => grid.scrollIntoView()")
    screenshot(page, "real-exports-health-board-table")
    expect(board.locator("table[role=grid] tbody tr")).not_to_have_count(0)
    cells = [cell for row in grid_rows(board) for cell in row]
    # The grid draws only the columns in view: scroll it to its last ones (flags, owner) and read those too.
    board.locator(".dvn-scroller").evaluate("scroller => { scroller.scrollLeft = scroller.scrollWidth; }")
    expect(board.locator("table[role=grid] thead")).to_contain_text("Owner")
    screenshot(page, "real-exports-health-board-table-right")
    cells += [cell for row in grid_rows(board) for cell in row]
    assert not [cell for cell in cells if cell in RAW or re.fullmatch(r"[a-z]+(_[a-z]+)+", cell)]

    engine = make_engine(server.database_url)
    assert rows(engine, "SELECT segment, COUNT(*) FROM accounts GROUP BY segment ORDER BY 1") == [
        ("Enterprise", 13),
        ("Mid-Market", 13),
        ("SMB", 14),
    ]
    assert rows(engine, "SELECT region, COUNT(*) FROM accounts GROUP BY region ORDER BY 1") == [
        ("APAC", 11),
        ("EMEA", 12),
        ("LATAM", 6),
        ("North America", 11),
    ]
    assert rows(engine, "SELECT name, entity FROM import_profiles") == [("crm accounts", "accounts")]
    engine.dispose()
