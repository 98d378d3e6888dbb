"""Logins and their administration: adding a user, logging out, role, access and password changes."""

from __future__ import annotations

import re
from collections.abc import Callable

import bcrypt
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from core import passwords, roles
from db.models import AuditLog, User
from db.service.base import (
    Actor,
    StaleEdit,
    ValidationError,
    audit,
    claim,
    clean_text,
    now,
    one_of,
    write,
    write_lock_first,
)

# bcrypt's work factor: about a quarter second a hash, the time db/logins.py's dummy hash also takes.
PASSWORD_COST = 12


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(PASSWORD_COST)).decode("ascii")


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
    one_of("Role", role, roles.ROLES)
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


def _stale_user(session: Session, user: User) -> StaleEdit:
    editor = session.scalar(
        select(AuditLog.username)
        .where(AuditLog.entity == "user", AuditLog.entity_id == str(user.id), AuditLog.action.in_(USER_EDITS))
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
    state = "disabled" if user.disabled else "enabled"
    return StaleEdit(
        f"{editor or 'Someone'} changed {user.username} since you opened it: role is now "
        f"{roles.ROLE_LABELS[user.role]}, {state}. Nothing was saved; the form now shows the current values.",
        {"username": user.username, "role": user.role, "disabled": user.disabled, "version": user.version},
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
    with write(engine, actor, action) as session:
        if hold_admins:
            # Two admins removing each other at once must not both pass the last-admin check.
            write_lock_first(
                session,
                select(User.id)
                .where(User.role == roles.ADMIN, User.disabled.is_(False))
                .order_by(User.id)
                .with_for_update(),
            )
        user = claim(session, User, user_id, version, label="User", stale=_stale_user)
        before, after = change(session, user)
        audit(session, actor, action, "user", user_id, before, after)


def change_role(engine: Engine, actor: Actor, user_id: int, role: str, version: int) -> None:
    """Give a user another role; an admin cannot demote themselves, and one enabled admin always remains."""

    def change(session: Session, user: User) -> tuple[dict[str, object], dict[str, object]]:
        one_of("Role", role, roles.ROLES)
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
    if problem := passwords.password_problem(password):
        raise ValidationError(problem)
    # Hashed before the transaction: bcrypt's quarter second must not hold the lock.
    password_hash = hash_password(password)

    def change(_session: Session, user: User) -> tuple[dict[str, object], dict[str, object]]:
        user.password_hash = password_hash
        user.sessions_valid_from = now()
        # The password and its hash never enter the audit log.
        return {"username": user.username}, {
            "username": user.username,
            "password": "reset",
            "sessions_valid_from": user.sessions_valid_from,
        }

    _edit_user(engine, actor, "reset_password", user_id, version, change)
