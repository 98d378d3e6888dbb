"""SQLAlchemy 2 typed models: the one source of truth every page reads (domain brief, step 1)."""

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
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core import vocabulary as v

Money = Numeric(14, 2, asdecimal=False)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    """A CHECK constraint that keeps a text column inside a fixed vocabulary."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_allowed")


def created_at() -> Mapped[dt.datetime]:
    return mapped_column(DateTime, server_default=func.current_timestamp())


class User(Base):
    __tablename__ = "users"
    __table_args__ = (one_of("role", v.ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Login cookies issued before this moment are refused (set when the user logs out or is disabled).
    sessions_valid_from: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = created_at()
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class LoginFailure(Base):
    """Failed logins of one username from one address since its last success: the throttle's memory."""

    __tablename__ = "login_failures"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[dt.datetime] = mapped_column(DateTime)


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


class Advocate(Base):
    """One advocate record carries reference, referral and ambassador activity of a contact."""

    __tablename__ = "advocates"
    __table_args__ = (one_of("stage", v.ADVOCATE_STAGES), Index("ix_advocates_account_id", "account_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    stage_changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    referral_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    nominated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at()
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class AdvocateStageChange(Base):
    __tablename__ = "advocate_stage_changes"
    __table_args__ = (
        Index("ix_stage_changes_advocate_id", "advocate_id"),
        # The weekly review reads two weeks of changes out of the whole history.
        Index("ix_stage_changes_changed_at", "changed_at"),
        # The KPI page counts the moves into and out of each stage per day.
        Index("ix_stage_changes_day_move", text("DATE(changed_at)"), "from_stage", "to_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    advocate_id: Mapped[int] = mapped_column(ForeignKey("advocates.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OutreachAttempt(Base):
    """An ask (follow_up_number 0) or a follow-up (1..3) to an advocate."""

    __tablename__ = "outreach_attempts"
    __table_args__ = (
        one_of("channel", v.CHANNELS),
        one_of("owner_role", v.OWNER_ROLES),
        one_of("purpose", v.OUTREACH_PURPOSES),
        one_of("outcome", v.OUTREACH_OUTCOMES),
        CheckConstraint("follow_up_number BETWEEN 0 AND 10", name="follow_up_range"),
        CheckConstraint("responded_on IS NULL OR responded_on >= sent_on", name="response_after_ask"),
        Index("ix_outreach_advocate_id", "advocate_id"),
        Index("ix_outreach_sent_on", "sent_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    advocate_id: Mapped[int] = mapped_column(ForeignKey("advocates.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    owner_role: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    follow_up_number: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    sent_on: Mapped[dt.date] = mapped_column(Date)
    responded_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class Reward(Base):
    __tablename__ = "rewards"
    __table_args__ = (one_of("kind", v.REWARD_KINDS), Index("ix_rewards_advocate_id", "advocate_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    advocate_id: Mapped[int] = mapped_column(ForeignKey("advocates.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    value: Mapped[float | None] = mapped_column(Money)
    given_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class ThankYou(Base):
    __tablename__ = "thank_yous"
    __table_args__ = (
        one_of("reason", v.THANK_YOU_REASONS),
        one_of("channel", v.CHANNELS),
        Index("ix_thank_yous_advocate_id", "advocate_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    advocate_id: Mapped[int] = mapped_column(ForeignKey("advocates.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(20))
    sent_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class Asset(Base):
    __tablename__ = "assets"
    __table_args__ = (
        one_of("asset_type", v.ASSET_TYPES),
        one_of("approval_status", v.APPROVAL_STATUSES),
        one_of("company_size", v.SEGMENTS),
        one_of("region", v.REGIONS),
        Index("ix_assets_account_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    asset_type: Mapped[str] = mapped_column(String(30))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    quote: Mapped[str | None] = mapped_column(Text)
    company_size: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(20))
    approval_status: Mapped[str] = mapped_column(String(20))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    review_by: Mapped[dt.date | None] = mapped_column(Date)
    url: Mapped[str] = mapped_column(String(500))
    # The customer's approval: who gave it, when, and until when it holds (None: without end).
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    approval_until: Mapped[dt.date | None] = mapped_column(Date)
    # An uploaded file: stored under file_key (a generated name) in the asset files folder; file_name is
    # the uploader's name for it, shown and offered on download only.
    file_key: Mapped[str | None] = mapped_column(String(80))
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str | None] = mapped_column(String(60))
    retired_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class AssetIndustry(Base):
    """Every case study is tagged by industry so a prospect finds its own (step 4)."""

    __tablename__ = "asset_industries"
    __table_args__ = (Index("ix_asset_industries_industry", "industry"),)

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True)
    industry: Mapped[str] = mapped_column(String(60), primary_key=True)


class AssetProduct(Base):
    __tablename__ = "asset_products"

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True)
    product: Mapped[str] = mapped_column(String(60), primary_key=True)


class ReferenceRequest(Base):
    __tablename__ = "reference_requests"
    __table_args__ = (
        one_of("kind", v.REQUEST_KINDS),
        one_of("status", v.REQUEST_STATUSES),
        one_of("deal_stage", v.DEAL_STAGES),
        CheckConstraint(
            f"outcome IS NULL OR outcome IN ('{v.DEAL_OUTCOMES[0]}', '{v.DEAL_OUTCOMES[1]}')",
            name="outcome_allowed",
        ),
        CheckConstraint("deal_size >= 0", name="deal_size_not_negative"),
        Index("ix_reference_requests_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(60))
    company_size: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(20))
    product: Mapped[str | None] = mapped_column(String(60))
    deal_size: Mapped[float] = mapped_column(Money)
    deal_stage: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime)
    needed_by: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20))
    assigned_advocate_id: Mapped[int | None] = mapped_column(ForeignKey("advocates.id", ondelete="SET NULL"))
    assigned_asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    fulfilled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(10))
    won_amount: Mapped[float | None] = mapped_column(Money)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class AssetUsage(Base):
    """An asset used in a deal, from the library card or a fulfilled reference request."""

    __tablename__ = "asset_usage"
    __table_args__ = (
        CheckConstraint(
            f"outcome IS NULL OR outcome IN ('{v.DEAL_OUTCOMES[0]}', '{v.DEAL_OUTCOMES[1]}')",
            name="outcome_allowed",
        ),
        Index("ix_asset_usage_asset_id", "asset_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    used_on: Mapped[dt.date] = mapped_column(Date)
    reference_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("reference_requests.id", ondelete="SET NULL")
    )
    opportunity: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(10))
    amount: Mapped[float | None] = mapped_column(Money)


class Referral(Base):
    """A referral code/link an advocate shared with one prospective customer."""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_advocate_id", "advocate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    advocate_id: Mapped[int] = mapped_column(ForeignKey("advocates.id", ondelete="CASCADE"))
    referred_company: Mapped[str] = mapped_column(String(200))
    campaign: Mapped[str] = mapped_column(String(60))
    created_on: Mapped[dt.date] = mapped_column(Date)


class ReferralEvent(Base):
    __tablename__ = "referral_events"
    __table_args__ = (
        one_of("event", v.REFERRAL_EVENTS),
        Index("ix_referral_events_referral_id", "referral_id"),
        Index("ix_referral_events_occurred_at", "occurred_at"),
        Index("ix_referral_events_external_id", "external_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Purchase(Base):
    __tablename__ = "purchases"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        # Each account's first purchase, the purchases per day and each period's buyers, from the indexes alone.
        Index("ix_purchases_account_day", "account_id", "purchased_on"),
        Index("ix_purchases_day_account", "purchased_on", "account_id", "amount", "referral_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    purchased_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[float] = mapped_column(Money)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id", ondelete="SET NULL"))


class AcquisitionSpend(Base):
    __tablename__ = "acquisition_spend"
    __table_args__ = (
        one_of("channel", v.SPEND_CHANNELS),
        UniqueConstraint("month", "channel", name="uq_acquisition_spend_month_channel"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(30))
    amount: Mapped[float] = mapped_column(Money)


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


class ImportProfile(Base):
    """A saved import mapping (columns, values, constants) for one kind of file, reused by name."""

    __tablename__ = "import_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    entity: Mapped[str] = mapped_column(String(30))
    definition: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class RescoreWeek(Base):
    """A scored week whose inputs an import changed: the next scoring run rescores exactly these."""

    __tablename__ = "rescore_weeks"

    week_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    marked_at: Mapped[dt.datetime] = mapped_column(DateTime)


class HealthSnapshot(Base):
    """The early-warning score of one account for one week, with its five sub-scores.

    Bands are not stored: they follow from the score and the current thresholds. weights_key
    names the weights the score was computed with, so a weights change rescores every week.
    """

    __tablename__ = "health_snapshots"
    __table_args__ = (
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_range"),
        Index("ix_health_snapshots_week_start", "week_start"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    week_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    score: Mapped[float | None] = mapped_column(Float)
    usage: Mapped[float | None] = mapped_column(Float)
    outcomes: Mapped[float | None] = mapped_column(Float)
    utilisation: Mapped[float | None] = mapped_column(Float)
    feedback: Mapped[float | None] = mapped_column(Float)
    support: Mapped[float | None] = mapped_column(Float)
    weights_key: Mapped[str] = mapped_column(String(120))
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CsmSentiment(Base):
    """The account team's own read of an account (1 very negative … 5 very positive), with a note."""

    __tablename__ = "csm_sentiments"
    __table_args__ = (
        CheckConstraint("sentiment BETWEEN 1 AND 5", name="sentiment_1_5"),
        Index("ix_csm_sentiments_account_recorded", "account_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    sentiment: Mapped[int] = mapped_column(SmallInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Setting(Base):
    """An admin-set threshold or weight; absent keys fall back to the brief's defaults."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = created_at()
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class HealthProfile(Base):
    """One value of a segment's health profile (a weight or band threshold); absent keys fall back to settings."""

    __tablename__ = "health_profiles"

    segment: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = created_at()
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class ModelFit(Base):
    """One "Fit to our history" of the churn-risk layer: its model card (JSON), kept for every fit."""

    __tablename__ = "model_fits"
    __table_args__ = (Index("ix_model_fits_fitted_at", "fitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fitted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    fitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    risk_week: Mapped[dt.date | None] = mapped_column(Date)
    test_auc: Mapped[float | None] = mapped_column(Float)
    card: Mapped[str] = mapped_column(Text)


class ChurnRisk(Base):
    """An account's churn risk (0–1) and its why under the newest fit; older fits' risks are replaced."""

    __tablename__ = "churn_risks"

    fit_id: Mapped[int] = mapped_column(ForeignKey("model_fits.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    risk: Mapped[float] = mapped_column(Float)
    why: Mapped[str] = mapped_column(Text)
