import streamlit as st

from ui import admin_views as views
from ui import auth, coverage_views, data, profile_views, writes

actor = auth.require_page("admin")

st.title("Admin")
writes.show_flash()

# Stateful tabs: a write's rerun keeps the admin where they were, and closed tabs do no work.
users_tab, settings_tab, profiles_tab, audit_tab, scoring_tab, coverage_tab = st.tabs(
    ["Users", "Settings", "Health profiles", "Audit log", "Scoring run", "Data coverage"],
    key="admin_tab",
    on_change="rerun",
)
if users_tab.open:
    with users_tab:
        views.users(actor, data.users())
if settings_tab.open:
    with settings_tab:
        views.settings(actor, data.settings(), data.latest_scored_week())
if profiles_tab.open:
    with profiles_tab:
        profile_views.panel(actor, data.latest_scored_week())
if audit_tab.open:
    with audit_tab:
        views.audit_log()
if scoring_tab.open:
    with scoring_tab:
        views.scoring_run(actor, data.latest_scored_week())
if coverage_tab.open:
    with coverage_tab:
        coverage_views.panel(data.latest_scored_week())
