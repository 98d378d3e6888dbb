"""The advocate pipeline: stages, conversion, time in stage, the follow-up rule and owed thank-yous."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core.vocabulary import ADVOCATE_STAGES

# The path an advocate walks; paused, declined and retired are side exits.
MAIN_PATH = ("candidate", "nominated", "asked", "agreed", "reference_ready")
STAGE_LABELS = {
    "candidate": "Candidate",
    "nominated": "Nominated",
    "asked": "Asked",
    "agreed": "Agreed",
    "reference_ready": "Reference-ready",
    "paused": "Paused",
    "declined": "Declined",
    "retired": "Retired",
}


def stage_counts(advocates: pd.DataFrame) -> pd.DataFrame:
    """How many advocates stand in each stage now, every stage listed in pipeline order."""
    counts = advocates["stage"].value_counts().reindex(list(ADVOCATE_STAGES), fill_value=0)
    return pd.DataFrame({"stage": [STAGE_LABELS[s] for s in counts.index], "advocates": counts.to_numpy()})


def conversion(stage_changes: pd.DataFrame) -> pd.DataFrame:
    """Of the advocates who reached each main-path stage, the share who went on to the next.

    Reaching a stage counts reaching any later main-path stage too (an ask may skip nomination).
    """
    step = stage_changes["to_stage"].map({stage: i for i, stage in enumerate(MAIN_PATH)})
    furthest = step.groupby(stage_changes["advocate_id"]).max().dropna()
    reached = np.array([(furthest >= i).sum() for i in range(len(MAIN_PATH))])
    return pd.DataFrame(
        {
            "from_stage": [STAGE_LABELS[s] for s in MAIN_PATH[:-1]],
            "to_stage": [STAGE_LABELS[s] for s in MAIN_PATH[1:]],
            "reached": reached[:-1],
            "went_on": reached[1:],
            "conversion": np.divide(
                reached[1:], reached[:-1], out=np.full(len(MAIN_PATH) - 1, np.nan), where=reached[:-1] > 0
            ),
        }
    )


def time_in_stage(stage_changes: pd.DataFrame) -> pd.DataFrame:
    """Median and 75th-percentile days advocates spent in each stage (finished stays), and how many stays."""
    changes = stage_changes.sort_values(["advocate_id", "changed_at"], kind="stable")
    left_at = changes.groupby("advocate_id")["changed_at"].shift(-1)
    stays = pd.DataFrame(
        {"stage": changes["to_stage"], "days": (left_at - changes["changed_at"]).dt.total_seconds() / 86_400}
    ).dropna()
    summary = stays.groupby("stage")["days"].agg(
        stays="size", median_days="median", p75_days=lambda d: d.quantile(0.75)
    )
    summary = summary.reindex(list(ADVOCATE_STAGES)).dropna(subset=["stays"]).reset_index()
    summary["stays"] = summary["stays"].astype(int)
    summary["stage"] = summary["stage"].map(STAGE_LABELS)
    return summary


def days_in_stage(advocates: pd.DataFrame, today: dt.date) -> pd.Series:
    """Whole days each advocate has stood in its current stage."""
    return (pd.Timestamp(today) - advocates["stage_changed_at"].dt.normalize()).dt.days


def _latest_sequence(attempts: pd.DataFrame) -> pd.DataFrame:
    """Each advocate's attempts since their latest ask (follow-up number 0), oldest first."""
    ordered = attempts.sort_values(["advocate_id", "sent_on", "follow_up_number"], kind="stable")
    sequence = (ordered["follow_up_number"] == 0).groupby(ordered["advocate_id"]).cumsum()
    last = sequence.groupby(ordered["advocate_id"]).transform("max")
    return ordered[(sequence == last) & (sequence > 0)]


def check_follow_up(attempts: pd.DataFrame, advocate_id: int, settings: dict[str, float]) -> str | None:
    """Why a follow-up to this advocate's latest ask is refused (None when it is allowed).

    At most `max_follow_ups` follow-ups after an ask that got no response (brief: default 3).
    """
    sequence = _latest_sequence(attempts[attempts["advocate_id"] == advocate_id])
    if sequence.empty:
        return "There is no ask to follow up: log the ask first."
    last = sequence.iloc[-1]
    if last["outcome"] != "no_response":
        return f"The ask of {sequence.iloc[0]['sent_on']:%d %b %Y} was answered ({last['outcome']}): no follow-up is needed."
    limit = int(settings["max_follow_ups"])
    follow_ups = len(sequence) - 1
    if follow_ups >= limit:
        return (
            f"Follow-up refused: the ask of {sequence.iloc[0]['sent_on']:%d %b %Y} already had {follow_ups} "
            f"follow-up{'s' if follow_ups != 1 else ''}, the most allowed is {limit}. "
            "Ask again once the re-circle window has passed."
        )
    return None


def next_follow_up(attempts: pd.DataFrame, advocate_id: int) -> int:
    """The number the next follow-up to this advocate's latest ask gets (1 for the first)."""
    sequence = _latest_sequence(attempts[attempts["advocate_id"] == advocate_id])
    return len(sequence)


def awaiting_answer(attempts: pd.DataFrame, advocate_id: int) -> pd.Series | None:
    """The advocate's latest ask or follow-up if it has no answer yet, else None."""
    sequence = _latest_sequence(attempts[attempts["advocate_id"] == advocate_id])
    if sequence.empty or sequence.iloc[-1]["outcome"] != "no_response":
        return None
    return sequence.iloc[-1]


def follow_ups_due(
    attempts: pd.DataFrame, today: dt.date, settings: dict[str, float], channel_order: list[str]
) -> pd.DataFrame:
    """Asks with no answer for `follow_up_due_days` that may still be followed up, with a channel to try.

    Past the re-circle window an unanswered ask is not followed up any more: the contact is asked
    afresh. The proposed channel is the first of channel_order (best-converting first) not yet used on this ask.
    """
    sequence = _latest_sequence(attempts)
    last = sequence.groupby("advocate_id").tail(1)
    asked_on = sequence.groupby("advocate_id")["sent_on"].transform("min")[last.index]
    today_ts = pd.Timestamp(today)
    waited = (today_ts - last["sent_on"]).dt.days
    due = last[
        (last["outcome"] == "no_response")
        & (waited >= settings["follow_up_due_days"])
        & (last["follow_up_number"] < settings["max_follow_ups"])
        & (asked_on > today_ts - pd.Timedelta(days=settings["recircle_days"]))
    ].copy()
    due["days_waiting"] = waited[due.index]

    used = (
        pd.crosstab(sequence["advocate_id"], sequence["channel"]).reindex(columns=channel_order, fill_value=0)
        > 0
    )
    used = used.reindex(due["advocate_id"])
    untried = ~used.to_numpy()
    pick = np.where(untried.any(axis=1), untried.argmax(axis=1), 0)
    # When every channel was tried, still propose the best one that was not the last.
    fallback = np.where(due["channel"].to_numpy() == channel_order[0], channel_order[1], channel_order[0])
    due["suggested_channel"] = np.where(untried.any(axis=1), np.array(channel_order)[pick], fallback)
    due["next_follow_up"] = due["follow_up_number"] + 1
    columns = [
        "advocate_id",
        "sent_on",
        "channel",
        "follow_up_number",
        "next_follow_up",
        "days_waiting",
        "suggested_channel",
    ]
    return due[columns].sort_values("days_waiting", ascending=False).reset_index(drop=True)


def owed_thank_yous(
    owed: pd.DataFrame, thanked: pd.DataFrame, today: dt.date, settings: dict[str, float]
) -> pd.DataFrame:
    """Events still owed a thank-you (agreement, fulfilled reference, converted referral): overdue first, newest first.

    An event is thanked by a thank-you of the same reason to the same advocate sent on or after it.
    Overdue once `thank_you_due_days` have passed.
    """
    if owed.empty:
        return owed.assign(days_waiting=pd.Series(dtype=int), overdue=pd.Series(dtype=bool))
    events = owed.sort_values("on").reset_index(drop=True)
    # merge_asof needs identical key dtypes; an empty thank-you table reads as object columns.
    thanks = (
        thanked.rename(columns={"sent_on": "thanked_on"})
        .astype({"advocate_id": events["advocate_id"].dtype, "reason": events["reason"].dtype})
        .astype({"thanked_on": events["on"].dtype})
        .sort_values("thanked_on")
    )
    matched = pd.merge_asof(
        events,
        thanks[["advocate_id", "reason", "thanked_on"]],
        left_on="on",
        right_on="thanked_on",
        by=["advocate_id", "reason"],
        direction="forward",
    )
    open_ = matched[matched["thanked_on"].isna() & (matched["on"] <= pd.Timestamp(today))].drop(
        columns="thanked_on"
    )
    open_["days_waiting"] = (pd.Timestamp(today) - open_["on"]).dt.days
    open_["overdue"] = open_["days_waiting"] > settings["thank_you_due_days"]
    return open_.sort_values(["overdue", "on"], ascending=False).reset_index(drop=True)


def in_stage(advocates: pd.DataFrame, stage: str, today: dt.date, fatigue: pd.DataFrame) -> pd.DataFrame:
    """The advocates standing in one stage, longest waiting first, with days in stage and reference availability."""
    chosen = advocates[advocates["stage"] == stage].copy()
    chosen["days_in_stage"] = days_in_stage(chosen, today)
    free_from = fatigue["available_on"].reindex(chosen["id"]).fillna(pd.Timestamp(today))
    chosen["available_on"] = free_from.to_numpy()
    chosen["fatigued"] = chosen["available_on"] > pd.Timestamp(today)
    return chosen.sort_values("days_in_stage", ascending=False, kind="stable")
