import datetime as dt
import math

import pandas as pd
import pytest

from core import early_warning as ew
from core import health
from core.settings import DEFAULTS

# The same healthy account as tests/core/test_health.py: every sub-score 100; copied so the
# hand-computed numbers below do not shift when that file changes.
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

AS_OF = dt.date(2024, 1, 1)
WEIGHTS = health.weights_from_settings(DEFAULTS)


# ---- flags ---------------------------------------------------------------------------


def flag_inputs(rows: list[dict]) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    frame = pd.DataFrame(rows).set_index("account_id")
    frame["renewal_date"] = pd.to_datetime(frame["renewal_date"])  # dates as every read returns them
    current = frame[["score", "band", "usage"]]
    features = frame[["renewal_date", "seats_used", "seats_purchased"]]
    return current, frame["before"], features


def row(account_id: int, **overrides) -> dict:
    defaults = {
        "account_id": account_id,
        "score": 80.0,
        "band": "healthy",
        "usage": 80.0,
        "before": 80.0,
        "renewal_date": AS_OF + dt.timedelta(days=365),
        "seats_used": 10.0,
        "seats_purchased": 50,
    }
    return {**defaults, **overrides}


def test_sharp_drop_counts_exactly_the_setting():
    current, before, features = flag_inputs(
        [
            row(1, score=65.0, before=80.0),  # exactly 15
            row(2, score=60.3, before=75.3),  # 15 with float noise
            row(3, score=65.1, before=80.0),  # 14.9
            row(4, score=70.0, before=float("nan")),  # unknown four weeks ago
            row(5, score=95.0, before=80.0),  # rise
        ]
    )
    result = ew.flags(current, before, features, AS_OF, DEFAULTS)
    assert result.index.name == "account_id"
    assert result["sharp_drop"].tolist() == [True, True, False, False, False]
    assert result["trend"].iloc[0] == pytest.approx(-15)
    assert result["trend"].iloc[2] == pytest.approx(-14.9)
    assert math.isnan(result["trend"].iloc[3])
    assert result["trend"].iloc[4] == pytest.approx(15)


def test_renewal_at_risk_window_is_inclusive_and_not_past():
    days = [0, 90, 91, -1, 30]
    rows = [
        row(i, band="at_risk", score=50.0, before=50.0, renewal_date=AS_OF + dt.timedelta(days=d))
        for i, d in enumerate(days)
    ]
    rows.append(row(9, band="watch", score=65.0, renewal_date=AS_OF + dt.timedelta(days=10)))
    rows.append(row(10, band="at_risk", score=50.0, renewal_date=None))
    result = ew.flags(*flag_inputs(rows), AS_OF, DEFAULTS)
    assert result["renewal_at_risk"].tolist() == [True, True, False, False, True, False, False]


def test_renewal_window_follows_setting():
    rows = [row(1, band="at_risk", renewal_date=AS_OF + dt.timedelta(days=45))]
    result = ew.flags(*flag_inputs(rows), AS_OF, {**DEFAULTS, "renewal_window_days": 30})
    assert not result["renewal_at_risk"].iloc[0]


def test_upsell_needs_90_percent_seats_and_healthy_usage():
    result = ew.flags(
        *flag_inputs(
            [
                row(1, seats_used=45.0, seats_purchased=50, usage=75.0),  # 90%, usage at the line
                row(2, seats_used=899.0, seats_purchased=1000, usage=90.0),  # 89.9%
                row(3, seats_used=50.0, seats_purchased=50, usage=74.9),  # usage just short
                row(4, seats_used=5.0, seats_purchased=0, usage=90.0),  # nothing purchased
                row(5, seats_used=55.0, seats_purchased=50, usage=float("nan")),  # no usage data
            ]
        ),
        AS_OF,
        DEFAULTS,
    )
    assert result["upsell"].tolist() == [True, False, False, False, False]


def test_flags_align_inputs_by_account():
    current, _, features = flag_inputs([row(1, score=60.0), row(2, score=80.0, seats_used=50.0)])
    before = pd.Series({2: 90.0, 1: 80.0})  # other order than current
    result = ew.flags(current, before, features.iloc[::-1], AS_OF, DEFAULTS)
    assert result["trend"].tolist() == [-20.0, -10.0]
    assert result["sharp_drop"].tolist() == [True, False]
    assert result["upsell"].tolist() == [False, True]


# ---- explain_change ------------------------------------------------------------------


def week(**overrides) -> tuple[pd.Series, pd.Series]:
    features = pd.DataFrame([{**BASE, **overrides}], index=pd.Index([1], name="account_id"))
    return health.score_accounts(features, DEFAULTS).iloc[0], features.iloc[0]


def explain(before: dict, after: dict) -> tuple[float, list[str]]:
    scored_before, features_before = week(**before)
    scored_after, features_after = week(**after)
    return ew.explain_change(scored_before, scored_after, features_before, features_after, WEIGHTS)


def test_explain_change_names_the_driver_largest_first():
    # usage: ratios 0.6, 1, 1 → trend 73.3; depth 18/50 → 60; 0.6·73.3 + 0.4·60 = 68 → 0.3·(68 − 100) = −9.6
    # support: 2 SLA breaches → 70 → 0.2·(70 − 100) = −6
    # feedback: NPS 6 → 9 lifts (20 + 100)/2 = 60 to 100 → 0.2·40 = +8
    total, reasons = explain(
        {"nps_latest": 6.0}, {"active_users_recent": 18.0, "sla_breaches_90d": 2, "nps_latest": 9.0}
    )
    assert total == pytest.approx(-9.6 - 6 + 8)
    assert reasons == [
        "Product usage −9.6 pts: active users fell 40% (30 → 18)",
        "Customer feedback +8.0 pts: latest NPS 9 (was 6)",
        "Support & operations −6.0 pts: 2 SLA breaches in 90 days (was 0)",
    ]


def test_explain_change_other_dimensions():
    # outcomes 4 → 2 of 4: 0.15·(50 − 100) = −7.5; seats 40 → 30 of 50: 100 → 66.7, 0.15·(−33.3) = −5
    total, reasons = explain({}, {"milestones_met": 2, "seats_used": 30.0})
    assert total == pytest.approx(-12.5)
    assert reasons == [
        "Business outcomes −7.5 pts: 2 of 4 milestones met (was 4 of 4)",
        "Service utilisation −5.0 pts: seat use fell to 60% (30 of 50 seats, was 80%)",
    ]


def test_explain_change_one_point_threshold():
    # one open ticket: 0.2·(95 − 100) = −1.0 exactly, kept; CSAT 5 → 4.8: 0.2·(97.5 − 100) = −0.5, dropped
    total, reasons = explain({}, {"open_tickets": 1, "csat_mean": 4.8})
    assert total == pytest.approx(-1.5)
    assert reasons == ["Support & operations −1.0 pts: 1 open ticket (was 0)"]


def test_explain_change_picks_the_support_count_that_cost_most():
    # 3 open tickets (−15) vs 1 complaint (−20): the complaint is the driver
    _, reasons = explain({}, {"open_tickets": 3, "complaints_90d": 1})
    assert reasons == ["Support & operations −7.0 pts: 1 complaint or escalation in 90 days (was 0)"]


def test_explain_change_feedback_picks_csat_when_it_moved_more():
    # NPS 9 → 10 stays promoter; CSAT 5 → 3: (100 + 50)/2 = 75 → 0.2·(−25) = −5
    _, reasons = explain({}, {"nps_latest": 10.0, "csat_mean": 3.0})
    assert reasons == ["Customer feedback −5.0 pts: CSAT 3 (was 5)"]


def test_explain_change_feedback_names_account_team_sentiment():
    # sentiment 5 → 2 joins NPS 100 and CSAT 100: mean (100 + 100 + 25)/3 = 75 → 0.2·(75 − 100) = −5
    _, reasons = explain({"csm_sentiment": 5.0}, {"csm_sentiment": 2.0})
    assert reasons == ["Customer feedback −5.0 pts: account team sentiment 2 (was 5)"]


def test_explain_change_dimension_losing_data_reweights_the_rest():
    # outcomes no longer due: its 15 points go, the other four are re-weighted over 85
    total, reasons = explain({}, {"milestones_due": 0, "milestones_met": 0})
    assert total == pytest.approx(0)
    assert reasons[0] == "Business outcomes −15.0 pts: no data this week"
    assert reasons[1] == (
        "Product usage +5.3 pts: its data did not change, but it counts for more now that another dimension "
        "has no data"
    )
    assert len(reasons) == 5


def test_explain_change_dimension_gaining_data_says_the_rest_count_for_less():
    # outcomes due again: 15 points come back, usage's share falls from 30/85 to 30/100 of its 100 → −5.3
    _, reasons = explain({"milestones_due": 0, "milestones_met": 0}, {})
    assert reasons[1] == (
        "Product usage −5.3 pts: its data did not change, but it counts for less now that another dimension "
        "has data"
    )


def test_explain_change_usage_without_a_change_in_recent_activity():
    # prior active users 30 → 20: ratio capped 1.2, trend (mean 1.0667) stays 100, no move;
    # prior 30 → 60: ratio 0.5 → mean 0.8333 → trend 66.7 → usage 80 → 0.3·(−20) = −6
    _, reasons = explain({}, {"active_users_prior": 60.0})
    assert reasons == [
        "Product usage −6.0 pts: same recent activity against a different 8-week baseline",
    ]


def test_explain_change_no_change():
    total, reasons = explain({}, {})
    assert total == 0
    assert reasons == []


def test_change_headline():
    reasons = [
        "Product usage −9.6 pts: active users fell 40% (30 → 18)",
        "Support & operations −6.0 pts: 2 SLA breaches in 90 days (was 0)",
        "Customer feedback −2.0 pts: CSAT 4 (was 4.4)",
    ]
    assert ew.change_headline(-15.6, reasons) == "−16 pts: active users fell 40%; 2 SLA breaches in 90 days"
    assert ew.change_headline(4.2, reasons[2:]) == "+4 pts: CSAT 4"
    assert ew.change_headline(0.0, []) == "0 pts"
    assert ew.change_headline(float("nan"), []) == "No score to compare"


def test_headline_from_explain_change():
    total, reasons = explain({}, {"active_users_recent": 18.0, "sla_breaches_90d": 2})
    assert ew.change_headline(total, reasons) == "−16 pts: active users fell 40%; 2 SLA breaches in 90 days"


# ---- proof ---------------------------------------------------------------------------


def test_roc_auc_by_hand_with_ties():
    # churners 10, 20, 30; stayers 20, 40. Pairs churner < stayer: 10<20, 10<40, 20=20 (½), 20<40, 30<40
    # = 4.5 of 6
    scores = pd.Series([10, 20, 30, 20, 40, float("nan")])
    churned = pd.Series([True, True, True, False, False, True])
    assert ew.roc_auc(scores, churned) == pytest.approx(0.75)


def test_roc_auc_extremes_and_empty_classes():
    churned = pd.Series([True, True, False, False])
    assert ew.roc_auc(pd.Series([1, 2, 3, 4]), churned) == 1.0
    assert ew.roc_auc(pd.Series([3, 4, 1, 2]), churned) == 0.0
    assert ew.roc_auc(pd.Series([5, 5, 5, 5]), churned) == 0.5
    assert ew.roc_auc(pd.Series([1, 2]), pd.Series([False, False])) is None
    assert ew.roc_auc(pd.Series([1.0, float("nan")]), pd.Series([False, True])) is None
    assert ew.roc_auc(pd.Series([], dtype=float), pd.Series([], dtype=bool)) is None


BANDS = pd.Series(["healthy", "healthy", "at_risk", "at_risk", "at_risk", "healthy"])
CHURNED = pd.Series([False, False, True, True, False, True])


def test_churn_by_band_keeps_every_band_in_order():
    table = ew.churn_by_band(BANDS, CHURNED)
    assert table["band"].tolist() == ["healthy", "watch", "at_risk"]
    assert table["accounts"].tolist() == [3, 0, 3]
    assert table["churned"].tolist() == [1, 0, 2]
    assert table["churn_rate"].iloc[0] == pytest.approx(1 / 3)
    assert math.isnan(table["churn_rate"].iloc[1])
    assert table["churn_rate"].iloc[2] == pytest.approx(2 / 3)


def test_churn_by_band_adds_insufficient_data_only_when_present():
    bands = pd.concat([BANDS, pd.Series([health.INSUFFICIENT])], ignore_index=True)
    churned = pd.concat([CHURNED, pd.Series([True])], ignore_index=True)
    table = ew.churn_by_band(bands, churned)
    assert table["band"].tolist() == ["healthy", "watch", "at_risk", health.INSUFFICIENT]
    assert table["churn_rate"].iloc[3] == 1.0


def test_at_risk_lift():
    # at risk 2/3 ÷ overall 3/6
    assert ew.at_risk_lift(BANDS, CHURNED) == pytest.approx(4 / 3)
    assert ew.at_risk_lift(pd.Series(["healthy", "watch"]), pd.Series([True, False])) is None
    assert ew.at_risk_lift(BANDS, pd.Series([False] * 6)) is None


# ---- weights preview -----------------------------------------------------------------


def test_band_changes_and_count():
    current = pd.DataFrame({"band": ["healthy", "healthy", "watch", "at_risk", "watch", "at_risk"]})
    proposed = pd.DataFrame({"band": ["watch", "watch", "watch", "watch", "healthy", "at_risk"]})
    changes = ew.band_changes(current, proposed)
    assert changes.to_dict("records") == [
        {"from_band": "healthy", "to_band": "watch", "accounts": 2},
        {"from_band": "watch", "to_band": "healthy", "accounts": 1},
        {"from_band": "at_risk", "to_band": "watch", "accounts": 1},
    ]
    assert ew.count_band_changes(current, proposed) == 4


def test_band_changes_none():
    current = pd.DataFrame({"band": ["healthy", "watch"]})
    changes = ew.band_changes(current, current)
    assert changes.empty
    assert list(changes.columns) == ["from_band", "to_band", "accounts"]
    assert ew.count_band_changes(current, current) == 0


def test_band_changes_from_real_scoring():
    features = pd.DataFrame(
        [{**BASE, "milestones_met": 0}, BASE], index=pd.Index([1, 2], name="account_id")
    )  # account 1: outcomes 0 → 85 with default weights, 0 when only outcomes count
    current = health.score_accounts(features, DEFAULTS)
    only_outcomes = {**DEFAULTS, "weight_usage": 0, "weight_utilisation": 0, "weight_feedback": 0}
    only_outcomes["weight_support"] = 0
    proposed = health.score_accounts(features, only_outcomes)
    assert ew.band_changes(current, proposed).to_dict("records") == [
        {"from_band": "healthy", "to_band": "at_risk", "accounts": 1}
    ]
