"""The account team's read of an account."""

from __future__ import annotations

from sqlalchemy import Engine

from core import roles
from db.models import Account, CsmSentiment
from db.service.base import (
    MAX_NOTE_LENGTH,
    Actor,
    PermissionDenied,
    ValidationError,
    audit,
    clean_text,
    now,
    write,
)


def record_sentiment(engine: Engine, actor: Actor, account_id: int, sentiment: int, note: str) -> int:
    """The account team's read of an account (1–5, with a note); account managers only for their own book."""
    if sentiment not in range(1, 6):
        raise ValidationError(f"Sentiment '{sentiment}' must be a whole number from 1 to 5.")
    note = clean_text("Note", note, MAX_NOTE_LENGTH, multiline=True)
    with write(engine, actor, "record_sentiment") as session:
        account = session.get(Account, account_id)
        if account is None:
            raise ValidationError(f"Account {account_id} does not exist.")
        if not roles.in_book(actor, account.owner_id):
            raise PermissionDenied(f"{account.name} is not in your book of accounts.")
        row = CsmSentiment(
            account_id=account_id, sentiment=sentiment, note=note, recorded_by=actor.id, recorded_at=now()
        )
        session.add(row)
        session.flush()
        audit(
            session,
            actor,
            "record_sentiment",
            "account",
            account_id,
            None,
            {"sentiment": sentiment, "note": note},
        )
    return row.id
