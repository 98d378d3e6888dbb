"""The accounts and health family's reads (db/reads/accounts.py) on SQLite and PostgreSQL: the health score's
inputs, NPS counts, the data's last day, custom attributes and the coverage panel's ticket read."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert, update

from db.engine import transaction
from db.models import AccountAttribute, CustomAttribute, Setting, Ticket, UsageWeekly
from db.reads import accounts as account_reads
from tests.db.factories import AS_OF, account, build_book


def test_health_features_hand_computed(engine):
    build_book(engine)
    features = account_reads.health_features(engine, AS_OF)
    assert list(features.index) == [1, 2]  # churned account 3 is not active

    steady = features.loc[1]
    assert steady["active_users_recent"] == 30 and steady["active_users_prior"] == 30
    assert steady["milestones_due"] == 1 and steady["milestones_met"] == 1
    assert steady["nps_latest"] == 10  # the latest answer, not the older 6
    assert steady["open_tickets"] == 0 or steady.isna()["open_tickets"]

    declining = features.loc[2]
    assert declining["active_users_recent"] == 10 and declining["active_users_prior"] == 20
    assert declining["logins_recent"] == 50 and declining["logins_prior"] == 100
    assert declining["seats_used"] == 10
    assert declining["milestones_due"] == 2 and declining["milestones_met"] == 1
    assert declining["nps_latest"] == 3
    assert declining["csat_mean"] == pytest.approx(2.5)  # the 2025 answer is outside 182 days
    assert declining["csm_sentiment"] == 2  # the latest within 90 days
    assert declining["open_tickets"] == 1
    assert declining["high_severity_open"] == 1
    assert declining["sla_breaches_90d"] == 1  # the January breach is older than 90 days
    assert declining["billing_issues_90d"] == 1
    assert declining["complaints_90d"] == 1  # the escalated September ticket


def test_health_features_for_one_account_match_the_book(engine):
    build_book(engine)
    book = account_reads.health_features(engine, AS_OF)
    one = account_reads.health_features(engine, AS_OF, account_id=2)
    assert list(one.index) == [2]
    assert one.loc[2].equals(book.loc[2])
    assert account_reads.health_features(engine, AS_OF, account_id=3).empty  # churned


def test_health_features_in_the_past(engine):
    build_book(engine)
    before_churn = account_reads.health_features(engine, dt.date(2026, 10, 1))
    assert 3 in before_churn.index


def test_nps_counts(engine):
    owner = build_book(engine)
    counts = account_reads.nps_counts(engine, dt.date(2026, 8, 20), AS_OF)
    assert counts.to_dict() == {10: 1, 3: 1, 0: 1}
    assert account_reads.nps_counts(engine, dt.date(2026, 8, 20), AS_OF, owner).to_dict() == {10: 1, 3: 1}


def test_data_as_of_is_the_end_of_the_latest_usage_week(engine):
    assert account_reads.data_as_of(engine, AS_OF) == AS_OF  # no usage yet
    build_book(engine)
    assert account_reads.data_as_of(engine, dt.date(2026, 12, 31)) == dt.date(2026, 11, 22)
    assert account_reads.data_as_of(engine, AS_OF) == AS_OF


# --- unknown inputs and weeks without usage -----------------------------------------------------------


def week(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


@pytest.fixture
def sparse_book(engine):
    """build_book plus 4: first used in the week of 5 Oct, then rows in the weeks of 2 and 16 Nov only, some
    counts unknown; 5: seats purchased unknown and two open tickets without severity or category, one of them
    escalated; 6: used the product in January only."""
    owner = build_book(engine)
    with transaction(engine) as session:
        session.add_all([account(4, owner), account(5, owner, seats_purchased=None), account(6, owner)])
        session.flush()
        session.add_all(
            [
                UsageWeekly(
                    account_id=4,
                    week_start=week(10, 5),
                    active_users=8,
                    logins=40,
                    key_feature_events=4,
                    seats_used=10,
                ),
                UsageWeekly(
                    account_id=4,
                    week_start=week(11, 2),
                    active_users=12,
                    logins=60,
                    key_feature_events=None,
                    seats_used=None,
                ),
                UsageWeekly(
                    account_id=4,
                    week_start=week(11, 16),
                    active_users=4,
                    logins=None,
                    key_feature_events=2,
                    seats_used=6,
                ),
                UsageWeekly(
                    account_id=6,
                    week_start=week(1, 5),
                    active_users=3,
                    logins=3,
                    key_feature_events=3,
                    seats_used=3,
                ),
                Ticket(account_id=5, opened_at=dt.datetime(2026, 11, 2, 9), severity=None, category=None),
                Ticket(
                    account_id=5,
                    opened_at=dt.datetime(2026, 11, 3, 9),
                    severity=None,
                    category=None,
                    escalated=True,
                ),
            ]
        )
    return engine


def test_a_week_without_usage_after_the_first_counts_as_zero_use(sparse_book):
    f = account_reads.health_features(sparse_book, AS_OF).loc[4]
    # Recent weeks 26 Oct … 16 Nov: 4 on record, rows in 2. A row that leaves a count unknown counts in
    # neither the total nor the weeks: active users (12 + 4) ÷ 4; logins 60 ÷ (1 known + 2 without a row);
    # key-feature events 2 ÷ 3.
    assert f["active_users_recent"] == pytest.approx(4.0)
    assert f["logins_recent"] == pytest.approx(20.0)
    assert f["key_feature_events_recent"] == pytest.approx(2 / 3)
    # Prior weeks 31 Aug … 19 Oct: from the first usage week (5 Oct) on, 3 weeks, one row.
    assert f["active_users_prior"] == pytest.approx(8 / 3)
    assert f["logins_prior"] == pytest.approx(40 / 3)
    assert f["key_feature_events_prior"] == pytest.approx(4 / 3)
    assert f["seats_used"] == pytest.approx(6.0)  # seats used: the mean of the recent weeks that know it
    # No row in the twelve weeks after earlier use: zero use, not no data.
    quiet = account_reads.health_features(sparse_book, AS_OF).loc[6]
    assert quiet[["active_users_recent", "logins_prior", "key_feature_events_recent"]].tolist() == [0, 0, 0]
    assert pd.isna(quiet["seats_used"])


def test_without_the_setting_a_week_without_usage_is_no_data(sparse_book):
    with transaction(sparse_book) as session:
        session.execute(update(Setting).where(Setting.key == "usage_gap_is_zero").values(value="0"))
    features = account_reads.health_features(sparse_book, AS_OF)
    f = features.loc[4]
    assert f[["active_users_recent", "logins_recent", "key_feature_events_recent"]].tolist() == [8, 60, 2]
    assert f[["active_users_prior", "logins_prior", "key_feature_events_prior"]].tolist() == [8, 40, 4]
    assert features.loc[6, ["active_users_recent", "active_users_prior"]].isna().all()
    # The steady account is unchanged: it has a row every week.
    assert features.loc[1, "active_users_recent"] == 30


def test_unknown_seats_and_ticket_details_are_not_scored_as_zero(sparse_book):
    f = account_reads.health_features(sparse_book, AS_OF).loc[5]
    assert pd.isna(f["seats_purchased"])
    # Two open tickets of unknown severity and category: open, but neither high severity nor billing; the
    # escalated one is a complaint by its escalation.
    assert f[["open_tickets", "high_severity_open", "billing_issues_90d", "complaints_90d"]].tolist() == [
        2,
        0,
        0,
        1,
    ]


# --- custom attributes and the coverage panel's ticket read ----------------------------------------


def add_attributes(engine) -> None:
    """Custom attributes of each kind on build_book's accounts 1 and 2: one with a single value, one without any."""
    with transaction(engine) as session:
        session.execute(
            insert(CustomAttribute),
            [
                {"name": "Contract", "kind": "text"},
                {"name": "monthly charges", "kind": "number"},
                {"name": "Partner", "kind": "bool"},
                {"name": "Contract start", "kind": "date"},
                {"name": "Discount", "kind": "number"},
                {"name": "Tenure band", "kind": "text"},
            ],
        )
        session.execute(
            insert(AccountAttribute),
            [
                {"account_id": 1, "name": "Contract", "text_value": "Two year"},
                {"account_id": 2, "name": "Contract", "text_value": "Month-to-month"},
                {"account_id": 1, "name": "monthly charges", "number_value": 1234.5},
                {"account_id": 2, "name": "monthly charges", "number_value": 20.0},
                {"account_id": 1, "name": "Partner", "number_value": 1.0},
                {"account_id": 2, "name": "Partner", "number_value": 0.0},
                {"account_id": 1, "name": "Contract start", "date_value": dt.date(2024, 3, 5)},
                {"account_id": 2, "name": "Discount", "number_value": 10.0},
            ],
        )


KINDS = {
    "Contract": "text",
    "Contract start": "date",
    "Discount": "number",
    "monthly charges": "number",
    "Partner": "bool",
    "Tenure band": "text",
}


def test_attribute_kinds_in_name_order(engine):
    assert account_reads.attribute_kinds(engine) == {}
    build_book(engine)
    add_attributes(engine)
    assert list(account_reads.attribute_kinds(engine).items()) == list(KINDS.items())


def test_attribute_values_typed_with_unknown_as_na(engine):
    build_book(engine)
    add_attributes(engine)
    values = account_reads.attribute_values(engine, KINDS)
    assert list(values.index) == [1, 2] and list(values.columns) == list(KINDS)
    assert values["Contract"].tolist() == ["Two year", "Month-to-month"]
    assert values["monthly charges"].tolist() == [1234.5, 20.0]
    assert values["Partner"].dtype == "boolean" and values["Partner"].tolist() == [True, False]
    assert values.loc[1, "Contract start"] == pd.Timestamp(2024, 3, 5)
    assert pd.isna(values.loc[2, "Contract start"])
    assert values["Tenure band"].isna().all()


def test_attribute_values_of_some_attributes_or_one_account(engine):
    build_book(engine)
    add_attributes(engine)
    one = account_reads.attribute_values(engine, {"Contract start": "date"})
    assert list(one.columns) == ["Contract start"] and list(one.index) == [1]
    second = account_reads.attribute_values(engine, KINDS, account_id=2)
    assert list(second.index) == [2] and second.loc[2, "Contract"] == "Month-to-month"
    assert account_reads.attribute_values(engine, {}).empty


def test_ticketed_accounts_counts_any_ticket_up_to_the_day(engine):
    build_book(engine)  # account 2's tickets: January to 10 Nov 2026
    assert account_reads.ticketed_accounts(engine, AS_OF) == {2}
    assert account_reads.ticketed_accounts(engine, dt.date(2025, 12, 31)) == set()
