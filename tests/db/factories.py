"""A tiny hand-made book of accounts whose health inputs are easy to compute by hand."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from db.engine import transaction
from db.models import (
    Account,
    Advocate,
    Asset,
    AssetIndustry,
    AssetProduct,
    ChurnEvent,
    Contact,
    CsmSentiment,
    Milestone,
    ReferenceRequest,
    SurveyResponse,
    Ticket,
    UsageWeekly,
    User,
)

AS_OF = dt.date(2026, 11, 18)  # a Wednesday; its week starts Monday 16 Nov
THIS_WEEK = dt.date(2026, 11, 16)


def add_user(engine: Engine, username: str = "amy", role: str = "account_manager") -> int:
    with transaction(engine) as session:
        user = User(
            username=username,
            name=username.title(),
            email=f"{username}@example.com",
            password_hash="x",
            role=role,
            disabled=False,
        )
        session.add(user)
        session.flush()
        return user.id


def account(id: int, owner_id: int | None, **overrides) -> Account:
    values = dict(
        id=id,
        external_id=f"ACC-{id}",
        name=f"Account {id}",
        industry="Retail",
        segment="SMB",
        region="EMEA",
        product="Analytics",
        employees=50,
        arr=10_000.0 * id,
        seats_purchased=50,
        customer_since=dt.date(2024, 1, 1),
        renewal_date=dt.date(2027, 1, 1),
        owner_id=owner_id,
    )
    return Account(**{**values, **overrides})


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
                UsageWeekly(
                    account_id=1,
                    week_start=week,
                    active_users=30,
                    logins=100,
                    key_feature_events=50,
                    seats_used=40,
                )
            )
            session.add(
                UsageWeekly(
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
            UsageWeekly(
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
                Milestone(
                    account_id=1,
                    name="Go live",
                    planned_on=dt.date(2026, 3, 1),
                    achieved_on=dt.date(2026, 2, 20),
                ),
                Milestone(account_id=2, name="Go live", planned_on=dt.date(2026, 3, 1), achieved_on=None),
                Milestone(
                    account_id=2,
                    name="Rollout",
                    planned_on=dt.date(2026, 6, 1),
                    achieved_on=dt.date(2026, 7, 1),
                ),
                Milestone(account_id=2, name="Later", planned_on=dt.date(2027, 6, 1), achieved_on=None),
                SurveyResponse(account_id=1, kind="nps", score=6, responded_on=dt.date(2026, 5, 1)),
                SurveyResponse(account_id=1, kind="nps", score=10, responded_on=dt.date(2026, 10, 1)),
                SurveyResponse(account_id=2, kind="nps", score=3, responded_on=dt.date(2026, 11, 1)),
                SurveyResponse(account_id=2, kind="csat", score=2, responded_on=dt.date(2026, 10, 1)),
                SurveyResponse(account_id=2, kind="csat", score=3, responded_on=dt.date(2026, 9, 1)),
                SurveyResponse(account_id=2, kind="csat", score=5, responded_on=dt.date(2025, 9, 1)),
                SurveyResponse(account_id=3, kind="nps", score=0, responded_on=dt.date(2026, 11, 1)),
                Ticket(
                    account_id=2,
                    opened_at=dt.datetime(2026, 11, 10, 9),
                    closed_at=None,
                    severity="urgent",
                    category="technical",
                    sla_breached=True,
                    escalated=False,
                ),
                Ticket(
                    account_id=2,
                    opened_at=dt.datetime(2026, 10, 1, 9),
                    closed_at=dt.datetime(2026, 10, 3, 9),
                    severity="low",
                    category="billing",
                    sla_breached=False,
                    escalated=False,
                ),
                Ticket(
                    account_id=2,
                    opened_at=dt.datetime(2026, 9, 1, 9),
                    closed_at=dt.datetime(2026, 9, 2, 9),
                    severity="medium",
                    category="technical",
                    sla_breached=False,
                    escalated=True,
                ),
                Ticket(
                    account_id=2,
                    opened_at=dt.datetime(2026, 1, 1, 9),
                    closed_at=dt.datetime(2026, 1, 2, 9),
                    severity="low",
                    category="complaint",
                    sla_breached=True,
                    escalated=False,
                ),
                CsmSentiment(account_id=2, sentiment=1, note="old", recorded_at=dt.datetime(2026, 6, 1, 9)),
                CsmSentiment(
                    account_id=2, sentiment=2, note="budget talk", recorded_at=dt.datetime(2026, 11, 5, 9)
                ),
                ChurnEvent(
                    account_id=3, churned_on=dt.date(2026, 11, 1), reason="budget cut", arr_lost=30_000
                ),
                ReferenceRequest(
                    prospect="Prospect A",
                    industry="Retail",
                    deal_size=50_000,
                    deal_stage="proposal",
                    kind="call",
                    requested_at=dt.datetime(2026, 11, 10, 9),
                    needed_by=dt.datetime(2026, 11, 12, 9),
                    status="open",
                ),
                ReferenceRequest(
                    prospect="Prospect B",
                    industry="Retail",
                    deal_size=50_000,
                    deal_stage="proposal",
                    kind="call",
                    requested_at=dt.datetime(2026, 11, 10, 9),
                    needed_by=dt.datetime(2026, 11, 12, 9),
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
                Contact(
                    id=1,
                    external_id="CON-1",
                    account_id=1,
                    name="Pat",
                    email="pat@a1.example",
                    title="CTO",
                    relationship_strength=5,
                ),
                Contact(
                    id=2,
                    external_id="CON-2",
                    account_id=2,
                    name="Dee",
                    email="dee@a2.example",
                    title="CFO",
                    relationship_strength=2,
                ),
            ]
        )
        session.flush()
        session.add_all(
            [
                SurveyResponse(
                    account_id=1, contact_id=1, kind="nps", score=10, responded_on=dt.date(2026, 10, 1)
                ),
                SurveyResponse(
                    account_id=1, contact_id=1, kind="csat", score=5, responded_on=dt.date(2026, 9, 1)
                ),
                SurveyResponse(
                    account_id=1, contact_id=1, kind="csat", score=5, responded_on=dt.date(2026, 10, 1)
                ),
                SurveyResponse(
                    account_id=2, contact_id=2, kind="nps", score=3, responded_on=dt.date(2026, 11, 1)
                ),
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
                Advocate(
                    id=1,
                    contact_id=1,
                    account_id=1,
                    stage="reference_ready",
                    stage_changed_at=dt.datetime(2026, 1, 1),
                ),
                Advocate(
                    id=2, contact_id=2, account_id=2, stage="agreed", stage_changed_at=dt.datetime(2026, 1, 1)
                ),
                Asset(
                    id=1,
                    title="How Account 1 cut onboarding",
                    asset_type="case_study",
                    account_id=1,
                    contact_id=1,
                    summary="Onboarding in days",
                    company_size="SMB",
                    region="EMEA",
                    approval_status="approved",
                    published_on=dt.date(2026, 1, 10),
                    review_by=dt.date(2027, 1, 10),
                    url="https://example.com/1",
                ),
                Asset(
                    id=2,
                    title="Draft video",
                    asset_type="video_testimonial",
                    account_id=1,
                    contact_id=1,
                    summary="",
                    company_size="SMB",
                    region="EMEA",
                    approval_status="pending",
                    url="https://example.com/2",
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
