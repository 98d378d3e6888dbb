"""Facts an import left blank read "unknown" on the account page and the board; the account page says which
inputs of the score are unknown and what that does."""

import pytest
from sqlalchemy import update

from db.engine import transaction
from db.models import Account, UsageWeekly
from tests.db.factories import build_book
from tests.pages.conftest import database_at, log_in


def book_with_unknown_facts(engine) -> None:
    """build_book, with account 1's facts and its seats used unknown."""
    build_book(engine)
    with transaction(engine) as session:
        session.execute(
            update(Account)
            .where(Account.id == 1)
            .values(
                industry=None,
                segment=None,
                region=None,
                arr=None,
                seats_purchased=None,
                customer_since=None,
                renewal_date=None,
            )
        )
        session.execute(update(UsageWeekly).where(UsageWeekly.account_id == 1).values(seats_used=None))


@pytest.fixture(scope="module")
def unknown_facts_database(tmp_path_factory) -> str:
    return database_at(tmp_path_factory.mktemp("unknown"), book_with_unknown_facts)


@pytest.fixture
def app_database_url(unknown_facts_database) -> str:
    return unknown_facts_database


def test_account_page_says_which_inputs_are_unknown(app):
    log_in(app, "mark")
    app.query_params["account"] = "1"
    app.switch_page("pages/account.py").run()
    assert not app.exception
    assert (
        app.caption[0].value
        == "unknown · unknown · unknown · owner Amy · customer since unknown · renews unknown"
    )
    assert {m.label: m.value for m in app.metric}["ARR"] == "unknown"
    assert app.info[0].value == (
        "Unknown: seats purchased, seats used — Service utilisation is left out of the score; "
        "Product usage is scored from the known inputs."
    )
    assert "Service utilisation" not in app.dataframe[0].value["dimension"].tolist()


def test_account_page_without_unknown_inputs_says_nothing_of_them(app):
    log_in(app, "mark")
    app.query_params["account"] = "2"
    app.switch_page("pages/account.py").run()
    assert not any(info.value.startswith("Unknown") for info in app.info)


def test_board_shows_unknown_facts_and_filters_on_them(app):
    log_in(app, "mark")
    app.switch_page("pages/health.py").run()
    assert not app.exception
    table = app.dataframe[0].value.set_index("name")
    assert table.loc["Account 1", ["arr", "renewal_date"]].tolist() == ["unknown", "unknown"]
    assert table.loc["Account 2", ["arr", "renewal_date"]].tolist() == ["$20.0k", "01 Jan 2027"]
    segments = app.multiselect(key="board_segments")
    assert segments.options == ["SMB", "unknown"]
    segments.select("unknown").run()
    assert app.dataframe[0].value["name"].tolist() == ["Account 1"]
