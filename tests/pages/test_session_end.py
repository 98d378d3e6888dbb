"""An open session ends on its next rerun, and its writes are refused, once the user's sessions were ended elsewhere."""

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db import service
from db.engine import make_engine
from db.models import User
from db.reads import settings as settings_reads
from tests.db.factories import add_user, build_book
from tests.pages.conftest import APP, database_at, log_in
from ui.text import literal


def with_second_admin(engine) -> None:
    build_book(engine)
    add_user(engine, "bob", "admin")


@pytest.fixture
def app_database_url(tmp_path) -> str:
    """A fresh database with bob, a second admin: these tests end sessions."""
    return database_at(tmp_path, with_second_admin)


@pytest.fixture
def app_engine(app_database_url):
    database = make_engine(app_database_url)
    yield database
    database.dispose()


def user(app_engine, username: str):
    with app_engine.connect() as conn:
        return conn.execute(select(User).where(User.username == username)).one()


def bob(app_engine) -> service.Actor:
    return service.Actor(id=user(app_engine, "bob").id, username="bob", name="Bob", role="admin")


def shows_the_login_form(app) -> bool:
    return [t.label for t in app.text_input] == ["Username", "Password"] and not app.title


def test_logging_out_in_another_browser_ends_this_one_at_its_next_rerun(app):
    other = AppTest.from_file(APP, default_timeout=30)
    log_in(app, "amy")
    log_in(other, "amy")
    assert app.title[0].value == other.title[0].value == "Home"
    other.sidebar.button(key="log_out").click().run()
    assert shows_the_login_form(other)
    app.run()
    assert not app.exception
    assert shows_the_login_form(app)


def test_a_password_reset_ends_the_open_session_and_refuses_its_writes(app, app_engine):
    log_in(app, "ada")
    app.switch_page("pages/admin.py").run()
    app.session_state["admin_tab"] = "Settings"
    app.run()
    # Bob resets ada's password on another replica: this one still has her cached as logged in.
    service.reset_password(app_engine, bob(app_engine), user(app_engine, "ada").id, "a new passphrase", 1)
    app.number_input(key="setting-target_nps").set_value(50)
    form = next(f for f in app.get("form") if any(n.key == "setting-target_nps" for n in f.number_input))
    form.button[0].click()
    app.run()
    assert [e.value for e in app.error] == [literal(service.SESSION_ENDED)]
    assert settings_reads.load_settings(app_engine)["target_nps"] == 40
    st.cache_data.clear()  # the credentials' few seconds have passed
    app.run()
    assert not app.exception
    assert shows_the_login_form(app)


def test_a_disabled_user_is_logged_out_even_once_enabled_again(app, app_engine):
    log_in(app, "sam")
    sam = user(app_engine, "sam")
    service.set_user_disabled(app_engine, bob(app_engine), sam.id, True, version=1)
    service.set_user_disabled(app_engine, bob(app_engine), sam.id, False, version=2)
    st.cache_data.clear()
    app.run()
    assert shows_the_login_form(app)
