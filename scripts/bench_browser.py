"""Benchmark every page in a real browser (headless Chromium) at 50,000 accounts, beside a minimal Streamlit page.

    python -m scripts.bench_browser              # a temporary SQLite file
    python -m scripts.bench_browser --postgres   # a scratch PostgreSQL database (dropped at the end)
    python -m scripts.bench_browser --accounts 2000 --sessions 5
    python -m scripts.bench_browser --keep sqlite:////tmp/bench.db   # build the book once, reuse it on later runs
    python -m scripts.bench_browser --keep postgresql+psycopg://postgres@127.0.0.1:5432/bench   # (createdb bench)

Builds the demo book (scripts.bench_health.build: generated, last five weeks scored; tasks generated), starts `streamlit run
app.py` on it and, in the same run, a minimal Streamlit app of two pages with the same configuration. A load is
timed from the click (or the changed filter) until the page has settled: a script run has finished after the
action, the browser is on the page's address, and no element is left over from the run before. Each figure is
printed beside the minimal app's navigation in the same run and as a ratio to it.

1. Warm navigation: every page of the admin's menu, opened once, then WARM_REPEATS times more from another page;
   the median is timed, with the server's CPU seconds and the browser's main-thread seconds meanwhile.
2. First render after another session's write: before each page, a second browser session (the demo's admin:
   the generated book's accounts belong to generated account managers) records a CSM sentiment on the board's
   first account, which clears the cached reads that write touches; then the page is opened.
3. Health board: a filter change; account drill-down in the same tab.
4. Server memory: the server's peak resident memory with 20 sessions open on the health board (the browser's
   and 19 websocket sessions speaking the browser's protocol, scripts.bench_load.Socket).

Prints the figures against the targets; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from playwright.async_api import BrowserContext, Page, async_playwright
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from core import roles
from db import demo, scratch, tasks
from db.engine import make_engine
from scripts.bench_health import build, in_fresh_process, verdict
from scripts.bench_load import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    Server,
    Socket,
    load_average,
    streamlit_server,
)

TARGET_AFTER_WRITE_S = 1.5
TARGET_WARM_S = 0.6
TARGET_FILTER_S = 0.3
TARGET_DRILL_DOWN_S = 0.8
TARGET_WORK_AND_LIBRARY_WARM_S = 0.6
TARGET_MEMORY_MB = 1536
REPEATS = 5
WARM_REPEATS = 3
MINIMAL_APP = '''"""Two pages that each draw a heading and a line: what Streamlit itself costs."""
import streamlit as st

def first():
    st.title("First")
    st.write("A minimal page.")

def second():
    st.title("Second")
    st.write("Another minimal page.")

navigation = st.navigation(
    [st.Page(first, title="First", url_path="first"), st.Page(second, title="Second", url_path="second")],
    position="hidden",
)
with st.sidebar:
    st.page_link(st.Page(first, title="First", url_path="first"))
    st.page_link(st.Page(second, title="Second", url_path="second"))
navigation.run()
'''
SETTLED = """(path) => {
    const app = document.querySelector("[data-testid='stApp']");
    return app !== null && app.dataset.testScriptState === "notRunning"
        && window.location.pathname.endsWith(path)
        && document.querySelector("[data-stale='true']") === null;
}"""


class Runs:
    """The script runs the server has finished for one browser page, heard on its websocket."""

    def __init__(self, page: Page) -> None:
        self.finished = 0
        page.on("websocket", lambda socket: socket.on("framereceived", self._heard))

    def _heard(self, payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        finished = message.WhichOneof("type") == "script_finished"
        if finished and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.finished += 1


RUNS: dict[Page, Runs] = {}


async def timed(page: Page, action, path: str) -> float:
    """Seconds from action() until the page at path has settled: a script run has finished after it, and the
    browser is on path with nothing left over from the run before."""
    runs = RUNS[page]
    before = runs.finished
    started = time.perf_counter()
    await action()
    deadline = started + TIMEOUT_MS / 1000
    while runs.finished <= before:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no script run finished on {path}")
        await asyncio.sleep(0.005)
    await page.wait_for_function(SETTLED, arg=path, polling=20, timeout=TIMEOUT_MS)
    return time.perf_counter() - started


async def click_link(page: Page, title: str, path: str) -> float:
    link = page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True)
    return await timed(page, link.click, path)


async def new_page(context: BrowserContext, url: str) -> Page:
    """A page on url whose script runs are counted, once its first run has finished."""
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    RUNS[page] = Runs(page)
    await timed(page, lambda: page.goto(url), "/")
    return page


async def logged_in(context: BrowserContext, url: str, username: str) -> Page:
    page = await new_page(context, url)
    await page.get_by_role("textbox", name="Username").fill(username)
    await page.get_by_role("textbox", name="Password").fill(demo.DEMO_PASSWORD)
    await timed(page, page.get_by_role("button", name="Login").click, "/")
    return page


def line(label: str, seconds: float, minimal: float, target: float) -> str:
    return (
        f"   {label:<34} {seconds:6.2f} s  ({seconds / minimal:5.1f}× the minimal page; target ≤ {target} s: "
        f"{verdict(seconds <= target)})"
    )


async def main_thread_seconds(cdp) -> float:
    """Seconds the page's main thread has been busy so far (running scripts, styling, layout, painting)."""
    metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
    return next(metric["value"] for metric in metrics if metric["name"] == "TaskDuration")


async def warm(page: Page, cdp, server: Server, spec: roles.PageSpec) -> tuple[float, float, float]:
    """Medians of WARM_REPEATS openings of spec from elsewhere: seconds, the server's CPU seconds and the
    browser's main-thread seconds meanwhile (where the time goes)."""
    samples = []
    for _ in range(WARM_REPEATS):
        await click_link(page, *elsewhere(spec))
        server_before, browser_before = server.cpu_seconds(), await main_thread_seconds(cdp)
        seconds = await click_link(page, spec.title, path(spec))
        samples.append(
            (
                seconds,
                server.cpu_seconds() - server_before,
                await main_thread_seconds(cdp) - browser_before,
            )
        )
    return tuple(statistics.median(column) for column in zip(*samples, strict=True))


async def minimal_navigation(browser, url: str) -> float:
    """Median seconds of a click between the minimal app's two pages."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await new_page(context, url)
    seconds = []
    for _ in range(REPEATS):
        seconds.append(await click_link(page, "Second", "/second"))
        seconds.append(await click_link(page, "First", "/"))
    await context.close()
    return statistics.median(seconds)


async def app_pages(browser, server: Server, minimal: float) -> list[bool]:
    """Parts 1–3; the verdicts."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await logged_in(context, server.url, "admin")
    writer_context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    writer = await logged_in(writer_context, server.url, "admin")
    cdp = await context.new_cdp_session(page)
    await cdp.send("Performance.enable")
    menu = [spec for spec in roles.pages_for(roles.ADMIN) if spec.in_menu]
    verdicts = []
    print(
        f"1. Warm navigation (each page opened once, then the median of {WARM_REPEATS} openings; "
        "the server's CPU and the browser's main thread meanwhile)"
    )
    for spec in menu:
        await click_link(page, spec.title, path(spec))
        seconds, server_s, browser_s = await warm(page, cdp, server, spec)
        target = TARGET_WORK_AND_LIBRARY_WARM_S if spec.key in ("home", "library") else TARGET_WARM_S
        print(
            f"{line(spec.title, seconds, minimal, target)} server {server_s:.2f} s, browser {browser_s:.2f} s",
            flush=True,
        )
        verdicts.append(seconds <= target)
    print("2. First render right after another user's write (a CSM sentiment)")
    for spec in menu:
        await click_link(page, *elsewhere(spec))
        await record_sentiment(writer)
        first = await click_link(page, spec.title, path(spec))
        print(line(spec.title, first, minimal, TARGET_AFTER_WRITE_S), flush=True)
        verdicts.append(first <= TARGET_AFTER_WRITE_S)
    print("3. Health board")
    await click_link(page, "Health board", "/health")
    renewal = page.get_by_test_id("stSelectbox").filter(has_text="Renewal within")
    filters = [
        await timed(page, lambda choice=choice: choose(page, renewal, choice), "/health")
        for choice in ("90 days", "Any time", "30 days", "Any time")
    ]
    print(line("filter change (median of 4)", statistics.median(filters), minimal, TARGET_FILTER_S))
    verdicts.append(statistics.median(filters) <= TARGET_FILTER_S)
    drill = await timed(page, lambda: open_first_row(page), "/account")
    print(line("account drill-down (same tab)", drill, minimal, TARGET_DRILL_DOWN_S), flush=True)
    verdicts.append(drill <= TARGET_DRILL_DOWN_S)
    await writer_context.close()
    await context.close()
    return verdicts


def path(spec: roles.PageSpec) -> str:
    """The page's address: Home is the app's root."""
    return "/" if spec.key == "home" else f"/{spec.key}"


def elsewhere(spec: roles.PageSpec) -> tuple[str, str]:
    """Another page to stand on before opening spec (title, address)."""
    return ("Admin", "/admin") if spec.key == "home" else ("Home", "/")


async def choose(page: Page, box, choice: str) -> None:
    await box.click()
    await page.get_by_role("option", name=choice, exact=True).click()


async def open_first_row(page: Page) -> None:
    """Select the board's first row (its selection box), which opens the account in the same tab."""
    table = page.get_by_test_id("stDataFrame")
    await table.locator("canvas").first.wait_for()
    box = await table.bounding_box()
    await page.mouse.click(box["x"] + 15, box["y"] + 55)


async def record_sentiment(writer: Page) -> None:
    """The writer opens the board's first account and records a sentiment."""
    await click_link(writer, "Health board", "/health")
    await timed(writer, lambda: open_first_row(writer), "/account")
    await timed(writer, writer.get_by_role("button", name="Record sentiment").click, "/account")


async def memory(browser, server: Server, sessions: int) -> bool:
    """Part 4: peak resident memory of the server with sessions open on the health board."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await logged_in(context, server.url, "admin")
    sockets = [await Socket.open(server.url) for _ in range(sessions - 1)]
    await asyncio.gather(
        click_link(page, "Health board", "/health"),
        *(socket.run(socket.pages["Health board"], []) for socket in sockets),
    )
    peak = server.peak_mb()
    print(
        f"4. Server memory with {sessions} sessions on the health board: peak {peak:,.0f} MB "
        f"(target ≤ {TARGET_MEMORY_MB:,} MB: {verdict(peak <= TARGET_MEMORY_MB)})",
        flush=True,
    )
    for socket in sockets:
        await socket.connection.close()
    await context.close()
    return peak <= TARGET_MEMORY_MB


async def drive(app: Server, minimal_app: Server, sessions: int) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        minimal = await minimal_navigation(browser, minimal_app.url)
        print(f"   the minimal page, a click to the other page: {minimal:.2f} s (median of {2 * REPEATS})")
        verdicts = await app_pages(browser, app, minimal)
        verdicts.append(await memory(browser, app, sessions))
        await browser.close()
    print(
        f"All targets: {verdict(all(verdicts))} ({sum(verdicts)} of {len(verdicts)} met); "
        f"machine load {load_average()}"
    )


def built(url: str) -> bool:
    """Whether the database at url holds a book already (a kept one, built by an earlier run)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT COUNT(*) FROM accounts")).scalar())
    except DBAPIError:
        return False
    finally:
        engine.dispose()


def bench(url: str, args: argparse.Namespace, folder: Path) -> None:
    if args.keep and built(url):
        print(f"   reusing {args.keep} as built by an earlier run", flush=True)
    else:
        in_fresh_process(build, url, args.accounts, args.seed, dt.date.today())
    engine = make_engine(url)
    # The work queue as the scoring run leaves it, for My work (Home).
    print(f"   work queue: {tasks.generate(engine).sentence()}", flush=True)
    engine.dispose()
    minimal = folder / "minimal.py"
    minimal.write_text(MINIMAL_APP)
    print(f"   machine load before the browser: {load_average()}", flush=True)
    with streamlit_server(url) as app, streamlit_server(url, minimal) as minimal_app:
        asyncio.run(drive(app, minimal_app, args.sessions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--postgres", action="store_true", help="bench a scratch PostgreSQL database")
    parser.add_argument(
        "--keep", help="a database URL to build the book in, or to reuse if it holds one; kept"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.keep:
            url = args.keep
        elif args.postgres:
            url = scratch.create_database("advocacy_bench")
        else:
            url = f"sqlite:///{Path(folder) / 'browser.db'}"
        try:
            bench(url, args, Path(folder))
        finally:
            if args.postgres and not args.keep:
                scratch.drop_database(url)


if __name__ == "__main__":
    main()
