"""In Chromium: marketing adds an asset with an uploaded PDF and records the customer's approval, sales finds
it in the library and downloads the file, and marketing retires it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.engine import make_engine
from db.models import Asset
from tests.e2e.conftest import enter, screenshot, settle, streamlit_server
from tests.e2e.test_browser import choose, choose_many

pytestmark = pytest.mark.e2e

TITLE = "Zenith Outfitters doubles repeat orders"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def database(demo_database, tmp_path_factory) -> str:
    """A copy of the demo database: these tests add and retire an asset."""
    copy = tmp_path_factory.mktemp("asset-upkeep") / "demo.db"
    shutil.copy(demo_database.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return tmp_path_factory.mktemp("asset-files")


@pytest.fixture(scope="module")
def server(database, files):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSET_FILES_DIR", str(files))
        with streamlit_server(database) as running:
            yield running


def open_library(page: Page, url: str, username: str) -> None:
    enter(page, url, username, "/library")
    expect(page.locator("h1")).to_have_text("Asset library")


def search(page: Page, words: str) -> None:
    page.get_by_label("Search titles, summaries and quotes").fill(words)
    page.get_by_label("Search titles, summaries and quotes").press("Enter")
    settle(page)


def stored(database: str) -> Asset:
    engine = make_engine(database)
    with engine.connect() as conn:
        asset = conn.execute(select(Asset).where(Asset.title == TITLE)).one()
    engine.dispose()
    return asset


def test_marketing_adds_approves_sales_finds_and_marketing_retires(
    server, browser, database, files, tmp_path
):
    marketing = browser.new_page(viewport={"width": 1280, "height": 720})
    open_library(marketing, server.url, "mark")
    marketing.get_by_text("Add asset", exact=True).first.click()
    settle(marketing)
    form = marketing.get_by_test_id("stForm").filter(has=marketing.get_by_role("button", name="Add asset"))
    form.get_by_label("Title").fill(TITLE)
    form.get_by_label("Summary").fill("Repeat orders doubled within two seasons.")
    choose_many(marketing, "Industries", "Apparel")
    pdf = tmp_path / "Zenith story.pdf"
    pdf.write_bytes(PDF)
    form.locator("input[type=file]").set_input_files(str(pdf))
    settle(marketing)
    form.get_by_role("button", name="Add asset").click()
    expect(marketing.get_by_text(f"Added '{TITLE}'; it awaits the customer's approval.")).to_be_visible()
    asset = stored(database)
    assert (asset.approval_status, asset.file_name, asset.file_type) == (
        "pending",
        "Zenith story.pdf",
        "application/pdf",
    )
    assert [path.name for path in files.iterdir()] == [asset.file_key]

    settle(marketing)
    marketing.get_by_text("Edit an asset", exact=True).first.click()
    choose(marketing, "Asset to edit", TITLE)
    marketing.get_by_role("combobox", name="Approval", exact=True).click()
    marketing.keyboard.type("Approved")
    marketing.keyboard.press("Enter")
    settle(marketing)
    marketing.get_by_label("Approved by").fill("Dana Reyes, COO")
    marketing.get_by_role("button", name="Record approval").click()
    expect(marketing.get_by_text(f"Recorded the customer's answer for '{TITLE}': approved.")).to_be_visible()
    screenshot(marketing, "asset-upkeep-approved")
    assert (stored(database).approval_status, stored(database).approved_by) == ("approved", "Dana Reyes, COO")

    sales = browser.new_page(viewport={"width": 1280, "height": 720})
    open_library(sales, server.url, "sam")
    expect(sales.get_by_text("Add or edit assets")).to_have_count(0)
    search(sales, "Zenith repeat orders")
    expect(sales.get_by_text("Showing 1 of 1 assets.")).to_be_visible()
    expect(sales.get_by_test_id("stMain").locator("strong")).to_have_text([TITLE])
    with sales.expect_download() as download:
        sales.get_by_role("button", name="Download Zenith story.pdf").click()
    assert download.value.suggested_filename == "Zenith story.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    screenshot(sales, "asset-upkeep-found-by-sales")

    marketing.reload()
    settle(marketing)
    marketing.get_by_text("Edit an asset", exact=True).first.click()
    choose(marketing, "Asset to edit", TITLE)
    marketing.get_by_role("button", name="Retire this asset").click()
    expect(marketing.get_by_text(re.compile(f"^Retired '{TITLE}'"))).to_be_visible()
    assert stored(database).retired_on is not None

    sales.reload()
    settle(sales)
    search(sales, "Zenith repeat orders")
    expect(sales.get_by_text("Showing 0 of 0 assets.")).to_be_visible()
    sales.close()
    marketing.close()
