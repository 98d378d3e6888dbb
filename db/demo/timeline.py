"""Day numbers, the calendar arithmetic on them, and the random draws every demo table shares."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import numpy as np
import pandas as pd

EPOCH = dt.date(1970, 1, 1)
DAY_SECONDS = 86_400
NEVER = 10**7  # a day number far beyond any as_of: "no such event"
# About two and a half years of weekly usage: 50,000 accounts give ~5.2M usage rows.
HISTORY_WEEKS = 128


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: every date in the generator is such a number, every time seconds since then."""
    return (day - EPOCH).days


def history_weeks(as_of: int) -> np.ndarray:
    """The Mondays of the HISTORY_WEEKS full weeks that end on or before as_of, oldest first."""
    return monday_on_or_before(as_of - 6) - 7 * np.arange(HISTORY_WEEKS - 1, -1, -1)


def month_start(day: int) -> int:
    """The first day of the calendar month of a day number."""
    return int(np.datetime64(day, "D").astype("datetime64[M]").astype("datetime64[D]").astype(np.int64))


def stream(seed: int, stage: str, *extra: int) -> np.random.Generator:
    """An independent random stream per stage, so stages can change without reshuffling others."""
    return np.random.default_rng([seed, zlib.crc32(stage.encode()), *extra])


def numbered(frame: pd.DataFrame, order_by: str, prefix: str | None = None) -> pd.DataFrame:
    """Sort rows by time (so ids grow with time) and number them from 1."""
    frame = frame.sort_values(order_by, kind="stable").reset_index(drop=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    if prefix:
        frame.insert(1, "external_id", [f"{prefix}-{i:07d}" for i in frame["id"].tolist()])
    return frame


def add_years(days: np.ndarray, years: np.ndarray | int) -> np.ndarray:
    """Day numbers moved by whole calendar years (29 February lands on 28 February)."""
    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    day_of_month = (dates - months.astype("datetime64[D]")).astype(np.int64)
    month_of_year = months.astype(np.int64) % 12
    year = months.astype("datetime64[Y]").astype(np.int64) + np.asarray(years)
    day_of_month = np.where((month_of_year == 1) & (day_of_month == 28), 27, day_of_month)
    shifted = (year.astype("datetime64[Y]").astype("datetime64[M]") + month_of_year).astype("datetime64[D]")
    return (shifted + day_of_month).astype(np.int64)


def year_of(days: np.ndarray) -> np.ndarray:
    """The calendar year of each day number."""
    return (
        np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
        + 1970
    )


def monday_on_or_before(day: int) -> int:
    """The Monday that starts the week of a day number."""
    return day - (day + 3) % 7


def pick(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category index per row of a (rows × categories) probability matrix."""
    cumulative = np.cumsum(probabilities / probabilities.sum(axis=1, keepdims=True), axis=1)
    return np.minimum(
        (rng.random(len(probabilities))[:, None] > cumulative).sum(axis=1), probabilities.shape[1] - 1
    )


def span(low: float, high: float, x: np.ndarray) -> np.ndarray:
    """Log-uniform interpolation between low and high for x in [0, 1]."""
    return low * (high / low) ** x


def between(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A uniform whole day in [low, high] per element."""
    return (low + np.floor(rng.random(len(low)) * (high - low + 1))).astype(np.int64)


def work_seconds(rng: np.random.Generator, size: int) -> np.ndarray:
    """Seconds into the day, mostly during office hours."""
    hours = np.clip(rng.normal(13, 2.5, size), 6, 21)
    return (hours * 3600).astype(np.int64)


def slug(title: str) -> str:
    """A URL-safe slug of a title."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
