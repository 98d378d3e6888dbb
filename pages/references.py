import datetime as dt

import streamlit as st

from core import references, roles
from ui import auth, data, writes
from ui import reference_views as views

actor = auth.require_page("references")

st.title("Reference requests")
writes.show_flash()
st.caption(
    "Find the case study or reference customer that matches the prospect in front of you, ask marketing for it, "
    "and see which references win deals."
)
today = dt.date.today()
settings = data.settings()
requests = data.reference_requests()
sla = references.sla(requests, dt.datetime.now())
views.summary_tiles(references.summary(requests, sla["overdue"]))

match_tab, requests_tab, influence_tab = st.tabs(
    ["Match a prospect", "Requests", "What references win"], key="ref_tab", on_change="rerun"
)
if match_tab.open:
    with match_tab:
        prospect = views.prospect_form("match")
        if prospect is None:
            st.info("Choose the prospect's industry to see matching assets and reference customers.")
        else:
            views.show_matches(*views.matches(prospect, today, settings))
            views.request_form(actor, prospect, settings)
if requests_tab.open:
    with requests_tab:
        # Those who only ask for references see their own first; those who fulfil them see all.
        mine = st.toggle("Only my requests", value=not roles.may(actor, "assign_reference"), key="ref_mine")
        shown = requests[requests["requested_by"] == actor.id] if mine else requests
        views.request_table(shown, sla)
        views.work_request(actor, shown, today, settings)
if influence_tab.open:
    with influence_tab:
        records = data.advocate_records().set_index("id")[["contact_name", "account_name"]]
        views.influence(data.library(today, data.latest_scored_week()), records)
