"""The Digests page through AppTest: each user chooses their own digest; only admins see the delivery status."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from core import digests as rules
from db import digests, service
from db.engine import make_engine, transaction
from db.models import AuditLog, Delivery
from tests.db.factories import build_book
from tests.pages.conftest import database_at, log_in

SENDING = service.now() - dt.timedelta(hours=2)


def book_with_deliveries(engine) -> None:
    build_book(engine)
    with transaction(engine) as session:
        session.execute(
            insert(Delivery),
            [
                dict(
                    kind="digest",
                    recipient="2",
                    period="2026-12-07",
                    attempts=1,
                    sent_at=dt.datetime(2026, 12, 7, 7, 1),
                ),
                dict(
                    kind="team_digest",
                    recipient="marketing",
                    period="2026-12-07",
                    attempts=2,
                    last_error="HTTPStatusError: Server error '503 Service Unavailable'",
                    last_error_at=dt.datetime(2026, 12, 7, 7, 5),
                ),
                # Today's digest of mark's: the sender stopped while handing it over, two hours ago.
                dict(
                    kind="digest",
                    recipient="3",
                    period=rules.period("daily", SENDING),
                    attempts=1,
                    sending_at=SENDING,
                    message_id="<1.2@example.com>",
                ),
            ],
        )


@pytest.fixture
def app_database_url(tmp_path) -> str:
    return database_at(tmp_path, book_with_deliveries)


@pytest.fixture
def no_smtp(monkeypatch):
    for variable in ("SMTP_HOST", "WEEKLY_REVIEW_TO", "DIGEST_WEBHOOK_MARKETING"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("APP_URL", "https://advocacy.example.com")


def open_digests(app, username: str):
    log_in(app, username)
    app.switch_page("pages/digests.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_a_user_turns_their_digest_on(app, app_database_url, no_smtp):
    open_digests(app, "amy")
    radio = app.radio[0]
    assert radio.label == "How often" and radio.value == "off"
    assert radio.options == ["No digest", "Daily", "Weekly"]
    assert "To amy@example.com. Daily from 07:00 UTC; weekly on Monday from 07:00 UTC." in [
        c.value for c in app.caption
    ]
    radio.set_value("weekly")
    app.button(key="FormSubmitter:digest_preference-Save").click().run()
    assert app.toast[0].value == "Digest: Weekly."
    assert app.radio[0].value == "weekly"
    # Account managers see no delivery status.
    assert [s.value for s in app.subheader] == ["Your digest"]
    # amy is user 1, the book's owner.
    assert digests.preference(make_engine(app_database_url), 1) == ("weekly", "amy@example.com")


def test_an_admin_sees_when_each_channel_last_sent_and_failed(app, no_smtp):
    open_digests(app, "ada")
    assert [s.value for s in app.subheader] == ["Your digest", "Delivery"]
    assert (
        "SMTP server: not configured: digests and the weekly review are not sent. Weekly review to 0 addresses. "
        "Team webhooks: none. Links point to https:\u200b//advocacy.example.com."
    ) in [m.value for m in app.markdown]
    status = app.dataframe[0].value.set_index("Channel")
    assert status.loc["E-mail digests", "Last sent"] == "7 Dec 2026 07:01"
    assert status.loc["E-mail digests", "Last error"] == "—"
    assert status.loc["Team chat webhooks", "Last sent"] == "—"
    assert (
        status.loc["Team chat webhooks", "Last error"]
        == "HTTPStatusError: Server error '503 Service Unavailable'"
    )
    assert status.loc["Team chat webhooks", "Error at"] == "7 Dec 2026 07:05"
    assert status.loc["Team chat webhooks", "Waiting to retry"] == "1"
    assert status.loc["Scoring run", "Last sent"] == "—"
    assert status.loc["E-mail digests", "In doubt"] == (
        f"1 may not have arrived: process stopped while sending at {SENDING:%-d %b %Y %H:%M}"
    )
    assert status.loc["Team chat webhooks", "In doubt"] == "—"


def test_an_admin_resends_a_digest_in_doubt(app, app_database_url, no_smtp):
    open_digests(app, "ada")
    doubtful = app.dataframe[1].value
    assert doubtful[["Channel", "To", "Message-ID"]].values.tolist() == [
        ["E-mail digests", "Mark", "<1.2@example.com>"]
    ]
    app.button(key="FormSubmitter:resend_delivery-Resend").click().run()
    assert app.toast[0].value.endswith(": the next run sends it again.")
    assert len(app.dataframe) == 1
    with make_engine(app_database_url).connect() as conn:
        assert conn.scalar(select(AuditLog.action).where(AuditLog.entity == "delivery")) == "resend_delivery"
        assert conn.scalar(select(Delivery.sending_at).where(Delivery.recipient == "3")) is None
