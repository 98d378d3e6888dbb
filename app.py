"""Entry point: configure the page, log in, and show the pages the user's role may open."""

import datetime as dt

import streamlit as st

from core import roles
from db import logs
from ui import auth, start, work_views

logs.configure()
st.set_page_config(page_title=start.PRODUCT, page_icon=str(start.ICON), layout="wide")
st.logo(str(start.LOGO), icon_image=str(start.ICON), size="large")
start.prepare_database()

pages = start.pages()
if auth.current_actor() is None:
    # Register every page (hidden, none runs) before the login form: a run without
    # st.navigation makes Streamlit forget the deep link the user opened.
    st.navigation(list(pages.values()), position="hidden")
actor = auth.login()
# Every page is registered, so a page outside the role says so (each page's guard, before any data) instead of
# Streamlit's "Page not found". Our own menu lists only the role's pages: the built-in one is switched off so a
# fresh server's pages/ listing never shows.
navigation = st.navigation(list(pages.values()), position="hidden")
counts = work_views.queue_counts(actor, dt.date.today())
with st.sidebar:
    for spec in roles.pages_for(actor.role):
        if spec.in_menu:
            st.page_link(pages[spec.key])
        if spec.key == "home" and counts:
            st.caption(f"{counts['overdue']:,} overdue · {counts['this_week']:,} due this week")
auth.account_menu(actor)
navigation.run()
