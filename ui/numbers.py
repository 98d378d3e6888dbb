"""Number formats shown to people: compact money, signed scores, and 'no data'."""

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
