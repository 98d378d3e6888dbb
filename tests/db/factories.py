"""A tiny hand-made book of accounts whose health inputs are easy to compute by hand."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from db.engine import transaction
from db.models import AssetIndustry, AssetProduct
from tests.builders import (
    account,
    advocate,
    asset,
    churn,
    contact,
    milestone,
    reference_request,
    sentiment,
    survey,
    ticket,
    usage,
    user,
)

D = dt.date
T = dt.datetime
AS_OF = dt.date(2026, 11, 18)  # a Wednesday; its week starts Monday 16 Nov
THIS_WEEK = dt.date(2026, 11, 16)


def add_user(engine: Engine, username: str = "amy", role: str = "account_manager") -> int:
    with transaction(engine) as session:
        row = user(username=username, role=role)
        session.add(row)
        session.flush()
        return row.id


def build_book(engine: Engine) -> int:
    """Three accounts: 1 steady, 2 declining with trouble, 3 churned. Returns the owner's id."""
    owner = add_user(engine)
    with transaction(engine) as session:
        session.add_all([account(1, owner), account(2, owner), account(3, None)])
        session.flush()
        for weeks_back in range(12):
            week = THIS_WEEK - dt.timedelta(weeks=weeks_back)
            recent = weeks_back < 4
            session.add(
                usage(
                    account_id=1,
                    week_start=week,
                    active_users=30,
                    logins=100,
                    key_feature_events=50,
                    seats_used=40,
                )
            )
            session.add(
                usage(
                    account_id=2,
                    week_start=week,
                    active_users=10 if recent else 20,
                    logins=50 if recent else 100,
                    key_feature_events=25 if recent else 50,
                    seats_used=10 if recent else 30,
                )
            )
        # Older than the 12-week window: must not count.
        session.add(
            usage(
                account_id=2,
                week_start=THIS_WEEK - dt.timedelta(weeks=12),
                active_users=500,
                logins=500,
                key_feature_events=500,
                seats_used=500,
            )
        )
        session.add_all(
            [
                milestone(account_id=1, planned_on=D(2026, 3, 1), achieved_on=D(2026, 2, 20)),
                milestone(account_id=2, planned_on=D(2026, 3, 1)),
                milestone(account_id=2, name="Rollout", planned_on=D(2026, 6, 1), achieved_on=D(2026, 7, 1)),
                milestone(account_id=2, name="Later", planned_on=D(2027, 6, 1)),
                survey(account_id=1, score=6, responded_on=D(2026, 5, 1)),
                survey(account_id=1, score=10, responded_on=D(2026, 10, 1)),
                survey(account_id=2, score=3, responded_on=D(2026, 11, 1)),
                survey(account_id=2, kind="csat", score=2, responded_on=D(2026, 10, 1)),
                survey(account_id=2, kind="csat", score=3, responded_on=D(2026, 9, 1)),
                survey(account_id=2, kind="csat", score=5, responded_on=D(2025, 9, 1)),
                survey(account_id=3, score=0, responded_on=D(2026, 11, 1)),
                ticket(account_id=2, opened_at=T(2026, 11, 10, 9), severity="urgent", sla_breached=True),
                ticket(
                    account_id=2, opened_at=T(2026, 10, 1, 9), closed_at=T(2026, 10, 3, 9), category="billing"
                ),
                ticket(
                    account_id=2,
                    opened_at=T(2026, 9, 1, 9),
                    closed_at=T(2026, 9, 2, 9),
                    severity="medium",
                    escalated=True,
                ),
                ticket(
                    account_id=2,
                    opened_at=T(2026, 1, 1, 9),
                    closed_at=T(2026, 1, 2, 9),
                    category="complaint",
                    sla_breached=True,
                ),
                sentiment(account_id=2, sentiment=1, note="old", recorded_at=T(2026, 6, 1, 9)),
                sentiment(account_id=2, sentiment=2, note="budget talk", recorded_at=T(2026, 11, 5, 9)),
                churn(account_id=3, churned_on=D(2026, 11, 1), reason="budget cut", arr_lost=30_000),
                reference_request(
                    prospect="Prospect A", requested_at=T(2026, 11, 10, 9), needed_by=T(2026, 11, 12, 9)
                ),
                reference_request(
                    prospect="Prospect B",
                    requested_at=T(2026, 11, 10, 9),
                    needed_by=T(2026, 11, 12, 9),
                    status="done",
                ),
            ]
        )
    return owner


def build_advocates(engine: Engine) -> int:
    """build_book plus two contacts: Pat (account 1, NPS 10, CSAT 5) and Dee (account 2, NPS 3). Returns the owner's id."""
    owner = build_book(engine)
    with transaction(engine) as session:
        session.add_all(
            [
                contact(1, 1, name="Pat", email="pat@a1.example", title="CTO", relationship_strength=5),
                contact(2, 2, name="Dee", email="dee@a2.example", title="CFO", relationship_strength=2),
            ]
        )
        session.flush()
        session.add_all(
            [
                survey(account_id=1, contact_id=1, score=10, responded_on=D(2026, 10, 1)),
                survey(account_id=1, contact_id=1, kind="csat", score=5, responded_on=D(2026, 9, 1)),
                survey(account_id=1, contact_id=1, kind="csat", score=5, responded_on=D(2026, 10, 1)),
                survey(account_id=2, contact_id=2, score=3, responded_on=D(2026, 11, 1)),
            ]
        )
    return owner


def build_references(engine: Engine) -> int:
    """build_advocates; Pat reference-ready (advocate 1), Dee agreed (advocate 2); asset 1 (approved case study
    featuring Pat, tagged Apparel and Retail, Analytics) and asset 2 (pending video, Retail). Returns the owner's id."""
    owner = build_advocates(engine)
    with transaction(engine) as session:
        session.add_all(
            [
                advocate(1, stage="reference_ready", stage_changed_at=T(2026, 1, 1)),
                advocate(2, account_id=2, stage_changed_at=T(2026, 1, 1)),
                asset(
                    1,
                    title="How Account 1 cut onboarding",
                    contact_id=1,
                    summary="Onboarding in days",
                    published_on=D(2026, 1, 10),
                    review_by=D(2027, 1, 10),
                ),
                asset(
                    2,
                    title="Draft video",
                    asset_type="video_testimonial",
                    contact_id=1,
                    approval_status="pending",
                ),
            ]
        )
        session.flush()
        session.add_all(
            [
                AssetIndustry(asset_id=1, industry="Retail"),
                AssetIndustry(asset_id=1, industry="Apparel"),
                AssetProduct(asset_id=1, product="Analytics"),
                AssetIndustry(asset_id=2, industry="Retail"),
            ]
        )
    return owner
