"""Password logins, throttled per username and address (core/throttle.py has the delays).

Decisions:
- A username is matched case-insensitively after stripping spaces, as the login form has always done
  (the authenticator lowercases both sides); the throttle counts under that lowercased name, so
  "Amy" and "amy" share one counter. Addresses are the browser's IP, or "unknown" when Streamlit has
  none (localhost, or behind a proxy on the same host).
- While a wait runs the password is not checked and the attempt is not counted: guessing during a
  wait is useless, and an attacker cannot push the real user's wait past the cap.
- A success deletes that username-and-address row only; rows idle for a day are deleted by any attempt.
- A browser that has logged in as this user before (ui/auth.py's device cookie; device is its id) is held
  only by its own failures, counted under the address "device <id>" with the pair's policy, and by no
  username or address wait: others' wrong passwords, even all from one shared address, never keep the
  user out, while a stolen device cookie still guesses as slowly as one address.
- Unknown usernames are counted and throttled like known ones and checked against a dummy hash of
  the same cost, so neither the message nor the time says which usernames exist.
- Each counted failure writes one audit row under the pseudo-actor LOGIN_FORM: action "login_failed",
  or "login_throttled" when it starts a wait; entity "login", entity id the name tried, and the
  address (with known_browser for a device), the pair's failures and the wait. Refused attempts during a wait write nothing, so the
  throttle also bounds the audit rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Literal

import bcrypt
from sqlalchemy import ColumnElement, Engine, case, delete, func, or_, select, text
from sqlalchemy.orm import Session

from core import passwords, throttle
from db import service
from db.engine import transaction
from db.models import LoginFailure, User

log = logging.getLogger(__name__)

UNKNOWN_ADDRESS = "unknown"
WRONG_MESSAGE = "Username or password is incorrect."
LOGIN_FORM = service.Actor(id=None, username="(login form)", name="Login form", role="anonymous")
# bcrypt of a random string nobody knows, at cost 12 like every stored hash (PASSWORD_COST, db/service/users.py):
# checking an unknown username against it takes as long as checking a known one.
DUMMY_HASH = b"$2b$12$XmuFCcnef7y3lhqQHnHhb.UdoJhyGvocdWjnlPfumMYj24L7Skxhi"
KEY_LENGTH = 64  # the columns' width


@dataclass(frozen=True)
class LoginOutcome:
    """ok (username is the stored one), wrong, or wait (wait_seconds left, password not checked)."""

    status: Literal["ok", "wrong", "wait"]
    username: str | None = None
    wait_seconds: float = 0.0

    @property
    def message(self) -> str | None:
        """What the login form shows: nothing on success, and never whether the username exists."""
        if self.status == "ok":
            return None
        if self.status == "wait":
            return throttle.wait_message(self.wait_seconds)
        return WRONG_MESSAGE


def throttle_key(username: str) -> str:
    """The name failures are counted under: stripped, lowercased, cut to the column's width."""
    return username.strip().lower()[:KEY_LENGTH]


def check_login(
    engine: Engine,
    username: str,
    password: str,
    address: str | None,
    now: dt.datetime | None = None,
    *,
    device: str | None = None,
) -> LoginOutcome:
    """Check a password unless a wait runs for this username, address or both (or, from a browser that has
    logged in as this user before, for that device alone); count a failure, clear on success.

    A username longer than 64 characters or holding a control character is refused (ValidationError)
    before the database: no user has one, and PostgreSQL refuses NUL in text.
    """
    now = now or service.now()
    name = throttle_key(service.clean_text("Username", username, KEY_LENGTH))
    address = (address or UNKNOWN_ADDRESS)[:KEY_LENGTH]
    # The row this attempt's failures are counted in.
    place = f"device {device}"[:KEY_LENGTH] if device else address
    counters = _counters(name, place, address, device is not None)
    with transaction(engine) as session:
        _serialise(session, name, now)
        counts = _counts(session, [condition for condition, _ in counters])
        policies = [policy for _, policy in counters]
        wait = _wait(counts, policies, now)
        if wait > 0:
            log.info("login refused: a wait runs")
            return LoginOutcome("wait", wait_seconds=wait)
        account = _account(session, name)
        if _password_matches(password, account[1] if account else DUMMY_HASH) and account is not None:
            session.execute(
                delete(LoginFailure).where(LoginFailure.username == name, LoginFailure.address == place)
            )
            log.info("login: success user=%s", account[0])
            return LoginOutcome("ok", username=account[0])
        pair = session.get(LoginFailure, (name, place))
        if pair is None:
            pair = LoginFailure(username=name, address=place, failures=0)
            session.add(pair)
        pair.failures += 1
        pair.last_failed_at = now
        # Every counter holds the pair's row, so this failure adds one to each.
        wait = _wait([(failures + 1, now) for failures, _ in counts], policies, now)
        service.audit(
            session,
            LOGIN_FORM,
            "login_throttled" if wait > 0 else "login_failed",
            "login",
            name,
            after={
                "address": address,
                **({"known_browser": True} if device else {}),
                "failures": pair.failures,
                "wait_seconds": round(wait),
            },
        )
    # An unknown name is not logged: it is often a password typed into the username field.
    log.info("login: failure user=%s throttled=%s", name if account else "(unknown)", wait > 0)
    return LoginOutcome("wait", wait_seconds=wait) if wait > 0 else LoginOutcome("wrong")


def _counters(
    name: str, place: str, address: str, known_browser: bool
) -> list[tuple[ColumnElement[bool], throttle.Policy]]:
    """The failures that hold this attempt back, as conditions on login_failures, each with its policy."""
    pair = (LoginFailure.username == name) & (LoginFailure.address == place)
    if known_browser:
        return [(pair, throttle.PAIR)]
    counters = [(pair, throttle.PAIR), (LoginFailure.username == name, throttle.USERNAME)]
    # Every local connection shares "unknown": an address-wide wait would hold back everyone.
    if address != UNKNOWN_ADDRESS:
        counters.append((LoginFailure.address == address, throttle.ADDRESS))
    return counters


def _serialise(session: Session, name: str, now: dt.datetime) -> None:
    # Concurrent guesses must not all read the same count: PostgreSQL queues attempts per username
    # on an advisory lock; SQLite's first write takes the database's write lock until commit.
    if session.get_bind().dialect.name == "postgresql":
        lock = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": lock})
    session.execute(delete(LoginFailure).where(LoginFailure.last_failed_at < now - throttle.FORGET_AFTER))


def _counts(session: Session, conditions: list[ColumnElement[bool]]) -> list[tuple[int, dt.datetime | None]]:
    """(failures, last failure) of the rows matching each condition, in one query."""
    columns = []
    for condition in conditions:
        columns.append(func.coalesce(func.sum(case((condition, LoginFailure.failures), else_=0)), 0))
        columns.append(func.max(case((condition, LoginFailure.last_failed_at))))
    row = session.execute(select(*columns).where(or_(*conditions))).one()
    return [(int(row[2 * i]), row[2 * i + 1]) for i in range(len(conditions))]


def _wait(
    counts: list[tuple[int, dt.datetime | None]], policies: list[throttle.Policy], now: dt.datetime
) -> float:
    return max(
        throttle.wait_left(failures, last, now, policy)
        for (failures, last), policy in zip(counts, policies, strict=True)
    )


def _account(session: Session, name: str) -> tuple[str, bytes] | None:
    """(stored username, hash) of the enabled user the name means; an exact match wins, then the oldest."""
    # Compared in Python: SQLite's lower() leaves non-ASCII letters alone. The users table is small.
    users = session.execute(
        select(User.username, User.password_hash).where(User.disabled.is_(False)).order_by(User.id)
    ).all()
    matches = [row for row in users if row.username.lower() == name]
    if not matches:
        return None
    best = next((row for row in matches if row.username == name), matches[0])
    return best.username, best.password_hash.encode("utf-8")


def _password_matches(password: str, hashed: bytes) -> bool:
    encoded = password.encode("utf-8")
    try:
        # bcrypt refuses more than 72 bytes; no stored password is that long (core/passwords.py),
        # yet the check still runs so a long guess takes the usual time.
        return bcrypt.checkpw(encoded[: passwords.MAX_BYTES], hashed) and len(encoded) <= passwords.MAX_BYTES
    except ValueError:
        return False  # not a bcrypt hash: no password opens that account
