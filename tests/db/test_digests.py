"""Digests end to end on SQLite and PostgreSQL: what arrives at a real SMTP server on 127.0.0.1, the ledger's
claim → sending → send → mark (once per user and period, retries with back-off, crashes: never twice) and
the team webhook."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import threading

import pytest
from sqlalchemy import insert, select

from db import digests, mail, service
from db.engine import transaction
from db.models import AuditLog, Delivery, DigestPreference, Task
from tests.db.factories import account, add_user
from tests.mail_servers import free_port, smtp_server, webhook_server

# Monday 7 December 2026, 08:00 UTC: past the default digest hour (7).
NOW = dt.datetime(2026, 12, 7, 8, 0)


@pytest.fixture
def inbox():
    with smtp_server() as server:
        yield server


def destinations(inbox=None, webhooks=None) -> mail.Destinations:
    smtp = None if inbox is None else mail.SmtpSettings(inbox.host, inbox.port, "none", "digests@example.com")
    return mail.Destinations(smtp, "http://app.example", ("review@example.com",), webhooks or {})


def book(engine) -> dict[str, int]:
    """amy and ben, account managers with a daily digest and one task each; sam without a digest."""
    ids = {name: add_user(engine, name) for name in ("amy", "ben")}
    ids["sam"] = add_user(engine, "sam", "sales")
    with transaction(engine) as session:
        session.add_all([account(1, ids["amy"], name="Acme Corp"), account(2, ids["ben"], name="Birch Ltd")])
        session.add_all(
            DigestPreference(user_id=ids[n], frequency="daily", updated_at=NOW) for n in ("amy", "ben")
        )
        session.flush()
        session.execute(
            insert(Task),
            [
                dict(
                    reason="at_risk",
                    subject_kind="account",
                    subject_id=n,
                    account_id=n,
                    owner_id=ids[owner],
                    reason_text=f"Score {50 + n} (at risk below 60).",
                    due_on=dt.date(2026, 12, 3),
                    status="open",
                    created_at=dt.datetime(2026, 12, 1, 5, 0),
                )
                for n, owner in ((1, "amy"), (2, "ben"))
            ],
        )
    return ids


def send(engine, inbox, moment=NOW) -> digests.Outcome:
    target = destinations(inbox)
    with mail.mailer(target) as sender:
        return digests.send_digests(engine, target, sender, moment)


def ledger(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                select(Delivery.kind, Delivery.recipient, Delivery.period, Delivery.attempts, Delivery.detail)
                .where(Delivery.sent_at.is_not(None))
                .order_by(Delivery.recipient)
            )
        ]


def test_each_user_gets_their_own_digest_once(engine, inbox):
    ids = book(engine)
    outcome = send(engine, inbox)
    assert (outcome.sent, outcome.failed, outcome.empty) == (2, 0, 0)
    by_recipient = {
        tuple(to)[0]: message for to, message in zip(inbox.recipients, inbox.messages, strict=True)
    }
    assert set(by_recipient) == {"amy@example.com", "ben@example.com"}
    amy = by_recipient["amy@example.com"]
    assert amy["Subject"] == "Your daily digest, 7 Dec 2026: 1 overdue"
    assert amy["From"] == "digests@example.com"
    text = amy.get_body(("plain",)).get_content()
    html = amy.get_body(("html",)).get_content()
    assert "- Acme Corp: Score 51 (at risk below 60). — due 3 Dec 2026" in text
    assert '<a href="http://app.example/task?task=1">Acme Corp</a>' in html
    # Nothing from another user's book.
    assert "Birch" not in text and "Birch" not in html
    assert ledger(engine) == [
        ("digest", str(ids["amy"]), "2026-12-07", 1, "1 overdue"),
        ("digest", str(ids["ben"]), "2026-12-07", 1, "1 overdue"),
    ]
    # A second pass the same day (another replica, or the next minute) sends nothing.
    again = send(engine, inbox, NOW + dt.timedelta(hours=3))
    assert (again.sent, again.elsewhere) == (0, 2)
    assert len(inbox.messages) == 2
    # The next day is a new period.
    assert send(engine, inbox, NOW + dt.timedelta(days=1)).sent == 2


def test_nothing_is_sent_before_the_digest_hour_or_to_users_without_one(engine, inbox):
    book(engine)
    assert send(engine, inbox, dt.datetime(2026, 12, 7, 6, 59)).sent == 0
    assert inbox.messages == [] and ledger(engine) == []


def test_a_refused_send_is_kept_and_retried_with_back_off(engine, inbox, caplog):
    ids = book(engine)
    with transaction(engine) as session:
        session.get(DigestPreference, ids["ben"]).frequency = "off"
    inbox.refuse = ["451 4.3.0 Try again later", "451 4.3.0 Try again later"]
    caplog.set_level(logging.ERROR, logger="db.digests")
    first = send(engine, inbox)
    assert (first.sent, first.failed) == (0, 1)
    assert "delivery failed: kind=digest" in caplog.text and "next try after 2026-12-07 08:05" in caplog.text
    status = digests.status(engine).set_index("channel").loc["E-mail digests"]
    assert status["last_error"] == "SMTPDataError: (451, b'4.3.0 Try again later')"
    assert status["last_error_at"] == NOW and status["retrying"] == 1
    # 5 minutes (the setting) after the first failure, not before; then 10 minutes after the second.
    assert send(engine, inbox, NOW + dt.timedelta(minutes=4)).elsewhere == 1
    assert send(engine, inbox, NOW + dt.timedelta(minutes=5)).failed == 1
    assert send(engine, inbox, NOW + dt.timedelta(minutes=14)).elsewhere == 1
    assert send(engine, inbox, NOW + dt.timedelta(minutes=15)).sent == 1
    assert len(inbox.messages) == 1
    assert ledger(engine) == [("digest", str(ids["amy"]), "2026-12-07", 3, "1 overdue")]
    status = digests.status(engine).set_index("channel").loc["E-mail digests"]
    assert status["last_sent"] == NOW + dt.timedelta(minutes=15) and status["retrying"] == 0


def test_a_send_is_given_up_after_the_most_attempts(engine, inbox):
    ids = book(engine)
    service.update_settings(engine, admin(engine), {"delivery_max_attempts": 2})
    inbox.refuse = ["554 5.7.1 Rejected"] * 4
    assert send(engine, inbox).failed == 2
    assert send(engine, inbox, NOW + dt.timedelta(minutes=5)).failed == 2
    assert send(engine, inbox, NOW + dt.timedelta(hours=5)).elsewhere == 2
    status = digests.status(engine).set_index("channel").loc["E-mail digests"]
    assert (status["given_up"], status["retrying"]) == (2, 0)
    assert ids and inbox.messages == []


def admin(engine) -> service.Actor:
    return service.Actor(id=add_user(engine, "ada", "admin"), username="ada", name="Ada", role="admin")


def test_a_claim_left_by_a_crash_is_taken_over_only_after_the_timeout(engine, inbox, caplog):
    ids = book(engine)
    settings = {"delivery_claim_timeout_minutes": 30, "delivery_max_attempts": 5, "delivery_retry_minutes": 5}
    # A replica claimed amy's digest and died before it handed the message to the server.
    assert digests.claim(engine, "digest", str(ids["amy"]), "2026-12-07", NOW, settings) is not None
    caplog.set_level(logging.WARNING, logger="db.digests")
    during = send(engine, inbox, NOW + dt.timedelta(minutes=29))
    assert (during.sent, during.elsewhere) == (1, 1)
    assert [to for to in inbox.recipients] == [["ben@example.com"]]
    assert "never finished" not in caplog.text
    after = send(engine, inbox, NOW + dt.timedelta(minutes=31))
    assert (after.sent, after.elsewhere) == (1, 1)
    assert inbox.recipients[-1] == ["amy@example.com"]
    assert "delivery claimed at 2026-12-07 08:00:00 never finished, trying again: kind=digest" in caplog.text


def test_of_many_replicas_claiming_at_once_one_wins(engine):
    settings = {"delivery_claim_timeout_minutes": 30, "delivery_max_attempts": 5, "delivery_retry_minutes": 5}
    won, start = [], threading.Barrier(6)

    def replica() -> None:
        start.wait()
        won.append(digests.claim(engine, "digest", "7", "2026-W50", NOW, settings))

    threads = [threading.Thread(target=replica) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([claimed for claimed in won if claimed is not None]) == 1


def test_the_team_webhook_gets_its_members_counts(engine):
    book(engine)
    with webhook_server() as hook:
        hook.statuses = [500]
        target = destinations(webhooks={"account_manager": hook.url})
        first = digests.send_team_digests(engine, target, NOW)
        assert (first.sent, first.failed) == (0, 1)
        assert (
            digests.status(engine)
            .set_index("channel")
            .loc["Team chat webhooks", "last_error"]
            .startswith("HTTPStatusError: Server error '500 Internal Server Error'")
        )
        assert digests.send_team_digests(engine, target, NOW + dt.timedelta(minutes=5)).sent == 1
    assert hook.posts == [
        {
            "text": "*Account manager — 7 Dec 2026*\n"
            "• Amy: 1 overdue, 0 new tasks, 0 entered at risk, 0 requests due\n"
            "• Ben: 1 overdue, 0 new tasks, 0 entered at risk, 0 requests due\n"
            "http://app.example/"
        }
    ]


def test_each_user_chooses_their_digest_and_the_choice_is_audited(engine):
    amy = add_user(engine, "amy")
    actor = service.Actor(id=amy, username="amy", name="Amy", role="account_manager")
    assert digests.preference(engine, amy) == ("off", "amy@example.com")
    assert service.set_digest_frequency(engine, actor, "weekly") == "weekly"
    assert digests.preference(engine, amy) == ("weekly", "amy@example.com")
    with pytest.raises(service.ValidationError, match="Digest 'hourly' is not one of off, daily, weekly"):
        service.set_digest_frequency(engine, actor, "hourly")
    assert digests.preference(engine, amy) == ("weekly", "amy@example.com")
    with engine.connect() as conn:
        row = conn.execute(select(AuditLog.action, AuditLog.before, AuditLog.after)).one()
    assert tuple(row) == ("set_digest_frequency", '{"digest": "off"}', '{"digest": "weekly"}')


def test_the_mailer_logs_in_with_the_configured_credentials():
    message = mail.Message("Hello", "<p>Hi</p>", "Hi")
    with smtp_server(login=("mailer", "s3cret")) as inbox:
        right = mail.SmtpSettings(inbox.host, inbox.port, "none", "d@example.com", "mailer", "s3cret")
        with mail.mailer(mail.Destinations(right, "http://app", (), {})) as sender:
            sender.send(("amy@example.com",), message)
        anonymous = mail.SmtpSettings(inbox.host, inbox.port, "none", "d@example.com")
        # 530: authentication required — the server takes mail only after the login.
        refused = pytest.raises(smtplib.SMTPSenderRefused, match="530")
        with mail.mailer(mail.Destinations(anonymous, "http://app", (), {})) as sender, refused:
            sender.send(("amy@example.com",), message)
    assert [m["Subject"] for m in inbox.messages] == ["Hello"]


def test_a_digest_with_nothing_in_it_is_not_sent_and_not_counted_as_sent(engine, inbox):
    quiet = add_user(engine, "quinn")
    actor = service.Actor(id=quiet, username="quinn", name="Quinn", role="account_manager")
    service.set_digest_frequency(engine, actor, "daily")
    outcome = send(engine, inbox)
    assert (outcome.sent, outcome.empty) == (0, 1)
    assert inbox.messages == []
    assert ledger(engine) == [("digest", str(quiet), "2026-12-07", 1, "nothing to send")]
    assert digests.status(engine).set_index("channel").loc["E-mail digests", "last_sent"] is None
    assert send(engine, inbox, NOW + dt.timedelta(hours=1)).elsewhere == 1


class Died(BaseException):
    """The process stopping at a point of the send: nothing after it runs, no handler catches it."""


def dies(*args) -> None:
    raise Died


def test_a_crash_after_the_server_took_the_digest_never_sends_it_twice(engine, inbox, monkeypatch, caplog):
    ids = book(engine)
    with transaction(engine) as session:
        session.get(DigestPreference, ids["ben"]).frequency = "off"

    # The SMTP server accepted amy's digest; the process died before it marked the row sent.
    with monkeypatch.context() as patched:
        patched.setattr(digests, "mark_sent", dies)
        with pytest.raises(Died):
            send(engine, inbox)
    assert len(inbox.messages) == 1
    message_id = inbox.messages[0]["Message-ID"]
    caplog.set_level(logging.WARNING, logger="db.digests")
    # Within the claim timeout, another replica leaves it alone; past it, the send is in doubt, not repeated.
    assert send(engine, inbox, NOW + dt.timedelta(minutes=29)).elsewhere == 1
    assert send(engine, inbox, NOW + dt.timedelta(minutes=31)).elsewhere == 1
    assert send(engine, inbox, NOW + dt.timedelta(hours=3)).elsewhere == 1
    assert len(inbox.messages) == 1
    assert caplog.text.count("delivery in doubt, not sent again") == 1
    assert (
        f"the process stopped while sending at 2026-12-07 08:00:00: kind=digest recipient={ids['amy']}"
        in (caplog.text)
    )
    status = digests.status(engine, NOW + dt.timedelta(hours=3)).set_index("channel").loc["E-mail digests"]
    assert (status["in_doubt"], status["in_doubt_at"], status["retrying"]) == (1, NOW, 0)
    assert status["last_sent"] is None
    doubtful = digests.in_doubt(engine, NOW + dt.timedelta(hours=3))
    assert doubtful[["kind", "recipient", "period", "message_id"]].values.tolist() == [
        ["digest", "Amy", "2026-12-07", message_id]
    ]

    # An admin resends it explicitly (audited); the next run sends it again, once.
    monkeypatch.setattr(service.digests, "now", lambda: NOW + dt.timedelta(hours=3))
    ada = admin(engine)
    assert service.resend_delivery(engine, ada, int(doubtful["id"].iloc[0])) == "2026-12-07"
    with pytest.raises(service.ValidationError, match="is not in doubt"):
        service.resend_delivery(engine, ada, int(doubtful["id"].iloc[0]))
    assert send(engine, inbox, NOW + dt.timedelta(hours=4)).sent == 1
    assert send(engine, inbox, NOW + dt.timedelta(hours=5)).elsewhere == 1
    assert [to for to in inbox.recipients] == [["amy@example.com"], ["amy@example.com"]]
    assert inbox.messages[1]["Message-ID"] != message_id
    assert digests.in_doubt(engine, NOW + dt.timedelta(hours=5)).empty
    with engine.connect() as conn:
        (before,) = conn.execute(
            select(AuditLog.before).where(AuditLog.action == "resend_delivery")
        ).scalars()
    assert message_id in before


def test_a_connection_dropped_after_the_digest_left_leaves_it_in_doubt(engine, inbox, caplog):
    book(engine)
    # The server keeps amy's digest but hangs up before it answers; ben's goes through on a new connection.
    inbox.drop = 1
    caplog.set_level(logging.ERROR, logger="db.digests")
    outcome = send(engine, inbox)
    assert (outcome.sent, outcome.failed) == (1, 1)
    assert (
        "delivery in doubt, not sent again: SMTPServerDisconnected while sending: kind=digest" in caplog.text
    )
    status = digests.status(engine, NOW).set_index("channel").loc["E-mail digests"]
    assert (status["in_doubt"], status["retrying"]) == (1, 0)
    assert status["last_error"].startswith("SMTPServerDisconnected")
    # Past the retry minutes and the claim timeout alike, it is not sent again.
    assert send(engine, inbox, NOW + dt.timedelta(hours=1)).elsewhere == 2
    assert sorted(to for to in inbox.recipients) == [["amy@example.com"], ["ben@example.com"]]
    assert digests.in_doubt(engine, NOW + dt.timedelta(hours=1))["recipient"].tolist() == ["Amy"]


def test_a_crash_before_the_digest_left_sends_it_once_after_the_timeout(engine, inbox, monkeypatch):
    ids = book(engine)
    with transaction(engine) as session:
        session.get(DigestPreference, ids["ben"]).frequency = "off"

    # The process died while marking the send: the message never left.
    with monkeypatch.context() as patched:
        patched.setattr(digests, "mark_sending", dies)
        with pytest.raises(Died):
            send(engine, inbox)
    assert inbox.messages == []
    assert send(engine, inbox, NOW + dt.timedelta(minutes=31)).sent == 1
    assert send(engine, inbox, NOW + dt.timedelta(minutes=62)).elsewhere == 1
    assert [to for to in inbox.recipients] == [["amy@example.com"]]


def test_a_server_that_refuses_the_connection_is_retried_not_in_doubt(engine):
    ids = book(engine)
    with transaction(engine) as session:
        session.get(DigestPreference, ids["ben"]).frequency = "off"
    closed = mail.Destinations(
        mail.SmtpSettings("127.0.0.1", free_port(), "none", "digests@example.com"),
        "http://app.example",
        (),
        {},
    )
    with mail.mailer(closed) as sender:
        outcome = digests.send_digests(engine, closed, sender, NOW)
    assert outcome.failed == 1
    status = digests.status(engine, NOW).set_index("channel").loc["E-mail digests"]
    assert (status["retrying"], status["in_doubt"]) == (1, 0)
    assert status["last_error"].startswith("ConnectionRefusedError")
    with smtp_server() as inbox:
        assert send(engine, inbox, NOW + dt.timedelta(minutes=5)).sent == 1
    assert len(inbox.messages) == 1


def test_a_send_in_doubt_of_a_period_that_is_over_is_not_resent(engine, inbox, monkeypatch):
    ids = book(engine)
    with transaction(engine) as session:
        session.get(DigestPreference, ids["ben"]).frequency = "off"
    with monkeypatch.context() as patched:
        patched.setattr(digests, "mark_sent", dies)
        with pytest.raises(Died):
            send(engine, inbox)
    monkeypatch.setattr(service.digests, "now", lambda: NOW + dt.timedelta(days=1))
    (row,) = digests.in_doubt(engine, NOW + dt.timedelta(days=1))["id"]
    with pytest.raises(service.ValidationError, match="its period 2026-12-07 is over"):
        service.resend_delivery(engine, admin(engine), int(row))
    with pytest.raises(service.PermissionDenied):
        service.resend_delivery(
            engine, service.Actor(id=ids["amy"], username="amy", name="Amy", role="account_manager"), int(row)
        )
