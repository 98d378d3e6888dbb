"""The asset library's write: an approved asset used in a deal."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import vocabulary as v
from db.models import Asset, AssetUsage
from db.service.base import Actor, ValidationError, audit, clean_text, now, one_of, write


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
