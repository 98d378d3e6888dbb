"""The work queue on screen: whose tasks a user sees, the queue table, one task with its steps and the ways
to work it, the playbooks and whether they work."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import roles
from core import tasks as task_rules
from db import service
from db.service import Actor
from ui import advocate_forms, data, numbers, text, writes

EVERYONE, QUEUE = "Everyone", "Marketing queue"
# Rows of the queue drawn at once, the most urgent first (an admin's "Everyone" can hold tens of thousands).
QUEUE_ROWS = 500
ACTIVITY_TAB = "Log a call or e-mail"
SENTIMENTS = {
    1: "1 · very negative",
    2: "2 · negative",
    3: "3 · neutral",
    4: "4 · positive",
    5: "5 · very positive",
}


def whose(actor: Actor) -> tuple[tuple[int, ...] | None, bool]:
    """The owners whose tasks actor works and whether the marketing queue's too: an account manager their
    own, marketing theirs and the queue, an admin whoever the owner filter picks (everyone by default)."""
    if roles.may(actor, "all_tasks"):
        names = workers()
        chosen = st.selectbox("Owner", [EVERYONE, QUEUE, *names], format_func=lambda o: names.get(o, o))
        if chosen == EVERYONE:
            return None, True
        return ((), True) if chosen == QUEUE else ((int(chosen),), False)
    return (actor.id,), roles.may(actor, "program_queue")


def workers() -> dict[int, str]:
    """The active users who may own a task, id → name."""
    people = data.users()
    chosen = people[people["role"].isin(roles.TASK_OWNERS) & ~people["disabled"].astype(bool)]
    return dict(zip(chosen["id"].astype(int), chosen["name"], strict=True))


def queue_counts(actor: Actor, today: dt.date) -> dict[str, int] | None:
    """Overdue and due-this-week counts of actor's own queue (admins: every task), None for roles without one."""
    if not roles.may(actor, "task_queue"):
        return None
    owners, queue = (
        (None, True) if roles.may(actor, "all_tasks") else ((actor.id,), roles.may(actor, "program_queue"))
    )
    return task_rules.counts(data.open_tasks(owners, today, queue), today)


def queue_table(arranged: pd.DataFrame, board: pd.DataFrame | None) -> None:
    """The queue, one row per task in working order, with its account's score and four-week trend."""
    if arranged.empty:
        st.success("Nothing waits for you: no open task.")
        return
    if len(arranged) > QUEUE_ROWS:
        st.caption(
            f"Showing the {QUEUE_ROWS:,} most urgent of {len(arranged):,} tasks; choose an owner to see theirs."
        )
        arranged = arranged.head(QUEUE_ROWS)
    shown = pd.DataFrame(
        {
            "when": arranged["when"].map(task_rules.WHEN_LABELS),
            "group": arranged["group"],
            "score": _from_board(arranged, board, "score").map(numbers.score_plain),
            "trend": _from_board(arranged, board, "trend").map(numbers.signed)
            + " "
            + _from_board(arranged, board, "trend_arrow").fillna(""),
            "reason": arranged["reason"].map(task_rules.REASON_LABELS),
            "why": arranged["reason_text"],
            "due": arranged["due_on"].map(numbers.day),
            "owner": arranged["owner_name"].fillna(QUEUE),
            "link": "task?task=" + arranged["task_id"].astype(str),
        }
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "when": "When",
            "group": "Account",
            "score": "Score",
            "trend": st.column_config.TextColumn("4-week trend"),
            "reason": "Task",
            "why": st.column_config.TextColumn("Why", width="large"),
            "due": "Due",
            "owner": "Owner",
            "link": st.column_config.LinkColumn("", display_text="Open", width="small"),
        },
    )


def _from_board(arranged: pd.DataFrame, board: pd.DataFrame | None, column: str) -> pd.Series:
    if board is None:
        return pd.Series(None, index=arranged.index, dtype=object)
    values = board[column].reindex(arranged["account_id"].astype("float").to_numpy())
    return pd.Series(values.to_numpy(), index=arranged.index)


def steps_checklist(actor: Actor, task: pd.Series, steps: pd.DataFrame, may_work: bool) -> None:
    """The playbook's steps with their due days and check-offs (who and when)."""
    if steps.empty:
        st.caption("No playbook: this task has no steps.")
        return
    created = pd.Timestamp(task["created_at"]).normalize()
    for step in steps.itertuples():
        due = numbers.day(created + pd.Timedelta(days=step.day_offset))
        done = pd.notna(step.done_at)
        label = f"Day {step.day_offset} · {step.title} (due {due})"
        if done:
            label += f" — done {numbers.day(step.done_at)} by {numbers.text(step.done_by)}"
        checked = st.checkbox(
            text.literal(label),
            value=done,
            disabled=not may_work,
            key=f"step_{task['task_id']}_{step.position}",
        )
        if checked != done:
            writes.attempt(
                lambda position=step.position, checked=checked: service.check_step(
                    data.engine(), actor, int(task["task_id"]), position, checked
                ),
                f"Step {step.position} {'done' if checked else 'reopened'}.",
            )


def work_forms(actor: Actor, task: pd.Series) -> None:
    """Everything that moves a live task: a call, e-mail or meeting with its account, the subject's own record
    (sentiment, a follow-up, a thank-you), snooze, reassign, close with an outcome, dismiss."""
    task_id, version = int(task["task_id"]), int(task["version"])
    engine = data.engine()
    names = ["Record", "Snooze", "Reassign", "Close", "Dismiss"]
    about_account = pd.notna(task["account_id"])
    tabs = st.tabs([ACTIVITY_TAB, *names] if about_account else names)
    if about_account:
        with tabs[0]:
            activity_form(actor, task)
    record, snooze, reassign, close, dismiss = tabs[-5:]
    with record:
        subject_forms(actor, task)
    with snooze, st.form(f"snooze_{task_id}"):
        until = st.date_input("Snooze until", value=dt.date.today() + dt.timedelta(days=7))
        reason = st.text_input("Why it waits", max_chars=500)
        if st.form_submit_button("Snooze"):
            writes.attempt(
                lambda: service.snooze_task(engine, actor, task_id, version, until, reason),
                f"Snoozed until {numbers.day(until)}.",
            )
    with reassign, st.form(f"reassign_{task_id}"):
        names = {None: QUEUE, **workers()}
        owner = st.selectbox("New owner", list(names), format_func=names.get)
        if st.form_submit_button("Reassign"):
            writes.attempt(
                lambda: service.reassign_task(engine, actor, task_id, version, owner),
                f"Given to {names[owner]}.",
            )
    with close, st.form(f"close_{task_id}"):
        outcome = st.selectbox("Outcome", task_rules.TASK_OUTCOMES, format_func=task_rules.OUTCOME_LABELS.get)
        note = st.text_area("Note (needed for Other)", max_chars=service.MAX_NOTE_LENGTH)
        if st.form_submit_button("Close task", type="primary"):
            writes.attempt(
                lambda: service.close_task(engine, actor, task_id, version, outcome, note),
                f"Closed: {task_rules.OUTCOME_LABELS[outcome].lower()}.",
            )
    with dismiss, st.form(f"dismiss_{task_id}"):
        why = st.text_area("Why it needs no work", max_chars=service.MAX_NOTE_LENGTH)
        if st.form_submit_button("Dismiss"):
            writes.attempt(lambda: service.dismiss_task(engine, actor, task_id, version, why), "Dismissed.")


def activity_form(actor: Actor, task: pd.Series) -> None:
    """Log a call, e-mail or meeting with the task's account: the day (today unless changed), with whom (one
    of its contacts, optional), a note and what came of it (optional)."""
    task_id, today = int(task["task_id"]), dt.date.today()
    people = {None: "Not said", **data.contacts_of(int(task["account_id"]))["name"].to_dict()}
    with st.form(f"activity_{task_id}", clear_on_submit=True):
        channel = st.radio(
            "Channel",
            task_rules.ACTIVITY_CHANNELS,
            format_func=task_rules.ACTIVITY_CHANNEL_LABELS.get,
            horizontal=True,
        )
        happened_on = st.date_input("Date", value=today, max_value=today)
        contact = st.selectbox("With whom (optional)", list(people), format_func=people.get)
        note = st.text_area("Note", max_chars=service.MAX_NOTE_LENGTH, placeholder="What was said or agreed")
        outcome = st.text_input("Outcome (optional)", max_chars=200, placeholder="e.g. renewal call booked")
        if st.form_submit_button("Log it", type="primary"):
            writes.attempt(
                lambda: service.log_account_activity(
                    data.engine(),
                    actor,
                    task_id,
                    channel=channel,
                    happened_on=happened_on,
                    contact_id=contact,
                    note=note,
                    outcome=outcome,
                ),
                f"{task_rules.ACTIVITY_CHANNEL_LABELS[channel]} of {numbers.day(happened_on)} logged.",
            )


def activity_log(account_id: int) -> None:
    """The account's calls, e-mails and meetings (logged from its tasks), newest first."""
    logged = data.account_activities(account_id)
    if logged.empty:
        st.caption("No call, e-mail or meeting logged yet.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Date": logged["happened_on"].map(numbers.day),
                "Channel": logged["channel"].map(task_rules.ACTIVITY_CHANNEL_LABELS),
                "With": logged["contact"].map(numbers.text),
                "Note": logged["note"],
                "Outcome": logged["outcome"].map(numbers.text),
                "Logged by": logged["logged_by"].map(numbers.text),
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"Note": st.column_config.TextColumn(width="large")},
    )


def subject_forms(actor: Actor, task: pd.Series) -> None:
    """Record on the task's subject what was done: the account's sentiment, a follow-up or a thank-you to
    the advocate. A call about an account is checked off as its playbook step."""
    name = text.literal(task["account_name"] or "")
    if task["subject_kind"] == "advocate" and task["reason"] == "follow_up_due":
        advocate_forms.outreach_form(
            actor, int(task["subject_id"]), name, f"task_{task['task_id']}", True, "email"
        )
    elif task["subject_kind"] == "advocate" and task["reason"] == "thank_you_owed":
        advocate_forms.thank_you_form(actor, int(task["subject_id"]), name, f"task_{task['task_id']}")
    if pd.notna(task["account_id"]) and roles.in_book(actor, task["account_owner_id"]):
        sentiment_form(actor, int(task["account_id"]), f"task_{task['task_id']}")
    if task["subject_kind"] in ("reference_request", "asset"):
        st.page_link(
            "pages/references.py" if task["subject_kind"] == "reference_request" else "pages/library.py",
            label="Work it on the Reference requests page"
            if task["subject_kind"] == "reference_request"
            else "Review it in the Asset library",
        )


def sentiment_form(actor: Actor, account_id: int, key: str) -> None:
    """The account team's read of an account (1–5 and a note), for those who may record it."""
    if not roles.may(actor, "record_sentiment"):
        return
    with st.form(f"{key}_sentiment", clear_on_submit=True):
        sentiment = st.select_slider(
            "Sentiment", options=list(SENTIMENTS), value=3, format_func=SENTIMENTS.get
        )
        note = st.text_area(
            "Note", max_chars=service.MAX_NOTE_LENGTH, placeholder="What you heard, and from whom"
        )
        if st.form_submit_button("Record sentiment", type="primary"):
            writes.attempt(
                lambda: service.record_sentiment(data.engine(), actor, account_id, sentiment, note),
                "Recorded. It counts in customer feedback from the next scoring run.",
            )
