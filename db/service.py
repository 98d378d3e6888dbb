"""The one door for writes: role check → validation → one transaction → audit row."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import bcrypt
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from core import passwords, roles
from core import settings as settings_rules
from core.vocabulary import ROLES
from db import scoring
from db.engine import transaction
from db.models import Account, AuditLog, CsmSentiment, Setting, User


@dataclass(frozen=True)
class Actor:
    """The logged-in user on whose behalf a write runs."""

    id: int | None
    username: str
    name: str
    role: str


class PermissionDenied(PermissionError):
    pass


class ValidationError(ValueError):
    """Input the rules refuse; the message names the field and the value."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@contextmanager
def write(engine: Engine, actor: Actor, action: str) -> Iterator[Session]:
    """A transaction for action, refused unless actor's role may perform it."""
    if not roles.may_do(actor.role, action):
        raise PermissionDenied(f"Role '{actor.role}' may not {action.replace('_', ' ')}.")
    with transaction(engine) as session:
        yield session


def audit(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    before: object = None,
    after: object = None,
) -> None:
    session.add(
        AuditLog(
            at=now(),
            user_id=actor.id,
            username=actor.username,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=None if before is None else json.dumps(before, default=str),
            after=None if after is None else json.dumps(after, default=str),
        )
    )


def _stored_settings(session: Session) -> dict[str, float]:
    return {key: float(value) for key, value in session.execute(select(Setting.key, Setting.value))}


def update_settings(engine: Engine, actor: Actor, changes: dict[str, object]) -> dict[str, float]:
    """Store an admin's new values for several settings at once: all are valid together, or none is stored."""
    with write(engine, actor, "update_settings") as session:
        current = settings_rules.resolve(_stored_settings(session))
        try:
            numbers = {key: settings_rules.validate(key, value) for key, value in changes.items()}
            settings_rules.check_consistency({**current, **numbers})
        except settings_rules.SettingError as error:
            raise ValidationError(str(error)) from None
        for key, number in numbers.items():
            if number == current[key]:
                continue
            row = session.get(Setting, key) or Setting(key=key)
            row.value = f"{number:g}"
            row.updated_at = now()
            row.updated_by = actor.id
            session.add(row)
            audit(session, actor, "update_settings", "setting", key, current[key], number)
    return numbers


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def create_user(
    engine: Engine, actor: Actor, username: str, name: str, email: str, role: str, password: str
) -> int:
    """Add a login; the password is stored only as a bcrypt hash."""
    username = username.strip()
    if (
        not username
        or len(username) > 64
        or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
    ):
        raise ValidationError(f"Username '{username}': use 1–64 letters, digits, '.', '_' or '-'.")
    if role not in ROLES:
        raise ValidationError(f"Role '{role}' is not one of {', '.join(ROLES)}.")
    if problem := passwords.password_problem(password):
        raise ValidationError(problem)
    with write(engine, actor, "create_user") as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise ValidationError(f"Username '{username}' is already taken.")
        user = User(
            username=username,
            name=name.strip() or username,
            email=email.strip(),
            role=role,
            password_hash=hash_password(password),
            disabled=False,
        )
        session.add(user)
        session.flush()
        audit(session, actor, "create_user", "user", user.id, None, {"username": username, "role": role})
    return user.id


def log_out(engine: Engine, actor: Actor) -> None:
    """End every login cookie the actor holds: cookies issued before now are refused from now on."""
    with write(engine, actor, "log_out") as session:
        session.execute(update(User).where(User.id == actor.id).values(sessions_valid_from=now()))
        audit(session, actor, "log_out", "user", actor.id)


def run_scoring(
    engine: Engine,
    actor: Actor,
    full: bool = False,
    progress: Callable[[int, int, dt.date], None] | None = None,
) -> int:
    """The scoring run started by an admin: snapshots for every week that needs them, audited."""
    if not roles.may_do(actor.role, "run_scoring"):
        raise PermissionDenied(f"Role '{actor.role}' may not run scoring.")
    weeks = scoring.run(engine, full=full, progress=progress)
    with transaction(engine) as session:
        audit(session, actor, "run_scoring", "health_snapshots", None, None, {"weeks": weeks, "full": full})
    return weeks


MAX_NOTE_LENGTH = 2000


def record_sentiment(engine: Engine, actor: Actor, account_id: int, sentiment: int, note: str) -> int:
    """The account team's read of an account (1–5, with a note); account managers only for their own book."""
    if sentiment not in range(1, 6):
        raise ValidationError(f"Sentiment '{sentiment}' must be a whole number from 1 to 5.")
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(f"Note: {len(note)} characters, at most {MAX_NOTE_LENGTH}.")
    with write(engine, actor, "record_sentiment") as session:
        account = session.get(Account, account_id)
        if account is None:
            raise ValidationError(f"Account {account_id} does not exist.")
        if actor.role == roles.ACCOUNT_MANAGER and account.owner_id != actor.id:
            raise PermissionDenied(f"{account.name} is not in your book of accounts.")
        row = CsmSentiment(
            account_id=account_id, sentiment=sentiment, note=note, recorded_by=actor.id, recorded_at=now()
        )
        session.add(row)
        session.flush()
        audit(
            session,
            actor,
            "record_sentiment",
            "account",
            account_id,
            None,
            {"sentiment": sentiment, "note": note},
        )
    return row.id
