"""The work queue's reads and generation on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from db import demo, scoring
from db import tasks as task_reads
from db.demo.work import seed_task_history
from db.engine import transaction
from db.imports import run_import
from db.models import HealthSnapshot, Playbook, PlaybookStep, ReferenceRequest, Task
from db.reads import work as work_reads
from db.users import OPERATOR
from tests.db.factories import account, add_user, build_book

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
    everyone = work_reads.open_tasks(engine, as_of=dt.date(2026, 11, 18))
    assert everyone["account_id"].tolist()[:2] == [2, 1]
    assert len(everyone) == 3
    amys = work_reads.open_tasks(engine, [amy], as_of=dt.date(2026, 11, 18))
    assert amys.loc[0, "account_name"] == "Account 1"
    assert amys.loc[0, "playbook"] == "At-risk save"
    assert amys.loc[0, "due_on"] == pd.Timestamp("2026-11-18")
    assert str(amys["created_at"].dtype).startswith("datetime64")
    with_queue = work_reads.open_tasks(engine, [amy], as_of=dt.date(2026, 11, 18), queue=True)
    assert with_queue["reason"].tolist() == ["at_risk", "asset_stale"]
    # The snooze ends on its day: the task is back in bob's queue.
    back = work_reads.open_tasks(engine, [bob], as_of=dt.date(2026, 11, 25))
    assert back["reason"].tolist() == ["at_risk", "score_drop"]


def test_one_live_task_per_subject_and_reason(engine):
    with transaction(engine) as session:
        session.add(account(1, None))
        session.flush()
        session.execute(insert(Task), [_task(subject_id=1, account_id=1, status="closed")])
        session.execute(insert(Task), [_task(subject_id=1, account_id=1)])
    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.execute(insert(Task), [_task(subject_id=1, account_id=1, status="snoozed")])


def live(engine) -> list[tuple[str, str | None]]:
    frame = work_reads.open_tasks(engine, as_of=dt.date.today() + dt.timedelta(days=400))
    owners = [None if pd.isna(owner) else owner for owner in frame["owner_name"]]
    return sorted(zip(frame["reason"], owners, strict=True), key=lambda pair: pair[0])


def test_generation_raises_each_task_once_and_again_only_after_the_cool_down(engine):
    build_book(engine)  # amy owns accounts 1 and 2; account 2 scores 24; one open request without advocate
    scoring.run(engine)  # the scoring run generates the tasks
    assert live(engine) == [
        ("at_risk", "Amy"),
        ("renewal_at_risk", "Amy"),
        ("request_overdue", None),
        ("request_unassigned", None),
    ]
    at_risk = work_reads.open_tasks(engine).set_index("reason").loc["at_risk"]
    assert (
        at_risk["reason_text"] == "Health score 24 in the week of 16 Nov 2026, below the at-risk line of 60."
    )
    assert at_risk["playbook"] == "At-risk save"
    # Due when the playbook's last step is (day 7).
    assert at_risk["due_on"] == pd.Timestamp(dt.date.today() + dt.timedelta(days=7))
    assert task_reads.generate(engine) == task_reads.GenerationReport(raised=0, closed=0)

    with transaction(engine) as session:
        session.execute(
            Task.__table__.update()
            .where(Task.reason == "at_risk")
            .values(status="closed", outcome="saved", closed_at=dt.datetime.now() - dt.timedelta(days=29))
        )
    assert task_reads.generate(engine).raised == 0  # cooling down for 30 days
    with transaction(engine) as session:
        session.execute(
            Task.__table__.update()
            .where(Task.reason == "at_risk")
            .values(closed_at=dt.datetime.now() - dt.timedelta(days=31))
        )
    assert task_reads.generate(engine).raised == 1

    # Declined, the request needs no advocate and is not overdue any more: both its tasks close themselves.
    with transaction(engine) as session:
        session.execute(ReferenceRequest.__table__.update().values(status="declined"))
    assert task_reads.generate(engine) == task_reads.GenerationReport(raised=0, closed=2)
    assert live(engine) == [("at_risk", "Amy"), ("renewal_at_risk", "Amy")]


def test_the_demo_history_has_a_task_for_each_entry_into_at_risk(engine):
    amy = add_user(engine, "amy")
    latest = dt.date(2026, 11, 16)
    # Account 1 enters at risk 20 weeks before the latest week, recovers, and enters again 15 weeks before;
    # account 2 is below the line from its first week (no entry seen) and churns 2 weeks after entering.
    scores = {1: {20: 70, 19: 50, 18: 65, 17: 66, 15: 40, 14: 45}, 2: {20: 30, 19: 30}}
    with transaction(engine) as session:
        session.add_all([account(1, amy), account(2, None)])
        session.flush()
        session.add_all(
            HealthSnapshot(
                account_id=account_id,
                week_start=latest - dt.timedelta(weeks=ago),
                score=score,
                weights_key="w",
                computed_at=NOW,
            )
            for account_id, weeks in scores.items()
            for ago, score in weeks.items()
        )
        session.add(
            HealthSnapshot(account_id=1, week_start=latest, score=80, weights_key="w", computed_at=NOW)
        )
    assert seed_task_history(engine) == 2
    with engine.connect() as conn:
        rows = conn.execute(
            select(Task.subject_id, Task.status, Task.created_at).order_by(Task.created_at)
        ).all()
    assert [(row.subject_id, row.created_at.date()) for row in rows] == [
        (1, dt.date(2026, 7, 13)),  # the week of 6 Jul 2026 (19 weeks before), raised a week later
        (1, dt.date(2026, 8, 10)),  # the week of 3 Aug 2026 (15 weeks before)
    ]
    assert {row.status for row in rows} <= {"closed", "dismissed"}


def test_an_import_that_stores_rows_generates_the_tasks(engine):
    build_book(engine)  # one open request without advocate
    demo.reset_sequences(engine)
    stale_asset = (
        "external_id,title,asset_type,company_size,region,approval_status,published_on,review_by,url\n"
        "AS-1,Old story,case_study,SMB,EMEA,approved,2024-01-10,2025-01-10,https://x.example/1\n"
    )
    assert run_import(engine, OPERATOR, stale_asset.encode(), "assets.csv", "assets").inserted == 1
    assert live(engine) == [("asset_stale", None), ("request_overdue", None), ("request_unassigned", None)]
