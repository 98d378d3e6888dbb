"""Generated score histories for checking "Does the score work?": stored weekly scores and the churn after them.

The scores are written straight into health_snapshots (no raw inputs behind them), with accounts, plans, churn
events, tickets and weekly active users, so the validation can be tested and timed at any size:

- signal "none": churn is independent of every input, so every AUC should be a coin toss;
- signal "score": churners score 30 points lower in the 13 weeks before they leave;
- signal "tenure": accounts less than a year old churn ten times as often; the score knows nothing of it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from core import vocabulary
from db.demo.load import _bulk_insert

FIRST_WEEK = dt.date(2025, 1, 6)
PLANS = ("Basic", "Pro", "Premium")
SIGNALS = ("none", "score", "tenure")


def build_history(engine: Engine, *, accounts: int, weeks: int, signal: str, seed: int = 7) -> dict[str, int]:
    """Fill an empty migrated database with a generated history; returns the rows written per table. Stays
    long: every table draws from one random stream whose order the histories depend on, read best as one
    sequence."""
    if signal not in SIGNALS:
        raise ValueError(f"signal must be one of {SIGNALS}")
    rng = np.random.default_rng(seed)
    ids = np.arange(1, accounts + 1)
    # Dates as day numbers and times as seconds since 1970, as the demo's bulk insert takes them.
    first = (FIRST_WEEK - dt.date(1970, 1, 1)).days
    since = first - rng.integers(0, 2000, accounts)
    young = (first - since) < 365
    churn_share = {
        "none": np.full(accounts, 0.2),
        "score": np.full(accounts, 0.2),
        "tenure": np.where(young, 0.5, 0.05),
    }
    churns = rng.random(accounts) < churn_share[signal]
    # Churn on a day inside the weeks scored or the 90 days after them.
    churned_on = first + rng.integers(7, weeks * 7 + 90, accounts)
    tables = {
        "accounts": pd.DataFrame(
            {
                "id": ids,
                "external_id": [f"G-{i}" for i in ids],
                "name": [f"Generated {i}" for i in ids],
                "segment": rng.choice(vocabulary.SEGMENTS, accounts),
                "customer_since": since,
                "arr": rng.uniform(1_000, 200_000, accounts).round(2),
            }
        ),
        "subscriptions": pd.DataFrame(
            {
                "external_id": [f"GS-{i}" for i in ids],
                "account_id": ids,
                "started_on": since,
                "plan": rng.choice(PLANS, accounts),
            }
        ),
        "churn_events": pd.DataFrame({"account_id": ids[churns], "churned_on": churned_on[churns]}),
    }
    week_starts = first + 7 * np.arange(weeks)
    account = np.repeat(ids, weeks)
    week = np.tile(week_starts, accounts)
    # Scored while a customer: up to the week before the churn.
    scored = ~np.repeat(churns, weeks) | (week + 6 < np.repeat(churned_on, weeks))
    base = np.repeat(rng.uniform(30, 90, accounts), weeks)
    score = base + rng.normal(0, 5, accounts * weeks)
    if signal == "score":
        before_churn = np.repeat(churns, weeks) & (np.repeat(churned_on, weeks) - week <= 97)
        score = np.where(before_churn, score - 30, score)
    tables["health_snapshots"] = pd.DataFrame(
        {
            "account_id": account[scored],
            "week_start": week[scored],
            "score": np.clip(score[scored], 0, 100).round(2),
            "weights_key": "generated",
            "computed_at": (first + 7 * weeks) * 86_400,
        }
    )
    usage_weeks = first + 7 * np.arange(-11, weeks)
    tables["usage_weekly"] = pd.DataFrame(
        {
            "account_id": np.repeat(ids, len(usage_weeks)),
            "week_start": np.tile(usage_weeks, accounts),
            "active_users": rng.poisson(20, accounts * len(usage_weeks)),
        }
    )
    tickets = rng.poisson(2 * weeks / 52, accounts)
    tables["tickets"] = pd.DataFrame(
        {
            "account_id": np.repeat(ids, tickets),
            "opened_at": first * 86_400 + rng.integers(-90 * 86_400, weeks * 7 * 86_400, tickets.sum()),
        }
    )
    counts = {}
    with engine.begin() as conn:
        for table, frame in tables.items():
            counts[table] = _bulk_insert(conn, table, frame)
    return counts
