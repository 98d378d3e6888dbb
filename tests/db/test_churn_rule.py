"""Repeat churn: the one churn rule (db.rules) and the reads that use it, on SQLite and PostgreSQL."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Date, bindparam, text

from db import rules
from db.engine import transaction
from db.reads import accounts as account_reads
from db.reads import purchases as purchase_reads
from tests.builders import account, churn, subscription, usage

D = dt.date


@pytest.fixture
def book(engine):
    """1 churned on 1 Mar and never came back; 2 churned on 1 Mar and subscribed again on 1 Apr; 3 churned on
    Wed 4 Mar, used the product in the week of 2 Mar (before), showed no use in the weeks of 16 and 23 Mar (zeros,
    then unknown counts) and logged in in the week of 30 Mar; 4 churned on 1 Mar, subscribed again on 1 Apr and
    churned again on 1 Jun; 5 never churned; 6 has no customer_since; 7 becomes a customer in 2027."""
    with transaction(engine) as session:
        session.add_all(
            [
                *(account(i, None) for i in range(1, 6)),
                account(6, None, customer_since=None),
                account(7, None, customer_since=D(2027, 1, 1)),
            ]
        )
        session.flush()
        session.add_all(
            [
                churn(account_id=1, churned_on=D(2026, 3, 1)),
                churn(account_id=2, churned_on=D(2026, 3, 1)),
                subscription(account_id=2, started_on=D(2026, 4, 1)),
                churn(account_id=3, churned_on=D(2026, 3, 4)),
                usage(
                    account_id=3,
                    week_start=D(2026, 3, 2),
                    active_users=5,
                    logins=20,
                    key_feature_events=3,
                    seats_used=None,
                ),
                usage(
                    account_id=3,
                    week_start=D(2026, 3, 16),
                    active_users=0,
                    logins=0,
                    key_feature_events=0,
                    seats_used=None,
                ),
                usage(
                    account_id=3,
                    week_start=D(2026, 3, 23),
                    active_users=None,
                    logins=None,
                    key_feature_events=None,
                    seats_used=None,
                ),
                usage(
                    account_id=3,
                    week_start=D(2026, 3, 30),
                    active_users=0,
                    logins=5,
                    key_feature_events=0,
                    seats_used=None,
                ),
                churn(account_id=4, churned_on=D(2026, 3, 1)),
                subscription(account_id=4, started_on=D(2026, 4, 1)),
                churn(account_id=4, churned_on=D(2026, 6, 1)),
            ]
        )
    return engine


def ids(engine, condition: str, day: dt.date) -> set[int]:
    stmt = text(f"SELECT a.id FROM accounts a WHERE {condition}").bindparams(bindparam("day", type_=Date))
    with engine.connect() as conn:
        return set(conn.scalars(stmt, {"day": day}))


@pytest.mark.parametrize(
    "day, churned",
    [
        (D(2026, 2, 28), set()),
        (D(2026, 3, 1), {1, 2, 4}),
        (D(2026, 3, 4), {1, 2, 3, 4}),  # 3's use in the week of 2 Mar came before its churn
        (D(2026, 3, 29), {1, 2, 3, 4}),  # weeks of zeros and of unknown counts are no use
        (D(2026, 3, 30), {1, 2, 4}),  # 3 logged in again
        (D(2026, 4, 1), {1}),  # 2 and 4 subscribed again
        (D(2026, 6, 1), {1, 4}),  # 4 churned a second time
        (D(2026, 12, 1), {1, 4}),
    ],
)
def test_churned_as_of_a_day_is_the_latest_churn_without_later_activity(book, day, churned):
    assert ids(book, rules.churned("a.id", ":day"), day) == churned


def test_active_counts_an_unknown_start_as_a_customer_and_leaves_out_later_ones(book):
    assert ids(book, rules.active("a", ":day"), D(2026, 12, 1)) == {2, 3, 5, 6}


def test_backtest_counts_every_churn_inside_the_horizon(book):
    # 2 churned on 1 Mar and came back on 1 Apr: within the horizon it still churned.
    assert account_reads.churned_between(book, D(2026, 2, 28), D(2026, 5, 31)) == {1, 2, 3, 4}
    # Only 4's second churn falls after April.
    assert account_reads.churned_between(book, D(2026, 4, 30), D(2026, 7, 31)) == {4}


def test_health_features_score_a_returned_account_and_one_without_customer_since(book):
    active = account_reads.health_features(book, D(2026, 5, 1))
    assert list(active.index) == [2, 3, 4, 5, 6]


def test_customers_carry_one_row_per_account_with_the_churn_that_still_holds(book):
    frame = purchase_reads.customers(book).sort_index()
    assert list(frame.index) == [1, 2, 3, 4, 5, 6, 7]
    assert frame["churned_on"].tolist()[:5] == [
        pd.Timestamp("2026-03-01"),
        pd.NaT,
        pd.NaT,
        pd.Timestamp("2026-06-01"),
        pd.NaT,
    ]


def test_customers_by_industry_count_active_accounts(book):
    assert account_reads.customers_by_industry(book, D(2026, 12, 1)).to_dict("records") == [
        {"industry": "Retail", "customers": 4}
    ]
