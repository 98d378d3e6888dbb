"""The advocate program's writes and reads on SQLite and PostgreSQL: rules enforced, audited, all-or-nothing."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select, update

from db import service
from db.engine import transaction
from db.models import (
    Account,
    Advocate,
    AdvocateStageChange,
    Asset,
    AuditLog,
    EngagementTrigger,
    OutreachAttempt,
    Reward,
    ThankYou,
)
from db.reads import advocates as advocate_reads
from tests.builders import advocate, contact, survey
from tests.db.factories import add_user, build_advocates

PAT, DEE = 1, 2  # contacts: Pat (account 1, NPS 10, CSAT 5, 5), Dee (account 2, NPS 3)


@pytest.fixture
def book(engine) -> int:
    return build_advocates(engine)


def actor(engine, role: str, user_id: int | None = None) -> service.Actor:
    user_id = user_id or add_user(engine, f"user_{role}", role)
    return service.Actor(id=user_id, username=f"user_{role}", name=role.title(), role=role)


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def stage_of(engine, advocate_id: int) -> str:
    with engine.connect() as conn:
        return conn.scalar(select(Advocate.stage).where(Advocate.id == advocate_id))


def ask(engine, who, advocate_id, today, follow_up=False, outcome="no_response", channel="email", days_ago=0):
    sent = today - dt.timedelta(days=days_ago)
    return service.log_outreach(
        engine,
        who,
        advocate_id,
        follow_up=follow_up,
        purpose="reference",
        channel=channel,
        owner_role="csm",
        sent_on=sent,
        outcome=outcome,
        responded_on=None if outcome == "no_response" else sent,
    )


def test_from_nomination_to_reference_ready_every_step_audited(engine, book):
    marketing = actor(engine, "marketing")
    today = service.now().date()
    advocate_id = service.nominate(engine, marketing, PAT)
    assert stage_of(engine, advocate_id) == "nominated"
    ask(engine, marketing, advocate_id, today, outcome="agreed", channel="phone")
    assert stage_of(engine, advocate_id) == "agreed"
    with engine.connect() as conn:
        version = conn.scalar(select(Advocate.version).where(Advocate.id == advocate_id))
    service.move_stage(engine, marketing, advocate_id, "reference_ready", version)
    service.record_thank_you(engine, marketing, advocate_id, "agreement", "email", today)
    service.record_reward(engine, marketing, advocate_id, "store_credit", 250.0, today)

    with engine.connect() as conn:
        moves = conn.execute(
            select(AdvocateStageChange.from_stage, AdvocateStageChange.to_stage).order_by(
                AdvocateStageChange.id
            )
        ).all()
        actions = list(conn.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert [tuple(m) for m in moves] == [
        ("candidate", "nominated"),
        ("nominated", "asked"),
        ("asked", "agreed"),
        ("agreed", "reference_ready"),
    ]
    assert actions == ["nominate", "log_outreach", "move_stage", "record_thank_you", "record_reward"]
    # The agreement is owed a thank-you, and the one recorded settles it.
    owed = advocate_reads.owed_thank_yous(engine)
    assert list(owed["reason"]) == ["agreement"]
    assert list(advocate_reads.thank_yous(engine)["reason"]) == ["agreement"]


def test_an_ask_to_an_ineligible_contact_is_refused_with_its_reason(engine, book):
    marketing = actor(engine, "marketing")
    advocate_id = service.nominate(engine, marketing, DEE)
    before = count(engine, OutreachAttempt), count(engine, AuditLog)
    with pytest.raises(service.ValidationError) as refused:
        ask(engine, marketing, advocate_id, service.now().date())
    # Dee's latest NPS is 3; her account's last escalation (1 Sep) is older than 30 days.
    assert str(refused.value) == "Not now: latest NPS 3 is 5 or below."
    assert (count(engine, OutreachAttempt), count(engine, AuditLog)) == before
    assert stage_of(engine, advocate_id) == "nominated"


def test_re_circle_window_blocks_a_second_ask(engine, book):
    marketing = actor(engine, "marketing")
    today = service.now().date()
    advocate_id = service.nominate(engine, marketing, PAT)
    ask(engine, marketing, advocate_id, today, outcome="declined", days_ago=10)
    with pytest.raises(service.ValidationError, match=r"asked on .* \(re-circle after 75 days\)"):
        ask(engine, marketing, advocate_id, today)


def test_a_fourth_follow_up_is_refused_and_nothing_is_written(engine, book):
    csm = actor(engine, "account_manager", user_id=book)  # amy owns accounts 1 and 2
    today = service.now().date()
    advocate_id = service.nominate(engine, csm, PAT)
    ask(engine, csm, advocate_id, today, days_ago=30)
    numbers = [
        service.log_outreach(
            engine,
            csm,
            advocate_id,
            follow_up=True,
            purpose="reference",
            channel=channel,
            owner_role="csm",
            sent_on=today - dt.timedelta(days=days_ago),
            outcome="no_response",
        )
        for channel, days_ago in (("phone", 20), ("video_call", 10), ("in_person", 1))
    ]
    with engine.connect() as conn:
        follow_up_numbers = list(
            conn.scalars(select(OutreachAttempt.follow_up_number).where(OutreachAttempt.id.in_(numbers)))
        )
    assert sorted(follow_up_numbers) == [1, 2, 3]
    before = count(engine, OutreachAttempt), count(engine, AuditLog)
    with pytest.raises(service.ValidationError, match="already had 3 follow-ups, the most allowed is 3"):
        service.log_outreach(
            engine,
            csm,
            advocate_id,
            follow_up=True,
            purpose="reference",
            channel="email",
            owner_role="csm",
            sent_on=today,
            outcome="no_response",
        )
    assert (count(engine, OutreachAttempt), count(engine, AuditLog)) == before


def test_recording_an_answer_moves_the_stage(engine, book):
    marketing = actor(engine, "marketing")
    today = service.now().date()
    advocate_id = service.nominate(engine, marketing, PAT)
    attempt_id = ask(engine, marketing, advocate_id, today, days_ago=3)
    assert stage_of(engine, advocate_id) == "asked"
    service.record_response(engine, marketing, attempt_id, "agreed", today)
    assert stage_of(engine, advocate_id) == "agreed"
    with pytest.raises(service.ValidationError, match="already has an answer"):
        service.record_response(engine, marketing, attempt_id, "declined", today)


def test_a_stale_version_loses_with_a_clear_message(engine, book):
    marketing = actor(engine, "marketing")
    advocate_id = service.nominate(engine, marketing, PAT)
    with engine.connect() as conn:
        version = conn.scalar(select(Advocate.version).where(Advocate.id == advocate_id))
    service.move_stage(engine, marketing, advocate_id, "paused", version)
    with pytest.raises(service.ValidationError, match="Someone changed this advocate"):
        service.move_stage(engine, marketing, advocate_id, "retired", version)
    assert stage_of(engine, advocate_id) == "paused"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"channel": "pigeon"},
            "Channel 'pigeon' is not one of email, phone, video_call, in_person, social_dm.",
        ),
        ({"owner_role": "intern"}, "Owner role 'intern' is not one of csm, ae, marketing."),
        ({"outcome": "agreed"}, "Responded on: required when the outcome is 'agreed'."),
        ({"sent_on": dt.date(2099, 1, 1)}, "Sent on 01 Jan 2099 is in the future."),
    ],
)
def test_invalid_outreach_names_the_field(engine, book, kwargs, message):
    marketing = actor(engine, "marketing")
    advocate_id = service.nominate(engine, marketing, PAT)
    values = dict(
        follow_up=False,
        purpose="reference",
        channel="email",
        owner_role="csm",
        sent_on=service.now().date(),
        outcome="no_response",
    )
    with pytest.raises(service.ValidationError) as refused:
        service.log_outreach(engine, marketing, advocate_id, **{**values, **kwargs})
    assert str(refused.value) == message
    assert count(engine, OutreachAttempt) == 0


def test_sales_may_not_work_the_pipeline(engine, book):
    sales = actor(engine, "sales")
    with pytest.raises(service.PermissionDenied):
        service.nominate(engine, sales, PAT)
    assert count(engine, Advocate) == 0


def test_account_managers_work_only_their_own_book(engine, book):
    other = actor(engine, "account_manager")  # owns no account
    with pytest.raises(service.PermissionDenied, match="not in your book"):
        service.nominate(engine, other, PAT)
    marketing = actor(engine, "marketing")
    advocate_id = service.nominate(engine, marketing, PAT)
    with pytest.raises(service.PermissionDenied, match="not in your book"):
        service.record_thank_you(engine, other, advocate_id, "agreement", "email", service.now().date())
    assert count(engine, ThankYou) == 0


def test_rewards_are_validated(engine, book):
    marketing = actor(engine, "marketing")
    advocate_id = service.nominate(engine, marketing, PAT)
    with pytest.raises(service.ValidationError, match="Reward 'cash' is not one of"):
        service.record_reward(engine, marketing, advocate_id, "cash", 10.0, service.now().date())
    with pytest.raises(service.ValidationError, match="Value -5.00: must be between 0 and 1,000,000."):
        service.record_reward(engine, marketing, advocate_id, "discount", -5.0, service.now().date())
    assert count(engine, Reward) == 0


def test_candidates_carry_what_eligibility_needs(engine, book):
    frame = advocate_reads.candidates(engine, dt.date(2026, 11, 25), None)
    assert list(frame.index) == [PAT, DEE]
    assert frame.loc[PAT, "nps_latest"] == 10
    assert frame.loc[PAT, "csat_mean"] == 5 and frame.loc[PAT, "csat_count"] == 2
    assert frame.loc[DEE, "nps_latest"] == 3
    # The escalated ticket of 1 Sep is newer than the complaint of 1 Jan.
    assert frame.loc[DEE, "last_complaint_on"] == dt.datetime(2026, 9, 1, 9)


def test_facts_take_the_latest_answer_and_count_each_trigger_kind_once(engine, book):
    """Pat answers twice on 20 Nov (4, then 8 with the higher id: 8 is the latest) and 0 after the day read.
    Account 1 has a praise for everyone; Pat has a praise and a QBR mention of their own; Sam, also of account
    1, an event Pat does not get; Pat's QBR mention of June 2025 is more than a year old."""
    sam = 3
    with transaction(engine) as session:
        session.add(contact(sam, 1, name="Sam"))
        session.flush()
        session.add_all(
            [
                survey(id=101, account_id=1, contact_id=PAT, score=8, responded_on=dt.date(2026, 11, 20)),
                survey(id=100, account_id=1, contact_id=PAT, score=4, responded_on=dt.date(2026, 11, 20)),
                survey(id=102, account_id=1, contact_id=PAT, score=0, responded_on=dt.date(2026, 11, 30)),
                advocate(1, contact_id=sam, account_id=1),
            ]
        )
        for contact_id, kind, day in [
            (None, "positive_feedback", dt.date(2026, 6, 1)),
            (PAT, "positive_feedback", dt.date(2026, 7, 1)),
            (PAT, "raised_in_qbr_or_call", dt.date(2026, 8, 1)),
            (sam, "attended_local_event", dt.date(2026, 9, 1)),
            (PAT, "raised_in_qbr_or_call", dt.date(2025, 6, 1)),
        ]:
            session.add(EngagementTrigger(account_id=1, contact_id=contact_id, kind=kind, occurred_on=day))
    today = dt.date(2026, 11, 25)
    facts = advocate_reads.contact_facts(engine, today)
    assert list(facts.index) == [PAT, DEE, sam]
    assert facts.loc[PAT, "nps_latest"] == 8
    assert facts.loc[PAT, "nps_latest_on"] == dt.datetime(2026, 11, 20)
    assert facts.loc[[PAT, DEE, sam], "trigger_kinds"].tolist() == [2, 0, 2]
    assert facts.loc[[PAT, DEE, sam], "triggers"].tolist() == [3, 0, 2]
    # The narrower reads give the same rows: one contact, advocates who said yes, promoters since October (a
    # column of no dates alone may come back in another unit of time).
    for narrower, rows in [
        (advocate_reads.contact_facts(engine, today, contact_id=PAT), [PAT]),
        (advocate_reads.contact_facts(engine, today, in_program=True), [sam]),
        (advocate_reads.contact_facts(engine, today, promoters_since=dt.date(2026, 10, 1)), [PAT]),
    ]:
        pd.testing.assert_frame_equal(narrower, facts.loc[rows], check_dtype=False)


def seed_outreach(engine) -> None:
    """Pat (account 1, Retail) asked twice by email and once by phone; Dee (account 2, moved to Software)
    asked once in person. Pat agreed to the phone call after 3 days and is featured in an asset."""
    with transaction(engine) as session:
        session.execute(
            update(Account).where(Account.id == 2).values(industry="Software", segment="Enterprise")
        )
        session.add_all(
            [
                Advocate(
                    id=1,
                    contact_id=PAT,
                    account_id=1,
                    stage="agreed",
                    stage_changed_at=dt.datetime(2026, 3, 4),
                ),
                Advocate(
                    id=2,
                    contact_id=DEE,
                    account_id=2,
                    stage="asked",
                    stage_changed_at=dt.datetime(2026, 3, 1),
                ),
            ]
        )
        session.flush()
        attempt = dict(purpose="reference", owner_role="csm")
        session.add_all(
            [
                OutreachAttempt(
                    advocate_id=1,
                    channel="email",
                    follow_up_number=0,
                    sent_on=dt.date(2026, 1, 10),
                    outcome="no_response",
                    **attempt,
                ),
                OutreachAttempt(
                    advocate_id=1,
                    channel="email",
                    follow_up_number=1,
                    sent_on=dt.date(2026, 1, 20),
                    outcome="responded",
                    responded_on=dt.date(2026, 1, 21),
                    **attempt,
                ),
                OutreachAttempt(
                    advocate_id=1,
                    channel="phone",
                    follow_up_number=0,
                    sent_on=dt.date(2026, 3, 1),
                    outcome="agreed",
                    responded_on=dt.date(2026, 3, 4),
                    **attempt,
                ),
                OutreachAttempt(
                    advocate_id=2,
                    channel="in_person",
                    follow_up_number=0,
                    sent_on=dt.date(2026, 3, 2),
                    outcome="no_response",
                    **attempt,
                ),
                Asset(
                    title="Pat's story",
                    asset_type="case_study",
                    account_id=1,
                    contact_id=PAT,
                    summary="",
                    company_size="SMB",
                    region="EMEA",
                    approval_status="approved",
                    url="https://example.com/a",
                ),
            ]
        )


def test_outreach_is_tallied_filtered_and_timed_in_the_database(engine, book):
    seed_outreach(engine)
    everything = advocate_reads.OutreachFilter(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    tally = advocate_reads.outreach_tally(engine, everything).sort_values(
        ["month", "channel", "follow_up_number"]
    )
    assert tally.to_dict("records") == [
        {
            "month": "2026-01",
            "channel": "email",
            "owner_role": "csm",
            "follow_up_number": 0,
            "outcome": "no_response",
            "n": 1,
        },
        {
            "month": "2026-01",
            "channel": "email",
            "owner_role": "csm",
            "follow_up_number": 1,
            "outcome": "responded",
            "n": 1,
        },
        {
            "month": "2026-03",
            "channel": "in_person",
            "owner_role": "csm",
            "follow_up_number": 0,
            "outcome": "no_response",
            "n": 1,
        },
        {
            "month": "2026-03",
            "channel": "phone",
            "owner_role": "csm",
            "follow_up_number": 0,
            "outcome": "agreed",
            "n": 1,
        },
    ]
    # asked: Pat and Dee; responded and agreed: Pat; Pat is featured in an asset → produced.
    assert advocate_reads.outreach_funnel(engine, everything) == {
        "asked": 2,
        "responded": 1,
        "agreed": 1,
        "produced": 1,
    }
    days = advocate_reads.response_days(engine, everything).sort_values("channel")
    assert days.to_dict("records") == [
        {"channel": "email", "days": 1, "n": 1},
        {"channel": "phone", "days": 3, "n": 1},
    ]

    march = advocate_reads.OutreachFilter(dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    assert advocate_reads.outreach_tally(engine, march)["channel"].tolist() == ["phone"]
    software = advocate_reads.OutreachFilter(
        dt.date(2026, 1, 1), dt.date(2026, 12, 31), industries=("Software",)
    )
    assert advocate_reads.outreach_tally(engine, software)["channel"].tolist() == ["in_person"]
    nobody = advocate_reads.OutreachFilter(
        dt.date(2026, 1, 1), dt.date(2026, 12, 31), owner_ids=(book + 100,)
    )
    assert advocate_reads.outreach_tally(engine, nobody).empty
    assert advocate_reads.outreach_funnel(engine, nobody) == {
        "asked": 0,
        "responded": 0,
        "agreed": 0,
        "produced": 0,
    }

    choices = advocate_reads.outreach_choices(engine)
    assert choices.latest == dt.date(2026, 3, 2)
    assert (choices.segments, choices.industries) == (["Enterprise", "SMB"], ["Retail", "Software"])
    assert choices.owners == {book: "Amy"}
    assert advocate_reads.recent_outreach(engine, dt.date(2026, 3, 1))["channel"].tolist() == [
        "phone",
        "in_person",
    ]
