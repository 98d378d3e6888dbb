"""Page tests run the real app with AppTest against one small hand-made database."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import bcrypt
import pytest
import streamlit as st
from sqlalchemy import Engine, update
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from db import scoring
from db.engine import make_engine, transaction
from db.models import User
from tests.conftest import migrated_sqlite
from tests.db.factories import add_user, build_book

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PASSWORD = "correct horse battery"
ROLE_USERS = {"admin": "ada", "account_manager": "amy", "marketing": "mark", "sales": "sam"}


def database_at(folder: Path, build: Callable[[Engine], object]) -> str:
    """A migrated SQLite database in folder, built by build(engine), with one user per role, scored: a copy of
    the one this worker built with that function (so a build function defined inside a fixture, a new one each
    time, builds each time)."""
    shutil.copyfile(_built(build), folder / "app.db")
    return f"sqlite:///{folder / 'app.db'}"


@functools.cache
def _built(build: Callable[[Engine], object]) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="advocacy-pages-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = migrated_sqlite(folder / "app.db")
    engine = make_engine(url)
    build(engine)  # creates amy as the owner of accounts 1 and 2
    for role, username in ROLE_USERS.items():
        if username != "amy":
            add_user(engine, username, role)
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    with transaction(engine) as session:
        session.execute(update(User).values(password_hash=hashed))
    scoring.run(engine)
    engine.dispose()  # the last connection out folds the write-ahead log into the file
    return folder / "app.db"


@pytest.fixture(scope="session")
def app_database(tmp_path_factory) -> str:
    return database_at(tmp_path_factory.mktemp("app"), build_book)


@pytest.fixture
def app_database_url(app_database) -> str:
    """The database the app runs on; a test module may override it."""
    return app_database


@pytest.fixture
def environment(app_database_url, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", app_database_url)
    monkeypatch.setenv("DASHBOARD_COOKIE_KEY", "test-cookie-key-that-is-long-enough-for-hs256")
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def served(environment, monkeypatch) -> None:
    """The app served as a running server serves it once app.py has called st.navigation.

    AppTest forgets that between runs and falls back to serving pages/*.py directly, as a
    fresh server does; that case has its own test with page_file().
    """
    original_init = PagesManager.__init__

    def init_after_navigation(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_after_navigation)


@pytest.fixture
def app(served) -> AppTest:
    return AppTest.from_file(APP, default_timeout=30)


def page_file(name: str) -> AppTest:
    """One page file run directly, as a fresh server serves it before any st.navigation."""
    return AppTest.from_file(str(Path(APP).parent / "pages" / name), default_timeout=30)


def log_in(app: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    app.run()
    app.text_input[0].input(username)
    app.text_input[1].input(password)
    app.button[0].click()
    return app.run()


def open_expanders(app: AppTest, *keys: str) -> AppTest:
    """Open the expanders with these keys, as a click on each does: their content is drawn once open."""
    for key in keys:
        app.session_state[key] = True
    return app.run()
