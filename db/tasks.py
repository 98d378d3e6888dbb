"""The work queue: generating tasks from the data (bulk reads, one transaction); its reads are db/reads/work.py."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core import advocates as advocate_rules
from core import assets as asset_rules
from core import health, pipeline
from core import tasks as rules
from core import vocabulary as v
from db import reads
from db.engine import transaction
from db.models import Task
from db.reads import accounts as account_reads
from db.reads import advocates as advocate_reads
from db.reads import assets as asset_reads
from db.reads import settings as settings_reads

log = logging.getLogger("db.tasks")

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
    settings = settings_reads.load_settings(engine)
    week = account_reads.latest_scored_week(engine)
    found = []
    stored_profiles = settings_reads.load_profiles(engine)
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
    candidates = advocate_reads.candidates(engine, today, week, promoters_since=lookback)
    candidates["health_band"] = health.band(
        candidates["health_score"], candidates["segment"], settings, stored_profiles
    )
    eligible = advocate_rules.eligibility(candidates, today, settings)["eligible"]
    found.append(rules.promoter_signals(candidates, eligible, today, settings))
    people = reads.frame(engine, ADVOCATES_SQL, []).set_index("advocate_id")
    attempts = advocate_reads.recent_outreach(engine, today - dt.timedelta(days=settings["recircle_days"]))
    due = pipeline.follow_ups_due(attempts, today, settings, list(v.CHANNELS))
    found.append(rules.follow_up_signals(due, people, settings))
    owed = pipeline.owed_thank_yous(
        advocate_reads.owed_thank_yous(engine), advocate_reads.thank_yous(engine), today, settings
    )
    found.append(rules.thank_you_signals(owed, people, today, settings))
    requests = asset_reads.open_reference_requests(engine).set_index("id")
    found.append(rules.request_signals(requests, now))
    # No tags: staleness does not depend on them, and joining them is most of the library's read.
    library = asset_reads.library(engine, today, week, pd.DataFrame(columns=["asset_id", "kind", "value"]))
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
    settings = settings_reads.load_settings(engine)
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
