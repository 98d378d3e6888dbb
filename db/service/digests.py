"""Each user's choice of how often they get the digest; an admin's resend of a send in doubt."""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from core import digests
from db import digests as ledger
from db.models import Delivery, DigestPreference
from db.service.base import Actor, ValidationError, audit, now, one_of, settings_of, write


def set_digest_frequency(engine: Engine, actor: Actor, frequency: str) -> str:
    """The actor's own digest: off, daily or weekly. Returns the frequency stored."""
    one_of("Digest", frequency, digests.FREQUENCIES)
    if actor.id is None:
        raise ValidationError("Only a user who logs in has a digest.")
    with write(engine, actor, "set_digest_frequency") as session:
        row = session.get(DigestPreference, actor.id)
        before = "off" if row is None else row.frequency
        if row is None:
            row = DigestPreference(user_id=actor.id)
            session.add(row)
        row.frequency, row.updated_at = frequency, now()
        audit(
            session,
            actor,
            "set_digest_frequency",
            "user",
            actor.id,
            {"digest": before},
            {"digest": frequency},
        )
    return frequency


def resend_delivery(engine: Engine, actor: Actor, delivery_id: int) -> str:
    """Let the next run send a message in doubt (the process stopped while handing it to the server) again,
    while its period lasts; the recipient may then get it twice. Returns the recipient's period."""
    moment = now()
    with write(engine, actor, "resend_delivery") as session:
        row = session.execute(select(Delivery).where(Delivery.id == delivery_id)).scalar_one_or_none()
        if row is None:
            raise ValidationError(f"Delivery {delivery_id} does not exist.")
        if not digests.in_period(row.period, moment):
            raise ValidationError(
                f"Delivery {delivery_id}: its period {row.period} is over; the next digest carries its work."
            )
        before = {"sending_at": row.sending_at, "message_id": row.message_id, "attempts": row.attempts}
        released = session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, ledger.in_doubt_clause(moment, settings_of(session)))
            .values(sending_at=None, claimed_at=None, next_attempt_at=None, attempts=0)
        ).rowcount
        if not released:
            raise ValidationError(
                f"Delivery {delivery_id} is not in doubt (it was sent, failed or is being sent): nothing to resend."
            )
        audit(session, actor, "resend_delivery", "delivery", delivery_id, before, {"resend": True})
        return row.period
