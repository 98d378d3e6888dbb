"""The one door for writes: role check → validation → one transaction → audit row."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import bcrypt
from sqlalchemy import Engine, Executable, false, func, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core import advocates, health, matching, passwords, pipeline, references, referrals, roles
from core import settings as settings_rules
from core import vocabulary as v
from core.vocabulary import ROLES
from db import advocacy, queries, scoring
from db.engine import transaction
from db.models import (
    Account,
    Advocate,
    AdvocateStageChange,
    Asset,
    AssetUsage,
    AuditLog,
    Contact,
    CsmSentiment,
    OutreachAttempt,
    ReferenceRequest,
    Reward,
    Setting,
    ThankYou,
    User,
)


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


# C0 and C1 control characters and DEL: PostgreSQL refuses NUL in text, and the others hide or fake what
# a reader sees (terminal escapes, a line break inside a name). Notes keep tabs and line breaks.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_NOTES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(field: str, value: str, longest: int, *, multiline: bool = False) -> str:
    """value stripped; ValidationError when longer than longest characters or holding a control character
    (tabs and line breaks pass in multiline text). Checked before any database sees it."""
    value = value.strip()
    if len(value) > longest:
        raise ValidationError(f"{field}: {len(value)} characters, at most {longest}.")
    if (_CONTROL_IN_NOTES if multiline else _CONTROL).search(value):
        raise ValidationError(f"{field}: control characters (such as NUL) are not allowed.")
    return value


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@contextmanager
def write(engine: Engine, actor: Actor, action: str) -> Iterator[Session]:
    """A transaction for action, refused unless actor's role may perform it and actor's login still holds."""
    if not roles.may_do(actor.role, action):
        raise PermissionDenied(f"Role '{actor.role}' may not {action.replace('_', ' ')}.")
    with transaction(engine) as session:
        _check_login(session, actor)
        yield session


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


class StaleEdit(ValidationError):
    """Someone saved the record since the form was read: nothing was stored; current holds the stored values."""

    def __init__(self, message: str, current: dict[str, object]) -> None:
        super().__init__(message)
        self.current = current


def _write_lock_first(session: Session, postgres_lock: Executable) -> None:
    """Take the lock that serialises this kind of write before the transaction reads anything."""
    if session.get_bind().dialect.name == "sqlite":
        # pysqlite begins a transaction at its first write, so one that matches no row takes
        # SQLite's single write lock now and every read after it sees the latest commit.
        session.execute(update(Setting).where(false()).values(value=Setting.value))
    else:
        session.execute(postgres_lock)


def _stored_settings(session: Session) -> dict[str, float]:
    return {key: float(value) for key, value in session.execute(select(Setting.key, Setting.value))}


def _stale_settings(
    session: Session, current: dict[str, float], read: dict[str, float], keys: list[str]
) -> StaleEdit:
    editors = dict(
        session.execute(
            select(Setting.key, User.username)
            .join(User, User.id == Setting.updated_by)
            .where(Setting.key.in_(keys))
        ).all()
    )
    changed = "; ".join(
        f"{settings_rules.BY_KEY[key].label} was changed to {current[key]:g} by "
        f"{editors.get(key, 'someone else')} since you opened the page (you saw {read[key]:g})"
        for key in keys
    )
    return StaleEdit(f"{changed}. Nothing was saved; the form now shows the current values.", dict(current))


# Settings the sub-scores themselves depend on (weights only recombine them; bands follow from the score).
RESCORING_SETTINGS = {"usage_gap_is_zero"}


def update_settings(
    engine: Engine, actor: Actor, changes: dict[str, object], read: dict[str, float] | None = None
) -> dict[str, float]:
    """Store an admin's new values for several settings at once: all are valid together, or none is stored.

    read holds the values the form showed: a key someone else saved since is refused (StaleEdit) when
    this save would change it again, and left as they saved it when the form left it as it was.
    Returns the values stored.
    """
    with write(engine, actor, "update_settings") as session:
        _write_lock_first(session, text("LOCK TABLE settings IN SHARE ROW EXCLUSIVE MODE"))
        current = settings_rules.resolve(_stored_settings(session))
        try:
            numbers = {key: settings_rules.validate(key, value) for key, value in changes.items()}
            shown = {key: settings_rules.validate(key, value) for key, value in (read or {}).items()}
        except settings_rules.SettingError as error:
            raise ValidationError(str(error)) from None
        stale = [
            key
            for key, number in numbers.items()
            if key in shown and number != shown[key] and shown[key] != current[key] and number != current[key]
        ]
        if stale:
            raise _stale_settings(session, current, shown, stale)
        numbers = {
            key: number
            for key, number in numbers.items()
            if number != current[key] and not (key in shown and number == shown[key])
        }
        try:
            settings_rules.check_consistency({**current, **numbers})
        except settings_rules.SettingError as error:
            raise ValidationError(str(error)) from None
        for key, number in numbers.items():
            row = session.get(Setting, key) or Setting(key=key)
            row.value = f"{number:g}"
            row.updated_at = now()
            row.updated_by = actor.id
            session.add(row)
            audit(session, actor, "update_settings", "setting", key, current[key], number)
        if RESCORING_SETTINGS & set(numbers):
            # Sub-scores read these: every scored week is rescored from the raw data by the next run.
            session.flush()
            scoring.mark_changed(session.connection(), None)
    return numbers


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


# Lowercase ASCII only: no two usernames look alike (a Cyrillic "а" in "аdmin"), none differ only in case.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MAX_NAME_LENGTH = 120  # the columns' widths
MAX_EMAIL_LENGTH = 200
# Plausible, not proven: one @, no spaces, a dot in the domain.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def create_user(
    engine: Engine, actor: Actor, username: str, name: str, email: str, role: str | None, password: str
) -> int:
    """Add a login; the password is stored only as a bcrypt hash. The role has no default: it must be chosen."""
    username = clean_text("Username", username, 64)
    if not USERNAME.fullmatch(username):
        raise ValidationError(
            f"Username '{username}': use 2–64 of a–z, 0–9, '.', '_' and '-', starting with a letter or digit."
        )
    name = clean_text("Name", name, MAX_NAME_LENGTH) or username
    email = clean_text("Email", email, MAX_EMAIL_LENGTH)
    if email and not EMAIL.fullmatch(email):
        raise ValidationError(f"Email '{email}': not an e-mail address.")
    if role is None:
        raise ValidationError("Role: choose one.")
    _one_of("Role", role, ROLES)
    if problem := passwords.password_problem(password):
        raise ValidationError(problem)
    with write(engine, actor, "create_user") as session:
        # Login matches usernames ignoring case, so two that differ only in case could not be told apart.
        taken = session.scalar(select(User.username).where(func.lower(User.username) == username.lower()))
        if taken is not None:
            raise ValidationError(f"Username '{username}' is already taken ('{taken}').")
        user = User(
            username=username,
            name=name,
            email=email,
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


# --- user administration ---------------------------------------------------------------------------

# The audit actions that change a user's record (and so its version).
USER_EDITS = ("create_user", "change_role", "set_user_disabled", "reset_password")


def _user_state(user: User) -> dict[str, object]:
    return {"username": user.username, "role": user.role, "disabled": user.disabled, "version": user.version}


def _stale_user(session: Session, user_id: int) -> StaleEdit:
    user = session.get(User, user_id)
    editor = session.scalar(
        select(AuditLog.username)
        .where(AuditLog.entity == "user", AuditLog.entity_id == str(user_id), AuditLog.action.in_(USER_EDITS))
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
    state = "disabled" if user.disabled else "enabled"
    return StaleEdit(
        f"{editor or 'Someone'} changed {user.username} since you opened it: role is now "
        f"{roles.ROLE_LABELS[user.role]}, {state}. Nothing was saved; the form now shows the current values.",
        _user_state(user),
    )


def _enabled_admins_besides(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == roles.ADMIN, User.disabled.is_(False), User.id != user_id)
    )


def _edit_user(
    engine: Engine,
    actor: Actor,
    action: str,
    user_id: int,
    version: int,
    change: Callable[[Session, User], tuple[dict[str, object], dict[str, object]]],
    hold_admins: bool = False,
) -> None:
    """Apply change to the user read at version in one audited transaction, or raise StaleEdit."""
    try:
        with write(engine, actor, action) as session:
            if hold_admins:
                # Two admins removing each other at once must not both pass the last-admin check.
                _write_lock_first(
                    session,
                    select(User.id)
                    .where(User.role == roles.ADMIN, User.disabled.is_(False))
                    .order_by(User.id)
                    .with_for_update(),
                )
            user = session.get(User, user_id)
            if user is None:
                raise ValidationError(f"User {user_id} does not exist.")
            if user.version != version:
                raise _stale_user(session, user_id)
            before, after = change(session, user)
            # The UPDATE is guarded by the version read above: a concurrent save makes it match no row.
            session.flush()
            audit(session, actor, action, "user", user_id, before, after)
    except StaleDataError:
        with transaction(engine) as session:
            raise _stale_user(session, user_id) from None


def change_role(engine: Engine, actor: Actor, user_id: int, role: str, version: int) -> None:
    """Give a user another role; an admin cannot demote themselves, and one enabled admin always remains."""

    def change(session: Session, user: User) -> tuple[dict[str, object], dict[str, object]]:
        _one_of("Role", role, ROLES)
        if user.role == role:
            raise ValidationError(f"Role '{role}': {user.username} has it already.")
        if user.role == roles.ADMIN:
            if user.id == actor.id:
                raise ValidationError(f"Role '{role}': you cannot take the admin role from yourself.")
            if not user.disabled and _enabled_admins_besides(session, user.id) == 0:
                raise ValidationError(
                    f"Role '{role}': {user.username} is the last enabled admin; make someone else admin first."
                )
        before = {"username": user.username, "role": user.role}
        user.role = role
        return before, {"username": user.username, "role": role}

    _edit_user(engine, actor, "change_role", user_id, version, change, hold_admins=True)


def set_user_disabled(engine: Engine, actor: Actor, user_id: int, disabled: bool, version: int) -> None:
    """Disable a user (every login cookie they hold stops working at once) or enable them again."""

    def change(session: Session, user: User) -> tuple[dict[str, object], dict[str, object]]:
        if user.disabled == disabled:
            raise ValidationError(f"User {user.username} is {'disabled' if disabled else 'enabled'} already.")
        if disabled and user.id == actor.id:
            raise ValidationError(f"User {user.username}: you cannot disable yourself.")
        if disabled and user.role == roles.ADMIN and _enabled_admins_besides(session, user.id) == 0:
            raise ValidationError(
                f"User {user.username}: the last enabled admin cannot be disabled; make someone else admin first."
            )
        before = {"username": user.username, "disabled": user.disabled}
        user.disabled = disabled
        after: dict[str, object] = {"username": user.username, "disabled": disabled}
        if disabled:
            user.sessions_valid_from = now()
            after["sessions_valid_from"] = user.sessions_valid_from
        return before, after

    _edit_user(engine, actor, "set_user_disabled", user_id, version, change, hold_admins=True)


def reset_password(engine: Engine, actor: Actor, user_id: int, password: str, version: int) -> None:
    """Set a user's new password (stored only as a bcrypt hash) and end every login cookie they hold."""

    def change(session: Session, user: User) -> tuple[dict[str, object], dict[str, object]]:
        if problem := passwords.password_problem(password):
            raise ValidationError(problem)
        user.password_hash = hash_password(password)
        user.sessions_valid_from = now()
        # The password and its hash never enter the audit log.
        return {"username": user.username}, {
            "username": user.username,
            "password": "reset",
            "sessions_valid_from": user.sessions_valid_from,
        }

    _edit_user(engine, actor, "reset_password", user_id, version, change)


def run_scoring(
    engine: Engine,
    actor: Actor,
    full: bool = False,
    progress: Callable[[int, int, dt.date], None] | None = None,
) -> scoring.RunReport:
    """The scoring run started by an admin: snapshots for every week that needs them. The role and the login
    are checked, and the start audited, before the long run."""
    with write(engine, actor, "run_scoring") as session:
        audit(session, actor, "run_scoring", "health_snapshots", None, None, {"full": full})
    return scoring.score_book(engine, full=full, progress=progress)


MAX_NOTE_LENGTH = 2000


def record_sentiment(engine: Engine, actor: Actor, account_id: int, sentiment: int, note: str) -> int:
    """The account team's read of an account (1–5, with a note); account managers only for their own book."""
    if sentiment not in range(1, 6):
        raise ValidationError(f"Sentiment '{sentiment}' must be a whole number from 1 to 5.")
    note = clean_text("Note", note, MAX_NOTE_LENGTH, multiline=True)
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


# --- the advocate program -------------------------------------------------------------------------


def _claim(
    session: Session, model: type[Advocate | ReferenceRequest], row_id: int, version: int | None
) -> bool:
    """Bump the row's version (given a version, only if the row is still at it); False when no row matched.

    The UPDATE takes the row's lock (PostgreSQL) or the database's write lock (SQLite) until commit, and
    compares the version under it: of two saves from one version the second waits, then matches nothing.
    """
    claim = update(model).where(model.id == row_id).values(version=model.version + 1)
    if version is not None:
        claim = claim.where(model.version == version)
    return session.execute(claim).rowcount == 1


def _claim_advocate(session: Session, actor: Actor, advocate_id: int, version: int | None = None) -> Advocate:
    """The advocate, locked for this transaction (so two people logging the 4th follow-up at once cannot
    both pass the check); with version, StaleEdit unless nobody saved it since it was read at version."""
    advocate = session.get(Advocate, advocate_id)
    if advocate is None:
        raise ValidationError(f"Advocate {advocate_id} does not exist.")
    _check_book(session, actor, advocate.account_id)
    claimed = _claim(session, Advocate, advocate_id, version)
    session.refresh(advocate)
    if not claimed:
        raise StaleEdit(
            f"Someone changed this advocate since you opened it (stage: {advocate.stage}): reload and try again.",
            {"stage": advocate.stage, "version": advocate.version},
        )
    return advocate


def _check_book(session: Session, actor: Actor, account_id: int) -> None:
    if actor.role == roles.ACCOUNT_MANAGER:
        account = session.get(Account, account_id)
        if account.owner_id != actor.id:
            raise PermissionDenied(f"{account.name} is not in your book of accounts.")


def _move(session: Session, actor: Actor, advocate: Advocate, to_stage: str, at: dt.datetime) -> None:
    session.add(
        AdvocateStageChange(
            advocate_id=advocate.id,
            from_stage=advocate.stage,
            to_stage=to_stage,
            changed_at=at,
            changed_by=actor.id,
        )
    )
    advocate.stage = to_stage
    advocate.stage_changed_at = at


def _one_of(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValidationError(f"{field} '{value}' is not one of {', '.join(allowed)}.")


def _not_after_today(field: str, day: dt.date) -> None:
    if day > now().date():
        raise ValidationError(f"{field} {day:%d %b %Y} is in the future.")


def _note(note: str) -> str | None:
    return clean_text("Note", note, MAX_NOTE_LENGTH, multiline=True) or None


def _ask_problems(engine: Engine, contact_id: int, today: dt.date) -> list[str]:
    """Why this contact may not be asked today (empty when they may), by the eligibility rules."""
    week = queries.latest_scored_week(engine)
    candidate = advocacy.candidates(engine, today, week, contact_id=contact_id)
    if candidate.empty:
        return ["The contact has left the company or the account is no longer a customer."]
    settings = queries.load_settings(engine)
    candidate["health_band"] = health.band(
        candidate["health_score"], settings["band_healthy_min"], settings["band_at_risk_below"]
    )
    return advocates.reasons(candidate, advocates.eligibility(candidate, today, settings), settings).iloc[0]


def nominate(engine: Engine, actor: Actor, contact_id: int) -> int:
    """Put a contact forward as an advocate: a new record (or a candidate's) moves to 'nominated'."""
    with write(engine, actor, "nominate") as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise ValidationError(f"Contact {contact_id} does not exist.")
        _check_book(session, actor, contact.account_id)
        advocate = session.scalar(select(Advocate).where(Advocate.contact_id == contact_id))
        at = now()
        if advocate is None:
            advocate = Advocate(
                contact_id=contact_id,
                account_id=contact.account_id,
                stage="candidate",
                stage_changed_at=at,
                nominated_by=actor.id,
            )
            session.add(advocate)
            session.flush()
        elif advocate.stage != "candidate":
            raise ValidationError(f"{contact.name} is already in the pipeline (stage: {advocate.stage}).")
        advocate.nominated_by = actor.id
        _move(session, actor, advocate, "nominated", at)
        session.flush()
        audit(session, actor, "nominate", "advocate", advocate.id, None, {"contact_id": contact_id})
    return advocate.id


def log_outreach(
    engine: Engine,
    actor: Actor,
    advocate_id: int,
    *,
    follow_up: bool,
    purpose: str,
    channel: str,
    owner_role: str,
    sent_on: dt.date,
    outcome: str,
    responded_on: dt.date | None = None,
    note: str = "",
) -> int:
    """Log an ask or a follow-up. An ask must pass the eligibility rules; a follow-up the follow-up limit.
    An ask moves a candidate or nominee to 'asked'; an agreement to 'agreed', a refusal to 'declined'."""
    _one_of("Purpose", purpose, v.OUTREACH_PURPOSES)
    _one_of("Channel", channel, v.CHANNELS)
    _one_of("Owner role", owner_role, v.OWNER_ROLES)
    _one_of("Outcome", outcome, v.OUTREACH_OUTCOMES)
    _not_after_today("Sent on", sent_on)
    responded_on = _response_day(outcome, responded_on, sent_on)
    note = _note(note)
    with write(engine, actor, "log_outreach") as session:
        advocate = _claim_advocate(session, actor, advocate_id)
        settings = queries.load_settings(engine)
        attempts = advocacy.outreach_of(session.connection(), advocate_id)
        if follow_up:
            if refusal := pipeline.check_follow_up(attempts, advocate_id, settings):
                raise ValidationError(refusal)
            number = pipeline.next_follow_up(attempts, advocate_id)
        else:
            if problems := _ask_problems(engine, advocate.contact_id, sent_on):
                raise ValidationError("Not now: " + "; ".join(problems) + ".")
            number = 0
        attempt = OutreachAttempt(
            advocate_id=advocate_id,
            purpose=purpose,
            channel=channel,
            owner_role=owner_role,
            owner_id=actor.id,
            follow_up_number=number,
            sent_on=sent_on,
            responded_on=responded_on,
            outcome=outcome,
            note=note,
        )
        session.add(attempt)
        at = now()
        if advocate.stage in ("candidate", "nominated"):
            _move(session, actor, advocate, "asked", at)
        _follow_outcome(session, actor, advocate, outcome, at)
        session.flush()
        audit(
            session,
            actor,
            "log_outreach",
            "outreach_attempt",
            attempt.id,
            None,
            {"advocate_id": advocate_id, "follow_up_number": number, "channel": channel, "outcome": outcome},
        )
    return attempt.id


def _response_day(outcome: str, responded_on: dt.date | None, sent_on: dt.date) -> dt.date | None:
    if outcome == "no_response":
        if responded_on is not None:
            raise ValidationError("Responded on: leave it empty when the outcome is 'no_response'.")
        return None
    if responded_on is None:
        raise ValidationError(f"Responded on: required when the outcome is '{outcome}'.")
    _not_after_today("Responded on", responded_on)
    if responded_on < sent_on:
        raise ValidationError(f"Responded on {responded_on:%d %b %Y} is before sent on {sent_on:%d %b %Y}.")
    return responded_on


def _follow_outcome(
    session: Session, actor: Actor, advocate: Advocate, outcome: str, at: dt.datetime
) -> None:
    if outcome == "agreed" and advocate.stage == "asked":
        _move(session, actor, advocate, "agreed", at)
    elif outcome == "declined" and advocate.stage == "asked":
        _move(session, actor, advocate, "declined", at)


def record_response(
    engine: Engine, actor: Actor, attempt_id: int, outcome: str, responded_on: dt.date
) -> None:
    """The answer to an ask or follow-up that had none yet; agreement or refusal moves the stage."""
    _one_of("Outcome", outcome, v.OUTREACH_OUTCOMES[1:])
    with write(engine, actor, "record_response") as session:
        attempt = session.get(OutreachAttempt, attempt_id)
        if attempt is None:
            raise ValidationError(f"Outreach {attempt_id} does not exist.")
        advocate = _claim_advocate(session, actor, attempt.advocate_id)
        if attempt.outcome != "no_response":
            raise ValidationError(f"Outreach {attempt_id} already has an answer ({attempt.outcome}).")
        attempt.responded_on = _response_day(outcome, responded_on, attempt.sent_on)
        attempt.outcome = outcome
        _follow_outcome(session, actor, advocate, outcome, now())
        audit(session, actor, "record_response", "outreach_attempt", attempt_id, "no_response", outcome)


def move_stage(engine: Engine, actor: Actor, advocate_id: int, to_stage: str, version: int) -> None:
    """Move an advocate to another stage; refused when someone changed the record since it was read (version)."""
    _one_of("Stage", to_stage, v.ADVOCATE_STAGES)
    with write(engine, actor, "move_stage") as session:
        advocate = _claim_advocate(session, actor, advocate_id, version)
        if advocate.stage == to_stage:
            raise ValidationError(f"The advocate is already in stage '{to_stage}'.")
        before = advocate.stage
        _move(session, actor, advocate, to_stage, now())
        audit(session, actor, "move_stage", "advocate", advocate_id, before, to_stage)


def record_reward(
    engine: Engine,
    actor: Actor,
    advocate_id: int,
    kind: str,
    value: float | None,
    given_on: dt.date,
    note: str = "",
) -> int:
    """A reward given to an advocate as a thank-you (kind from the brief, optional money value)."""
    _one_of("Reward", kind, v.REWARD_KINDS)
    _not_after_today("Given on", given_on)
    if value is not None and not 0 <= value <= 1_000_000:
        raise ValidationError(f"Value {value:,.2f}: must be between 0 and 1,000,000.")
    note = _note(note)
    with write(engine, actor, "record_reward") as session:
        _claim_advocate(session, actor, advocate_id)
        reward = Reward(advocate_id=advocate_id, kind=kind, value=value, given_on=given_on, note=note)
        session.add(reward)
        session.flush()
        audit(
            session,
            actor,
            "record_reward",
            "reward",
            reward.id,
            None,
            {"advocate_id": advocate_id, "kind": kind, "value": value},
        )
    return reward.id


def issue_referral_code(engine: Engine, actor: Actor, advocate_id: int) -> str:
    """Give an advocate who agreed (or is reference-ready) a referral code of their own; returns the code."""
    with write(engine, actor, "issue_referral_code") as session:
        advocate = _claim_advocate(session, actor, advocate_id)
        if advocate.referral_code:
            raise ValidationError(
                f"Advocate {advocate_id} already has referral code {advocate.referral_code}."
            )
        if advocate.stage not in advocates.IN_PROGRAM_STAGES:
            raise ValidationError(
                f"Advocate {advocate_id} is '{advocate.stage}': only advocates who agreed get a referral code."
            )
        advocate.referral_code = referrals.new_code(
            session.get(Contact, advocate.contact_id).name, advocate_id
        )
        audit(
            session,
            actor,
            "issue_referral_code",
            "advocate",
            advocate_id,
            None,
            {"referral_code": advocate.referral_code},
        )
        return advocate.referral_code


def record_thank_you(
    engine: Engine,
    actor: Actor,
    advocate_id: int,
    reason: str,
    channel: str,
    sent_on: dt.date,
    note: str = "",
) -> int:
    """A thank-you sent to an advocate for an agreement, a fulfilled reference or a converted referral."""
    _one_of("Reason", reason, v.THANK_YOU_REASONS)
    _one_of("Channel", channel, v.CHANNELS)
    _not_after_today("Sent on", sent_on)
    note = _note(note)
    with write(engine, actor, "record_thank_you") as session:
        _claim_advocate(session, actor, advocate_id)
        thanks = ThankYou(advocate_id=advocate_id, reason=reason, channel=channel, sent_on=sent_on, note=note)
        session.add(thanks)
        session.flush()
        audit(
            session,
            actor,
            "record_thank_you",
            "thank_you",
            thanks.id,
            None,
            {"advocate_id": advocate_id, "reason": reason},
        )
    return thanks.id


# --- references: requests, assignment with fatigue enforced, outcomes, library use ---------------------


def _text(field: str, value: str, longest: int = 200) -> str:
    value = clean_text(field, value, longest)
    if not value:
        raise ValidationError(f"{field}: required.")
    return value


def _amount(field: str, value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 1_000_000_000:
        raise ValidationError(f"{field} {value:,.2f}: must be between 0 and 1,000,000,000.")
    return value


def create_reference_request(
    engine: Engine,
    actor: Actor,
    *,
    prospect: str,
    industry: str,
    deal_size: float,
    deal_stage: str,
    kind: str,
    company_size: str | None = None,
    region: str | None = None,
    product: str | None = None,
    needed_by: dt.datetime | None = None,
) -> int:
    """Sales asks for a reference for a deal; needed by the SLA (default 48 hours) unless a time is given."""
    prospect = _text("Prospect", prospect)
    industry = _text("Industry", industry, 60)
    _one_of("Deal stage", deal_stage, v.DEAL_STAGES)
    _one_of("Kind", kind, v.REQUEST_KINDS)
    for field, value, allowed in (
        ("Company size", company_size, v.SEGMENTS),
        ("Region", region, v.REGIONS),
        ("Product", product, v.PRODUCTS),
    ):
        if value is not None:
            _one_of(field, value, allowed)
    if _amount("Deal size", deal_size) is None:
        raise ValidationError("Deal size: required.")
    at = now()
    with write(engine, actor, "create_reference_request") as session:
        settings = settings_rules.resolve(_stored_settings(session))
        due = needed_by or references.default_needed_by(at, settings)
        if due <= at:
            raise ValidationError(f"Needed by {due:%d %b %Y %H:%M} is not in the future.")
        request = ReferenceRequest(
            prospect=prospect,
            industry=industry,
            company_size=company_size,
            region=region,
            product=product,
            deal_size=deal_size,
            deal_stage=deal_stage,
            kind=kind,
            requested_by=actor.id,
            requested_at=at,
            needed_by=due,
            status="open",
        )
        session.add(request)
        session.flush()
        audit(
            session,
            actor,
            "create_reference_request",
            "reference_request",
            request.id,
            None,
            {"prospect": prospect, "industry": industry, "kind": kind, "needed_by": due},
        )
    return request.id


def _claim_request(session: Session, request_id: int, version: int) -> ReferenceRequest:
    """The request, locked for this transaction; StaleEdit unless nobody saved it since it was read at version."""
    claimed = _claim(session, ReferenceRequest, request_id, version)
    request = session.get(ReferenceRequest, request_id)
    if request is None:
        raise ValidationError(f"Reference request {request_id} does not exist.")
    if not claimed:
        raise StaleEdit(
            f"Someone changed the request for {request.prospect} since you opened it "
            f"(it is now {request.status}): reload and try again.",
            {"status": request.status, "version": request.version},
        )
    return request


def _approved_asset(session: Session, asset_id: int) -> Asset:
    """The asset, if the featured customer approved it: only approved assets go to prospects."""
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise ValidationError(f"Asset {asset_id} does not exist.")
    if asset.approval_status != "approved":
        raise ValidationError(f"'{asset.title}' is not approved by the customer ({asset.approval_status}).")
    return asset


def assign_reference(
    engine: Engine,
    actor: Actor,
    request_id: int,
    version: int,
    *,
    advocate_id: int | None = None,
    asset_id: int | None = None,
) -> None:
    """Marketing fulfils an open request with one reference-ready advocate (fatigue and the reference rules
    enforced) or one approved asset; the advocate's reference activity counts from now."""
    if (advocate_id is None) == (asset_id is None):
        raise ValidationError("Assign either one advocate or one asset.")
    today = now().date()
    with write(engine, actor, "assign_reference") as session:
        request = _claim_request(session, request_id, version)
        if request.status != "open":
            raise ValidationError(f"The request for {request.prospect} is {request.status}, not open.")
        if advocate_id is not None:
            advocate = _claim_advocate(session, actor, advocate_id)
            settings = settings_rules.resolve(_stored_settings(session))
            facts = advocacy.candidates(
                engine, today, queries.latest_scored_week(engine), advocate.contact_id
            )
            if facts.empty:
                raise ValidationError(
                    "The advocate has left the company or the account is no longer a customer."
                )
            facts["health_band"] = health.band(
                facts["health_score"], settings["band_healthy_min"], settings["band_at_risk_below"]
            )
            fatigue = advocates.fatigue(
                advocacy.reference_activities(session.connection(), advocate_id), today, settings
            )
            problems = matching.exclusion_reasons(facts.set_index("advocate_id"), fatigue, settings, today)
            if problems.iloc[0]:
                raise ValidationError(
                    f"{facts['contact_name'].iloc[0]} cannot take this reference: {problems.iloc[0]}."
                )
            request.assigned_advocate_id = advocate_id
        else:
            _approved_asset(session, asset_id)
            request.assigned_asset_id = asset_id
        request.status = "assigned"
        audit(
            session,
            actor,
            "assign_reference",
            "reference_request",
            request_id,
            "open",
            {"advocate_id": advocate_id, "asset_id": asset_id},
        )


def complete_reference(engine: Engine, actor: Actor, request_id: int, version: int, status: str) -> None:
    """An assigned request is done (the call, visit or webinar happened, or the asset was sent) or declined.
    A done asset request counts as one use of the asset in this deal."""
    _one_of("Status", status, ("done", "declined"))
    with write(engine, actor, "complete_reference") as session:
        request = _claim_request(session, request_id, version)
        if request.status != "assigned":
            raise ValidationError(f"The request for {request.prospect} is {request.status}, not assigned.")
        request.status = status
        at = now()
        if status == "done":
            request.fulfilled_at = at
            if request.assigned_asset_id is not None:
                session.add(
                    AssetUsage(
                        asset_id=request.assigned_asset_id,
                        used_by=request.requested_by,
                        used_on=at.date(),
                        reference_request_id=request.id,
                        opportunity=request.prospect,
                    )
                )
        audit(session, actor, "complete_reference", "reference_request", request_id, "assigned", status)


def record_deal_outcome(
    engine: Engine, actor: Actor, request_id: int, version: int, outcome: str, amount: float | None
) -> None:
    """The deal a fulfilled request supported was won (with its amount) or lost; it counts as influenced revenue."""
    _one_of("Outcome", outcome, v.DEAL_OUTCOMES)
    if outcome == "won" and _amount("Amount", amount) is None:
        raise ValidationError("Amount: required when the deal was won.")
    with write(engine, actor, "record_deal_outcome") as session:
        request = _claim_request(session, request_id, version)
        if request.status != "done":
            raise ValidationError(
                f"The request for {request.prospect} is {request.status}: record outcomes of done ones."
            )
        before = request.outcome
        request.outcome = outcome
        request.won_amount = amount if outcome == "won" else None
        session.execute(
            update(AssetUsage)
            .where(AssetUsage.reference_request_id == request_id)
            .values(outcome=outcome, amount=amount)
        )
        audit(
            session,
            actor,
            "record_deal_outcome",
            "reference_request",
            request_id,
            before,
            {"outcome": outcome, "amount": amount},
        )


def log_asset_use(
    engine: Engine,
    actor: Actor,
    asset_id: int,
    opportunity: str,
    outcome: str | None = None,
    amount: float | None = None,
) -> int:
    """'Used in deal' from the library card: an approved asset used for an opportunity, with the outcome if known."""
    opportunity = _text("Opportunity", opportunity)
    if outcome is not None:
        _one_of("Outcome", outcome, v.DEAL_OUTCOMES)
    _amount("Amount", amount)
    with write(engine, actor, "log_asset_use") as session:
        _approved_asset(session, asset_id)
        use = AssetUsage(
            asset_id=asset_id,
            used_by=actor.id,
            used_on=now().date(),
            opportunity=opportunity,
            outcome=outcome,
            amount=amount,
        )
        session.add(use)
        session.flush()
        audit(
            session,
            actor,
            "log_asset_use",
            "asset",
            asset_id,
            None,
            {"opportunity": opportunity, "outcome": outcome},
        )
    return use.id
