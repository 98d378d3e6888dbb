"""Home as each role's work, a task worked from its own page, and the playbooks page (AppTest).

The scoring run of the page database raises, from tests/db/factories.py's book: for amy, account 2 at risk
(score 24) and renewing within 90 days; for the marketing queue, the one reference request (needed by
12 Nov 2026, no advocate): overdue and unassigned.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.models import Playbook, Task
from tests.pages.conftest import log_in


@pytest.fixture
def app_database_url(tmp_path) -> str:
    # A database of its own: these tests close tasks.
    from tests.db.factories import build_book
    from tests.pages.conftest import database_at

    return database_at(tmp_path, build_book)


def metrics(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_an_account_manager_sees_her_book_grouped_by_account(app):
    log_in(app, "amy")
    assert not app.exception
    assert app.title[0].value == "Home"
    assert metrics(app) == {"Overdue": "0", "Due this week": "0", "Open tasks": "2"}
    table = app.dataframe[0].value
    assert table["group"].tolist() == ["Account 2", "Account 2"]
    assert table["reason"].tolist() == ["Entered at risk", "At-risk renewal"]
    assert table["score"].tolist() == ["24", "24"]
    assert app.sidebar.caption[0].value == "0 overdue · 0 due this week"
    assert not [b for b in app.button if b.label == "Generate tasks now"]


def test_a_queue_longer_than_a_page_shows_its_most_urgent_tasks(app, monkeypatch):
    from ui import work_views

    monkeypatch.setattr(work_views, "QUEUE_ROWS", 1)
    log_in(app, "mark")
    # The two open tasks of the marketing queue; only the more urgent one is drawn, and the tiles count both.
    assert metrics(app)["Open tasks"] == "2"
    assert app.dataframe[0].value["reason"].tolist() == ["Reference request needs an advocate"]
    assert "Showing the 1 most urgent of 2 tasks; choose an owner to see theirs." in [
        c.value for c in app.caption
    ]


def test_marketing_sees_the_program_queue_overdue_first(app):
    log_in(app, "mark")
    assert metrics(app)["Overdue"] == "1"
    table = app.dataframe[0].value
    assert table["reason"].tolist() == ["Reference request needs an advocate", "Reference request overdue"]
    assert table["owner"].tolist() == ["Marketing queue", "Marketing queue"]


def test_sales_home_shows_requests_and_finds_case_studies_not_health(app):
    log_in(app, "sam")
    assert not app.exception
    assert [s.value for s in app.subheader] == ["My reference requests", "Find a case study"]
    assert not app.metric or set(metrics(app)) == {"Waiting", "Overdue", "Fulfilled"}
    industries = next(box for box in app.selectbox if box.label == "Prospect's industry")
    assert industries.options == []  # this book has no asset


def test_admin_generates_tasks_on_demand(app):
    log_in(app, "ada")
    assert metrics(app)["Open tasks"] == "4"
    next(b for b in app.button if b.label == "Generate tasks now").click().run()
    assert not app.exception and not app.error


def test_a_task_is_worked_through_its_steps_and_closed_as_saved(app, app_database_url):
    log_in(app, "amy")
    engine = make_engine(app_database_url)
    with engine.connect() as conn:
        task_id = conn.scalar(select(Task.id).where(Task.reason == "at_risk"))
    app.query_params["task"] = str(task_id)
    app.switch_page("pages/task.py").run()
    assert app.title[0].value == "Entered at risk: Account 2"
    boxes = app.checkbox
    assert [box.label.split(" (due")[0] for box in boxes] == [
        "Day 0 · Review the drivers on the account page",
        "Day 2 · Call the champion",
        "Day 7 · E-mail the exec sponsor",
    ]
    for position in range(3):
        app.checkbox[position].check().run()
        assert not app.error
    assert all(box.value for box in app.checkbox)
    next(box for box in app.selectbox if box.label == "Outcome").select("saved")
    next(button for button in app.button if button.label == "Close task").click()
    app.run()
    assert not app.error
    with engine.connect() as conn:
        status, outcome = conn.execute(select(Task.status, Task.outcome).where(Task.id == task_id)).one()
    assert (status, outcome) == ("closed", "saved")
    assert "closed: saved" in app.caption[0].value


def test_playbooks_page_shows_the_seeded_playbooks_and_no_claim_without_history(app):
    log_in(app, "ada")
    app.switch_page("pages/playbooks.py").run()
    assert not app.exception
    listed = app.dataframe[0].value
    assert len(listed) == 9
    at_risk = listed[listed["name"] == "At-risk save"].iloc[0]
    assert at_risk["steps"] == (
        "day 0: Review the drivers on the account page → day 2: Call the champion → day 7: E-mail the exec sponsor"
    )
    assert app.info[-1].value.startswith("No account task has closed")


def test_admin_saves_a_new_version_of_a_playbook_and_cannot_delete_one_in_use(app, app_database_url):
    log_in(app, "ada")
    app.switch_page("pages/playbooks.py").run()
    next(box for box in app.selectbox if box.label == "Playbook").select("At-risk save").run()
    next(area for area in app.text_area if area.label == "Description").input("Two steps are enough.")
    next(button for button in app.button if button.label == "Save").click().run()
    assert not app.error
    engine = make_engine(app_database_url)
    with engine.connect() as conn:
        version = conn.scalar(select(Playbook.version).where(Playbook.name == "At-risk save"))
    assert version == 2
    next(box for box in app.selectbox if box.label == "Playbook").select("At-risk save").run()
    next(button for button in app.button if button.label == "Delete").click().run()
    assert app.error[0].value == "At-risk save is used by 1 task (1 open): retire it instead of deleting it."


def test_a_call_is_logged_on_the_task_and_shown_on_the_task_and_the_account(app, app_database_url):
    log_in(app, "amy")
    engine = make_engine(app_database_url)
    with engine.connect() as conn:
        task_id = conn.scalar(select(Task.id).where(Task.reason == "at_risk"))
    app.query_params["task"] = str(task_id)
    app.switch_page("pages/task.py").run()
    assert app.tabs[0].label == "Log a call or e-mail"
    assert "No call, e-mail or meeting logged yet." in [c.value for c in app.main.caption]
    next(radio for radio in app.radio if radio.label == "Channel").set_value("meeting")
    next(area for area in app.text_area if area.label == "Note").input("QBR: usage dropped after the reorg")
    next(box for box in app.text_input if box.label == "Outcome (optional)").input("Training planned")
    app.button(key=f"FormSubmitter:activity_{task_id}-Log it").click().run()
    assert not app.error, [e.value for e in app.error]
    assert app.toast[0].value.startswith("Meeting of ") and app.toast[0].value.endswith(" logged.")
    logged = app.dataframe[-1].value
    assert logged[["Channel", "With", "Note", "Outcome", "Logged by"]].values.tolist() == [
        ["Meeting", "—", "QBR: usage dropped after the reorg", "Training planned", "Amy"]
    ]
    # An empty note is refused in place, naming the field.
    app.button(key=f"FormSubmitter:activity_{task_id}-Log it").click().run()
    assert app.error[0].value == "Note: say what was said or agreed."

    app.query_params["account"] = "2"
    app.switch_page("pages/account.py").run()
    assert not app.exception
    assert "Calls and e-mails" in [s.value for s in app.subheader]
    assert app.dataframe[-1].value["Note"].tolist() == ["QBR: usage dropped after the reorg"]
