import datetime as dt
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


def test_breakdown_lists_points_lost_biggest_first_with_the_top_reason_on_top():
    # no outcomes; usage 100, utilisation 0 (5 of 40 seats → 12.5% used), feedback 60 (NPS 6 → 20, CSAT 5 → 100),
    # support 100; known weights 30 + 15 + 20 + 20 = 85
    f = frame(milestones_due=0, milestones_met=0, seats_used=5.0, nps_latest=6.0)
    row = health.score_accounts(f, DEFAULTS).iloc[0]
    table = health.breakdown(row, DEFAULTS)
    assert table["dimension"].tolist() == [
        "Service utilisation",
        "Customer feedback",
        "Product usage",
        "Support & operations",
    ]
    # utilisation 15·100/85, feedback 20·40/85, usage and support nothing lost
    assert table["lost"].tolist() == pytest.approx([1500 / 85, 800 / 85, 0, 0])
    assert table["lost"].sum() == pytest.approx(100 - row["score"])
    assert health.DIMENSION_LABELS[row["top_reason"]] == table["dimension"].iloc[0]


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
    settings = {**DEFAULTS, "band_healthy_min": 70, "band_at_risk_below": 40}
    assert health.band(scores, None, settings, {}).tolist() == [
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
    # Utilisation (0 of 100) loses all its 15/85 share; the others lose nothing and keep their order.
    assert table["dimension"].tolist() == [
        "Service utilisation",
        "Product usage",
        "Customer feedback",
        "Support & operations",
    ]
    assert table["points"].sum() == pytest.approx(row["score"])
    assert table.loc[1, "points"] == pytest.approx(100 * 30 / 85)


# --- unknown inputs and weeks without usage --------------------------------------------------------

D = dt.date
NAN = float("nan")


def test_weeks_on_record_count_the_window_weeks_from_the_first_usage_week():
    # The window 14 Sep … 2 Nov 2026 holds 8 Mondays.
    first = pd.Series([D(2026, 1, 5), D(2026, 10, 5), D(2026, 11, 2), D(2026, 11, 9), None])
    # Earlier: all 8; 5 Oct: 5, 12, 19, 26 Oct and 2 Nov = 5; the last week alone: 1; after the window: 0;
    # no usage at all: 0.
    assert health.weeks_on_record(first, D(2026, 9, 14), D(2026, 11, 2)).tolist() == [8, 5, 1, 0, 0]


@pytest.mark.parametrize(
    "total, known, rows, on_record, expected",
    [
        (30, 2, 2, 4, 7.5),  # 2 weeks with rows, 2 without: 30 ÷ 4
        (30, 2, 3, 4, 10.0),  # a row that leaves the count unknown counts in neither: 30 ÷ (2 + 1 gap)
        (NAN, 0, 2, 4, NAN),  # every row leaves it unknown
        (NAN, NAN, NAN, 4, 0.0),  # no row in the window after earlier use: zero use
        (NAN, NAN, NAN, 0, NAN),  # no usage ever
        (0, 4, 4, 4, 0.0),
    ],
)
def test_weekly_mean_counts_weeks_without_a_row_as_zero_use(total, known, rows, on_record, expected):
    mean = health.weekly_mean(
        pd.Series([total]), pd.Series([known]), pd.Series([rows]), pd.Series([on_record]), gap_is_zero=True
    )
    assert mean.iloc[0] == pytest.approx(expected, nan_ok=True)


def test_weekly_mean_without_the_setting_is_the_mean_of_the_known_weeks():
    mean = health.weekly_mean(
        pd.Series([30, NAN, NAN]),
        pd.Series([2, 0, NAN]),
        pd.Series([3, 2, NAN]),
        pd.Series([4, 4, 4]),
        gap_is_zero=False,
    )
    assert mean.tolist() == pytest.approx([15.0, NAN, NAN], nan_ok=True)


def test_usage_means_per_measure_and_window():
    counts = pd.DataFrame(
        {
            "first_usage_week": [D(2026, 9, 28)],
            "recent_rows": [2],
            "prior_rows": [1],
            "active_users_recent_total": [20.0],
            "active_users_recent_known": [2],
            "active_users_prior_total": [9.0],
            "active_users_prior_known": [1],
            "logins_recent_total": [NAN],
            "logins_recent_known": [0],
            "logins_prior_total": [NAN],
            "logins_prior_known": [0],
            "key_feature_events_recent_total": [8.0],
            "key_feature_events_recent_known": [1],
            "key_feature_events_prior_total": [6.0],
            "key_feature_events_prior_known": [1],
        }
    )
    windows = {"recent": (D(2026, 10, 12), D(2026, 11, 2)), "prior": (D(2026, 8, 17), D(2026, 10, 5))}
    means = health.usage_means(counts, windows, gap_is_zero=True).iloc[0]
    # Recent (12 Oct … 2 Nov): 4 weeks on record, 2 rows. Active users 20 ÷ 4 = 5; logins unknown in both rows; key-feature
    # events known in 1 row, the other row leaves them unknown: 8 ÷ (1 + 2 gaps) = 8/3.
    assert means["active_users_recent"] == pytest.approx(5.0)
    assert math.isnan(means["logins_recent"])
    assert means["key_feature_events_recent"] == pytest.approx(8 / 3)
    # Prior (17 Aug … 5 Oct): first usage on 28 Sep, so 2 weeks on record and 1 row: 9 ÷ 2 and 6 ÷ 2.
    assert means["active_users_prior"] == pytest.approx(4.5)
    assert means["key_feature_events_prior"] == pytest.approx(3.0)
    assert math.isnan(means["logins_prior"])


def test_usage_score_with_seats_purchased_unknown_is_trend_alone():
    # Ratios 0.75, 0.75, 0.75 → trend 50; depth needs seats purchased: unknown.
    f = frame(
        active_users_recent=15.0,
        active_users_prior=20.0,
        logins_recent=75.0,
        key_feature_events_recent=37.5,
        seats_purchased=None,
    )
    subs = health.sub_scores(f).iloc[0]
    assert subs["usage"] == pytest.approx(50)
    assert math.isnan(subs["utilisation"])


def test_usage_score_with_a_measure_unknown_trends_on_the_others():
    # Logins unknown; active users 15/20 → 0.75 and key-feature events 50/50 → 1.0: mean 0.875 → trend 75;
    # depth 15/50 = 0.3 → 50; 0.6·75 + 0.4·50 = 65.
    f = frame(active_users_recent=15.0, active_users_prior=20.0, logins_recent=None, logins_prior=None)
    assert health.usage_score(f).iloc[0] == pytest.approx(65)


def test_utilisation_with_seats_used_unknown_is_left_out_not_zero():
    f = frame(seats_used=None)
    result = health.score_accounts(f, DEFAULTS).iloc[0]
    assert math.isnan(result["utilisation"])
    assert result["score"] == pytest.approx(100)  # the other four dimensions, all 100


def features_row(**overrides) -> pd.Series:
    return frame(**overrides).iloc[0]


def test_unknown_inputs_say_what_is_unknown_and_what_it_does():
    features = features_row(seats_purchased=None, seats_used=None)
    subs = pd.Series({"usage": 100.0, "utilisation": NAN})
    assert health.unknown_inputs(features, subs) == (
        "Unknown: seats purchased, seats used — Service utilisation is left out of the score; "
        "Product usage is scored from the known inputs."
    )


def test_unknown_inputs_without_any_usage():
    features = features_row(
        active_users_recent=None, logins_recent=None, key_feature_events_recent=None, seats_used=None
    )
    subs = pd.Series({"usage": NAN, "utilisation": NAN})
    assert health.unknown_inputs(features, subs) == (
        "Unknown: active users, logins, key-feature events, seats used — "
        "Product usage and Service utilisation are left out of the score."
    )


def test_no_unknown_inputs_say_nothing():
    assert health.unknown_inputs(features_row(), pd.Series({"usage": 100.0, "utilisation": 100.0})) is None


def test_nps_points_by_class_of_the_answer():
    # 10 and 9 promoters, 8 and 7 passives, 6 and 0 detractors, unknown stays unknown.
    points = health.nps_points(pd.Series([10, 9, 8, 7, 6, 0, None], dtype=float))
    assert points.iloc[:6].tolist() == [100, 100, 70, 70, 20, 20]
    assert math.isnan(points.iloc[6])
