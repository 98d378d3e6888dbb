import datetime as dt
import time

import jwt
import pandas as pd
from sqlalchemy import select

from db import service
from db.models import User
from db.reads import users as user_reads
from tests.db.factories import add_user
from ui.auth import COOKIE_DAYS, cookie_user

KEY = "a-test-key-that-is-long-enough-for-hs256"


def token(username: str, issued: float, key: str = KEY) -> str:
    return jwt.encode(
        {"username": username, "exp_date": issued + COOKIE_DAYS * 86_400}, key, algorithm="HS256"
    )


def users(valid_from: pd.Timestamp | None) -> pd.DataFrame:
    return pd.DataFrame({"id": [2], "username": ["amy"], "sessions_valid_from": [valid_from]})


def cookie_is_revoked(token: str, key: str, users: pd.DataFrame, now: float | None = None) -> bool:
    return cookie_user(token, key, users, now) is None


def test_cookie_issued_before_logout_is_revoked():
    logged_out = pd.Timestamp("2026-11-23 12:00:00")  # naive UTC, as stored
    issued_before = logged_out.tz_localize("UTC").timestamp() - 60
    issued_after = logged_out.tz_localize("UTC").timestamp() + 60
    later = issued_after + 60
    assert cookie_is_revoked(token("amy", issued_before), KEY, users(logged_out), later)
    assert not cookie_is_revoked(token("amy", issued_after), KEY, users(logged_out), later)


def test_cookie_of_a_user_who_never_logged_out_is_valid():
    assert not cookie_is_revoked(token("amy", time.time()), KEY, users(None))


def test_cookie_of_a_disabled_or_deleted_user_is_revoked():
    assert cookie_is_revoked(token("bob", time.time()), KEY, users(None))


def test_a_valid_cookie_logs_in_its_user_from_its_issue_time():
    issued = time.time() - 3600
    user, logged_in_at = cookie_user(token("amy", issued), KEY, users(None))
    assert user["username"] == "amy"
    assert abs(logged_in_at.replace(tzinfo=dt.UTC).timestamp() - issued) < 0.001


def admin_and_amy(engine) -> tuple[service.Actor, int]:
    admin = service.Actor(id=add_user(engine, "ada", "admin"), username="ada", name="Ada", role="admin")
    return admin, add_user(engine, "amy", "account_manager")


def valid_from(engine, user_id: int) -> float:
    with engine.connect() as conn:
        moment = conn.scalar(select(User.sessions_valid_from).where(User.id == user_id))
    return pd.Timestamp(moment).tz_localize("UTC").timestamp()


def test_cookie_issued_before_a_user_was_disabled_is_refused_even_after_enabling(engine):
    admin, amy = admin_and_amy(engine)
    issued_before = time.time() - 60
    service.set_user_disabled(engine, admin, amy, True, version=1)
    assert cookie_is_revoked(token("amy", issued_before), KEY, user_reads.user_credentials(engine))
    service.set_user_disabled(engine, admin, amy, False, version=2)
    users = user_reads.user_credentials(engine)
    assert cookie_is_revoked(token("amy", issued_before), KEY, users)
    assert not cookie_is_revoked(token("amy", valid_from(engine, amy) + 60), KEY, users)


def test_cookie_issued_before_a_password_reset_is_refused(engine):
    admin, amy = admin_and_amy(engine)
    issued_before = time.time() - 60
    assert not cookie_is_revoked(token("amy", issued_before), KEY, user_reads.user_credentials(engine))
    service.reset_password(engine, admin, amy, "a brand new passphrase", version=1)
    users = user_reads.user_credentials(engine)
    assert cookie_is_revoked(token("amy", issued_before), KEY, users)
    assert not cookie_is_revoked(token("amy", valid_from(engine, amy) + 60), KEY, users)
