"""Working the queue: check off a playbook step, log a call, e-mail or meeting with the account, snooze,
reassign, close with an outcome, dismiss; generate tasks on demand; keep the playbooks (saved as new
versions, retired rather than deleted while in use)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from core import roles
from core import tasks as task_rules
from db import tasks as task_work
from db.models import Account, AccountActivity, Contact, Playbook, PlaybookStep, Task, TaskStep, User
from db.service.base import (
    MAX_NOTE_LENGTH,
    Actor,
    PermissionDenied,
    StaleEdit,
    ValidationError,
    audit,
    claim,
    clean_note,
    clean_text,
    not_after_today,
    now,
    one_of,
    write,
)

MAX_PLAYBOOK_STEPS = 20
MAX_SNOOZE_DAYS = 180
# How far back a call or e-mail may be logged.
MAX_ACTIVITY_AGE_DAYS = 365


def _stale_task(_session: Session, task: Task) -> StaleEdit:
    return StaleEdit(
        f"Someone changed task {task.id} since you opened it (it is now {task.status}). Nothing was saved; "
        "the page now shows the current values.",
        {"status": task.status, "owner_id": task.owner_id, "version": task.version},
    )


def _claim_task(
    session: Session, actor: Actor, task_id: int, version: int | None, *, live: bool = True
) -> Task:
    """The task, locked and version-checked; PermissionDenied outside an account manager's own tasks,
    ValidationError when live and the task is closed or dismissed."""
    task = claim(session, Task, task_id, version, label="Task", stale=_stale_task)
    if not roles.in_book(actor, task.owner_id):
        raise PermissionDenied(f"Task {task_id} is not one of your tasks.")
    if live and task.status not in task_rules.LIVE_STATUSES:
        raise ValidationError(f"Task {task_id} is {task.status} already.")
    return task


def _state(task: Task) -> dict[str, object]:
    return {
        "status": task.status,
        "owner_id": task.owner_id,
        "snoozed_until": task.snoozed_until,
        "outcome": task.outcome,
        "close_note": task.close_note,
    }


def check_step(engine: Engine, actor: Actor, task_id: int, position: int, done: bool) -> None:
    """Check off (done) or reopen step position of a live task's playbook."""
    with write(engine, actor, "check_task_step") as session:
        task = _claim_task(session, actor, task_id, None)
        steps = session.scalar(
            select(func.count()).where(
                PlaybookStep.playbook_id == task.playbook_id,
                PlaybookStep.playbook_version == task.playbook_version,
            )
        )
        if not 1 <= position <= (steps or 0):
            raise ValidationError(f"Task {task_id} has no step {position}.")
        session.execute(delete(TaskStep).where(TaskStep.task_id == task_id, TaskStep.position == position))
        if done:
            session.add(TaskStep(task_id=task_id, position=position, done_at=now(), done_by=actor.id))
        audit(session, actor, "check_task_step", "task", task_id, None, {"step": position, "done": done})


def log_account_activity(
    engine: Engine,
    actor: Actor,
    task_id: int,
    *,
    channel: str,
    happened_on: dt.date,
    contact_id: int | None,
    note: str,
    outcome: str,
) -> int:
    """Log a call, e-mail or meeting with the account of a live task, by whoever may work the task: the day
    (today or up to a year back), with whom (one of the account's contacts, or None), a note and an optional
    outcome. Returns the activity's id."""
    note, outcome = _activity_text(channel, happened_on, note, outcome)
    with write(engine, actor, "log_account_activity") as session:
        task = _claim_task(session, actor, task_id, None)
        _check_activity_account(session, task, contact_id)
        row = AccountActivity(
            account_id=task.account_id,
            task_id=task_id,
            contact_id=contact_id,
            channel=channel,
            happened_on=happened_on,
            note=note,
            outcome=outcome,
            created_at=now(),
            created_by=actor.id,
        )
        session.add(row)
        session.flush()
        audit(
            session,
            actor,
            "log_account_activity",
            "account",
            task.account_id,
            None,
            {
                "activity": row.id,
                "task": task_id,
                "channel": channel,
                "on": happened_on,
                "contact": contact_id,
                "outcome": outcome,
            },
        )
        return row.id


def _activity_text(channel: str, happened_on: dt.date, note: str, outcome: str) -> tuple[str, str | None]:
    """(note, outcome) cleaned, after checking the channel and the day (today or up to a year back)."""
    one_of("Channel", channel, task_rules.ACTIVITY_CHANNELS)
    not_after_today("Date", happened_on)
    if happened_on < now().date() - dt.timedelta(days=MAX_ACTIVITY_AGE_DAYS):
        raise ValidationError(f"Date {happened_on:%d %b %Y} is more than {MAX_ACTIVITY_AGE_DAYS} days ago.")
    note = clean_text("Note", note, MAX_NOTE_LENGTH, multiline=True)
    if not note:
        raise ValidationError("Note: say what was said or agreed.")
    return note, clean_text("Outcome", outcome, 200) or None


def _check_activity_account(session: Session, task: Task, contact_id: int | None) -> None:
    """Refuse an activity on a task without an account, or with a contact of another account."""
    if task.account_id is None:
        raise ValidationError(f"Task {task.id} is not about an account: there is no account to log it on.")
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.account_id != task.account_id:
            account = session.get(Account, task.account_id)
            raise ValidationError(f"Contact {contact_id} is not one of {account.name}'s contacts.")


def snooze_task(
    engine: Engine, actor: Actor, task_id: int, version: int, until: dt.date, reason: str
) -> None:
    """Out of the queue until the morning of until (after today, within 180 days), with a reason."""
    reason = clean_text("Snooze reason", reason, 500)
    today = now().date()
    if not reason:
        raise ValidationError("Snooze reason: say why the task waits.")
    if not today < until <= today + dt.timedelta(days=MAX_SNOOZE_DAYS):
        raise ValidationError(
            f"Snooze until {until:%d %b %Y}: pick a day after today and within {MAX_SNOOZE_DAYS} days."
        )
    with write(engine, actor, "snooze_task") as session:
        task = _claim_task(session, actor, task_id, version)
        before = _state(task)
        task.status, task.snoozed_until, task.snooze_reason = "snoozed", until, reason
        audit(session, actor, "snooze_task", "task", task_id, before, _state(task) | {"reason": reason})


def reassign_task(engine: Engine, actor: Actor, task_id: int, version: int, owner_id: int | None) -> None:
    """Give a live task to another active admin, account manager or marketer, or to the marketing queue (None)."""
    with write(engine, actor, "reassign_task") as session:
        task = _claim_task(session, actor, task_id, version)
        if owner_id is not None:
            owner = session.get(User, owner_id)
            if owner is None or owner.disabled or owner.role not in roles.TASK_OWNERS:
                raise ValidationError(
                    f"Owner {owner_id}: pick an active admin, account manager or marketer, or the marketing queue."
                )
        before = _state(task)
        task.owner_id = owner_id
        audit(session, actor, "reassign_task", "task", task_id, before, _state(task))


def close_task(engine: Engine, actor: Actor, task_id: int, version: int, outcome: str, note: str) -> None:
    """Close a live task with its outcome (saved, churned, not needed, done, other — other needs a note)."""
    one_of("Outcome", outcome, task_rules.TASK_OUTCOMES)
    note = clean_note(note)
    if outcome == "other" and not note:
        raise ValidationError("Outcome 'other': say what happened in the note.")
    with write(engine, actor, "close_task") as session:
        task = _claim_task(session, actor, task_id, version)
        before = _state(task)
        task.status, task.outcome, task.close_note = "closed", outcome, note
        task.closed_at, task.closed_by = now(), actor.id
        audit(session, actor, "close_task", "task", task_id, before, _state(task))


def dismiss_task(engine: Engine, actor: Actor, task_id: int, version: int, reason: str) -> None:
    """Dismiss a live task the data raised in error or that needs no work, with a reason."""
    reason = clean_note(reason)
    if not reason:
        raise ValidationError("Dismiss reason: say why the task needs no work.")
    with write(engine, actor, "dismiss_task") as session:
        task = _claim_task(session, actor, task_id, version)
        before = _state(task)
        task.status, task.close_note, task.closed_at, task.closed_by = "dismissed", reason, now(), actor.id
        audit(session, actor, "dismiss_task", "task", task_id, before, _state(task))


def generate_tasks(engine: Engine, actor: Actor) -> task_work.GenerationReport:
    """Task generation started by an admin: role and login checked, the run audited with what it did."""
    moment = now()
    planned = task_work.compute(engine, moment)
    with write(engine, actor, "generate_tasks") as session:
        report = task_work.store(session, planned, moment)
        audit(
            session,
            actor,
            "generate_tasks",
            "tasks",
            None,
            None,
            {"raised": report.raised, "closed": report.closed},
        )
    return report


# --- playbooks ----------------------------------------------------------------------------------------


def _stale_playbook(_session: Session, playbook: Playbook) -> StaleEdit:
    return StaleEdit(
        f"Someone changed the playbook {playbook.name} since you opened it. Nothing was saved; the page now "
        "shows the current values.",
        {"name": playbook.name, "version": playbook.version},
    )


def _clean_steps(steps: list[tuple[int, str]]) -> list[tuple[int, str]]:
    cleaned = []
    for number, (day, title) in enumerate(steps, start=1):
        title = clean_text(f"Step {number} title", title, 200)
        if not title:
            raise ValidationError(f"Step {number}: the title is empty.")
        if not isinstance(day, int) or not 0 <= day <= 365:
            raise ValidationError(
                f"Step {number} ({title}): day '{day}' must be a whole number from 0 to 365."
            )
        cleaned.append((day, title))
    if not 1 <= len(cleaned) <= MAX_PLAYBOOK_STEPS:
        raise ValidationError(f"A playbook has 1 to {MAX_PLAYBOOK_STEPS} steps, not {len(cleaned)}.")
    return sorted(cleaned, key=lambda step: step[0])


def save_playbook(
    engine: Engine,
    actor: Actor,
    playbook_id: int | None,
    version: int | None,
    *,
    name: str,
    reason: str,
    description: str,
    steps: list[tuple[int, str]],
) -> int:
    """Create a playbook (playbook_id None) or save a new version of one: name, the reason it serves, a
    description and its steps (day offset, title), ordered by day. Tasks keep the version they were raised
    with; new tasks take the new one. A reason has at most one active playbook."""
    name = clean_text("Name", name, 100)
    if not name:
        raise ValidationError("Name: the playbook needs a name.")
    one_of("Reason", reason, task_rules.TASK_REASONS)
    description = clean_text("Description", description, 2000, multiline=True)
    cleaned = _clean_steps(steps)
    with write(engine, actor, "save_playbook") as session:
        playbook, before = _playbook_to_save(session, playbook_id, version, name, reason, description)
        active = session.scalar(
            select(Playbook.name).where(
                Playbook.reason == reason, Playbook.retired_on.is_(None), Playbook.id != (playbook_id or -1)
            )
        )
        if active is not None and playbook.retired_on is None:
            raise ValidationError(
                f"Reason '{task_rules.REASON_LABELS[reason]}' has the active playbook {active}: retire it first."
            )
        session.flush()  # the new id, or the new version of an edited playbook
        session.add_all(
            PlaybookStep(
                playbook_id=playbook.id,
                playbook_version=playbook.version,
                position=position,
                day_offset=day,
                title=title,
            )
            for position, (day, title) in enumerate(cleaned, start=1)
        )
        audit(
            session,
            actor,
            "save_playbook",
            "playbook",
            playbook.id,
            before,
            {"name": name, "reason": reason, "version": playbook.version, "steps": cleaned},
        )
        return playbook.id


def _playbook_to_save(
    session: Session,
    playbook_id: int | None,
    version: int | None,
    name: str,
    reason: str,
    description: str,
) -> tuple[Playbook, dict[str, object] | None]:
    """(the playbook with its new name, reason and description, what it was before: None for a new one);
    refused when another playbook has the name, or (StaleEdit) when the playbook changed since version."""
    if session.scalar(select(Playbook.id).where(Playbook.name == name, Playbook.id != (playbook_id or -1))):
        raise ValidationError(f"Name '{name}': another playbook has it.")
    if playbook_id is None:
        playbook = Playbook(name=name, reason=reason, description=description)
        session.add(playbook)
        return playbook, None
    playbook = claim(session, Playbook, playbook_id, version, label="Playbook", stale=_stale_playbook)
    before = {"name": playbook.name, "reason": playbook.reason, "version": playbook.version}
    playbook.name, playbook.reason, playbook.description = name, reason, description
    flag_modified(playbook, "description")  # a save is a new version even when only the steps changed
    return playbook, before


def retire_playbook(engine: Engine, actor: Actor, playbook_id: int, version: int, retired: bool) -> None:
    """Retire a playbook (it raises no new tasks; its tasks keep it) or restore it (when its reason has no
    other active playbook)."""
    with write(engine, actor, "retire_playbook") as session:
        playbook = claim(session, Playbook, playbook_id, version, label="Playbook", stale=_stale_playbook)
        if retired == (playbook.retired_on is not None):
            raise ValidationError(f"{playbook.name} is {'retired' if retired else 'active'} already.")
        if not retired:
            active = session.scalar(
                select(Playbook.name).where(Playbook.reason == playbook.reason, Playbook.retired_on.is_(None))
            )
            if active is not None:
                raise ValidationError(f"{active} is the active playbook of this reason: retire it first.")
        playbook.retired_on = now().date() if retired else None
        # The steps of this version carry over to the version the flush gives the playbook.
        steps = session.scalars(
            select(PlaybookStep).where(
                PlaybookStep.playbook_id == playbook_id, PlaybookStep.playbook_version == playbook.version
            )
        ).all()
        session.flush()
        session.add_all(
            PlaybookStep(
                playbook_id=playbook_id,
                playbook_version=playbook.version,
                position=step.position,
                day_offset=step.day_offset,
                title=step.title,
            )
            for step in steps
        )
        audit(session, actor, "retire_playbook", "playbook", playbook_id, None, {"retired": retired})


def delete_playbook(engine: Engine, actor: Actor, playbook_id: int, version: int) -> None:
    """Delete a playbook no task ever used; one referenced by tasks is retired instead (its history stays)."""
    with write(engine, actor, "delete_playbook") as session:
        playbook = claim(session, Playbook, playbook_id, version, label="Playbook", stale=_stale_playbook)
        used = session.execute(
            select(func.count(), func.count().filter(Task.status.in_(task_rules.LIVE_STATUSES))).where(
                Task.playbook_id == playbook_id
            )
        ).one()
        if used[0]:
            raise ValidationError(
                f"{playbook.name} is used by {used[0]} task{'' if used[0] == 1 else 's'} ({used[1]} open): "
                "retire it instead of deleting it."
            )
        audit(session, actor, "delete_playbook", "playbook", playbook_id, {"name": playbook.name}, None)
        session.delete(playbook)
