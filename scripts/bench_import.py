"""Benchmark the data import: 1,000,000 weekly usage rows, then 5,000,000 usage events, from CSV into a
demo database.

    python -m scripts.bench_import                   # a temporary SQLite file
    python -m scripts.bench_import --postgres        # a scratch PostgreSQL database (dropped at the end)
    python -m scripts.bench_import --rows 200000 --events 1000000 --accounts 5000

Builds a demo book (db.demo), writes a CSV of usage rows for the weeks after the demo's history,
times reading, validating and the whole import (read + validate + write in one transaction), then
imports the same file again (every row unchanged). Then writes a usage-event log (account, user,
timestamp with a zone, event) and runs the command line on it as a user would — a checked run, then the
real one — timing its first progress line, its rows per second and its peak memory. Prints figures
against the targets; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from core import imports
from db import demo, migrate, scratch
from db import imports as db_imports
from db.engine import make_engine
from db.users import OPERATOR
from scripts.bench_health import in_fresh_process, peak_mb, verdict

TARGET_ROWS_PER_S = 100_000
TARGET_EVENTS_PER_S = 200_000
TARGET_EVENTS_PEAK_MB = 1024
TARGET_FIRST_LINE_S = 1.5
# The demo history ends a year ago, so the imported weeks are new weeks up to today.
HISTORY_END = dt.date.today() - dt.timedelta(weeks=52)


def usage_csv(engine: Engine, rows: int, folder: Path, seed: int) -> Path:
    """A CSV of rows usage rows: every account, week after week from the Monday after the demo's history."""
    with engine.connect() as connection:
        accounts = [
            external_id for (external_id,) in connection.exec_driver_sql("SELECT external_id FROM accounts")
        ]
    weeks = math.ceil(rows / len(accounts))
    first = HISTORY_END + dt.timedelta(days=7 - HISTORY_END.weekday())
    mondays = pd.date_range(first, periods=weeks, freq="7D").strftime("%Y-%m-%d")
    rng = np.random.default_rng(seed)
    active = rng.integers(0, 200, rows)
    frame = pd.DataFrame(
        {
            "Account": np.tile(np.asarray(accounts, dtype=object), weeks)[:rows],
            "Week start": np.repeat(np.asarray(mondays, dtype=object), len(accounts))[:rows],
            "Active users": active,
            "Logins": active * rng.integers(1, 8, rows),
            "Key feature events": rng.integers(0, 500, rows),
            "Seats used": active + rng.integers(0, 20, rows),
        }
    )
    path = folder / "usage.csv"
    frame.to_csv(path, index=False)
    return path


def build(url: str, rows: int, accounts: int, seed: int, path: Path) -> None:
    """Migrate, generate the demo book and write the usage file (in its own process, like a real database
    that was filled earlier: the demo load's memory and write-ahead log are gone before the import)."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    demo.generate(engine, accounts=accounts, seed=seed, as_of=HISTORY_END)
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    print(
        f"1. Demo book ({engine.dialect.name}): {accounts:,} accounts in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    usage_csv(engine, rows, path.parent, seed)
    engine.dispose()


def measure(url: str, rows: int, path: Path) -> None:
    """Time read, validate and the full import, then the same file again. Stays long: one measuring script,
    each timing printed right after it is taken."""
    engine = make_engine(url)
    data = path.read_bytes()
    print(
        f"   load average before the import: {' '.join(f'{load:.1f}' for load in os.getloadavg())} (2 cores)"
    )
    print(f"   usage file: {rows:,} rows, {len(data) / 2**20:,.1f} MiB")

    started = time.perf_counter()
    frame = imports.read_table(data, path.name)
    read_s = time.perf_counter() - started
    mapping = imports.auto_map(list(frame.columns), "usage")
    started = time.perf_counter()
    with engine.connect() as connection:
        known = db_imports.known_ids(connection, "usage")
    validated = imports.validate(frame, "usage", mapping, known)
    validate_s = time.perf_counter() - started
    del frame, validated

    chunks: list[float] = []
    started, cpu = time.perf_counter(), time.process_time()
    result = db_imports.run_import(
        engine,
        OPERATOR,
        data,
        path.name,
        "usage",
        progress=lambda done, total: chunks.append(time.perf_counter()),
    )
    total_s, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    write_s = max(total_s - read_s - validate_s, 0.0)
    rate = rows / total_s
    print("2. First import (every row new)")
    line("read (CSV → text frame):", read_s, rows)
    line("validate (types, ranges, accounts, duplicates):", validate_s, rows)
    line("write (insert or upsert, audit, commit) ≈ total − read − validate:", write_s, rows)
    print(
        f"   {'total run_import:':<66} {total_s:6.2f} s  {rate:10,.0f} rows/s  "
        + (
            f"(target ≥ {TARGET_ROWS_PER_S:,} rows/s on SQLite: {verdict(rate >= TARGET_ROWS_PER_S)})"
            if engine.dialect.name == "sqlite"
            else "(no target on PostgreSQL)"
        )
    )
    print(
        f"   {'CPU time of this process during run_import:':<66} {total_cpu:6.2f} s  (wall − CPU = waiting)"
    )
    print(
        f"   inserted {result.inserted:,}, updated {result.updated:,}, unchanged {result.unchanged:,}; "
        f"{len(chunks)} progress calls"
    )

    started = time.perf_counter()
    again = db_imports.run_import(engine, OPERATOR, data, path.name, "usage")
    again_s = time.perf_counter() - started
    print("3. The same file again")
    print(
        f"   {'total run_import:':<66} {again_s:6.2f} s  {rows / again_s:10,.0f} rows/s  "
        f"(inserted {again.inserted:,}, updated {again.updated:,}, unchanged {again.unchanged:,})"
    )
    print(f"4. Peak memory of this process: {peak_mb():,.0f} MB", flush=True)
    engine.dispose()


def events_csv(url: str, events: int, path: Path, seed: int) -> None:
    """A usage-event log: events spread over every account's users and the year after the demo's history."""
    engine = make_engine(url)
    with engine.connect() as connection:
        accounts = np.asarray(
            [
                external_id
                for (external_id,) in connection.exec_driver_sql("SELECT external_id FROM accounts")
            ],
            dtype=object,
        )
    engine.dispose()
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(HISTORY_END + dt.timedelta(days=7 - HISTORY_END.weekday()))
    with path.open("w") as file:
        file.write("account_id,user_id,timestamp,event\n")
        for first in range(0, events, 1_000_000):
            size = min(1_000_000, events - first)
            account = rng.integers(0, len(accounts), size)
            at = start + pd.to_timedelta(rng.integers(0, 364 * 86_400, size), unit="s")
            pd.DataFrame(
                {
                    "account_id": accounts[account],
                    "user_id": np.char.add("u", (account * 20 + rng.integers(0, 20, size)).astype(str)),
                    "timestamp": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "event": np.array(["login", "report_export", "dashboard_view", "share"])[
                        rng.integers(0, 4, size)
                    ],
                }
            ).to_csv(file, header=False, index=False)


def command_line(url: str, path: Path, *options: str) -> tuple[float, float, float, str]:
    """Run the import command line as a user would: (seconds to its first line, seconds in all, peak MB of
    that process, its last line of output)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "db.imports", "usage_events", str(path), "--url", url, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stderr.readline()
    first_line = time.perf_counter() - started
    out = process.stdout.read()
    process.stderr.read()
    # Reaped here rather than by Popen, for this child's own peak memory.
    _, _, usage = os.wait4(process.pid, 0)
    total = time.perf_counter() - started
    peak = usage.ru_maxrss / 1024
    return first_line, total, peak, out.strip().splitlines()[-1]


def measure_events(url: str, events: int, path: Path) -> None:
    print(
        f"5. Usage events: {events:,} rows, {path.stat().st_size / 2**20:,.0f} MiB (command line, own process)"
    )
    for label, options in (("checked (--check, writes nothing)", ("--check",)), ("imported", ())):
        first_line, total, peak, last = command_line(url, path, *options)
        rate = events / total
        print(f"   {label}: {last}")
        print(
            f"   {'first progress line:':<34} {first_line:6.2f} s  "
            f"(target ≤ {TARGET_FIRST_LINE_S} s: {verdict(first_line <= TARGET_FIRST_LINE_S)})"
        )
        print(
            f"   {'events per second, all in:':<34} {rate:10,.0f}  "
            f"(target ≥ {TARGET_EVENTS_PER_S:,}: {verdict(rate >= TARGET_EVENTS_PER_S)}; {total:.1f} s)"
        )
        print(
            f"   {'peak memory of the process:':<34} {peak:10,.0f} MB  "
            f"(target ≤ {TARGET_EVENTS_PEAK_MB:,} MB: {verdict(peak <= TARGET_EVENTS_PEAK_MB)})",
            flush=True,
        )


def line(label: str, seconds: float, rows: int) -> None:
    print(f"   {label:<66} {seconds:6.2f} s  {rows / max(seconds, 1e-9):10,.0f} rows/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", action="store_true", help="bench a scratch PostgreSQL database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "usage.csv"
        url = (
            scratch.create_database("advocacy_bench")
            if args.postgres
            else f"sqlite:///{folder}/bench_import.db"
        )
        try:
            in_fresh_process(build, url, args.rows, args.accounts, args.seed, path)
            in_fresh_process(measure, url, args.rows, path)
            log = Path(folder) / "events.csv"
            events_csv(url, args.events, log, args.seed)
            measure_events(url, args.events, log)
        finally:
            if args.postgres:
                scratch.drop_database(url)


if __name__ == "__main__":
    main()
