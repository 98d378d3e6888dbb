import time

import jwt
import pandas as pd

from ui.auth import COOKIE_DAYS, cookie_is_revoked

KEY = "a-test-key-that-is-long-enough-for-hs256"


def token(username: str, issued: float, key: str = KEY) -> str:
    return jwt.encode(
        {"username": username, "exp_date": issued + COOKIE_DAYS * 86_400}, key, algorithm="HS256"
    )


def users(valid_from: pd.Timestamp | None) -> pd.DataFrame:
    return pd.DataFrame({"username": ["amy"], "sessions_valid_from": [valid_from]})


def test_cookie_issued_before_logout_is_revoked():
    logged_out = pd.Timestamp("2026-11-23 12:00:00")  # naive UTC, as stored
    issued_before = logged_out.tz_localize("UTC").timestamp() - 60
    issued_after = logged_out.tz_localize("UTC").timestamp() + 60
    assert cookie_is_revoked(token("amy", issued_before), KEY, users(logged_out))
    assert not cookie_is_revoked(token("amy", issued_after), KEY, users(logged_out))


def test_cookie_of_a_user_who_never_logged_out_is_valid():
    assert not cookie_is_revoked(token("amy", time.time()), KEY, users(None))


def test_cookie_of_a_disabled_or_deleted_user_is_revoked():
    assert cookie_is_revoked(token("bob", time.time()), KEY, users(None))


def test_badly_signed_cookie_is_left_to_the_authenticator():
    assert not cookie_is_revoked(
        token("amy", time.time(), key="another-key-also-long-enough-1234"), KEY, users(None)
    )
