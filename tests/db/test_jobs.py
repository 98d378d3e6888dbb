"""`python -m jobs --once` on a small demo, SQLite and PostgreSQL: the scoring run, the digests and the weekly
review to the distribution list, each once however often the pass runs; and where delivery settings come from."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from db import demo, mail, scoring, service
from db.models import AuditLog, Delivery, HealthSnapshot, UsageWeekly
from jobs import __main__ as jobs
from tests.db.factories import add_user
from tests.mail_servers import smtp_server


@pytest.fixture
def inbox(monkeypatch):
    with smtp_server() as server:
        monkeypatch.setenv("SMTP_HOST", server.host)
        monkeypatch.setenv("SMTP_PORT", str(server.port))
        monkeypatch.setenv("SMTP_TLS", "none")
        monkeypatch.setenv("SMTP_SENDER", "digests@example.com")
        monkeypatch.setenv("WEEKLY_REVIEW_TO", "review@example.com, leads@example.com")
        monkeypatch.setenv("APP_URL", "http://app.example")
        yield server


def test_a_pass_runs_each_job_once(engine, database_url, inbox):
    demo.generate(engine, accounts=40, as_of=dt.date.today())
    # Only the last weeks of usage: the scoring run then scores six weeks, not the demo's two years.
    first_kept = dt.date.today() - dt.timedelta(weeks=scoring.WARM_UP_WEEKS + 7)
    with engine.begin() as conn:
        conn.execute(delete(UsageWeekly).where(UsageWeekly.week_start < first_kept))
    admin = service.Actor(id=1, username="admin", name="Ada Admin", role="admin")
    # Everything due at any hour of any day, so the test does not depend on the clock.
    service.update_settings(engine, admin, {"scoring_hour": 0, "digest_hour": 0})

    assert jobs.main(["--once", "--url", database_url]) == 0
    with engine.connect() as conn:
        sent = (
            select(Delivery.kind, func.count()).where(Delivery.sent_at.is_not(None)).group_by(Delivery.kind)
        )
        kinds = {kind: count for kind, count in conn.execute(sent)}
        scored = conn.scalar(select(func.count(func.distinct(HealthSnapshot.week_start))))
    # One scoring run, one task generation, the four demo logins' daily digests (sent, or marked with nothing to send), one review.
    assert kinds == {"scoring": 1, "task_generation": 1, "digest": 4, "weekly_review": 1}
    assert scored > 2
    reviews = [m for m in inbox.messages if m["To"] == "review@example.com, leads@example.com"]
    assert len(reviews) == 1
    assert reviews[0]["Subject"].startswith("Weekly review — week of ")
    attachment = next(reviews[0].iter_attachments())
    assert attachment.get_filename().startswith("weekly-review-")
    assert "<html" in attachment.get_content().lower()
    assert "http://app.example/weekly" in reviews[0].get_body(("plain",)).get_content()
    digests_sent = len(inbox.messages) - 1
    assert all(m["From"] == "digests@example.com" for m in inbox.messages)

    # A second pass (or a second replica) in the same period does nothing again.
    assert jobs.main(["--once", "--url", database_url]) == 0
    assert len(inbox.messages) == digests_sent + 1
    with engine.connect() as conn:
        runs = conn.scalar(select(func.count()).where(AuditLog.action == "run_scoring"))
        by = conn.scalar(select(AuditLog.username).where(AuditLog.action == "run_scoring"))
    assert (runs, by) == (1, "scheduler")


def test_without_an_smtp_server_nothing_is_claimed(engine, database_url, monkeypatch):
    for variable in ("SMTP_HOST", "WEEKLY_REVIEW_TO"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(mail, "SECRETS", mail.SECRETS.parent / "no-such-secrets.toml")
    user = add_user(engine, "amy")
    actor = service.Actor(id=user, username="amy", name="Amy", role="account_manager")
    service.set_digest_frequency(engine, actor, "daily")
    service.update_settings(
        engine,
        service.Actor(id=None, username="t", name="T", role="admin"),
        {"digest_hour": 0, "scoring_hour": 23},
    )
    assert jobs.main(["--once", "--url", database_url]) == 0
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Delivery).where(Delivery.kind == "digest")) == 0
