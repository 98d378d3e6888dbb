"""From a score drop to a saved account in a real browser: the drop raises a task in its owner's queue
(Home), the owner works the playbook's steps and closes the task as saved."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, text

from db.engine import make_engine
from db.models import Task
from db.reads import accounts as account_reads
from tests.e2e.conftest import build_demo, log_in, screenshot, settle, streamlit_server

pytestmark = pytest.mark.e2e

DIMENSIONS = ("usage", "outcomes", "utilisation", "feedback", "support")


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


def test_a_score_drop_becomes_a_task_that_is_worked_to_saved(dropped, browser):
    url, account_id, name = dropped
    with streamlit_server(url) as server:
        admin = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        log_in(admin, server.url, "admin")
        admin.get_by_role("button", name="Generate tasks now").click()
        # The copy of the shared demo database may hold other tests' changes that call for tasks of their own.
        expect(admin.get_by_text(re.compile(r"Raised \d+ new tasks?"))).to_be_visible()
        admin.context.close()

        engine = make_engine(url)
        with engine.connect() as conn:
            task_id, reason_text = conn.execute(
                select(Task.id, Task.reason_text).where(
                    Task.subject_id == account_id, Task.reason == "score_drop"
                )
            ).one()
        assert reason_text.startswith("Score fell ") and " to 62 in the week of " in reason_text

        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        log_in(page, server.url, "amy")
        queue = page.get_by_test_id("stDataFrame").first
        expect(queue).to_contain_text(name)
        expect(queue).to_contain_text("Sharp score drop")
        screenshot(page, "work-queue-amy")

        page.goto(f"{server.url}/task?task={task_id}")
        expect(page.locator("h1")).to_have_text(f"Sharp score drop: {name}")
        for step in ("Day 0 · Review what moved the score", "Day 3 · Call the champion"):
            page.get_by_text(step).click()
            settle(page)
            expect(page.get_by_text(step)).to_contain_text("done")
        page.get_by_role("tab", name="Close").click()
        form = page.get_by_test_id("stForm").filter(has_text="Outcome")
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
        engine.dispose()
        assert (status, outcome, steps) == ("closed", "saved", 2)
