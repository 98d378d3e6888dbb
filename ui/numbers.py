"""Number formats shown to people: compact money, signed scores, and 'no data'."""

import functools

import pandas as pd

NO_DATA = "no data"


def money(amount: float) -> str:
    """$1.2M, $350k, $900 style."""
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= threshold:
            return f"${amount / threshold:,.1f}{suffix}"
    return f"${amount:,.0f}"


def score(value: float | None) -> str:
    """A signed score such as NPS (+34), or 'no data'."""
    if value is None:
        return NO_DATA
    return "0" if round(value) == 0 else f"{value:+.0f}"


def score_plain(value: float | None) -> str:
    """A 0–100 score as a whole number, or 'no data'."""
    return NO_DATA if value is None or value != value else f"{value:.0f}"


def kpi(value: float | None, unit: str) -> str:
    """A KPI value in its unit (points, percent, money, times, count), or 'no data'."""
    if value is None or value != value:
        return NO_DATA
    if unit == "points":
        return score(value)
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "money":
        return money(value)
    if unit == "times":
        return f"{value:.1f}×"
    return f"{value:,.0f}"


def kpi_change(change: float | None, unit: str) -> str | None:
    """A signed change in a KPI's unit ('+1.5 pts', '−$2.0k'); None when unknown (no delta is shown)."""
    if change is None or change != change:
        return None
    sign = "+" if change >= 0 else "-"
    size = abs(change)
    if unit == "points":
        return f"{sign}{size:.1f}"
    if unit == "percent":
        return f"{sign}{size:.1f} pts"
    if unit == "money":
        return sign + money(size)
    if unit == "times":
        return f"{sign}{size:.1f}×"
    return f"{sign}{size:,.0f}"


def kpi_unchanged(change: float | None, unit: str) -> bool:
    """Whether a known change reads as zero in its unit (+0, +0.0 pts, +$0): no change worth an arrow."""
    if change is None or change != change:
        return False
    return kpi_change(abs(change), unit) == kpi_change(0.0, unit)


# ---- table cells: one string per value, "—" for nothing --------------------------------------------------

MISSING = "—"
MINUS = "−"


def _missing(value: object) -> bool:
    """None, NaN, NaT or NA."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def amount(value: float | None) -> str:
    """An exact amount in dollars without cents: $521,600, or '—'."""
    if _missing(value):
        return MISSING
    text = f"${abs(value):,.0f}"
    return MINUS + text if round(value) < 0 else text


def count(value: float | None) -> str:
    """A whole number with thousands separators (1,234), or '—'."""
    return MISSING if _missing(value) else f"{value:,.0f}".replace("-", MINUS)


def decimal(value: float | None, digits: int = 1) -> str:
    """A number with a fixed number of decimals (80.0), or '—'."""
    return MISSING if _missing(value) else f"{value + 0.0:,.{digits}f}".replace("-", MINUS)


def signed(value: float | None, digits: int = 0) -> str:
    """A change with its sign (+3, −1.5, 0), or '—'."""
    if _missing(value):
        return MISSING
    if round(value, digits) == 0:
        return "0"
    return f"{value:+,.{digits}f}".replace("-", MINUS)


def signed_money(value: float | None) -> str:
    """A change in compact dollars with its sign (+$1.2M, −$300, $0), or '—'."""
    if _missing(value):
        return MISSING
    if round(value) == 0:
        return "$0"
    return ("+" if value > 0 else MINUS) + money(abs(value))


def percent(share: float | None) -> str:
    """A share 0–1 as a whole percent (67%), or '—'."""
    return MISSING if _missing(share) else f"{share:.0%}"


@functools.lru_cache(maxsize=4096)
def day(value: object) -> str:
    """A date as people write it (6 Dec 2026), or '—'. Remembered: a long table repeats a few hundred days."""
    if _missing(value):
        return MISSING
    moment = pd.Timestamp(value)
    return f"{moment.day} {moment:%b %Y}"


def label(value: object, labels: dict[str, str]) -> str:
    """A stored code in words (case_study → Case study), or '—'."""
    if _missing(value):
        return MISSING
    return labels.get(str(value), str(value).replace("_", " ").capitalize())


def text(value: object) -> str:
    """Text as it is, or '—' for nothing."""
    return MISSING if _missing(value) or str(value).strip() == "" else str(value)


def plural(n: int, noun: str) -> str:
    """noun for one, noun + s for any other count (1 follow-up, 2 follow-ups, 0 follow-ups)."""
    return noun if n == 1 else noun + "s"
