"""Reporting periods: calendar months, quarters and years, and the like-for-like period before each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

GRAINS = {"Month": "M", "Quarter": "Q", "Year": "Y"}
ONE_DAY = pd.Timedelta(days=1)
MONTHS = {"Month": 1, "Quarter": 3, "Year": 12}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def week_start(day: dt.date) -> dt.date:
    """The Monday that starts day's week: usage, scores and the weekly review go by such weeks."""
    return day - dt.timedelta(days=day.weekday())


def day_after(day: dt.date | pd.Timestamp) -> pd.Timestamp:
    """Midnight that ends day: a date or moment falls on day or before it when it is earlier than this."""
    return pd.Timestamp(day).normalize() + ONE_DAY


def on_days(moments: pd.Series, start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp) -> pd.Series:
    """True where a date or moment falls on a day from start to end, both included (unknown: False)."""
    moments = pd.to_datetime(moments)
    return (moments >= pd.Timestamp(start).normalize()) & (moments < day_after(end))


def _label(start: pd.Period, to_date: bool) -> str:
    text = {"M": start.strftime("%B %Y"), "Q": f"Q{start.quarter} {start.year}", "Y": str(start.year)}[
        start.freqstr[0]
    ]
    return f"{text} (to date)" if to_date else text


def recent(grain: str, today: dt.date, count: int) -> list[Period]:
    """The current period of a grain (to date, ending today) and the count − 1 full periods before it, newest first."""
    current = pd.Period(today, freq=GRAINS[grain])
    periods = []
    for back in range(count):
        calendar = current - back
        end = today if back == 0 else calendar.end_time.date()
        periods.append(Period(calendar.start_time.date(), end, _label(calendar, back == 0)))
    return periods


def previous(period: Period, grain: str) -> Period:
    """The calendar period before; a period to date compares with the same days of the one before."""
    current = pd.Period(period.start, freq=GRAINS[grain])
    calendar = current - 1
    full_end = calendar.end_time.date()
    if period.end >= current.end_time.date():
        return Period(calendar.start_time.date(), full_end, _label(calendar, False))
    same_day = (pd.Timestamp(period.end) - pd.DateOffset(months=MONTHS[grain])).date()
    end = min(same_day, full_end)
    suffix = "" if end == full_end else f" (to {end:%-d %b})"
    return Period(calendar.start_time.date(), end, _label(calendar, False) + suffix)
