"""Login and the role guard that every page file starts with.

Streamlit serves pages/*.py directly until some session has run st.navigation, skipping
app.py; so each page calls require_page() itself and nothing renders before login.

Decisions:
- Both ways in are ours: the password form (throttled by db.logins) and the login cookie, checked by
  cookie_user. A cookie that is not exactly what this app issues — HS256 with our key, a lowercase
  username, an expiry within the cookie's lifetime — or whose user is disabled or has ended their
  sessions since, counts as no cookie: the login form shows and the browser's copy is deleted.
  The authenticator only writes and deletes the cookie.
- A session remembers when its login began: the password check, or the cookie's issue time. Every
  rerun (current_actor) and every write (db.service, through Actor.logged_in_at) refuses it once the
  user logged out elsewhere, had their password reset or was disabled after that moment.
- A successful password login also leaves a device cookie naming the user: with it, this browser's
  logins are throttled on their own, so nobody else's wrong passwords can keep the user out (db/logins.py).
- Company sign-in (OpenID Connect through st.login) is offered when the secrets file has an [auth]
  section; Streamlit keeps the identity in its own HttpOnly cookie. db.company_sign_in maps its e-mail
  to a user. The session's login began at the ID token's issue time (iat), so the same checks end it:
  a logout elsewhere, a password reset or disabling refuses that identity for good, and only a new
  sign-in at the provider logs in again. An identity is also refused once it is older than a login
  cookie's lifetime (Streamlit would keep it 30 days). [company_sign_in] names the company for the
  button and may turn the password form (and its cookie) off with allow_password_login = false.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import jwt
import pandas as pd
import streamlit as st
import streamlit_authenticator as stauth
from streamlit.runtime.pages_manager import PagesManager

from core import roles
from db import company_sign_in, logins, service
from db.engine import is_embedded_demo
from db.service import Actor
from ui import data, start, text

COOKIE_NAME = "advocacy_session"
COOKIE_DAYS = 7.0
COOKIE_KEY_ENV = "DASHBOARD_COOKIE_KEY"
DEVICE_COOKIE = "advocacy_device"
DEVICE_DAYS = 365
# Replicas' clocks may differ a little: a cookie may expire up to this much past its lifetime from now.
CLOCK_SKEW_SECONDS = 300
# Session state: when this session's login began, and a logout's request to delete the cookie next run.
LOGGED_IN_AT = "logged_in_at"
DELETE_COOKIE = "delete_cookie"
# Session state: this session logged in through the company sign-in, so a logout also signs out there.
BY_COMPANY = "by_company_sign_in"
COMPANY_SECTION = "company_sign_in"


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


@dataclass(frozen=True)
class CompanySignIn:
    """The company sign-in's settings: the name on its button, and whether the password form stays."""

    name: str
    allow_password_login: bool


def company_settings() -> CompanySignIn | None:
    """The company sign-in when the secrets file configures an OpenID Connect provider ([auth]), else None."""
    try:
        if "auth" not in st.secrets:
            return None
        section = st.secrets.get(COMPANY_SECTION, {})
    except FileNotFoundError:
        return None
    name = section.get("name", "your company account")
    allow = section.get("allow_password_login", True)
    if not isinstance(name, str) or not name.strip() or not isinstance(allow, bool):
        st.error(
            f"[{COMPANY_SECTION}] in .streamlit/secrets.toml: name must be text and "
            "allow_password_login true or false."
        )
        st.stop()
    return CompanySignIn(name.strip(), allow)


def _generated_key() -> str:
    global _demo_key
    with _demo_key_lock:
        if _demo_key is None:
            _demo_key = secrets.token_urlsafe(32)
        return _demo_key


def _authenticator(key: str) -> stauth.Authenticate:
    # No credentials: it only writes and deletes the login cookie, from the session's username.
    return stauth.Authenticate({"usernames": {}}, COOKIE_NAME, key, COOKIE_DAYS, auto_hash=False)


def _user_row(users: pd.DataFrame, username: object) -> pd.Series | None:
    # The session and the cookie carry the lowercased name; an exact match wins over a case
    # variant, as in db.logins.
    if not isinstance(username, str):
        return None
    match = users[users["username"].str.lower() == username.lower()]
    if match.empty:
        return None
    exact = match[match["username"] == username]
    return (exact if not exact.empty else match.sort_values("id")).iloc[0]


def _ended(user: pd.Series, logged_in_at: dt.datetime) -> bool:
    """True when the user's sessions were ended (logout, password reset, disabling) after logged_in_at."""
    valid_from = user["sessions_valid_from"]
    return not pd.isna(valid_from) and pd.Timestamp(valid_from) > logged_in_at


def current_actor() -> Actor | None:
    """The logged-in user as the database knows them now; a disabled user, or a login older than the
    user's last logout or password reset, is nobody, and this session is logged out."""
    if not st.session_state.get("authentication_status"):
        return None
    logged_in_at = st.session_state.get(LOGGED_IN_AT)
    row = _user_row(data.credentials(), st.session_state.get("username"))
    if row is None or logged_in_at is None or _ended(row, logged_in_at):
        _end_session()
        return None
    return Actor(
        id=int(row["id"]),
        username=row["username"],
        name=row["name"],
        role=row["role"],
        logged_in_at=logged_in_at,
    )


def _start_session(user: pd.Series, logged_in_at: dt.datetime, *, by_company: bool = False) -> None:
    # The authenticator writes the cookie for st.session_state["username"].
    st.session_state.update(
        authentication_status=True,
        username=user["username"].lower(),
        **{LOGGED_IN_AT: logged_in_at, BY_COMPANY: by_company},
    )


def _end_session() -> None:
    for key in ("authentication_status", "username", LOGGED_IN_AT, BY_COMPANY):
        st.session_state.pop(key, None)


def _claims(token: str, key: str) -> dict | None:
    """The payload of a token signed with key using HS256, or None for anything else."""
    try:
        return jwt.decode(token, key, algorithms=["HS256"])
    except jwt.PyJWTError:  # alg none, another algorithm, a wrong signature, a past exp, garbage
        return None


def cookie_user(
    token: str, key: str, users: pd.DataFrame, now: float | None = None
) -> tuple[pd.Series, dt.datetime] | None:
    """The user a login cookie logs in and when it was issued, or None for any cookie but a current,
    unrevoked one this app issued.

    The authenticator's token carries only the lowercased username and the expiry (exp_date, epoch
    seconds), so the issue time is the expiry minus the cookie's lifetime.
    """
    claims = _claims(token, key)
    if claims is None:
        return None
    username, expires = claims.get("username"), claims.get("exp_date")
    if not isinstance(username, str) or username != username.lower():
        return None
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        return None
    now = time.time() if now is None else now
    lifetime = COOKIE_DAYS * 86_400
    if not now < expires <= now + lifetime + CLOCK_SKEW_SECONDS:
        return None
    issued = dt.datetime.fromtimestamp(expires - lifetime, dt.UTC).replace(tzinfo=None)
    row = _user_row(users, username)
    if row is None or _ended(row, issued):
        return None
    return row, issued


def signed_in_at(identity: Mapping[str, object], now: float | None = None) -> dt.datetime | None:
    """When the identity's sign-in happened (its ID token's iat, naive UTC), or None when it has no such
    time, one in the future (beyond clock skew), or one older than a login cookie's lifetime."""
    issued = identity.get("iat")
    if isinstance(issued, bool) or not isinstance(issued, int | float):
        return None
    now = time.time() if now is None else now
    if not now - COOKIE_DAYS * 86_400 < issued <= now + CLOCK_SKEW_SECONDS:
        return None
    return dt.datetime.fromtimestamp(issued, dt.UTC).replace(tzinfo=None)


def _company_login(company: CompanySignIn | None) -> Actor | None:
    """The user the company identity in this browser maps to; a refused identity shows why and stops."""
    # .get: st.user has no is_logged_in at all when [auth] reaches the app only as test secrets.
    if company is None or st.user.get("is_logged_in") is not True:
        return None
    identity = st.user.to_dict()
    moment = signed_in_at(identity)
    if moment is None:
        st.info(f"Your sign-in with {company.name} has expired: sign in again.")
        return None
    outcome = company_sign_in.sign_in(data.engine(), identity, moment)
    if outcome.status == "ended":
        st.info(outcome.message)
        return None
    row = None
    if outcome.status == "ok":
        row = _user_row(data.credentials(), outcome.username)
        if row is None:  # a user added or enabled in the cached credentials' last seconds
            data.credentials.clear()
            row = _user_row(data.credentials(), outcome.username)
    if row is None:
        st.error(outcome.message or company_sign_in.MESSAGES["disabled"])
        st.button(f"Sign out of {company.name}", key="company_sign_out", on_click=st.logout)
        st.stop()
    _start_session(row, moment, by_company=True)
    return current_actor()


def _cookie_login(key: str) -> Actor | None:
    token = st.context.cookies.get(COOKIE_NAME)
    found = cookie_user(token, key, data.credentials()) if token else None
    if found is None:
        return None
    _start_session(*found)
    return current_actor()


def _device(username: str, key: str) -> str | None:
    """The id in this browser's device cookie when that cookie names the username being tried."""
    token = st.context.cookies.get(DEVICE_COOKIE)
    claims = _claims(token, key) if token else None
    if claims is None or claims.get("device_of") != logins.throttle_key(username):
        return None
    device = claims.get("device")
    return device if isinstance(device, str) and device else None


def _set_device_cookie(authenticator: stauth.Authenticate, key: str, username: str) -> None:
    expires = dt.datetime.now() + dt.timedelta(days=DEVICE_DAYS)  # local time, as the cookie writer reads it
    token = jwt.encode(
        {"device_of": username, "device": secrets.token_urlsafe(16), "exp": int(expires.timestamp())},
        key,
        algorithm="HS256",
    )
    # The authenticator's cookie writer, under a component key of its own beside the login cookie's.
    cookies = authenticator.cookie_controller.cookie_model.cookie_manager
    cookies.set(DEVICE_COOKIE, token, key="set_device", expires_at=expires)


def _password_login(
    authenticator: stauth.Authenticate, key: str, company: CompanySignIn | None
) -> Actor | None:
    """Our login form, throttled by db.logins, beside the company sign-in's button when there is one; on
    success the session, the login cookie and a device cookie."""
    form_area = st.empty()
    with form_area.container():
        st.header(start.PRODUCT, anchor=False)
        if company is not None:
            st.button(
                f"Sign in with {company.name}", key="company_sign_in", type="primary", on_click=st.login
            )
        if company is not None and not company.allow_password_login:
            return None
        with st.form("login"):
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
    device = _device(username, key)
    # Taken before the check: a password reset while it runs ends this login too.
    logged_in_at = service.now()
    try:
        outcome = logins.check_login(data.engine(), username, password, address, logged_in_at, device=device)
    except service.ValidationError as error:
        st.error(text.literal(error))
        return None
    if outcome.status != "ok":
        st.error(outcome.message)
        return None
    row = _user_row(data.credentials(), outcome.username)
    if row is None:
        return None  # disabled between the check and now
    _start_session(row, logged_in_at)
    authenticator.cookie_controller.set_cookie()
    if device is None:
        _set_device_cookie(authenticator, key, row["username"].lower())
    form_area.empty()
    return current_actor()


def login() -> Actor:
    """Show the login form until a user has logged in (or their cookie is valid)."""
    key, generated = cookie_key()
    if key is None:
        st.error(
            f"No cookie key configured. Set the {COOKIE_KEY_ENV} environment variable or "
            "`cookie_key` in .streamlit/secrets.toml before using a shared database."
        )
        st.stop()
    authenticator = _authenticator(key)
    company = company_settings()
    passwords_allowed = company is None or company.allow_password_login
    actor = (
        current_actor()
        or (passwords_allowed and _cookie_login(key))
        or _company_login(company)
        or _password_login(authenticator, key, company)
    )
    if actor is None:
        # A cookie that logged nobody in is bad or revoked; a logout asked for its cookie to go.
        if st.session_state.pop(DELETE_COOKIE, False) or COOKIE_NAME in st.context.cookies:
            authenticator.cookie_controller.delete_cookie()
        if generated:
            st.caption(
                "Demo database: sessions are signed with a key generated at start-up, "
                "so everyone is logged out when the server restarts."
            )
        st.stop()
    return actor


def _log_out(actor: Actor) -> None:
    # A session that has ended already has no cookie left to end: its refusal needs no message.
    with contextlib.suppress(service.PermissionDenied):
        service.log_out(data.engine(), actor)
    data.credentials.clear()
    by_company = st.session_state.get(BY_COMPANY, False)
    _end_session()
    # The cookie is deleted in the next run: a component rendered in a callback never shows.
    st.session_state[DELETE_COOKIE] = True
    if by_company:
        # Deletes Streamlit's identity cookie and, when the provider offers it, ends the provider's session.
        st.logout()


def account_menu(actor: Actor) -> None:
    """Who is logged in, and the logout button, at the foot of the sidebar."""
    with st.sidebar:
        st.divider()
        st.markdown(f"**{text.literal(actor.name)}**  \n{roles.ROLE_LABELS[actor.role]}")
        st.button("Log out", key="log_out", icon=":material/logout:", on_click=_log_out, args=(actor,))


def not_available(role: str, page_key: str) -> str:
    """Why a page shows nothing to a role outside it, e.g. "Health board is not available to the Sales role. …"."""
    title = next(spec.title for spec in roles.PAGES if spec.key == page_key)
    return (
        f"{title} is not available to the {roles.ROLE_LABELS[role]} role. "
        "The pages you can open are in the menu on the left."
    )


def require_page(page_key: str) -> Actor:
    """The guard each page starts with: a logged-in user whose role may open page_key, or stop."""
    actor = current_actor()
    if actor is None:
        actor = login()
        if PagesManager.uses_pages_directory:
            # A fresh server serves a deep link's pages/ file itself until some run calls st.navigation: the
            # page would have neither app.py's menu nor its wide layout. Run again, through app.py.
            st.navigation(list(start.pages().values()), position="hidden")
            st.rerun()
        account_menu(actor)
    if not roles.may_open(actor.role, page_key):
        st.error(not_available(actor.role, page_key))
        st.stop()
    return actor
