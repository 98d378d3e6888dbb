"""In Chromium: after a refused stale save, the Settings form shows what is stored, and the next save keeps it."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db import service
from db.engine import make_engine
from db.models import User
from db.reads import settings as settings_reads
from tests.e2e.conftest import enter, screenshot, settle, streamlit_server

pytestmark = pytest.mark.e2e

NPS = "Target NPS (default 40)"
CSAT = "Target CSAT (% satisfied) (default 85)"


@pytest.fixture(scope="module")
def database(demo_database, tmp_path_factory) -> str:
    """A copy of the demo database: these tests change settings."""
    copy = tmp_path_factory.mktemp("admin-forms") / "demo.db"
    shutil.copy(demo_database.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


@pytest.fixture(scope="module")
def server(database):
    with streamlit_server(database) as running:
        yield running


def save(page: Page, label: str) -> None:
    form = page.get_by_test_id("stForm").filter(has=page.get_by_label(label))
    form.get_by_role("button", name="Save").click()
    settle(page)


def test_a_refused_settings_save_shows_the_stored_value_and_the_next_save_keeps_it(server, page, database):
    enter(page, server.url, "admin", "/admin")
    page.get_by_role("tab", name="Settings").click()
    settle(page)
    nps = page.get_by_label(NPS)
    expect(nps).to_have_value("40")
    nps.fill("50")
    nps.press("Tab")
    # Someone else saves Target NPS after this form was drawn.
    engine = make_engine(database)
    with engine.connect() as conn:
        mark_id = conn.scalar(select(User.id).where(User.username == "mark"))
    someone = service.Actor(id=mark_id, username="mark", name="Mark", role="admin")
    service.update_settings(engine, someone, {"target_nps": 45}, read={"target_nps": 40})

    save(page, NPS)
    expect(page.get_by_text("Target NPS was changed to 45 by mark")).to_be_visible()
    expect(nps).to_have_value("45")
    screenshot(page, "settings-stale-save")

    csat = page.get_by_label(CSAT)
    csat.fill("90")
    csat.press("Tab")
    save(page, CSAT)
    stored = settings_reads.load_settings(engine)
    engine.dispose()
    assert (stored["target_nps"], stored["target_csat"]) == (45, 90)


def test_add_a_user_needs_a_role_and_is_empty_again_after_adding(server, page, database):
    enter(page, server.url, "admin", "/admin")
    settle(page)  # a form filled during a rerun loses what was typed
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Add user"))
    form.get_by_role("textbox", name="Username", exact=True).fill("nia")
    form.get_by_role("textbox", name="Password", exact=True).fill("a long enough passphrase")
    form.get_by_role("button", name="Add user").click()
    settle(page)
    expect(page.get_by_test_id("stAlertContentError")).to_have_text("Role: choose one.")

    form.get_by_role("textbox", name="Username", exact=True).fill("nia")
    form.get_by_role("textbox", name="Password", exact=True).fill("a long enough passphrase")
    form.get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="Sales").click()
    form.get_by_role("button", name="Add user").click()
    settle(page)
    expect(page.get_by_test_id("stDataFrame")).to_contain_text("nia")
    expect(form.get_by_role("textbox", name="Username", exact=True)).to_have_value("")
    expect(form.get_by_role("textbox", name="Password", exact=True)).to_have_value("")
    expect(form.get_by_role("combobox", name="Role")).to_have_value("")
    expect(form.get_by_role("combobox", name="Role")).to_have_attribute("placeholder", "Choose a role")
    engine = make_engine(database)
    with engine.connect() as conn:
        assert conn.scalar(select(User.role).where(User.username == "nia")) == "sales"
    engine.dispose()
