"""The asset library's writes: an approved asset used in a deal, and marketing's upkeep of the library (add,
edit, the customer's approval, review, retire and restore)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from core import asset_files as asset_file_rules
from core import links
from core import vocabulary as v
from db import asset_files
from db.models import Account, Asset, AssetIndustry, AssetProduct, AssetUsage, Contact
from db.service.base import (
    Actor,
    StaleEdit,
    ValidationError,
    audit,
    claim,
    clean_text,
    not_after_today,
    now,
    one_of,
    write,
)


def required_text(field: str, value: str, longest: int = 200) -> str:
    value = clean_text(field, value, longest)
    if not value:
        raise ValidationError(f"{field}: required.")
    return value


def money(field: str, value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 1_000_000_000:
        raise ValidationError(f"{field} {value:,.2f}: must be between 0 and 1,000,000,000.")
    return value


def approved_asset(session: Session, asset_id: int) -> Asset:
    """The asset, if the featured customer approved it: only approved assets go to prospects."""
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise ValidationError(f"Asset {asset_id} does not exist.")
    if asset.retired_on is not None:
        raise ValidationError(f"'{asset.title}' was retired on {asset.retired_on:%d %b %Y}.")
    if asset.approval_status != "approved":
        raise ValidationError(f"'{asset.title}' is not approved by the customer ({asset.approval_status}).")
    return asset


def log_asset_use(
    engine: Engine,
    actor: Actor,
    asset_id: int,
    opportunity: str,
    outcome: str | None = None,
    amount: float | None = None,
) -> int:
    """'Used in deal' from the library card: an approved asset used for an opportunity, with the outcome if known."""
    opportunity = required_text("Opportunity", opportunity)
    if outcome is not None:
        one_of("Outcome", outcome, v.DEAL_OUTCOMES)
    money("Amount", amount)
    with write(engine, actor, "log_asset_use") as session:
        approved_asset(session, asset_id)
        use = AssetUsage(
            asset_id=asset_id,
            used_by=actor.id,
            used_on=now().date(),
            opportunity=opportunity,
            outcome=outcome,
            amount=amount,
        )
        session.add(use)
        session.flush()
        audit(
            session,
            actor,
            "log_asset_use",
            "asset",
            asset_id,
            None,
            {"opportunity": opportunity, "outcome": outcome},
        )
    return use.id


@dataclass(frozen=True)
class AssetDraft:
    """What the add and edit forms send; the service checks every field."""

    asset_type: str
    title: str
    company_size: str
    region: str
    industries: tuple[str, ...]
    products: tuple[str, ...] = ()
    summary: str = ""
    quote: str = ""
    account_id: int | None = None
    contact_id: int | None = None
    url: str = ""
    published_on: dt.date | None = None
    review_by: dt.date | None = None


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it: the name is the uploader's and is never used to store it."""

    name: str
    data: bytes


MAX_SUMMARY_LENGTH = 4000
MAX_QUOTE_LENGTH = 2000
MAX_URL_LENGTH = 500


def _checked(draft: AssetDraft) -> AssetDraft:
    """draft with its texts cleaned; ValidationError naming the first field the rules refuse."""
    one_of("Type", draft.asset_type, v.ASSET_TYPES)
    one_of("Company size", draft.company_size, v.SEGMENTS)
    one_of("Region", draft.region, v.REGIONS)
    if not draft.industries:
        raise ValidationError("Industries: at least one (the library is searched by industry first).")
    for industry in draft.industries:
        one_of("Industry", industry, v.INDUSTRIES)
    for product in draft.products:
        one_of("Product", product, v.PRODUCTS)
    url = clean_text("Link", draft.url, MAX_URL_LENGTH)
    if url and not links.is_allowed_link(url):
        raise ValidationError(f"Link: {links.PROBLEM}.")
    if draft.published_on is not None:
        not_after_today("Published on", draft.published_on)
    if draft.contact_id is not None and draft.account_id is None:
        raise ValidationError("Featured contact: choose the customer first.")
    return replace(
        draft,
        title=required_text("Title", draft.title),
        summary=clean_text("Summary", draft.summary, MAX_SUMMARY_LENGTH, multiline=True),
        quote=clean_text("Quote", draft.quote, MAX_QUOTE_LENGTH, multiline=True),
        url=url,
        industries=tuple(sorted(set(draft.industries))),
        products=tuple(sorted(set(draft.products))),
    )


def _file_kind(upload: Upload | None) -> asset_file_rules.FileKind | None:
    if upload is None:
        return None
    try:
        return asset_file_rules.check(upload.name, upload.data)
    except ValueError as problem:
        raise ValidationError(f"File: {problem}") from None


def _check_customer(session: Session, draft: AssetDraft) -> None:
    if draft.account_id is not None and session.get(Account, draft.account_id) is None:
        raise ValidationError(f"Customer {draft.account_id} does not exist.")
    if draft.contact_id is not None:
        contact = session.get(Contact, draft.contact_id)
        if contact is None or contact.account_id != draft.account_id:
            raise ValidationError("Featured contact: not a contact of the chosen customer.")


def _tags(session: Session, asset_id: int, model: type[AssetIndustry] | type[AssetProduct]) -> list[str]:
    column = model.industry if model is AssetIndustry else model.product
    return list(session.scalars(select(column).where(model.asset_id == asset_id).order_by(column)))


def facts(session: Session, asset: Asset) -> dict[str, object]:
    """The asset as the audit log and a stale edit's current values show it."""
    return {
        "title": asset.title,
        "asset_type": asset.asset_type,
        "summary": asset.summary,
        "quote": asset.quote,
        "account_id": asset.account_id,
        "contact_id": asset.contact_id,
        "industries": _tags(session, asset.id, AssetIndustry),
        "products": _tags(session, asset.id, AssetProduct),
        "company_size": asset.company_size,
        "region": asset.region,
        "url": asset.url,
        "file_name": asset.file_name,
        "published_on": asset.published_on,
        "review_by": asset.review_by,
        "approval_status": asset.approval_status,
        "approved_by": asset.approved_by,
        "approved_on": asset.approved_on,
        "approval_until": asset.approval_until,
        "retired_on": asset.retired_on,
        "version": asset.version,
    }


def _stale_asset(session: Session, asset: Asset) -> StaleEdit:
    return StaleEdit(
        f"Someone changed '{asset.title}' since you opened it. Nothing was saved; the page now shows the "
        "current values.",
        facts(session, asset),
    )


def claim_asset(session: Session, asset_id: int, version: int) -> Asset:
    return claim(session, Asset, asset_id, version, label="Asset", stale=_stale_asset)


FACT_FIELDS = (
    "asset_type",
    "title",
    "summary",
    "account_id",
    "contact_id",
    "company_size",
    "region",
    "url",
    "published_on",
    "review_by",
)


def _apply(session: Session, asset: Asset, draft: AssetDraft) -> None:
    """The draft's facts and tags on asset (flushed, so it has an id)."""
    # The deletes first: a statement flushes the session, and each flush of a changed asset moves its version.
    session.execute(delete(AssetIndustry).where(AssetIndustry.asset_id == asset.id))
    session.execute(delete(AssetProduct).where(AssetProduct.asset_id == asset.id))
    for field in FACT_FIELDS:
        setattr(asset, field, getattr(draft, field))
    asset.quote = draft.quote or None
    session.add_all(AssetIndustry(asset_id=asset.id, industry=industry) for industry in draft.industries)
    session.add_all(AssetProduct(asset_id=asset.id, product=product) for product in draft.products)


@contextmanager
def _new_file(upload: Upload | None, kind: asset_file_rules.FileKind | None) -> Iterator[str | None]:
    """The upload stored under a generated name for the transaction inside; removed again if it fails."""
    if upload is None or kind is None:
        yield None
        return
    key = asset_files.store(upload.data, kind)
    try:
        yield key
    except BaseException:
        asset_files.remove(key)
        raise


def _attach(
    asset: Asset, key: str | None, upload: Upload | None, kind: asset_file_rules.FileKind | None
) -> None:
    if key is None or upload is None or kind is None:
        return
    asset.file_key = key
    # Shown and offered as the download's name only; controls and path separators go.
    asset.file_name = (
        re.sub(r"[\x00-\x1f\x7f/\\]", "_", upload.name.strip())[-200:] or f"file{kind.extension}"
    )
    asset.file_type = kind.mime


def create_asset(engine: Engine, actor: Actor, draft: AssetDraft, upload: Upload | None = None) -> int:
    """A new asset, awaiting the customer's approval, with a link or an uploaded file; its id."""
    draft = _checked(draft)
    kind = _file_kind(upload)
    if not draft.url and upload is None:
        raise ValidationError("Link or file: give a link or upload a file.")
    with _new_file(upload, kind) as key, write(engine, actor, "create_asset") as session:
        _check_customer(session, draft)
        asset = Asset(
            **{field: getattr(draft, field) for field in FACT_FIELDS},
            quote=draft.quote or None,
            approval_status="pending",
        )
        _attach(asset, key, upload, kind)
        session.add(asset)
        session.flush()
        _apply(session, asset, draft)
        session.flush()
        audit(session, actor, "create_asset", "asset", asset.id, None, facts(session, asset))
    return asset.id


def edit_asset(
    engine: Engine,
    actor: Actor,
    asset_id: int,
    version: int,
    draft: AssetDraft,
    upload: Upload | None = None,
) -> None:
    """Save an asset's facts (and a new file in place of its old one); refused when someone saved it since
    it was read at version."""
    draft = _checked(draft)
    kind = _file_kind(upload)
    with _new_file(upload, kind) as key, write(engine, actor, "edit_asset") as session:
        asset = claim_asset(session, asset_id, version)
        _check_customer(session, draft)
        if not draft.url and upload is None and asset.file_key is None:
            raise ValidationError("Link or file: give a link or upload a file.")
        before = facts(session, asset)
        replaced = asset.file_key if key else None
        _apply(session, asset, draft)
        _attach(asset, key, upload, kind)
        # A change of tags alone leaves the row as it was: mark it, so the version still moves.
        flag_modified(asset, "title")
        session.flush()
        audit(session, actor, "edit_asset", "asset", asset_id, before, facts(session, asset))
    if replaced:
        asset_files.remove(replaced)


def record_asset_approval(
    engine: Engine,
    actor: Actor,
    asset_id: int,
    version: int,
    *,
    status: str,
    approved_by: str,
    approved_on: dt.date | None,
    approval_until: dt.date | None = None,
) -> None:
    """The customer's answer: approved (by whom, on which day, until when it holds; None: no end), rejected
    or pending. Who approved, when and until when are kept only with an approval: the audit log keeps the rest."""
    one_of("Customer approval", status, v.APPROVAL_STATUSES)
    if status != "approved":
        approved_by, approved_on, approval_until = "", None, None
    approved_by = clean_text("Approved by", approved_by, 200)
    if status == "approved" and (not approved_by or approved_on is None):
        raise ValidationError("An approval needs who gave it and on which day.")
    if approved_on is not None:
        not_after_today("Approved on", approved_on)
    if approval_until is not None and approved_on is not None and approval_until < approved_on:
        raise ValidationError("Approval holds until: on or after the day it was given.")
    with write(engine, actor, "record_asset_approval") as session:
        asset = claim_asset(session, asset_id, version)
        before = {key: value for key, value in facts(session, asset).items() if key.startswith("appro")}
        asset.approval_status = status
        asset.approved_by = approved_by or None
        asset.approved_on = approved_on
        asset.approval_until = approval_until
        session.flush()
        after = {key: value for key, value in facts(session, asset).items() if key.startswith("appro")}
        audit(session, actor, "record_asset_approval", "asset", asset_id, before, after)


def _bulk(
    engine: Engine,
    actor: Actor,
    action: str,
    versions: dict[int, int],
    change: Callable[[Asset], tuple[object, object]],
) -> int:
    """change (which returns the audit's before and after) applied to each asset of versions (id → version
    read) in one transaction: all or none. How many."""
    if not versions:
        raise ValidationError("Choose at least one asset.")
    with write(engine, actor, action) as session:
        for asset_id, version in sorted(versions.items()):
            before, after = change(claim_asset(session, asset_id, version))
            session.flush()
            audit(session, actor, action, "asset", asset_id, before, after)
    return len(versions)


def retire_assets(engine: Engine, actor: Actor, versions: dict[int, int]) -> int:
    """Take assets (id → version read) out of the library and matching; how many. All or none."""
    today = now().date()

    def retire(asset: Asset) -> tuple[object, object]:
        if asset.retired_on is not None:
            raise ValidationError(f"'{asset.title}' was already retired on {asset.retired_on:%d %b %Y}.")
        asset.retired_on = today
        return {"retired_on": None}, {"retired_on": today}

    return _bulk(engine, actor, "retire_assets", versions, retire)


def restore_asset(engine: Engine, actor: Actor, asset_id: int, version: int) -> None:
    """Bring a retired asset back to the library."""
    with write(engine, actor, "restore_asset") as session:
        asset = claim_asset(session, asset_id, version)
        if asset.retired_on is None:
            raise ValidationError(f"'{asset.title}' is not retired.")
        retired_on, asset.retired_on = asset.retired_on, None
        session.flush()
        audit(
            session,
            actor,
            "restore_asset",
            "asset",
            asset_id,
            {"retired_on": retired_on},
            {"retired_on": None},
        )


def mark_assets_reviewed(engine: Engine, actor: Actor, versions: dict[int, int], review_by: dt.date) -> int:
    """ "Reviewed, still good": assets (id → version read) get their next review-by date; how many."""
    if review_by <= now().date():
        raise ValidationError(f"Next review by {review_by:%d %b %Y}: must be after today.")

    def reviewed(asset: Asset) -> tuple[object, object]:
        before, asset.review_by = asset.review_by, review_by
        return {"review_by": before}, {"review_by": review_by}

    return _bulk(engine, actor, "mark_assets_reviewed", versions, reviewed)
