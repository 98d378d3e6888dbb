"""The KPI page's read queries on SQLite and PostgreSQL, over a handful of hand-inserted rows."""

import datetime as dt
import math

import pandas as pd
import pytest
from sqlalchemy import func, select

from core import kpis as core_kpis
from core.vocabulary import ADVOCATE_STAGES
from db import service
from db.engine import transaction
from db.models import (
    AcquisitionSpend,
    Advocate,
    AssetUsage,
    ChurnEvent,
    Contact,
    Purchase,
    ReferenceRequest,
    Referral,
    SurveyResponse,
)
from db.reads import accounts as account_reads
from db.reads import advocates as advocate_reads
from db.reads import purchases as purchase_reads
from tests.builders import ask, asset, stage_change
from tests.db.factories import account, add_user, build_advocates

D = dt.date
T = dt.datetime


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """The frame's rows as tuples, sorted by columns (the queries promise no order)."""
    return list(frame.sort_values(columns)[columns].itertuples(index=False, name=None))


@pytest.fixture
def world(engine):
    """Accounts 1 (SMB Retail), 2 (Enterprise Software, new on Jan 11) and 3 (Mid-Market Retail, churned
    Jan 20); Pat (advocate 1, reference-ready) and Dee (advocate 2, agreed) with their stage histories,
    asks, assets, a won reference request and deals won with assets."""
    owner = add_user(engine)
    with transaction(engine) as session:
        session.add_all(
            [
                account(1, owner, segment="SMB", industry="Retail", customer_since=D(2024, 1, 1)),
                account(2, owner, segment="Enterprise", industry="Software", customer_since=D(2026, 1, 11)),
                account(3, None, segment="Mid-Market", industry="Retail", customer_since=D(2025, 3, 1)),
            ]
        )
        session.flush()
        session.add_all(
            [
                Contact(id=1, external_id="CON-1", account_id=1, name="Pat", email="p@x", title="CTO"),
                Contact(id=2, external_id="CON-2", account_id=2, name="Dee", email="d@x", title="CFO"),
                ChurnEvent(account_id=3, churned_on=D(2026, 1, 20), reason="budget", arr_lost=30_000),
                SurveyResponse(account_id=1, kind="nps", score=10, responded_on=D(2026, 1, 5)),
                SurveyResponse(account_id=1, kind="nps", score=10, responded_on=D(2026, 1, 5)),
                SurveyResponse(account_id=1, kind="nps", score=6, responded_on=D(2026, 1, 5)),
                SurveyResponse(account_id=3, kind="nps", score=3, responded_on=D(2026, 1, 5)),
                SurveyResponse(account_id=1, kind="csat", score=5, responded_on=D(2026, 1, 7)),
                SurveyResponse(account_id=2, kind="csat", score=4, responded_on=D(2026, 1, 31)),
                SurveyResponse(account_id=2, kind="nps", score=9, responded_on=D(2026, 2, 1)),
                SurveyResponse(account_id=2, kind="nps", score=2, responded_on=D(2025, 12, 31)),
                AcquisitionSpend(month=D(2026, 1, 1), channel="paid_search", amount=3_100),
                AcquisitionSpend(month=D(2026, 1, 1), channel="events", amount=500.5),
                AcquisitionSpend(month=D(2026, 2, 1), channel="paid_search", amount=2_800),
            ]
        )
        session.flush()
        session.add_all(
            [
                Advocate(
                    id=1,
                    contact_id=1,
                    account_id=1,
                    stage="reference_ready",
                    stage_changed_at=T(2026, 1, 14, 15),
                ),
                Advocate(id=2, contact_id=2, account_id=2, stage="agreed", stage_changed_at=T(2026, 1, 6, 9)),
            ]
        )
        session.flush()
        session.add_all(
            [
                # Pat's history starts with an entry into 'candidate' (as the demo data records it) …
                stage_change(
                    advocate_id=1, from_stage=None, to_stage="candidate", changed_at=T(2026, 1, 2, 9)
                ),
                stage_change(
                    advocate_id=1, from_stage="candidate", to_stage="nominated", changed_at=T(2026, 1, 3, 9)
                ),
                stage_change(
                    advocate_id=1, from_stage="nominated", to_stage="asked", changed_at=T(2026, 1, 5, 9)
                ),
                stage_change(
                    advocate_id=1, from_stage="asked", to_stage="agreed", changed_at=T(2026, 1, 14, 10)
                ),
                stage_change(
                    advocate_id=1,
                    from_stage="agreed",
                    to_stage="reference_ready",
                    changed_at=T(2026, 1, 14, 15),
                ),
                # … Dee's with the move out of it (as service.nominate records a new advocate).
                stage_change(
                    advocate_id=2, from_stage="candidate", to_stage="nominated", changed_at=T(2026, 1, 2, 11)
                ),
                stage_change(
                    advocate_id=2, from_stage="nominated", to_stage="asked", changed_at=T(2026, 1, 5, 10)
                ),
                stage_change(
                    advocate_id=2, from_stage="asked", to_stage="agreed", changed_at=T(2026, 1, 6, 9)
                ),
                ask(advocate_id=1, sent_on=D(2026, 1, 5), outcome="no_response"),
                ask(
                    advocate_id=1,
                    sent_on=D(2026, 1, 12),
                    outcome="agreed",
                    responded_on=D(2026, 1, 14),
                    follow_up_number=1,
                ),  # a follow-up: no new ask
                ask(advocate_id=2, sent_on=D(2026, 1, 5), outcome="agreed", responded_on=D(2026, 1, 6)),
                ask(advocate_id=2, sent_on=D(2026, 2, 2), outcome="declined", responded_on=D(2026, 2, 3)),
                Referral(
                    id=1,
                    code="REF-1",
                    advocate_id=1,
                    referred_company="Prospect Co",
                    campaign="q1",
                    created_on=D(2026, 1, 2),
                ),
                asset(1, approval_status="approved", published_on=D(2026, 1, 15)),
                asset(2, approval_status="pending", published_on=None),
                asset(3, approval_status="approved", published_on=D(2026, 1, 15)),
                asset(4, approval_status="rejected", published_on=D(2026, 1, 16)),
                asset(5, approval_status="approved", published_on=D(2026, 1, 15), retired_on=D(2026, 2, 1)),
                ReferenceRequest(
                    id=1,
                    prospect="Prospect A",
                    industry="Retail",
                    deal_size=50_000,
                    deal_stage="proposal",
                    kind="call",
                    requested_at=T(2026, 1, 10, 9),
                    needed_by=T(2026, 1, 12, 9),
                    status="done",
                    fulfilled_at=T(2026, 1, 11, 9),
                    outcome="won",
                    won_amount=7_000,
                ),
            ]
        )
        session.flush()
        session.add_all(
            [
                Purchase(account_id=1, purchased_on=D(2025, 12, 1), amount=300),
                Purchase(account_id=1, purchased_on=D(2026, 1, 5), amount=1_000.5),
                Purchase(account_id=2, purchased_on=D(2026, 1, 12), amount=2_500, referral_id=1),
                AssetUsage(asset_id=1, used_on=D(2026, 1, 20), outcome="won", amount=5_000),
                AssetUsage(asset_id=3, used_on=D(2026, 1, 20), outcome="won", amount=2_000),
                # Won through reference request 1: its amount counts there, not here.
                AssetUsage(
                    asset_id=1, used_on=D(2026, 1, 20), reference_request_id=1, outcome="won", amount=7_000
                ),
                AssetUsage(asset_id=1, used_on=D(2026, 1, 22), outcome="lost", amount=9_000),
                AssetUsage(asset_id=3, used_on=D(2026, 1, 25), outcome="won", amount=1_500.25),
                AssetUsage(asset_id=3, used_on=D(2026, 1, 26), outcome=None, amount=None),
            ]
        )
    return engine


def test_survey_daily_counts_answers_per_day_kind_and_score(world):
    frame = account_reads.survey_daily(world)
    assert sorted(frame.columns) == ["day", "kind", "responses", "score"]
    assert pd.api.types.is_datetime64_any_dtype(frame["day"])
    assert rows(frame, ["day", "kind", "score", "responses"]) == [
        (day("2025-12-31"), "nps", 2, 1),
        (day("2026-01-05"), "nps", 3, 1),
        (day("2026-01-05"), "nps", 6, 1),
        (day("2026-01-05"), "nps", 10, 2),
        (day("2026-01-07"), "csat", 5, 1),
        (day("2026-01-31"), "csat", 4, 1),
        (day("2026-02-01"), "nps", 9, 1),
    ]


def test_survey_groups_counts_one_period_per_segment_and_industry(world):
    frame = account_reads.survey_groups(world, D(2026, 1, 1), D(2026, 1, 31))
    columns = ["segment", "industry", "kind", "score", "responses"]
    assert sorted(frame.columns) == sorted(columns)
    # Jan 1 and Jan 31 are inside; the Dec 31 and Feb 1 answers of account 2 are not.
    assert rows(frame, columns) == [
        ("Enterprise", "Software", "csat", 4, 1),
        ("Mid-Market", "Retail", "nps", 3, 1),
        ("SMB", "Retail", "csat", 5, 1),
        ("SMB", "Retail", "nps", 6, 1),
        ("SMB", "Retail", "nps", 10, 2),
    ]
    assert account_reads.survey_groups(world, D(2026, 3, 1), D(2026, 3, 31)).empty


def test_customers_by_account_with_their_churn_and_first_purchase(world):
    frame = purchase_reads.customers(world).sort_index()
    assert frame.index.name == "account_id"
    assert list(frame.index) == [1, 2, 3]
    assert pd.api.types.is_datetime64_any_dtype(frame["customer_since"])
    assert pd.api.types.is_datetime64_any_dtype(frame["churned_on"])
    assert list(frame["customer_since"]) == [day("2024-01-01"), day("2026-01-11"), day("2025-03-01")]
    assert frame["churned_on"].isna().tolist() == [True, True, False]
    assert frame.loc[3, "churned_on"] == day("2026-01-20")
    # Account 1 bought on Dec 1 and Jan 5, account 2 on Jan 12, account 3 never.
    assert pd.api.types.is_datetime64_any_dtype(frame["first_purchase"])
    assert frame.loc[1, "first_purchase"] == day("2025-12-01") and frame.loc[2, "first_purchase"] == day(
        "2026-01-12"
    )
    assert pd.isna(frame.loc[3, "first_purchase"])
    assert list(frame["segment"]) == ["SMB", "Enterprise", "Mid-Market"]
    assert list(frame["industry"]) == ["Retail", "Software", "Retail"]


def test_purchases_with_referral_id_nan_unless_a_referral_brought_them(world):
    frame = purchase_reads.purchases(world).sort_values("purchased_on").reset_index(drop=True)
    assert list(frame.columns) == ["account_id", "purchased_on", "amount", "referral_id"]
    assert list(frame["account_id"]) == [1, 1, 2]
    assert list(frame["purchased_on"]) == [day("2025-12-01"), day("2026-01-05"), day("2026-01-12")]
    assert list(frame["amount"]) == [300.0, 1_000.5, 2_500.0]
    assert frame["amount"].dtype == float
    assert frame["referral_id"].dtype == float
    assert math.isnan(frame.loc[0, "referral_id"]) and math.isnan(frame.loc[1, "referral_id"])
    assert frame.loc[2, "referral_id"] == 1.0


def test_purchase_daily_totals_per_day(world):
    frame = purchase_reads.purchase_daily(world).sort_values("purchased_on", ignore_index=True)
    assert rows(frame, ["purchased_on", "purchases", "amount", "referral_purchases"]) == [
        (day("2025-12-01"), 1, 300.0, 0),
        (day("2026-01-05"), 1, 1_000.5, 0),
        (day("2026-01-12"), 1, 2_500.0, 1),
    ]
    assert frame["purchases"].dtype == "int64" and frame["amount"].dtype == float


def test_buyers_between_gives_the_account_of_each_purchase_of_the_days(world):
    assert sorted(purchase_reads.buyers_between(world, D(2026, 1, 1), D(2026, 1, 31))) == [1, 2]
    assert purchase_reads.buyers_between(world, D(2025, 12, 1), D(2026, 1, 5)).tolist() == [1, 1]
    empty = purchase_reads.buyers_between(world, D(2026, 3, 1), D(2026, 3, 31))
    assert empty.empty and empty.dtype == "int64"


def test_spend_per_month_and_channel(world):
    frame = purchase_reads.spend(world)
    assert frame["amount"].dtype == float
    assert rows(frame, ["month", "channel", "amount"]) == [
        (day("2026-01-01"), "events", 500.5),
        (day("2026-01-01"), "paid_search", 3_100.0),
        (day("2026-02-01"), "paid_search", 2_800.0),
    ]


def test_program_daily_measures(world):
    frame = advocate_reads.program_daily(world)
    assert sorted(frame.columns) == ["day", "measure", "value"]
    assert pd.api.types.is_datetime64_any_dtype(frame["day"])
    assert frame["value"].dtype == float
    assert rows(frame, ["measure", "day", "value"]) == [
        # Agreements on the day they were answered, the follow-up's included.
        ("agreements", day("2026-01-06"), 1.0),
        ("agreements", day("2026-01-14"), 1.0),
        # Asks: first outreach only (the Jan 12 follow-up is not one).
        ("asks", day("2026-01-05"), 2.0),
        ("asks", day("2026-02-02"), 1.0),
        # Won deals with an asset outside any request: 5,000 + 2,000 on Jan 20 (the 7,000 won through request
        # 1 and the lost 9,000 stay out), 1,500.25 on Jan 25.
        ("asset_won_revenue", day("2026-01-20"), 7_000.0),
        ("asset_won_revenue", day("2026-01-25"), 1_500.25),
        # Approved assets on their publication day (the rejected one is not published, the retired one is gone).
        ("assets_published", day("2026-01-15"), 2.0),
    ]


def advocates_per_stage(engine) -> dict[str, int]:
    with engine.connect() as conn:
        counts = dict(conn.execute(select(Advocate.stage, func.count()).group_by(Advocate.stage)).all())
    return {stage: counts.get(stage, 0) for stage in ADVOCATE_STAGES}


def test_stage_flow_nets_sum_to_the_current_stage_counts(world):
    frame = advocate_reads.stage_flow(world)
    assert sorted(frame.columns) == ["change", "day", "stage"]
    assert pd.api.types.is_datetime64_any_dtype(frame["day"])
    net = frame.groupby(["day", "stage"])["change"].sum()
    assert net.to_dict() == {
        # Pat enters 'candidate'; Dee is created a candidate and nominated the same day.
        (day("2026-01-02"), "candidate"): 1,
        (day("2026-01-02"), "nominated"): 1,
        (day("2026-01-03"), "candidate"): -1,
        (day("2026-01-03"), "nominated"): 1,
        (day("2026-01-05"), "asked"): 2,
        (day("2026-01-05"), "nominated"): -2,
        (day("2026-01-06"), "agreed"): 1,
        (day("2026-01-06"), "asked"): -1,
        # Pat agrees and becomes reference-ready on the same day.
        (day("2026-01-14"), "agreed"): 0,
        (day("2026-01-14"), "asked"): -1,
        (day("2026-01-14"), "reference_ready"): 1,
    }
    assert core_kpis.stages_at(frame, D(2026, 12, 31)).to_dict() == advocates_per_stage(world)
    # At the end of Jan 2: Pat a candidate, Dee nominated.
    assert core_kpis.stages_at(frame, D(2026, 1, 2)).to_dict() == {
        stage: {"candidate": 1, "nominated": 1}.get(stage, 0) for stage in ADVOCATE_STAGES
    }


def test_stage_flow_of_advocates_nominated_through_the_service(engine):
    build_advocates(engine)
    marketing_id = add_user(engine, "mia", "marketing")
    marketing = service.Actor(id=marketing_id, username="mia", name="Mia", role="marketing")
    for contact_id in (1, 2):
        service.nominate(engine, marketing, contact_id)
    stages = core_kpis.stages_at(advocate_reads.stage_flow(engine), service.now().date())
    # Two new records moved from 'candidate' to 'nominated': no candidate left, none below zero.
    assert stages.to_dict() == advocates_per_stage(engine)
    assert (stages["candidate"], stages["nominated"]) == (0, 2)
