"""Custom attributes on the account page (name → value as people read it) and as a filter on the Health board."""

import datetime as dt

import pytest

from tests.db.factories import build_book
from tests.db.reads.test_accounts import add_attributes
from tests.pages.conftest import database_at, log_in


def book_with_attributes(engine) -> None:
    build_book(engine)
    add_attributes(engine)


@pytest.fixture(scope="module")
def attributes_database(tmp_path_factory) -> str:
    return database_at(tmp_path_factory.mktemp("attributes"), book_with_attributes)


@pytest.fixture
def app_database_url(attributes_database) -> str:
    return attributes_database


def attribute_rows(app, account_id: int) -> dict[str, str]:
    log_in(app, "mark")
    app.query_params["account"] = str(account_id)
    app.switch_page("pages/account.py").run()
    assert not app.exception
    assert app.expander[0].label == "Custom attributes (6)"
    section = app.expander[0].dataframe[0].value
    return dict(zip(section["attribute"], section["value"], strict=True))


def test_account_page_shows_the_attributes_for_people(app):
    assert attribute_rows(app, 1) == {
        "Contract": "Two year",
        "Contract start": "5 Mar 2024",
        "Discount": "unknown",
        "monthly charges": "1,234.5",
        "Partner": "yes",
        "Tenure band": "unknown",
    }


def test_account_page_shows_unknown_attributes_as_unknown(app):
    assert attribute_rows(app, 2) == {
        "Contract": "Month-to-month",
        "Contract start": "unknown",
        "Discount": "10",
        "monthly charges": "20",
        "Partner": "no",
        "Tenure band": "unknown",
    }


def open_board(app):
    log_in(app, "mark")
    app.switch_page("pages/health.py").run()
    assert not app.exception
    return app


def board_accounts(app) -> list[str]:
    assert not app.exception
    return app.dataframe[0].value["name"].tolist()


def test_board_filters_on_a_text_attribute(app):
    open_board(app)
    assert board_accounts(app) == ["Account 2", "Account 1"]
    app.selectbox(key="board_attribute").select("Contract").run()
    values = app.multiselect(key="board_attribute_values_Contract")
    assert values.options == ["Month-to-month", "Two year", "unknown"]
    values.select("Two year").run()
    assert board_accounts(app) == ["Account 1"]


def test_board_filters_on_a_yes_no_attribute(app):
    open_board(app)
    app.selectbox(key="board_attribute").select("Partner").run()
    app.multiselect(key="board_attribute_values_Partner").select(False).run()
    assert board_accounts(app) == ["Account 2"]


def test_board_filters_on_a_number_range(app):
    open_board(app)
    app.selectbox(key="board_attribute").select("monthly charges").run()
    charges = app.slider(key="board_attribute_values_monthly charges")
    assert charges.value == (20.0, 1234.5)
    charges.set_value((100.0, 1234.5)).run()
    assert board_accounts(app) == ["Account 1"]


def test_board_filters_on_a_date_range_leaving_unknown_out(app):
    open_board(app)
    app.selectbox(key="board_attribute").select("Contract start").run()
    # Account 2's start is unknown: no range holds it.
    assert board_accounts(app) == ["Account 1"]
    app.date_input(key="board_attribute_values_Contract start").set_value(
        (dt.date(2024, 4, 1), dt.date(2024, 12, 31))
    ).run()
    assert board_accounts(app) == []


def test_board_number_with_one_known_value_keeps_the_accounts_that_have_it(app):
    open_board(app)
    app.selectbox(key="board_attribute").select("Discount").run()
    assert "Every known Discount is 10; accounts where it is unknown are left out." in [
        c.value for c in app.caption
    ]
    assert board_accounts(app) == ["Account 2"]


def test_board_attribute_without_values_filters_nothing(app):
    open_board(app)
    app.selectbox(key="board_attribute").select("Tenure band").run()
    values = app.multiselect(key="board_attribute_values_Tenure band")
    assert values.options == ["unknown"]
    values.select(None).run()
    assert board_accounts(app) == ["Account 2", "Account 1"]
