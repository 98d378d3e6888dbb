"""Early-warning signals on top of the health score: flags, why a score moved, and proof it predicts churn.

Everything here takes score_accounts output (core.health) and the raw feature rows, so the
numbers an account manager sees in a reason are the ones the score was computed from.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from core import health

# The brief calls "high usage near the seat limit" an upsell opportunity without a number;
# 90% of purchased seats is the line agreed for the board.
UPSELL_SEAT_SHARE = 0.9
# A reason is only worth a manager's attention when its dimension moved the score this much.
MIN_REASON_POINTS = 1.0
# Scores are weighted means of floats: a drop shown as exactly 15.0 must still count as 15.
_EPSILON = 1e-9
MINUS = "\u2212"


def flags(
    current: pd.DataFrame,
    four_weeks_ago: pd.Series,
    features: pd.DataFrame,
    as_of: dt.date,
    settings: dict[str, float],
) -> pd.DataFrame:
    """Per account: trend = score − score 4 weeks ago; sharp_drop (trend ≤ −drop_points), renewal_at_risk (at_risk, renewal in 0…renewal_window_days days), upsell (seats used ÷ purchased ≥ 90% and usage ≥ band_healthy_min)."""
    index = current.index
    trend = current["score"] - four_weeks_ago.reindex(index)
    renewal = features["renewal_date"].reindex(index)
    days_to_renewal = (renewal - pd.Timestamp(as_of)).dt.days
    seats_purchased = features["seats_purchased"].reindex(index)
    seat_share = features["seats_used"].reindex(index) / seats_purchased.where(seats_purchased > 0)
    result = pd.DataFrame(
        {
            "trend": trend,
            "sharp_drop": trend <= -settings["drop_points"] + _EPSILON,
            "renewal_at_risk": (current["band"] == "at_risk")
            & (days_to_renewal >= 0)
            & (days_to_renewal <= settings["renewal_window_days"]),
            "upsell": (seat_share >= UPSELL_SEAT_SHARE - _EPSILON)
            & (current["usage"] >= settings["band_healthy_min"]),
        },
        index=index,
    )
    return result.rename_axis("account_id")


# ---- why a score changed -------------------------------------------------------------


def _num(value: float) -> str:
    """A count or measure as people write it: 19, 4.5, none."""
    if value is None or pd.isna(value):
        return "none"
    rounded = round(float(value), 1)
    text = f"{rounded:.0f}" if rounded.is_integer() else f"{rounded:.1f}"
    return text.replace("-", MINUS)


def _signed(value: float, decimals: int) -> str:
    """+4.0 / −9.5 with a real minus sign; zero carries no sign."""
    text = f"{abs(value):.{decimals}f}"
    if float(text) == 0:
        return text
    return ("+" if value > 0 else MINUS) + text


def _plural(count: float, singular: str, plural: str) -> str:
    return singular if count == 1 else plural


def _usage_driver(before: pd.Series, after: pd.Series) -> str:
    """The usage measure (active users, logins, key-feature events) with the largest relative change."""
    names = {
        "active_users_recent": "active users",
        "logins_recent": "logins",
        "key_feature_events_recent": "key-feature events",
    }
    best: tuple[float, str] | None = None
    for col, name in names.items():
        old, new = before.get(col), after.get(col)
        if pd.isna(old) or pd.isna(new) or old == new:
            continue
        if old == 0:
            change, text = math.inf, f"{name} rose from 0 to {_num(new)}"
        else:
            ratio = (new - old) / old
            verb = "rose" if ratio > 0 else "fell"
            change, text = abs(ratio), f"{name} {verb} {abs(ratio):.0%} ({_num(old)} → {_num(new)})"
        if best is None or change > best[0]:
            best = (change, text)
    if best is not None:
        return best[1]
    old_seats, new_seats = before.get("seats_purchased"), after.get("seats_purchased")
    if old_seats != new_seats:
        return f"same active users over {_num(new_seats)} purchased seats (was {_num(old_seats)})"
    # Recent activity unchanged: the score moved because the 8-week baseline behind it did.
    return "same recent activity against a different 8-week baseline"


def _utilisation_driver(before: pd.Series, after: pd.Series) -> str:
    def share(row: pd.Series) -> float:
        purchased = row.get("seats_purchased")
        return row.get("seats_used") / purchased if purchased and purchased > 0 else np.nan

    old, new = share(before), share(after)
    verb = "rose" if new > old else "fell"
    was = "none" if pd.isna(old) else f"{old:.0%}"
    now = "none" if pd.isna(new) else f"{new:.0%}"
    return (
        f"seat use {verb} to {now} "
        f"({_num(after.get('seats_used'))} of {_num(after.get('seats_purchased'))} seats, was {was})"
    )


def _outcomes_driver(before: pd.Series, after: pd.Series) -> str:
    def met(row: pd.Series) -> str:
        due = row.get("milestones_due")
        if pd.isna(due) or due <= 0:
            return "none due"
        return f"{_num(row.get('milestones_met'))} of {_num(due)}"

    return f"{met(after)} milestones met (was {met(before)})"


def _part_move(old: float, new: float) -> float:
    """How far a feedback part moved; a part appearing or disappearing outranks any move."""
    if pd.isna(old) and pd.isna(new):
        return 0.0
    return math.inf if pd.isna(old) or pd.isna(new) else abs(new - old)


def _feedback_driver(before: pd.Series, after: pd.Series) -> str:
    """Latest NPS, CSAT or account-team sentiment, whichever moved the feedback sub-score most (in that order on a tie)."""
    names = {"nps_latest": "latest NPS", "csat_mean": "CSAT", "csm_sentiment": "account team sentiment"}
    best: tuple[float, str] | None = None
    for col, points in health.FEEDBACK_PARTS.items():
        old, new = before.get(col), after.get(col)
        move = _part_move(*points(pd.Series([old, new], dtype=float)))
        name = names[col]
        if move > 0 and (best is None or move > best[0]):
            best = (move, f"{name} {_num(new)} (was {_num(old)})")
    return best[1] if best else "feedback unchanged"


SUPPORT_WORDING = {
    "sla_breaches_90d": ("SLA breach in 90 days", "SLA breaches in 90 days"),
    "complaints_90d": ("complaint or escalation in 90 days", "complaints or escalations in 90 days"),
    "high_severity_open": ("high-severity ticket open", "high-severity tickets open"),
    "billing_issues_90d": ("billing issue in 90 days", "billing issues in 90 days"),
    "open_tickets": ("open ticket", "open tickets"),
}


def _support_driver(before: pd.Series, after: pd.Series) -> str:
    """The support count whose change cost or gave back the most penalty points."""
    best: tuple[float, str] | None = None
    for col, (singular, plural) in SUPPORT_WORDING.items():
        old = 0.0 if pd.isna(before.get(col)) else float(before[col])
        new = 0.0 if pd.isna(after.get(col)) else float(after[col])
        impact = abs(new - old) * health.SUPPORT_PENALTIES[col]
        if impact > 0 and (best is None or impact > best[0]):
            best = (impact, f"{_num(new)} {_plural(new, singular, plural)} (was {_num(old)})")
    return best[1] if best else "support counts unchanged"


_DRIVERS = {
    "usage": _usage_driver,
    "outcomes": _outcomes_driver,
    "utilisation": _utilisation_driver,
    "feedback": _feedback_driver,
    "support": _support_driver,
}


def explain_change(
    before: pd.Series,
    after: pd.Series,
    features_before: pd.Series,
    features_after: pd.Series,
    weights: pd.Series,
) -> tuple[float, list[str]]:
    """Score change (after − before) and one sentence per dimension whose contribution moved ≥ 1 point, largest first."""
    total = float(after["score"] - before["score"])
    moves = pd.Series(
        {
            dim: np.nan_to_num(after[f"{dim}_contribution"]) - np.nan_to_num(before[f"{dim}_contribution"])
            for dim in health.DIMENSIONS
        }
    )
    # Contributions already carry the weights; a dimension weighted 0 is switched off by the
    # admin and must not be explained even if float noise moves it.
    moves = moves[~(weights.reindex(moves.index) == 0)]
    moves = moves[moves.abs() >= MIN_REASON_POINTS - _EPSILON]
    order = moves.abs().sort_values(ascending=False, kind="stable").index
    reasons = []
    for dim in order:
        if pd.isna(before[f"{dim}_contribution"]):
            driver = "no data the week before"
        elif pd.isna(after[f"{dim}_contribution"]):
            driver = "no data this week"
        elif _unchanged_inputs(dim, features_before, features_after):
            # Another dimension gaining or losing data changes the share of the rest; say so rather
            # than inventing a driver from features that did not change. A share grows when a dimension drops out.
            driver = (
                "its data did not change, but it counts for more now that another dimension has no data"
                if moves[dim] > 0
                else "its data did not change, but it counts for less now that another dimension has data"
            )
        else:
            driver = _DRIVERS[dim](features_before, features_after)
        reasons.append(f"{health.DIMENSION_LABELS[dim]} {_signed(moves[dim], 1)} pts: {driver}")
    return total, reasons


_INPUTS = {
    "usage": [
        "active_users_recent",
        "active_users_prior",
        "logins_recent",
        "logins_prior",
        "key_feature_events_recent",
        "key_feature_events_prior",
        "seats_purchased",
    ],
    "outcomes": ["milestones_due", "milestones_met"],
    "utilisation": ["seats_used", "seats_purchased"],
    "feedback": ["nps_latest", "csat_mean", "csm_sentiment"],
    "support": list(health.SUPPORT_PENALTIES),
}


def _unchanged_inputs(dim: str, before: pd.Series, after: pd.Series) -> bool:
    cols = [c for c in _INPUTS[dim] if c in before.index and c in after.index]
    return before[cols].astype(float).equals(after[cols].astype(float))


def change_headline(total: float, reasons: list[str]) -> str:
    """Whole-point change and the drivers of the first two reasons, e.g. "−14 pts: active users fell 38%; 2 SLA breaches in 90 days"."""
    if total is None or pd.isna(total):
        return "No score to compare"
    head = f"{_signed(total, 0)} pts"
    # A reason reads "<dimension> <±x> pts: <driver> (<detail>)"; the headline keeps the driver.
    drivers = [reason.split(": ", 1)[-1].split(" (", 1)[0] for reason in reasons[:2]]
    return f"{head}: {'; '.join(drivers)}" if drivers else head


# ---- proof that the score predicts churn ---------------------------------------------


def roc_auc(scores: pd.Series, churned: pd.Series) -> float | None:
    """P(a random churner scores lower than a random non-churner), ties half = U ÷ (n_churned·n_stayed) by ranks; None if a class is empty."""
    frame = pd.DataFrame({"score": scores, "churned": churned}).dropna()
    is_churned = frame["churned"].astype(bool).to_numpy()
    n_churned = int(is_churned.sum())
    n_stayed = len(frame) - n_churned
    if n_churned == 0 or n_stayed == 0:
        return None
    ranks = frame["score"].rank(method="average").to_numpy()
    # Mann–Whitney U of the non-churners: pairs where they outscore a churner, ties counting half.
    u_stayed = ranks[~is_churned].sum() - n_stayed * (n_stayed + 1) / 2
    return float(u_stayed / (n_churned * n_stayed))


def _band_order(bands: pd.Series) -> list[str]:
    order = list(health.BAND_ORDER)
    return [*order, health.INSUFFICIENT] if (bands == health.INSUFFICIENT).any() else order


def churn_by_band(bands: pd.Series, churned: pd.Series) -> pd.DataFrame:
    """Accounts, churned accounts and churn rate = churned ÷ accounts per band (healthy, watch, at_risk always; NaN rate when empty)."""
    frame = pd.DataFrame({"band": bands, "churned": churned.reindex(bands.index).fillna(False).astype(bool)})
    grouped = frame.groupby("band")["churned"].agg(accounts="size", churned="sum")
    grouped = grouped.reindex(_band_order(bands), fill_value=0).astype(int)
    grouped["churn_rate"] = grouped["churned"] / grouped["accounts"].where(grouped["accounts"] > 0)
    return grouped.rename_axis("band").reset_index()


def at_risk_lift(bands: pd.Series, churned: pd.Series) -> float | None:
    """Churn rate of at-risk accounts ÷ churn rate of all accounts; None without at-risk accounts or churners."""
    is_churned = churned.reindex(bands.index).fillna(False).astype(bool)
    at_risk = bands == "at_risk"
    if not at_risk.any() or not is_churned.any():
        return None
    return float(is_churned[at_risk].mean() / is_churned.mean())


# ---- weights preview -----------------------------------------------------------------


def band_changes(current: pd.DataFrame, proposed: pd.DataFrame) -> pd.DataFrame:
    """Accounts per (from_band, to_band) among those whose band differs between current and proposed, in band order."""
    pairs = pd.DataFrame({"from_band": current["band"], "to_band": proposed["band"].reindex(current.index)})
    moved = pairs[pairs["from_band"] != pairs["to_band"]]
    counts = moved.groupby(["from_band", "to_band"]).size().rename("accounts").reset_index()
    rank = {name: i for i, name in enumerate([*health.BAND_ORDER, health.INSUFFICIENT])}
    counts = counts.sort_values(
        ["from_band", "to_band"], key=lambda col: col.map(rank).fillna(len(rank)), kind="stable"
    )
    return counts.reset_index(drop=True).astype({"accounts": int})


def count_band_changes(current: pd.DataFrame, proposed: pd.DataFrame) -> int:
    """Number of accounts whose band differs between current and proposed scoring."""
    return int((current["band"] != proposed["band"].reindex(current.index)).sum())
