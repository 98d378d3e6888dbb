import datetime as dt

import streamlit as st

from core import advocates, outreach, pipeline
from db.reads.advocates import OutreachFilter
from ui import advocate_views as views
from ui import auth, book, data, numbers, writes

actor = auth.require_page("advocates")

st.title("Advocate pipeline")
writes.show_flash()
today = dt.date.today()
settings = data.settings()
owner_id = book.scope(actor, "adv_scope")
deep = settings["program_deep"] >= 1
st.caption(
    f"Program mode: **{'deep' if deep else 'wide'}**"
    + (
        f" — the active pool is the top {settings['deep_pool_size']:g} contacts."
        if deep
        else " — the whole base."
    )
    + f" Rules as of {numbers.day(today)}: never ask at NPS {settings['nps_ask_floor']:g} or below or at risk; not in "
    f"the first {settings['new_customer_days']:g} days, {settings['complaint_days']:g} days after a complaint, "
    f"or {settings['recircle_days']:g} days after the last ask."
)

records = data.advocate_records()
if owner_id is not None:
    records = records[records["owner_id"] == owner_id]
names = records[["id", "contact_name", "account_name"]]
recent = data.recent_outreach(today - dt.timedelta(days=settings["recircle_days"]))
by_channel = outreach.rates(data.outreach_tally(OutreachFilter(dt.date.min, today)), "channel")
due = pipeline.follow_ups_due(
    recent[recent["advocate_id"].isin(records["id"])], today, settings, outreach.channel_order(by_channel)
)
due = due.merge(names, left_on="advocate_id", right_on="id")
owed = pipeline.owed_thank_yous(data.owed_thank_yous(), data.thank_yous(), today, settings)
owed = owed.merge(names, left_on="advocate_id", right_on="id")
st.markdown(
    f"**{numbers.count(len(due))}** {numbers.plural(len(due), 'follow-up')} due · "
    f"**{numbers.count(owed['overdue'].sum())}** {numbers.plural(owed['overdue'].sum(), 'thank-you')} overdue "
    f"({len(owed):,} owed)"
)

# Stateful tabs: a write's rerun keeps the user where they were, and closed tabs do no work.
ask_tab, board_tab, due_tab, thanks_tab = st.tabs(
    ["Who to ask", "Pipeline", "Follow-ups due", "Thank-yous owed"], key="adv_tab", on_change="rerun"
)
if ask_tab.open:
    with ask_tab:
        views.who_to_ask(
            actor, data.ranked_candidates(today, data.latest_scored_week(), owner_id), settings, today
        )
if board_tab.open:
    changes = data.stage_changes()
    fatigue = advocates.fatigue(data.reference_activities(), today, settings)
    with board_tab:
        views.pipeline_board(
            actor,
            records,
            changes[changes["advocate_id"].isin(records["id"])],
            fatigue,
            settings,
            today,
        )
if due_tab.open:
    with due_tab:
        views.follow_ups(actor, due, settings)
if thanks_tab.open:
    with thanks_tab:
        views.thank_yous(actor, owed, settings)
