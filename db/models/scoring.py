"""Health scoring and what feeds it: weekly snapshots, CSM sentiment, segment profiles, weeks to rescore, import profiles, churn-model fits and risks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
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
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, created_at


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


class HealthProfile(Base):
    """One value of a segment's health profile (a weight or band threshold); absent keys fall back to settings."""

    __tablename__ = "health_profiles"

    segment: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = created_at()
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


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
