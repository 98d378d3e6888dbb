"""Account facts as people read them: a fact an import left blank reads "unknown", never None, nan or 0."""

from __future__ import annotations

import pandas as pd

from ui import numbers

UNKNOWN = "unknown"


def text(value: object) -> str:
    """A text fact (segment, industry, region…), or 'unknown'."""
    return UNKNOWN if pd.isna(value) else str(value)


def day(value: object, style: str = "%d %b %Y") -> str:
    """A date fact in style, or 'unknown'."""
    return UNKNOWN if pd.isna(value) else f"{pd.Timestamp(value):{style}}"


def money(value: float | None) -> str:
    """An amount such as ARR as $1.2M, or 'unknown'."""
    return UNKNOWN if pd.isna(value) else numbers.money(value)


def filled(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy of frame whose unknown values in columns read 'unknown' (so filters can offer and match them)."""
    return frame.fillna(dict.fromkeys(columns, UNKNOWN))
