"""The activity log on SQLite and PostgreSQL: a call, e-mail or meeting with an account, logged on one of its
tasks through the write service (role and book check, validation naming the field and value, one
transaction, audit row), read back newest first and exported with the other tables."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import func, insert, select

from db import demo, service
from db.engine import transaction
from db.imports import exporting
from db.models import AccountActivity, AuditLog, Task
from db.reads import work as task_reads
from tests.builders import account, contact
from tests.db.factories import add_user

TODAY = service.now().date()


@pytest.fixture
def book(engine) -> dict[str, service.Actor]:
    """amy's account 1 (contact 1, open task 1, closed task 3) and bob's account 2 (contact 2, open task 2)."""
    ids = {name: add_user(engine, name) for name in ("amy", "bob")}
    with transaction(engine) as session:
        session.add_all([account(1, ids["amy"]), account(2, ids["bob"])])
        session.flush()
        session.add_all([contact(1, 1, name="Nia Obi"), contact(2, 2, name="Raj Patel")])
        session.flush()
        session.execute(
            insert(Task),
            [
                dict(
                    id=number,
                    reason="score_drop",
                    subject_kind="account",
                    subject_id=account_id,
                    account_id=account_id,
                    owner_id=ids[owner],
                    reason_text="Score fell 20 points.",
                    due_on=TODAY,
                    status=status,
                    created_at=dt.datetime(2026, 11, 2, 9, 0),
                )
                for number, account_id, owner, status in (
                    (1, 1, "amy", "open"),
                    (2, 2, "bob", "open"),
                    (3, 1, "amy", "closed"),
                )
            ],
        )
    demo.reset_sequences(engine)
    return {
        name: service.Actor(id=user_id, username=name, name=name.title(), role="account_manager")
        for name, user_id in ids.items()
    }


def log(engine, actor, task_id=1, **changes) -> int:
    values = dict(
        channel="call",
        happened_on=TODAY,
        contact_id=1,
        note="Nia says the budget is under review",
        outcome="Exec call booked",
    )
    return service.log_account_activity(engine, actor, task_id, **(values | changes))


def stored(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(AccountActivity)),
            conn.scalar(select(func.count()).select_from(AuditLog)),
        )


def test_a_logged_call_is_stored_audited_and_listed_newest_first(engine, book):
    first = log(engine, book["amy"], happened_on=TODAY - dt.timedelta(days=3))
    log(engine, book["amy"], channel="email", contact_id=None, note="Sent the renewal proposal", outcome=" ")
    listed = task_reads.activities(engine, 1)
    columns = ["task_id", "channel", "contact", "note", "outcome", "logged_by"]
    assert listed[columns].astype(object).where(listed[columns].notna(), None).values.tolist() == [
        [1, "email", None, "Sent the renewal proposal", None, "Amy"],
        [1, "call", "Nia Obi", "Nia says the budget is under review", "Exec call booked", "Amy"],
    ]
    assert listed["happened_on"].tolist() == [
        pd.Timestamp(TODAY),
        pd.Timestamp(TODAY - dt.timedelta(days=3)),
    ]
    assert task_reads.activities(engine, 2).empty
    with engine.connect() as conn:
        audited = conn.execute(
            select(AuditLog.action, AuditLog.entity, AuditLog.entity_id, AuditLog.after).order_by(AuditLog.id)
        ).first()
    assert audited[:3] == ("log_account_activity", "account", "1")
    assert json.loads(audited.after) == {
        "activity": first,
        "task": 1,
        "channel": "call",
        "on": str(TODAY - dt.timedelta(days=3)),
        "contact": 1,
        "outcome": "Exec call booked",
    }
    assert "account_activities" in exporting.TABLES
    assert b"Nia says the budget is under review" in exporting.export_table(engine, "account_activities")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": "fax"}, "Channel 'fax' is not one of call, email, meeting."),
        (
            {"happened_on": TODAY + dt.timedelta(days=1)},
            f"Date {TODAY + dt.timedelta(days=1):%d %b %Y} is in the future.",
        ),
        ({"happened_on": TODAY - dt.timedelta(days=400)}, "is more than 365 days ago."),
        ({"note": "  "}, "Note: say what was said or agreed."),
        ({"note": "x" * 2001}, "Note: 2001 characters, at most 2000."),
        ({"outcome": "y" * 201}, "Outcome: 201 characters, at most 200."),
        ({"contact_id": 2}, "Contact 2 is not one of Account 1's contacts."),
        ({"contact_id": 99}, "Contact 99 is not one of Account 1's contacts."),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(engine, book, changes, message):
    with pytest.raises(service.ValidationError) as refused:
        log(engine, book["amy"], **changes)
    assert message in str(refused.value)
    assert stored(engine) == (0, 0)


def test_only_who_may_work_the_task_logs_on_it(engine, book):
    with pytest.raises(service.PermissionDenied, match="Task 2 is not one of your tasks."):
        log(engine, book["amy"], task_id=2, contact_id=2)
    with pytest.raises(service.ValidationError, match="Task 3 is closed already."):
        log(engine, book["amy"], task_id=3)
    sales = service.Actor(id=book["amy"].id, username="amy", name="Amy", role="sales")
    with pytest.raises(service.PermissionDenied, match="Role 'sales' may not log account activity."):
        log(engine, sales)
    assert stored(engine) == (0, 0)
    marketing = service.Actor(id=None, username="mia", name="Mia", role="marketing")
    log(engine, marketing, task_id=2, contact_id=2)
    with engine.connect() as conn:
        assert conn.scalar(select(AccountActivity.account_id)) == 2
