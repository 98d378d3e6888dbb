"""Reads of the users and audit family: the users with their roles, the login credentials, and the audit log
with its filter and the filter's choices."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, Select, func, or_, select

from db import reads
from db.models import AuditLog, User


def user_credentials(engine: Engine) -> pd.DataFrame:
    """Enabled users with their bcrypt hashes, roles and the moment their login cookies became valid."""
    stmt = select(
        User.id, User.username, User.name, User.email, User.password_hash, User.role, User.sessions_valid_from
    ).where(User.disabled.is_(False))
    return reads.frame(engine, stmt, ["sessions_valid_from"])


def users(engine: Engine) -> pd.DataFrame:
    """Every user, enabled or not, with role, creation time and the version an edit must name."""
    stmt = select(
        User.id, User.username, User.name, User.email, User.role, User.disabled, User.created_at, User.version
    ).order_by(User.username)
    return reads.frame(engine, stmt, ["created_at"])


# --- the audit log ---------------------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class AuditFilter:
    """Audit rows written on days start…end (inclusive; None: open), by these users, of these actions and
    entities (empty: all), whose entity id, before or after contains text (case-insensitive; empty: any)."""

    start: dt.date | None = None
    end: dt.date | None = None
    usernames: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    text: str = ""


def _audit_where(stmt: Select, chosen: AuditFilter) -> Select:
    if chosen.start is not None:
        stmt = stmt.where(AuditLog.at >= dt.datetime.combine(chosen.start, dt.time()))
    if chosen.end is not None:
        stmt = stmt.where(AuditLog.at < dt.datetime.combine(chosen.end + dt.timedelta(days=1), dt.time()))
    for column, values in (
        (AuditLog.username, chosen.usernames),
        (AuditLog.action, chosen.actions),
        (AuditLog.entity, chosen.entities),
    ):
        if values:
            stmt = stmt.where(column.in_(values))
    # No stored text holds a control character (the service refuses them), and PostgreSQL refuses NUL.
    needle = _CONTROL.sub("", chosen.text).strip()
    if needle:
        stmt = stmt.where(
            or_(
                *(
                    column.icontains(needle, autoescape=True)
                    for column in (AuditLog.entity_id, AuditLog.before, AuditLog.after)
                )
            )
        )
    return stmt


def audit_log(engine: Engine, chosen: AuditFilter, limit: int) -> tuple[pd.DataFrame, int]:
    """The newest limit audit rows that chosen lets through, newest first, and how many it lets through in all."""
    rows = _audit_where(
        select(
            AuditLog.id,
            AuditLog.at,
            AuditLog.username,
            AuditLog.action,
            AuditLog.entity,
            AuditLog.entity_id,
            AuditLog.before,
            AuditLog.after,
        ),
        chosen,
    ).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    with engine.connect() as conn:
        total = conn.scalar(_audit_where(select(func.count()).select_from(AuditLog), chosen))
        frame = reads.frame(conn, rows.limit(limit), ["at"])
    return frame, int(total)


def audit_choices(engine: Engine) -> dict[str, list[str]]:
    """The users, actions and entities the audit log holds, each sorted: the filters' options."""
    with engine.connect() as conn:
        return {
            name: sorted(conn.scalars(select(column).distinct()))
            for name, column in (
                ("usernames", AuditLog.username),
                ("actions", AuditLog.action),
                ("entities", AuditLog.entity),
            )
        }
