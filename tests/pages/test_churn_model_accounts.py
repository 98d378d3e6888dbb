"""Without weekly scores, "Does the score work?" still fits the churn model on one row per customer."""

import datetime as dt

import pytest

from db import synthetic
from tests.db.factories import add_user
from tests.pages.conftest import database_at, log_in


def customers(engine) -> None:
    add_user(engine)  # amy
    synthetic.customers(engine, 600, dt.date.today())


@pytest.fixture(scope="module")
def customers_database(tmp_path_factory) -> str:
    return database_at(tmp_path_factory.mktemp("customers"), customers)


@pytest.fixture
def app_database_url(customers_database) -> str:
    return customers_database


def test_admin_fits_on_customers_and_the_card_says_cross_validation(app):
    log_in(app, "ada")
    app.switch_page("pages/score_check.py").run()
    assert app.info[0].value.startswith("No health scores yet.")
    app.button(key="churn_fit").click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert "5-fold cross-validation over accounts" in app.success[0].value
    assert any(c.value.startswith("No weekly history long enough") for c in app.caption)
    assert {m.label: m.value for m in app.metric}["Validation"] == "5-fold cross-validation over accounts"
    assert not any(s.value == "Fitted weights for the health score" for s in app.subheader)
