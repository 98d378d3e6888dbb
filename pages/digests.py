import streamlit as st

from core import roles
from ui import auth, digest_views, writes

actor = auth.require_page("digests")

st.title("Digests")
writes.show_flash()
digest_views.preference_form(actor)
if roles.may(actor, "delivery_status"):
    digest_views.delivery_status(actor)
