"""Login and the role guard that every page file starts with.

Streamlit serves pages/*.py directly until some session has run st.navigation, skipping
app.py; so each page calls require_page() itself and nothing renders before login.
"""

from __future__ import annotations

import os
import secrets
import threading

import jwt
import pandas as pd
import streamlit as st
import streamlit_authenticator as stauth

from core import roles
from db import logins, service
from db.engine import is_embedded_demo
from db.service import Actor
from ui import data, text

COOKIE_NAME = "advocacy_session"
COOKIE_DAYS = 7.0
COOKIE_KEY_ENV = "DASHBOARD_COOKIE_KEY"


# The demo database's key, one per process. Not in st.cache_resource: any websocket client, logged
# in or not, can send Streamlit's clear_cache message, and a new key would log everyone out.
_demo_key: str | None = None
_demo_key_lock = threading.Lock()


def cookie_key() -> tuple[str | None, bool]:
    """(key, generated): the configured cookie signing key, or for the demo database only one generated per process."""
    key = os.environ.get(COOKIE_KEY_ENV)
    if not key:
        try:
            key = st.secrets["cookie_key"]
        except (KeyError, FileNotFoundError):
            key = None
    if key:
        return key, False
    if is_embedded_demo():
        return _generated_key(), True
    return None, False


def _generated_key() -> str:
    global _demo_key
    with _demo_key_lock:
        if _demo_key is None:
            _demo_key = secrets.token_urlsafe(32)
        return _demo_key


def _authenticator(key: str) -> stauth.Authenticate:
    users = data.credentials()
    credentials = {
        "usernames": {
            row.username: {
                "name": row.name,
                "email": row.email,
                "password": row.password_hash,
                "roles": [row.role],
            }
            for row in users.itertuples()
        }
    }
    # Pre-hashed passwords, no auto-hash and no login sleep keep deep links alive through login.
    return stauth.Authenticate(
        credentials, COOKIE_NAME, key, COOKIE_DAYS, auto_hash=False, login_sleep_time=0
    )


def _user_row(users: pd.DataFrame, username: object) -> pd.Series | None:
    # The session and the cookie carry the lowercased name (the authenticator lowercases it);
    # an exact match wins over a case variant, as in db.logins.
    if not isinstance(username, str):
        return None
    match = users[users["username"].str.lower() == username.lower()]
    if match.empty:
        return None
    exact = match[match["username"] == username]
    return (exact if not exact.empty else match.sort_values("id")).iloc[0]


def current_actor() -> Actor | None:
    """The logged-in user as the database knows them now (a disabled or deleted user is nobody)."""
    if not st.session_state.get("authentication_status"):
        return None
    row = _user_row(data.credentials(), st.session_state.get("username"))
    if row is None:
        return None
    return Actor(id=int(row["id"]), username=row["username"], name=row["name"], role=row["role"])


def cookie_is_revoked(token: str, key: str, users: pd.DataFrame) -> bool:
    """True for a validly signed login cookie whose user is gone or logged out after it was issued.

    The authenticator never revokes cookies itself; its token carries only the username and
    the expiry, so the issue time is the expiry minus the cookie's lifetime.
    """
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return False  # the authenticator refuses it anyway
    row = _user_row(users, claims.get("username"))
    if row is None:
        return True
    valid_from = row["sessions_valid_from"]
    if pd.isna(valid_from):
        return False
    issued = float(claims.get("exp_date", 0)) - COOKIE_DAYS * 86_400
    return issued < pd.Timestamp(valid_from).tz_localize("UTC").timestamp()


def _password_login(authenticator: stauth.Authenticate) -> Actor | None:
    """Our login form, throttled by db.logins; on success the session and cookie the authenticator would set."""
    form_area = st.empty()
    with form_area.container(), st.form("login"):
        st.subheader("Login")
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Login")
    if not submitted:
        return None
    if not username.strip() or not password:
        st.error("Enter your username and password.")
        return None
    address = st.context.ip_address
    # None on localhost; AppTest's client is a mock whose address is no string either.
    if not isinstance(address, str):
        address = None
    outcome = logins.check_login(data.engine(), username, password, address)
    if outcome.status != "ok":
        st.error(outcome.message)
        return None
    row = _user_row(data.credentials(), outcome.username)
    if row is None:
        return None  # disabled between the check and now
    st.session_state.update(
        authentication_status=True,
        username=row["username"].lower(),
        name=row["name"],
        email=row["email"],
        roles=[row["role"]],
    )
    authenticator.cookie_controller.set_cookie()
    form_area.empty()
    return current_actor()


def login() -> tuple[Actor, stauth.Authenticate]:
    """Show the login form until a user has logged in (or their cookie is valid)."""
    key, generated = cookie_key()
    if key is None:
        st.error(
            f"No cookie key configured. Set the {COOKIE_KEY_ENV} environment variable or "
            "`cookie_key` in .streamlit/secrets.toml before using a shared database."
        )
        st.stop()
    token = st.context.cookies.get(COOKIE_NAME)
    revoked = (
        not st.session_state.get("authentication_status")
        and token is not None
        and cookie_is_revoked(token, key, data.credentials())
    )
    if revoked:
        # The authenticator skips its cookie login while this flag is set.
        st.session_state["logout"] = True
    authenticator = _authenticator(key)
    if revoked or st.session_state.pop("delete_cookie", False):
        authenticator.cookie_controller.delete_cookie()
    # Only the cookie login: the authenticator's own form has no throttle worth the name.
    authenticator.login(location="unrendered")
    actor = current_actor() or _password_login(authenticator)
    if actor is None:
        if generated:
            st.caption(
                "Demo database: sessions are signed with a key generated at start-up, "
                "so everyone is logged out when the server restarts."
            )
        st.stop()
    return actor, authenticator


def _log_out(actor: Actor, authenticator: stauth.Authenticate) -> None:
    service.log_out(data.engine(), actor)
    data.credentials.clear()
    authenticator.authentication_controller.logout()
    # The cookie is deleted in the next run: a component rendered in a callback never shows.
    st.session_state["delete_cookie"] = True


def account_menu(actor: Actor, authenticator: stauth.Authenticate) -> None:
    """Who is logged in, and the logout button, at the foot of the sidebar."""
    with st.sidebar:
        st.divider()
        st.markdown(f"**{text.literal(actor.name)}**  \n{roles.ROLE_LABELS[actor.role]}")
        st.button(
            "Log out",
            key="log_out",
            icon=":material/logout:",
            on_click=_log_out,
            args=(actor, authenticator),
        )


def require_page(page_key: str) -> Actor:
    """The guard each page starts with: a logged-in user whose role may open page_key, or stop."""
    actor = current_actor()
    if actor is None:
        actor, authenticator = login()
        account_menu(actor, authenticator)
    if not roles.may_open(actor.role, page_key):
        st.error("Your role does not give access to this page.")
        st.stop()
    return actor
