"""The referral page's and the weekly review's reads, and issuing referral codes, on SQLite and PostgreSQL."""

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import select, update

from core import referrals as referral_rules
from db import service
from db.engine import transaction
from db.models import (
    Advocate,
    AdvocateStageChange,
    AuditLog,
    ChurnEvent,
    Contact,
    Purchase,
    Referral,
    ReferralEvent,
    Reward,
    SurveyResponse,
)
from db.reads import accounts as account_reads
from db.reads import advocates as advocate_reads
from db.reads import assets as asset_reads
from db.reads import purchases as purchase_reads
from tests.builders import ask, asset, snapshot
from tests.db.factories import add_user, build_references

PAT, DEE, JOSE, ANN = 1, 2, 3, 4  # advocate ids; Pat and Ann on account 1, Dee on 2, José on 3
START, END = dt.date(2026, 11, 9), dt.date(2026, 11, 15)  # Monday … Sunday, both days included
BEFORE, AFTER = START - dt.timedelta(days=1), END + dt.timedelta(days=1)


def add(engine, *rows) -> None:
    """Insert rows in order, each flushed before the next so foreign keys find their targets."""
    with transaction(engine) as session:
        for row in rows:
            session.add(row)
            session.flush()


def actor(engine, role: str) -> service.Actor:
    username = f"user_{role}"
    return service.Actor(id=add_user(engine, username, role), username=username, name=role, role=role)


def audit_rows(engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditLog).order_by(AuditLog.id)))


def advocate_row(engine, advocate_id: int):
    with engine.connect() as conn:
        return conn.execute(select(Advocate).where(Advocate.id == advocate_id)).one()


def is_datetime(column: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(column)


@pytest.fixture
def owner(engine) -> int:
    """build_references (amy owns accounts 1 and 2; Pat reference-ready, Dee agreed) plus José on account 3 (in
    nobody's book, agreed) and Ann on account 1 (asked). Returns amy's id."""
    amy = build_references(engine)
    add(
        engine,
        Contact(
            id=3,
            external_id="CON-3",
            account_id=3,
            name="José Martínez",
            email="jose@a3.example",
            title="COO",
            relationship_strength=4,
        ),
        Contact(
            id=4,
            external_id="CON-4",
            account_id=1,
            name="Ann",
            email="ann@a1.example",
            title="VP",
            relationship_strength=3,
        ),
        Advocate(
            id=JOSE, contact_id=3, account_id=3, stage="agreed", stage_changed_at=dt.datetime(2026, 1, 1)
        ),
        Advocate(id=ANN, contact_id=4, account_id=1, stage="asked", stage_changed_at=dt.datetime(2026, 1, 1)),
    )
    return amy


def add_referrals(engine) -> None:
    """Pat has a code and referral 10; Dee has referral 11 but no code; José a code only; Ann neither."""
    with transaction(engine) as session:
        session.execute(update(Advocate).where(Advocate.id == PAT).values(referral_code="PAT-1"))
        session.execute(update(Advocate).where(Advocate.id == JOSE).values(referral_code="JOSEMART-3"))
    add(
        engine,
        Referral(
            id=10,
            code="PAT-1-ACME",
            advocate_id=PAT,
            referred_company="Acme",
            campaign="spring",
            created_on=dt.date(2026, 3, 2),
        ),
        Referral(
            id=11,
            code="DEE-BETA",
            advocate_id=DEE,
            referred_company="Beta",
            campaign="autumn",
            created_on=dt.date(2026, 10, 5),
        ),
    )


# --- the referral page ---------------------------------------------------------------------------------


def test_referrals_name_the_advocate_and_their_account(engine, owner):
    add_referrals(engine)
    frame = purchase_reads.referrals(engine).sort_index()
    assert frame.index.name == "id"
    assert frame.index.tolist() == [10, 11]
    assert frame.columns.tolist() == [
        "code",
        "advocate_id",
        "advocate",
        "advocate_account",
        "referred_company",
        "campaign",
        "created_on",
    ]
    assert frame["code"].tolist() == ["PAT-1-ACME", "DEE-BETA"]
    assert frame["advocate_id"].tolist() == [PAT, DEE]
    assert frame["advocate"].tolist() == ["Pat", "Dee"]
    assert frame["advocate_account"].tolist() == ["Account 1", "Account 2"]
    assert frame["referred_company"].tolist() == ["Acme", "Beta"]
    assert frame["campaign"].tolist() == ["spring", "autumn"]
    assert is_datetime(frame["created_on"])
    assert frame["created_on"].tolist() == [pd.Timestamp("2026-03-02"), pd.Timestamp("2026-10-05")]


def test_referral_events_keep_their_moment(engine, owner):
    add_referrals(engine)
    add(
        engine,
        ReferralEvent(referral_id=10, event="clicked", occurred_at=dt.datetime(2026, 3, 3, 10, 15)),
        ReferralEvent(referral_id=10, event="purchase", occurred_at=dt.datetime(2026, 4, 1, 9, 0)),
        ReferralEvent(referral_id=11, event="email_sent", occurred_at=dt.datetime(2026, 10, 5, 8, 0)),
    )
    frame = purchase_reads.referral_events(engine).sort_values("occurred_at", ignore_index=True)
    assert frame.columns.tolist() == ["referral_id", "event", "occurred_at"]
    assert is_datetime(frame["occurred_at"])
    assert frame.to_dict("list") == {
        "referral_id": [10, 10, 11],
        "event": ["clicked", "purchase", "email_sent"],
        "occurred_at": [
            pd.Timestamp("2026-03-03 10:15"),
            pd.Timestamp("2026-04-01 09:00"),
            pd.Timestamp("2026-10-05 08:00"),
        ],
    }


def test_referrer_advocates_have_a_code_or_a_referral(engine, owner):
    add_referrals(engine)
    frame = purchase_reads.referrer_advocates(engine).sort_index()
    assert frame.index.name == "id"
    assert frame.index.tolist() == [PAT, DEE, JOSE]  # Ann has neither
    assert frame.columns.tolist() == ["advocate", "account", "stage", "referral_code"]
    assert frame["advocate"].tolist() == ["Pat", "Dee", "José Martínez"]
    assert frame["account"].tolist() == ["Account 1", "Account 2", "Account 3"]
    assert frame["stage"].tolist() == ["reference_ready", "agreed", "agreed"]
    assert frame.loc[PAT, "referral_code"] == "PAT-1"
    assert pd.isna(frame.loc[DEE, "referral_code"])
    assert frame.loc[JOSE, "referral_code"] == "JOSEMART-3"


def test_referrer_advocates_empty_without_codes_or_referrals(engine, owner):
    frame = purchase_reads.referrer_advocates(engine)
    assert frame.empty
    assert frame.columns.tolist() == ["advocate", "account", "stage", "referral_code"]


def test_rewards_value_is_float_and_may_be_missing(engine, owner):
    add(
        engine,
        Reward(advocate_id=PAT, kind="discount", value=250.5, given_on=dt.date(2026, 4, 2)),
        Reward(advocate_id=DEE, kind="community_recognition", value=None, given_on=dt.date(2026, 10, 6)),
    )
    frame = advocate_reads.rewards(engine).sort_values("given_on", ignore_index=True)
    assert frame.columns.tolist() == ["advocate_id", "kind", "value", "given_on"]
    assert frame["value"].dtype == float
    assert is_datetime(frame["given_on"])
    assert frame["advocate_id"].tolist() == [PAT, DEE]
    assert frame["kind"].tolist() == ["discount", "community_recognition"]
    assert frame.loc[0, "value"] == 250.5 and pd.isna(frame.loc[1, "value"])
    assert frame["given_on"].tolist() == [pd.Timestamp("2026-04-02"), pd.Timestamp("2026-10-06")]


# --- the weekly review ---------------------------------------------------------------------------------


def test_account_names_with_owner_and_float_arr(engine, owner):
    frame = account_reads.account_names(engine).sort_index()
    assert frame.index.name == "account_id"
    assert frame.index.tolist() == [1, 2, 3]
    assert frame.columns.tolist() == ["name", "owner", "segment", "industry", "arr"]
    assert frame["name"].tolist() == ["Account 1", "Account 2", "Account 3"]
    assert frame.loc[[1, 2], "owner"].tolist() == ["Amy", "Amy"]
    assert pd.isna(frame.loc[3, "owner"])  # no owner
    assert frame["segment"].tolist() == ["SMB"] * 3
    assert frame["industry"].tolist() == ["Retail"] * 3
    assert frame["arr"].dtype == float
    assert frame["arr"].tolist() == [10_000.0, 20_000.0, 30_000.0]


def test_surveys_between_includes_both_ends_of_the_window(engine, owner):
    add(
        engine,
        SurveyResponse(account_id=1, contact_id=1, kind="nps", score=9, responded_on=BEFORE, comment="early"),
        SurveyResponse(account_id=1, contact_id=1, kind="nps", score=10, responded_on=START, comment="great"),
        SurveyResponse(account_id=2, contact_id=None, kind="csat", score=2, responded_on=END),
        SurveyResponse(account_id=2, contact_id=2, kind="nps", score=1, responded_on=AFTER, comment="late"),
    )
    frame = account_reads.surveys_between(engine, START, END).sort_values("responded_on", ignore_index=True)
    assert frame.columns.tolist() == [
        "account_id",
        "account",
        "contact",
        "kind",
        "score",
        "responded_on",
        "comment",
    ]
    assert is_datetime(frame["responded_on"])
    assert frame["responded_on"].tolist() == [pd.Timestamp(START), pd.Timestamp(END)]
    assert frame["account_id"].tolist() == [1, 2]
    assert frame["account"].tolist() == ["Account 1", "Account 2"]
    assert frame.loc[0, "contact"] == "Pat" and pd.isna(frame.loc[1, "contact"])
    assert frame["kind"].tolist() == ["nps", "csat"]
    assert frame["score"].tolist() == [10, 2]
    assert frame.loc[0, "comment"] == "great" and pd.isna(frame.loc[1, "comment"])


def test_stage_changes_between_cover_whole_days(engine, owner):
    add(
        engine,
        *(
            AdvocateStageChange(advocate_id=DEE, from_stage=before, to_stage=after, changed_at=at)
            for before, after, at in [
                ("nominated", "asked", dt.datetime(2026, 11, 8, 23, 59)),
                ("asked", "agreed", dt.datetime(2026, 11, 9, 0, 0)),
                ("agreed", "paused", dt.datetime(2026, 11, 15, 23, 59)),
                ("paused", "agreed", dt.datetime(2026, 11, 16, 0, 0)),
            ]
        ),
        AdvocateStageChange(
            advocate_id=ANN, from_stage=None, to_stage="asked", changed_at=dt.datetime(2026, 11, 12, 12, 30)
        ),
    )
    frame = advocate_reads.stage_changes_between(engine, START, END).sort_values(
        "changed_at", ignore_index=True
    )
    assert frame.columns.tolist() == [
        "advocate_id",
        "advocate",
        "account",
        "from_stage",
        "to_stage",
        "changed_at",
    ]
    assert is_datetime(frame["changed_at"])
    assert frame["changed_at"].tolist() == [
        pd.Timestamp("2026-11-09 00:00"),
        pd.Timestamp("2026-11-12 12:30"),
        pd.Timestamp("2026-11-15 23:59"),
    ]
    assert frame["advocate_id"].tolist() == [DEE, ANN, DEE]
    assert frame["advocate"].tolist() == ["Dee", "Ann", "Dee"]
    assert frame["account"].tolist() == ["Account 2", "Account 1", "Account 2"]
    assert frame["to_stage"].tolist() == ["agreed", "asked", "paused"]
    assert frame.loc[0, "from_stage"] == "asked" and pd.isna(frame.loc[1, "from_stage"])


def test_outreach_between_sent_or_answered_in_the_window(engine, owner):
    add(
        engine,
        # both before
        ask(advocate_id=DEE, sent_on=dt.date(2026, 11, 1), responded_on=BEFORE, outcome="declined"),
        # answered on the last day
        ask(advocate_id=DEE, sent_on=dt.date(2026, 11, 1), responded_on=END, outcome="agreed"),
        # sent on the first day
        ask(advocate_id=DEE, sent_on=START, responded_on=None, outcome="no_response"),
        # sent before, answered after
        ask(advocate_id=DEE, sent_on=BEFORE, responded_on=AFTER, outcome="responded", follow_up_number=1),
        # sent after
        ask(advocate_id=DEE, sent_on=AFTER, responded_on=None, outcome="no_response", follow_up_number=2),
    )
    frame = advocate_reads.outreach_between(engine, START, END).sort_values("sent_on", ignore_index=True)
    assert frame.columns.tolist() == ["sent_on", "responded_on", "outcome", "follow_up_number"]
    assert is_datetime(frame["sent_on"]) and is_datetime(frame["responded_on"])
    assert frame["sent_on"].tolist() == [pd.Timestamp("2026-11-01"), pd.Timestamp(START)]
    assert frame.loc[0, "responded_on"] == pd.Timestamp(END) and pd.isna(frame.loc[1, "responded_on"])
    assert frame["outcome"].tolist() == ["agreed", "no_response"]
    assert frame["follow_up_number"].tolist() == [0, 0]


def test_purchases_between_with_referral_id_as_float(engine, owner):
    add_referrals(engine)
    add(
        engine,
        Purchase(account_id=1, purchased_on=BEFORE, amount=1.0),
        Purchase(account_id=1, purchased_on=START, amount=100.0, referral_id=10),
        Purchase(account_id=2, purchased_on=END, amount=250.75),
        Purchase(account_id=2, purchased_on=AFTER, amount=2.0, referral_id=11),
    )
    frame = purchase_reads.purchases_between(engine, START, END).sort_values(
        "purchased_on", ignore_index=True
    )
    assert frame.columns.tolist() == ["account_id", "purchased_on", "amount", "referral_id"]
    assert is_datetime(frame["purchased_on"])
    assert frame["amount"].dtype == float and frame["referral_id"].dtype == float
    assert frame["purchased_on"].tolist() == [pd.Timestamp(START), pd.Timestamp(END)]
    assert frame["account_id"].tolist() == [1, 2]
    assert frame["amount"].tolist() == [100.0, 250.75]
    assert frame.loc[0, "referral_id"] == 10.0 and pd.isna(frame.loc[1, "referral_id"])


def test_windowed_reads_are_empty_but_shaped_without_rows(engine, owner):
    assert account_reads.surveys_between(engine, START, END).empty
    assert advocate_reads.stage_changes_between(engine, START, END).empty
    assert advocate_reads.outreach_between(engine, START, END).columns.tolist() == [
        "sent_on",
        "responded_on",
        "outcome",
        "follow_up_number",
    ]
    purchases = purchase_reads.purchases_between(engine, START, END)
    assert purchases.empty and purchases["amount"].dtype == float


def test_scored_weeks_newest_first_with_limit(engine, owner):
    assert account_reads.scored_weeks(engine) == []
    weeks = [dt.date(2026, 10, 19) + dt.timedelta(weeks=n) for n in range(4)]  # 19 Oct … 9 Nov
    add(
        engine,
        *(
            snapshot(account_id=account_id, week_start=week, score=50.0)
            for week in weeks
            for account_id in (1, 2)
        ),
    )
    newest_first = sorted(weeks, reverse=True)
    assert account_reads.scored_weeks(engine) == newest_first  # one entry per week, not per account
    assert account_reads.scored_weeks(engine, limit=2) == newest_first[:2]
    assert all(type(week) is dt.date for week in account_reads.scored_weeks(engine))


def test_assets_changing_published_reviewed_or_aging_in_the_window(engine, owner):
    week = START
    with transaction(engine) as session:
        # Ann leaves on the last day of the window, Dee the day after it.
        session.execute(update(Contact).where(Contact.id == 4).values(left_company_on=END))
        session.execute(update(Contact).where(Contact.id == 2).values(left_company_on=AFTER))
    add(
        engine,
        # Account 3 churned on 1 Nov (build_book); account 2 churns the day after the window.
        ChurnEvent(account_id=2, churned_on=AFTER, reason="moved", arr_lost=20_000),
        snapshot(account_id=1, week_start=week, score=72.5),
        snapshot(account_id=1, week_start=week - dt.timedelta(weeks=1), score=40.0),
        snapshot(account_id=2, week_start=week, score=55.0),
        snapshot(account_id=3, week_start=week - dt.timedelta(weeks=1), score=10.0),
        # Published on the last day.
        asset(10, account_id=2, contact_id=2, published_on=END, review_by=dt.date(2027, 11, 15)),
        # Due for review on the first day.
        asset(
            11,
            account_id=3,
            contact_id=3,
            asset_type="video_testimonial",
            published_on=dt.date(2025, 6, 1),
            review_by=START,
        ),
        # Published 10 Nov 2024: two years old (2 × 365.25 days) on 11 Nov 2026.
        asset(12, account_id=1, contact_id=4, approval_status="pending", published_on=dt.date(2024, 11, 10)),
        # Already two years old before the window and due for review after it: untouched.
        asset(
            13, account_id=1, contact_id=1, published_on=dt.date(2024, 11, 1), review_by=dt.date(2026, 12, 1)
        ),
        # Published and due the day after the window; due the day before it.
        asset(14, account_id=2, contact_id=2, published_on=AFTER, review_by=AFTER),
        asset(15, account_id=2, contact_id=2, review_by=BEFORE),
        # The approval runs out on the window's first day; retired in the window: never counted.
        asset(16, account_id=2, contact_id=2, published_on=dt.date(2025, 6, 1), approval_until=START),
        asset(17, account_id=2, contact_id=2, published_on=END, retired_on=END),
    )
    frame = asset_reads.assets_changing(engine, START, END, 2.0, week).sort_index()
    # build_references' assets 1 (published Jan 2026, review Jan 2027) and 2 (unpublished) are untouched too.
    assert frame.index.name == "asset_id"
    assert frame.index.tolist() == [10, 11, 12, 16]
    assert frame.loc[16, "approval_until"] == pd.Timestamp(START)
    frame = frame.drop(index=16)
    assert frame.columns.tolist() == [
        "title",
        "asset_type",
        "approval_status",
        "published_on",
        "review_by",
        "approval_until",
        "segment",
        "account_churned",
        "account_score",
        "contact_left",
    ]
    assert frame["title"].tolist() == ["Asset 10", "Asset 11", "Asset 12"]
    assert frame["segment"].tolist() == ["SMB", "SMB", "SMB"]  # the featured customers' (accounts 2, 3, 1)
    assert frame["asset_type"].tolist() == ["case_study", "video_testimonial", "case_study"]
    assert frame["approval_status"].tolist() == ["approved", "approved", "pending"]
    assert is_datetime(frame["published_on"]) and is_datetime(frame["review_by"])
    assert frame["published_on"].tolist() == [
        pd.Timestamp(END),
        pd.Timestamp("2025-06-01"),
        pd.Timestamp("2024-11-10"),
    ]
    assert frame.loc[[10, 11], "review_by"].tolist() == [pd.Timestamp("2027-11-15"), pd.Timestamp(START)]
    assert pd.isna(frame.loc[12, "review_by"])
    assert frame["account_churned"].dtype == bool and frame["contact_left"].dtype == bool
    assert frame["account_churned"].tolist() == [False, True, False]  # account 2 churns only after the end
    assert frame["contact_left"].tolist() == [False, False, True]  # Dee leaves only after the end
    assert frame["account_score"].dtype == float
    assert frame.loc[10, "account_score"] == 55.0
    assert pd.isna(frame.loc[11, "account_score"])  # account 3 has no snapshot for this week
    assert frame.loc[12, "account_score"] == 72.5  # this week's, not last week's 40


def test_assets_changing_score_follows_the_given_week(engine, owner):
    last_week = START - dt.timedelta(weeks=1)
    add(
        engine,
        snapshot(account_id=1, week_start=START, score=72.5),
        snapshot(account_id=1, week_start=last_week, score=40.0),
        asset(10, account_id=1, contact_id=1, published_on=START),
    )
    assert asset_reads.assets_changing(engine, START, END, 2.0, last_week).loc[10, "account_score"] == 40.0
    assert asset_reads.assets_changing(engine, START, END, 2.0, START).loc[10, "account_score"] == 72.5


# --- issuing referral codes -------------------------------------------------------------------------------


def test_marketing_issues_a_code_to_an_agreed_advocate(engine, owner):
    marketing = actor(engine, "marketing")
    code = service.issue_referral_code(engine, marketing, DEE)
    assert code == referral_rules.new_code("Dee", DEE) == "DEE-2"
    assert advocate_row(engine, DEE).referral_code == "DEE-2"
    [row] = audit_rows(engine)
    assert (row.user_id, row.username, row.action, row.entity, row.entity_id) == (
        marketing.id,
        "user_marketing",
        "issue_referral_code",
        "advocate",
        str(DEE),
    )
    assert row.before is None and json.loads(row.after) == {"referral_code": "DEE-2"}
    assert purchase_reads.referrer_advocates(engine).loc[DEE, "referral_code"] == "DEE-2"


def test_code_is_built_from_the_contact_name(engine, owner):
    code = service.issue_referral_code(engine, actor(engine, "admin"), JOSE)
    assert code == referral_rules.new_code("José Martínez", JOSE) == "JOSEMART-3"
    assert advocate_row(engine, JOSE).referral_code == "JOSEMART-3"


def test_second_code_is_refused_and_nothing_changes(engine, owner):
    marketing = actor(engine, "marketing")
    service.issue_referral_code(engine, marketing, DEE)
    before, audits = advocate_row(engine, DEE), len(audit_rows(engine))
    with pytest.raises(service.ValidationError, match="already has referral code DEE-2"):
        service.issue_referral_code(engine, marketing, DEE)
    assert advocate_row(engine, DEE) == before  # code and version untouched
    assert len(audit_rows(engine)) == audits == 1


def test_advocate_who_has_not_agreed_is_refused(engine, owner):
    before = advocate_row(engine, ANN)
    with pytest.raises(service.ValidationError, match="'asked'"):
        service.issue_referral_code(engine, actor(engine, "marketing"), ANN)
    assert advocate_row(engine, ANN) == before
    assert before.referral_code is None
    assert audit_rows(engine) == []


def test_sales_may_not_issue_codes(engine, owner):
    with pytest.raises(service.PermissionDenied):
        service.issue_referral_code(engine, actor(engine, "sales"), DEE)
    assert advocate_row(engine, DEE).referral_code is None
    assert audit_rows(engine) == []


def test_account_manager_issues_codes_in_their_own_book_only(engine, owner):
    amy = service.Actor(id=owner, username="amy", name="Amy", role="account_manager")
    before = advocate_row(engine, JOSE)
    with pytest.raises(service.PermissionDenied, match="not in your book"):
        service.issue_referral_code(engine, amy, JOSE)  # account 3 has no owner
    assert advocate_row(engine, JOSE) == before
    assert audit_rows(engine) == []
    assert service.issue_referral_code(engine, amy, PAT) == "PAT-1"
    assert advocate_row(engine, PAT).referral_code == "PAT-1"
    assert [(row.username, row.action, row.entity_id) for row in audit_rows(engine)] == [
        ("amy", "issue_referral_code", str(PAT))
    ]
