"""A screenshot of every page each demo user may open, at a projector's 1280×720 and a desktop's 1400×1000,
taken in Chromium from the app running on a temporary demo database.

    python -m scripts.screenshots [--out screenshots] [--accounts 200] [--user mark] [--page weekly]

Each page is saved twice per size: `<size>/<user>-<page>.png` is what fits on screen (above the fold),
`<size>/<user>-<page>-full.png` the whole page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from core import roles
from db import demo, migrate, scoring
from db.engine import make_engine
from db.reads import accounts as account_reads
from db.reads import work as work_reads
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, log_in, settle, streamlit_server

SIZES = ({"width": 1280, "height": 720}, {"width": 1400, "height": 1000})


def build_demo(path: Path, accounts: int) -> tuple[str, dict[str, str]]:
    """A scored demo database at path, and the query that opens the account page on the lowest-scored account
    and the task page on the first open task."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    demo.generate(engine, accounts=accounts, as_of=dt.date.today())
    scoring.run(engine)
    week = account_reads.latest_scored_week(engine)
    queries_of = {
        "account": f"?account={int(account_reads.board(engine, week, None)['score'].idxmin())}",
        "task": f"?task={int(work_reads.open_tasks(engine)['task_id'].min())}",
    }
    engine.dispose()
    return url, queries_of


def page_path(spec: roles.PageSpec, queries_of: dict[str, str]) -> str:
    """The page's address: Home is the app's root; the account and task pages open one of theirs."""
    return "/" if spec.key == "home" else f"/{spec.key}{queries_of.get(spec.key, '')}"


def full_page(page, size: dict[str, int], path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the window grows to its height instead."""
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def shoot(out: Path, accounts: int, users: list[str], keys: list[str]) -> int:
    """Every page (or those in keys) of every demo user (or those in users) at every size; the pages shot."""
    shot = 0
    with tempfile.TemporaryDirectory() as folder:
        database_url, queries_of = build_demo(Path(folder) / "demo.db", accounts)
        with streamlit_server(database_url) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for size in SIZES:
                folder_out = out / f"{size['width']}x{size['height']}"
                folder_out.mkdir(parents=True, exist_ok=True)
                for username, _, role in demo.DEMO_USERS:
                    if users and username not in users:
                        continue
                    context = browser.new_context(viewport=size)
                    page = context.new_page()
                    page.set_default_timeout(60_000)
                    log_in(page, server.url, username)
                    for spec in roles.pages_for(role):
                        if keys and spec.key not in keys:
                            continue
                        page.goto(server.url + page_path(spec, queries_of))
                        page.get_by_test_id("stMainBlockContainer").locator("h1").first.wait_for()
                        settle(page)
                        # Charts draw after the script ends; give Vega a moment.
                        page.wait_for_timeout(800)
                        name = f"{username}-{spec.key}"
                        page.screenshot(path=str(folder_out / f"{name}.png"))
                        full_page(page, size, folder_out / f"{name}-full.png")
                        shot += 1
                    context.close()
            browser.close()
    return shot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="folder for the PNGs")
    parser.add_argument("--accounts", type=int, default=200, help="demo accounts to generate")
    parser.add_argument("--user", action="append", default=[], help="only this demo user (repeatable)")
    parser.add_argument("--page", action="append", default=[], help="only this page key (repeatable)")
    args = parser.parse_args()
    started = time.perf_counter()
    shot = shoot(args.out, args.accounts, args.user, args.page)
    print(f"{shot} pages shot into {args.out} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
