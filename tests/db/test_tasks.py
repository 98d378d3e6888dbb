"""The work queue's reads and generation on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from db import tasks as task_reads
from db.engine import transaction
from db.models import Playbook, PlaybookStep, Task
from tests.db.factories import account, add_user

NOW = dt.datetime(2026, 11, 18, 9, 0)


def _task(**values) -> dict:
    row = dict(
        reason="at_risk",
        subject_kind="account",
        reason_text="Score 52 (at risk below 60).",
        due_on=dt.date(2026, 11, 18),
        status="open",
        created_at=NOW,
    )
    row.update(values)
    return row


def test_the_migration_seeds_one_active_playbook_per_reason(engine):
    with engine.connect() as conn:
        reasons = conn.execute(select(Playbook.reason).where(Playbook.retired_on.is_(None))).scalars().all()
        steps = conn.execute(
            select(PlaybookStep.day_offset, PlaybookStep.title)
            .join(Playbook, Playbook.id == PlaybookStep.playbook_id)
            .where(Playbook.name == "At-risk save")
            .order_by(PlaybookStep.position)
        ).all()
    assert len(reasons) == 9 and len(set(reasons)) == 9
    assert [tuple(step) for step in steps] == [
        (0, "Review the drivers on the account page"),
        (2, "Call the champion"),
        (7, "E-mail the exec sponsor"),
    ]


def test_open_tasks_reads_the_live_tasks_of_the_owners_asked_for(engine):
    amy = add_user(engine, "amy")
    bob = add_user(engine, "bob")
    with transaction(engine) as session:
        session.add_all([account(1, amy), account(2, bob)])
        session.flush()
        playbook = session.execute(select(Playbook.id).where(Playbook.reason == "at_risk")).scalar_one()
        session.execute(
            insert(Task),
            [
                _task(subject_id=1, account_id=1, owner_id=amy, playbook_id=playbook, playbook_version=1),
                _task(subject_id=2, account_id=2, owner_id=bob, due_on=dt.date(2026, 11, 10)),
                _task(subject_id=1, account_id=1, owner_id=amy, reason="score_drop", status="closed"),
                _task(
                    subject_id=2,
                    account_id=2,
                    owner_id=bob,
                    reason="score_drop",
                    status="snoozed",
                    snoozed_until=dt.date(2026, 11, 25),
                ),
                _task(subject_kind="asset", subject_id=7, reason="asset_stale", due_on=dt.date(2026, 11, 20)),
            ],
        )
    everyone = task_reads.open_tasks(engine, as_of=dt.date(2026, 11, 18))
    assert everyone["account_id"].tolist()[:2] == [2, 1]
    assert len(everyone) == 3
    amys = task_reads.open_tasks(engine, [amy], as_of=dt.date(2026, 11, 18))
    assert amys.loc[0, "account_name"] == "Account 1"
    assert amys.loc[0, "playbook"] == "At-risk save"
    assert amys.loc[0, "due_on"] == pd.Timestamp("2026-11-18")
    assert str(amys["created_at"].dtype).startswith("datetime64")
    with_queue = task_reads.open_tasks(engine, [amy], as_of=dt.date(2026, 11, 18), queue=True)
    assert with_queue["reason"].tolist() == ["at_risk", "asset_stale"]
    # The snooze ends on its day: the task is back in bob's queue.
    back = task_reads.open_tasks(engine, [bob], as_of=dt.date(2026, 11, 25))
    assert back["reason"].tolist() == ["at_risk", "score_drop"]


def test_one_live_task_per_subject_and_reason(engine):
    with transaction(engine) as session:
        session.add(account(1, None))
        session.flush()
        session.execute(insert(Task), [_task(subject_id=1, account_id=1, status="closed")])
        session.execute(insert(Task), [_task(subject_id=1, account_id=1)])
    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.execute(insert(Task), [_task(subject_id=1, account_id=1, status="snoozed")])
