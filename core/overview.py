"""The Home page's headline figures, from the scored book of accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from core import health, metrics


@dataclass(frozen=True)
class HomeFigures:
    accounts: int
    arr: float
    nps: float | None
    nps_responses: int
    at_risk_accounts: int
    at_risk_arr: float
    open_requests: int
    overdue_requests: int


def home_figures(
    scored: pd.DataFrame, nps_counts: pd.Series, open_requests: pd.DataFrame, now: dt.datetime
) -> HomeFigures:
    """Active accounts and their ARR, NPS of recent answers, at-risk accounts and ARR, open and overdue reference requests."""
    at_risk = scored["band"] == "at_risk"
    return HomeFigures(
        accounts=len(scored),
        arr=float(scored["arr"].sum()),
        nps=metrics.nps_from_counts(nps_counts),
        nps_responses=int(nps_counts.sum()),
        at_risk_accounts=int(at_risk.sum()),
        at_risk_arr=float(scored.loc[at_risk, "arr"].sum()),
        open_requests=len(open_requests),
        overdue_requests=int((open_requests["needed_by"] < now).sum()),
    )


def at_risk_reasons(scored: pd.DataFrame) -> pd.DataFrame:
    """How many at-risk accounts each dimension is the top reason for, most common first."""
    reasons = scored.loc[scored["band"] == "at_risk", "top_reason"].value_counts()
    frame = reasons.rename_axis("dimension").reset_index(name="accounts")
    frame["dimension"] = frame["dimension"].map(health.DIMENSION_LABELS)
    return frame
