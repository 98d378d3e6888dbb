"""One builder per table that tests fill by hand: a valid, unsaved row whose every column a keyword overrides.

Defaults are plain and fixed (ids number the external ids and names), so a test states only the values its
assertion depends on: `ticket(account_id=2, severity="urgent")`, `ask(advocate_id=1, outcome="declined")`.
"""

from __future__ import annotations

import datetime as dt

from db.models import (
    Account,
    Advocate,
    AdvocateStageChange,
    Asset,
    ChurnEvent,
    Contact,
    CsmSentiment,
    HealthSnapshot,
    Milestone,
    OutreachAttempt,
    Purchase,
    ReferenceRequest,
    Referral,
    ReferralEvent,
    Subscription,
    SurveyResponse,
    Ticket,
    UsageWeekly,
    User,
)

DAY = dt.date(2026, 1, 5)
MOMENT = dt.datetime(2026, 1, 5, 9)


def user(**overrides) -> User:
    username = overrides.get("username", "amy")
    values = dict(
        username=username,
        name=username.title(),
        email=f"{username}@example.com",
        password_hash="x",
        role="account_manager",
        disabled=False,
    )
    return User(**{**values, **overrides})


def account(id: int = 1, owner_id: int | None = None, **overrides) -> Account:
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


def contact(id: int = 1, account_id: int = 1, **overrides) -> Contact:
    name = overrides.get("name", f"Contact {id}")
    values = dict(
        id=id,
        external_id=f"CON-{id}",
        account_id=account_id,
        name=name,
        email=f"{name.lower().replace(' ', '')}@a{account_id}.example",
        title="VP",
        relationship_strength=4,
    )
    return Contact(**{**values, **overrides})


def survey(**overrides) -> SurveyResponse:
    values = dict(account_id=1, contact_id=None, kind="nps", score=9, responded_on=DAY)
    return SurveyResponse(**{**values, **overrides})


def usage(**overrides) -> UsageWeekly:
    values = dict(
        account_id=1, week_start=DAY, active_users=10, logins=10, key_feature_events=10, seats_used=10
    )
    return UsageWeekly(**{**values, **overrides})


def milestone(**overrides) -> Milestone:
    values = dict(account_id=1, name="Go live", planned_on=DAY, achieved_on=None)
    return Milestone(**{**values, **overrides})


def ticket(**overrides) -> Ticket:
    values = dict(
        account_id=1,
        opened_at=MOMENT,
        closed_at=None,
        severity="low",
        category="technical",
        sla_breached=False,
        escalated=False,
    )
    return Ticket(**{**values, **overrides})


def sentiment(**overrides) -> CsmSentiment:
    values = dict(account_id=1, sentiment=3, note="", recorded_at=MOMENT)
    return CsmSentiment(**{**values, **overrides})


def churn(**overrides) -> ChurnEvent:
    """A churn whose reason and lost ARR are unknown."""
    values = dict(account_id=1, churned_on=DAY)
    return ChurnEvent(**{**values, **overrides})


def subscription(**overrides) -> Subscription:
    """A subscription line with only its dates known."""
    values = {"account_id": 1, "started_on": DAY, **overrides}
    values.setdefault("external_id", f"SUB-{values['account_id']}-{values['started_on']}")
    return Subscription(**values)


def advocate(id: int = 1, **overrides) -> Advocate:
    values = dict(id=id, contact_id=id, account_id=1, stage="agreed", stage_changed_at=MOMENT)
    return Advocate(**{**values, **overrides})


def stage_change(**overrides) -> AdvocateStageChange:
    values = dict(advocate_id=1, from_stage=None, to_stage="nominated", changed_at=MOMENT)
    return AdvocateStageChange(**{**values, **overrides})


def ask(**overrides) -> OutreachAttempt:
    """An outreach attempt: a first reference ask by email that got no response."""
    values = dict(
        advocate_id=1,
        purpose="reference",
        channel="email",
        owner_role="csm",
        follow_up_number=0,
        sent_on=DAY,
        responded_on=None,
        outcome="no_response",
    )
    return OutreachAttempt(**{**values, **overrides})


def asset(id: int = 1, **overrides) -> Asset:
    """An approved case study of account 1."""
    values = dict(
        id=id,
        title=f"Asset {id}",
        asset_type="case_study",
        account_id=1,
        summary="",
        company_size="SMB",
        region="EMEA",
        approval_status="approved",
        url=f"https://example.com/{id}",
    )
    return Asset(**{**values, **overrides})


def reference_request(id: int | None = None, **overrides) -> ReferenceRequest:
    """An open request for a call for a Retail prospect."""
    values = dict(
        id=id,
        prospect=f"Prospect {id}",
        industry="Retail",
        deal_size=50_000,
        deal_stage="proposal",
        kind="call",
        requested_at=MOMENT,
        needed_by=MOMENT + dt.timedelta(days=7),
        status="open",
    )
    return ReferenceRequest(**{**values, **overrides})


def referral(id: int = 1, **overrides) -> Referral:
    values = dict(
        id=id,
        code=f"REF-{id}",
        advocate_id=1,
        referred_company=f"Prospect company {id}",
        campaign="spring",
        created_on=DAY,
    )
    return Referral(**{**values, **overrides})


def referral_event(**overrides) -> ReferralEvent:
    values = dict(referral_id=1, event="sent", occurred_at=MOMENT)
    return ReferralEvent(**{**values, **overrides})


def purchase(**overrides) -> Purchase:
    values = dict(account_id=1, purchased_on=DAY, amount=1_000.0, referral_id=None)
    return Purchase(**{**values, **overrides})


def snapshot(**overrides) -> HealthSnapshot:
    """A stored weekly health score with no sub-scores."""
    values = dict(
        account_id=1,
        week_start=DAY,
        score=50.0,
        usage=None,
        outcomes=None,
        utilisation=None,
        feedback=None,
        support=None,
        weights_key="default",
        computed_at=MOMENT,
    )
    return HealthSnapshot(**{**values, **overrides})
