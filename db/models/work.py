"""The work queue: playbooks (versioned lists of steps), the tasks the rules raise, their step check-offs and
the activity log of calls, e-mails and meetings logged from them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core import tasks as t
from db.models.base import Base, created_at, one_of

_LIVE = "status IN ('open', 'snoozed')"


class Playbook(Base):
    """A named list of steps for one reason. A save stores the steps under the next version; tasks keep the
    version they were raised with. Retired playbooks raise no new tasks and are never deleted while a live
    task uses them."""

    __tablename__ = "playbooks"
    __table_args__ = (
        one_of("reason", t.TASK_REASONS),
        # New tasks of a reason take its one active playbook.
        Index(
            "ix_playbooks_active_reason",
            "reason",
            unique=True,
            sqlite_where=text("retired_on IS NULL"),
            postgresql_where=text("retired_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    reason: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    retired_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = created_at()
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class PlaybookStep(Base):
    """Step `position` (1, 2, …) of a playbook's version: due `day_offset` days after the task was raised."""

    __tablename__ = "playbook_steps"
    __table_args__ = (
        CheckConstraint("day_offset BETWEEN 0 AND 365", name="day_offset_range"),
        CheckConstraint("position >= 1", name="position_from_1"),
    )

    playbook_id: Mapped[int] = mapped_column(ForeignKey("playbooks.id", ondelete="CASCADE"), primary_key=True)
    playbook_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    day_offset: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))


class Task(Base):
    """One piece of work a rule raised on a subject (an account, advocate, reference request or asset).

    owner_id None is the marketing program queue. At most one live (open or snoozed) task per subject and
    reason; a snoozed task is back in the queue on snoozed_until.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        one_of("reason", t.TASK_REASONS),
        one_of("subject_kind", t.SUBJECT_KINDS),
        one_of("status", t.TASK_STATUSES),
        CheckConstraint(
            "outcome IS NULL OR outcome IN (" + ", ".join(f"'{o}'" for o in t.TASK_OUTCOMES) + ")",
            name="outcome_allowed",
        ),
        Index(
            "ix_tasks_live_subject_reason",
            "subject_kind",
            "subject_id",
            "reason",
            unique=True,
            sqlite_where=text(_LIVE),
            postgresql_where=text(_LIVE),
        ),
        Index("ix_tasks_status_owner_due", "status", "owner_id", "due_on"),
        Index("ix_tasks_account_id", "account_id"),
        # The cool-down reads the newest closing per subject and reason.
        Index("ix_tasks_subject_reason_closed", "subject_kind", "subject_id", "reason", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(30))
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason_text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open", server_default="open")
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)
    snooze_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(20))
    close_note: Mapped[str | None] = mapped_column(Text)
    playbook_id: Mapped[int | None] = mapped_column(ForeignKey("playbooks.id"))
    playbook_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class TaskStep(Base):
    """A checked-off playbook step of a task (no row: not done yet)."""

    __tablename__ = "task_steps"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    done_at: Mapped[dt.datetime] = mapped_column(DateTime)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AccountActivity(Base):
    """A call, e-mail or meeting with an account's people, logged from one of its tasks: on which day, with
    whom (one of the account's contacts, or not said), a note and what came of it. Not the advocate outreach
    log (outreach_attempts: asks to advocates)."""

    __tablename__ = "account_activities"
    __table_args__ = (
        one_of("channel", t.ACTIVITY_CHANNELS),
        Index("ix_account_activities_account_id_happened_on", "account_id", "happened_on"),
        Index("ix_account_activities_task_id", "task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(10))
    happened_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
