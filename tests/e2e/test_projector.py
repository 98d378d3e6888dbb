"""On a projector's 1280×720: the column that says why is on screen without scrolling sideways, and the
weekly review's summary fits above the fold."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import enter, screenshot, settle

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1280, "height": 720}


def open_page(page: Page, url: str, username: str, path: str, title: str) -> None:
    enter(page, url, username, path)
    expect(page.locator("h1").first).to_have_text(title)


def grid(page: Page, index: int = 0) -> Locator:
    return page.get_by_test_id("stDataFrame").nth(index)


def headers_on_screen(table: Locator) -> list[str]:
    """The column headers a dataframe draws: its grid renders (and labels for screen readers) only the columns
    within its visible width, so a column scrolled out of view is not among them."""
    table.scroll_into_view_if_needed()
    expect(table.locator("th").first).to_be_attached()
    return [header.inner_text() for header in table.locator("th").all()]


def wholly_on_screen(table: Locator, header: str) -> bool:
    """Whether the column's right edge is within the dataframe's width: either the column after it is drawn
    too (so this one ends inside the view), or it is the last column and nothing scrolls sideways."""
    headers_on_screen(table)
    drawn = {th.inner_text(): int(th.get_attribute("aria-colindex")) for th in table.locator("th").all()}
    if header not in drawn:
        return False
    columns = int(table.locator("table[role=grid]").get_attribute("aria-colcount"))
    if drawn[header] < columns:
        return drawn[header] + 1 in drawn.values()
    scroll_width, client_width = table.locator(".dvn-scroller").evaluate(
        "s => [s.scrollWidth, s.clientWidth]"
    )
    return scroll_width <= client_width


def test_advocate_why_is_on_screen(demo_server, page):
    open_page(page, demo_server.url, "mark", "/advocates", "Advocate pipeline")
    assert wholly_on_screen(grid(page), "Why")
    screenshot(page, "projector-advocates")


def test_matching_shows_score_why_and_link(demo_server, page):
    open_page(page, demo_server.url, "sam", "/references", "Reference requests")
    page.get_by_role("combobox", name="Industry").click()
    page.get_by_role("option").first.click()
    settle(page)
    assert headers_on_screen(grid(page))[:4] == ["Match", "Asset", "Why it matches", "Link"]
    assert wholly_on_screen(grid(page), "Link")
    screenshot(page, "projector-matching")


def test_what_references_win_shows_the_win_rate(demo_server, page):
    open_page(page, demo_server.url, "mark", "/references", "Reference requests")
    page.get_by_role("tab", name="What references win").click()
    settle(page)
    assert headers_on_screen(grid(page, 0))[:2] == ["Asset", "Win rate"]
    assert headers_on_screen(grid(page, 1))[:3] == ["Advocate", "Customer", "Win rate"]
    assert wholly_on_screen(grid(page, 0), "Win rate") and wholly_on_screen(grid(page, 1), "Win rate")
    screenshot(page, "projector-references-win")


def test_library_why_stale_is_on_screen(demo_server, page):
    open_page(page, demo_server.url, "mark", "/library", "Asset library")
    stale = page.get_by_test_id("stDataFrame").filter(has=page.locator("th", has_text="Why stale"))
    assert headers_on_screen(stale)[:2] == ["Asset", "Why stale"]
    assert wholly_on_screen(stale, "Why stale")
    screenshot(page, "projector-library")


def test_weekly_summary_fits_above_the_fold(demo_server, page):
    open_page(page, demo_server.url, "amy", "/weekly", "Weekly review")
    halves = [grid(page, 0), grid(page, 1)]
    for half in halves:
        box = half.bounding_box()
        assert box["y"] + box["height"] <= VIEWPORT["height"], box
        assert box["x"] + box["width"] <= VIEWPORT["width"], box
    for half in halves:
        assert headers_on_screen(half) == ["Measure", "Last week", "This week", "Change"]
        assert wholly_on_screen(half, "Change")
    screenshot(page, "projector-weekly")
