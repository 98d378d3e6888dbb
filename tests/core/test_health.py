import math

import pandas as pd
import pytest

from core import health
from core.settings import DEFAULTS

BASE = {
    "active_users_recent": 30.0,
    "active_users_prior": 30.0,
    "logins_recent": 100.0,
    "logins_prior": 100.0,
    "key_feature_events_recent": 50.0,
    "key_feature_events_prior": 50.0,
    "seats_purchased": 50,
    "seats_used": 40.0,
    "milestones_due": 4,
    "milestones_met": 4,
    "nps_latest": 9.0,
    "csat_mean": 5.0,
    "csm_sentiment": None,
    "open_tickets": 0,
    "high_severity_open": 0,
    "sla_breaches_90d": 0,
    "billing_issues_90d": 0,
    "complaints_90d": 0,
}


def frame(**overrides) -> pd.DataFrame:
    return pd.DataFrame([{**BASE, **overrides}], index=pd.Index([1], name="account_id"))


def test_ramp_is_linear_and_clipped():
    values = pd.Series([0.4, 0.5, 0.75, 1.0, 1.3, float("nan")])
    assert health.ramp(values, 0.5, 1.0).tolist()[:5] == [0, 0, 50, 100, 100]
    assert math.isnan(health.ramp(values, 0.5, 1.0).iloc[5])


def test_usage_score_combines_trend_and_depth():
    # trend ratios 0.75, 0.75, 0.75 → 50; depth 15/50 = 0.3 → 50; 0.6·50 + 0.4·50 = 50
    f = frame(
        active_users_recent=15.0, active_users_prior=20.0, logins_recent=75.0, key_feature_events_recent=37.5
    )
    assert health.usage_score(f).iloc[0] == pytest.approx(50)


def test_usage_score_without_history_is_depth_alone():
    f = frame(
        active_users_recent=15.0, active_users_prior=None, logins_prior=None, key_feature_events_prior=None
    )
    assert health.usage_score(f).iloc[0] == pytest.approx(50)


def test_outcomes_utilisation_feedback_support_mappings():
    f = frame(
        milestones_due=4,
        milestones_met=1,
        seats_used=25.0,
        nps_latest=7.0,
        csat_mean=3.0,
        open_tickets=2,
        high_severity_open=1,
        sla_breaches_90d=1,
        billing_issues_90d=1,
        complaints_90d=0,
    )
    subs = health.sub_scores(f).iloc[0]
    assert subs["outcomes"] == pytest.approx(25)
    assert subs["utilisation"] == pytest.approx(50)  # 25/50 = 0.5 → (0.5−0.2)/0.6
    assert subs["feedback"] == pytest.approx(60)  # passive 70, CSAT 3 → 50
    assert subs["support"] == pytest.approx(100 - 10 - 15 - 15 - 10)


def test_detractor_and_floor():
    f = frame(nps_latest=3.0, csat_mean=None, complaints_90d=6)
    subs = health.sub_scores(f).iloc[0]
    assert subs["feedback"] == pytest.approx(20)
    assert subs["support"] == 0


def test_score_is_weighted_mean_and_contributions_add_up():
    f = frame(milestones_met=2)  # outcomes 50, everything else 100
    result = health.score_accounts(f, DEFAULTS).iloc[0]
    # weights 30/15/15/20/20: (100·85 + 50·15) / 100 = 92.5
    assert result["score"] == pytest.approx(92.5)
    contributions = sum(result[f"{d}_contribution"] for d in health.DIMENSIONS)
    assert contributions == pytest.approx(92.5)
    assert result["band"] == "healthy"
    assert result["top_reason"] == "outcomes"


def test_missing_dimension_renormalises_weights():
    f = frame(milestones_due=0, milestones_met=0, seats_used=5.0)  # no outcomes; utilisation 0
    result = health.score_accounts(f, DEFAULTS).iloc[0]
    assert math.isnan(result["outcomes"])
    # (100·30 + 0·15 + 100·20 + 100·20) / 85
    assert result["score"] == pytest.approx(7000 / 85)
    assert result["top_reason"] == "utilisation"


def test_too_little_data_is_insufficient():
    f = frame(
        active_users_recent=None,
        active_users_prior=None,
        logins_recent=None,
        logins_prior=None,
        key_feature_events_recent=None,
        key_feature_events_prior=None,
        seats_used=None,
        milestones_due=0,
        nps_latest=None,
        csat_mean=None,
    )
    result = health.score_accounts(f, DEFAULTS).iloc[0]  # only support (20 of 100) known
    assert math.isnan(result["score"])
    assert result["band"] == health.INSUFFICIENT


def test_bands_use_thresholds():
    scores = pd.Series([80, 70, 69.9, 40, 39.9, float("nan")])
    assert health.band(scores, 70, 40).tolist() == [
        "healthy",
        "healthy",
        "watch",
        "watch",
        "at_risk",
        health.INSUFFICIENT,
    ]


def test_weights_change_the_score():
    f = frame(milestones_met=0)
    only_outcomes = {
        **DEFAULTS,
        "weight_usage": 0,
        "weight_utilisation": 0,
        "weight_feedback": 0,
        "weight_support": 0,
        "weight_outcomes": 10,
    }
    assert health.score_accounts(f, only_outcomes).iloc[0]["score"] == 0
    assert health.score_accounts(f, only_outcomes).iloc[0]["band"] == "at_risk"


def test_csm_sentiment_is_part_of_feedback():
    f = frame(nps_latest=None, csat_mean=3.0, csm_sentiment=2.0)  # CSAT 50, sentiment 25
    assert health.sub_scores(f).iloc[0]["feedback"] == pytest.approx(37.5)


def test_breakdown_lists_points_that_add_up_to_the_score():
    f = frame(milestones_due=0, milestones_met=0, seats_used=5.0)
    row = health.score_accounts(f, DEFAULTS).iloc[0]
    table = health.breakdown(row, DEFAULTS)
    assert table["dimension"].tolist() == [
        "Product usage",
        "Service utilisation",
        "Customer feedback",
        "Support & operations",
    ]
    assert table["points"].sum() == pytest.approx(row["score"])
    assert table.loc[0, "points"] == pytest.approx(100 * 30 / 85)
