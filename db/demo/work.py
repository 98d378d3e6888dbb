"""The demo's work-queue history, written after the scoring run: an at-risk task for every time an account
entered the at-risk band 13 to 60 weeks ago, worked to an outcome or dismissed. Whether a task was worked is
drawn at random, independent of what became of the account: the demo's *Does the playbook work?* has
history to compare and no effect built in."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Row, insert, text

from db import reads
from db.engine import transaction
from db.models import Task, TaskStep
from db.reads import accounts as account_reads
from db.reads import settings as settings_reads

WORKED_SHARE = 0.6
SNAPSHOTS_SQL = """
SELECT s.account_id, s.week_start, s.score, a.owner_id
FROM health_snapshots s JOIN accounts a ON a.id = s.account_id
WHERE s.week_start BETWEEN :first AND :last
ORDER BY s.account_id, s.week_start
"""


def seed_task_history(engine: Engine, seed: int = 7) -> int:
    """Insert the closed and dismissed at-risk tasks of the past; returns how many."""
    last_week = account_reads.latest_scored_week(engine)
    if last_week is None:
        return 0
    line = settings_reads.load_settings(engine)["band_at_risk_below"]
    events = _entered_at_risk(engine, last_week, line)
    with engine.connect() as conn:
        playbook = conn.execute(
            text("SELECT id, version FROM playbooks WHERE reason = 'at_risk' AND retired_on IS NULL")
        ).one_or_none()
        churned = reads.frame(engine, "SELECT account_id, churned_on FROM churn_events", ["churned_on"])
    if playbook is None or events.empty:
        return 0
    rows = _task_rows(events, churned, playbook, line, seed)
    _insert_tasks(engine, rows)
    return len(rows)


def _entered_at_risk(engine: Engine, last_week: dt.date, line: float) -> pd.DataFrame:
    """The snapshots (account_id, week_start, score, owner_id) of 61 to 13 weeks before last_week in which an
    account's score fell below line, having been at or above it the week before."""
    weeks = reads.frame(
        engine,
        SNAPSHOTS_SQL,
        ["week_start"],
        {"first": last_week - dt.timedelta(weeks=61), "last": last_week - dt.timedelta(weeks=13)},
    ).astype({"score": float})
    below = weeks["score"] < line
    entered = below & ~below.groupby(weeks["account_id"]).shift(fill_value=True)
    return weeks[entered]


def _task_rows(
    events: pd.DataFrame, churned: pd.DataFrame, playbook: Row, line: float, seed: int
) -> list[dict[str, object]]:
    """One at-risk task per event, created the week after: WORKED_SHARE closed (churned when the account churned
    within 90 days of the close, else saved), the rest dismissed."""
    rng = np.random.default_rng(seed)
    worked = rng.random(len(events)) < WORKED_SHARE
    created = events["week_start"] + pd.Timedelta(days=7)
    closed = created + pd.to_timedelta(np.where(worked, rng.integers(1, 10, len(events)), 2), unit="D")
    window = (
        events[["account_id"]].assign(day=closed.to_numpy()).reset_index().merge(churned, on="account_id")
    )
    lost = window[
        (window["churned_on"] > window["day"])
        & (window["churned_on"] <= window["day"] + pd.Timedelta(days=90))
    ]
    lost_tasks = set(lost["index"])
    return [
        {
            "reason": "at_risk",
            "subject_kind": "account",
            "subject_id": int(event.account_id),
            "account_id": int(event.account_id),
            "owner_id": None if pd.isna(event.owner_id) else int(event.owner_id),
            "reason_text": f"Health score {event.score:.0f} in the week of {event.week_start:%d %b %Y}, "
            f"below the at-risk line of {line:g}.",
            "due_on": (made + pd.Timedelta(days=7)).date(),
            "status": "closed" if done else "dismissed",
            "outcome": ("churned" if index in lost_tasks else "saved") if done else None,
            "close_note": None if done else "Handled in the quarterly business review.",
            "playbook_id": playbook.id,
            "playbook_version": playbook.version,
            "created_at": made.to_pydatetime(),
            "closed_at": end.to_pydatetime(),
        }
        for (index, event), made, end, done in zip(events.iterrows(), created, closed, worked, strict=True)
    ]


def _insert_tasks(engine: Engine, rows: list[dict[str, object]]) -> None:
    """Insert the tasks and, for the closed ones, their playbook's three steps checked off at the close."""
    with transaction(engine) as session:
        table = Task.__table__
        ids = (
            session.connection()
            .execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
            .scalars()
            .all()
        )
        steps = [
            {"task_id": task_id, "position": position, "done_at": row["closed_at"]}
            for task_id, row in zip(ids, rows, strict=True)
            if row["status"] == "closed"
            for position in (1, 2, 3)
        ]
        if steps:
            session.execute(insert(TaskStep), steps)
