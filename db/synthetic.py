"""Generated churn histories for the churn-model tests and benchmark (not demo data: no users, no usage).

- weekly_history: accounts with weekly health snapshots whose churn follows their sub-scores (signal > 0) or
  nothing at all (signal = 0), with segment, ARR, tenure and a subscription's plan and billing;
- customers: one row per customer, no weekly history, churn driven by tenure and a "Contract" attribute only.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from core import health
from core.vocabulary import BILLING_PERIODS, SEGMENTS
from db import bulk

CONTRACTS = ("Month-to-month", "One year", "Two year")


def _write(engine: Engine, table: str, frame: pd.DataFrame) -> None:
    """Bulk rows straight to the driver (db/bulk.py)."""
    # Dates as ISO text, as SQLAlchemy stores them in SQLite; PostgreSQL casts the text.
    frame = frame.apply(lambda column: column.map(_iso) if column.dtype == object else column)
    rows = list(frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None))
    with engine.begin() as conn:
        bulk.insert_rows(conn, table, list(frame.columns), rows)


def _iso(value: object) -> object:
    return (
        value.isoformat(" ")
        if isinstance(value, dt.datetime)
        else value.isoformat()
        if isinstance(value, dt.date)
        else value
    )


def _accounts(ids: np.ndarray, since: np.ndarray, segment: np.ndarray, arr: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": [f"GEN-{i}" for i in ids],
            "name": [f"Generated {i}" for i in ids],
            "segment": segment,
            "arr": arr,
            "customer_since": since,
        }
    )


def weekly_history(
    engine: Engine, accounts: int, weeks: int, last_week: dt.date, signal: float, seed: int = 0
) -> None:
    """accounts × weeks of snapshots ending with last_week (a Monday). Each account has a latent health that
    drifts week to week; its five sub-scores are that health plus noise. An account churns in a week with
    probability σ(−6.5 + signal × (50 − health) ÷ 10) and is not scored after; signal 0 makes churn
    independent of every input."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, accounts + 1)
    first = last_week - dt.timedelta(weeks=weeks - 1)
    since = np.array([first - dt.timedelta(days=int(d)) for d in rng.integers(30, 1800, accounts)])
    _write(
        engine,
        "accounts",
        _accounts(ids, since, rng.choice(SEGMENTS, accounts), rng.uniform(5e3, 2e5, accounts).round(2)),
    )
    _write(
        engine,
        "subscriptions",
        pd.DataFrame(
            {
                "external_id": [f"SUB-{i}" for i in ids],
                "account_id": ids,
                "started_on": since,
                "plan": rng.choice(["Basic", "Pro", "Enterprise"], accounts),
                "billing_period": rng.choice(BILLING_PERIODS, accounts),
            }
        ),
    )
    level = rng.normal(70, 15, accounts)
    alive = np.ones(accounts, dtype=bool)
    computed_at = "2026-01-01 00:00:00.000000"
    snapshots, churns = [], []
    for index in range(weeks):
        week = first + dt.timedelta(weeks=index)
        level = np.clip(level + rng.normal(0, 3, accounts), 0, 100)
        scored = np.flatnonzero(alive)
        subs = {
            dim: np.clip(level[scored] + rng.normal(0, 12, len(scored)), 0, 100) for dim in health.DIMENSIONS
        }
        frame = pd.DataFrame({"account_id": ids[scored], "week_start": week, **subs})
        frame["score"] = frame[list(health.DIMENSIONS)].mean(axis=1)
        frame["weights_key"] = "generated"
        frame["computed_at"] = computed_at
        snapshots.append(frame)
        hazard = 1 / (1 + np.exp(-(-6.5 + signal * (50 - level[scored]) / 10)))
        gone = scored[rng.random(len(scored)) < hazard]
        alive[gone] = False
        day = week + dt.timedelta(days=int(rng.integers(7, 13)))
        churns.append(pd.DataFrame({"account_id": ids[gone], "churned_on": day}))
    _write(engine, "health_snapshots", pd.concat(snapshots, ignore_index=True))
    _write(engine, "churn_events", pd.concat(churns, ignore_index=True))


def customers(engine: Engine, count: int, as_of: dt.date, seed: int = 0) -> None:
    """count customers, one row each: tenure 1–72 months and a Contract (custom attribute); a customer churned
    (a churn event within the last 180 days, its tenure counted up to it) with probability
    σ(−0.5 + 2.5·[month-to-month] − 0.06·tenure months). Segment and ARR are noise."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, count + 1)
    tenure_days = (rng.uniform(1, 72, count) * 30.44).astype(int)
    contract = rng.choice(CONTRACTS, count)
    logit = -0.5 + 2.5 * (contract == "Month-to-month") - 0.06 * tenure_days / 30.44
    churned = rng.random(count) < 1 / (1 + np.exp(-logit))
    end = np.array(
        [
            as_of - dt.timedelta(days=int(d)) if c else as_of
            for d, c in zip(rng.integers(0, 180, count), churned, strict=True)
        ]
    )
    since = np.array([day - dt.timedelta(days=int(t)) for day, t in zip(end, tenure_days, strict=True)])
    _write(
        engine,
        "accounts",
        _accounts(ids, since, rng.choice(SEGMENTS, count), rng.uniform(5e3, 2e5, count).round(2)),
    )
    _write(engine, "churn_events", pd.DataFrame({"account_id": ids[churned], "churned_on": end[churned]}))
    _write(engine, "custom_attributes", pd.DataFrame({"name": ["Contract"], "kind": ["text"]}))
    _write(
        engine,
        "account_attributes",
        pd.DataFrame({"account_id": ids, "name": "Contract", "text_value": contract}),
    )
