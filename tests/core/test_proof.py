import pandas as pd
import pytest

from core import proof


def scored(n_churn: int = 10) -> pd.DataFrame:
    # 10 at-risk accounts (score 30) and 30 healthy ones (score 90); churners are the at-risk ones.
    scores = [30.0] * 10 + [90.0] * 30
    bands = ["at_risk"] * 10 + ["healthy"] * 30
    return pd.DataFrame({"score": scores, "band": bands}, index=pd.RangeIndex(1, 41))


def test_perfect_separation():
    result = proof.prove(scored(), set(range(1, 11)))
    assert (result.accounts, result.churned, result.auc) == (40, 10, 1.0)
    assert result.lift == pytest.approx(1.0 / 0.25)
    assert "separated churners well" in proof.verdict(result)
    assert "100%" in proof.verdict(result) and "4.0×" in proof.verdict(result)


def test_too_few_churners_is_said_plainly():
    result = proof.prove(scored(), {1, 2})
    assert proof.verdict(result) == "Not enough churn to judge: 2 of 40 accounts churned in the window."


def test_poor_score():
    # Churners spread evenly across both groups: AUC 0.5.
    result = proof.prove(scored(), {1, 2, 3, 11, 12, 13, 14, 15, 16, 17, 18, 19})
    assert result.auc == pytest.approx(0.5)
    assert "poorly" in proof.verdict(result)
