import pandas as pd
import streamlit as st

from core import roles
from core import tasks as task_rules
from ui import auth, data, numbers, text, work_views, writes

actor = auth.require_page("task")

requested = st.query_params.get("task", "")
found = data.task(int(requested)) if requested.isdigit() else None
if found is None:
    st.title("Task")
    st.warning("No such task. Open one from Home.")
    st.page_link("pages/home.py", label="Home", icon=":material/home:")
    st.stop()
task, steps = found
subject = task["account_name"] if pd.notna(task["account_name"]) else task_rules.REASON_LABELS[task["reason"]]
st.title(text.literal(f"{task_rules.REASON_LABELS[task['reason']]}: {subject}"))
writes.show_flash()
writes.show_stale()
st.markdown(text.literal(task["reason_text"]))
status = task["status"]
if status == "snoozed":
    status = f"snoozed until {numbers.day(task['snoozed_until'])} ({numbers.text(task['snooze_reason'])})"
elif status in ("closed", "dismissed"):
    outcome = f": {task_rules.OUTCOME_LABELS[task['outcome']].lower()}" if pd.notna(task["outcome"]) else ""
    note = f" ({task['close_note']})" if pd.notna(task["close_note"]) else ""
    by = f" by {task['closed_by_name']}" if pd.notna(task["closed_by_name"]) else ""
    status = f"{status}{outcome} on {numbers.day(task['closed_at'])}{by}{note}"
st.caption(
    text.literal(
        f"Owner {numbers.text(task['owner_name']) if pd.notna(task['owner_id']) else work_views.QUEUE} · "
        f"due {numbers.day(task['due_on'])} · raised {numbers.day(task['created_at'])} · {status} · "
        f"playbook {numbers.text(task['playbook'])}"
    )
)
if pd.notna(task["account_id"]) and roles.may_open(actor.role, "account"):
    st.page_link(
        "pages/account.py", label="Open the account", query_params={"account": int(task["account_id"])}
    )
live = task["status"] in task_rules.LIVE_STATUSES
may_work = live and roles.may(actor, "close_task") and roles.in_book(actor, task["owner_id"])
st.subheader("Steps")
work_views.steps_checklist(actor, task, steps, may_work)
if may_work:
    st.subheader("Work it")
    work_views.work_forms(actor, task)
if pd.notna(task["account_id"]):
    st.subheader("Calls and e-mails")
    work_views.activity_log(int(task["account_id"]))
