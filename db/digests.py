"""Digests: the reads behind them, the send ledger (claim → sending → send → mark) and the sending runs.

Each send is one `deliveries` row per kind, recipient and period. A run claims the row before it sends
(inserting it, or taking over one that failed and is due again), marks it sending with the message's
Message-ID in a transaction of its own right before the message leaves, sends, then marks it sent or failed.
The unique row means several replicas send each digest once. A row claimed but never marked (a crash halfway)
is taken over only after the claim timeout, and logged, so a send still in progress is never repeated. One
still sending then (the process stopped after the message may have reached the server), or whose send failed
after the message left without a refusal, is never sent again on its own: it is in doubt, logged and shown to
admins, who may resend it (db/service/digests.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pandas as pd
from sqlalchemy import ColumnElement, Engine, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import digests, roles, weekly
from db import reads
from db.engine import transaction
from db.mail import Destinations, Mailer, post_webhook
from db.models import Delivery, DigestPreference, User
from db.reads import accounts as account_reads
from db.reads import assets as asset_reads
from db.reads import settings as settings_reads
from db.reads import work as work_reads

log = logging.getLogger("db.digests")
# What a failed send raises: the SMTP server's refusal, the network, a webhook's error answer.
SEND_ERRORS = (smtplib.SMTPException, OSError, httpx.HTTPError)
# Of those, the ones that say the message was not taken: the SMTP server's refusal (an error code), a webhook's
# error status, a connection that never opened. Any other error once the message was handed over (the
# connection dropped, no answer in time) leaves it in doubt: it may have arrived, so it is not tried again.
REFUSALS = (
    smtplib.SMTPResponseException,
    smtplib.SMTPRecipientsRefused,
    httpx.HTTPStatusError,
    httpx.ConnectError,
    httpx.ConnectTimeout,
)
# The detail of a period's row when there was nothing to send: done, but no message went out.
NOTHING = "nothing to send"


@dataclass
class Outcome:
    """What one run did: sends made, failed and with nothing to send; due but claimed elsewhere."""

    sent: int = 0
    failed: int = 0
    empty: int = 0
    elsewhere: int = 0

    def __str__(self) -> str:
        return (
            f"{self.sent:,} sent, {self.failed:,} failed, {self.empty:,} with nothing to send, "
            f"{self.elsewhere:,} sent or being sent elsewhere"
        )


# ---- preferences ----------------------------------------------------------------------


def preference(engine: Engine, user_id: int) -> tuple[str, str]:
    """How often user_id gets the digest ("off" without a choice stored) and the address it goes to."""
    stmt = (
        select(User.email, DigestPreference.frequency)
        .outerjoin(DigestPreference, DigestPreference.user_id == User.id)
        .where(User.id == user_id)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).one()
    return row.frequency or "off", row.email


def people(engine: Engine) -> list[digests.Recipient]:
    """Every enabled user with an e-mail address, with their digest frequency ("off" without a choice)."""
    stmt = (
        select(User.id, User.name, User.email, User.role, DigestPreference.frequency)
        .outerjoin(DigestPreference, DigestPreference.user_id == User.id)
        .where(User.disabled.is_(False), User.email != "")
        .order_by(User.id)
    )
    with engine.connect() as conn:
        return [
            digests.Recipient(row.id, row.name, row.email, row.role, row.frequency or "off")
            for row in conn.execute(stmt)
        ]


# ---- what goes into a digest ----------------------------------------------------------


def entered_at_risk(engine: Engine, settings: dict[str, float]) -> tuple[pd.DataFrame, dt.date | None]:
    """Accounts that entered the at-risk band in the latest scored week (owner_id, name, score_last, score_this;
    index account_id), and that week (None before two weeks are scored)."""
    weeks = account_reads.scored_weeks(engine, limit=2)
    columns = ["owner_id", "name", "score_last", "score_this"]
    if len(weeks) < 2:
        return pd.DataFrame(columns=columns).rename_axis("account_id"), None
    segments, stored = account_reads.account_segments(engine), settings_reads.load_profiles(engine)
    this = weekly.scored(account_reads.snapshot_sub_scores(engine, weeks[0]), segments, settings, stored)
    last = weekly.scored(account_reads.snapshot_sub_scores(engine, weeks[1]), segments, settings, stored)
    owners = reads.frame(engine, "SELECT id AS account_id, owner_id FROM accounts", []).set_index(
        "account_id"
    )
    accounts = account_reads.account_names(engine)
    entered = weekly.entered_at_risk(this, last, accounts).join(owners)
    return entered[columns], weeks[0]


def book(engine: Engine, settings: dict[str, float]) -> digests.Book:
    """Every open task, the accounts that entered at risk and the open reference requests, grouped for
    core.digests.contents to cut per user."""
    entered, week = entered_at_risk(engine, settings)
    return digests.prepare(work_reads.open_tasks(engine), entered, week, asset_reads.requests(engine))


# ---- the ledger -----------------------------------------------------------------------


def claim(
    engine: Engine, kind: str, recipient: str, period: str, moment: dt.datetime, settings
) -> int | None:
    """The id of the delivery row this run now holds for kind, recipient and period, or None when it was sent,
    is being sent elsewhere, is in doubt, waits for its next try or was given up."""
    try:
        with transaction(engine) as session:
            row = Delivery(kind=kind, recipient=recipient, period=period, claimed_at=moment, attempts=1)
            session.add(row)
        return row.id
    except IntegrityError:
        pass
    key = (Delivery.kind == kind, Delivery.recipient == recipient, Delivery.period == period)
    with transaction(engine) as session:
        row = session.execute(select(Delivery).where(*key)).scalar_one()
        timeout = moment - dt.timedelta(minutes=settings["delivery_claim_timeout_minutes"])
        if row.sent_at is not None or (row.claimed_at is not None and row.claimed_at > timeout):
            return None
        if row.sending_at is not None:
            _in_doubt(session, row)
            return None
        if row.attempts >= settings["delivery_max_attempts"]:
            return None
        if row.claimed_at is None and row.next_attempt_at is not None and row.next_attempt_at > moment:
            return None
        # Compare and set: of two runs that read the same row, one takes it.
        previous = row.claimed_at
        taken = session.execute(
            update(Delivery)
            .where(Delivery.id == row.id, Delivery.claimed_at.is_not_distinct_from(previous))
            .where(Delivery.sent_at.is_(None), Delivery.sending_at.is_(None))
            .values(claimed_at=moment, attempts=Delivery.attempts + 1)
        ).rowcount
        if taken and previous is not None:
            log.warning(
                "delivery claimed at %s never finished, trying again: kind=%s recipient=%s period=%s",
                previous,
                kind,
                recipient,
                period,
            )
        return row.id if taken else None


def _in_doubt(session: Session, row: Delivery) -> None:
    """A row whose claim timed out while its message was being handed over: released (not claimed, still
    sending) and logged once, by the run that finds it first. It is not sent again unless an admin asks."""
    if row.claimed_at is None:
        return
    released = session.execute(
        update(Delivery)
        .where(Delivery.id == row.id, Delivery.claimed_at == row.claimed_at, Delivery.sent_at.is_(None))
        .values(claimed_at=None)
    ).rowcount
    if released:
        log.warning(
            "delivery in doubt, not sent again: the process stopped while sending at %s: kind=%s recipient=%s "
            "period=%s message_id=%s",
            row.sending_at,
            row.kind,
            row.recipient,
            row.period,
            row.message_id,
        )


def mark_sending(engine: Engine, delivery_id: int, moment: dt.datetime, message_id: str | None) -> None:
    """Committed before the message leaves: from now on a crash leaves the send in doubt, never repeated."""
    with transaction(engine) as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(sending_at=moment, message_id=message_id)
        )


def mark_sent(engine: Engine, delivery_id: int, moment: dt.datetime, detail: str) -> None:
    with transaction(engine) as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(sent_at=moment, claimed_at=None, sending_at=None, detail=detail)
        )


def mark_failed(engine: Engine, delivery_id: int, moment: dt.datetime, error: Exception, settings) -> None:
    """Keep the error and free the row for its next try: retry minutes × 2^(attempts − 1) from now."""
    with transaction(engine) as session:
        row = session.get(Delivery, delivery_id)
        wait = dt.timedelta(minutes=settings["delivery_retry_minutes"] * 2 ** (row.attempts - 1))
        # The server or the network reported the failure: the message did not arrive, so it may go again.
        row.claimed_at, row.sending_at = None, None
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        row.last_error_at = moment
        row.next_attempt_at = moment + wait
        given_up = row.attempts >= settings["delivery_max_attempts"]
        kind, recipient, period, attempts = row.kind, row.recipient, row.period, row.attempts
    # The error's type only: an SMTP refusal quotes addresses.
    log.error(
        "delivery failed: kind=%s recipient=%s period=%s attempt=%s error=%s %s",
        kind,
        recipient,
        period,
        attempts,
        type(error).__name__,
        "giving up" if given_up else f"next try after {moment + wait:%Y-%m-%d %H:%M}",
    )


def mark_in_doubt(engine: Engine, delivery_id: int, moment: dt.datetime, error: Exception) -> None:
    """Keep the error of a send that failed after its message was handed over without a refusal: released, still
    sending, so it is in doubt and goes again only when an admin resends it."""
    with transaction(engine) as session:
        row = session.get(Delivery, delivery_id)
        row.claimed_at = None
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        row.last_error_at = moment
        kind, recipient, period, message_id = row.kind, row.recipient, row.period, row.message_id
    log.error(
        "delivery in doubt, not sent again: %s while sending: kind=%s recipient=%s period=%s message_id=%s",
        type(error).__name__,
        kind,
        recipient,
        period,
        message_id,
    )


def attempt(
    engine: Engine,
    kind: str,
    recipient: str,
    period: str,
    moment: dt.datetime,
    settings: dict[str, float],
    send: Callable[[Callable[[str | None], None]], str | None],
    outcome: Outcome,
    errors: tuple[type[Exception], ...] = SEND_ERRORS,
) -> None:
    """Claim, send, mark: send(sending) calls sending(message_id) right before its message leaves, and
    returns the detail to keep, or None when there was nothing to send. An error of errors is kept on the row
    for a retry with back-off, unless it came after the message left without saying it was refused (REFUSALS):
    then the send is in doubt."""
    claimed = claim(engine, kind, recipient, period, moment, settings)
    if claimed is None:
        outcome.elsewhere += 1
        return
    handed = False

    def sending(message_id: str | None) -> None:
        nonlocal handed
        mark_sending(engine, claimed, moment, message_id)
        handed = True

    try:
        detail = send(sending)
    except errors as error:
        if handed and not isinstance(error, REFUSALS):
            mark_in_doubt(engine, claimed, moment, error)
        else:
            mark_failed(engine, claimed, moment, error, settings)
        outcome.failed += 1
        return
    mark_sent(engine, claimed, moment, detail or NOTHING)
    if detail is None:
        outcome.empty += 1
    else:
        outcome.sent += 1


def in_doubt_clause(moment: dt.datetime, settings) -> ColumnElement[bool]:
    """Rows in doubt at moment: not sent, and still sending once their claim was released or timed out."""
    timeout = moment - dt.timedelta(minutes=settings["delivery_claim_timeout_minutes"])
    return and_(
        Delivery.sent_at.is_(None),
        Delivery.sending_at.is_not(None),
        or_(Delivery.claimed_at.is_(None), Delivery.claimed_at <= timeout),
    )


def in_doubt(engine: Engine, moment: dt.datetime) -> pd.DataFrame:
    """Every send in doubt at moment, newest first: id, kind, recipient (a digest's: the user's name), period,
    sending_at, message_id."""
    clause = in_doubt_clause(moment, settings_reads.load_settings(engine))
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Delivery.id,
                Delivery.kind,
                Delivery.recipient,
                Delivery.period,
                Delivery.sending_at,
                Delivery.message_id,
            )
            .where(clause)
            .order_by(Delivery.sending_at.desc())
        ).all()
        names = {str(user_id): name for user_id, name in conn.execute(select(User.id, User.name))}
    frame = pd.DataFrame(rows, columns=["id", "kind", "recipient", "period", "sending_at", "message_id"])
    digest = frame["kind"] == "digest"
    frame.loc[digest, "recipient"] = frame.loc[digest, "recipient"].map(names).fillna(frame["recipient"])
    return frame


def status(engine: Engine, moment: dt.datetime | None = None) -> pd.DataFrame:
    """Per kind of delivery at moment (now when None): last sent (a message that went out, or a run), the
    latest error and when, sends waiting for a retry, sends given up, sends in doubt and the latest of them."""
    settings = settings_reads.load_settings(engine)
    moment = dt.datetime.now(dt.UTC).replace(tzinfo=None) if moment is None else moment
    with engine.connect() as conn:
        last_sent = {
            kind: sent
            for kind, sent in conn.execute(
                select(Delivery.kind, func.max(Delivery.sent_at))
                .where(Delivery.detail.is_distinct_from(NOTHING))
                .group_by(Delivery.kind)
            )
        }
        errors = conn.execute(
            select(Delivery.kind, Delivery.recipient, Delivery.last_error, Delivery.last_error_at)
            .where(Delivery.last_error_at.is_not(None))
            .order_by(Delivery.last_error_at)
        ).all()
        unsent = conn.execute(
            select(Delivery.kind, Delivery.attempts).where(
                Delivery.sent_at.is_(None), Delivery.claimed_at.is_(None), Delivery.sending_at.is_(None)
            )
        ).all()
        doubtful = {
            kind: (count, latest)
            for kind, count, latest in conn.execute(
                select(Delivery.kind, func.count(), func.max(Delivery.sending_at))
                .where(in_doubt_clause(moment, settings))
                .group_by(Delivery.kind)
            )
        }
    latest_error = {row.kind: row for row in errors}
    rows = []
    for kind, label in digests.CHANNELS.items():
        error = latest_error.get(kind)
        rows.append(
            {
                "channel": label,
                "last_sent": last_sent.get(kind),
                "last_error": None if error is None else error.last_error,
                "last_error_at": None if error is None else error.last_error_at,
                "retrying": sum(
                    r.attempts < settings["delivery_max_attempts"] for r in unsent if r.kind == kind
                ),
                "given_up": sum(
                    r.attempts >= settings["delivery_max_attempts"] for r in unsent if r.kind == kind
                ),
                "in_doubt": doubtful.get(kind, (0, None))[0],
                "in_doubt_at": doubtful.get(kind, (0, None))[1],
            }
        )
    return pd.DataFrame(rows)


# ---- the runs -------------------------------------------------------------------------


def send_digests(engine: Engine, destinations: Destinations, mailer: Mailer, moment: dt.datetime) -> Outcome:
    """Every digest due at moment and not yet sent for its period, one e-mail per user."""
    settings = settings_reads.load_settings(engine)
    hour, weekday = int(settings["digest_hour"]), int(settings["digest_weekday"])
    due = [r for r in people(engine) if digests.is_due(r.frequency, moment, hour, weekday)]
    outcome = Outcome()
    if not due:
        return outcome
    material = book(engine, settings)
    for recipient in due:

        def send(sending, recipient: digests.Recipient = recipient) -> str | None:
            contents = digests.contents(recipient, material, moment)
            if contents.empty:
                return None
            message = digests.render(recipient, contents, destinations.app_url, moment)
            mailer.send((recipient.email,), message, handing=sending)
            return contents.summary

        period = digests.period(recipient.frequency, moment)
        attempt(engine, "digest", str(recipient.id), period, moment, settings, send, outcome)
    return outcome


def send_team_digests(engine: Engine, destinations: Destinations, moment: dt.datetime) -> Outcome:
    """Each team's (role's) daily summary to its webhook, from the digest hour on."""
    settings = settings_reads.load_settings(engine)
    outcome = Outcome()
    if not destinations.webhooks or not digests.is_due("daily", moment, int(settings["digest_hour"]), 1):
        return outcome
    material = book(engine, settings)
    members = people(engine)
    for role, url in destinations.webhooks.items():
        team = [digests.Recipient(p.id, p.name, p.email, p.role, "daily") for p in members if p.role == role]

        def send(sending, role: str = role, url: str = url, team: list = team) -> str:
            summary = digests.team_summary(
                roles.ROLE_LABELS[role],
                [(person, digests.contents(person, material, moment)) for person in team],
                destinations.app_url,
                moment,
            )
            sending(None)
            post_webhook(url, summary)
            return f"{len(team):,} members"

        attempt(engine, "team_digest", role, digests.period("daily", moment), moment, settings, send, outcome)
    return outcome
