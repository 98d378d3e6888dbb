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
