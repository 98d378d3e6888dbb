"""The real app: `streamlit run` on a free port against a temp demo database, driven by Chromium."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import pytest
from sqlalchemy import update

from db import demo, scoring
from db.engine import make_engine
from db.models import User
from tests.conftest import migrated_sqlite
from tests.ui.test_cookie_revocation import token
from ui.auth import COOKIE_NAME

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
COOKIE_KEY = "e2e-cookie-key-long-enough-for-hs256-signing"


@dataclass
class Server:
    url: str
    database_url: str | None
    seconds_to_ready: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(database_url: str | None, root: Path = ROOT) -> Iterator[Server]:
    """The app in root on database_url; None runs root's embedded demo database with a generated cookie key."""
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "DASHBOARD_COOKIE_KEY")
    }
    if database_url is not None:
        env.update(DATABASE_URL=database_url, DASHBOARD_COOKIE_KEY=COOKIE_KEY)
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.2)
        yield Server(url, database_url, time.perf_counter() - started)
    finally:
        process.terminate()
        process.wait(timeout=20)


def copy_app(root: Path) -> None:
    """The app's files in root, with its Streamlit config but no secrets (no cookie key) and no data/."""
    shutil.copy(ROOT / "app.py", root)
    for package in ("assets", "core", "db", "pages", "ui"):
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".streamlit").mkdir()
    shutil.copy(ROOT / ".streamlit" / "config.toml", root / ".streamlit")


def build_demo(path: Path) -> None:
    engine = make_engine(migrated_sqlite(path))
    demo.generate(engine, accounts=200, as_of=dt.date.today())
    scoring.run(engine)
    # The same password hashed at bcrypt's lowest cost: checking it takes a millisecond instead of a quarter
    # of a second of the server's CPU, and the browser tests log in some sixty times.
    cheap = bcrypt.hashpw(demo.DEMO_PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    with engine.begin() as connection:
        connection.execute(update(User).values(password_hash=cheap))
    engine.dispose()


@pytest.fixture(scope="session")
def demo_database(built_once, tmp_path_factory) -> str:
    """This worker's scored demo database of 200 accounts, a copy of the one built for the run."""
    path = tmp_path_factory.mktemp("e2e") / "demo.db"
    shutil.copyfile(built_once("e2e-demo.db", build_demo), path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def demo_server(demo_database) -> Iterator[Server]:
    """This worker's app on its demo database, one server for every module that uses the demo as built: a
    server's start and its first pages (imports, cold caches) cost seconds of CPU each time. Its tests may add
    rows, as users do, but must not change settings or the database behind the app's back."""
    with streamlit_server(demo_database) as running:
        yield running


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A fresh server's first page takes seconds on a busy 2-core machine, busier still with the suite's
        # two workers each driving a server and a browser; 5 s (the default) is too tight.
        playwright_api.expect.set_options(timeout=30_000)
        yield browser
        browser.close()


class Tab:
    """This worker's browser tab, kept from test to test: a new one costs Chromium a renderer process that
    loads and compiles the app's scripts again, a second or two of CPU for every test. One a test left
    broken is closed, and the next test gets a new one."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self.page = None

    def blank(self, viewport: dict[str, int]):
        """The tab on a blank page with no cookies, sized to viewport."""
        if self.page is None:
            self.page = self.browser.new_context().new_page()
            # A wait that times out fails the test: long enough for a busy machine.
            self.page.set_default_timeout(60_000)
        self.page.context.clear_cookies()
        self.page.set_viewport_size(viewport)
        return self.page

    def give_back(self) -> None:
        """Close what the test opened beside the tab and leave the app, or close the tab if that fails."""
        from playwright.sync_api import Error

        try:
            for other in self.page.context.pages[1:]:
                other.close()
            self.page.goto("about:blank")
        except Error:
            self.page.context.close()
            self.page = None


@pytest.fixture(scope="session")
def tab(browser) -> Iterator[Tab]:
    """This worker's tab (see Tab)."""
    kept = Tab(browser)
    yield kept
    if kept.page is not None:
        kept.page.context.close()


@pytest.fixture
def page(tab, request):
    """A blank tab with no cookies, in a desktop window or the VIEWPORT a test module sets (a projector's or a
    laptop's 1280×720)."""
    yield tab.blank(getattr(request.module, "VIEWPORT", {"width": 1400, "height": 1000}))
    tab.give_back()


def settle(page) -> None:
    """Wait until the app has finished the rerun a click or a widget change started."""
    page.wait_for_timeout(200)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=30_000)


def open_login(page, url: str) -> None:
    """Open the app at url and wait for a login form no rerun will replace while it is filled in."""
    page.goto(url)
    page.get_by_role("textbox", name="Username").wait_for()
    settle(page)


def log_in(page, url: str, username: str) -> None:
    """Log in as a demo user and wait for Home and the session cookie."""
    open_login(page, url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Login").click()
    page.get_by_test_id("stMetric").first.wait_for()
    # The cookie is written by a component after the first render; a reload or goto before it logs out.
    page.wait_for_function("document.cookie.includes('advocacy_session')")
    settle(page)


def enter(page, url: str, username: str, path: str = "/") -> None:
    """Open url + path as username, logged in by the cookie the app issues at login (ui/auth.py: HS256 over
    the username and exp_date), as a returning user's bookmark does, and wait for the page and its menu (on a
    fresh server too, where Streamlit serves pages/ itself until a run calls st.navigation). For tests whose
    subject is a page: the login form has tests of its own, and logging in through it costs a render of Home
    and a second load of the app's scripts, a second or two of the busy machine's CPU each time."""
    cookie = token(username, time.time(), COOKIE_KEY)
    page.context.add_cookies([{"name": COOKIE_NAME, "value": cookie, "url": url}])
    page.goto(url + path)
    page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink").first.wait_for()
    page.get_by_role("button", name="Log out").wait_for()
    settle(page)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
