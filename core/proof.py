"""Does the score work? How well past scores separated the accounts that churned soon after."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core import early_warning


@dataclass(frozen=True)
class Proof:
    accounts: int
    churned: int
    auc: float | None
    by_band: pd.DataFrame
    lift: float | None


def prove(scored: pd.DataFrame, churned_ids: set[int]) -> Proof:
    """ROC AUC, churn rate per band and at-risk lift of one week's scores against later churn."""
    churned = pd.Series(scored.index.isin(list(churned_ids)), index=scored.index)
    return Proof(
        accounts=len(scored),
        churned=int(churned.sum()),
        auc=early_warning.roc_auc(scored["score"], churned),
        by_band=early_warning.churn_by_band(scored["band"], churned),
        lift=early_warning.at_risk_lift(scored["band"], churned),
    )


def verdict(proof: Proof, minimum_churners: int = 10) -> str:
    """A plain sentence on how well the score separated churners, or why it cannot say."""
    if proof.churned < minimum_churners or proof.auc is None:
        return f"Not enough churn to judge: {proof.churned} of {proof.accounts:,} accounts churned in the window."
    quality = "well" if proof.auc >= 0.8 else "somewhat" if proof.auc >= 0.7 else "poorly"
    lift = "" if proof.lift is None else f" At-risk accounts churned {proof.lift:.1f}× as often as average."
    return (
        f"The score separated churners {quality}: a churner scored lower than a retained account "
        f"{proof.auc:.0%} of the time (ROC AUC {proof.auc:.2f}, {proof.churned} churners of {proof.accounts:,}).{lift}"
    )
