"""Reads of the work queue (tasks and playbooks): the tasks waiting for work, one task with its playbook's steps,
the playbooks, and what "Does the playbook work?" compares. Generating tasks is db/tasks.py."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, bindparam, text

from db import reads

_OPEN_TASKS_SQL = """
SELECT t.id AS task_id, t.account_id, a.name AS account_name, t.owner_id, u.name AS owner_name,
       t.reason, t.reason_text, t.due_on, t.created_at, t.status, t.snoozed_until,
       t.playbook_id, t.playbook_version, p.name AS playbook, t.subject_kind, t.subject_id,
       CASE t.subject_kind
           WHEN 'account' THEN a.name
           WHEN 'advocate' THEN c.name
           WHEN 'reference_request' THEN r.prospect
           WHEN 'asset' THEN s.title
       END AS subject_name,
       t.version
FROM tasks t
LEFT JOIN accounts a ON a.id = t.account_id
LEFT JOIN users u ON u.id = t.owner_id
LEFT JOIN playbooks p ON p.id = t.playbook_id
LEFT JOIN advocates adv ON t.subject_kind = 'advocate' AND adv.id = t.subject_id
LEFT JOIN contacts c ON c.id = adv.contact_id
LEFT JOIN reference_requests r ON t.subject_kind = 'reference_request' AND r.id = t.subject_id
LEFT JOIN assets s ON t.subject_kind = 'asset' AND s.id = t.subject_id
WHERE (t.status = 'open' OR (t.status = 'snoozed' AND t.snoozed_until <= :as_of))
"""


def open_tasks(
    engine: Engine,
    owner_ids: list[int] | None = None,
    as_of: dt.date | None = None,
    *,
    queue: bool = False,
) -> pd.DataFrame:
    """The tasks waiting for work on as_of (default today): open ones, and snoozed ones whose snooze ended
    by as_of. owner_ids None: every owner and the marketing queue; a list: those owners' tasks, and the
    queue's (owner_id missing) too when queue is True. Ordered by due_on, then task_id.

    Columns: task_id, account_id (<NA> for a request or asset without account),
    account_name, owner_id (<NA>: the marketing queue), owner_name, reason (core.tasks.TASK_REASONS),
    reason_text (plain words with the numbers), due_on and created_at (datetime64), status ("open" or
    "snoozed"), snoozed_until (datetime64, NaT unless snoozed), playbook_id, playbook_version, playbook (its
    name; None without one), subject_kind and subject_id (what the task is about: core.tasks.SUBJECT_KINDS),
    subject_name (the account, advocate, prospect or asset title), version (for the write service).
    """
    sql = _OPEN_TASKS_SQL
    params: dict[str, object] = {"as_of": as_of or dt.date.today()}
    statement = text(sql + " ORDER BY t.due_on, t.id")
    if owner_ids is not None:
        where = "t.owner_id IN :owners"
        if queue:
            where = f"({where} OR t.owner_id IS NULL)"
        statement = text(sql + f" AND {where} ORDER BY t.due_on, t.id").bindparams(
            bindparam("owners", expanding=True)
        )
        params["owners"] = [int(owner) for owner in owner_ids] or [-1]
    read = reads.frame(engine, statement, ["due_on", "created_at", "snoozed_until"], params)
    for column in ("account_id", "owner_id", "playbook_id", "playbook_version"):
        read[column] = read[column].astype("Int64")
    return read


TASK_SQL = """
SELECT t.id AS task_id, t.reason, t.subject_kind, t.subject_id, t.account_id, a.name AS account_name,
       a.owner_id AS account_owner_id, t.owner_id, u.name AS owner_name, t.reason_text, t.due_on, t.status,
       t.snoozed_until, t.snooze_reason, t.outcome, t.close_note, t.playbook_id, t.playbook_version,
       p.name AS playbook, t.created_at, t.closed_at, c.name AS closed_by_name, t.version
FROM tasks t
LEFT JOIN accounts a ON a.id = t.account_id
LEFT JOIN users u ON u.id = t.owner_id
LEFT JOIN users c ON c.id = t.closed_by
LEFT JOIN playbooks p ON p.id = t.playbook_id
WHERE t.id = :task_id
"""
STEPS_SQL = """
SELECT s.position, s.day_offset, s.title, d.done_at, u.name AS done_by
FROM playbook_steps s
LEFT JOIN task_steps d ON d.task_id = :task_id AND d.position = s.position
LEFT JOIN users u ON u.id = d.done_by
WHERE s.playbook_id = :playbook_id AND s.playbook_version = :playbook_version
ORDER BY s.position
"""


def task(engine: Engine, task_id: int) -> tuple[pd.Series, pd.DataFrame] | None:
    """One task (any status) and its playbook's steps (position, day_offset, title, done_at — NaT while not
    done — and done_by); None when there is no such task."""
    found = reads.frame(
        engine, TASK_SQL, ["due_on", "created_at", "closed_at", "snoozed_until"], {"task_id": task_id}
    )
    if found.empty:
        return None
    row = found.iloc[0]
    steps = reads.frame(
        engine,
        STEPS_SQL,
        ["done_at"],
        {
            "task_id": task_id,
            "playbook_id": None if pd.isna(row["playbook_id"]) else int(row["playbook_id"]),
            "playbook_version": None if pd.isna(row["playbook_version"]) else int(row["playbook_version"]),
        },
    )
    return row, steps


ACTIVITIES_SQL = """
SELECT a.id, a.task_id, a.happened_on, a.channel, c.name AS contact, a.note, a.outcome, u.name AS logged_by
FROM account_activities a
LEFT JOIN contacts c ON c.id = a.contact_id
LEFT JOIN users u ON u.id = a.created_by
WHERE a.account_id = :account_id
ORDER BY a.happened_on DESC, a.id DESC
"""


def activities(engine: Engine, account_id: int) -> pd.DataFrame:
    """The account's activity log (calls, e-mails and meetings logged from its tasks), newest first: id,
    task_id, happened_on, channel, contact (None when not said), note, outcome, logged_by."""
    return reads.frame(engine, ACTIVITIES_SQL, ["happened_on"], {"account_id": account_id})


PLAYBOOK_LIST_SQL = """
SELECT p.id, p.name, p.reason, p.description, p.retired_on, p.version,
       (SELECT COUNT(*) FROM tasks t WHERE t.playbook_id = p.id AND t.status IN ('open', 'snoozed')) AS open_tasks,
       (SELECT COUNT(*) FROM tasks t WHERE t.playbook_id = p.id) AS all_tasks
FROM playbooks p ORDER BY p.retired_on IS NOT NULL, p.name
"""
PLAYBOOK_STEPS_SQL = """
SELECT s.playbook_id, s.position, s.day_offset, s.title
FROM playbook_steps s JOIN playbooks p ON p.id = s.playbook_id AND p.version = s.playbook_version
ORDER BY s.playbook_id, s.position
"""


def playbooks(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every playbook (active first, by name) with its live and all-time task counts, and the steps of each
    one's current version."""
    listed = reads.frame(engine, PLAYBOOK_LIST_SQL, ["retired_on"]).set_index("id")
    return listed, reads.frame(engine, PLAYBOOK_STEPS_SQL, [])


EFFECT_TASKS_SQL = """
SELECT p.name AS playbook, t.reason, t.account_id, t.status, t.due_on, t.closed_at
FROM tasks t JOIN playbooks p ON p.id = t.playbook_id
WHERE t.account_id IS NOT NULL
"""


def effect_inputs(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every account task with a playbook (for core.tasks.playbook_effect) and every churn event."""
    tasks = reads.frame(engine, EFFECT_TASKS_SQL, ["due_on", "closed_at"])
    churns = reads.frame(engine, "SELECT account_id, churned_on FROM churn_events", ["churned_on"])
    return tasks, churns
