"""Entry point: configure the page, log in, and show the pages the user's role may open."""

import datetime as dt
from pathlib import Path

import streamlit as st

from core import roles
from db import logs
from ui import auth, work_views

# A file of our own: a Material icon as page_icon makes the browser fetch the favicon from Google's servers.
ICON = Path(__file__).resolve().parent / "assets" / "favicon.png"
logs.configure()
st.set_page_config(page_title="Customer Advocacy & Health", page_icon=str(ICON), layout="wide")

pages = {
    spec.key: st.Page(
        spec.path, title=spec.title, icon=spec.icon, url_path=spec.key, default=spec.key == "home"
    )
    for spec in roles.PAGES
}
if auth.current_actor() is None:
    # Register every page (hidden, none runs) before the login form: a run without
    # st.navigation makes Streamlit forget the deep link the user opened.
    st.navigation(list(pages.values()), position="hidden")
actor = auth.login()
allowed = [pages[spec.key] for spec in roles.pages_for(actor.role)]
# Our own menu: the built-in one is switched off so a fresh server's pages/ listing never shows.
navigation = st.navigation(allowed, position="hidden")
counts = work_views.queue_counts(actor, dt.date.today())
with st.sidebar:
    for spec in roles.pages_for(actor.role):
        if spec.in_menu:
            st.page_link(pages[spec.key])
        if spec.key == "home" and counts:
            st.caption(f"{counts['overdue']:,} overdue · {counts['this_week']:,} due this week")
auth.account_menu(actor)
navigation.run()
