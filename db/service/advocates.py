"""The advocate program: nominations, asks and follow-ups with the eligibility rules enforced, answers,
stages, rewards, thank-yous and referral codes. Account managers work only their own book."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import advocates, health, pipeline, referrals, roles
from core import vocabulary as v
from db.models import Account, Advocate, AdvocateStageChange, Contact, OutreachAttempt, Reward, ThankYou
from db.reads import accounts as account_reads
from db.reads import advocates as advocate_reads
from db.reads.settings import stored_profiles
from db.service.base import (
    Actor,
    PermissionDenied,
    StaleEdit,
    ValidationError,
    audit,
    claim,
    clean_note,
    not_after_today,
    now,
    one_of,
    settings_of,
    write,
)


def _stale_advocate(_session: Session, advocate: Advocate) -> StaleEdit:
    return StaleEdit(
        f"Someone changed this advocate since you opened it (stage: {advocate.stage}). "
        "Nothing was saved; the page now shows the current values.",
        {"stage": advocate.stage, "version": advocate.version},
    )


def claim_advocate(session: Session, actor: Actor, advocate_id: int, version: int | None = None) -> Advocate:
    """The advocate, locked for this transaction (so two people logging the 4th follow-up at once cannot
    both pass the check); with version, StaleEdit unless nobody saved it since it was read at version."""
    advocate = claim(session, Advocate, advocate_id, version, label="Advocate", stale=_stale_advocate)
    _check_book(session, actor, advocate.account_id)
    return advocate


def _check_book(session: Session, actor: Actor, account_id: int) -> None:
    account = session.get(Account, account_id)
    if not roles.in_book(actor, account.owner_id):
        raise PermissionDenied(f"{account.name} is not in your book of accounts.")


def candidate(session: Session, contact_id: int, today: dt.date, settings: dict[str, float]) -> pd.DataFrame:
    """One contact's facts as a candidate, with the health band (its account's segment's thresholds), read in the
    write's own transaction; empty when the contact has left the company or the account is no longer a customer."""
    connection = session.connection()
    facts = advocate_reads.candidates(
        connection, today, account_reads.latest_scored_week(connection), contact_id
    )
    facts["health_band"] = health.band(
        facts["health_score"], facts["segment"], settings, stored_profiles(connection)
    )
    return facts


def _move(session: Session, actor: Actor, advocate: Advocate, to_stage: str, at: dt.datetime) -> None:
    session.add(
        AdvocateStageChange(
            advocate_id=advocate.id,
            from_stage=advocate.stage,
            to_stage=to_stage,
            changed_at=at,
            changed_by=actor.id,
        )
    )
    advocate.stage = to_stage
    advocate.stage_changed_at = at


def nominate(engine: Engine, actor: Actor, contact_id: int) -> int:
    """Put a contact forward as an advocate: a new record (or a candidate's) moves to 'nominated'."""
    with write(engine, actor, "nominate") as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise ValidationError(f"Contact {contact_id} does not exist.")
        _check_book(session, actor, contact.account_id)
        advocate = session.scalar(select(Advocate).where(Advocate.contact_id == contact_id))
        at = now()
        if advocate is None:
            advocate = Advocate(
                contact_id=contact_id,
                account_id=contact.account_id,
                stage="candidate",
                stage_changed_at=at,
                nominated_by=actor.id,
            )
            session.add(advocate)
            session.flush()
        elif advocate.stage != "candidate":
            raise ValidationError(f"{contact.name} is already in the pipeline (stage: {advocate.stage}).")
        advocate.nominated_by = actor.id
        _move(session, actor, advocate, "nominated", at)
        session.flush()
        audit(session, actor, "nominate", "advocate", advocate.id, None, {"contact_id": contact_id})
    return advocate.id


def _follow_up_number(session: Session, advocate: Advocate, follow_up: bool, sent_on: dt.date) -> int:
    """0 for an ask that passes the eligibility rules, the next number for a follow-up within the limit;
    ValidationError with the reasons otherwise."""
    settings = settings_of(session)
    if not follow_up:
        facts = candidate(session, advocate.contact_id, sent_on, settings)
        if facts.empty:
            problems = ["The contact has left the company or the account is no longer a customer."]
        else:
            problems = advocates.reasons(
                facts, advocates.eligibility(facts, sent_on, settings), settings
            ).iloc[0]
        if problems:
            raise ValidationError("Not now: " + "; ".join(problems) + ".")
        return 0
    attempts = advocate_reads.outreach_of(session.connection(), advocate.id)
    if refusal := pipeline.check_follow_up(attempts, advocate.id, settings):
        raise ValidationError(refusal)
    return pipeline.next_follow_up(attempts, advocate.id)


def log_outreach(
    engine: Engine,
    actor: Actor,
    advocate_id: int,
    *,
    follow_up: bool,
    purpose: str,
    channel: str,
    owner_role: str,
    sent_on: dt.date,
    outcome: str,
    responded_on: dt.date | None = None,
    note: str = "",
) -> int:
    """Log an ask or a follow-up. An ask must pass the eligibility rules; a follow-up the follow-up limit.
    An ask moves a candidate or nominee to 'asked'; an agreement to 'agreed', a refusal to 'declined'."""
    one_of("Purpose", purpose, v.OUTREACH_PURPOSES)
    one_of("Channel", channel, v.CHANNELS)
    one_of("Owner role", owner_role, v.OWNER_ROLES)
    one_of("Outcome", outcome, v.OUTREACH_OUTCOMES)
    not_after_today("Sent on", sent_on)
    responded_on = _response_day(outcome, responded_on, sent_on)
    note = clean_note(note)
    with write(engine, actor, "log_outreach") as session:
        advocate = claim_advocate(session, actor, advocate_id)
        number = _follow_up_number(session, advocate, follow_up, sent_on)
        attempt = OutreachAttempt(
            advocate_id=advocate_id,
            purpose=purpose,
            channel=channel,
            owner_role=owner_role,
            owner_id=actor.id,
            follow_up_number=number,
            sent_on=sent_on,
            responded_on=responded_on,
            outcome=outcome,
            note=note,
        )
        session.add(attempt)
        at = now()
        if advocate.stage in ("candidate", "nominated"):
            _move(session, actor, advocate, "asked", at)
        _follow_outcome(session, actor, advocate, outcome, at)
        session.flush()
        audit(
            session,
            actor,
            "log_outreach",
            "outreach_attempt",
            attempt.id,
            None,
            {"advocate_id": advocate_id, "follow_up_number": number, "channel": channel, "outcome": outcome},
        )
    return attempt.id


def _response_day(outcome: str, responded_on: dt.date | None, sent_on: dt.date) -> dt.date | None:
    if outcome == "no_response":
        if responded_on is not None:
            raise ValidationError("Responded on: leave it empty when the outcome is 'no_response'.")
        return None
    if responded_on is None:
        raise ValidationError(f"Responded on: required when the outcome is '{outcome}'.")
    not_after_today("Responded on", responded_on)
    if responded_on < sent_on:
        raise ValidationError(f"Responded on {responded_on:%d %b %Y} is before sent on {sent_on:%d %b %Y}.")
    return responded_on


def _follow_outcome(
    session: Session, actor: Actor, advocate: Advocate, outcome: str, at: dt.datetime
) -> None:
    if outcome == "agreed" and advocate.stage == "asked":
        _move(session, actor, advocate, "agreed", at)
    elif outcome == "declined" and advocate.stage == "asked":
        _move(session, actor, advocate, "declined", at)


def record_response(
    engine: Engine, actor: Actor, attempt_id: int, outcome: str, responded_on: dt.date
) -> None:
    """The answer to an ask or follow-up that had none yet; agreement or refusal moves the stage."""
    one_of("Outcome", outcome, v.OUTREACH_OUTCOMES[1:])
    with write(engine, actor, "record_response") as session:
        attempt = session.get(OutreachAttempt, attempt_id)
        if attempt is None:
            raise ValidationError(f"Outreach {attempt_id} does not exist.")
        advocate = claim_advocate(session, actor, attempt.advocate_id)
        if attempt.outcome != "no_response":
            raise ValidationError(f"Outreach {attempt_id} already has an answer ({attempt.outcome}).")
        attempt.responded_on = _response_day(outcome, responded_on, attempt.sent_on)
        attempt.outcome = outcome
        _follow_outcome(session, actor, advocate, outcome, now())
        audit(session, actor, "record_response", "outreach_attempt", attempt_id, "no_response", outcome)


def move_stage(engine: Engine, actor: Actor, advocate_id: int, to_stage: str, version: int) -> None:
    """Move an advocate to another stage; refused when someone changed the record since it was read (version)."""
    one_of("Stage", to_stage, v.ADVOCATE_STAGES)
    with write(engine, actor, "move_stage") as session:
        advocate = claim_advocate(session, actor, advocate_id, version)
        if advocate.stage == to_stage:
            raise ValidationError(f"The advocate is already in stage '{to_stage}'.")
        before = advocate.stage
        _move(session, actor, advocate, to_stage, now())
        audit(session, actor, "move_stage", "advocate", advocate_id, before, to_stage)


def record_reward(
    engine: Engine,
    actor: Actor,
    advocate_id: int,
    kind: str,
    value: float | None,
    given_on: dt.date,
    note: str = "",
) -> int:
    """A reward given to an advocate as a thank-you (kind from the brief, optional money value)."""
    one_of("Reward", kind, v.REWARD_KINDS)
    not_after_today("Given on", given_on)
    if value is not None and not 0 <= value <= 1_000_000:
        raise ValidationError(f"Value {value:,.2f}: must be between 0 and 1,000,000.")
    note = clean_note(note)
    with write(engine, actor, "record_reward") as session:
        claim_advocate(session, actor, advocate_id)
        reward = Reward(advocate_id=advocate_id, kind=kind, value=value, given_on=given_on, note=note)
        session.add(reward)
        session.flush()
        audit(
            session,
            actor,
            "record_reward",
            "reward",
            reward.id,
            None,
            {"advocate_id": advocate_id, "kind": kind, "value": value},
        )
    return reward.id


def issue_referral_code(engine: Engine, actor: Actor, advocate_id: int) -> str:
    """Give an advocate who agreed (or is reference-ready) a referral code of their own; returns the code."""
    with write(engine, actor, "issue_referral_code") as session:
        advocate = claim_advocate(session, actor, advocate_id)
        if advocate.referral_code:
            raise ValidationError(
                f"Advocate {advocate_id} already has referral code {advocate.referral_code}."
            )
        if advocate.stage not in advocates.IN_PROGRAM_STAGES:
            raise ValidationError(
                f"Advocate {advocate_id} is '{advocate.stage}': only advocates who agreed get a referral code."
            )
        advocate.referral_code = referrals.new_code(
            session.get(Contact, advocate.contact_id).name, advocate_id
        )
        audit(
            session,
            actor,
            "issue_referral_code",
            "advocate",
            advocate_id,
            None,
            {"referral_code": advocate.referral_code},
        )
        return advocate.referral_code


def record_thank_you(
    engine: Engine,
    actor: Actor,
    advocate_id: int,
    reason: str,
    channel: str,
    sent_on: dt.date,
    note: str = "",
) -> int:
    """A thank-you sent to an advocate for an agreement, a fulfilled reference or a converted referral."""
    one_of("Reason", reason, v.THANK_YOU_REASONS)
    one_of("Channel", channel, v.CHANNELS)
    not_after_today("Sent on", sent_on)
    note = clean_note(note)
    with write(engine, actor, "record_thank_you") as session:
        claim_advocate(session, actor, advocate_id)
        thanks = ThankYou(advocate_id=advocate_id, reason=reason, channel=channel, sent_on=sent_on, note=note)
        session.add(thanks)
        session.flush()
        audit(
            session,
            actor,
            "record_thank_you",
            "thank_you",
            thanks.id,
            None,
            {"advocate_id": advocate_id, "reason": reason},
        )
    return thanks.id
