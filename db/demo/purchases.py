"""Purchases (first purchase, renewals, expansions) and the monthly acquisition spend."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import vocabulary as v
from db.demo.accounts import Book
from db.demo.churn import Fates
from db.demo.timeline import add_years, between, numbered

# Monthly acquisition spend per 1,000 accounts, before noise: enterprise-style, a new customer costs about
# twice its first-year contract.
SPEND_BASE = {
    "paid_search": 600_000,
    "events": 450_000,
    "content": 225_000,
    "outbound": 525_000,
    "referral_rewards": 30_000,
}


def purchases(
    rng: np.random.Generator, *, book: Book, fate: Fates, referred: np.ndarray, referral_id: np.ndarray
) -> pd.DataFrame:
    """Initial purchase at customer_since, one renewal per anniversary, a few expansions."""
    n = book.count
    last_day = np.minimum(fate.end - 1, fate.as_of)
    first_amount = np.round(book.arr * rng.uniform(0.75, 1.0, n), -2)
    referral = np.full(n, np.nan)
    referral[referred] = referral_id
    # Referred customers spend more on their first purchase (brief: 10–25%).
    first_amount[referred] = np.round(first_amount[referred] * rng.uniform(1.1, 1.25, len(referred)), -2)
    frames = [
        pd.DataFrame(
            {
                "account_id": np.arange(1, n + 1),
                "purchased_on": fate.since,
                "amount": first_amount,
                "referral_id": referral,
            }
        )
    ]
    for year in range(1, 8):
        renewal = add_years(fate.since, year)
        due = np.flatnonzero(renewal <= last_day)
        if len(due) == 0:
            break
        frames.append(
            pd.DataFrame(
                {
                    "account_id": due + 1,
                    "purchased_on": renewal[due],
                    "amount": np.round(book.arr[due] * rng.uniform(0.85, 1.0, len(due)), -2),
                    "referral_id": np.nan,
                }
            )
        )
    expands = np.flatnonzero((rng.random(n) < 0.25) & (last_day - fate.since > 200))
    expands = np.repeat(expands, rng.integers(1, 3, len(expands)))
    frames.append(
        pd.DataFrame(
            {
                "account_id": expands + 1,
                "purchased_on": between(rng, fate.since[expands] + 90, last_day[expands]),
                "amount": np.round(book.arr[expands] * rng.uniform(0.1, 0.3, len(expands)), -2),
                "referral_id": np.nan,
            }
        )
    )
    return numbered(pd.concat(frames, ignore_index=True), "purchased_on", "PO")


def acquisition_spend(
    rng: np.random.Generator, *, accounts: int, as_of: int, rewards: pd.DataFrame
) -> pd.DataFrame:
    """Monthly acquisition spend per channel over the last 24 months; referral rewards add their value."""
    this_month = np.datetime64(as_of, "D").astype("datetime64[M]")
    months = this_month - np.arange(23, -1, -1)
    month_number = months.astype(np.int64) % 12 + 1
    reward_month = (
        rewards["given_on"]
        .to_numpy()
        .astype(np.int64)
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )
    reward_total = pd.Series(rewards["value"].fillna(0).to_numpy()).groupby(reward_month).sum()
    scale = accounts / 1000
    rows = []
    for channel in v.SPEND_CHANNELS:
        amount = SPEND_BASE[channel] * scale * rng.lognormal(0, 0.15, len(months))
        if channel == "events":
            amount *= np.where(np.isin(month_number, (3, 6, 10)), 2.2, 0.7)
        if channel == "referral_rewards":
            amount += reward_total.reindex(months.astype(np.int64), fill_value=0).to_numpy()
        rows.append(
            pd.DataFrame(
                {
                    "month": months.astype("datetime64[D]").astype(np.int64),
                    "channel": channel,
                    "amount": np.round(amount, 2),
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True).sort_values(["month", "channel"], ignore_index=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame
