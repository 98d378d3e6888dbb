"""Weekly product usage: seats used, active users, logins and key-feature events that follow health."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from db.demo.accounts import Book
from db.demo.churn import Fates
from db.demo.timeline import stream

USAGE_CHUNK_ACCOUNTS = 5_000


def usage_frames(seed: int, *, book: Book, fate: Fates, weeks: np.ndarray) -> Iterator[pd.DataFrame]:
    """usage_weekly in chunks of accounts (up to one row per account and week), for streaming inserts."""
    season = _season(weeks) * stream(seed, "season").normal(1, 0.02, len(weeks))
    first_week = fate.since + (7 - (fate.since + 3) % 7) % 7
    for chunk, start in enumerate(range(0, book.count, USAGE_CHUNK_ACCOUNTS)):
        idx = np.arange(start, min(start + USAGE_CHUNK_ACCOUNTS, book.count))
        valid = (weeks[None, :] >= first_week[idx, None]) & (weeks[None, :] + 7 <= fate.end[idx, None])
        row, col = np.nonzero(valid)
        yield _usage_rows(stream(seed, "usage", chunk), book, fate, idx[row], weeks[col], season[col])


def _season(weeks: np.ndarray) -> np.ndarray:
    """Use per week relative to normal: the year-end holidays and August are quiet."""
    mid = (weeks + 3).astype("datetime64[D]")
    month = mid.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_of_month = (mid - mid.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return np.where(
        (month == 12) & (day_of_month >= 22) | (month == 1) & (day_of_month <= 4),
        0.55,
        np.where((month == 12) & (day_of_month >= 15), 0.85, np.where(month == 8, 0.88, 1.0)),
    )


def _usage_rows(
    rng: np.random.Generator,
    book: Book,
    fate: Fates,
    account: np.ndarray,
    week: np.ndarray,
    season: np.ndarray,
) -> pd.DataFrame:
    """One usage row per (account, week): new accounts ramp up, declining ones fall with their health."""
    size = len(account)
    m = fate.health(account, week + 3)
    age = week - fate.since[account]
    ramp = np.clip(0.3 + 0.7 * age / 84, 0.3, 1)
    seat_ramp = np.clip(0.5 + 0.5 * age / 56, 0.5, 1)
    seats = book.seats[account]
    seats_used = np.minimum(
        np.round(
            seats * book.utilisation[account] * (0.6 + 0.4 * m) * seat_ramp * rng.lognormal(0, 0.03, size)
        ),
        seats,
    )
    active = np.minimum(
        np.round(seats_used * book.engagement[account] * m * ramp * season * rng.lognormal(0, 0.07, size)),
        seats_used,
    )
    logins = np.round(active * book.logins_per_user[account] * np.sqrt(season) * rng.lognormal(0, 0.1, size))
    features = np.round(active * book.feature_rate[account] * m**0.8 * rng.lognormal(0, 0.15, size))
    return pd.DataFrame(
        {
            "account_id": account + 1,
            "week_start": week,
            "active_users": active.astype(np.int64),
            "logins": logins.astype(np.int64),
            "key_feature_events": features.astype(np.int64),
            "seats_used": seats_used.astype(np.int64),
        }
    )
