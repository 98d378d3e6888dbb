"""The advocate program: advocates, outreach, rewards and thank-yous, assets, reference requests, referrals, purchases and spend."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core import vocabulary as v
from db.models.base import Base, Money, created_at, one_of


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
