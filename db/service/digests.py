"""Each user's choice of how often they get the digest."""

from __future__ import annotations

from sqlalchemy import Engine

from core import digests
from db.models import DigestPreference
from db.service.base import Actor, ValidationError, audit, now, one_of, write


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
