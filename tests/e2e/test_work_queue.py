"""From a score drop to a saved account in a real browser: amy turns her weekly digest on; the drop raises a
task in her queue (Home); the digest run sends her digest, naming the task, to a real SMTP server on
127.0.0.1, and its link opens the task; she works the playbook's steps, logs a call with the account's
contact and closes the task as saved; the account page lists the call."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from html import escape

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, text

from db import digests, mail, service
from db.engine import make_engine
from db.models import AccountActivity, Contact, Task
from db.reads import accounts as account_reads
from tests.e2e.conftest import build_demo, enter, screenshot, settle, streamlit_server
from tests.mail_servers import smtp_server

pytestmark = pytest.mark.e2e

DIMENSIONS = ("usage", "outcomes", "utilisation", "feedback", "support")
ADMIN = service.Actor(id=None, username="e2e", name="E2E", role="admin")
NOTE = "Champion says the reorg cut usage; agreed a training plan"


@pytest.fixture(scope="module")
def dropped(built_once, tmp_path_factory) -> tuple[str, int, str]:
    """A copy of the demo database in which one of amy's healthy accounts scored 62 in the latest week, 18
    points or more below its score four weeks before: (url, account id, account name)."""
    copy = tmp_path_factory.mktemp("work") / "demo.db"
    # The demo as built, not this worker's copy that earlier browser tests changed.
    shutil.copy(built_once("e2e-demo.db", build_demo), copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    week = account_reads.latest_scored_week(engine)
    with engine.begin() as conn:
        account_id, name = conn.execute(
            text(
                "SELECT a.id, a.name FROM accounts a JOIN users u ON u.id = a.owner_id "
                "JOIN health_snapshots s ON s.account_id = a.id AND s.week_start = :week "
                "JOIN health_snapshots p ON p.account_id = a.id AND p.week_start = :before "
                "WHERE u.username = 'amy' AND p.score >= 80 AND s.score >= 75 "
                "AND a.id NOT IN (SELECT subject_id FROM tasks WHERE subject_kind = 'account') "
                "AND a.id IN (SELECT account_id FROM contacts) "
                "ORDER BY a.id LIMIT 1"
            ),
            {"week": week, "before": week - dt.timedelta(weeks=4)},
        ).one()
        # Every sub-score at 62: the score is 62 under any weights, a drop of 18 or more, still above at risk.
        conn.execute(
            text(
                f"UPDATE health_snapshots SET score = 62, {', '.join(f'{d} = 62' for d in DIMENSIONS)} "
                "WHERE account_id = :account AND week_start = :week"
            ),
            {"account": account_id, "week": week},
        )
    engine.dispose()
    return url, account_id, name


def send_digests(engine, app_url: str):
    """The digest run, due at any hour of any day so the test does not depend on the clock: the messages the
    test SMTP server received."""
    service.update_settings(engine, ADMIN, {"digest_hour": 0, "digest_weekday": 1})
    with smtp_server() as inbox:
        target = mail.Destinations(
            mail.SmtpSettings(inbox.host, inbox.port, "none", "digests@example.com"), app_url, (), {}
        )
        with mail.mailer(target) as sender:
            digests.send_digests(engine, target, sender, service.now())
    return inbox.messages


def test_a_score_drop_becomes_a_task_in_the_digest_that_is_worked_to_saved(dropped, browser, page):
    url, account_id, name = dropped
    engine = make_engine(url)
    with streamlit_server(url) as server:
        enter(page, server.url, "amy", "/digests")
        expect(page.locator("h1")).to_have_text("Digests")
        page.get_by_text("Weekly", exact=True).click()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Digest: Weekly.")).to_be_visible()
        settle(page)
        screenshot(page, "digests-amy")

        admin = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        enter(admin, server.url, "admin")
        admin.get_by_role("button", name="Generate tasks now").click()
        # The copy of the shared demo database may hold other tests' changes that call for tasks of their own.
        expect(admin.get_by_text(re.compile(r"Raised \d+ new tasks?"))).to_be_visible()
        admin.context.close()
        with engine.connect() as conn:
            task_id, reason = conn.execute(
                select(Task.id, Task.reason_text).where(
                    Task.subject_id == account_id, Task.reason == "score_drop"
                )
            ).one()
            contact_id, contact = conn.execute(
                select(Contact.id, Contact.name)
                .where(Contact.account_id == account_id)
                .order_by(Contact.name)
            ).first()
        assert reason.startswith("Score fell ") and " to 62 in the week of " in reason

        page.goto(server.url)
        queue = page.get_by_test_id("stDataFrame").first
        expect(queue).to_contain_text(name)
        expect(queue).to_contain_text("Sharp score drop")
        screenshot(page, "work-queue-amy")

        # The digest, sent once the task exists, names it and links to it.
        received = {message["To"]: message for message in send_digests(engine, server.url)}
        message = received["amy@advocacy-demo.example"]
        assert message["Subject"].startswith("Your weekly digest, week of ")
        assert f"- {name}: {reason} — due " in message.get_body(("plain",)).get_content()
        link = f"{server.url}/task?task={task_id}"
        assert f'<a href="{link}">{escape(name)}</a>' in message.get_body(("html",)).get_content()

        page.goto(link)
        expect(page.locator("h1")).to_have_text(f"Sharp score drop: {name}")
        expect(page.get_by_text(reason)).to_be_visible()
        for step in ("Day 0 · Review what moved the score", "Day 3 · Call the champion"):
            page.get_by_text(step).click()
            settle(page)
            expect(page.get_by_text(step)).to_contain_text("done")

        page.get_by_role("tab", name="Log a call or e-mail").click()
        form = page.get_by_role("tabpanel", name="Log a call or e-mail")
        form.get_by_test_id("stSelectbox").click()
        page.get_by_role("option", name=contact).click()
        form.get_by_label("Note").fill(NOTE)
        form.get_by_label("Outcome (optional)").fill("Training booked")
        form.get_by_role("button", name="Log it").click()
        settle(page)
        log = page.get_by_test_id("stDataFrame").last
        expect(log).to_contain_text("Training booked")

        page.get_by_role("tab", name="Close").click()
        form = page.get_by_role("tabpanel", name="Close")
        form.get_by_test_id("stSelectbox").click()
        page.get_by_role("option", name="Saved").click()
        form.get_by_role("button", name="Close task").click()
        settle(page)
        expect(page.get_by_text("· closed: saved on")).to_be_visible()
        screenshot(page, "work-task-saved")
        with engine.connect() as conn:
            status, outcome, steps = conn.execute(
                text(
                    "SELECT status, outcome, (SELECT COUNT(*) FROM task_steps WHERE task_id = :id) "
                    "FROM tasks WHERE id = :id"
                ),
                {"id": task_id},
            ).one()
            logged = conn.execute(
                select(
                    AccountActivity.account_id,
                    AccountActivity.task_id,
                    AccountActivity.channel,
                    AccountActivity.contact_id,
                    AccountActivity.note,
                    AccountActivity.outcome,
                    AccountActivity.happened_on,
                )
            ).all()
        assert (status, outcome, steps) == ("closed", "saved", 2)
        assert [tuple(row) for row in logged] == [
            (account_id, task_id, "call", contact_id, NOTE, "Training booked", dt.date.today())
        ]

        page.get_by_role("link", name="Open the account").click()
        expect(page.locator("h1")).to_have_text(name)
        expect(page.get_by_test_id("stDataFrame").last).to_contain_text("Training booked")
    engine.dispose()
