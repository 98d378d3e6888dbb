"""In Chromium: an admin uploads a contacts file, sees how its rows will be stored, imports it, and sees
every problem of a bad file named by row, column and value."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.engine import make_engine
from db.models import Contact
from tests.e2e.conftest import log_in, screenshot, settle, streamlit_server

pytestmark = pytest.mark.e2e

GOOD = (
    "Contact ID,Account,Full name,E-mail,Job title,Closeness\n"
    "CON-E2E-1,ACC-000001,Ana Alves,ana@example.com,VP Operations,4\n"
    "CON-E2E-2,ACC-000002,Ben Brook,ben@example.com,CTO,5\n"
)
BAD = "external_id,account,name,relationship_strength\nCON-E2E-3,ACC-999999,Cy,9\n"


@pytest.fixture(scope="module")
def server(demo_database, tmp_path_factory):
    copy = tmp_path_factory.mktemp("import") / "demo.db"
    shutil.copy(demo_database.removeprefix("sqlite:///"), copy)
    with streamlit_server(f"sqlite:///{copy}") as running:
        yield running


def open_import(page: Page, url: str) -> None:
    log_in(page, url, "admin")
    page.get_by_test_id("stSidebar").get_by_text("Import and export").click()
    expect(page.locator("h1")).to_have_text("Import and export")
    page.get_by_test_id("stSelectbox").filter(has_text="What the file holds").click()
    page.get_by_role("option", name="Contacts", exact=True).click()
    settle(
        page
    )  # the uploader is keyed by the kind of file: upload only once the rerun has drawn the new one


def upload(page: Page, folder, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text)
    page.locator("input[type=file]").set_input_files(str(path))


def stored_contacts(url: str) -> list[tuple]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Contact.external_id, Contact.name, Contact.relationship_strength)
            .where(Contact.external_id.like("CON-E2E-%"))
            .order_by(Contact.external_id)
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_admin_maps_a_column_by_hand_and_imports_a_file(server, page, tmp_path):
    open_import(page, server.url)
    upload(page, tmp_path, "contacts.csv", GOOD)
    expect(page.get_by_text("2 rows are ready.", exact=False)).to_be_visible()
    # "Closeness" names no field: map it to the relationship strength by hand.
    page.get_by_test_id("stSelectbox").filter(has_text="Closeness").click()
    page.get_by_role("option", name="Relationship strength", exact=True).click()
    expect(page.get_by_test_id("stDataFrame").last).to_be_visible()
    screenshot(page, "import-preview")
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text("Imported 2 rows: 2 added, 0 updated, 0 unchanged.")).to_be_visible()
    screenshot(page, "import-done")
    assert stored_contacts(server.database_url) == [
        ("CON-E2E-1", "Ana Alves", 4),
        ("CON-E2E-2", "Ben Brook", 5),
    ]


def test_a_bad_file_lists_its_problems_and_stores_nothing(server, page, tmp_path):
    open_import(page, server.url)
    upload(page, tmp_path, "bad.csv", BAD)
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("2 problems")
    expect(page.get_by_role("button", name="Download every problem (CSV)")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Import \d"))).to_have_count(0)
    screenshot(page, "import-problems")
    assert not [row for row in stored_contacts(server.database_url) if row[0] == "CON-E2E-3"]
