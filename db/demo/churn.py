"""Each account's fate — churned in the window, slipping now, a dip that recovers, upsell-ready — and its
latent health over time, which every usage, survey, ticket and milestone row follows; the churn events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from db.demo.timeline import NEVER, add_years, month_start, year_of

CHURN_REASONS_DECLINE = (
    "Low adoption: teams did not know how to use it internally",
    "Low adoption: teams did not know how to use it internally",
    "Switched to a competitor",
    "Did not see the expected ROI",
    "Poor support experience",
    "Price increase at renewal",
    "Champion left the company",
)
CHURN_REASONS_SURPRISE = (
    "Acquired by another company",
    "Budget cut",
    "Consolidated vendors after a merger",
    "Business closed",
)
FRESH_CUSTOMERS = 2


@dataclass(frozen=True)
class Fates:
    """Per account (index i is account id i + 1): its days as a customer and the shape of its health."""

    as_of: int
    since: np.ndarray
    end: np.ndarray  # the first day it is no longer a customer: its churn day, else as_of + 1
    churned: np.ndarray
    slipping: np.ndarray  # declining now, churns at its next renewal after as_of
    surprise: np.ndarray  # churned without a decline before (acquired, budget cut, …)
    upsell: np.ndarray
    churn_day: np.ndarray  # NEVER when not churned
    renewal: np.ndarray
    decline_start: np.ndarray
    decline_end: np.ndarray
    decline_floor: np.ndarray
    dip_start: np.ndarray
    dip_length: np.ndarray
    dip_floor: np.ndarray
    active_from: np.ndarray  # the active part of the history window: [active_from, active_to] inclusive
    active_to: np.ndarray

    @property
    def declining(self) -> np.ndarray:
        """Churned after a decline (not by surprise)."""
        return self.churned & ~self.surprise

    def health(self, account: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The latent health multiplier (1 = normal, lower = declining or dipping) on day."""
        start, end = self.decline_start[account], self.decline_end[account]
        progress = np.clip((day - start) / (end - start), 0, 1)
        declined = 1 - (1 - self.decline_floor[account]) * progress**1.3
        dip_start, dip_length = self.dip_start[account], self.dip_length[account]
        depth = np.clip(1 - np.abs(2 * (day - dip_start) / dip_length - 1), 0, 1)
        return np.minimum(declined, 1 - (1 - self.dip_floor[account]) * depth)


def fates(rng: np.random.Generator, *, count: int, as_of: int, window_start: int) -> Fates:
    """Draw every account's fate, customer_since, churn day, renewal, decline and dip."""
    fate = rng.random(count)
    churned = fate < 0.135
    slipping = (fate >= 0.135) & (fate < 0.185)
    dipping = (fate >= 0.185) & (fate < 0.285)
    upsell = (fate >= 0.285) & (fate < 0.325)
    surprise = churned & (rng.random(count) < 0.2)
    since, churn_day, renewal = _customer_days(rng, churned, slipping, as_of)
    decline = _decline(rng, churned & ~surprise, slipping, churn_day, renewal, as_of)
    dip = _dip(rng, dipping, since, as_of, window_start)
    end = np.where(churned, churn_day, as_of + 1)
    return Fates(
        as_of,
        since,
        end,
        churned,
        slipping,
        surprise,
        upsell,
        churn_day,
        renewal,
        *decline,
        *dip,
        active_from=np.maximum(since, window_start),
        active_to=np.minimum(end - 1, as_of),
    )


def _customer_days(
    rng: np.random.Generator, churned: np.ndarray, slipping: np.ndarray, as_of: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """customer_since, the churn day (NEVER if none) and the next renewal after as_of."""
    n = len(churned)
    recency = rng.random(n)
    days_ago = np.where(
        recency < 0.04,
        rng.integers(1, 90, n),
        np.where(recency < 0.2, rng.integers(90, 730, n), rng.integers(730, 2190, n)),
    )
    since = as_of - days_ago
    # Customers keep arriving up to as_of: two active accounts started in the current month to date, so
    # even a small book has new customers (and, through referrals, referred ones) in every period to date.
    fresh = np.flatnonzero(~churned & ~slipping)[:FRESH_CUSTOMERS]
    since[fresh] = as_of - np.arange(len(fresh)) * (as_of - month_start(as_of) + 1) // len(fresh)
    # Subscriptions mostly end at a renewal: churn (and the slipping accounts' next renewal)
    # falls on an anniversary of customer_since.
    tenure_years = rng.integers(1, 6, n)
    churn_day = as_of - rng.integers(7, 729, n)
    at_renewal = rng.random(n) < 0.65
    since = np.where(
        churned,
        np.where(at_renewal, add_years(churn_day, -tenure_years), churn_day - rng.integers(150, 1800, n)),
        since,
    )
    since = np.where(slipping, add_years(as_of + rng.integers(20, 151, n), -tenure_years), since)
    churn_day = np.where(churned, churn_day, NEVER)
    year_diff = year_of(np.full(n, as_of)) - year_of(since)
    renewal = add_years(since, year_diff)
    renewal = np.where(renewal <= as_of, add_years(since, year_diff + 1), renewal)
    return since, churn_day, renewal


def _decline(
    rng: np.random.Generator,
    declining: np.ndarray,
    slipping: np.ndarray,
    churn_day: np.ndarray,
    renewal: np.ndarray,
    as_of: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end and floor of the decline before a churn (or before a slipping account's renewal)."""
    n = len(declining)
    start = np.full(n, float(NEVER))
    end = np.full(n, float(NEVER + 1))
    floor = np.ones(n)
    lead = rng.integers(90, 181, n)
    end[declining] = churn_day[declining]
    start[declining] = churn_day[declining] - lead[declining]
    floor[declining] = rng.uniform(0.12, 0.4, declining.sum())
    end[slipping] = renewal[slipping] + rng.integers(0, 30, slipping.sum())
    start[slipping] = as_of - rng.integers(60, 151, slipping.sum())
    floor[slipping] = rng.uniform(0.12, 0.35, slipping.sum())
    return start, end, floor


def _dip(
    rng: np.random.Generator, dipping: np.ndarray, since: np.ndarray, as_of: int, window_start: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, length and floor of a temporary dip that recovers, inside the history window."""
    n = len(dipping)
    low = np.maximum(since + 60, window_start)
    dipping = dipping & (low < as_of - 10)
    start = np.where(dipping, low + rng.random(n) * (as_of - 10 - low), float(NEVER))
    length = np.where(dipping, rng.uniform(42, 112, n), 1.0)
    floor = rng.uniform(0.35, 0.65, n)
    return start, length, floor


def churn_events(rng: np.random.Generator, fates: Fates, arr: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The churn_events rows with a reason fitting the fate, and which churns lost their champion."""
    n = len(fates.churned)
    reasons = np.where(
        fates.surprise,
        np.array(CHURN_REASONS_SURPRISE, dtype=object)[rng.integers(0, len(CHURN_REASONS_SURPRISE), n)],
        np.array(CHURN_REASONS_DECLINE, dtype=object)[rng.integers(0, len(CHURN_REASONS_DECLINE), n)],
    )
    gone = np.flatnonzero(fates.churned)
    champion_left = fates.churned & (reasons == "Champion left the company")
    frame = pd.DataFrame(
        {
            "id": np.arange(1, len(gone) + 1),
            "account_id": gone + 1,
            "churned_on": fates.churn_day[gone],
            "reason": reasons[gone],
            "arr_lost": arr[gone],
        }
    )
    return frame, champion_left
