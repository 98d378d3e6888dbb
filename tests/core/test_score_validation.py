import math

import numpy as np
import pandas as pd
import pytest

from core import early_warning as ew
from core import score_validation as sv


def test_events_count_in_the_days_before_or_after_each_week_end():
    week_ends = np.array([6, 13, 20])
    # A ticket on day 10 counts for the weeks ending 0–89 days after it: those ending on days 13 and 20.
    tickets = sv.events_per_week(np.array([0]), np.array([10]), week_ends, 2, 0, 89)
    assert tickets.tolist() == [[0, 1, 1], [0, 0, 0]]
    # A churn on day 14 within a 7-day horizon: weeks ending 1–7 days before it, i.e. on days 7…13: the second.
    churned = sv.events_per_week(np.array([1, 1]), np.array([14, 30]), week_ends, 2, -7, -1)
    assert churned.tolist() == [[0, 0, 0], [0, 1, 0]]


def test_usage_trend_is_the_recent_four_weeks_over_the_eight_before():
    weeks = np.arange(12)
    users = np.array([10.0] * 8 + [5.0, 5.0, 5.0, 5.0])
    users[3] = np.nan  # an unknown count is left out of its window
    trend = sv.usage_trend(np.zeros(12, dtype=int), weeks, users, 1, 12)
    # Week 11: recent weeks 8–11 mean 5, prior weeks 0–7 mean 10 (7 known) → 0.5.
    assert trend[0, 11] == pytest.approx(0.5)
    # Week 10: recent weeks 7–10 = 10, 5, 5, 5 → 6.25; prior weeks 0–6 (3 unknown) → 10 → 0.625.
    assert trend[0, 10] == pytest.approx(0.625)
    # Week 3: no week before the recent window → unknown.
    assert math.isnan(trend[0, 3])


def test_build_panel_reads_each_baseline_as_of_the_weeks_sunday():
    weeks = pd.to_datetime(["2025-01-06", "2025-01-13"])
    scores = pd.DataFrame(
        {"account_id": [1, 1, 2], "week_start": [weeks[0], weeks[1], weeks[0]], "score": [80, 70, 40]}
    )
    accounts = pd.DataFrame(
        {
            "segment": ["SMB", None],
            "plan": ["Pro", "Basic"],
            "customer_since": pd.to_datetime(["2024-12-12", None]),
            "arr": [1000.0, None],
        },
        index=pd.Index([1, 2], name="account_id"),
    )
    panel = sv.build_panel(
        scores=scores,
        accounts=accounts,
        # Account 2 churns on 1 Feb: 20 days after the Sunday of 6 Jan's week (12 Jan), inside a 30-day horizon.
        churn=pd.DataFrame(
            {"account_id": [2, 9], "churned_on": pd.to_datetime(["2025-02-01", "2025-01-20"])}
        ),
        # Tickets on 14 Oct 2024 (90 days before 12 Jan: out) and 15 Oct (89 days: in), and 19 Jan.
        tickets=pd.DataFrame(
            {"account_id": [1, 1, 1], "opened_on": pd.to_datetime(["2024-10-14", "2024-10-15", "2025-01-19"])}
        ),
        usage=pd.DataFrame({"account_id": [], "week_start": pd.to_datetime([]), "active_users": []}),
        attributes=pd.DataFrame({"Seats": [12.0]}, index=pd.Index([2], name="account_id")),
        horizon_days=30,
    )
    assert panel["churned"].tolist() == [False, False, True]
    # Tenure: 12 Jan − 12 Dec = 31 days, 19 Jan − 12 Dec = 38; unknown start → unknown.
    assert panel["tenure_days"].tolist()[:2] == [31, 38]
    assert math.isnan(panel["tenure_days"].iloc[2])
    # Week of 6 Jan: the 15 Oct ticket; week of 13 Jan: 15 Oct (96 days before 19 Jan: out) … only 19 Jan.
    assert panel["tickets_90d"].tolist() == [1, 1, 0]
    assert panel["arr"].tolist()[:2] == [1000, 1000]
    assert panel["segment"].tolist()[:2] == ["SMB", "SMB"] and pd.isna(panel["segment"].iloc[2])
    assert panel["plan"].tolist() == ["Pro", "Pro", "Basic"]
    assert math.isnan(panel["attr:Seats"].iloc[0]) and panel["attr:Seats"].iloc[2] == 12


def small_panel() -> pd.DataFrame:
    """Churners score 10 and 50, stayers 30, 60 and 70; tickets 3, 1 against 0, 1, 2."""
    return pd.DataFrame(
        {
            "account_id": [1, 2, 3, 4, 5],
            "score": [10.0, 50.0, 30.0, 60.0, 70.0],
            "tickets_90d": [3.0, 1.0, 0.0, 1.0, 2.0],
            "tenure_days": [np.nan, 100.0, 200.0, 50.0, 300.0],
            "churned": [True, True, False, False, False],
        }
    )


def test_pooled_auc_turns_each_rule_so_higher_is_safer():
    panel = small_panel()
    # Score: churner 10 is below all 3 stayers, 50 below 60 and 70 → 5 of 6 pairs.
    assert sv.pooled_auc(panel, sv.SCORE).auc == pytest.approx(5 / 6)
    # Tickets, fewer is safer: churner 3 has more than every stayer (3); churner 1 more than 0, tied with 1 → 1.5.
    tickets = sv.pooled_auc(panel, sv.BASELINES[2])
    assert tickets.auc == pytest.approx(4.5 / 6)
    # Tenure leaves out the account whose tenure is unknown: churner 100 vs 200, 50, 300 → 2 of 3.
    tenure = sv.pooled_auc(panel, sv.BASELINES[0])
    assert tenure.auc == pytest.approx(2 / 3)
    assert (tenure.account_weeks, tenure.accounts, tenure.churn_weeks, tenure.churners) == (4, 4, 1, 1)


def test_bootstrap_weights_every_row_by_how_often_its_account_was_drawn():
    safety = np.array([10.0, 30.0, 50.0, 60.0])
    churned = np.array([True, False, True, False])
    drawn = np.array(
        [
            # all once; account 0 twice; accounts 1 and 2 twice; account 0 only
            [1, 2, 0, 4],
            [1, 1, 2, 0],
            [1, 0, 2, 0],
            [1, 1, 0, 0],
        ],
        dtype=np.float32,
    )
    aucs = sv.bootstrap_aucs(safety, churned, np.arange(4), drawn)
    # All once: churner 10 below 30 and 60, churner 50 below 60 → 3 of 4. Account 0 twice with 1 and 3:
    # 2 × 2 safer pairs of 2 × 2 → 1. Accounts 1 and 2 twice: churner 50 above stayer 30 → 0. No stayer → NaN.
    assert aucs[:3].tolist() == [0.75, 1.0, 0.0]
    assert math.isnan(aucs[3])


def test_resamples_draw_as_many_accounts_as_there_are_and_repeat_with_the_seed():
    drawn = sv.resampled_accounts(7, resamples=250, seed=3)
    assert drawn.shape == (7, 250)
    assert (drawn.sum(axis=0) == 7).all()
    assert np.array_equal(drawn, sv.resampled_accounts(7, resamples=250, seed=3))


def test_the_interval_holds_the_estimate_and_narrows_with_more_accounts():
    rng = np.random.default_rng(0)

    def panel(n):
        score = rng.uniform(0, 100, n)
        return pd.DataFrame(
            {
                "account_id": np.arange(n),
                "score": score,
                "churned": rng.random(n) < np.where(score < 40, 0.3, 0.05),
            }
        )

    small, large = sv.pooled_auc(panel(300), sv.SCORE), sv.pooled_auc(panel(3000), sv.SCORE)
    for found in (small, large):
        assert found.low < found.auc < found.high
    assert large.high - large.low < small.high - small.low


def table(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[
            "rule",
            "label",
            "direction",
            "auc",
            "low",
            "high",
            "account_weeks",
            "accounts",
            "churn_weeks",
            "churners",
        ],
    )


SCORE_ROW = ("score", "Health score", "", 0.50, 0.45, 0.55, 1000, 100, 40, 20)
TENURE_ROW = ("tenure_days", "Tenure", "", 0.74, 0.69, 0.79, 1000, 100, 40, 20)


def test_verdict_names_the_rule_that_beats_the_score_and_calls_chance_chance():
    assert sv.verdict(table(SCORE_ROW, TENURE_ROW)) == (
        "The health score is no better than chance here: ROC AUC 0.50 (95% interval 0.45–0.55, which includes "
        "0.5). Tenure alone does better: 0.74 (95% interval 0.69–0.79)."
    )
    better = ("score", "Health score", "", 0.62, 0.58, 0.66, 1000, 100, 40, 20)
    assert sv.verdict(table(better, TENURE_ROW)) == (
        "Tenure alone predicts churn better than the health score here: 0.74 vs 0.62 "
        "(95% interval 0.69–0.79 vs 95% interval 0.58–0.66)."
    )
    best = ("score", "Health score", "", 0.81, 0.77, 0.85, 1000, 100, 40, 20)
    assert sv.verdict(table(best, TENURE_ROW)) == (
        "The health score beats every simple rule: ROC AUC 0.81 (95% interval 0.77–0.85) against 0.74 for "
        "Tenure, the best of them."
    )


def test_verdict_needs_ten_churners_for_the_score_and_for_a_rule_to_count():
    few = ("score", "Health score", "", 0.9, 0.5, 1.0, 100, 100, 9, 9)
    assert sv.verdict(table(few, TENURE_ROW)) == (
        "Not enough churn to judge: 9 accounts churned in the weeks checked (at least 10 needed)."
    )
    thin_tenure = ("tenure_days", "Tenure", "", 0.95, 0.6, 1.0, 50, 50, 9, 9)
    best = ("score", "Health score", "", 0.81, 0.77, 0.85, 1000, 100, 40, 20)
    assert sv.verdict(table(best, thin_tenure)).endswith("no simple rule has enough churn to compare with.")


def test_a_rule_whose_interval_lies_below_chance_is_noted_not_counted():
    reversed_row = (
        "attr:Risk",
        "Risk",
        "custom attribute: read as higher is safer",
        0.2,
        0.15,
        0.25,
        1000,
        100,
        40,
        20,
    )
    notes = sv.reversed_rules(table(SCORE_ROW, TENURE_ROW, reversed_row))
    assert notes == [
        "Risk predicts churn the other way round from the direction assumed (custom attribute: read as higher is "
        "safer): read "
        "reversed it would score 0.80, but a direction picked after seeing the outcome is not a fair test."
    ]


def test_auc_per_week_and_per_group_says_where_churn_is_too_thin():
    panel = small_panel().assign(week_start=pd.to_datetime(["2025-01-06"] * 3 + ["2025-01-13"] * 2))
    weekly = sv.weekly_auc(panel)
    # Week 1: churners 10, 50 vs stayer 30 → 1 of 2; week 2 has no churner.
    assert weekly["auc"].tolist()[0] == pytest.approx(0.5)
    assert weekly["auc"].isna().tolist() == [False, True]
    assert weekly["churners"].tolist() == [2, 0]
    groups = sv.auc_by_group(panel.assign(segment=["SMB", "SMB", "SMB", None, None]), "segment")
    assert groups["group"].tolist() == ["SMB", "unknown"]
    assert groups["churners"].tolist() == [2, 0]
    assert groups["note"].tolist() == [
        "not enough churn to judge: 2 churned (at least 10)",
        "not enough churn to judge: 0 churned (at least 10)",
    ]
    assert groups["auc"].isna().all()


def test_validate_reads_custom_numeric_attributes_as_rules():
    panel = small_panel().assign(
        week_start=pd.Timestamp("2025-01-06"), segment="SMB", plan=None, usage_trend=np.nan, arr=np.nan
    )
    panel["attr:Licences"] = [1.0, 2.0, 3.0, 4.0, 5.0]
    found = sv.validate(panel)
    assert found.rules["label"].tolist() == [
        "Health score",
        "Tenure",
        "Usage trend",
        "Tickets in the last 90 days",
        "ARR",
        "Licences",
    ]
    # Licences, higher is safer: churners 1 and 2 below all three stayers → 1.
    assert found.rules["auc"].iloc[5] == 1.0
    assert found.weeks == 1
    assert found.verdict.startswith("Not enough churn to judge: 2 accounts churned")


def test_the_exact_auc_counts_what_roc_auc_ranks():
    rng = np.random.default_rng(4)
    values = rng.integers(0, 20, 500).astype(float)  # many ties
    churned = rng.random(500) < 0.2
    level, n_levels = sv._ranked(values)
    assert sv._exact_auc(level, n_levels, churned) == pytest.approx(
        ew.roc_auc(pd.Series(values), pd.Series(churned))
    )
    assert sv._exact_auc(level, n_levels, np.zeros(500, dtype=bool)) is None


def test_a_narrow_interval_rests_on_the_first_200_resamples_a_wide_one_on_all(monkeypatch):
    widths = []
    real = sv.bootstrap_aucs

    def counted(*args, **kwargs):
        widths.append(args[3].shape[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(sv, "bootstrap_aucs", counted)
    rng = np.random.default_rng(0)

    def panel(n):
        score = rng.uniform(0, 100, n)
        churned = rng.random(n) < np.where(score < 40, 0.3, 0.05)
        return pd.DataFrame({"account_id": np.arange(n), "score": score, "churned": churned})

    # 300 accounts: the AUCs of 200 resamples spread by about 0.03, so an end is known to about ±0.006: all 500.
    sv.pooled_auc(panel(300), sv.SCORE)
    assert widths == [200, 300]
    # 50,000 accounts: spread about 0.003, an end known to about ±0.0006 after 200: those do.
    widths.clear()
    sv.pooled_auc(panel(50_000), sv.SCORE)
    assert widths == [200]
