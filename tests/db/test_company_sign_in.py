"""Company sign-in: an OpenID Connect identity's e-mail maps to one enabled user, and each sign-in is audited once."""

import datetime as dt
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update

from db import company_sign_in
from db.company_sign_in import REFUSED, SIGNED_IN, sign_in
from db.engine import transaction
from db.models import AuditLog, User
from tests.db.factories import add_user

T0 = dt.datetime(2026, 11, 23, 12, 0, 0)
ISSUER = "http://127.0.0.1:9400"


def identity(email: object = "amy@example.com", **claims: object) -> dict[str, object]:
    return {"is_logged_in": True, "iss": ISSUER, "sub": "subject-1", "email": email, **claims}


def set_user(engine, username: str, **values) -> None:
    with transaction(engine) as session:
        session.execute(update(User).where(User.username == username).values(**values))


def audit_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                AuditLog.username, AuditLog.action, AuditLog.entity, AuditLog.entity_id, AuditLog.after
            ).order_by(AuditLog.id)
        ).all()
    return [(row.username, row.action, row.entity, row.entity_id, json.loads(row.after)) for row in rows]


@pytest.fixture
def users(engine):
    """amy (account manager, amy@example.com) and sam (sales, sam@example.com)."""
    add_user(engine, "amy", "account_manager")
    add_user(engine, "sam", "sales")
    return engine


@pytest.mark.parametrize(
    "email",
    ["amy@example.com", "Amy@Example.COM", "  AMY@example.com "],
)
def test_a_known_email_in_any_case_logs_in_as_its_user(users, email):
    outcome = sign_in(users, identity(email, email_verified=True), T0)
    assert (outcome.status, outcome.username, outcome.message) == ("ok", "amy", None)


def test_the_stored_email_is_compared_case_insensitively_too(users):
    set_user(users, "sam", email="Sam.Sales@Example.com")
    assert sign_in(users, identity("sam.sales@example.com"), T0).username == "sam"


def test_a_successful_sign_in_is_audited_under_the_user_once_however_often_the_browser_reloads(users):
    for _ in range(3):
        assert sign_in(users, identity(), T0).status == "ok"
    amy_id = 1
    assert audit_rows(users) == [
        (
            "amy",
            SIGNED_IN,
            "user",
            str(amy_id),
            {"email": "amy@example.com", "subject": "subject-1", "issuer": ISSUER},
        )
    ]
    # A new sign-in at the provider (a later ID token) is audited again.
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=5)
    sign_in(users, identity(), later)
    assert [row[1] for row in audit_rows(users)] == [SIGNED_IN, SIGNED_IN]


@pytest.mark.parametrize(
    ("claims", "status", "entity_id"),
    [
        ({"email": "mallory@example.com"}, "unknown", "mallory@example.com"),
        ({"email": "amy@example.com", "email_verified": False}, "unverified", "amy@example.com"),
        ({"email": "AMY@example.com", "email_verified": "false"}, "unverified", "amy@example.com"),
        ({"email": None}, "no_email", "subject-1"),
        ({"email": "   "}, "no_email", "subject-1"),
    ],
)
def test_an_unknown_unverified_or_missing_email_gets_no_access_and_one_audit_row(
    users, claims, status, entity_id
):
    for _ in range(2):
        outcome = sign_in(users, identity(**claims), T0)
        assert (outcome.status, outcome.username) == (status, None)
        assert outcome.message
    rows = audit_rows(users)
    assert len(rows) == 1
    username, action, entity, audited_id, after = rows[0]
    assert (username, action, entity, audited_id, after["reason"]) == (
        "(company sign-in)",
        REFUSED,
        "login",
        entity_id,
        status,
    )


def test_email_verified_true_or_absent_is_trusted(users):
    assert sign_in(users, identity(email_verified=True), T0).status == "ok"
    assert sign_in(users, identity(email_verified="true"), T0).status == "ok"
    assert sign_in(users, {"sub": "s", "email": "amy@example.com"}, T0).status == "ok"


def test_a_disabled_user_gets_no_access(users):
    set_user(users, "amy", disabled=True)
    outcome = sign_in(users, identity(), T0)
    assert outcome.status == "disabled"
    assert audit_rows(users)[0][4]["reason"] == "disabled"


def test_a_disabled_and_an_enabled_user_with_one_email_log_in_as_the_enabled_one(users):
    set_user(users, "amy", disabled=True)
    set_user(users, "sam", email="AMY@example.com")
    assert sign_in(users, identity(), T0).username == "sam"


def test_an_email_two_enabled_users_share_logs_in_as_nobody(users):
    set_user(users, "sam", email="amy@example.com")
    assert sign_in(users, identity(), T0).status == "ambiguous"


def test_a_user_without_an_email_is_never_matched(users):
    set_user(users, "amy", email="")
    assert sign_in(users, identity(""), T0).status == "no_email"


def test_a_sign_in_older_than_the_users_last_logout_has_ended_and_writes_nothing(users):
    set_user(users, "amy", sessions_valid_from=T0 + dt.timedelta(seconds=1))
    assert sign_in(users, identity(), T0).status == "ended"
    assert audit_rows(users) == []
    assert sign_in(users, identity(), T0 + dt.timedelta(seconds=2)).status == "ok"


def test_hostile_claims_are_audited_without_control_characters_and_cut_to_size(users):
    email = "evil\x00\x1b[31m@example.com" + "x" * 300
    outcome = sign_in(users, identity(email, sub="sub\x00ject"), T0)
    assert outcome.status == "unknown"
    _, _, _, entity_id, after = audit_rows(users)[0]
    clean = "evil[31m@example.com" + "x" * 300
    assert entity_id == clean[:64]
    assert after["email"] == clean[: company_sign_in.AUDITED_LENGTH]
    assert after["subject"] == "subject"


def test_tabs_opening_at_once_with_one_sign_in_write_one_audit_row(users):
    start = threading.Barrier(6)

    def open_tab() -> str:
        start.wait()
        return sign_in(users, identity(), T0).status

    with ThreadPoolExecutor(6) as tabs:
        statuses = list(tabs.map(lambda _: open_tab(), range(6)))
    assert statuses == ["ok"] * 6
    assert [row[1] for row in audit_rows(users)] == [SIGNED_IN]
