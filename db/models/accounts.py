"""Accounts and what is known of them: contacts, usage, surveys, milestones, tickets, triggers, subscriptions, churn, custom attributes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core import vocabulary as v
from db.models.base import Base, Money, one_of
from db.rules import COMPLAINT


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        one_of("segment", v.SEGMENTS),
        one_of("region", v.REGIONS),
        CheckConstraint("arr >= 0", name="arr_not_negative"),
        CheckConstraint("seats_purchased >= 0", name="seats_not_negative"),
        Index("ix_accounts_owner_id", "owner_id"),
    )

    # Only the external id and the name identify an account; every other fact may be unknown (NULL).
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(60))
    segment: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(20))
    product: Mapped[str | None] = mapped_column(String(60))
    employees: Mapped[int | None] = mapped_column(Integer)
    arr: Mapped[float | None] = mapped_column(Money)
    seats_purchased: Mapped[int | None] = mapped_column(Integer)
    customer_since: Mapped[dt.date | None] = mapped_column(Date)
    renewal_date: Mapped[dt.date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("relationship_strength BETWEEN 1 AND 5", name="relationship_1_5"),
        Index("ix_contacts_account_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    # Server defaults: an import that gives no such column stores "" on a new row and leaves stored ones alone.
    email: Mapped[str] = mapped_column(String(200), server_default="")
    title: Mapped[str] = mapped_column(String(120), server_default="")
    relationship_strength: Mapped[int | None] = mapped_column(SmallInteger)
    left_company_on: Mapped[dt.date | None] = mapped_column(Date)


class SurveyResponse(Base):
    """One NPS (0–10, "how likely to recommend") or CSAT (1–5) answer."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        one_of("kind", v.SURVEY_KINDS),
        CheckConstraint(
            "(kind = 'nps' AND score BETWEEN 0 AND 10) OR (kind = 'csat' AND score BETWEEN 1 AND 5)",
            name="score_range",
        ),
        Index("ix_survey_responses_account_kind_date", "account_id", "kind", "responded_on"),
        Index("ix_survey_responses_kind_date_score", "kind", "responded_on", "score"),
        # A contact's answers: the latest NPS and the CSAT of each contact (db/reads/advocates.py).
        Index("ix_survey_responses_contact_kind_date", "contact_id", "kind", "responded_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(4))
    score: Mapped[int] = mapped_column(SmallInteger)
    responded_on: Mapped[dt.date] = mapped_column(Date)
    comment: Mapped[str | None] = mapped_column(Text)


class UsageWeekly(Base):
    """Product usage of one account in the week starting on week_start (a Monday); NULL counts are unknown."""

    __tablename__ = "usage_weekly"
    __table_args__ = (
        CheckConstraint(
            "active_users >= 0 AND logins >= 0 AND key_feature_events >= 0 AND seats_used >= 0",
            name="counts_not_negative",
        ),
        # Covers the health score's window read (weeks first), so it never touches the table.
        Index(
            "ix_usage_weekly_week_covering",
            "week_start",
            "account_id",
            "active_users",
            "logins",
            "key_feature_events",
            "seats_used",
        ),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    week_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    active_users: Mapped[int | None] = mapped_column(Integer)
    logins: Mapped[int | None] = mapped_column(Integer)
    key_feature_events: Mapped[int | None] = mapped_column(Integer)
    seats_used: Mapped[int | None] = mapped_column(Integer)


class Milestone(Base):
    """A business outcome the customer bought the product for, planned and (maybe) reached."""

    __tablename__ = "milestones"
    # Covers the health score's outcomes read and every per-account lookup.
    __table_args__ = (Index("ix_milestones_account_covering", "account_id", "planned_on", "achieved_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    planned_on: Mapped[dt.date] = mapped_column(Date)
    achieved_on: Mapped[dt.date | None] = mapped_column(Date)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        one_of("severity", v.TICKET_SEVERITIES),
        one_of("category", v.TICKET_CATEGORIES),
        CheckConstraint("closed_at IS NULL OR closed_at >= opened_at", name="closed_after_opened"),
        Index("ix_tickets_account_opened", "account_id", "opened_at"),
        Index("ix_tickets_opened_at", "opened_at"),
        # An account's complaints (a complaint or escalated ticket), a small part of the tickets.
        Index(
            "ix_tickets_complaints_account_opened",
            "account_id",
            "opened_at",
            sqlite_where=text(COMPLAINT),
            postgresql_where=text(COMPLAINT),
        ),
        # Covers the health score's read of open and recently closed tickets.
        Index(
            "ix_tickets_closed_covering",
            "closed_at",
            "opened_at",
            "account_id",
            "severity",
            "category",
            "sla_breached",
            "escalated",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    severity: Mapped[str | None] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(20))
    sla_breached: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    escalated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class EngagementTrigger(Base):
    """A moment that signals an engaged customer (the eight triggers of step 2)."""

    __tablename__ = "engagement_triggers"
    __table_args__ = (one_of("kind", v.TRIGGER_KINDS), Index("ix_triggers_account_id", "account_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ChurnEvent(Base):
    """An account leaving. It may come back (a later subscription or product use) and churn again."""

    __tablename__ = "churn_events"
    __table_args__ = (
        UniqueConstraint("account_id", "churned_on", name="uq_churn_events_account_day"),
        Index("ix_churn_events_churned_on", "churned_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    churned_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))
    arr_lost: Mapped[float | None] = mapped_column(Money)


class Subscription(Base):
    """One subscription (or contract line) of an account: ARR, seats, plan and renewal derive from these."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        one_of("billing_period", v.BILLING_PERIODS),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("seats >= 0", name="seats_not_negative"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        Index("ix_subscriptions_account_started", "account_id", "started_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    amount: Mapped[float | None] = mapped_column(Money)
    billing_period: Mapped[str | None] = mapped_column(String(10))
    seats: Mapped[int | None] = mapped_column(Integer)
    plan: Mapped[str | None] = mapped_column(String(60))


class KeyFeature(Base):
    """A product feature whose events count as key-feature events when usage events are aggregated."""

    __tablename__ = "key_features"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)


class CustomAttribute(Base):
    """A column of an account file that maps to no field, kept under its own name with one type."""

    __tablename__ = "custom_attributes"
    __table_args__ = (one_of("kind", v.ATTRIBUTE_KINDS),)

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))


class AccountAttribute(Base):
    """One account's value of a custom attribute, in the column of the attribute's kind (yes/no as 1/0)."""

    __tablename__ = "account_attributes"
    __table_args__ = (Index("ix_account_attributes_name", "name"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(
        ForeignKey("custom_attributes.name", ondelete="CASCADE"), primary_key=True
    )
    text_value: Mapped[str | None] = mapped_column(String(500))
    number_value: Mapped[float | None] = mapped_column(Float)
    date_value: Mapped[dt.date | None] = mapped_column(Date)
