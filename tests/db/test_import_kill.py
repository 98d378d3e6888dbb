"""An import killed while it writes leaves no partial rows, and the database takes the next import."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, select, text

from db.engine import make_engine, transaction
from db.models import UsageWeekly
from tests.db import factories

ROOT = Path(__file__).resolve().parent.parent.parent
ACCOUNTS = 400
WEEKS = 250
FIRST_WEEK = dt.date(2000, 1, 3)
# The command line's import, written in chunks of CHUNK_ROWS rows (a real import's are 100,000): a file of
# 100,000 rows is four chunks, and the kill after the first leaves three to write, over half a second of work
# on an idle machine (more on a busy one), where the kill takes the test milliseconds.
CHUNK_ROWS = 25_000
COMMAND_LINE = "import sys; from db.imports import cli, store; store.CHUNK_ROWS = int(sys.argv[1]); sys.exit(cli.main(sys.argv[2:]))"
# Validation reads and checks all 100,000 rows before the first chunk is written.
WRITING_TIMEOUT = 240
EXIT_TIMEOUT = 30
BACKEND_GONE_TIMEOUT = 60
SMALL_IMPORT_TIMEOUT = 120
PROGRESS = re.compile(r"([\d,]+) of ([\d,]+) rows stored")


def usage_rows(engine: Engine) -> tuple[int, str]:
    """Row count and checksum of the usage table."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(UsageWeekly).order_by(UsageWeekly.account_id, UsageWeekly.week_start)
        )
        lines = [repr(tuple(row)) for row in rows]
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def seed(engine: Engine) -> None:
    """400 accounts, and two usage weeks the big file would overwrite with other figures."""
    with transaction(engine) as session:
        session.add_all(factories.account(number, None) for number in range(1, ACCOUNTS + 1))
        session.flush()
        session.add_all(
            UsageWeekly(
                account_id=1,
                week_start=FIRST_WEEK + dt.timedelta(weeks=week),
                active_users=1,
                logins=2,
                key_feature_events=3,
                seats_used=4,
            )
            for week in range(2)
        )


def write_usage(path: Path, accounts: range, weeks: int) -> int:
    """A valid usage file of every account in accounts for weeks Mondays from FIRST_WEEK; returns its rows."""
    mondays = [(FIRST_WEEK + dt.timedelta(weeks=week)).isoformat() for week in range(weeks)]
    lines = ["account,week_start,active_users,logins,key_feature_events,seats_used"]
    lines += [f"ACC-{number},{monday},7,30,12,9" for number in accounts for monday in mondays]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def start_import(url: str, path: Path) -> subprocess.Popen:
    """The command-line import of a usage file, running in the background."""
    return subprocess.Popen(
        [sys.executable, "-c", COMMAND_LINE, str(CHUNK_ROWS), "usage", str(path), "--url", url],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def stderr_lines(process: subprocess.Popen) -> queue.Queue:
    """The process's stderr, line by line, readable with a timeout; None once it is closed."""
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def wait_until_writing(process: subprocess.Popen, lines: queue.Queue) -> str:
    """The first progress line of the write; fails if the import ends or stays silent too long."""
    deadline = time.monotonic() + WRITING_TIMEOUT
    seen = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            raise AssertionError(f"import ended ({process.wait(EXIT_TIMEOUT)}) before writing: {seen}")
        seen.append(line)
        if progress(line):
            return line
    process.kill()
    raise AssertionError(f"no progress line within {WRITING_TIMEOUT}s: {seen}")


def progress(line: str) -> tuple[int, int] | None:
    """(rows stored, rows in all) from a progress line such as 'usage: 25,000 of 100,000 rows stored'."""
    found = PROGRESS.search(line)
    return None if found is None else tuple(int(number.replace(",", "")) for number in found.groups())


def wait_for_other_sessions_to_end(engine: Engine) -> None:
    """On PostgreSQL the killed client's server session rolls back once it notices the closed socket."""
    if engine.dialect.name != "postgresql":
        return
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state <> 'idle'"
    )
    deadline = time.monotonic() + BACKEND_GONE_TIMEOUT
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.scalar(query) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"the killed import's session was still busy after {BACKEND_GONE_TIMEOUT}s")


def test_killed_import_leaves_no_partial_rows(engine, database_url, tmp_path):
    seed(engine)
    engine.dispose()
    before = usage_rows(engine)
    assert before[0] == 2
    big = tmp_path / "usage_big.csv"
    assert write_usage(big, range(1, ACCOUNTS + 1), WEEKS) == 100_000

    started = time.monotonic()
    process = start_import(database_url, big)
    try:
        lines = stderr_lines(process)
        stored, total = progress(wait_until_writing(process, lines))
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(EXIT_TIMEOUT) == -signal.SIGKILL
        # Killed with chunks still to write, so before the transaction could commit.
        assert 0 < stored < total == 100_000
        killed_after = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(EXIT_TIMEOUT)

    fresh = make_engine(database_url)
    try:
        assert usage_rows(fresh) == before
        wait_for_other_sessions_to_end(fresh)
        after = usage_rows(fresh)
        assert after == before
        print(
            f"\nkilled {fresh.dialect.name} import {killed_after:.1f}s after start, at {stored:,} of "
            f"{total:,} rows; usage rows before {before[0]}, after {after[0]}"
        )

        small = tmp_path / "usage_small.csv"
        assert write_usage(small, range(ACCOUNTS - 2, ACCOUNTS + 1), 1) == 3
        finished = subprocess.run(
            [sys.executable, "-m", "db.imports", "usage", str(small), "--url", database_url],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            timeout=SMALL_IMPORT_TIMEOUT,
        )
        assert finished.returncode == 0, finished.stderr
        assert "3 inserted, 0 updated" in finished.stdout
        assert usage_rows(fresh)[0] == before[0] + 3
    finally:
        fresh.dispose()
