import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from core import churn_model as cm
from core.settings import DEFAULTS

NUMBER = cm.Feature("tenure_months", "tenure", cm.NUMBER, "months")
CATEGORY = cm.Feature("billing_period", "billing", cm.CATEGORY)


def test_churn_within_counts_events_after_the_day_up_to_the_horizon():
    accounts = np.array([1, 1, 1, 2, 3])
    days = np.array([100, 110, 190, 100, 100])
    # Account 1 churns on day 200: within 90 days of 110 (200 − 110 = 90) and 190, not of 100 (100 days).
    # Account 2 churned on day 100 itself: not after the day. Account 3 never churns.
    churned = cm.churn_within(accounts, days, np.array([1, 2]), np.array([200, 100]), 90)
    assert churned.tolist() == [False, True, True, False, False]


def test_split_holds_out_the_newest_labelled_weeks_and_trains_only_on_weeks_whose_outcome_came_before():
    weeks = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(30)]
    # Known until 30 Jun: a week is labelled when its Sunday + 28 days ≤ 30 Jun, i.e. weeks up to 25 May
    # (Sunday 31 May + 28 = 28 Jun); the 4 newest labelled weeks are 4–25 May; training weeks need their
    # Sunday + 28 days before Monday 4 May: up to the week of 30 Mar (Sunday 5 Apr + 28 = 3 May).
    split = cm.split_weeks(weeks, dt.date(2026, 6, 30), horizon=28, test_weeks=4)
    assert split.test == [
        dt.date(2026, 5, 4),
        dt.date(2026, 5, 11),
        dt.date(2026, 5, 18),
        dt.date(2026, 5, 25),
    ]
    assert split.train[0] == dt.date(2026, 1, 5) and split.train[-1] == dt.date(2026, 3, 30)


def test_split_without_labelled_weeks_is_empty():
    assert cm.split_weeks([dt.date(2026, 6, 1)], dt.date(2026, 6, 30), 90, 13) == cm.Split([], [])


def test_thin_weeks_keeps_every_kth_week_from_the_newest():
    weeks = [dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(5)]
    # 5 weeks × 300 rows = 1,500 rows over a 600-row cap: every 3rd week, newest first.
    assert cm.thin_weeks(weeks, 300, 600) == [weeks[1], weeks[4]]
    assert cm.thin_weeks(weeks, 100, 600) == weeks


def test_encoder_imputes_numbers_with_an_indicator_and_one_hot_encodes_categories():
    rows = pd.DataFrame(
        {"tenure_months": [2.0, None, 6.0, 4.0], "billing_period": ["monthly", "annual", None, "monthly"]}
    )
    encoder = cm.fit_encoder(rows, (NUMBER, CATEGORY))
    assert encoder.columns == [
        "tenure_months",
        "tenure_months unknown",
        "billing_period=annual",
        "billing_period=monthly",
        "billing_period=unknown",
    ]
    assert encoder.medians["tenure_months"] == 4.0
    design = cm.encode(encoder, rows)
    # tenure filled: 2, 4, 6, 4 → mean 4, population std √2; the unknown flag 0, 1, 0, 0 → mean ¼, std √3 ÷ 4.
    assert design[:, 0] == pytest.approx([-2 / np.sqrt(2), 0, 2 / np.sqrt(2), 0])
    assert design[1, 1] == pytest.approx(0.75 / (np.sqrt(3) / 4))
    assert design.mean(axis=0) == pytest.approx(np.zeros(5))


def test_encoder_leaves_out_inputs_without_any_value_and_folds_rare_categories_into_other(monkeypatch):
    monkeypatch.setattr(cm, "MAX_CATEGORIES", 2)
    rows = pd.DataFrame({"tenure_months": [None, None, None, None], "billing_period": ["a", "a", "b", "c"]})
    encoder = cm.fit_encoder(rows, (NUMBER, CATEGORY))
    assert [f.column for f in encoder.features] == ["billing_period"]
    # a (2) and b (1) are kept; b and c tie on count and value_counts keeps the first seen.
    assert encoder.categories["billing_period"] == ["a", "b", "other"]
    raw = cm._raw(encoder, pd.DataFrame({"billing_period": ["c", "zz", "a"], "tenure_months": [1, 2, 3]}))
    assert raw.tolist() == [[0, 0, 1], [0, 0, 1], [1, 0, 0]]


def test_auc_counts_ties_as_half():
    # Churners at 0.9 and 0.5, retained at 0.5 and 0.1: pairs (0.9>0.5)=1, (0.9>0.1)=1, (0.5=0.5)=½, (0.5>0.1)=1.
    assert cm.auc(np.array([0.9, 0.5, 0.5, 0.1]), np.array([1, 1, 0, 0])) == pytest.approx(3.5 / 4)
    assert cm.auc(np.array([0.2, 0.3]), np.array([0, 0])) is None


def test_auc_interval_resamples_accounts_and_brackets_a_perfect_split():
    risk = np.array([0.9, 0.8, 0.2, 0.1] * 10)
    churned = np.array([1, 1, 0, 0] * 10, dtype=bool)
    accounts = np.arange(40)
    assert cm.auc_interval(risk, churned, accounts, samples=50) == (1.0, 1.0)


def test_auc_interval_of_noise_includes_a_half():
    rng = np.random.default_rng(0)
    risk, churned = rng.random(400), rng.random(400) < 0.3
    assert cm.auc(risk, churned) == pytest.approx(roc_auc_score(churned, risk))
    low, high = cm.auc_interval(risk, churned, np.arange(400), samples=200)
    assert low < 0.5 < high


def test_brier_and_calibration_by_decile():
    # (0.2−0)² + (0.2−1)² + (0.8−1)² + (0.8−1)² = 0.04 + 0.64 + 0.04 + 0.04 = 0.76; ÷ 4 = 0.19.
    risk, churned = np.array([0.2, 0.2, 0.8, 0.8]), np.array([0, 1, 1, 1])
    assert cm.brier(risk, churned) == pytest.approx(0.19)
    table = cm.calibration(risk, churned, bins=2)
    assert table.to_dict(orient="list") == {
        "decile": [1, 2],
        "rows": [2, 2],
        "predicted": [0.2, 0.8],
        "observed": [0.5, 1.0],
    }


@pytest.mark.parametrize(
    "churners,interval,expected",
    [(9, (0.8, 0.9), cm.NOT_ENOUGH_CHURN), (10, (0.45, 0.7), cm.CHANCE), (10, (0.51, 0.7), cm.OK)],
)
def test_judge(churners, interval, expected):
    assert cm.judge(churners, interval) == expected


def test_why_names_the_inputs_that_move_the_risk_in_points():
    rng = np.random.default_rng(0)
    n = 2000
    tenure = rng.uniform(1, 60, n)
    billing = rng.choice(["monthly", "annual"], n)
    logit = -1 + 2.0 * (billing == "monthly") - 0.08 * tenure
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    rows = pd.DataFrame({"tenure_months": tenure, "billing_period": billing})
    encoder = cm.fit_encoder(rows, (NUMBER, CATEGORY))
    design = cm.encode(encoder, rows)
    model = cm.fit(design, churned)
    one = pd.DataFrame({"tenure_months": [3.0], "billing_period": ["monthly"]})
    one_design = cm.encode(encoder, one)
    [sentence] = cm.why(encoder, model, one, one_design)
    assert sentence.startswith(("billing monthly +", "tenure 3 months +"))
    assert "billing monthly +" in sentence and "tenure 3 months +" in sentence
    # Each input's points: risk − risk with that input at its training mean.
    logit_one = model.decision_function(one_design)[0]
    parts = cm.contributions(encoder, model, one_design).iloc[0]
    risk = 1 / (1 + np.exp(-logit_one))
    tenure_points = 100 * (risk - 1 / (1 + np.exp(-(logit_one - parts["tenure_months"]))))
    assert f"tenure 3 months +{tenure_points:.0f} pts" in sentence
    assert list(cm.importance(encoder, model, design).index) == ["tenure", "billing"]


def test_fitted_health_weights_follow_the_sub_score_that_predicts_churn():
    rng = np.random.default_rng(3)
    n = 3000
    subs = pd.DataFrame({dim: rng.uniform(0, 100, n) for dim in cm.health.DIMENSIONS})
    churned = rng.random(n) < 1 / (1 + np.exp(-(2 - 0.06 * subs["usage"].to_numpy())))
    weights = cm.fit_health_weights(subs, churned)
    assert weights["usage"] >= 90 and (weights >= 0).all()
    settings = {**DEFAULTS, **cm.weights_settings(weights)}
    assert cm.score_auc(subs, churned, settings) > cm.score_auc(subs, churned, DEFAULTS)


def test_fitted_weights_are_none_when_every_sub_score_raises_risk():
    subs = pd.DataFrame({dim: [10.0, 90.0] * 50 for dim in cm.health.DIMENSIONS})
    churned = np.array([False, True] * 50)
    assert cm.fit_health_weights(subs, churned) is None


def _weekly_rows(
    signal: float, accounts: int = 300, weeks: int = 30, seed: int = 0
) -> tuple[pd.DataFrame, cm.Split]:
    rng = np.random.default_rng(seed)
    first = dt.date(2025, 1, 6)
    week_list = [first + dt.timedelta(weeks=i) for i in range(weeks)]
    frames = []
    for week in week_list:
        usage = rng.uniform(0, 100, accounts)
        frame = pd.DataFrame({dim: rng.uniform(0, 100, accounts) for dim in cm.health.DIMENSIONS})
        frame["usage"] = usage
        frame["account_id"] = np.arange(accounts)
        frame["week"] = week
        logit = -2 + signal * (50 - usage) / 10
        frame["churned"] = rng.random(accounts) < 1 / (1 + np.exp(-logit))
        for fact in ("tenure_months", "arr", "segment", "plan", "billing_period"):
            frame[fact] = None
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    return rows, cm.Split(week_list[:20], week_list[-6:])


def test_fit_over_time_tests_on_the_newest_weeks_and_judges_the_result():
    rows, split = _weekly_rows(signal=1.0)
    rows = rows[rows["week"].isin(split.train + split.test)]
    current = rows[rows["week"] == split.test[-1]]
    settings = {**DEFAULTS}
    result = cm.fit_over_time(rows, current, cm.SUB_SCORE_FEATURES + cm.FACT_FEATURES, split, settings, {})
    card = result.card
    assert card["method"] == cm.OUT_OF_TIME and card["status"] == cm.OK
    assert card["train"]["weeks"] == 20 and card["test"]["weeks"] == 6 and card["test"]["rows"] == 6 * 300
    assert card["auc_low"] > 0.8
    assert card["what_matters"][0]["input"] == "product usage"
    assert card["health_weights"]["proposed"]["usage"] >= 80
    assert card["health_weights"]["proposed_auc"] > card["health_weights"]["current_auc"]
    assert len(result.risks) == 300 and result.risks["risk"].between(0, 1).all()
    assert cm.verdict(card).startswith("On the 6 newest weeks it never saw")


def test_each_health_profile_gets_weights_fitted_on_its_own_accounts_where_churn_allows():
    rows, split = _weekly_rows(signal=1.0)
    # Accounts 0–4 are Tiny: at most 5 churned accounts, too few to fit on their own; the rest Enterprise.
    rows["segment"] = np.where(rows["account_id"] < 5, "Tiny", "Enterprise")
    current = rows[rows["week"] == split.test[-1]]
    profiles = {
        "Enterprise": {"weight_support": 40.0, "band_healthy_min": 80.0},
        "Tiny": {"weight_usage": 10.0},
    }
    card = cm.fit_over_time(rows, current, cm.SUB_SCORE_FEATURES, split, dict(DEFAULTS), profiles).card
    tiny, enterprise = card["profile_weights"]["Tiny"], card["profile_weights"]["Enterprise"]
    assert tiny["proposed"] is None
    assert tiny["before"] == {
        "weight_usage": 10.0,
        "weight_outcomes": None,
        "weight_utilisation": None,
        "weight_feedback": None,
        "weight_support": None,
    }
    assert re.fullmatch(
        r"Not enough churn to fit Tiny on its own: [0-5] churned accounts in the training weeks and [0-5] in the "
        r"test weeks \(at least 10 of each\); the fit for the whole book stands for it\.",
        tiny["note"],
    )
    # Enterprise is measured against the weights it is scored with now: support 40 of its own, the rest global.
    assert enterprise["current"] == {
        "usage": 30.0,
        "outcomes": 15.0,
        "utilisation": 15.0,
        "feedback": 20.0,
        "support": 40.0,
    }
    assert enterprise["before"]["weight_support"] == 40.0 and enterprise["before"]["weight_usage"] is None
    assert enterprise["proposed_status"] == cm.OK and enterprise["proposed"]["usage"] >= 80
    assert enterprise["proposed_auc"] > enterprise["current_auc"]


def test_fit_without_signal_is_no_better_than_chance():
    rows, split = _weekly_rows(signal=0.0, seed=5)
    current = rows[rows["week"] == split.test[-1]]
    rows = rows[rows["week"].isin(split.train + split.test)]
    result = cm.fit_over_time(rows, current, cm.SUB_SCORE_FEATURES, split, dict(DEFAULTS), {})
    assert result.card["status"] == cm.CHANCE
    assert cm.verdict(result.card).startswith("No better than chance")


def test_fit_on_accounts_cross_validates_and_says_so():
    rng = np.random.default_rng(7)
    n = 1500
    tenure = rng.uniform(1, 72, n)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n)
    logit = -0.5 + 2.5 * (contract == "Month-to-month") - 0.06 * tenure
    rows = pd.DataFrame(
        {
            "account_id": np.arange(n),
            "churned": rng.random(n) < 1 / (1 + np.exp(-logit)),
            "tenure_months": tenure,
            "attr:Contract": contract,
            "arr": rng.uniform(1000, 5000, n),
        }
    )
    features = (
        NUMBER,
        cm.Feature("arr", "ARR", cm.NUMBER, "money"),
        cm.Feature("attr:Contract", "Contract", cm.CATEGORY),
    )
    result = cm.fit_accounts(rows, rows.head(10), features)
    assert result.card["method"] == cm.CROSS_VALIDATION and result.card["auc"] >= 0.8
    assert {item["input"] for item in result.card["what_matters"][:2]} == {"tenure", "Contract"}
    assert "5-fold cross-validation over accounts" in cm.verdict(result.card)


def test_verdict_not_enough_churn():
    card = {"method": cm.CROSS_VALIDATION, "folds": 5, "status": cm.NOT_ENOUGH_CHURN, "test": {"churners": 4}}
    assert cm.verdict(card).startswith("Not enough churn to judge: 4 churners")


def test_the_verdict_names_only_the_inputs_that_matter():
    card = {
        "what_matters": [
            {"input": "Contract", "log_odds": 1.0},
            {"input": "tenure", "log_odds": 0.2},
            {"input": "ARR", "log_odds": 0.19},
        ]
    }
    # 0.2 is 20% of the top input's 1.0; 0.19 is not.
    assert [item["input"] for item in cm.leans_on(card)] == ["Contract", "tenure"]
