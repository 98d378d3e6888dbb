"""Outreach measures: response and agreement rates by channel, owner, follow-up and month, with honest intervals.

The domain brief asks to "compare channels (if phone converts better than email, invest in
phone)"; every rate here carries a 95% Wilson interval so the page only claims a difference
the data supports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

CHANNEL_LABELS = {
    "email": "Email",
    "phone": "Phone",
    "video_call": "Video call",
    "in_person": "In-person",
    "social_dm": "Social DM",
}
OWNER_ROLE_LABELS = {"csm": "CSM", "ae": "AE", "marketing": "Marketing"}
GROUP_LABELS = {"channel": CHANNEL_LABELS, "owner_role": OWNER_ROLE_LABELS}
RESPONSE_OUTCOMES = ("responded", "agreed", "declined")
AGREED = "agreed"
# Below this many asks a channel's interval is too wide to be worth comparing.
MIN_ATTEMPTS = 20
Z_95 = 1.959964
GROUPINGS = ("channel", "owner_role", "follow_up_number", "month")
RATE_COLUMNS = [
    "attempts",
    "responses",
    "agreements",
    "response_rate",
    "response_low",
    "response_high",
    "agreement_rate",
    "agreement_low",
    "agreement_high",
]
# Advocates, each counted once however often they were asked (the charts count asks instead).
FUNNEL_STAGES = (
    "Advocates asked",
    "Answered at least once",
    "Agreed at least once",
    "Produced an asset or reference",
)
# Asks, follow-ups included, counted as the charts count them.
ASK_STAGES = ("Asks sent", "Answered", "Agreed")
TIME_COLUMNS = ["channel", "responses", "median_days", "p75_days"]
ALL_CHANNELS = "All channels"
EN_DASH = "\u2013"


def wilson_interval(successes: ArrayLike, n: ArrayLike, z: float = Z_95) -> tuple[ArrayLike, ArrayLike]:
    """Wilson score bounds for successes/n: (p + z²/2n)/(1 + z²/n) ∓ z·√(p(1−p)/n + z²/4n²)/(1 + z²/n), in [0, 1]; NaN when n = 0."""
    k = np.asarray(successes, dtype=float)
    total = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe = np.where(total > 0, total, np.nan)
        p = k / safe
        z2 = z * z
        denominator = 1 + z2 / safe
        centre = (p + z2 / (2 * safe)) / denominator
        half = z * np.sqrt(p * (1 - p) / safe + z2 / (4 * safe * safe)) / denominator
    low = np.clip(centre - half, 0.0, 1.0)
    high = np.clip(centre + half, 0.0, 1.0)
    index = next((x.index for x in (successes, n) if isinstance(x, pd.Series)), None)
    if index is not None:
        return pd.Series(low, index=index), pd.Series(high, index=index)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def rates(tally: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per group of a tally (attempts counted in n per month, channel, owner role, follow-up number and outcome):
    attempts, responses, agreements, response_rate = responses ÷ attempts, agreement_rate = agreements ÷ attempts,
    each with 95% Wilson bounds."""
    if by not in GROUPINGS:
        raise ValueError(f"rates by {by!r}: expected one of {', '.join(GROUPINGS)}")
    if tally.empty:
        return pd.DataFrame(columns=[by, *RATE_COLUMNS])
    n = tally["n"]
    counts = pd.DataFrame(
        {
            "attempts": n,
            "responses": n.where(tally["outcome"].isin(RESPONSE_OUTCOMES), 0),
            "agreements": n.where(tally["outcome"] == AGREED, 0),
        }
    )
    table = counts.groupby(tally[by], sort=True).sum().astype("int64").rename_axis(by).reset_index()
    for name, column in (("response", "responses"), ("agreement", "agreements")):
        hits = table[column].to_numpy()
        table[f"{name}_rate"] = hits / table["attempts"].to_numpy()
        table[f"{name}_low"], table[f"{name}_high"] = wilson_interval(hits, table["attempts"].to_numpy())
    if by in ("channel", "owner_role"):
        table = table.sort_values(["agreement_rate", by], ascending=[False, True], kind="stable")
    return table[[by, *RATE_COLUMNS]].reset_index(drop=True)


def channel_order(by_channel: pd.DataFrame) -> list[str]:
    """Channels from the best agreement rate to the worst (rates() by channel), never-used channels last."""
    tried = list(by_channel["channel"])
    return tried + [channel for channel in CHANNEL_LABELS if channel not in tried]


def channel_label(channel: str) -> str:
    """The channel as people say it: video_call → Video call."""
    return CHANNEL_LABELS.get(channel, str(channel).replace("_", " ").capitalize())


def ask_totals(tally: pd.DataFrame) -> pd.DataFrame:
    """Asks sent (follow-ups included), answered and agreed over the whole tally, the totals of the rates() charts;
    share_of_sent = count ÷ asks sent (NaN when none were sent)."""
    n = tally["n"]
    values = np.array(
        [n.sum(), n[tally["outcome"].isin(RESPONSE_OUTCOMES)].sum(), n[tally["outcome"] == AGREED].sum()],
        dtype="int64",
    )
    share = values / values[0] if values[0] > 0 else np.full(len(values), np.nan)
    return pd.DataFrame({"stage": list(ASK_STAGES), "asks": values, "share_of_sent": share})


def _percent(rate: float, low: float, high: float) -> str:
    return f"{rate * 100:.0f}% [{low * 100:.0f}{EN_DASH}{high * 100:.0f}]"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def finding(by_channel: pd.DataFrame) -> str:
    """One sentence comparing the best and worst channel by agreement rate, claiming a difference only when their 95% intervals do not overlap."""
    enough = by_channel[by_channel["attempts"] >= MIN_ATTEMPTS]
    if len(enough) < 2:
        return f"Not enough data: fewer than two channels have {MIN_ATTEMPTS} or more asks."
    ranked = enough.sort_values(["agreement_rate", "channel"], ascending=[False, True], kind="stable")
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    best_label, worst_label = channel_label(best["channel"]), channel_label(worst["channel"])
    best_text = _percent(best["agreement_rate"], best["agreement_low"], best["agreement_high"])
    worst_text = _percent(worst["agreement_rate"], worst["agreement_low"], worst["agreement_high"])
    if not best["agreement_low"] > worst["agreement_high"]:
        return (
            "Not enough data to say one channel converts better: the 95% intervals of the best "
            f"({best_label}, {best_text}) and the worst ({worst_label}, {worst_text}) overlap."
        )
    sizes = f"n={int(best['attempts']):,} vs {int(worst['attempts']):,}."
    if worst["agreement_rate"] == 0:
        return f"{best_label} asks convert at {best_text} vs {worst_text} for {_lower_first(worst_label)}, {sizes}"
    ratio = best["agreement_rate"] / worst["agreement_rate"]
    return f"{best_label} asks convert {ratio:.1f}× {_lower_first(worst_label)}: {best_text} vs {worst_text}, {sizes}"


def funnel(counts: dict[str, int]) -> pd.DataFrame:
    """Distinct advocates asked, responded, agreed and (of those agreed) produced an asset or reference; share_of_asked = advocates ÷ asked."""
    values = np.array(
        [counts["asked"], counts["responded"], counts["agreed"], counts["produced"]], dtype="int64"
    )
    share = values / values[0] if values[0] > 0 else np.full(len(values), np.nan)
    return pd.DataFrame({"stage": list(FUNNEL_STAGES), "advocates": values, "share_of_asked": share})


def _weighted_quantile(days: pd.Series, n: pd.Series, q: float) -> float:
    """The smallest day count by which at least share q of the n-weighted answers had come."""
    order = days.argsort(kind="stable")
    days, n = days.iloc[order].to_numpy(), n.iloc[order].to_numpy()
    return float(days[np.searchsorted(np.cumsum(n), q * n.sum())])


def time_to_response(response_days: pd.DataFrame) -> pd.DataFrame:
    """Per channel and for all channels, from answers counted per channel and whole days (n): responses,
    median and 75th-percentile days from sent to answered."""
    if response_days.empty:
        return pd.DataFrame(columns=TIME_COLUMNS)
    groups = [(channel_label(c), part) for c, part in response_days.groupby("channel")]
    groups.append((ALL_CHANNELS, response_days))
    table = pd.DataFrame(
        {
            "channel": [label for label, _ in groups],
            "responses": [int(part["n"].sum()) for _, part in groups],
            "median_days": [_weighted_quantile(part["days"], part["n"], 0.5) for _, part in groups],
            "p75_days": [_weighted_quantile(part["days"], part["n"], 0.75) for _, part in groups],
        }
    )
    per_channel = table.iloc[:-1].sort_values(["median_days", "channel"], kind="stable")
    return pd.concat([per_channel, table.iloc[-1:]], ignore_index=True)[TIME_COLUMNS]


def labelled(rates_frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """A rates() frame with its channel or owner-role codes replaced by the words people read."""
    if by not in GROUP_LABELS:
        return rates_frame
    return rates_frame.assign(**{by: rates_frame[by].map(GROUP_LABELS[by])})
