"""Marketing adds, edits, approves, reviews, retires and restores assets on the library page (AppTest)."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from db.engine import make_engine
from db.models import Asset
from tests.db.factories import build_references
from tests.pages.conftest import database_at, open_expanders
from tests.pages.test_reference_pages import open_page, showing

TODAY = dt.date.today()


@pytest.fixture
def app_database_url(tmp_path) -> str:
    """Asset 1 is an approved Retail/Apparel case study, asset 2 a pending Retail video."""
    return database_at(tmp_path, build_references)


def stored(url: str, asset_id: int) -> Asset:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(Asset).where(Asset.id == asset_id)).one()
    finally:
        engine.dispose()


def stored_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return len(conn.scalars(select(Asset.id)).all())
    finally:
        engine.dispose()


def test_sales_sees_no_upkeep(app):
    open_page(app, "pages/library.py", "sam")
    assert [e.label for e in app.expander] == []
    assert "Add or edit assets" not in [h.value for h in app.subheader]


def test_marketing_adds_an_asset_with_a_link(app, app_database_url):
    open_page(app, "pages/library.py", "mark")
    open_expanders(app, "add_asset_open")
    app.text_input(key="add_asset_title").input("Acme halves onboarding")
    app.multiselect(key="add_asset_industries").set_value(["Sports"])
    app.text_input(key="add_asset_url").input("https://example.com/acme")
    app.button(key="FormSubmitter:add_asset-Add asset").click().run()
    assert not app.exception
    assert app.toast[0].value == "Added 'Acme halves onboarding'; it awaits the customer's approval."
    asset = stored(app_database_url, 3)
    assert (asset.title, asset.approval_status, asset.url) == (
        "Acme halves onboarding",
        "pending",
        "https://example.com/acme",
    )
    app.multiselect(key="lib_approvals").set_value(["pending"]).run()
    assert showing(app) == "Showing 2 of 2 assets."


def test_a_refused_link_says_why_and_stores_nothing(app, app_database_url):
    open_page(app, "pages/library.py", "mark")
    open_expanders(app, "add_asset_open")
    app.text_input(key="add_asset_title").input("Bad")
    app.multiselect(key="add_asset_industries").set_value(["Sports"])
    app.text_input(key="add_asset_url").input("javascript:alert(1)")
    app.button(key="FormSubmitter:add_asset-Add asset").click().run()
    # The zero-width spaces keep Streamlit from turning "http://" into a link (ui.text.literal).
    assert [e.value for e in app.error] == [
        "Link: not a web link (http:\u200b// or https:\u200b// and a host) or a mailto: address."
    ]
    assert stored_count(app_database_url) == 2


def test_marketing_edits_approves_and_retires(app, app_database_url):
    open_page(app, "pages/library.py", "mark")
    open_expanders(app, "edit_asset_open")
    app.selectbox(key="edit_asset_choice").set_value(2).run()
    app.text_input(key="edit_2_1_title").input("Final video")
    app.button(key="FormSubmitter:edit_2_1_form-Save changes").click().run()
    assert app.toast[0].value == "Saved 'Final video'."
    assert stored(app_database_url, 2).version == 2
    # The form now starts from version 2.
    app.selectbox(key="edit_2_2_status").set_value("approved")
    app.text_input(key="edit_2_2_approved_by").input("Pat, VP Ops")
    app.date_input(key="edit_2_2_approved_on").set_value(dt.date.today())
    app.button(key="FormSubmitter:edit_2_2_approval-Record approval").click().run()
    assert app.toast[0].value == "Recorded the customer's answer for 'Final video': approved."
    asset = stored(app_database_url, 2)
    assert (asset.approval_status, asset.approved_by, asset.approved_on) == (
        "approved",
        "Pat, VP Ops",
        dt.date.today(),
    )
    assert showing(app) == "Showing 2 of 2 assets."
    app.button(key="edit_2_3_retire").click().run()
    assert app.toast[0].value == "Retired 'Final video': it no longer shows in the library or in matching."
    assert showing(app) == "Showing 1 of 1 assets."
    assert app.expander[-1].label == "Retired assets (1)"
    open_expanders(app, "retired_open")
    app.button(key="restore_2_4").click().run()
    assert app.toast[0].value == "Restored 'Final video' to the library."
    assert showing(app) == "Showing 2 of 2 assets."


def test_bulk_reviewed_and_retire_on_the_stale_list(app, app_database_url):
    engine = make_engine(app_database_url)
    with engine.begin() as conn:
        conn.execute(update(Asset).where(Asset.id == 1).values(review_by=TODAY - dt.timedelta(days=1)))
    engine.dispose()
    open_page(app, "pages/library.py", "mark")
    assert "1 approved assets are stale." in [c.value for c in app.caption]
    app.multiselect(key="stale_chosen").set_value([1])
    app.button(key="FormSubmitter:stale_actions-Reviewed, still good").click().run()
    next_review = TODAY + dt.timedelta(days=365)
    assert app.toast[0].value == f"Marked 1 asset reviewed until {next_review:%d %b %Y}."
    assert stored(app_database_url, 1).review_by == next_review
    assert "0 approved assets are stale." in [c.value for c in app.caption]


def test_bulk_retire_on_the_stale_list(app, app_database_url):
    engine = make_engine(app_database_url)
    with engine.begin() as conn:
        conn.execute(update(Asset).values(review_by=TODAY - dt.timedelta(days=1), approval_status="approved"))
    engine.dispose()
    open_page(app, "pages/library.py", "mark")
    app.multiselect(key="stale_chosen").set_value([1, 2])
    app.button(key="FormSubmitter:stale_actions-Retire").click().run()
    assert app.toast[0].value == "Retired 2 assets."
    assert showing(app) == "Showing 0 of 0 assets."
    assert app.expander[-1].label == "Retired assets (2)"


def test_a_stale_edit_is_refused_and_the_form_shows_the_stored_values(app, app_database_url):
    open_page(app, "pages/library.py", "mark")
    open_expanders(app, "edit_asset_open")
    app.selectbox(key="edit_asset_choice").set_value(2).run()
    app.text_input(key="edit_2_1_title").input("Mine")
    # Someone else saves the asset after this form was drawn.
    engine = make_engine(app_database_url)
    with engine.begin() as conn:
        conn.execute(update(Asset).where(Asset.id == 2).values(title="Theirs", version=2))
    engine.dispose()
    app.button(key="FormSubmitter:edit_2_1_form-Save changes").click().run()
    assert [w.value for w in app.warning] == [
        "Someone changed 'Theirs' since you opened it. Nothing was saved; the page now shows the current values."
    ]
    assert app.text_input(key="edit_2_2_title").value == "Theirs"
    assert stored(app_database_url, 2).title == "Theirs"
