"""Company sign-in: the user row an OpenID Connect identity (Streamlit's st.user) logs in as.

Decisions:
- The identity's e-mail is the only link: it maps to the enabled user whose stored e-mail is the same,
  compared case-insensitively after stripping spaces (in Python, as db.logins compares usernames). The
  provider's subject, name and groups grant nothing; the role is the user row's.
- An e-mail the provider marks unverified (email_verified false, or the text "false" some providers
  send) maps to nobody; a provider that sends no email_verified at all is trusted as configured.
- An e-mail that two enabled users share maps to nobody ("ambiguous"): picking one could hand out the
  other's role. An e-mail held only by disabled users is refused as "disabled".
- A login that began before the user's sessions were ended (logout, password reset) is "ended": the
  identity cookie lives on in the browser, so only a new sign-in at the provider logs in again.
- Audit rows, one per sign-in (its ID token's issue time, signed_in_at), however often the browser
  reloads: "company_sign_in" under the user (entity "user", its id), or "company_sign_in_refused"
  under the pseudo-actor COMPANY_SIGN_IN (entity "login", entity id the e-mail, or the subject when
  there is no e-mail) with the reason. An "ended" identity writes nothing: the logout or reset that
  ended it is audited already.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, Engine, false, select, text, update
from sqlalchemy.orm import Session

from db import service
from db.engine import transaction
from db.models import AuditLog, User

COMPANY_SIGN_IN = service.Actor(
    id=None, username="(company sign-in)", name="Company sign-in", role="anonymous"
)
SIGNED_IN = "company_sign_in"
REFUSED = "company_sign_in_refused"
ENTITY_ID_LENGTH = 64  # audit_log.entity_id's width
AUDITED_LENGTH = 200  # the longest e-mail a user row holds; claims are cut to it in the audit row
# The advisory lock sign-ins queue on (PostgreSQL): any fixed number no other lock in this app uses.
LOCK = int.from_bytes(hashlib.blake2b(b"company sign-in", digest_size=8).digest(), "big", signed=True)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

Status = Literal["ok", "no_email", "unverified", "unknown", "disabled", "ambiguous", "ended"]

MESSAGES: dict[str, str] = {
    "no_email": "Your company account sent no e-mail address, so it cannot be matched to a user here.",
    "unverified": "Your company account's e-mail address is not verified, so it cannot be matched to a user here.",
    "unknown": "No user here has your company e-mail address. Ask an admin to add it to your user.",
    "disabled": "The user with your company e-mail address is disabled.",
    "ambiguous": "Several users here have your company e-mail address. Ask an admin to keep it on one.",
    "ended": "Your session has ended (a logout elsewhere or a password reset): sign in again.",
}


@dataclass(frozen=True)
class SignInOutcome:
    """ok (username is the stored one), or why the identity logs in as nobody."""

    status: Status
    username: str | None = None

    @property
    def message(self) -> str | None:
        return MESSAGES.get(self.status)


def printable(value: object, longest: int = AUDITED_LENGTH) -> str:
    """value as text without control characters (PostgreSQL refuses NUL), cut to longest characters."""
    return _CONTROL.sub("", value if isinstance(value, str) else "")[:longest]


def email_of(identity: Mapping[str, object]) -> str | None:
    """The identity's e-mail, stripped and lowercased, or None when it has none."""
    email = identity.get("email")
    if not isinstance(email, str) or not email.strip():
        return None
    return email.strip().lower()


def is_unverified(identity: Mapping[str, object]) -> bool:
    verified = identity.get("email_verified")
    return verified is False or (isinstance(verified, str) and verified.strip().lower() == "false")


def sign_in(engine: Engine, identity: Mapping[str, object], signed_in_at: dt.datetime) -> SignInOutcome:
    """The user the identity logs in as, or why none; audited once per sign-in (see the module's decisions)."""
    email = email_of(identity)
    with transaction(engine) as session:
        _serialise(session)
        rows = session.execute(
            select(
                User.id,
                User.username,
                User.name,
                User.role,
                User.email,
                User.disabled,
                User.sessions_valid_from,
            ).order_by(User.id)
        ).all()
        matches = [row for row in rows if email and row.email.strip().lower() == email]
        enabled = [row for row in matches if not row.disabled]
        if email is None:
            status: Status = "no_email"
        elif is_unverified(identity):
            status = "unverified"
        elif len(enabled) > 1:
            status = "ambiguous"
        elif enabled:
            status = "ok"
        else:
            status = "disabled" if matches else "unknown"
        details = {
            "email": printable(email),
            "subject": printable(identity.get("sub")),
            "issuer": printable(identity.get("iss")),
        }
        if status != "ok":
            entity_id = printable(email or identity.get("sub"), ENTITY_ID_LENGTH) or None
            same_name = AuditLog.entity_id.is_(None) if entity_id is None else AuditLog.entity_id == entity_id
            if not _audited(session, REFUSED, signed_in_at, same_name):
                service.audit(
                    session, COMPANY_SIGN_IN, REFUSED, "login", entity_id, after={"reason": status, **details}
                )
            return SignInOutcome(status)
        user = enabled[0]
        valid_from = user.sessions_valid_from
        if valid_from is not None and valid_from > signed_in_at:
            return SignInOutcome("ended")
        if not _audited(session, SIGNED_IN, signed_in_at, AuditLog.user_id == user.id):
            actor = service.Actor(id=user.id, username=user.username, name=user.name, role=user.role)
            service.audit(session, actor, SIGNED_IN, "user", user.id, after=details)
        return SignInOutcome("ok", username=user.username)


def _serialise(session: Session) -> None:
    # Two tabs opening with one sign-in must not both find it unaudited: PostgreSQL queues sign-ins on an
    # advisory lock; on SQLite a first write (of nothing) takes the database's write lock until commit.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": LOCK})
    else:
        session.execute(update(AuditLog).where(false()).values(action=AuditLog.action))


def _audited(session: Session, action: str, signed_in_at: dt.datetime, same: ColumnElement[bool]) -> bool:
    """True when this sign-in was audited already: a row of action about the same user or name since its moment."""
    stmt = select(AuditLog.id).where(AuditLog.action == action, AuditLog.at >= signed_in_at, same).limit(1)
    return session.execute(stmt).first() is not None
