"""Referral codes, referrals and their funnels; some referrals became the newer accounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import vocabulary as v
from db.demo.accounts import Book
from db.demo.advocates import Advocates, reward_rows
from db.demo.churn import Fates
from db.demo.timeline import DAY_SECONDS, NEVER, numbered, slug, work_seconds

CAMPAIGNS = ("always-on", "spring-double-credit", "q3-email-a", "q3-email-b", "summit-vip", "partner-week")
CAMPAIGN_P = np.array([0.35, 0.15, 0.15, 0.15, 0.10, 0.10])
# Of the customers won in the last 700 days, the share that came through a referral; of the referrals
# sent, the share that became a customer. At 500 accounts this gives about 6 referral purchases and
# 20 referrals a quarter, a referral rate of about 5% against the brief's 7.5% benchmark.
REFERRED_SHARE = 0.5
CONVERSION = 0.12


@dataclass(frozen=True)
class Referrals:
    """Per referral in draw order: the converted ones first, each becoming the account in `converted`."""

    referral_id: np.ndarray
    advocate: np.ndarray  # index into the advocates
    created: np.ndarray
    campaign: np.ndarray  # index into CAMPAIGNS
    converted: np.ndarray  # the accounts the first len(converted) referrals became, by customer_since

    @property
    def converted_id(self) -> np.ndarray:
        """The referral id of each converted account."""
        return self.referral_id[: len(self.converted)]


def referrals(
    rng: np.random.Generator, *, book: Book, fate: Fates, advocates: Advocates
) -> tuple[Referrals, pd.DataFrame, np.ndarray]:
    """The referrals rows and every advocate's referral code (None without one)."""
    eligible = np.flatnonzero((fate.since >= fate.as_of - 700) & (fate.since <= fate.as_of))
    # Referred customers stay longer (brief: ~16%): fewer of them churn or slip.
    weight = np.where(fate.churned | fate.slipping, 0.4, 1.0)
    # The newest customer came through a referral, so every period to date has referral revenue.
    newest_first = eligible[np.argsort(-fate.since[eligible], kind="stable")]
    newest, rest = newest_first[:1], newest_first[1:]
    n_conv = max(len(newest), round(REFERRED_SHARE * len(eligible)))
    converted = np.sort(
        np.concatenate(
            [
                newest,
                rng.choice(rest, n_conv - len(newest), replace=False, p=weight[rest] / weight[rest].sum()),
            ]
        )
    )
    count = max(10, round(n_conv / CONVERSION))
    # Referrals are sent up to as_of, the last one on it, so no period a page opens on is empty.
    created = np.concatenate(
        [
            fate.since[converted] - rng.integers(14, 75, n_conv),
            fate.as_of - rng.integers(0, 700, count - n_conv),
        ]
    )
    created[-1] = fate.as_of
    company = np.concatenate([book.names[converted], rng.choice(book.prospect_names, count - n_conv)])
    advocate = _referrers(rng, advocates.agreed_on, created)
    campaign = rng.choice(len(CAMPAIGNS), count, p=CAMPAIGN_P)
    order = np.argsort(created, kind="stable")
    referral_id = np.empty(count, dtype=np.int64)
    referral_id[order] = np.arange(1, count + 1)
    codes = np.array(
        [
            f"{slug(name).replace('-', '')[:8].upper()}-{i}"
            for i, name in enumerate(book.names[advocates.account].tolist(), start=1)
        ],
        dtype=object,
    )
    gets_code = np.isin(advocates.stage, ("agreed", "reference_ready")) & (rng.random(len(codes)) < 0.3)
    gets_code[np.unique(advocate)] = True
    sequence = pd.Series(advocate).groupby(advocate).cumcount().to_numpy() + 1
    frame = pd.DataFrame(
        {
            "id": referral_id,
            "code": [f"{codes[a]}-{k}" for a, k in zip(advocate, sequence.tolist(), strict=True)],
            "advocate_id": advocate + 1,
            "referred_company": company,
            "campaign": np.array(CAMPAIGNS)[campaign],
            "created_on": created,
        }
    ).sort_values("id", ignore_index=True)
    drawn = Referrals(referral_id, advocate, created, campaign, converted)
    return drawn, frame, np.where(gets_code, codes, None)


def _referrers(rng: np.random.Generator, agreed_on: np.ndarray, created: np.ndarray) -> np.ndarray:
    """The advocate behind each referral: one who agreed before the referral was made."""
    pool = np.flatnonzero(agreed_on < NEVER)
    if len(pool) == 0:
        pool = np.arange(len(agreed_on))
    pool = pool[np.argsort(agreed_on[pool], kind="stable")]
    available = np.maximum(np.searchsorted(agreed_on[pool], created, side="right"), min(10, len(pool)))
    return pool[np.floor(rng.random(len(created)) * available).astype(np.int64)]


def referral_events(rng: np.random.Generator, drawn: Referrals, fate: Fates) -> pd.DataFrame:
    """The funnel email_sent → … → purchase, each step with fewer referrals and a later time."""
    count, n_conv = len(drawn.referral_id), len(drawn.converted)
    click_p = np.where(np.array(CAMPAIGNS)[drawn.campaign] == "q3-email-b", 0.58, 0.42)
    step_p = np.column_stack(
        [np.full(count, 0.62), click_p, np.full(count, 0.92), np.full(count, 0.45), np.full(count, 0.45)]
    )
    reached = np.ones((count, 7), dtype=bool)
    for step in range(1, 6):
        reached[:, step] = reached[:, step - 1] & (rng.random(count) < step_p[:, step - 1])
    reached[:, 6] = False
    reached[:n_conv] = True
    start = drawn.created * DAY_SECONDS + work_seconds(rng, count)
    gaps = rng.lognormal(np.log([1, 6, 0.05, 24, 72, 240]), 0.6, (count, 6)) * 3600
    times = start[:, None] + np.concatenate([np.zeros((count, 1)), np.cumsum(gaps, axis=1)], axis=1)
    # Converted referrals end in a purchase on the new customer's first day: fit their funnel before it.
    end = fate.since[drawn.converted] * DAY_SECONDS + 15 * 3600
    span = (times[:n_conv, 6] - times[:n_conv, 0])[:, None]
    times[:n_conv] = (
        start[:n_conv, None] + (times[:n_conv] - times[:n_conv, :1]) / span * (end - start[:n_conv])[:, None]
    )
    reached &= times < (fate.as_of + 1) * DAY_SECONDS
    row, step = np.nonzero(reached)
    frame = pd.DataFrame(
        {
            "referral_id": drawn.referral_id[row],
            "event": np.array(v.REFERRAL_EVENTS)[step],
            "occurred_at": times[row, step].astype(np.int64),
        }
    )
    return numbered(frame.sort_values(["occurred_at", "referral_id"]), "occurred_at")


def thank_referrers(
    rng: np.random.Generator, drawn: Referrals, fate: Fates
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Thank-yous and rewards to the advocates whose referral became a customer."""
    n_conv = len(drawn.converted)
    converted_day = fate.since[drawn.converted]
    advocate_id = drawn.advocate[:n_conv] + 1
    thanked = rng.random(n_conv) < 0.85
    thank_yous = pd.DataFrame(
        {
            "advocate_id": advocate_id[thanked],
            "reason": "referral_converted",
            "channel": "email",
            "sent_on": np.minimum(converted_day[thanked] + rng.integers(0, 10, thanked.sum()), fate.as_of),
            "note": None,
        }
    )
    rewarded = rng.random(n_conv) < 0.7
    kinds = rng.choice([0, 3], rewarded.sum())
    rewards = reward_rows(
        rng,
        advocate_id[rewarded],
        np.minimum(converted_day[rewarded] + rng.integers(3, 20, rewarded.sum()), fate.as_of),
        kinds,
    )
    return thank_yous, rewards
