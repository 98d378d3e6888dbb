"""Digests: each user's choice of how often, and the ledger of every scheduled send and run (claimed, sent,
failed), one row per kind, recipient and period, so several replicas send each once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core import digests
from db.models.base import Base, one_of


class DigestPreference(Base):
    """How often a user gets the digest; a user without a row gets none."""

    __tablename__ = "digest_preferences"
    __table_args__ = (one_of("frequency", digests.FREQUENCIES),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    frequency: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Delivery(Base):
    """One scheduled send or run: claimed before it starts, marked sent after, or its error and next try kept.

    A row claimed but neither sent nor failed is a crash halfway; it is taken over only after the claim
    timeout (a setting), so a send in progress elsewhere is never repeated. A message is marked sending (with
    its Message-ID) in a committed transaction before it leaves: a row still sending after the claim timeout
    may have arrived, so it is never sent again on its own but is in doubt until an admin resends it.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("kind", "recipient", "period"),
        one_of("kind", digests.DELIVERY_KINDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(20))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_error_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    detail: Mapped[str | None] = mapped_column(String(200))
    sending_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    message_id: Mapped[str | None] = mapped_column(String(200))
