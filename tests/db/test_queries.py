import datetime as dt

import pytest

from db import queries
from tests.db.factories import AS_OF, build_book


def test_health_features_hand_computed(engine):
    build_book(engine)
    features = queries.health_features(engine, AS_OF)
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
    book = queries.health_features(engine, AS_OF)
    one = queries.health_features(engine, AS_OF, account_id=2)
    assert list(one.index) == [2]
    assert one.loc[2].equals(book.loc[2])
    assert queries.health_features(engine, AS_OF, account_id=3).empty  # churned


def test_health_features_in_the_past(engine):
    build_book(engine)
    before_churn = queries.health_features(engine, dt.date(2026, 10, 1))
    assert 3 in before_churn.index


def test_nps_counts(engine):
    owner = build_book(engine)
    counts = queries.nps_counts(engine, dt.date(2026, 8, 20), AS_OF)
    assert counts.to_dict() == {10: 1, 3: 1, 0: 1}
    assert queries.nps_counts(engine, dt.date(2026, 8, 20), AS_OF, owner).to_dict() == {10: 1, 3: 1}


def test_open_reference_requests(engine):
    build_book(engine)
    requests = queries.open_reference_requests(engine)
    assert requests["prospect"].tolist() == ["Prospect A"]
    assert requests["needed_by"].iloc[0] == dt.datetime(2026, 11, 12, 9)


def test_data_as_of_is_the_end_of_the_latest_usage_week(engine):
    assert queries.data_as_of(engine, AS_OF) == AS_OF  # no usage yet
    build_book(engine)
    assert queries.data_as_of(engine, dt.date(2026, 12, 31)) == dt.date(2026, 11, 22)
    assert queries.data_as_of(engine, AS_OF) == AS_OF
