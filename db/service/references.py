"""Reference requests: sales ask, marketing assigns an advocate (fatigue and the reference rules enforced) or
an approved asset, the reference is done or declined, and the deal's outcome is recorded."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from core import advocates, matching, references
from core import vocabulary as v
from db.models import AssetUsage, ReferenceRequest
from db.reads import assets as asset_reads
from db.service.advocates import candidate, claim_advocate
from db.service.assets import approved_asset, money, required_text
from db.service.base import (
    Actor,
    StaleEdit,
    ValidationError,
    audit,
    claim,
    now,
    one_of,
    settings_of,
    write,
)


def create_reference_request(
    engine: Engine,
    actor: Actor,
    *,
    prospect: str,
    industry: str,
    deal_size: float,
    deal_stage: str,
    kind: str,
    company_size: str | None = None,
    region: str | None = None,
    product: str | None = None,
    needed_by: dt.datetime | None = None,
) -> int:
    """Sales asks for a reference for a deal; needed by the SLA (default 48 hours) unless a time is given."""
    prospect = required_text("Prospect", prospect)
    industry = required_text("Industry", industry, 60)
    one_of("Deal stage", deal_stage, v.DEAL_STAGES)
    one_of("Kind", kind, v.REQUEST_KINDS)
    for field, value, allowed in (
        ("Company size", company_size, v.SEGMENTS),
        ("Region", region, v.REGIONS),
        ("Product", product, v.PRODUCTS),
    ):
        if value is not None:
            one_of(field, value, allowed)
    if money("Deal size", deal_size) is None:
        raise ValidationError("Deal size: required.")
    at = now()
    with write(engine, actor, "create_reference_request") as session:
        settings = settings_of(session)
        due = needed_by or references.default_needed_by(at, settings)
        if due <= at:
            raise ValidationError(f"Needed by {due:%d %b %Y %H:%M} is not in the future.")
        request = ReferenceRequest(
            prospect=prospect,
            industry=industry,
            company_size=company_size,
            region=region,
            product=product,
            deal_size=deal_size,
            deal_stage=deal_stage,
            kind=kind,
            requested_by=actor.id,
            requested_at=at,
            needed_by=due,
            status="open",
        )
        session.add(request)
        session.flush()
        audit(
            session,
            actor,
            "create_reference_request",
            "reference_request",
            request.id,
            None,
            {"prospect": prospect, "industry": industry, "kind": kind, "needed_by": due},
        )
    return request.id


def _stale_request(_session: Session, request: ReferenceRequest) -> StaleEdit:
    return StaleEdit(
        f"Someone changed the request for {request.prospect} since you opened it (it is now {request.status}). "
        "Nothing was saved; the page now shows the current values.",
        {"status": request.status, "version": request.version},
    )


def _claim_request(session: Session, request_id: int, version: int) -> ReferenceRequest:
    """The request, locked for this transaction; StaleEdit unless nobody saved it since it was read at version."""
    return claim(
        session, ReferenceRequest, request_id, version, label="Reference request", stale=_stale_request
    )


def _check_reference_advocate(session: Session, actor: Actor, advocate_id: int, today: dt.date) -> None:
    """ValidationError unless the advocate may take a reference today: still a customer's contact, the
    reference rules and fatigue (counted from the activity this transaction sees)."""
    advocate = claim_advocate(session, actor, advocate_id)
    settings = settings_of(session)
    facts = candidate(session, advocate.contact_id, today, settings)
    if facts.empty:
        raise ValidationError("The advocate has left the company or the account is no longer a customer.")
    fatigue = advocates.fatigue(
        asset_reads.reference_activities(session.connection(), advocate_id), today, settings
    )
    problems = matching.exclusion_reasons(facts.set_index("advocate_id"), fatigue, settings, today)
    if problems.iloc[0]:
        raise ValidationError(
            f"{facts['contact_name'].iloc[0]} cannot take this reference: {problems.iloc[0]}."
        )


def assign_reference(
    engine: Engine,
    actor: Actor,
    request_id: int,
    version: int,
    *,
    advocate_id: int | None = None,
    asset_id: int | None = None,
) -> None:
    """Marketing fulfils an open request with one reference-ready advocate (fatigue and the reference rules
    enforced) or one approved asset; the advocate's reference activity counts from now."""
    if (advocate_id is None) == (asset_id is None):
        raise ValidationError("Assign either one advocate or one asset.")
    today = now().date()
    with write(engine, actor, "assign_reference") as session:
        request = _claim_request(session, request_id, version)
        if request.status != "open":
            raise ValidationError(f"The request for {request.prospect} is {request.status}, not open.")
        if advocate_id is not None:
            _check_reference_advocate(session, actor, advocate_id, today)
            request.assigned_advocate_id = advocate_id
        else:
            approved_asset(session, asset_id)
            request.assigned_asset_id = asset_id
        request.status = "assigned"
        audit(
            session,
            actor,
            "assign_reference",
            "reference_request",
            request_id,
            "open",
            {"advocate_id": advocate_id, "asset_id": asset_id},
        )


def complete_reference(engine: Engine, actor: Actor, request_id: int, version: int, status: str) -> None:
    """An assigned request is done (the call, visit or webinar happened, or the asset was sent) or declined.
    A done asset request counts as one use of the asset in this deal."""
    one_of("Status", status, ("done", "declined"))
    with write(engine, actor, "complete_reference") as session:
        request = _claim_request(session, request_id, version)
        if request.status != "assigned":
            raise ValidationError(f"The request for {request.prospect} is {request.status}, not assigned.")
        request.status = status
        at = now()
        if status == "done":
            request.fulfilled_at = at
            if request.assigned_asset_id is not None:
                session.add(
                    AssetUsage(
                        asset_id=request.assigned_asset_id,
                        used_by=request.requested_by,
                        used_on=at.date(),
                        reference_request_id=request.id,
                        opportunity=request.prospect,
                    )
                )
        audit(session, actor, "complete_reference", "reference_request", request_id, "assigned", status)


def record_deal_outcome(
    engine: Engine, actor: Actor, request_id: int, version: int, outcome: str, amount: float | None
) -> None:
    """The deal a fulfilled request supported was won (with its amount) or lost; it counts as influenced revenue."""
    one_of("Outcome", outcome, v.DEAL_OUTCOMES)
    if outcome == "won" and money("Amount", amount) is None:
        raise ValidationError("Amount: required when the deal was won.")
    with write(engine, actor, "record_deal_outcome") as session:
        request = _claim_request(session, request_id, version)
        if request.status != "done":
            raise ValidationError(
                f"The request for {request.prospect} is {request.status}: record outcomes of done ones."
            )
        before = request.outcome
        request.outcome = outcome
        request.won_amount = amount if outcome == "won" else None
        session.execute(
            update(AssetUsage)
            .where(AssetUsage.reference_request_id == request_id)
            .values(outcome=outcome, amount=amount)
        )
        audit(
            session,
            actor,
            "record_deal_outcome",
            "reference_request",
            request_id,
            before,
            {"outcome": outcome, "amount": amount},
        )
