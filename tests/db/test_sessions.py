"""A write from a login that began before the user's sessions were ended is refused, on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from sqlalchemy import select

from db import service
from db.models import AuditLog
from db.reads import settings as settings_reads
from tests.db.factories import add_user

MINUTE = dt.timedelta(minutes=1)


def logged_in(user_id: int, username: str, role: str, at: dt.datetime) -> service.Actor:
    return service.Actor(id=user_id, username=username, name=username.title(), role=role, logged_in_at=at)


@pytest.fixture
def ada_and_bob(engine) -> tuple[service.Actor, service.Actor]:
    """Two admins who logged in a minute ago."""
    earlier = service.now() - MINUTE
    return (
        logged_in(add_user(engine, "ada", "admin"), "ada", "admin", earlier),
        logged_in(add_user(engine, "bob", "admin"), "bob", "admin", earlier),
    )


def audit_actions(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(AuditLog.action).order_by(AuditLog.id)))


ENDINGS = {
    "ada logs out in another browser": lambda engine, ada, bob: service.log_out(engine, ada),
    "bob resets ada's password": lambda engine, ada, bob: service.reset_password(
        engine, bob, ada.id, "a brand new passphrase", version=1
    ),
    "bob disables and enables ada": lambda engine, ada, bob: (
        service.set_user_disabled(engine, bob, ada.id, True, version=1),
        service.set_user_disabled(engine, bob, ada.id, False, version=2),
    ),
}


@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
def test_a_write_from_a_login_before_the_sessions_ended_is_refused(engine, ada_and_bob, ending):
    ada, bob = ada_and_bob
    ending(engine, ada, bob)
    audit = audit_actions(engine)
    for write in (
        lambda: service.update_settings(engine, ada, {"target_nps": 50}),
        lambda: service.run_scoring(engine, ada),
        lambda: service.log_out(engine, ada),
    ):
        with pytest.raises(service.PermissionDenied) as refused:
            write()
        assert str(refused.value) == service.SESSION_ENDED
    assert settings_reads.load_settings(engine)["target_nps"] != 50
    assert audit_actions(engine) == audit
    # Logging in again starts a session the ending does not touch.
    service.update_settings(engine, logged_in(ada.id, "ada", "admin", service.now()), {"target_nps": 50})
    assert settings_reads.load_settings(engine)["target_nps"] == 50


def test_a_login_after_the_last_logout_writes(engine, ada_and_bob):
    ada, bob = ada_and_bob
    service.log_out(engine, ada)
    again = logged_in(ada.id, "ada", "admin", service.now())
    service.update_settings(engine, again, {"target_nps": 50})
    service.log_out(engine, again)
    assert audit_actions(engine)[-2:] == ["update_settings", "log_out"]


def test_another_users_logout_leaves_a_session_alone(engine, ada_and_bob):
    ada, bob = ada_and_bob
    service.log_out(engine, bob)
    service.update_settings(engine, ada, {"target_nps": 50})
    assert settings_reads.load_settings(engine)["target_nps"] == 50


def test_the_command_line_has_no_login_to_end(engine, ada_and_bob):
    ada, bob = ada_and_bob
    operator = service.Actor(id=None, username="command-line", name="Command line", role="admin")
    service.log_out(engine, ada)
    service.update_settings(engine, operator, {"target_nps": 50})
    assert settings_reads.load_settings(engine)["target_nps"] == 50
