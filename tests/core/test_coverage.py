import numpy as np
import pandas as pd
import pytest

from core import coverage, health

NA = np.nan


def features(**columns) -> pd.DataFrame:
    """health_features rows for len(columns' lists) accounts (ids 1…n): every input unknown unless given."""
    count = len(next(iter(columns.values())))
    inputs = [
        "active_users_recent",
        "logins_recent",
        "key_feature_events_recent",
        "active_users_prior",
        "logins_prior",
        "key_feature_events_prior",
        "seats_used",
        "seats_purchased",
        "milestones_due",
        "milestones_met",
        "nps_latest",
        "csat_mean",
        "csm_sentiment",
        *health.SUPPORT_PENALTIES,
    ]
    frame = pd.DataFrame({column: [NA] * count for column in inputs}, index=range(1, count + 1))
    for column, values in columns.items():
        frame[column] = values
    return frame


def test_counts_accounts_with_data_per_input_and_dimension():
    found = coverage.coverage(
        features(
            active_users_recent=[10, 10, 10, 10, NA],
            logins_recent=[20, 20, 20, 20, NA],
            key_feature_events_recent=[1, 2, NA, NA, NA],
            seats_purchased=[10, 10, 10, NA, NA],
            seats_used=[5, 5, NA, NA, NA],
            nps_latest=[9, NA, NA, NA, NA],
        ),
        ticketed={9},  # an account that is not active does not count
    )
    assert found.accounts == 5
    assert found.inputs["accounts"].tolist() == [4, 4, 2, 0, 2, 3, 1, 0, 0, 0]
    assert found.inputs["input"].tolist()[:3] == ["active users", "logins", "key-feature events"]
    # Usage is scored only with a known depth here (no prior weeks): active users ÷ seats purchased, accounts 1–3.
    assert found.dimensions.to_dict() == {
        "usage": 3,
        "outcomes": 0,
        "utilisation": 2,
        "feedback": 1,
        "support": 0,
    }
    # 5 accounts × 20% = 1: feedback's single account is enough; usage, utilisation, feedback and support are used.
    assert found.warnings == (
        "Business outcomes: no milestones imported — the score uses 4 of 5 dimensions.",
        "Support & operations: no tickets imported — every account gets full marks on it.",
    )


def test_warns_when_a_dimension_has_data_for_under_a_fifth_of_accounts():
    ten = [1] * 10
    found = coverage.coverage(
        features(
            active_users_recent=ten,
            active_users_prior=ten,
            logins_recent=ten,
            key_feature_events_recent=ten,
            seats_purchased=[10] * 10,
            seats_used=[NA] * 8 + [5, 5],  # 2 of 10 = 20%: enough
            milestones_due=[1] * 10,
            milestones_met=[1] * 10,
            csat_mean=[4] + [NA] * 9,
        ),
        ticketed={3},
    )
    assert found.dimensions.to_dict() == {
        "usage": 10,
        "outcomes": 10,
        "utilisation": 2,
        "feedback": 1,
        "support": 1,
    }
    assert found.warnings == (
        "Customer feedback: data for only 1 of 10 accounts (10%) — the others are scored without it.",
        "Support & operations: only 1 of 10 accounts (10%) have a ticket — the others get full marks on it.",
    )


def test_no_active_accounts_no_warnings():
    found = coverage.coverage(features(seats_purchased=[]), ticketed=set())
    assert found.accounts == 0 and found.warnings == ()
    assert found.inputs["accounts"].sum() == 0


@pytest.mark.parametrize(
    "count,total,text",
    [
        (412, 1030, "412 of 1,030 accounts (40%)"),
        (1, 1000, "1 of 1,000 accounts (<1%)"),
        (999, 1000, "999 of 1,000 accounts (>99%)"),
        (1000, 1000, "1,000 of 1,000 accounts (100%)"),
        (0, 10, "0 of 10 accounts (0%)"),
        (0, 0, "0 of 0 accounts (0%)"),
    ],
)
def test_share_text(count, total, text):
    assert coverage.share_text(count, total) == text
