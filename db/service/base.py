"""What every write shares: the actor, the errors, the role and login check, the transaction, the version
check, the audit row and the log line."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine, Executable, false, select, update
from sqlalchemy.orm import Session

from core import roles
from core import settings as settings_rules
from db.engine import transaction
from db.models import Advocate, Asset, AuditLog, Playbook, ReferenceRequest, Setting, Task, User

log = logging.getLogger("db.service")


@dataclass(frozen=True)
class Actor:
    """The logged-in user on whose behalf a write runs.

    logged_in_at is when this login began (naive UTC): a write is refused once the user's sessions were
    ended after it. None is for callers that are no login, the command line and scheduled jobs.
    """

    id: int | None
    username: str
    name: str
    role: str
    logged_in_at: dt.datetime | None = None


class PermissionDenied(PermissionError):
    pass


SESSION_ENDED = "Your session has ended (a logout elsewhere or a password reset): log in again."


class ValidationError(ValueError):
    """Input the rules refuse; the message names the field and the value."""


class StaleEdit(ValidationError):
    """Someone saved the record since the form was read: nothing was stored; current holds the stored values."""

    def __init__(self, message: str, current: dict[str, object]) -> None:
        super().__init__(message)
        self.current = current


# C0 and C1 control characters and DEL: PostgreSQL refuses NUL in text, and the others hide or fake what
# a reader sees (terminal escapes, a line break inside a name). Notes keep tabs and line breaks.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_NOTES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_NOTE_LENGTH = 2000


def clean_text(field: str, value: str, longest: int, *, multiline: bool = False) -> str:
    """value stripped; ValidationError when longer than longest characters or holding a control character
    (tabs and line breaks pass in multiline text). Checked before any database sees it."""
    value = value.strip()
    if len(value) > longest:
        raise ValidationError(f"{field}: {len(value)} characters, at most {longest}.")
    if (_CONTROL_IN_NOTES if multiline else _CONTROL).search(value):
        raise ValidationError(f"{field}: control characters (such as NUL) are not allowed.")
    return value


def clean_note(value: str) -> str | None:
    return clean_text("Note", value, MAX_NOTE_LENGTH, multiline=True) or None


def one_of(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValidationError(f"{field} '{value}' is not one of {', '.join(allowed)}.")


def not_after_today(field: str, day: dt.date) -> None:
    if day > now().date():
        raise ValidationError(f"{field} {day:%d %b %Y} is in the future.")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@contextmanager
def write(engine: Engine, actor: Actor, action: str) -> Iterator[Session]:
    """A transaction for action, refused unless actor's role may perform it and actor's login still holds.

    Each audit row of a committed write is logged, one line each; a refused or failed write logs one line
    with the kind of refusal, never its message (which may quote names or notes).
    """
    try:
        if not roles.may_do(actor.role, action):
            raise PermissionDenied(f"Role '{actor.role}' may not {action.replace('_', ' ')}.")
        with transaction(engine) as session:
            _check_login(session, actor)
            yield session
            audited = session.info.get(AUDITED, [])
    except (PermissionDenied, ValidationError) as refusal:
        log.info("write refused: action=%s user=%s reason=%s", action, actor.username, type(refusal).__name__)
        raise
    except Exception as error:
        # The type only: a database error's message quotes the values of the row it refused.
        log.error("write failed: action=%s user=%s error=%s", action, actor.username, type(error).__name__)
        raise
    for audited_action, entity, entity_id in audited:
        log.info(
            "write: action=%s entity=%s id=%s user=%s", audited_action, entity, entity_id, actor.username
        )


def _check_login(session: Session, actor: Actor) -> None:
    """Refuse a login that began before the user's sessions were ended (logout, password reset, disabling)."""
    if actor.logged_in_at is None:
        return
    user = session.execute(
        select(User.disabled, User.sessions_valid_from).where(User.id == actor.id)
    ).one_or_none()
    if (
        user is None
        or user.disabled
        or (user.sessions_valid_from is not None and user.sessions_valid_from > actor.logged_in_at)
    ):
        raise PermissionDenied(SESSION_ENDED)


# Where audit() notes what a write did, for write() to log once the transaction has committed.
AUDITED = "audited"


def audit(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    before: object = None,
    after: object = None,
) -> None:
    entity_id = None if entity_id is None else str(entity_id)
    session.add(
        AuditLog(
            at=now(),
            user_id=actor.id,
            username=actor.username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=None if before is None else json.dumps(before, default=str),
            after=None if after is None else json.dumps(after, default=str),
        )
    )
    session.info.setdefault(AUDITED, []).append((action, entity, entity_id))


Versioned = TypeVar("Versioned", Advocate, Asset, Playbook, ReferenceRequest, Task, User)


def claim(
    session: Session,
    model: type[Versioned],
    row_id: int,
    version: int | None,
    *,
    label: str,
    stale: Callable[[Session, Versioned], StaleEdit],
) -> Versioned:
    """The row, locked for this transaction and read under the lock; given a version, stale(session, row)'s
    StaleEdit unless nobody saved the row since it was read at version. The one version check of every write.

    The UPDATE takes the row's lock (PostgreSQL) or the database's write lock (SQLite) until commit, and
    compares the version under it: of two saves from one version the second waits, then matches nothing.
    It sets the version to itself: the mapper moves the version once, when the write changes the row.
    """
    lock = update(model).where(model.id == row_id).values(version=model.version)
    if version is not None:
        lock = lock.where(model.version == version)
    locked = session.execute(lock).rowcount == 1
    row = session.get(model, row_id, populate_existing=True)
    if row is None:
        raise ValidationError(f"{label} {row_id} does not exist.")
    if not locked:
        raise stale(session, row)
    return row


def write_lock_first(session: Session, postgres_lock: Executable) -> None:
    """Take the lock that serialises this kind of write before the transaction reads anything."""
    if session.get_bind().dialect.name == "sqlite":
        # pysqlite begins a transaction at its first write, so one that matches no row takes
        # SQLite's single write lock now and every read after it sees the latest commit.
        session.execute(update(Setting).where(false()).values(value=Setting.value))
    else:
        session.execute(postgres_lock)


def stored_settings(session: Session) -> dict[str, float]:
    """The values admins stored, as this write's transaction sees them."""
    return {key: float(value) for key, value in session.execute(select(Setting.key, Setting.value))}


def settings_of(session: Session) -> dict[str, float]:
    """Every setting as this write's transaction sees it: stored where an admin set one, else the default."""
    return settings_rules.resolve(stored_settings(session))
