"""The digest in the browser: amy turns her weekly digest on, the digest run sends it to a real SMTP server on
127.0.0.1, and its link opens the task in the app, and the task its account."""

from __future__ import annotations

import datetime as dt
import shutil
from html import escape

import pytest
from playwright.sync_api import expect
from sqlalchemy import insert, select

from db import digests, mail, service
from db.engine import make_engine
from db.models import Account, Task, User
from tests.e2e.conftest import build_demo, log_in, screenshot, settle, streamlit_server
from tests.mail_servers import smtp_server

ADMIN = service.Actor(id=None, username="e2e", name="E2E", role="admin")


@pytest.fixture(scope="module")
def server(built_once, tmp_path_factory):
    copy = tmp_path_factory.mktemp("digest") / "demo.db"
    # The demo as built, not this worker's copy that earlier browser tests changed.
    shutil.copy(built_once("e2e-demo.db", build_demo), copy)
    with streamlit_server(f"sqlite:///{copy}") as running:
        yield running


def a_new_task_for(engine, username: str) -> tuple[int, str, str]:
    """A task raised today on one of username's accounts: (task id, account name, reason text)."""
    with engine.begin() as conn:
        owner = conn.scalar(select(User.id).where(User.username == username))
        busy = select(Task.subject_id).where(
            Task.reason == "renewal_at_risk", Task.status.in_(("open", "snoozed"))
        )
        account_id, name = conn.execute(
            select(Account.id, Account.name)
            .where(Account.owner_id == owner, Account.id.not_in(busy))
            .order_by(Account.id)
            .limit(1)
        ).one()
        reason = "Renewal in 21 days while at risk (score 48)."
        task_id = conn.scalar(
            insert(Task)
            .returning(Task.id)
            .values(
                reason="renewal_at_risk",
                subject_kind="account",
                subject_id=account_id,
                account_id=account_id,
                owner_id=owner,
                reason_text=reason,
                due_on=dt.date.today() + dt.timedelta(days=2),
                status="open",
                created_at=service.now(),
            )
        )
    return task_id, name, reason


def test_the_digest_arrives_and_its_link_opens_the_account(server, page):
    log_in(page, server.url, "amy")
    page.goto(f"{server.url}/digests")
    expect(page.locator("h1")).to_have_text("Digests")
    page.get_by_text("Weekly", exact=True).click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Digest: Weekly.")).to_be_visible()
    settle(page)
    screenshot(page, "digests-amy")

    engine = make_engine(server.database_url)
    task_id, name, reason = a_new_task_for(engine, "amy")
    # Due at any hour of any day, so the test does not depend on the clock.
    service.update_settings(engine, ADMIN, {"digest_hour": 0, "digest_weekday": 1})
    with smtp_server() as inbox:
        target = mail.Destinations(
            mail.SmtpSettings(inbox.host, inbox.port, "none", "digests@example.com"), server.url, (), {}
        )
        with mail.mailer(target) as sender:
            digests.send_digests(engine, target, sender, service.now())
    engine.dispose()
    received = {message["To"]: message for message in inbox.messages}
    message = received["amy@advocacy-demo.example"]
    assert message["Subject"].startswith("Your weekly digest, week of ")
    text = message.get_body(("plain",)).get_content()
    assert f"- {name}: {reason} — due " in text
    html = message.get_body(("html",)).get_content()
    link = f"{server.url}/task?task={task_id}"
    assert f'<a href="{link}">{escape(name)}</a>' in html

    page.goto(link)
    expect(page.locator("h1")).to_have_text(f"At-risk renewal: {name}")
    expect(page.get_by_text(reason)).to_be_visible()
    settle(page)
    page.get_by_role("link", name="Open the account").click()
    expect(page.locator("h1")).to_have_text(name)
