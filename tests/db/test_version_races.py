"""Two people saving one record from the same version at the same moment, in two real sessions on SQLite and
PostgreSQL: exactly one save wins and the other gets the service's StaleEdit, whatever the write."""

import datetime as dt
import threading
from dataclasses import replace

import pytest
from sqlalchemy import event, func, select

from db import service
from db.models import Advocate, AuditLog, ReferenceRequest
from db.service import advocates, assets, base, references, users
from tests.db.factories import add_user, build_references
from tests.db.test_user_admin import at_the_same_time

PAT = 1  # reference-ready
APPROVED_ASSET = 1


def actor(engine, username: str, role: str) -> service.Actor:
    return service.Actor(id=add_user(engine, username, role), username=username, name=username, role=role)


@pytest.fixture
def people(engine) -> dict[str, service.Actor]:
    build_references(engine)
    return {
        "mark": actor(engine, "mark", "marketing"),
        "mia": actor(engine, "mia", "marketing"),
        "sam": actor(engine, "sam", "sales"),
        "ada": actor(engine, "ada", "admin"),
        "bob": actor(engine, "bob", "admin"),
    }


def meet_before_audit(engine, monkeypatch) -> None:
    """From now on each write waits, just before its audit row, until the other gets there too (both then
    save), or until the other is held back: running an UPDATE, which cannot finish while this write holds the
    lock its version check took (the record's on PostgreSQL, the database's write lock on SQLite). Only a
    write that neither arrives nor updates within 10 s, a failure the test then reports, is not waited for."""
    meeting = threading.Condition()
    arrived: set[int] = set()
    updating: set[int] = set()

    @event.listens_for(engine, "before_cursor_execute")
    def started(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("UPDATE"):
            with meeting:
                updating.add(threading.get_ident())
                meeting.notify_all()

    @event.listens_for(engine, "after_cursor_execute")
    def finished(*args) -> None:
        updating.discard(threading.get_ident())

    def waiting(*args, **kwargs):
        me = threading.get_ident()
        with meeting:
            arrived.add(me)
            meeting.notify_all()
            meeting.wait_for(lambda: len(arrived) == 2 or updating - {me}, timeout=10)
        return base.audit(*args, **kwargs)

    for feature in (advocates, assets, references, users):
        monkeypatch.setattr(feature, "audit", waiting)


def version_of(engine, model, row_id: int) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(model.version).where(model.id == row_id))


def open_request(engine, people) -> int:
    return service.create_reference_request(
        engine,
        people["sam"],
        prospect="Prospect X",
        industry="Retail",
        deal_size=80_000,
        deal_stage="proposal",
        kind="asset",
    )


def assigned_request(engine, people) -> int:
    request_id = open_request(engine, people)
    version = version_of(engine, ReferenceRequest, request_id)
    service.assign_reference(engine, people["mark"], request_id, version, asset_id=APPROVED_ASSET)
    return request_id


def two_stage_moves(engine, people):
    version = version_of(engine, Advocate, PAT)
    return (
        lambda: service.move_stage(engine, people["mark"], PAT, "paused", version),
        lambda: service.move_stage(engine, people["mia"], PAT, "retired", version),
    )


def two_assignments(engine, people):
    request_id = open_request(engine, people)
    version = version_of(engine, ReferenceRequest, request_id)
    return tuple(
        lambda who=who: service.assign_reference(
            engine, people[who], request_id, version, asset_id=APPROVED_ASSET
        )
        for who in ("mark", "mia")
    )


def two_completions(engine, people):
    request_id = assigned_request(engine, people)
    version = version_of(engine, ReferenceRequest, request_id)
    return (
        lambda: service.complete_reference(engine, people["mark"], request_id, version, "done"),
        lambda: service.complete_reference(engine, people["mia"], request_id, version, "declined"),
    )


def two_password_resets(engine, people):
    amy = add_user(engine, "amy2", "account_manager")
    return tuple(
        lambda who=who: service.reset_password(engine, people[who], amy, f"{who}'s new passphrase", 1)
        for who in ("ada", "bob")
    )


PENDING_ASSET = 2
DRAFT = service.AssetDraft(
    asset_type="video_testimonial",
    title="Final video",
    company_size="SMB",
    region="EMEA",
    industries=("Retail",),
    url="https://example.com/2",
)


def two_asset_edits(engine, people):
    return tuple(
        lambda who=who: service.edit_asset(engine, people[who], PENDING_ASSET, 1, replace(DRAFT, title=who))
        for who in ("mark", "mia")
    )


def an_asset_edit_and_an_approval(engine, people):
    return (
        lambda: service.edit_asset(engine, people["mark"], PENDING_ASSET, 1, DRAFT),
        lambda: service.record_asset_approval(
            engine,
            people["mia"],
            PENDING_ASSET,
            1,
            status="approved",
            approved_by="Pat",
            approved_on=dt.date.today(),
        ),
    )


RACES = {
    "edit_asset": two_asset_edits,
    "edit_asset_and_record_asset_approval": an_asset_edit_and_an_approval,
    "move_stage": two_stage_moves,
    "assign_reference": two_assignments,
    "complete_reference": two_completions,
    "reset_password": two_password_resets,
}


@pytest.mark.parametrize("race", RACES.values(), ids=RACES.keys())
def test_of_two_saves_from_one_version_exactly_one_wins(engine, people, race, monkeypatch):
    calls = race(engine, people)
    meet_before_audit(engine, monkeypatch)
    with engine.connect() as conn:
        audited = conn.scalar(select(func.count()).select_from(AuditLog))
    results = at_the_same_time(*calls)
    assert sorted(type(result).__name__ for result in results) == ["NoneType", "StaleEdit"], results
    loser = next(result for result in results if result is not None)
    assert "since you opened it" in str(loser) and loser.current["version"] is not None
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AuditLog)) == audited + 1
