"""The data coverage panel on the Admin page and on "Does the score work?"."""

import pytest
from sqlalchemy import delete

from db.engine import transaction
from db.models import Milestone
from tests.db.factories import build_book
from tests.pages.conftest import database_at, log_in


def book_without_milestones(engine) -> None:
    build_book(engine)
    with transaction(engine) as session:
        session.execute(delete(Milestone))


@pytest.fixture(scope="module")
def coverage_database(tmp_path_factory) -> str:
    return database_at(tmp_path_factory.mktemp("coverage"), book_without_milestones)


@pytest.fixture
def app_database_url(coverage_database) -> str:
    return coverage_database


# Accounts 1 and 2 are active in the week of 16 Nov 2026 (3 churned); only account 2 has CSAT answers in the last
# 6 months, a CSM sentiment in the last 90 days and tickets.
DIMENSIONS = {
    "Product usage": "2 of 2 accounts (100%)",
    "Business outcomes": "0 of 2 accounts (0%)",
    "Service utilisation": "2 of 2 accounts (100%)",
    "Customer feedback": "2 of 2 accounts (100%)",
    "Support & operations": "1 of 2 accounts (50%)",
}
INPUTS = {
    "active users": "2 of 2 accounts (100%)",
    "logins": "2 of 2 accounts (100%)",
    "key-feature events": "2 of 2 accounts (100%)",
    "milestones due": "0 of 2 accounts (0%)",
    "seats used": "2 of 2 accounts (100%)",
    "seats purchased": "2 of 2 accounts (100%)",
    "NPS (last 12 months)": "2 of 2 accounts (100%)",
    "CSAT (last 6 months)": "1 of 2 accounts (50%)",
    "CSM sentiment (last 90 days)": "1 of 2 accounts (50%)",
    "tickets (any, ever)": "1 of 2 accounts (50%)",
}


def assert_panel(app) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert [w.value for w in app.warning] == [
        "Business outcomes: no milestones imported — the score uses 4 of 5 dimensions."
    ]
    assert "of the 2 accounts active in the week of 16 Nov 2026" in app.main.caption[-1].value
    by_dimension, by_input = (frame.value for frame in app.dataframe[-2:])
    assert dict(zip(by_dimension["dimension"], by_dimension["accounts"], strict=True)) == DIMENSIONS
    assert dict(zip(by_input["input"], by_input["accounts"], strict=True)) == INPUTS
    assert by_input["dimension"].tolist()[:4] == ["Product usage"] * 3 + ["Business outcomes"]


def test_admin_page_has_a_data_coverage_tab(app):
    log_in(app, "ada")
    app.switch_page("pages/admin.py").run()
    app.session_state["admin_tab"] = "Data coverage"
    app.run()
    assert_panel(app)


def test_score_check_page_has_a_data_coverage_tab(app):
    log_in(app, "mark")
    app.switch_page("pages/score_check.py").run()
    assert not app.exception
    assert not app.warning  # the backtest tab is open first; coverage is counted only when its tab opens
    app.session_state["proof_tab"] = "Data coverage"
    app.run()
    assert_panel(app)
