import datetime as dt

import pandas as pd
import streamlit as st

from core import roles
from core import tasks as task_rules
from db import service
from ui import auth, data, numbers, writes

actor = auth.require_page("playbooks")

NEW = "New playbook"

st.title("Playbooks")
writes.show_flash()
listed, steps = data.playbooks()
st.caption(
    "Each reason's active playbook gives its new tasks their steps; tasks keep the version they were raised with."
)
st.dataframe(
    pd.DataFrame(
        {
            "name": listed["name"],
            "reason": listed["reason"].map(task_rules.REASON_LABELS),
            "steps": [
                " → ".join(
                    f"day {s.day_offset}: {s.title}" for s in steps[steps["playbook_id"] == pid].itertuples()
                )
                for pid in listed.index
            ],
            "state": listed["retired_on"].map(
                lambda day: "active" if pd.isna(day) else f"retired {numbers.day(day)}"
            ),
            "open": listed["open_tasks"],
            "all": listed["all_tasks"],
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "name": "Playbook",
        "reason": "Reason",
        "steps": st.column_config.TextColumn("Steps", width="large"),
        "state": "State",
        "open": "Open tasks",
        "all": "All tasks",
    },
)

if roles.may(actor, "save_playbook"):
    st.subheader("Edit a playbook")
    writes.show_stale()
    names = {NEW: None, **{row.name: pid for pid, row in listed.iterrows()}}
    chosen = st.selectbox("Playbook", list(names))
    playbook_id = names[chosen]
    current = listed.loc[playbook_id] if playbook_id is not None else None
    own_steps = (
        steps.loc[steps["playbook_id"] == playbook_id, ["day_offset", "title"]]
        if playbook_id is not None
        else pd.DataFrame({"day_offset": [0], "title": [""]})
    )
    with st.form(f"playbook_{playbook_id}_{current['version'] if current is not None else 0}"):
        name = st.text_input("Name", value="" if current is None else current["name"], max_chars=100)
        reason = st.selectbox(
            "Reason",
            task_rules.TASK_REASONS,
            index=0 if current is None else task_rules.TASK_REASONS.index(current["reason"]),
            format_func=task_rules.REASON_LABELS.get,
        )
        description = st.text_area("Description", value="" if current is None else current["description"])
        edited = st.data_editor(
            own_steps.reset_index(drop=True),
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "day_offset": st.column_config.NumberColumn(
                    "Day", min_value=0, max_value=365, step=1, required=True
                ),
                "title": st.column_config.TextColumn("Step", required=True, max_chars=200),
            },
        )
        if st.form_submit_button("Save", type="primary"):
            rows = edited.dropna(how="all")
            writes.attempt(
                lambda: service.save_playbook(
                    data.engine(),
                    actor,
                    playbook_id,
                    None if current is None else int(current["version"]),
                    name=name,
                    reason=reason,
                    description=description,
                    steps=[
                        (int(day) if pd.notna(day) else -1, str(title or ""))
                        for day, title in rows.itertuples(index=False)
                    ],
                ),
                f"Saved {name}.",
            )
    if current is not None:
        retired = pd.notna(current["retired_on"])
        left, right = st.columns(2)
        if left.button("Restore" if retired else "Retire"):
            writes.attempt(
                lambda: service.retire_playbook(
                    data.engine(), actor, playbook_id, int(current["version"]), not retired
                ),
                f"{'Restored' if retired else 'Retired'} {current['name']}.",
            )
        if right.button("Delete", help="Only a playbook no task ever used; retire one that tasks use."):
            writes.attempt(
                lambda: service.delete_playbook(data.engine(), actor, playbook_id, int(current["version"])),
                f"Deleted {current['name']}.",
            )

st.subheader("Does the playbook work?")
horizon = int(data.settings()["churn_horizon_days"])
effect = data.playbook_effect(dt.date.today(), horizon)
st.caption(
    f"Churn within {horizon} days of account tasks that were worked (closed, any outcome) against those dismissed "
    "or left overdue, per playbook and reason, with 95% Wilson intervals. A task counts once its whole window has "
    "passed. This is association, not proof: who works a task, and which tasks get worked, is not random — an "
    "account that was about to churn anyway may simply have had its task dismissed."
)
if effect.empty:
    st.info(f"No account task has closed, been dismissed or gone overdue more than {horizon} days ago yet.")
else:

    def share(rate: float, low: float, high: float, n: int) -> str:
        if not n:
            return "—"
        return f"{numbers.percent(rate)} ({numbers.percent(low)}–{numbers.percent(high)}, n = {n:,})"

    st.dataframe(
        pd.DataFrame(
            {
                "playbook": effect["playbook"],
                "reason": effect["reason"].map(task_rules.REASON_LABELS),
                "worked": [
                    share(r.worked_rate, r.worked_low, r.worked_high, r.worked) for r in effect.itertuples()
                ],
                "not_worked": [
                    share(r.not_worked_rate, r.not_worked_low, r.not_worked_high, r.not_worked)
                    for r in effect.itertuples()
                ],
                "verdict": effect["verdict"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "playbook": "Playbook",
            "reason": "Reason",
            "worked": "Churned when worked",
            "not_worked": "Churned when dismissed or overdue",
            "verdict": st.column_config.TextColumn("What we can say", width="large"),
        },
    )
