"""Sales' reference requests, matched to advocates or assets of the prospect's industry where possible,
and the uses of assets in deals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import vocabulary as v
from db.demo.accounts import Book
from db.demo.advocates import Advocates
from db.demo.assets import Library
from db.demo.people import Staff
from db.demo.timeline import DAY_SECONDS, between, numbered, span

REQUEST_INDUSTRY_P = [0.18, 0.14, 0.12, 0.11, 0.10, 0.08, 0.08, 0.08, 0.05, 0.06]


def reference_requests(
    rng: np.random.Generator,
    *,
    book: Book,
    advocates: Advocates,
    library: Library,
    staff: Staff,
    as_of: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reference_requests rows and the thank-yous for references given."""
    count = max(10, book.count // 10)
    as_of_s = as_of * DAY_SECONDS
    recent = 8 + book.count // 500
    age_hours = np.concatenate([rng.uniform(1, 540 * 24, count - recent), rng.uniform(1, 110, recent)])
    industry = rng.choice(len(v.INDUSTRIES), count, p=REQUEST_INDUSTRY_P)
    segment = rng.choice(3, count, p=[0.35, 0.4, 0.25])
    kind = rng.choice(len(v.REQUEST_KINDS), count, p=[0.45, 0.15, 0.10, 0.30])
    # Two urgent calls left open past their 48 hours: the emergency the library should prevent.
    kind[-2:], age_hours[-2:] = 0, (60, 90)
    age_hours[-3] = 30
    requested = (as_of_s + 17 * 3600 - age_hours * 3600).astype(np.int64)
    kinds = np.array(v.REQUEST_KINDS)[kind]
    urgent = np.isin(kinds, ("call", "asset"))
    needed = requested + np.where(urgent, 48 * 3600, rng.integers(5, 15, count) * DAY_SECONDS)
    status = _status(rng, age_hours / 24)
    deal = _deal_size(rng, segment)
    fulfilled = np.minimum(
        requested + (rng.uniform(4, 96, count) * 3600).astype(np.int64), as_of_s + 17 * 3600
    )
    # A request fulfilled this morning: reference activity runs up to as_of.
    fulfilled[-3] = as_of_s + 10 * 3600
    done = status == 2
    advocate, asset, matched = _assign(
        rng, industry, kinds, status, advocates=advocates, library=library, book=book
    )
    closed, won = _outcomes(rng, done, fulfilled, matched, as_of_s)
    frame = pd.DataFrame(
        {
            "prospect": rng.choice(book.prospect_names, count),
            "industry": np.array(v.INDUSTRIES)[industry],
            "company_size": np.array(v.SEGMENTS)[segment],
            "region": np.array(v.REGIONS)[rng.choice(4, count, p=[0.45, 0.30, 0.17, 0.08])],
            "product": np.array(v.PRODUCTS)[rng.choice(3, count, p=[0.40, 0.35, 0.25])],
            "deal_size": deal,
            "deal_stage": np.array(v.DEAL_STAGES)[rng.choice(4, count, p=[0.15, 0.35, 0.30, 0.20])],
            "kind": kinds,
            "requested_by": rng.choice(staff.sales, count),
            "requested_at": requested,
            "needed_by": needed,
            "status": np.array(v.REQUEST_STATUSES)[status],
            "assigned_advocate_id": advocate,
            "assigned_asset_id": asset,
            "fulfilled_at": np.where(done, fulfilled, np.nan),
            "outcome": np.where(closed, np.where(won, "won", "lost"), None),
            "won_amount": np.where(won, np.round(deal * rng.uniform(0.85, 1.15, count), -2), np.nan),
            "version": 1,
        }
    )
    frame = numbered(frame, "requested_at")
    return frame, _thank_references(rng, frame, as_of)


def _status(rng: np.random.Generator, age_days: np.ndarray) -> np.ndarray:
    """Index into REQUEST_STATUSES: young requests open or assigned, older ones mostly done."""
    count = len(age_days)
    status = np.where(
        age_days < 2,
        rng.choice(4, count, p=[0.6, 0.4, 0, 0]),
        np.where(
            age_days < 10,
            rng.choice(4, count, p=[0.3, 0.3, 0.35, 0.05]),
            rng.choice(4, count, p=[0, 0.02, 0.86, 0.12]),
        ),
    )
    status[-3:] = 2, 0, 0
    return status


def _outcomes(
    rng: np.random.Generator, done: np.ndarray, fulfilled: np.ndarray, matched: np.ndarray, as_of_s: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which deals are decided and which won: they close a few days to two months after the reference,
    and a reference from the prospect's own industry wins more often."""
    count = len(done)
    closing = fulfilled + rng.integers(3, 60, count) * DAY_SECONDS
    closed = done & (closing < as_of_s) & (rng.random(count) < 0.8)
    return closed, closed & (rng.random(count) < np.where(matched, 0.62, 0.4))


def _deal_size(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    """The prospect's deal size, rounded to thousands, in its segment's range."""
    count = len(segment)
    return np.round(
        np.choose(
            segment,
            [
                span(8e3, 4e4, rng.random(count)),
                span(4e4, 2e5, rng.random(count)),
                span(2e5, 1.5e6, rng.random(count)),
            ],
        ),
        -3,
    )


def _assign(
    rng: np.random.Generator,
    industry: np.ndarray,
    kinds: np.ndarray,
    status: np.ndarray,
    *,
    advocates: Advocates,
    library: Library,
    book: Book,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The advocate or asset (1-based, NaN if none) assigned to each request, and whether its industry matched."""
    count = len(industry)
    adv_industry = book.industry[advocates.account]
    ready = np.isin(advocates.stage, ("reference_ready", "agreed"))
    advocate = np.full(count, np.nan)
    asset = np.full(count, np.nan)
    matched = np.zeros(count, dtype=bool)
    wants_asset = kinds == "asset"
    for i in np.flatnonzero((status >= 1) & (status != 3)).tolist():
        if wants_asset[i]:
            pool = np.flatnonzero(library.approved & (library.industry == industry[i]))
            if len(pool) == 0:
                pool = np.flatnonzero(library.approved)
            else:
                matched[i] = True
            if len(pool):
                asset[i] = pool[rng.integers(len(pool))] + 1
        else:
            pool = np.flatnonzero(ready & (adv_industry == industry[i]))
            if len(pool) == 0:
                pool = np.flatnonzero(ready)
            else:
                matched[i] = True
            if len(pool):
                advocate[i] = pool[rng.integers(len(pool))] + 1
    return advocate, asset, matched


def _thank_references(rng: np.random.Generator, requests: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """Thank-yous to most advocates who gave a reference, a few days after it."""
    fulfilled_days = requests["fulfilled_at"].to_numpy() // DAY_SECONDS
    thanked = (
        requests["assigned_advocate_id"].notna().to_numpy()
        & (fulfilled_days + 3 <= as_of)
        & (rng.random(len(requests)) < 0.7)
    )
    return pd.DataFrame(
        {
            "advocate_id": requests["assigned_advocate_id"].to_numpy()[thanked].astype(np.int64),
            "reason": "reference_fulfilled",
            "channel": "email",
            "sent_on": fulfilled_days[thanked] + 2,
            "note": None,
        }
    )


def asset_usage(
    rng: np.random.Generator,
    *,
    requests: pd.DataFrame,
    library: Library,
    book: Book,
    staff: Staff,
    as_of: int,
) -> pd.DataFrame:
    """Library uses of approved assets, plus one use per fulfilled asset request."""
    linked = requests[requests["assigned_asset_id"].notna() & (requests["status"] == "done")]
    approved = np.flatnonzero(library.approved)
    uses = rng.poisson(2.5, len(approved))
    asset = np.repeat(approved, uses)
    size = len(asset)
    used_on = between(rng, library.published[asset], np.full(size, as_of))
    settled = used_on + rng.integers(3, 90, size) <= as_of
    result = rng.random(size)
    outcome = np.where(settled & (result < 0.35), "won", np.where(settled & (result < 0.7), "lost", None))
    amount = np.round(span(8e3, 1e6, rng.random(size)), -3)
    users = np.concatenate([staff.sales, staff.sales, staff.marketing])
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "asset_id": linked["assigned_asset_id"].to_numpy(),
                    "used_by": linked["requested_by"].to_numpy(),
                    "used_on": linked["fulfilled_at"].to_numpy() // DAY_SECONDS,
                    "reference_request_id": linked["id"].to_numpy().astype(np.float64),
                    "opportunity": linked["prospect"].to_numpy(),
                    "outcome": linked["outcome"].to_numpy(),
                    "amount": np.where(linked["outcome"].eq("won"), linked["won_amount"], np.nan),
                }
            ),
            pd.DataFrame(
                {
                    "asset_id": (asset + 1).astype(np.float64),
                    "used_by": rng.choice(users, size),
                    "used_on": used_on,
                    "reference_request_id": np.nan,
                    "opportunity": rng.choice(book.prospect_names, size),
                    "outcome": outcome,
                    "amount": np.where(pd.isna(outcome), np.nan, amount),
                }
            ),
        ],
        ignore_index=True,
    )
    return numbered(frame, "used_on")
