"""Leakage guard: custom attributes that restate the outcome are never a model input or a baseline.

An attribute imported with the accounts may only be known because the account churned ("Churn Reason", "Churn
Date", a 0/1 "Churn Value"). Fed to the churn model or judged as a simple rule, it would "predict" churn perfectly
and say nothing about the accounts still with us. An attribute is held out, with the reason, when:

- its name says it records the churn itself (churn, cancellation or termination with reason, date, label, value,
  flag, status, type or category; or a bare "churned"/"cancelled");
- it is filled for churned accounts only (at least MIN_FILLED_CHURNERS of them, and no retained account);
- on its own it separates churned from retained accounts near-perfectly: a single-column ROC AUC of at least
  LEAK_AUC either way round (judged only with at least MIN_CHURNERS churned accounts). The value is read as it is
  for a number, as the churn rate of its value for text and yes/no (the MAX_CATEGORIES most frequent values, the
  rest pooled), and whether it is filled at all counts as a column of its own.

A vendor's predicted "Churn Score" is not excluded by its name (a score is a prediction, not the outcome); only
when it separates near-perfectly.
"""

from __future__ import annotations

import re

import pandas as pd

from core import early_warning

LEAK_AUC = 0.98
MIN_CHURNERS = 10
MIN_FILLED_CHURNERS = 5
MAX_CATEGORIES = 20

_OUTCOME = r"(churn(ed)?|cancel(l)?(ed|ation)?|terminat(ed|ion)|attrition)"
_RECORD = r"(reason|date|day|label|value|flag|status|type|category|on|at|month|why)"
OUTCOME_NAME = re.compile(
    rf"^\s*(is[\s_-]*)?{_OUTCOME}\s*$|\b{_OUTCOME}[\s_-]*{_RECORD}\b|\b{_RECORD}[\s_-]*(of[\s_-]*)?{_OUTCOME}\b",
    re.IGNORECASE,
)


def outcome_name(name: str) -> bool:
    """True when the name says the attribute records the churn itself ("Churn Reason", "cancellation date")."""
    return OUTCOME_NAME.search(name) is not None


def _either_way(auc: float | None) -> float | None:
    return None if auc is None else max(auc, 1 - auc)


def separation(values: pd.Series, churned: pd.Series) -> float | None:
    """The best single-column ROC AUC of values for churned, read either way round (0.5–1; None when a class is
    empty): whether a value is filled, a number as it is, text and yes/no by the churn rate of its value."""
    filled = values.notna()
    found = [_either_way(early_warning.roc_auc(filled.astype(float), churned))]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        found.append(_either_way(early_warning.roc_auc(values.astype(float), churned)))
    else:
        text = values.astype(object).where(filled, "\0unknown").astype(str)
        top = text.value_counts().index[:MAX_CATEGORIES]
        pooled = text.where(text.isin(top), "\0other")
        rate = churned.astype(float).groupby(pooled).transform("mean")
        found.append(_either_way(early_warning.roc_auc(rate, churned)))
    known = [auc for auc in found if auc is not None]
    return max(known) if known else None


def why_leaking(name: str, values: pd.Series, churned: pd.Series) -> str | None:
    """Why the attribute restates the outcome, in plain words; None when it does not. values and churned (whether
    the account ever churned) are by account, over every account of the book (an account without a value: NaN)."""
    if outcome_name(name):
        return f"its name says it records the churn itself ('{name}')"
    filled = values.notna()
    filled_churners = int((filled & churned).sum())
    if filled_churners >= MIN_FILLED_CHURNERS and not (filled & ~churned).any():
        return f"it is filled only for churned accounts ({filled_churners:,} of them, no retained account)"
    if int(churned.sum()) >= MIN_CHURNERS:
        auc = separation(values, churned)
        if auc is not None and auc >= LEAK_AUC:
            return (
                f"on its own it separates churned from retained accounts near-perfectly (ROC AUC {auc:.2f})"
            )
    return None


def leaks(values: pd.DataFrame, churned: pd.Series) -> dict[str, str]:
    """Every attribute (a column of values, by account id) that restates the outcome, with why; churned: whether
    each account of the book ever churned, by account id."""
    churned = churned.astype(bool)
    found = {}
    for name in values.columns:
        why = why_leaking(str(name), values[name].reindex(churned.index), churned)
        if why is not None:
            found[str(name)] = why
    return found


def note(excluded: dict[str, str]) -> str | None:
    """The page's and the model card's sentence on the attributes held out, or None without any."""
    if not excluded:
        return None
    parts = "; ".join(f"{name}: {why}" for name, why in excluded.items())
    return f"Left out as restating the outcome (never a model input or a simple rule): {parts}."


def by_account(rows: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """From rows of (account, week) with "account_id", "churned" and the attribute columns (one value per account):
    each account's values, and whether it churned in any of its rows (what leaks() reads)."""
    grouped = rows.groupby("account_id", sort=True)
    return grouped[columns].first(), grouped["churned"].any()
