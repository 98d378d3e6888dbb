"""Benchmark the app under load against a real `streamlit run`: 20 logged-in sessions open the health board
at once, then one session imports a ~190 MiB file on the Import page while another keeps opening Home.

    python -m scripts.bench_load              # a temporary SQLite demo database
    python -m scripts.bench_load --postgres   # a scratch PostgreSQL database (dropped at the end)
    python -m scripts.bench_load --sessions 10 --rounds 5 --import-mib 50

The database is the app's own demo book (500 accounts, every week scored), as a fresh deployment has it;
every session is admin's (the whole book). One session is headless Chromium, timed from the click on the
sidebar link until the page has settled (the script has finished and the page's last element is drawn):
what a user sees. The others speak Streamlit's websocket protocol as the browser does, with the login
cookie the app issues, timed from the same navigation message until the server's "script finished": 20
Chromium renderers on the server's own 2 cores would measure the browsers, not the server (users' browsers
run on their own machines). Before the rounds the browser session opens the board once, as a user's
browser has long fetched its scripts. Prints the figures against the targets, with the server's CPU seconds
and the machine's load (other work on its cores slows every figure); asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jwt
import websockets
from playwright.async_api import BrowserContext, Page, async_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from db import demo, migrate, scoring, scratch
from db.engine import make_engine
from scripts.bench_health import verdict
from scripts.bench_import import events_csv
from scripts.bench_startup import free_port

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
COOKIE_KEY = "bench-cookie-key-that-is-long-enough-for-hs256"
TARGET_MEDIAN_S = 1.5
TARGET_P90_S = 2.5
TARGET_HOME_S = 1.5
# The Import page takes files up to server.maxUploadSize (200 MiB).
IMPORT_MIB = 190
TIMEOUT_MS = 120_000
BOARD_LINK, HOME_LINK, IMPORT_LINK = "Health board", "Home", "Import and export"
# A page has settled when its script has finished and its last element is drawn.
SETTLED = """([title, last]) => {
    const app = document.querySelector("[data-testid='stApp']");
    const heading = document.querySelector("h1");
    return app !== null && app.dataset.testScriptState === "notRunning"
        && heading !== null && heading.textContent.trim() === title
        && document.querySelector(last) !== null;
}"""
# Home (My work) ends with the admin's "Generate tasks now" button.
LAST_ELEMENT = {
    BOARD_LINK: "[data-testid='stDownloadButton']",
    HOME_LINK: "[data-testid='stMain'] [data-testid='stButton']",
}


@dataclass
class Loads:
    """Seconds of the loads that settled, and the loads that failed (a timeout or an error on the page)."""

    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        if not self.seconds:
            return f"no load settled; {len(self.errors)} errors"
        ordered = sorted(self.seconds)
        p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
        return (
            f"{len(ordered)} loads: median {statistics.median(ordered):5.2f} s, p90 {p90:5.2f} s, "
            f"max {ordered[-1]:5.2f} s; {len(self.errors)} errors"
        )


def load_average() -> str:
    """The machine's 1-, 5- and 15-minute load averages: other work on its cores slows every figure."""
    return " ".join(f"{load:.1f}" for load in os.getloadavg())


# --- the database and the server -------------------------------------------------------------------


def build(url: str, accounts: int, seed: int, today: dt.date) -> None:
    """The demo book as the embedded demo has it: generated up to today, every scorable week scored."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    demo.generate(engine, accounts=accounts, seed=seed, as_of=today)
    scoring.run(engine, today=today)
    engine.dispose()
    print(
        f"1. Demo book: {accounts:,} accounts, scored, in {time.perf_counter() - started:.0f} s", flush=True
    )


@dataclass
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_mb(self) -> float:
        """The server process's peak resident memory so far."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024


@contextmanager
def streamlit_server(database_url: str, script: Path = ROOT / "app.py") -> Iterator[Server]:
    """`streamlit run` of the app (or another script, with the app's configuration) on a free port against
    database_url, as a deployment runs it."""
    port = free_port()
    env = os.environ | {"DATABASE_URL": database_url, "DASHBOARD_COOKIE_KEY": COOKIE_KEY}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
        + ["--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.2)
        yield Server(url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- a session over the websocket ------------------------------------------------------------------


def login_cookie() -> str:
    """admin's login cookie as the app issues it (ui/auth.py: HS256, the username and exp_date)."""
    token = jwt.encode({"username": "admin", "exp_date": time.time() + 7 * 86_400}, COOKIE_KEY, "HS256")
    return f"advocacy_session={token}"


class Socket:
    """A session speaking Streamlit's websocket protocol as the browser does: it asks for a page and reads
    what the server sends until the script has finished."""

    def __init__(self, connection: websockets.ClientConnection) -> None:
        self.connection = connection
        self.pages: dict[str, str] = {}

    @classmethod
    async def open(cls, url: str) -> Socket:
        """A session on url, logged in by its cookie, on Home."""
        connection = await websockets.connect(
            url.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers={"Cookie": login_cookie()},
            max_size=None,
        )
        session = cls(connection)
        errors: list[str] = []
        await session.run("", errors)
        if errors or HOME_LINK not in session.pages:
            raise RuntimeError(f"the websocket session did not log in: {errors}")
        return session

    async def run(self, page_hash: str, errors: list[str]) -> None:
        message = BackMsg()
        message.rerun_script.page_script_hash = page_hash
        message.rerun_script.context_info.timezone = "UTC"
        await self.connection.send(message.SerializeToString())
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await asyncio.wait_for(self.connection.recv(), TIMEOUT_MS / 1000))
            kind = reply.WhichOneof("type")
            if kind == "navigation":
                self.pages = {page.page_name: page.page_script_hash for page in reply.navigation.app_pages}
            elif kind == "delta" and reply.delta.new_element.WhichOneof("type") == "exception":
                errors.append("the page shows an error")
            elif kind == "script_finished" and reply.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return

    async def open_page(self, title: str, loads: Loads) -> None:
        errors: list[str] = []
        started = time.perf_counter()
        try:
            await self.run(self.pages[title], errors)
        except (TimeoutError, websockets.ConnectionClosed) as error:
            errors.append(type(error).__name__)
        if errors:
            loads.errors += [f"{title}: {error}" for error in errors]
        else:
            loads.seconds.append(time.perf_counter() - started)


# --- a session in the browser ------------------------------------------------------------------------


async def settled(page: Page, title: str, last: str) -> None:
    await page.wait_for_function(SETTLED, arg=[title, last], polling=50, timeout=TIMEOUT_MS)


async def log_in(context: BrowserContext, url: str) -> Page:
    """A page of context logged in as admin, settled on Home."""
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.goto(url)
    await page.get_by_role("textbox", name="Username").fill("admin")
    await page.get_by_role("textbox", name="Password").fill(demo.DEMO_PASSWORD)
    await page.get_by_role("button", name="Login").click()
    # The cookie is written by a component after the first render.
    await page.wait_for_function("document.cookie.includes('advocacy_session')")
    await settled(page, HOME_LINK, LAST_ELEMENT[HOME_LINK])
    return page


async def open_page(page: Page, link: str, loads: Loads) -> None:
    """Click link in the sidebar and time the page until it has settled; a timeout or an error is counted."""
    started = time.perf_counter()
    try:
        await page.get_by_test_id("stSidebar").get_by_role("link", name=link, exact=True).click()
        await settled(page, link, LAST_ELEMENT[link])
    except Exception as error:  # a timeout: counted, the run goes on
        loads.errors.append(f"{link}: {type(error).__name__}")
        return
    elapsed = time.perf_counter() - started
    if await page.get_by_test_id("stException").count() or await page.get_by_text("Error id").count():
        loads.errors.append(f"{link}: the page shows an error")
    else:
        loads.seconds.append(elapsed)


# --- part 2: sessions opening the board at once ------------------------------------------------------


async def board_at_once(page: Page, sockets: list[Socket], server: Server, rounds: int) -> None:
    print(
        f"2. {len(sockets) + 1} sessions open the health board at once ({len(sockets)} websocket, 1 Chromium; "
        f"{rounds} rounds)"
    )
    everything, seen = Loads(), Loads()
    for number in range(1, rounds + 1):
        loads, browser = Loads(), Loads()
        cpu = server.cpu_seconds()
        started = time.perf_counter()
        await asyncio.gather(
            open_page(page, BOARD_LINK, browser), *(socket.open_page(BOARD_LINK, loads) for socket in sockets)
        )
        wall, cpu = time.perf_counter() - started, server.cpu_seconds() - cpu
        print(
            f"   round {number}: websocket {loads.line()}; Chromium {browser.line()}; all done in {wall:.1f} s, "
            f"server CPU {cpu:.1f} s ({cpu / (len(sockets) + 1):.2f} s per load); machine load {load_average()}",
            flush=True,
        )
        everything.seconds += loads.seconds + browser.seconds
        everything.errors += loads.errors + browser.errors
        seen.seconds += browser.seconds
        await asyncio.gather(
            open_page(page, HOME_LINK, Loads()), *(socket.open_page(HOME_LINK, Loads()) for socket in sockets)
        )
    ordered = sorted(everything.seconds)
    median = statistics.median(ordered) if ordered else float("inf")
    p90 = ordered[round(0.9 * (len(ordered) - 1))] if ordered else float("inf")
    print(f"   all rounds, every session: {everything.line()}")
    print(f"   all rounds, the Chromium session alone: {seen.line()}")
    print(
        f"   median ≤ {TARGET_MEDIAN_S} s: {verdict(median <= TARGET_MEDIAN_S)}; "
        f"p90 ≤ {TARGET_P90_S} s: {verdict(p90 <= TARGET_P90_S)}; "
        f"no errors: {verdict(not everything.errors)} {sorted(set(everything.errors)) or ''}",
        flush=True,
    )


# --- part 3: Home while another session imports a large file ----------------------------------------


async def import_file(page: Page, path: Path, phase: list[str]) -> None:
    """The Import page's whole path for path: choose usage events, upload, wait for the check, import."""
    await page.get_by_test_id("stSidebar").get_by_role("link", name=IMPORT_LINK, exact=True).click()
    await page.get_by_test_id("stSelectbox").filter(has_text="What the file holds").click()
    await page.get_by_role("option", name="Product usage events (aggregated into weekly usage)").click()
    await page.wait_for_timeout(500)
    await page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    started = time.perf_counter()
    phase[0] = "upload, read and check"
    await page.locator("input[type=file]").set_input_files(path)
    button = page.get_by_role("button", name="Import ", exact=False)
    await button.wait_for(timeout=1_800_000)
    checked = time.perf_counter()
    phase[0] = "store"
    await button.click()
    await page.get_by_text("Imported ", exact=False).wait_for(timeout=1_800_000)
    print(
        f"   import: uploaded, read and checked in {checked - started:.0f} s, stored in "
        f"{time.perf_counter() - checked:.0f} s: {await page.get_by_text('Imported ', exact=False).inner_text()}",
        flush=True,
    )
    phase[0] = "done"


async def home_meanwhile(page: Page, phase: list[str]) -> dict[str, Loads]:
    """Home, again and again (the board between, untimed), each load filed under the import's phase."""
    by_phase: dict[str, Loads] = {}
    after = 0
    while after < 3:
        current = phase[0]
        after += current == "done"
        await open_page(page, HOME_LINK, by_phase.setdefault(current, Loads()))
        await open_page(page, BOARD_LINK, Loads())
    return by_phase


async def home_during_import(importer: Page, watcher: Page, server: Server, path: Path) -> None:
    print(
        f"3. Home in one session while another imports {path.stat().st_size / 2**20:,.0f} MiB of usage events"
    )
    phase = ["before"]
    watch = asyncio.ensure_future(home_meanwhile(watcher, phase))
    await asyncio.sleep(5)
    cpu = server.cpu_seconds()
    await import_file(importer, path, phase)
    by_phase = await watch
    print(
        f"   server CPU during the import: {server.cpu_seconds() - cpu:.0f} s; machine load {load_average()}"
    )
    during = Loads()
    for name, loads in by_phase.items():
        print(f"   Home, {name}: {loads.line()}")
        if name not in ("before", "done"):
            during.seconds += loads.seconds
            during.errors += loads.errors
    slowest = max(during.seconds, default=float("inf"))
    print(
        f"   Home during the import ≤ {TARGET_HOME_S} s every time: {verdict(slowest <= TARGET_HOME_S)} "
        f"(slowest {slowest:.2f} s); no errors: {verdict(not during.errors)}",
        flush=True,
    )


# --- the run -----------------------------------------------------------------------------------------


def large_event_log(url: str, mib: int, folder: Path, seed: int) -> Path:
    """A usage-event log of about mib MiB for the demo's accounts."""
    sample = folder / "sample.csv"
    events_csv(url, 100_000, sample, seed)
    events = int(mib * 2**20 / (sample.stat().st_size / 100_000))
    sample.unlink()
    path = folder / "events.csv"
    events_csv(url, events, path, seed)
    return path


async def drive(server: Server, sessions: int, rounds: int, log: Path | None) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = [
            await log_in(await browser.new_context(viewport={"width": 1400, "height": 1000}), server.url)
            for _ in range(2 if log is not None else 1)
        ]
        # The browser fetches the board's scripts on its first visit, as a user's browser did long before.
        await open_page(pages[0], BOARD_LINK, Loads())
        await open_page(pages[0], HOME_LINK, Loads())
        sockets = [await Socket.open(server.url) for _ in range(sessions - 1)]
        await board_at_once(pages[0], sockets, server, rounds)
        for socket in sockets:
            await socket.connection.close()
        if log is not None:
            await home_during_import(pages[1], pages[0], server, log)
        await browser.close()


def bench(url: str, args: argparse.Namespace, folder: Path) -> None:
    today = dt.date.today()
    build(url, args.accounts, args.seed, today)
    log = large_event_log(url, args.import_mib, folder, args.seed) if args.import_mib else None
    print(f"   machine: {os.cpu_count()} cores, load average {load_average()}", flush=True)
    with streamlit_server(url) as server:
        asyncio.run(drive(server, args.sessions, args.rounds, log))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--import-mib", type=int, default=IMPORT_MIB, help="0 leaves out part 3")
    parser.add_argument("--postgres", action="store_true", help="bench a scratch PostgreSQL database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = scratch.create_database("advocacy_bench") if args.postgres else f"sqlite:///{folder}/load.db"
        try:
            bench(url, args, Path(folder))
        finally:
            if args.postgres:
                scratch.drop_database(url)


if __name__ == "__main__":
    main()
