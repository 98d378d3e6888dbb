import numpy as np
import pandas as pd
import pytest

from core import churn_model as cm
from core import leakage
from core import score_validation as sv


@pytest.mark.parametrize(
    "name",
    [
        "Churn Reason",
        "churn_date",
        "Churned",
        "Date of cancellation",
        "Churn Value",
        "Termination Date",
        "is_churned",
    ],
)
def test_a_name_that_records_the_churn_itself_is_caught(name):
    assert leakage.outcome_name(name)


@pytest.mark.parametrize(
    "name", ["Churn Score", "Contract", "Tenure Months", "Monthly Charges", "Cancellation policy"]
)
def test_other_names_are_not(name):
    assert not leakage.outcome_name(name)


# 20 accounts, 1–10 churned, 11–20 retained.
ACCOUNTS = pd.Index(range(1, 21), name="account_id")
CHURNED = pd.Series([True] * 10 + [False] * 10, index=ACCOUNTS)


def test_an_attribute_filled_only_for_churners_is_left_out():
    notes = pd.Series({1: "price", 2: "moved", 3: "price", 4: "service", 5: "price"})
    assert leakage.leaks(pd.DataFrame({"Notes": notes}), CHURNED) == {
        "Notes": "it is filled only for churned accounts (5 of them, no retained account)"
    }
    # Filled for 4 churners only: too few to tell it from chance, and kept.
    assert leakage.leaks(pd.DataFrame({"Notes": notes.head(4)}), CHURNED) == {}


def test_an_attribute_that_separates_churners_near_perfectly_is_left_out():
    # Churners 1–9 and 11, stayers 10 and 12–20: of 100 churner–stayer pairs only 11 vs 10 is the wrong way
    # round, AUC 99/100 = 0.99 ≥ 0.98. "Seats": churners 1–8, 11, 12 and stayers 9, 10, 13–20: 4 pairs wrong,
    # 0.96, kept. "Status" text: "gone" for every churner, "active" for every stayer, churn rate 1 vs 0: 1.00.
    near = list(range(1, 10)) + [11, 10] + list(range(12, 21))
    seats = list(range(1, 9)) + [11, 12, 9, 10] + list(range(13, 21))
    values = pd.DataFrame(
        {"Code": near, "Seats": seats, "Status": ["gone"] * 10 + ["active"] * 10},
        index=ACCOUNTS,
        dtype=object,
    ).astype({"Code": float, "Seats": float})
    assert leakage.separation(values["Code"], CHURNED) == pytest.approx(0.99)
    assert leakage.separation(values["Seats"], CHURNED) == pytest.approx(0.96)
    assert leakage.leaks(values, CHURNED) == {
        "Code": "on its own it separates churned from retained accounts near-perfectly (ROC AUC 0.99)",
        "Status": "on its own it separates churned from retained accounts near-perfectly (ROC AUC 1.00)",
    }


def test_with_fewer_than_ten_churners_a_perfect_split_is_not_judged():
    churned = pd.Series([True] * 5 + [False] * 15, index=ACCOUNTS)
    values = pd.DataFrame({"Code": [1.0] * 5 + [0.0] * 15}, index=ACCOUNTS)
    assert leakage.leaks(values, churned) == {}


def test_the_note_names_each_attribute_and_why():
    assert leakage.note({}) is None
    assert leakage.note({"Churn Reason": "its name says it records the churn itself ('Churn Reason')"}) == (
        "Left out as restating the outcome (never a model input or a simple rule): Churn Reason: its name says it "
        "records the churn itself ('Churn Reason')."
    )


def test_validation_leaves_a_leaking_attribute_out_of_the_rules_and_says_why():
    # Two weeks of the 20 accounts; an account churned in its first week's horizon.
    rows = pd.DataFrame(
        {
            "account_id": list(ACCOUNTS) * 2,
            "week_start": [pd.Timestamp("2025-01-06")] * 20 + [pd.Timestamp("2025-01-13")] * 20,
            "score": np.arange(40, dtype=float),
            "churned": list(CHURNED) + [False] * 20,
            "tenure_days": np.nan,
            "usage_trend": np.nan,
            "tickets_90d": np.nan,
            "arr": np.nan,
            "segment": "SMB",
            "plan": None,
        }
    )
    rows["attr:Churn Value"] = np.tile(CHURNED.astype(float).to_numpy(), 2)
    # Licences separate as well as "Seats" above (0.96): a rule like any other.
    seats = list(range(1, 9)) + [11, 12, 9, 10] + list(range(13, 21))
    rows["attr:Licences"] = np.tile(np.array(seats, dtype=float), 2)
    found = sv.validate(rows)
    assert found.rules["label"].tolist()[-1] == "Licences"
    assert "Churn Value" not in found.rules["label"].tolist()
    assert found.excluded == {"Churn Value": "its name says it records the churn itself ('Churn Value')"}
    assert found.notes[-1] == leakage.note(found.excluded)


def test_the_churn_model_leaves_a_leaking_attribute_out_and_its_card_says_why():
    rng = np.random.default_rng(3)
    n = 400
    tenure = rng.uniform(1, 72, n)
    churned = rng.random(n) < 1 / (1 + np.exp(-(1 - 0.06 * tenure)))
    rows = pd.DataFrame(
        {
            "account_id": np.arange(n),
            "churned": churned,
            "tenure_months": tenure,
            "attr:Cancellation reason": np.where(churned, "price", None),
            "attr:Left": np.where(churned, "yes", "no"),
        }
    )
    features = (
        cm.Feature("tenure_months", "tenure", cm.NUMBER, "months"),
        cm.Feature("attr:Cancellation reason", "Cancellation reason", cm.CATEGORY),
        cm.Feature("attr:Left", "Left", cm.CATEGORY),
    )
    result = cm.fit_accounts(rows, rows.head(5), features)
    assert result.card["excluded_inputs"] == {
        "Cancellation reason": "its name says it records the churn itself ('Cancellation reason')",
        "Left": "on its own it separates churned from retained accounts near-perfectly (ROC AUC 1.00)",
    }
    assert {item["input"] for item in result.card["coefficients"]} == {"tenure"}
    # Without the leak, tenure alone: an honest AUC, well short of a perfect 1.
    assert result.card["auc"] < 0.9
