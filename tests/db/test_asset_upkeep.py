"""Marketing's upkeep of the asset library on SQLite and PostgreSQL: add, edit, approve, review, retire and
restore; stale edits, refused roles and refused files leave no trace."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select

from core import asset_files as rules
from db import asset_files, demo, service
from db.models import Asset, AssetIndustry, AssetProduct, AuditLog
from db.reads import assets as asset_reads
from tests.db.factories import build_references

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
DRAFT = service.AssetDraft(
    asset_type="case_study",
    title="  Acme halves onboarding  ",
    company_size="Mid-Market",
    region="EMEA",
    industries=("Retail", "Apparel"),
    products=("Analytics",),
    summary="Onboarding went from 6 weeks to 3.",
    quote="We were live in three weeks.",
    account_id=1,
    contact_id=1,
    url="https://example.com/acme",
    review_by=TODAY + dt.timedelta(days=180),
)


@pytest.fixture
def library(engine, tmp_path, monkeypatch) -> tuple[Engine, service.Actor]:
    """build_references' two assets, files under tmp_path, and a marketing actor."""
    monkeypatch.setenv("ASSET_FILES_DIR", str(tmp_path / "files"))
    owner = build_references(engine)
    demo.reset_sequences(engine)
    return engine, service.Actor(id=owner, username="mark", name="Mark", role="marketing")


def row(engine: Engine, asset_id: int) -> Asset:
    with engine.connect() as conn:
        return conn.execute(select(Asset).where(Asset.id == asset_id)).one()


def tags(engine: Engine, asset_id: int) -> tuple[list[str], list[str]]:
    with engine.connect() as conn:
        industries = conn.scalars(
            select(AssetIndustry.industry).where(AssetIndustry.asset_id == asset_id).order_by("industry")
        )
        products = conn.scalars(select(AssetProduct.product).where(AssetProduct.asset_id == asset_id))
        return list(industries), list(products)


def audit_actions(engine: Engine) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditLog.action, AuditLog.entity_id).order_by(AuditLog.id)))


def stored_files(tmp_path) -> list[str]:
    folder = tmp_path / "files"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_create_with_an_uploaded_pdf(library, tmp_path):
    engine, mark = library
    asset_id = service.create_asset(
        engine, mark, replace(DRAFT, url=""), service.Upload("../../etc/Acme story.pdf", PDF)
    )
    stored = row(engine, asset_id)
    assert (stored.title, stored.approval_status, stored.version, stored.url) == (
        "Acme halves onboarding",
        "pending",
        1,
        "",
    )
    # Stored under a generated name in the folder; the uploader's name is kept for display only.
    assert stored_files(tmp_path) == [stored.file_key]
    assert asset_files.KEY.fullmatch(stored.file_key) and stored.file_key.endswith(".pdf")
    assert (stored.file_name, stored.file_type) == (".._.._etc_Acme story.pdf", "application/pdf")
    assert asset_files.read(stored.file_key) == PDF
    assert tags(engine, asset_id) == (["Apparel", "Retail"], ["Analytics"])
    assert audit_actions(engine) == [("create_asset", str(asset_id))]


def test_edit_moves_the_version_and_a_stale_edit_is_refused(library, tmp_path):
    engine, mark = library
    service.edit_asset(engine, mark, 2, 1, replace(DRAFT, industries=("Sports",)))
    assert row(engine, 2).version == 2
    assert tags(engine, 2) == (["Sports"], ["Analytics"])
    with pytest.raises(service.StaleEdit) as stale:
        service.edit_asset(engine, mark, 2, 1, replace(DRAFT, title="Older"))
    assert stale.value.current["title"] == "Acme halves onboarding"
    assert stale.value.current["version"] == 2
    assert row(engine, 2).title == "Acme halves onboarding"
    # Only the tags changed: the version still moves.
    service.edit_asset(engine, mark, 2, 2, replace(DRAFT, industries=("Retail",)))
    assert row(engine, 2).version == 3
    assert [action for action, _ in audit_actions(engine)] == ["edit_asset", "edit_asset"]


def test_a_new_file_replaces_the_old_one(library, tmp_path):
    engine, mark = library
    asset_id = service.create_asset(engine, mark, DRAFT, service.Upload("a.pdf", PDF))
    old = row(engine, asset_id).file_key
    service.edit_asset(engine, mark, asset_id, 1, DRAFT, service.Upload("b.png", PNG))
    new = row(engine, asset_id)
    assert stored_files(tmp_path) == [new.file_key] != [old]
    assert (new.file_name, new.file_type) == ("b.png", "image/png")


def test_approval_by_whom_when_and_until_when(library):
    engine, mark = library
    service.record_asset_approval(
        engine,
        mark,
        2,
        1,
        status="approved",
        approved_by="Pat Lee, VP Ops",
        approved_on=TODAY,
        approval_until=TODAY + dt.timedelta(days=365),
    )
    stored = row(engine, 2)
    assert (stored.approval_status, stored.approved_by, stored.approved_on, stored.approval_until) == (
        "approved",
        "Pat Lee, VP Ops",
        TODAY,
        TODAY + dt.timedelta(days=365),
    )
    with engine.connect() as conn:
        after = json.loads(conn.scalar(select(AuditLog.after)))
    assert after["approved_by"] == "Pat Lee, VP Ops"
    # Withdrawn: who, when and until when go with it (the audit log keeps them).
    service.record_asset_approval(
        engine, mark, 2, 2, status="rejected", approved_by="Pat Lee, VP Ops", approved_on=TODAY
    )
    stored = row(engine, 2)
    assert (stored.approval_status, stored.approved_by, stored.approved_on, stored.approval_until) == (
        "rejected",
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "approval",
    [
        dict(status="approved", approved_by="", approved_on=TODAY),
        dict(status="approved", approved_by="Pat", approved_on=None),
        dict(status="approved", approved_by="Pat", approved_on=TODAY + dt.timedelta(days=1)),
        dict(status="approved", approved_by="Pat", approved_on=TODAY, approval_until=TODAY - dt.timedelta(1)),
        dict(status="maybe", approved_by="Pat", approved_on=TODAY),
    ],
    ids=["nobody", "no-day", "future", "until-before", "bad-status"],
)
def test_approval_refused(library, approval):
    engine, mark = library
    with pytest.raises(service.ValidationError):
        service.record_asset_approval(engine, mark, 2, 1, **approval)
    assert row(engine, 2).approval_status == "pending"
    assert audit_actions(engine) == []


def test_bulk_review_retire_and_restore(library):
    engine, mark = library
    next_review = TODAY + dt.timedelta(days=365)
    assert service.mark_assets_reviewed(engine, mark, {1: 1, 2: 1}, next_review) == 2
    assert (row(engine, 1).review_by, row(engine, 2).review_by) == (next_review, next_review)
    # One stale version refuses the whole batch.
    with pytest.raises(service.StaleEdit):
        service.retire_assets(engine, mark, {1: 2, 2: 1})
    assert row(engine, 1).retired_on is None
    assert service.retire_assets(engine, mark, {1: 2, 2: 2}) == 2
    assert row(engine, 1).retired_on == TODAY
    assert asset_reads.library(engine, TODAY, None, asset_reads.tags(engine)).empty
    assert list(asset_reads.retired_assets(engine).index) == [1, 2]
    with pytest.raises(service.ValidationError, match="retired"):
        service.log_asset_use(engine, mark, 1, "Acme renewal")
    service.restore_asset(engine, mark, 1, 3)
    assert list(asset_reads.library(engine, TODAY, None, asset_reads.tags(engine)).index) == [1]
    with pytest.raises(service.ValidationError, match="not retired"):
        service.restore_asset(engine, mark, 1, 4)
    assert [action for action, _ in audit_actions(engine)] == [
        "mark_assets_reviewed",
        "mark_assets_reviewed",
        "retire_assets",
        "retire_assets",
        "restore_asset",
    ]


def test_review_date_must_be_ahead(library):
    engine, mark = library
    with pytest.raises(service.ValidationError, match="after today"):
        service.mark_assets_reviewed(engine, mark, {1: 1}, TODAY)


@pytest.mark.parametrize(
    "upload, problem",
    [
        (service.Upload("story.pdf", PNG), "image/png, but its name ends in '.pdf'"),
        (service.Upload("big.pdf", b"%PDF-" + b"0" * rules.MAX_FILE_BYTES), "at most 50 MB"),
        (service.Upload("setup.exe", b"MZ\x90\x00" + b"\x00" * 60), "is not a PDF"),
        (service.Upload("empty.pdf", b""), "empty"),
    ],
    ids=["png-named-pdf", "too-large", "exe", "empty"],
)
def test_bad_files_are_refused(library, tmp_path, upload, problem):
    engine, mark = library
    with pytest.raises(service.ValidationError, match=problem):
        service.create_asset(engine, mark, DRAFT, upload)
    with pytest.raises(service.ValidationError, match=problem):
        service.edit_asset(engine, mark, 2, 1, DRAFT, upload)
    assert stored_files(tmp_path) == []
    assert audit_actions(engine) == []


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"url": "javascript:alert(1)"}, "Link"),
        ({"url": ""}, "give a link or upload a file"),
        ({"title": " "}, "Title: required"),
        ({"title": "x" * 201}, "at most 200"),
        ({"summary": "a\x00b"}, "control characters"),
        ({"industries": ()}, "at least one"),
        ({"industries": ("Astrology",)}, "Astrology"),
        ({"contact_id": 2}, "not a contact of the chosen customer"),
        ({"account_id": 99, "contact_id": None}, "does not exist"),
        ({"published_on": TODAY + dt.timedelta(days=1)}, "in the future"),
    ],
    ids=[
        "script-link",
        "nothing",
        "no-title",
        "long-title",
        "nul",
        "no-industry",
        "industry",
        "contact",
        "account",
        "future",
    ],
)
def test_invalid_drafts_are_refused(library, change, problem):
    engine, mark = library
    with pytest.raises(service.ValidationError, match=problem):
        service.create_asset(engine, mark, replace(DRAFT, **change))
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Asset)) == 2


def test_a_failed_write_removes_its_file(library, tmp_path):
    engine, mark = library
    with pytest.raises(service.StaleEdit):
        service.edit_asset(engine, mark, 2, 7, DRAFT, service.Upload("a.pdf", PDF))
    assert stored_files(tmp_path) == []


@pytest.mark.parametrize("role", ["sales", "account_manager"])
def test_other_roles_are_refused(library, tmp_path, role):
    engine, mark = library
    someone = service.Actor(id=mark.id, username="sam", name="Sam", role=role)
    with pytest.raises(service.PermissionDenied):
        service.create_asset(engine, someone, DRAFT, service.Upload("a.pdf", PDF))
    with pytest.raises(service.PermissionDenied):
        service.retire_assets(engine, someone, {1: 1})
    assert stored_files(tmp_path) == []
    assert row(engine, 1).retired_on is None
