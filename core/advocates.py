"""Who to ask, and when: the advocate score, ask eligibility and reference fatigue (brief, step 2)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core import metrics

# Points of the advocate score (0–100). NPS dominates because the brief says to ask promoters first.
NPS_POINTS = {"promoter": 40, "passive": 20}
CSAT_HIGH, CSAT_GOOD, CSAT_MIN_ANSWERS = 4.5, 4.0, 2
CSAT_POINTS = {"high": 15, "good": 8}
POINTS_PER_TRIGGER_KIND, MAX_TRIGGER_POINTS = 4, 20
HEALTH_POINTS = {"healthy": 10, "watch": 5}
POINTS_PER_RELATIONSHIP_STEP = 2.5  # strength 1–5 → 0–10
PAST_ADVOCACY_POINTS = 5
# Ask order: promoters, then satisfied customers (7–8), then those without an NPS answer, detractors last.
NPS_TIER = {"promoter": 3, "passive": 2, "unknown": 1, "detractor": 0}
NEVER_AGAIN_STAGES = {"paused": "paused by the program", "retired": "retired from the program"}
# Stages whose advocate has already said yes: they are worked in the pipeline, not ranked to be asked.
IN_PROGRAM_STAGES = ("agreed", "reference_ready")


def nps_class(nps_latest: pd.Series) -> pd.Series:
    """promoter (9–10), passive (7–8), detractor (0–6) or unknown (no answer) per latest NPS."""
    return pd.Series(
        np.select(
            [nps_latest.isna(), nps_latest >= metrics.PROMOTER_MIN, nps_latest > metrics.DETRACTOR_MAX],
            ["unknown", "promoter", "passive"],
            "detractor",
        ),
        index=nps_latest.index,
    )


def score_parts(candidates: pd.DataFrame) -> pd.DataFrame:
    """The advocate score's points per component and their sum (0–100).

    NPS class 40 (promoter) / 20 (7–8); CSAT mean ≥ 4.5 over ≥ 2 answers 15, ≥ 4.0 8;
    4 per distinct engagement-trigger kind (at most 20); healthy account 10, watch 5;
    relationship strength (1–5) 2.5 per step above 1; past advocacy 5.
    """
    nps = nps_class(candidates["nps_latest"]).map(NPS_POINTS).fillna(0)
    enough_csat = candidates["csat_count"] >= CSAT_MIN_ANSWERS
    csat = np.select(
        [
            enough_csat & (candidates["csat_mean"] >= CSAT_HIGH),
            enough_csat & (candidates["csat_mean"] >= CSAT_GOOD),
        ],
        [CSAT_POINTS["high"], CSAT_POINTS["good"]],
        0,
    )
    parts = pd.DataFrame(
        {
            "nps_points": nps,
            "csat_points": csat,
            "trigger_points": np.minimum(
                candidates["trigger_kinds"] * POINTS_PER_TRIGGER_KIND, MAX_TRIGGER_POINTS
            ),
            "health_points": candidates["health_band"].map(HEALTH_POINTS).fillna(0),
            "relationship_points": (candidates["relationship_strength"].clip(1, 5) - 1)
            * POINTS_PER_RELATIONSHIP_STEP,
            "advocacy_points": np.where(candidates["past_advocacy"] > 0, PAST_ADVOCACY_POINTS, 0),
        },
        index=candidates.index,
    ).astype(float)
    parts["advocate_score"] = parts.sum(axis=1)
    return parts


def why(candidates: pd.DataFrame) -> pd.Series:
    """Why each candidate scores as it does, in words (for the rows on screen)."""
    klass = nps_class(candidates["nps_latest"])

    def sentence(row: pd.Series, nps: str) -> str:
        parts = []
        if nps in NPS_POINTS:
            parts.append(f"{nps} (NPS {row['nps_latest']:.0f})")
        if row["csat_count"] >= CSAT_MIN_ANSWERS and row["csat_mean"] >= CSAT_GOOD:
            parts.append(f"CSAT {row['csat_mean']:.1f} over {row['csat_count']:.0f} answers")
        if row["trigger_kinds"] > 0:
            kinds = int(row["trigger_kinds"])
            parts.append(f"{kinds} kind{'s' if kinds > 1 else ''} of engagement trigger")
        if row["health_band"] in HEALTH_POINTS:
            parts.append(f"{row['health_band']} account")
        if row["relationship_strength"] >= 4:
            parts.append(f"strong relationship ({row['relationship_strength']:.0f}/5)")
        if row["past_advocacy"] > 0:
            parts.append(f"advocated {row['past_advocacy']:.0f}× before")
        text = "; ".join(parts) or "no positive signal yet"
        return text[0].upper() + text[1:]

    return pd.Series(
        [sentence(row, nps) for (_, row), nps in zip(candidates.iterrows(), klass, strict=True)],
        index=candidates.index,
        dtype=object,
    )


def eligibility(candidates: pd.DataFrame, today: dt.date, settings: dict[str, float]) -> pd.DataFrame:
    """May each contact be asked today? One column per rule, `eligible`, `available_on` and `reasons`.

    Never when the latest NPS is at or below the floor (5) or the account is at risk; not yet when a
    customer for under 90 days, after a complaint or escalated ticket in the last 30 days, or when
    asked in the last 75 days (re-circle); never while paused or retired. `available_on` is the day
    the time-bound rules clear (today when eligible; NaT while an open-ended rule applies).
    The rules' sentences come from reasons(), for the rows on screen.
    """
    today_ts = pd.Timestamp(today)

    def until(column: str, days_key: str) -> pd.Series:
        # Whole days: a complaint is a ticket's opening time, and a time of day must not shift the rule.
        return candidates[column].dt.normalize() + pd.to_timedelta(settings[days_key], unit="D")

    new_until = until("customer_since", "new_customer_days")
    complaint_until = until("last_complaint_on", "complaint_days")
    recircle_until = until("last_asked_on", "recircle_days")
    rules = pd.DataFrame(
        {
            "low_nps": candidates["nps_latest"] <= settings["nps_ask_floor"],
            "too_new": new_until > today_ts,
            "recent_complaint": complaint_until > today_ts,
            "asked_recently": recircle_until > today_ts,
            "at_risk": candidates["health_band"] == "at_risk",
            "stopped": candidates["stage"].isin(list(NEVER_AGAIN_STAGES)),
        },
        index=candidates.index,
    )
    open_ended = rules[["low_nps", "at_risk", "stopped"]].any(axis=1)
    waits = pd.concat(
        [
            new_until.where(rules["too_new"]),
            complaint_until.where(rules["recent_complaint"]),
            recircle_until.where(rules["asked_recently"]),
        ],
        axis=1,
    ).max(axis=1)
    rules["eligible"] = ~rules.any(axis=1)
    rules["available_on"] = waits.fillna(today_ts).where(~open_ended)
    return rules


def reasons(candidates: pd.DataFrame, rules: pd.DataFrame, settings: dict[str, float]) -> pd.Series:
    """Every 'not now' of each contact (rules from eligibility()) as a sentence with its numbers."""
    if candidates.empty:
        return pd.Series(dtype=object)
    text = pd.DataFrame(index=candidates.index)

    def day(column: str) -> pd.Series:
        return candidates[column].dt.strftime("%d %b %Y")

    text["low_nps"] = (
        "latest NPS "
        + candidates["nps_latest"].map("{:.0f}".format)
        + f" is {settings['nps_ask_floor']:g} or below"
    )
    text["too_new"] = (
        f"customer for under {settings['new_customer_days']:g} days (since " + day("customer_since") + ")"
    )
    text["recent_complaint"] = (
        "complaint or escalated ticket on "
        + day("last_complaint_on")
        + f" (within {settings['complaint_days']:g} days)"
    )
    text["asked_recently"] = (
        "asked on " + day("last_asked_on") + f" (re-circle after {settings['recircle_days']:g} days)"
    )
    text["at_risk"] = "account health is at risk"
    text["stopped"] = candidates["stage"].map(NEVER_AGAIN_STAGES)
    applies = [text[rule].where(rules[rule]).to_numpy(dtype=object) for rule in text.columns]
    return pd.Series(
        [[sentence for sentence in row if isinstance(sentence, str)] for row in zip(*applies, strict=True)],
        index=candidates.index,
        dtype=object,
    )


def fatigue(activities: pd.DataFrame, today: dt.date, settings: dict[str, float]) -> pd.DataFrame:
    """Reference fatigue per advocate from their reference activities (columns advocate_id, on).

    Fatigued after `fatigue_max_activities` activities in the last `fatigue_window_days`, or within
    `fatigue_cooldown_days` of the last one. `available_on`: the first day neither holds.
    """
    today_ts = pd.Timestamp(today)
    window = pd.Timedelta(days=settings["fatigue_window_days"])
    cooldown = pd.Timedelta(days=settings["fatigue_cooldown_days"])
    limit = int(settings["fatigue_max_activities"])
    past = activities[activities["on"] <= today_ts]
    recent = past[past["on"] > today_ts - window].sort_values("on", ascending=False)
    newest_first = recent.groupby("advocate_id").cumcount() + 1
    # The count falls below the limit once the limit-th newest activity leaves the window.
    leaves_window = recent.loc[newest_first == limit].set_index("advocate_id")["on"] + window
    result = pd.DataFrame(
        {
            "activities_in_window": recent.groupby("advocate_id").size(),
            "last_activity_on": past.groupby("advocate_id")["on"].max(),
        }
    )
    result["activities_in_window"] = result["activities_in_window"].fillna(0).astype(int)
    cool_until = result["last_activity_on"] + cooldown
    result["available_on"] = (
        pd.concat([cool_until.where(cool_until > today_ts), leaves_window.reindex(result.index)], axis=1)
        .max(axis=1)
        .fillna(today_ts)
    )
    result["fatigued"] = result["available_on"] > today_ts
    result.index.name = "advocate_id"
    return result


def fatigue_reason(row: pd.Series, settings: dict[str, float]) -> str:
    """Why one fatigued advocate is not offered, and from when they are again."""
    if row["activities_in_window"] >= settings["fatigue_max_activities"]:
        cause = (
            f"{row['activities_in_window']} reference activities in the last {settings['fatigue_window_days']:g} days "
            f"(at most {settings['fatigue_max_activities']:g})"
        )
    else:
        cause = f"cool-down of {settings['fatigue_cooldown_days']:g} days after {row['last_activity_on']:%d %b %Y}"
    return f"Fatigued: {cause}; available again on {row['available_on']:%d %b %Y}."


def rank(candidates: pd.DataFrame, today: dt.date, settings: dict[str, float]) -> pd.DataFrame:
    """Contacts not yet in the program (agreed or reference-ready) in ask order, with score and eligibility.

    Order: eligible first, then promoters, 7–8, no answer, detractors, then by advocate score.
    In deep program mode only the top `deep_pool_size` of that order form the active pool.
    """
    candidates = candidates[~candidates["stage"].isin(IN_PROGRAM_STAGES)]
    ranked = pd.concat(
        [candidates, score_parts(candidates), eligibility(candidates, today, settings)], axis=1
    )
    ranked["nps_class"] = nps_class(candidates["nps_latest"])
    ranked = ranked.assign(_tier=ranked["nps_class"].map(NPS_TIER)).sort_values(
        ["eligible", "_tier", "advocate_score"], ascending=False, kind="stable"
    )
    ranked = ranked.drop(columns="_tier")
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    deep = settings["program_deep"] >= 1
    ranked["in_pool"] = ranked["rank"] <= settings["deep_pool_size"] if deep else True
    return ranked


SHOW_OPTIONS = {"eligible": "Eligible now", "not_now": "Not now", "all": "All"}


def shortlist(ranked: pd.DataFrame, show: str) -> pd.DataFrame:
    """The ranked contacts one view shows: eligible now, not now, or all — in deep mode the active pool only."""
    pool = ranked[ranked["in_pool"]]
    if show == "eligible":
        return pool[pool["eligible"]]
    if show == "not_now":
        return pool[~pool["eligible"]]
    return pool
