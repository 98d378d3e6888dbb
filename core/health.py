"""Early-warning health score: five explainable 0–100 sub-scores and their weighted mean.

Each sub-score has a documented linear mapping so an account manager can see why a score
is what it is; a dimension without data is left out and the weights re-normalised.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core import metrics

DIMENSIONS = ("usage", "outcomes", "utilisation", "feedback", "support")
DIMENSION_LABELS = {
    "usage": "Product usage",
    "outcomes": "Business outcomes",
    "utilisation": "Service utilisation",
    "feedback": "Customer feedback",
    "support": "Support & operations",
}
# Below this share of the total weight backed by data, an account is "insufficient data".
MIN_KNOWN_WEIGHT_SHARE = 0.5
INSUFFICIENT = "insufficient_data"
BAND_ORDER = ("healthy", "watch", "at_risk")
BAND_LABELS = {
    "healthy": "Healthy",
    "watch": "Watch",
    "at_risk": "At risk",
    INSUFFICIENT: "Insufficient data",
}


# The weekly counts of product use; a week with any of them above 0 is a week of use.
USE_MEASURES = ("active_users", "logins", "key_feature_events")


def weeks_on_record(first_usage_week: pd.Series, start: dt.date, end: dt.date) -> pd.Series:
    """Weeks of the window start…end (Mondays, both included) on or after each account's first usage week;
    0 for an account without usage."""
    since = pd.to_datetime(first_usage_week).clip(lower=pd.Timestamp(start))
    return ((pd.Timestamp(end) - since).dt.days // 7 + 1).clip(lower=0).fillna(0)


def weekly_mean(
    total: pd.Series, known: pd.Series, rows: pd.Series, on_record: pd.Series, gap_is_zero: bool
) -> pd.Series:
    """A use count's weekly mean over a window; NaN when unknown.

    total: the count summed over the window's rows; known: the window's weeks whose row knows the count (a row
    may leave it unknown); rows: the window's weeks with a row; on_record: weeks_on_record. A row that leaves
    the count unknown counts in neither total nor weeks.
    - gap_is_zero: a week on record without a row is a week of zero use, so the mean is
      total ÷ (known + on_record − rows); unknown when the window has rows but none knows the count.
    - otherwise: total ÷ known.
    """
    known, rows = known.fillna(0), rows.fillna(0)
    if not gap_is_zero:
        return total / known.where(known > 0)
    weeks = known + on_record - rows
    return (total.fillna(0) / weeks.where(weeks > 0)).where((known > 0) | (rows == 0))


def usage_means(
    counts: pd.DataFrame, windows: dict[str, tuple[dt.date, dt.date]], gap_is_zero: bool
) -> pd.DataFrame:
    """Weekly means {measure}_{window} of each use measure per window (see weekly_mean), from first_usage_week,
    {window}_rows, {measure}_{window}_total and {measure}_{window}_known; windows: name → (first, last week)."""
    means = {}
    for window, (start, end) in windows.items():
        on_record = weeks_on_record(counts["first_usage_week"], start, end)
        for measure in USE_MEASURES:
            means[f"{measure}_{window}"] = weekly_mean(
                counts[f"{measure}_{window}_total"],
                counts[f"{measure}_{window}_known"],
                counts[f"{window}_rows"],
                on_record,
                gap_is_zero,
            )
    return pd.DataFrame(means, index=counts.index)


def ramp(values: pd.Series, zero_at: float, full_at: float) -> pd.Series:
    """Linear 0 at zero_at → 100 at full_at, clipped to 0–100 (NaN stays NaN)."""
    return ((values - zero_at) / (full_at - zero_at) * 100).clip(0, 100)


def usage_score(f: pd.DataFrame) -> pd.Series:
    """60% trend + 40% depth, or the one of them that is known.

    Trend: mean of recent-4-week ÷ prior-8-week averages of active users, logins and
    key-feature events (each capped at 1.2, unknown ones left out); 0 at a ratio of 0.5, 100 at 1.0.
    Depth: active users per purchased seat; 0 at 0, 100 at 0.6.
    Without prior weeks (a new account) the score is depth alone; with seats purchased or
    active users unknown, trend alone.
    """
    ratios = pd.concat(
        [
            (f[f"{col}_recent"] / f[f"{col}_prior"].where(f[f"{col}_prior"] > 0)).clip(upper=1.2)
            for col in ("active_users", "logins", "key_feature_events")
        ],
        axis=1,
    )
    trend = ramp(ratios.mean(axis=1), 0.5, 1.0)
    depth = ramp(f["active_users_recent"] / f["seats_purchased"].where(f["seats_purchased"] > 0), 0, 0.6)
    return (0.6 * trend + 0.4 * depth).fillna(depth).fillna(trend)


def outcomes_score(f: pd.DataFrame) -> pd.Series:
    """Share of milestones planned by now that were reached: 100 × met ÷ due; no data when none due."""
    due = f["milestones_due"].where(f["milestones_due"] > 0)
    return (100 * f["milestones_met"] / due).clip(0, 100)


def utilisation_score(f: pd.DataFrame) -> pd.Series:
    """Seats used ÷ purchased in the latest week: 0 at 20%, 100 at 80% or more."""
    return ramp(f["seats_used"] / f["seats_purchased"].where(f["seats_purchased"] > 0), 0.2, 0.8)


# The feedback points of an NPS answer's class (metrics.nps_class).
NPS_POINTS = {"promoter": 100.0, "passive": 70.0, "detractor": 20.0}


def nps_points(scores: pd.Series) -> pd.Series:
    """The feedback points of each 0–10 answer's class: promoter 100, passive 70, detractor 20; NaN unknown."""
    classes = [scores >= metrics.PROMOTER_MIN, scores > metrics.DETRACTOR_MAX, scores >= 0]
    return pd.Series(np.select(classes, list(NPS_POINTS.values()), np.nan), index=scores.index)


def one_to_five_points(values: pd.Series) -> pd.Series:
    """A 1–5 answer (CSAT, sentiment) as 0–100: 1 → 0, 5 → 100."""
    return ramp(values, 1, 5)


# The parts of the feedback sub-score: column → its points.
FEEDBACK_PARTS = {
    "nps_latest": nps_points,
    "csat_mean": one_to_five_points,
    "csm_sentiment": one_to_five_points,
}


def feedback_score(f: pd.DataFrame) -> pd.Series:
    """Mean of the parts known: latest NPS class (promoter 100, passive 70, detractor 20),
    CSAT mean (1 → 0, 5 → 100) and the account team's latest sentiment (1 → 0, 5 → 100)."""
    return pd.concat([points(f[column]) for column, points in FEEDBACK_PARTS.items()], axis=1).mean(axis=1)


SUPPORT_PENALTIES = {
    "open_tickets": 5,
    "high_severity_open": 15,
    "sla_breaches_90d": 15,
    "billing_issues_90d": 10,
    "complaints_90d": 20,
}


def support_score(f: pd.DataFrame) -> pd.Series:
    """100 minus penalties: 5 per open ticket, 15 per open high/urgent ticket, 15 per SLA breach,
    10 per billing issue and 20 per complaint or escalation in the last 90 days; floor 0."""
    penalty = sum(f[col].fillna(0) * points for col, points in SUPPORT_PENALTIES.items())
    return (100 - penalty).clip(lower=0)


def sub_scores(features: pd.DataFrame) -> pd.DataFrame:
    """The five 0–100 sub-scores per account (NaN where a dimension has no data)."""
    return pd.DataFrame(
        {
            "usage": usage_score(features),
            "outcomes": outcomes_score(features),
            "utilisation": utilisation_score(features),
            "feedback": feedback_score(features),
            "support": support_score(features),
        },
        index=features.index,
    )


def weights_from_settings(settings: dict[str, float]) -> pd.Series:
    return pd.Series({dim: float(settings[f"weight_{dim}"]) for dim in DIMENSIONS})


# A segment's health profile: {setting key → value} for the weights and band thresholds it sets itself
# (core.profiles); Profiles maps each segment with one to it.
Profiles = dict[str, dict[str, float]]
BAND_KEYS = ("band_healthy_min", "band_at_risk_below")


def band(
    scores: pd.Series, segments: pd.Series | None, settings: dict[str, float], profiles: Profiles
) -> pd.Series:
    """The health band of each score, the one place bands are drawn: healthy (≥ the healthy minimum), at_risk
    (< the at-risk threshold), watch in between; NaN → insufficient data. Each score takes the thresholds of its
    account's segment's health profile where the profile sets them, else the global settings (segments: by the
    scores' index, None or missing for an account without a segment; None for all: the global ones)."""
    if segments is None:
        segments = pd.Series(None, index=scores.index, dtype=object)
    elif not segments.index.equals(scores.index):
        segments = segments.reindex(scores.index)
    healthy_min, at_risk_below = (
        segments.map({segment: values[key] for segment, values in profiles.items() if key in values})
        .astype(float)
        .fillna(float(settings[key]))
        .to_numpy()
        for key in BAND_KEYS
    )
    return pd.Series(
        np.select(
            [scores.isna(), scores >= healthy_min, scores < at_risk_below],
            [INSUFFICIENT, "healthy", "at_risk"],
            "watch",
        ),
        index=scores.index,
    )


def combine(subs: pd.DataFrame, settings: dict[str, float]) -> pd.DataFrame:
    """Contributions, health score, band and top reason from the five sub-scores, all under settings (to score
    accounts under their segments' health profiles, use core.profiles.combine).

    score = Σ wᵢ·sᵢ ÷ Σ wᵢ over the dimensions with data; each contribution wᵢ·sᵢ ÷ Σ wᵢ
    so the contributions add up to the score. The top reason is the dimension that costs
    the most points: wᵢ·(100 − sᵢ) ÷ Σ wᵢ.
    """
    subs = subs[list(DIMENSIONS)].astype(float)
    weights = weights_from_settings(settings)
    known_weights = subs.notna().mul(weights, axis=1)
    weight_sum = known_weights.sum(axis=1)
    enough = weight_sum >= MIN_KNOWN_WEIGHT_SHARE * weights.sum()
    contributions = subs.mul(weights, axis=1).div(weight_sum.where(enough), axis=0)
    shortfall = (100 - subs).mul(weights, axis=1).div(weight_sum.where(enough), axis=0)
    result = subs.copy()
    for dim in DIMENSIONS:
        result[f"{dim}_contribution"] = contributions[dim]
    # Clipped: a sum of weighted shares may land a rounding error past 100 (e.g. 100.00000000000001 under
    # weights 40/15/15/20/20), which the snapshot table's 0–100 check refuses.
    result["score"] = contributions.sum(axis=1, min_count=1).clip(0, 100).where(enough)
    result["band"] = band(result["score"], None, settings, {})
    result["top_reason"] = shortfall.fillna(-1).idxmax(axis=1).where(enough)
    return result


def score_accounts(features: pd.DataFrame, settings: dict[str, float]) -> pd.DataFrame:
    """Sub-scores from the raw features, then combine() them into the health score."""
    return combine(sub_scores(features), settings)


def breakdown(row: pd.Series, settings: dict[str, float]) -> pd.DataFrame:
    """One account's dimensions with data: sub-score, weight, the points each adds to the score and the points it
    loses (wᵢ·(100 − sᵢ) ÷ Σ wᵢ over the dimensions with data; they add up to 100 − score), most points lost
    first, so the first row is the top reason (a tie keeps the dimensions' order, as combine() does)."""
    weights = weights_from_settings(settings)
    frame = pd.DataFrame(
        {
            "dimension": [DIMENSION_LABELS[dim] for dim in DIMENSIONS],
            "sub_score": [row[dim] for dim in DIMENSIONS],
            "weight": weights.to_numpy(),
            "points": [row[f"{dim}_contribution"] for dim in DIMENSIONS],
        }
    ).dropna(subset=["sub_score"])
    frame["lost"] = frame["weight"] * (100 - frame["sub_score"]) / frame["weight"].sum()
    return frame.sort_values("lost", ascending=False, kind="stable").reset_index(drop=True)


# Inputs an import may leave unknown, and the dimensions that read them.
INPUT_LABELS = {
    "seats_purchased": "seats purchased",
    "active_users_recent": "active users",
    "logins_recent": "logins",
    "key_feature_events_recent": "key-feature events",
    "seats_used": "seats used",
}
DIMENSION_INPUTS = {
    "usage": ("active_users_recent", "logins_recent", "key_feature_events_recent", "seats_purchased"),
    "utilisation": ("seats_used", "seats_purchased"),
}


def _listing(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def unknown_inputs(features: pd.Series, subs: pd.Series) -> str | None:
    """One account's unknown inputs and what they do to its score, in plain words, e.g. "Unknown: seats purchased,
    seats used — Service utilisation is left out of the score."; None when every input is known.

    features: the account's health_features row; subs: its sub-scores. A dimension with an unknown input is left
    out when its sub-score is unknown too, else scored from the inputs it has."""
    unknown = [column for column in INPUT_LABELS if pd.isna(features.get(column))]
    if not unknown:
        return None
    touched = [dim for dim, inputs in DIMENSION_INPUTS.items() if set(inputs) & set(unknown)]
    left_out = [DIMENSION_LABELS[dim] for dim in touched if pd.isna(subs[dim])]
    partial = [DIMENSION_LABELS[dim] for dim in touched if pd.notna(subs[dim])]
    effects = []
    if left_out:
        effects.append(f"{_listing(left_out)} {'is' if len(left_out) == 1 else 'are'} left out of the score")
    if partial:
        effects.append(
            f"{_listing(partial)} {'is' if len(partial) == 1 else 'are'} scored from the known inputs"
        )
    return f"Unknown: {', '.join(INPUT_LABELS[column] for column in unknown)} — {'; '.join(effects)}."
