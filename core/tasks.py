"""The work queue's vocabulary: why a task exists, where it stands and how it ended."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.outreach import wilson_interval

# Why a task exists. An account task is about the account; the others about one advocate, request or asset.
TASK_REASONS = (
    "at_risk",
    "score_drop",
    "renewal_at_risk",
    "promoter_ask",
    "follow_up_due",
    "thank_you_owed",
    "request_overdue",
    "request_unassigned",
    "asset_stale",
)
REASON_LABELS = {
    "at_risk": "Entered at risk",
    "score_drop": "Sharp score drop",
    "renewal_at_risk": "At-risk renewal",
    "promoter_ask": "Promoter to ask",
    "follow_up_due": "Follow-up due",
    "thank_you_owed": "Thank-you owed",
    "request_overdue": "Reference request overdue",
    "request_unassigned": "Reference request needs an advocate",
    "asset_stale": "Asset stale",
}
SUBJECT_KINDS = ("account", "advocate", "reference_request", "asset")
REASON_SUBJECT = {
    "at_risk": "account",
    "score_drop": "account",
    "renewal_at_risk": "account",
    "promoter_ask": "account",
    "follow_up_due": "advocate",
    "thank_you_owed": "advocate",
    "request_overdue": "reference_request",
    "request_unassigned": "reference_request",
    "asset_stale": "asset",
}
# open and snoozed tasks are the live ones (one per subject and reason); closed and dismissed are history.
TASK_STATUSES = ("open", "snoozed", "closed", "dismissed")
LIVE_STATUSES = ("open", "snoozed")
# How a closed task ended; "done" is for tasks that save nothing (an ask, a thank-you, a stale asset).
TASK_OUTCOMES = ("saved", "churned", "not_needed", "done", "other")
OUTCOME_LABELS = {
    "saved": "Saved",
    "churned": "Churned",
    "not_needed": "Not needed",
    "done": "Done",
    "other": "Other",
}
# The activity log of an account (calls, e-mails and meetings with the customer, logged from a task); not the
# advocate outreach log, which records asks to advocates.
ACTIVITY_CHANNELS = ("call", "email", "meeting")
ACTIVITY_CHANNEL_LABELS = {"call": "Call", "email": "E-mail", "meeting": "Meeting"}

# Tasks whose condition the data clears once the work is done close themselves when it clears: the follow-up
# was sent, the thank-you recorded, the request assigned or fulfilled, the asset reviewed. Account tasks
# (at risk, score drop, renewal, promoter) are closed by a person, with an outcome.
SELF_CLOSING = ("follow_up_due", "thank_you_owed", "request_overdue", "request_unassigned", "asset_stale")
SIGNAL_COLUMNS = ["reason", "subject_kind", "subject_id", "account_id", "owner_id", "reason_text", "due_on"]
PROMOTER_NPS = 9
# Advocates further along than these stages were asked already: no promoter task for them.
NOT_YET_ASKED = ("candidate", "nominated")


def _day(values: pd.Series) -> pd.Series:
    """Dates as "06 Dec 2026" (each distinct day formatted once), "—" for none, as text."""
    distinct = values.dropna().unique()
    words = dict(zip(distinct, pd.DatetimeIndex(distinct).strftime("%d %b %Y"), strict=True))
    return values.map(words).astype(object).fillna("—").astype(str)


def _signals(
    frame: pd.DataFrame, reason: str, subject: pd.Series, text: pd.Series, due: pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "reason": reason,
            "subject_kind": REASON_SUBJECT[reason],
            "subject_id": subject.astype("int64").to_numpy(),
            "account_id": frame["account_id"].astype("Int64").to_numpy(),
            "owner_id": frame["owner_id"].astype("Int64").to_numpy(),
            "reason_text": text.to_numpy(dtype=object),
            "due_on": pd.to_datetime(due).to_numpy(),
        },
        columns=SIGNAL_COLUMNS,
    )


def account_signals(
    accounts: pd.DataFrame, week: dt.date, today: dt.date, settings: dict[str, float]
) -> pd.DataFrame:
    """At-risk, sharp-drop and at-risk-renewal signals of the accounts scored in week.

    accounts: account_id, owner_id, score, score_4_weeks_ago (NaN: not scored then), renewal_date
    (datetime64), at_risk_below (the account's at-risk line: its segment profile's, else the global setting).
    At risk: score below the line. Sharp drop: score_4_weeks_ago − score ≥ drop_points. At-risk renewal: at
    risk and renewing today or within renewal_window_days. due_on NaT: the playbook decides.
    """
    week_text = f"in the week of {pd.Timestamp(week):%d %b %Y}"
    score = accounts["score"].round().astype("Int64").astype(str)
    before = accounts["score_4_weeks_ago"].round().astype("Int64").astype(str)
    line = accounts["at_risk_below"].map("{:g}".format)
    at_risk = accounts["score"] < accounts["at_risk_below"]
    at_risk_text = (
        "Health score "
        + score
        + f" {week_text}, below the at-risk line of "
        + line
        + pd.Series(
            np.where(accounts["score_4_weeks_ago"].notna(), "; " + before + " four weeks before.", "."),
            index=accounts.index,
        )
    )
    drop = accounts["score_4_weeks_ago"] - accounts["score"]
    dropped = drop >= settings["drop_points"]
    drop_text = (
        "Score fell "
        + drop.round().astype("Int64").astype(str)
        + " points in four weeks, from "
        + before
        + " to "
        + score
        + f" {week_text} (a sharp drop is {settings['drop_points']:g} points or more)."
    )
    days_left = (accounts["renewal_date"] - pd.Timestamp(today)).dt.days
    renewing = at_risk & days_left.between(0, settings["renewal_window_days"])
    renewal_text = (
        "Renews on "
        + _day(accounts["renewal_date"])
        + " (in "
        + days_left.astype("Int64").astype(str)
        + " days) with a health score of "
        + score
        + ", below the at-risk line of "
        + line
        + "."
    )
    none = pd.Series(pd.NaT, index=accounts.index)
    parts = [
        _signals(accounts[rows], reason, accounts.loc[rows, "account_id"], text[rows], none[rows])
        for reason, rows, text in (
            ("at_risk", at_risk, at_risk_text),
            ("score_drop", dropped, drop_text),
            ("renewal_at_risk", renewing, renewal_text),
        )
    ]
    return pd.concat(parts, ignore_index=True)


def promoter_signals(
    candidates: pd.DataFrame, eligible: pd.Series, today: dt.date, settings: dict[str, float]
) -> pd.DataFrame:
    """One signal per account with promoters (latest NPS ≥ 9, answered in the last task_lookback_days) who may
    be asked today and were not asked yet.

    candidates: account_id, owner_id, contact_name, nps_latest, nps_latest_on, stage (None: not an advocate);
    eligible: core.advocates.eligibility's column. The text names the highest-scoring promoter.
    """
    promoters = candidates[
        eligible
        & (candidates["nps_latest"] >= PROMOTER_NPS)
        & (
            candidates["nps_latest_on"]
            >= pd.Timestamp(today) - pd.Timedelta(days=settings["task_lookback_days"])
        )
        & (candidates["stage"].isna() | candidates["stage"].isin(NOT_YET_ASKED))
    ].sort_values(["account_id", "nps_latest", "nps_latest_on"], ascending=[True, False, False])
    first = promoters.drop_duplicates("account_id").copy()
    others = promoters.groupby("account_id").size().reindex(first["account_id"]).to_numpy() - 1
    more = np.where(
        others == 0,
        "",
        np.where(others == 1, " 1 more promoter too.", " " + others.astype(str) + " more promoters too."),
    )
    text = (
        first["contact_name"].astype(str)
        + " (NPS "
        + first["nps_latest"].round().astype("Int64").astype(str)
        + " on "
        + _day(first["nps_latest_on"])
        + ") may be asked for advocacy."
        + pd.Series(more, index=first.index)
    )
    return _signals(first, "promoter_ask", first["account_id"], text, pd.Series(pd.NaT, index=first.index))


def follow_up_signals(due: pd.DataFrame, advocates: pd.DataFrame, settings: dict[str, float]) -> pd.DataFrame:
    """A signal per advocate whose ask waits for a follow-up: due is core.pipeline.follow_ups_due's frame,
    advocates (index advocate id): account_id, owner_id, contact_name. Due when the wait reached
    follow_up_due_days."""
    rows = due.join(advocates, on="advocate_id")
    text = (
        rows["contact_name"].astype(str)
        + ": asked by "
        + rows["channel"].map(channel_words)
        + " on "
        + _day(rows["sent_on"])
        + ", no answer for "
        + rows["days_waiting"].astype(str)
        + " days; follow-up "
        + rows["next_follow_up"].astype(str)
        + " due."
    )
    due_on = rows["sent_on"] + pd.to_timedelta(settings["follow_up_due_days"], unit="D")
    return _signals(rows, "follow_up_due", rows["advocate_id"], text, due_on)


def channel_words(channel: str) -> str:
    return {
        "email": "e-mail",
        "video_call": "video call",
        "in_person": "meeting",
        "social_dm": "social message",
    }.get(channel, channel)


THANK_YOU_WORDS = {
    "agreement": "agreeing to advocate",
    "reference_fulfilled": "a reference given",
    "referral_converted": "a referral that bought",
}


def thank_you_signals(
    owed: pd.DataFrame, advocates: pd.DataFrame, today: dt.date, settings: dict[str, float]
) -> pd.DataFrame:
    """A signal per advocate owed a thank-you for an event of the last task_lookback_days: owed is
    core.pipeline.owed_thank_yous's frame (advocate_id, reason, on, days_waiting). Due thank_you_due_days
    after the oldest such event."""
    recent = owed[owed["on"] >= pd.Timestamp(today) - pd.Timedelta(days=settings["task_lookback_days"])]
    oldest = recent.sort_values("on").drop_duplicates("advocate_id")
    rows = oldest.join(advocates, on="advocate_id")
    counts = recent.groupby("advocate_id").size().reindex(rows["advocate_id"]).to_numpy()
    more = np.where(counts > 1, " (" + counts.astype(str) + " thank-yous owed)", "")
    text = (
        rows["contact_name"].astype(str)
        + " is owed a thank-you for "
        + rows["reason"].map(THANK_YOU_WORDS)
        + " on "
        + _day(rows["on"])
        + ", "
        + rows["days_waiting"].astype(str)
        + f" days ago (due within {settings['thank_you_due_days']:g} days)"
        + pd.Series(more, index=rows.index)
        + "."
    )
    due_on = rows["on"] + pd.to_timedelta(settings["thank_you_due_days"], unit="D")
    return _signals(rows, "thank_you_owed", rows["advocate_id"], text, due_on)


def request_signals(requests: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """Signals of the reference requests still open or assigned: requests (index id) with prospect, kind,
    status, needed_by, assigned_advocate_id. Overdue: needed_by before now. Needs an advocate: open without
    one, due on its needed-by day. Both go to the marketing queue."""
    frame = requests.assign(account_id=pd.NA, owner_id=pd.NA)
    waiting = frame["status"].isin(["open", "assigned"])
    overdue = waiting & (frame["needed_by"] < pd.Timestamp(now))
    late_days = (pd.Timestamp(now) - frame["needed_by"]).dt.days
    overdue_text = (
        frame["kind"].astype(str).str.capitalize()
        + " reference for "
        + frame["prospect"].astype(str)
        + " was needed by "
        + _day(frame["needed_by"].dt.normalize())
        + ": "
        + late_days.astype("Int64").astype(str)
        + " days overdue, status "
        + frame["status"].astype(str)
        + "."
    )
    unassigned = (frame["status"] == "open") & frame["assigned_advocate_id"].isna()
    unassigned_text = (
        frame["kind"].astype(str).str.capitalize()
        + " reference for "
        + frame["prospect"].astype(str)
        + " needed by "
        + _day(frame["needed_by"].dt.normalize())
        + " has no advocate assigned."
    )
    today = pd.Series(pd.Timestamp(now).normalize(), index=frame.index)
    return pd.concat(
        [
            _signals(
                frame[overdue],
                "request_overdue",
                frame.index[overdue].to_series(),
                overdue_text[overdue],
                today[overdue],
            ),
            _signals(
                frame[unassigned],
                "request_unassigned",
                frame.index[unassigned].to_series(),
                unassigned_text[unassigned],
                frame.loc[unassigned, "needed_by"].dt.normalize(),
            ),
        ],
        ignore_index=True,
    )


def asset_signals(assets: pd.DataFrame, stale_reasons: pd.Series) -> pd.DataFrame:
    """A signal per stale asset (stale_reasons from core.assets.stale_reasons, "" when fresh), for the
    marketing queue: assets (index id) with title."""
    stale = stale_reasons != ""
    rows = assets[stale].assign(account_id=pd.NA, owner_id=pd.NA)
    text = '"' + rows["title"].astype(str) + '" is stale: ' + stale_reasons[stale] + "."
    return _signals(rows, "asset_stale", rows.index.to_series(), text, pd.Series(pd.NaT, index=rows.index))


@dataclass(frozen=True)
class Plan:
    """What a generation run writes: new tasks (SIGNAL_COLUMNS) and the ids of live tasks to close."""

    new: pd.DataFrame
    close: list[int]


KEY = ["reason", "subject_kind", "subject_id"]


def plan(signals: pd.DataFrame, tasks: pd.DataFrame, now: dt.datetime, settings: dict[str, float]) -> Plan:
    """New tasks and self-closings from the signals and the stored tasks.

    tasks: task_id, reason, subject_kind, subject_id, status, closed_at — every live task and every task
    closed or dismissed in the cool-down. A signal raises a task unless a live task of its subject and reason
    exists, or one closed less than task_cooldown_days before now. A live task of a SELF_CLOSING reason
    without its signal is closed.
    """
    live = tasks[tasks["status"].isin(LIVE_STATUSES)]
    cooling = tasks[
        ~tasks["status"].isin(LIVE_STATUSES)
        & (tasks["closed_at"] > pd.Timestamp(now) - pd.Timedelta(days=settings["task_cooldown_days"]))
    ]
    blocked = pd.concat([live[KEY], cooling[KEY]]).drop_duplicates().assign(blocked=True)
    fresh = signals.drop_duplicates(KEY).merge(blocked, on=KEY, how="left")
    new = fresh[fresh["blocked"].isna()].drop(columns="blocked").reset_index(drop=True)
    still = live.merge(signals[KEY].drop_duplicates().assign(seen=True), on=KEY, how="left")
    close = still[still["seen"].isna() & still["reason"].isin(SELF_CLOSING)]["task_id"]
    return Plan(new=new, close=sorted(int(task_id) for task_id in close))


# --- does the playbook work? ----------------------------------------------------------------------------

EFFECT_COLUMNS = [
    "playbook",
    "reason",
    "worked",
    "worked_churned",
    "worked_rate",
    "worked_low",
    "worked_high",
    "not_worked",
    "not_worked_churned",
    "not_worked_rate",
    "not_worked_low",
    "not_worked_high",
    "verdict",
]


def playbook_effect(
    tasks: pd.DataFrame, churns: pd.DataFrame, today: dt.date, horizon_days: int
) -> pd.DataFrame:
    """Per playbook and reason, the churn within horizon_days of account tasks that were worked against those
    that were not, with 95% Wilson intervals. Association, not proof: who works a task is not random.

    tasks: playbook, reason, account_id, status, due_on, closed_at (datetime64). Worked: closed (any outcome),
    counted from closed_at. Not worked: dismissed (from closed_at) or still live past its due day (from due_on).
    A task counts once its whole window has passed (its day + horizon_days ≤ today). Churned: a churn event
    of the account (churns: account_id, churned_on) in the window after that day. The verdict claims a
    difference only when the two intervals do not overlap.
    """
    today_ts = pd.Timestamp(today)
    horizon = pd.Timedelta(days=horizon_days)
    frame = tasks[tasks["account_id"].notna()].copy()
    live = frame["status"].isin(LIVE_STATUSES)
    frame["worked"] = frame["status"] == "closed"
    frame["day"] = frame["closed_at"].dt.normalize().where(~live, frame["due_on"])
    counted = (frame["status"].isin(["closed", "dismissed"]) | (live & (frame["due_on"] < today_ts))) & (
        frame["day"] + horizon <= today_ts
    )
    frame = frame[counted]
    window = frame[["account_id", "day"]].reset_index().merge(churns, on="account_id")
    hit = window[(window["churned_on"] > window["day"]) & (window["churned_on"] <= window["day"] + horizon)]
    frame["churned"] = frame.index.isin(hit["index"])
    rows = []
    for (playbook, reason), group in frame.groupby(["playbook", "reason"], sort=True):
        row: dict[str, object] = {"playbook": playbook, "reason": reason}
        for name, part in (("worked", group[group["worked"]]), ("not_worked", group[~group["worked"]])):
            n, churned = len(part), int(part["churned"].sum())
            low, high = wilson_interval(churned, n)
            row |= {
                name: n,
                f"{name}_churned": churned,
                f"{name}_rate": churned / n if n else np.nan,
                f"{name}_low": low,
                f"{name}_high": high,
            }
        row["verdict"] = _effect_verdict(row)
        rows.append(row)
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def _effect_verdict(row: dict[str, object]) -> str:
    if not row["worked"] or not row["not_worked"]:
        return "No comparison: one side has no tasks whose window has passed."
    if row["worked_high"] < row["not_worked_low"]:
        return "Accounts whose task was worked churned less often (association, not proof)."
    if row["not_worked_high"] < row["worked_low"]:
        return "Accounts whose task was worked churned more often (association, not proof)."
    return "No difference we can claim: the intervals overlap."


# --- the queue ----------------------------------------------------------------------------------------

WHEN_LABELS = {"overdue": "Overdue", "this_week": "Due this week", "later": "Later"}


def arrange(tasks: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The live tasks (db.tasks.open_tasks) in working order, with `when` (overdue: due before today;
    this_week: due within the next 7 days, today included; later) and `group` (the account, or the subject of a task without
    one). Overdue first, then due this week, then later; each group's tasks together, the group of the most
    urgent task first."""
    today_ts = pd.Timestamp(today)
    week_end = today_ts + pd.Timedelta(days=6)
    frame = tasks.copy()
    frame["when"] = np.select(
        [frame["due_on"] < today_ts, frame["due_on"] <= week_end], ["overdue", "this_week"], "later"
    )
    frame["group"] = frame["account_name"].fillna(frame["subject_name"]).fillna("—")
    urgency = frame["when"].map({"overdue": 0, "this_week": 1, "later": 2})
    frame["_group_urgency"] = urgency.groupby(frame["group"]).transform("min")
    frame["_group_due"] = frame.groupby("group")["due_on"].transform("min")
    frame["_urgency"] = urgency
    ordered = frame.sort_values(["_group_urgency", "_group_due", "group", "_urgency", "due_on", "task_id"])
    return ordered.drop(columns=["_group_urgency", "_group_due", "_urgency"]).reset_index(drop=True)


def counts(tasks: pd.DataFrame, today: dt.date) -> dict[str, int]:
    """How many live tasks are overdue and due this week (within 7 days from today; overdue ones not counted
    again)."""
    today_ts = pd.Timestamp(today)
    week_end = today_ts + pd.Timedelta(days=6)
    overdue = int((tasks["due_on"] < today_ts).sum())
    return {"overdue": overdue, "this_week": int((tasks["due_on"] <= week_end).sum()) - overdue}
