"""Time from `streamlit run` to a visible login form, on a fresh checkout (first start seeds the
demo database) and on a second start, measured with Chromium.

    python -m scripts.bench_startup
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seconds_to_login_form(checkout: Path, browser) -> float:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DASHBOARD_COOKIE_KEY")}
    started = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = browser.new_page()
        deadline = time.monotonic() + 120
        while True:
            try:
                page.goto(f"http://127.0.0.1:{port}/", timeout=5_000)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        page.get_by_role("textbox", name="Username").wait_for(timeout=120_000)
        elapsed = time.perf_counter() - started
        page.close()
        return elapsed
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        checkout = Path(tmp) / "checkout"
        shutil.copytree(
            ROOT, checkout, ignore=shutil.ignore_patterns(".git", "data", "test-artifacts", "__pycache__")
        )
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        first = seconds_to_login_form(checkout, browser)
        second = seconds_to_login_form(checkout, browser)
        browser.close()
    print(f"streamlit run → login form, first start (creates and seeds the demo database): {first:5.1f} s")
    print(f"streamlit run → login form, later start:                                       {second:5.1f} s")


if __name__ == "__main__":
    main()
