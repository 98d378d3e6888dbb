"""In Chromium at 1280×720: an admin uploads a contacts file, sees how its rows will be stored, imports it,
sees the problems of a bad file grouped by column and value, and imports a one-row-per-customer workbook
whose extra columns are kept as custom attributes."""

from __future__ import annotations

import re
import shutil

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.engine import make_engine
from db.models import Account, AccountAttribute, Contact
from tests.e2e.conftest import enter, screenshot, settle, streamlit_server

pytestmark = pytest.mark.e2e

GOOD = (
    "Contact ID,Account,Full name,E-mail,Job title,Closeness\n"
    "CON-E2E-1,ACC-000001,Ana Alves,ana@example.com,VP Operations,4\n"
    "CON-E2E-2,ACC-000002,Ben Brook,ben@example.com,CTO,5\n"
)
BAD = "external_id,account,name,relationship_strength\nCON-E2E-3,ACC-999999,Cy,9\n"
# A telecom customer workbook: one row per customer, no dates, countries instead of regions, extra columns.
CUSTOMERS = [
    (
        "Customer ID",
        "Company",
        "Country",
        "Tenure Months",
        "Contract",
        "Monthly Charges",
        "Paperless Billing",
    ),
    ("CUST-E2E-1", "Acme Telco", "US", 12, "Month-to-month", 70.35, "Yes"),
    ("CUST-E2E-2", "Bolt Mobile", "Germany", 48, "Two year", 99.1, "No"),
    ("CUST-E2E-3", "Core Net", "Japan", 3, "One year", 20, "Yes"),
]


# A laptop-sized window: the import check and its problems must read at 1280 px.
VIEWPORT = {"width": 1280, "height": 720}


@pytest.fixture(scope="module")
def server(demo_database, tmp_path_factory):
    copy = tmp_path_factory.mktemp("import") / "demo.db"
    shutil.copy(demo_database.removeprefix("sqlite:///"), copy)
    with streamlit_server(f"sqlite:///{copy}") as running:
        yield running


def open_import(page: Page, url: str, kind: str = "Contacts") -> None:
    enter(page, url, "admin")
    page.get_by_test_id("stSidebar").get_by_text("Import and export").click()
    expect(page.locator("h1")).to_have_text("Import and export")
    page.get_by_test_id("stSelectbox").filter(has_text="What the file holds").click()
    page.get_by_role("option", name=kind, exact=True).click()
    # The uploader is keyed by the kind of file: upload only once the rerun has drawn the new one.
    settle(page)


def show_check(page: Page, name: str) -> None:
    """A screenshot of the window scrolled to the check: what the import would do, or what is wrong."""
    settle(page)
    page.get_by_role("heading", name="Check").evaluate("heading => heading.scrollIntoView()")
    screenshot(page, name)


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
    # "Closeness" names no field: map it to the relationship strength by hand (typed: in a 720 px window
    # the dropdown's list is too short to draw every option).
    page.get_by_test_id("stSelectbox").filter(has_text="Closeness").click()
    page.keyboard.type("Relationship")
    page.get_by_role("option", name="Relationship strength", exact=True).click()
    expect(page.get_by_test_id("stDataFrame").last).to_be_visible()
    show_check(page, "import-preview")
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text("Imported 2 rows: 2 added, 0 updated, 0 unchanged.")).to_be_visible()
    show_check(page, "import-done")
    assert stored_contacts(server.database_url) == [
        ("CON-E2E-1", "Ana Alves", 4),
        ("CON-E2E-2", "Ben Brook", 5),
    ]


def test_a_bad_file_lists_its_problems_and_stores_nothing(server, page, tmp_path):
    open_import(page, server.url)
    upload(page, tmp_path, "bad.csv", BAD)
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("2 problems in 2 groups")
    expect(page.get_by_test_id("stTable")).to_contain_text("account 'ACC-999999' does not exist")
    expect(page.get_by_role("button", name="Download every problem (CSV)")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Import \d"))).to_have_count(0)
    show_check(page, "import-problems")
    assert not [row for row in stored_contacts(server.database_url) if row[0] == "CON-E2E-3"]


def test_a_customer_workbook_keeps_its_extra_columns_as_custom_attributes(server, page, tmp_path):
    open_import(page, server.url, "Accounts")
    workbook = openpyxl.Workbook()
    for row in CUSTOMERS:
        workbook.active.append(row)
    workbook.save(tmp_path / "customers.xlsx")
    page.locator("input[type=file]").set_input_files(str(tmp_path / "customers.xlsx"))
    expect(page.get_by_text("3 rows are ready. Would add 3, update 0, leave 0 unchanged.")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentInfo")).to_contain_text(
        "4 custom attributes kept: Tenure Months, Contract, Monthly Charges, Paperless Billing"
    )
    show_check(page, "import-check")
    page.get_by_role("button", name="Import 3 rows").click()
    expect(page.get_by_text("Imported 3 rows: 3 added, 0 updated, 0 unchanged.")).to_be_visible()

    engine = make_engine(server.database_url)
    with engine.connect() as conn:
        regions = conn.execute(
            select(Account.external_id, Account.region)
            .where(Account.external_id.like("CUST-E2E-%"))
            .order_by(Account.external_id)
        ).all()
        kept = conn.execute(
            select(AccountAttribute.name, AccountAttribute.text_value, AccountAttribute.number_value)
            .join(Account, Account.id == AccountAttribute.account_id)
            .where(Account.external_id == "CUST-E2E-1")
            .order_by(AccountAttribute.name)
        ).all()
    engine.dispose()
    assert [tuple(row) for row in regions] == [
        ("CUST-E2E-1", "North America"),
        ("CUST-E2E-2", "EMEA"),
        ("CUST-E2E-3", "APAC"),
    ]
    assert [tuple(row) for row in kept] == [
        ("Contract", "Month-to-month", None),
        ("Monthly Charges", None, 70.35),
        ("Paperless Billing", None, 1.0),
        ("Tenure Months", None, 12.0),
    ]
