"""How well a model's risks tell churners from retained rows: ROC AUC with a bootstrap interval that resamples
accounts, the Brier score and calibration by risk decile (numpy in, numbers out)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

BOOTSTRAP_SAMPLES = 400


def _auc_groups(risk: np.ndarray) -> np.ndarray:
    """Each row's tie group in ascending risk order (equal risks share one)."""
    return np.unique(risk, return_inverse=True)[1].ravel()


def _weighted_auc(
    positive: np.ndarray,
    negative: np.ndarray,
    positive_weights: np.ndarray,
    negative_weights: np.ndarray,
    n_groups: int,
) -> float:
    """AUC over weighted rows given the tie groups of the churned (positive) and retained (negative) rows."""
    above = np.bincount(positive, positive_weights, minlength=n_groups)
    below = np.bincount(negative, negative_weights, minlength=n_groups)
    before = np.cumsum(below) - below
    pairs = above.sum() * below.sum()
    return float((above * (before + 0.5 * below)).sum() / pairs) if pairs > 0 else math.nan


def auc(risk: np.ndarray, churned: np.ndarray) -> float | None:
    """P(a random churner has a higher risk than a random retained row), ties half; None if a class is empty."""
    churned = np.asarray(churned, dtype=bool)
    if churned.all() or not churned.any():
        return None
    groups = _auc_groups(np.asarray(risk, dtype=float))
    ones = np.ones(len(groups))
    return _weighted_auc(
        groups[churned], groups[~churned], ones[churned], ones[~churned], int(groups.max()) + 1
    )


# The bootstrap ranks risks into this many groups: pairs within one group count half, which moves an AUC by at
# most 1 ÷ INTERVAL_GROUPS, and keeps each resample's cost to two counts over the rows.
INTERVAL_GROUPS = 2000


def auc_interval(
    risk: np.ndarray,
    churned: np.ndarray,
    accounts: np.ndarray,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = 0,
) -> tuple[float, float] | None:
    """95% percentile bootstrap interval of auc, resampling accounts (all of an account's rows go together,
    as its weeks are not independent); None if a class is empty."""
    churned = np.asarray(churned, dtype=bool)
    if churned.all() or not churned.any():
        return None
    groups = _auc_groups(np.asarray(risk, dtype=float))
    groups = groups * INTERVAL_GROUPS // (int(groups.max()) + 1)
    ids, owner = np.unique(accounts, return_inverse=True)
    owner = owner.ravel()
    positive, negative = groups[churned], groups[~churned]
    positive_owner, negative_owner = owner[churned], owner[~churned]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(samples):
        drawn = np.bincount(rng.integers(0, len(ids), len(ids)), minlength=len(ids)).astype(float)
        value = _weighted_auc(
            positive, negative, drawn[positive_owner], drawn[negative_owner], INTERVAL_GROUPS
        )
        if not math.isnan(value):
            values.append(value)
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def brier(risk: np.ndarray, churned: np.ndarray) -> float:
    """Mean squared difference between predicted risk and outcome (0 or 1): 0 is perfect, 0.25 a coin toss."""
    return float(np.mean((np.asarray(risk, dtype=float) - np.asarray(churned, dtype=float)) ** 2))


def calibration(risk: np.ndarray, churned: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Rows, mean predicted risk and observed churn rate per risk decile (1 = lowest risk); equal risks stay
    in one decile, so there may be fewer than bins."""
    frame = pd.DataFrame({"risk": np.asarray(risk, dtype=float), "churned": np.asarray(churned, dtype=float)})
    ranks = frame["risk"].rank(method="min") - 1
    frame["decile"] = (ranks * bins // len(frame)).astype(int) + 1
    table = frame.groupby("decile").agg(
        rows=("risk", "size"), predicted=("risk", "mean"), observed=("churned", "mean")
    )
    return table.reset_index()
