"""User administration and lost-update protection, on SQLite and PostgreSQL."""

import json
import threading

import bcrypt
import pytest
from sqlalchemy import func, select, update

from db import service
from db.models import AuditLog, User
from db.reads import settings as settings_reads
from db.reads import users as user_reads
from tests.db.factories import add_user


def actor_for(engine, username: str, role: str) -> service.Actor:
    return service.Actor(
        id=add_user(engine, username, role), username=username, name=username.title(), role=role
    )


@pytest.fixture
def ada(engine) -> service.Actor:
    return actor_for(engine, "ada", "admin")


@pytest.fixture
def amy(engine) -> int:
    return add_user(engine, "amy", "account_manager")


def user(engine, user_id: int):
    with engine.connect() as conn:
        return conn.execute(select(User).where(User.id == user_id)).one()


def users_table(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(User).order_by(User.id))]


def audit_rows(engine) -> list[AuditLog]:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditLog).order_by(AuditLog.id)))


def before_after(row) -> tuple:
    return json.loads(row.before) if row.before else None, json.loads(row.after)


def at_the_same_time(*calls) -> list[object]:
    """Run calls in threads released together; each result is the return value or the exception raised."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call) -> None:
        start.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects whatever each call raised
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_change_role_stores_bumps_the_version_and_audits(engine, ada, amy):
    service.change_role(engine, ada, amy, "marketing", version=1)
    changed = user(engine, amy)
    assert (changed.role, changed.version) == ("marketing", 2)
    row = audit_rows(engine)[-1]
    assert (row.username, row.action, row.entity, row.entity_id) == ("ada", "change_role", "user", str(amy))
    assert before_after(row) == (
        {"username": "amy", "role": "account_manager"},
        {"username": "amy", "role": "marketing"},
    )


def test_disabling_ends_sessions_and_enabling_restores_the_login(engine, ada, amy):
    before = service.now()
    service.set_user_disabled(engine, ada, amy, True, version=1)
    disabled = user(engine, amy)
    assert disabled.disabled and disabled.version == 2
    assert before <= disabled.sessions_valid_from <= service.now()
    assert "amy" not in user_reads.user_credentials(engine)["username"].tolist()
    row = audit_rows(engine)[-1]
    assert before_after(row) == (
        {"username": "amy", "disabled": False},
        {"username": "amy", "disabled": True, "sessions_valid_from": str(disabled.sessions_valid_from)},
    )

    service.set_user_disabled(engine, ada, amy, False, version=2)
    enabled = user(engine, amy)
    assert (enabled.disabled, enabled.version) == (False, 3)
    assert enabled.sessions_valid_from == disabled.sessions_valid_from  # old cookies stay refused
    assert "amy" in user_reads.user_credentials(engine)["username"].tolist()
    assert before_after(audit_rows(engine)[-1]) == (
        {"username": "amy", "disabled": True},
        {"username": "amy", "disabled": False},
    )


def test_reset_password_hashes_ends_sessions_and_never_audits_the_password(engine, ada, amy):
    passphrase = "correct horse battery staple, über 30 bytes"
    service.reset_password(engine, ada, amy, passphrase, version=1)
    changed = user(engine, amy)
    assert bcrypt.checkpw(passphrase.encode(), changed.password_hash.encode())
    assert changed.version == 2 and changed.sessions_valid_from is not None
    row = audit_rows(engine)[-1]
    assert before_after(row) == (
        {"username": "amy"},
        {"username": "amy", "password": "reset", "sessions_valid_from": str(changed.sessions_valid_from)},
    )
    assert passphrase not in row.after and changed.password_hash not in row.after


def test_a_72_byte_passphrase_is_accepted(engine, ada, amy):
    passphrase = "é" * 36  # 72 bytes in UTF-8
    service.reset_password(engine, ada, amy, passphrase, version=1)
    assert bcrypt.checkpw(passphrase.encode(), user(engine, amy).password_hash.encode())


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda engine, ada, amy, bob, mark: service.change_role(engine, mark, amy, "sales", 1),
            service.PermissionDenied,
            "Role 'marketing' may not change role.",
        ),
        (
            lambda engine, ada, amy, bob, mark: service.set_user_disabled(engine, mark, amy, True, 1),
            service.PermissionDenied,
            "Role 'marketing' may not set user disabled.",
        ),
        (
            lambda engine, ada, amy, bob, mark: service.reset_password(engine, mark, amy, "long enough", 1),
            service.PermissionDenied,
            "Role 'marketing' may not reset password.",
        ),
        (
            lambda engine, ada, amy, bob, mark: service.change_role(engine, ada, ada.id, "sales", 1),
            service.ValidationError,
            "Role 'sales': you cannot take the admin role from yourself.",
        ),
        (
            lambda engine, ada, amy, bob, mark: service.set_user_disabled(engine, ada, ada.id, True, 1),
            service.ValidationError,
            "User ada: you cannot disable yourself.",
        ),
        (
            lambda engine, ada, amy, bob, mark: service.change_role(engine, ada, amy, "boss", 1),
            service.ValidationError,
            "Role 'boss' is not one of admin, account_manager, marketing, sales.",
        ),
        (
            lambda engine, ada, amy, bob, mark: service.change_role(engine, ada, amy, "account_manager", 1),
            service.ValidationError,
            "Role 'account_manager': amy has it already.",
        ),
        (
            lambda engine, ada, amy, bob, mark: service.set_user_disabled(engine, ada, amy, False, 1),
            service.ValidationError,
            "User amy is enabled already.",
        ),
        (
            lambda engine, ada, amy, bob, mark: service.reset_password(engine, ada, amy, "seven77", 1),
            service.ValidationError,
            "Password must have at least 8 characters.",
        ),
        (
            lambda engine, ada, amy, bob, mark: service.reset_password(engine, ada, amy, "é" * 36 + "x", 1),
            service.ValidationError,
            "Password must be at most 72 bytes (a long passphrase of plain words fits).",
        ),
        (
            lambda engine, ada, amy, bob, mark: service.change_role(engine, ada, 999, "sales", 1),
            service.ValidationError,
            "User 999 does not exist.",
        ),
    ],
)
def test_refusals_leave_the_database_unchanged(engine, ada, amy, call, error, message):
    mark = actor_for(engine, "mark", "marketing")
    bob = actor_for(engine, "bob", "admin")
    users, audit = users_table(engine), audit_rows(engine)
    with pytest.raises(error) as raised:
        call(engine, ada, amy, bob, mark)
    assert str(raised.value) == message
    assert users_table(engine) == users
    assert audit_rows(engine) == audit


def test_no_change_leaves_no_enabled_admin(engine, ada):
    bob = actor_for(engine, "bob", "admin")
    service.change_role(engine, bob, ada.id, "marketing", version=1)
    users, audit = users_table(engine), audit_rows(engine)
    # ada's session still says admin (her page was open): she must not remove the last admin.
    with pytest.raises(service.ValidationError) as demoted:
        service.change_role(engine, ada, bob.id, "sales", version=1)
    assert str(demoted.value) == (
        "Role 'sales': bob is the last enabled admin; make someone else admin first."
    )
    with pytest.raises(service.ValidationError) as disabled:
        service.set_user_disabled(engine, ada, bob.id, True, version=1)
    assert str(disabled.value) == (
        "User bob: the last enabled admin cannot be disabled; make someone else admin first."
    )
    assert users_table(engine) == users and audit_rows(engine) == audit


def test_a_stale_version_is_refused_with_who_changed_it_and_the_current_values(engine, ada, amy):
    bob = actor_for(engine, "bob", "admin")
    service.change_role(engine, bob, amy, "marketing", version=1)
    users, audit = users_table(engine), audit_rows(engine)
    for stale_call in (
        lambda: service.change_role(engine, ada, amy, "sales", version=1),
        lambda: service.set_user_disabled(engine, ada, amy, True, version=1),
        lambda: service.reset_password(engine, ada, amy, "a new passphrase", version=1),
    ):
        with pytest.raises(service.StaleEdit) as stale:
            stale_call()
        assert str(stale.value) == (
            "bob changed amy since you opened it: role is now Marketing, enabled. "
            "Nothing was saved; the form now shows the current values."
        )
        assert stale.value.current == {
            "username": "amy",
            "role": "marketing",
            "disabled": False,
            "version": 2,
        }
    assert users_table(engine) == users and audit_rows(engine) == audit


def test_two_admins_changing_one_role_at_once_exactly_one_wins(engine, ada, amy):
    bob = actor_for(engine, "bob", "admin")
    for round_ in range(3):
        version = user(engine, amy).version
        results = at_the_same_time(
            lambda version=version: service.change_role(engine, ada, amy, "marketing", version),
            lambda version=version: service.change_role(engine, bob, amy, "sales", version),
        )
        assert sum(result is None for result in results) == 1, results
        loser = next(result for result in results if result is not None)
        assert isinstance(loser, service.StaleEdit), loser
        stored = user(engine, amy)
        assert stored.version == version + 1
        assert loser.current == {
            "username": "amy",
            "role": stored.role,
            "disabled": False,
            "version": version + 1,
        }
        assert f"role is now {stored.role.title()}" in str(loser)
        assert len(audit_rows(engine)) == round_ + 1
        with engine.begin() as conn:
            conn.execute(update(User.__table__).where(User.id == amy).values(role="account_manager"))


def test_two_admins_demoting_each_other_at_once_leave_one_admin(engine, ada):
    bob = actor_for(engine, "bob", "admin")
    results = at_the_same_time(
        lambda: service.change_role(engine, ada, bob.id, "marketing", 1),
        lambda: service.change_role(engine, bob, ada.id, "marketing", 1),
    )
    assert sorted(type(result).__name__ for result in results) == ["NoneType", "ValidationError"]
    refused = next(result for result in results if result is not None)
    assert "is the last enabled admin" in str(refused)
    with engine.connect() as conn:
        admins = conn.scalar(select(func.count()).select_from(User).where(User.role == "admin"))
    assert admins == 1


# --- settings --------------------------------------------------------------------------------------


def test_a_stale_settings_save_is_refused_naming_the_setting_and_its_value(engine, ada):
    bob = actor_for(engine, "bob", "admin")
    service.update_settings(engine, bob, {"target_nps": 45}, read={"target_nps": 40})
    audit = audit_rows(engine)
    with pytest.raises(service.StaleEdit) as stale:
        service.update_settings(
            engine, ada, {"target_nps": 50, "target_csat": 90}, read={"target_nps": 40, "target_csat": 85}
        )
    assert str(stale.value) == (
        "Target NPS was changed to 45 by bob since you opened the page (you saw 40). "
        "Nothing was saved; the form now shows the current values."
    )
    assert stale.value.current["target_nps"] == 45
    stored = settings_reads.load_settings(engine)
    assert (stored["target_nps"], stored["target_csat"]) == (45, 85)
    assert audit_rows(engine) == audit


def test_an_untouched_setting_does_not_overwrite_a_newer_value(engine, ada):
    bob = actor_for(engine, "bob", "admin")
    service.update_settings(engine, bob, {"recircle_days": 60}, read={"recircle_days": 75})
    stored = service.update_settings(
        engine,
        ada,
        {"recircle_days": 75, "max_follow_ups": 5},
        read={"recircle_days": 75, "max_follow_ups": 3},
    )
    assert stored == {"max_follow_ups": 5}
    settings = settings_reads.load_settings(engine)
    assert (settings["recircle_days"], settings["max_follow_ups"]) == (60, 5)
    assert [(row.username, row.entity_id) for row in audit_rows(engine)] == [
        ("bob", "recircle_days"),
        ("ada", "max_follow_ups"),
    ]


def test_saving_what_someone_else_saved_is_not_a_conflict(engine, ada):
    bob = actor_for(engine, "bob", "admin")
    service.update_settings(engine, bob, {"target_nps": 45}, read={"target_nps": 40})
    assert service.update_settings(engine, ada, {"target_nps": 45}, read={"target_nps": 40}) == {}
    assert len(audit_rows(engine)) == 1


def test_two_settings_saves_at_once_exactly_one_wins(engine, ada):
    bob = actor_for(engine, "bob", "admin")
    results = at_the_same_time(
        lambda: service.update_settings(engine, ada, {"target_nps": 45}, read={"target_nps": 40}),
        lambda: service.update_settings(engine, bob, {"target_nps": 50}, read={"target_nps": 40}),
    )
    winners = [result for result in results if isinstance(result, dict)]
    losers = [result for result in results if isinstance(result, service.StaleEdit)]
    assert len(winners) == 1 and len(losers) == 1, results
    won = winners[0]["target_nps"]
    assert settings_reads.load_settings(engine)["target_nps"] == won
    assert f"Target NPS was changed to {won:g} by" in str(losers[0])
    assert [(row.entity_id, json.loads(row.after)) for row in audit_rows(engine)] == [("target_nps", won)]
