"""The log: one line per write, import, scoring run and login, with no secret and no personal data."""

import logging

import bcrypt
import pytest
from sqlalchemy import update

from db import imports, service
from db.engine import transaction
from db.logins import check_login
from db.models import User
from tests.db.factories import add_user, build_book

PASSWORD = "correct horse battery"


@pytest.fixture
def logged(caplog) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="db")
    return caplog


@pytest.fixture
def ada(engine) -> service.Actor:
    return service.Actor(id=add_user(engine, "ada", "admin"), username="ada", name="Ada", role="admin")


def lines(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == logger]


def test_a_write_logs_one_line_with_action_entity_id_and_username_only(engine, ada, logged):
    amy = service.create_user(engine, ada, "amy.b", "Amy Brown", "amy.b@example.com", "sales", PASSWORD)
    service.reset_password(engine, ada, amy, "another secret phrase", version=1)
    assert lines(logged, "db.service") == [
        f"write: action=create_user entity=user id={amy} user=ada",
        f"write: action=reset_password entity=user id={amy} user=ada",
    ]
    with engine.connect() as conn:
        hashed = conn.scalar(
            User.__table__.select().with_only_columns(User.password_hash).where(User.id == amy)
        )
    for secret in (PASSWORD, "another secret phrase", hashed, "Amy Brown", "amy.b@example.com"):
        assert secret not in logged.text


def test_a_write_of_several_rows_logs_a_line_per_audit_row(engine, ada, logged):
    service.update_settings(engine, ada, {"recircle_days": 60, "max_follow_ups": 4})
    assert lines(logged, "db.service") == [
        "write: action=update_settings entity=setting id=recircle_days user=ada",
        "write: action=update_settings entity=setting id=max_follow_ups user=ada",
    ]


def test_a_refused_write_logs_the_kind_of_refusal_not_its_message(engine, ada, logged):
    sam = service.Actor(id=add_user(engine, "sam", "sales"), username="sam", name="Sam", role="sales")
    with pytest.raises(service.PermissionDenied):
        service.update_settings(engine, sam, {"recircle_days": 60})
    with pytest.raises(service.ValidationError):
        service.create_user(engine, ada, "amy.b", "Amy Brown", "amy.b@example.com", "sales", "short")
    with pytest.raises(service.ValidationError):
        service.record_sentiment(engine, ada, 404, 3, "a private note")
    assert lines(logged, "db.service") == [
        "write refused: action=update_settings user=sam reason=PermissionDenied",
        "write refused: action=record_sentiment user=ada reason=ValidationError",
    ]
    assert "private note" not in logged.text and "404" not in logged.text


def test_logins_log_success_and_failure_with_the_username_only(engine, logged):
    add_user(engine, "amy")
    with transaction(engine) as session:
        session.execute(
            update(User).values(password_hash=bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode())
        )
    check_login(engine, "amy", PASSWORD, "203.0.113.7")
    check_login(engine, "amy", "wrong guess", "203.0.113.7")
    check_login(engine, PASSWORD, "anything", "203.0.113.7")  # a password typed as the username
    assert lines(logged, "db.logins") == [
        "login: success user=amy",
        "login: failure user=amy throttled=False",
        "login: failure user=(unknown) throttled=False",
    ]
    assert PASSWORD not in logged.text and "203.0.113.7" not in logged.text


def test_an_import_logs_its_entity_rows_and_outcome(engine, ada, logged):
    build_book(engine)
    good = b"external_id,account,name,email\nCON-9,ACC-1,Nia Private,nia@private.example\n"
    imports.run_import(engine, ada, good, "contacts.csv", "contacts")
    imports.run_import(
        engine, ada, b"external_id,account,name\nCON-8,ACC-404,Ned\n", "contacts.csv", "contacts"
    )
    assert lines(logged, "db.imports") == [
        "import: entity=contacts rows=1 inserted=1 updated=0 outcome=stored user=ada",
        "import: entity=contacts rows=1 outcome=rejected problems=1 user=ada",
    ]
    assert "Nia" not in logged.text and "private.example" not in logged.text


def test_a_scoring_run_logs_what_it_scored(engine, ada, logged):
    build_book(engine)
    service.run_scoring(engine, ada)
    (line,) = lines(logged, "db.scoring")
    assert line.startswith("scoring run: new=") and " full=False seconds=" in line
