"""The work queue: generating tasks from the data (bulk reads, one transaction), and its reads."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, bindparam, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core import advocates as advocate_rules
from core import assets as asset_rules
from core import health, pipeline
from core import tasks as rules
from core import vocabulary as v
from db import advocacy, profiles, queries, reads, references
from db.engine import transaction
from db.models import Task

log = logging.getLogger("db.tasks")

OPEN_TASK_COLUMNS = (
    "task_id",
    "account_id",
    "account_name",
    "owner_id",
    "owner_name",
    "reason",
    "reason_text",
    "due_on",
    "created_at",
    "status",
    "snoozed_until",
    "playbook_id",
    "playbook_version",
    "playbook",
    "subject_kind",
    "subject_id",
    "subject_name",
    "version",
)

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

    Columns (OPEN_TASK_COLUMNS): task_id, account_id (<NA> for a request or asset without account),
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
    with engine.connect() as conn:
        rows = conn.execute(statement, params).all()
    read = pd.DataFrame(rows, columns=list(OPEN_TASK_COLUMNS))
    for column in ("due_on", "created_at", "snoozed_until"):
        read[column] = pd.to_datetime(read[column], format="ISO8601")
    for column in ("account_id", "owner_id", "playbook_id", "playbook_version"):
        read[column] = read[column].astype("Int64")
    return read


# --- generation -------------------------------------------------------------------------------------

ACCOUNTS_SQL = """
SELECT s.account_id, a.owner_id, a.segment, s.score, p.score AS score_4_weeks_ago, a.renewal_date
FROM health_snapshots s
JOIN accounts a ON a.id = s.account_id
LEFT JOIN health_snapshots p ON p.account_id = s.account_id AND p.week_start = :four_weeks_ago
WHERE s.week_start = :week
"""
ADVOCATES_SQL = """
SELECT adv.id AS advocate_id, adv.account_id, a.owner_id, c.name AS contact_name
FROM advocates adv JOIN contacts c ON c.id = adv.contact_id JOIN accounts a ON a.id = adv.account_id
"""
REQUESTS_SQL = """
SELECT id, prospect, kind, status, needed_by, assigned_advocate_id
FROM reference_requests WHERE status IN ('open', 'assigned')
"""
LIVE_SQL = "status IN ('open', 'snoozed')"
INTEGERS = ("subject_id", "account_id", "owner_id", "playbook_id", "playbook_version")
KNOWN_TASKS_SQL = """
SELECT id AS task_id, reason, subject_kind, subject_id, status, closed_at
FROM tasks WHERE status IN ('open', 'snoozed') OR closed_at > :since
"""
PLAYBOOKS_SQL = """
SELECT p.reason, p.id AS playbook_id, p.version AS playbook_version, MAX(s.day_offset) AS last_day
FROM playbooks p
LEFT JOIN playbook_steps s ON s.playbook_id = p.id AND s.playbook_version = p.version
WHERE p.retired_on IS NULL
GROUP BY p.reason, p.id, p.version
"""


def signals(engine: Engine, now: dt.datetime) -> pd.DataFrame:
    """Every condition that calls for a task on now's day (core.tasks.SIGNAL_COLUMNS), read in bulk."""
    today = now.date()
    settings = queries.load_settings(engine)
    week = queries.latest_scored_week(engine)
    found = []
    stored_profiles = profiles.load_profiles(engine)
    if week is not None:
        accounts = reads.frame(
            engine,
            ACCOUNTS_SQL,
            ["renewal_date"],
            {"week": week, "four_weeks_ago": week - dt.timedelta(weeks=4)},
        ).astype({"score": float, "score_4_weeks_ago": float})
        own_lines = {
            segment: values["band_at_risk_below"]
            for segment, values in stored_profiles.items()
            if "band_at_risk_below" in values
        }
        accounts["at_risk_below"] = (
            accounts["segment"].map(own_lines).astype(float).fillna(settings["band_at_risk_below"])
        )
        found.append(rules.account_signals(accounts, week, today, settings))
    lookback = today - dt.timedelta(days=settings["task_lookback_days"])
    candidates = advocacy.candidates(engine, today, week, promoters_since=lookback)
    candidates["health_band"] = health.band(
        candidates["health_score"], candidates["segment"], settings, stored_profiles
    )
    eligible = advocate_rules.eligibility(candidates, today, settings)["eligible"]
    found.append(rules.promoter_signals(candidates, eligible, today, settings))
    people = reads.frame(engine, ADVOCATES_SQL, []).set_index("advocate_id")
    attempts = advocacy.recent_outreach(engine, today - dt.timedelta(days=settings["recircle_days"]))
    due = pipeline.follow_ups_due(attempts, today, settings, list(v.CHANNELS))
    found.append(rules.follow_up_signals(due, people, settings))
    owed = pipeline.owed_thank_yous(
        advocacy.owed_thank_yous(engine), advocacy.thank_yous(engine), today, settings
    )
    found.append(rules.thank_you_signals(owed, people, today, settings))
    requests = reads.frame(engine, REQUESTS_SQL, ["needed_by"]).set_index("id")
    found.append(rules.request_signals(requests, now))
    # No tags: staleness does not depend on them, and joining them is most of the library's read.
    library = references.library(engine, today, week, pd.DataFrame(columns=["asset_id", "kind", "value"]))
    library["account_band"] = health.band(
        library["account_score"],
        pd.Series(None, index=library.index, dtype=object),
        settings,
        stored_profiles,
    ).where(library["account_score"].notna())
    stale = asset_rules.stale_reasons(library, asset_rules.freshness(library, today, settings), settings)
    found.append(rules.asset_signals(library, stale))
    return pd.concat(found, ignore_index=True)


@dataclass(frozen=True)
class GenerationReport:
    raised: int
    closed: int

    def sentence(self) -> str:
        """E.g. "Raised 4 new tasks; closed 1 whose condition cleared." """
        return f"Raised {self.raised} new task{'' if self.raised == 1 else 's'}; closed {self.closed} whose condition cleared."


def compute(engine: Engine, now: dt.datetime) -> rules.Plan:
    """The tasks a generation run at now would raise and close."""
    settings = queries.load_settings(engine)
    since = now - dt.timedelta(days=settings["task_cooldown_days"])
    known = reads.frame(engine, KNOWN_TASKS_SQL, ["closed_at"], {"since": since})
    return rules.plan(signals(engine, now), known, now, settings)


def store(session: Session, planned: rules.Plan, now: dt.datetime) -> GenerationReport:
    """Insert planned's new tasks with their reason's active playbook (a task of a reason that has one now
    is skipped when a live one appeared meanwhile) and close its self-closing ones, in session's transaction."""
    playbooks = pd.DataFrame(
        session.execute(text(PLAYBOOKS_SQL)).all(),
        columns=["reason", "playbook_id", "playbook_version", "last_day"],
    ).set_index("reason")
    new = planned.new.join(playbooks, on="reason")
    fallback = pd.Timestamp(now.date()) + pd.to_timedelta(new["last_day"].fillna(0), unit="D")
    new["due_on"] = new["due_on"].fillna(fallback).dt.date
    rows = [
        {
            **{
                key: (None if pd.isna(value) else int(value)) for key, value in row.items() if key in INTEGERS
            },
            "reason": row["reason"],
            "subject_kind": row["subject_kind"],
            "reason_text": row["reason_text"],
            "due_on": row["due_on"],
            "status": "open",
            "created_at": now,
        }
        for row in new.to_dict("records")
    ]
    raised = 0
    if rows:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(Task.__table__).on_conflict_do_nothing(
            index_elements=["subject_kind", "subject_id", "reason"], index_where=text(LIVE_SQL)
        )
        # The live tasks counted before and after, in this transaction: executemany's rowcount is unknown on
        # PostgreSQL, and RETURNING doubles the insert's time.
        count = text(f"SELECT COUNT(*) FROM tasks WHERE {LIVE_SQL}")
        before = session.execute(count).scalar_one()
        session.connection().execute(statement, rows)
        raised = session.execute(count).scalar_one() - before
    closed = 0
    if planned.close:
        closed = session.execute(
            update(Task)
            .where(Task.id.in_(planned.close), Task.status.in_(rules.LIVE_STATUSES))
            .values(
                status="closed",
                outcome="done",
                close_note="The condition cleared in the data.",
                closed_at=now,
                version=Task.version + 1,
            ),
            execution_options={"synchronize_session": False},
        ).rowcount
    return GenerationReport(raised=raised, closed=closed)


def generate(engine: Engine, now: dt.datetime | None = None) -> GenerationReport:
    """Raise the tasks the data calls for and close the ones whose condition cleared (the scoring run and
    the import call it; admins start it on the My work page)."""
    started = time.perf_counter()
    now = now or dt.datetime.now()
    planned = compute(engine, now)
    with transaction(engine) as session:
        report = store(session, planned, now)
    log.info(
        "task generation: raised=%d closed=%d seconds=%.1f",
        report.raised,
        report.closed,
        time.perf_counter() - started,
    )
    return report


# --- one task, the playbooks, the effect --------------------------------------------------------------

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
