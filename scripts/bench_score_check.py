"""Benchmark "Does the score work?" over many weeks: the reads and the validation at 50,000 accounts × 52 weeks.

    python -m scripts.bench_score_check              # a temporary SQLite file
    python -m scripts.bench_score_check --postgres   # a scratch PostgreSQL database (dropped at the end)

The history is generated (scripts.score_histories: stored scores, churn, tickets, weekly active users) rather
than scored from the demo, which would take far longer for 52 weeks. The measurement runs in a fresh process, so
its peak memory does not include the generator's. Prints figures against the target (reads and validation
together ≤ 20 s at 50,000 accounts × 52 weeks, on SQLite and PostgreSQL) with the machine's load average beside
them, since a loaded machine slows every figure; asserts nothing. Run it ahead of other work with
`nice -n -10` (as root).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time

from core import score_validation
from db import backtest, migrate, scratch
from db.engine import make_engine
from db.reads import accounts as account_reads
from scripts.bench_health import in_fresh_process, peak_mb, verdict
from scripts.score_histories import build_history

HORIZON_DAYS = 90
TARGET_S = 20.0


def build(url: str, accounts: int, weeks: int, signal: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    counts = build_history(engine, accounts=accounts, weeks=weeks, signal=signal)
    engine.dispose()
    print(
        f"1. Build ({engine.dialect.name}): {accounts:,} accounts × {weeks} weeks, signal '{signal}': "
        f"{counts['health_snapshots']:,} scores, {counts['usage_weekly']:,} usage rows, "
        f"{counts['tickets']:,} tickets in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def measure(url: str) -> None:
    engine = make_engine(url)
    latest = account_reads.latest_scored_week(engine)
    newest = latest - dt.timedelta(days=HORIZON_DAYS)
    last_week = newest - dt.timedelta(days=newest.weekday())
    started, cpu = time.perf_counter(), time.process_time()
    panel = backtest.panel(engine, last_week, HORIZON_DAYS)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    found = score_validation.validate(panel)
    validate_s = time.perf_counter() - started
    cpu_s = time.process_time() - cpu
    score = found.rules.iloc[0]
    print(
        f"2. Validation of the weeks up to {last_week} ({found.weeks} weeks with {HORIZON_DAYS} days of outcome)"
    )
    print(f"   reads (backtest.panel):      {read_s:.1f} s for {len(panel):,} account-weeks")
    print(
        f"   validation (validate):       {validate_s:.1f} s: {len(found.rules)} rules, {len(found.weekly)} weeks, "
        f"{len(found.segments)} segments, {len(found.plans)} plans, "
        f"{score_validation.BOOTSTRAP_FIRST}–{score_validation.BOOTSTRAP_RESAMPLES} resamples"
    )
    total = read_s + validate_s
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"   total:                       {total:.1f} s (target ≤ {TARGET_S:.0f} s): {verdict(total <= TARGET_S)}; "
        f"peak memory {peak_mb():,.0f} MB; load average {load} (1, 5, 15 min)"
    )
    print(
        f"   CPU time of this process:    {cpu_s:.1f} s (the work itself, whatever else runs on the machine)"
    )
    print(
        f"   score AUC {score['auc']:.3f} ({score['low']:.3f}–{score['high']:.3f}); {found.verdict}",
        flush=True,
    )
    engine.dispose()


def bench(url: str, accounts: int, weeks: int, signal: str) -> None:
    in_fresh_process(build, url, accounts, weeks, signal)
    in_fresh_process(measure, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--signal", default="score", choices=["none", "score", "tenure"])
    parser.add_argument(
        "--postgres", action="store_true", help="bench a scratch database on the local PostgreSQL"
    )
    args = parser.parse_args()
    if args.postgres:
        url = scratch.create_database("advocacy_bench_score_check")
        try:
            bench(url, args.accounts, args.weeks, args.signal)
        finally:
            scratch.drop_database(url)
        return
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{folder}/bench_score_check.db", args.accounts, args.weeks, args.signal)


if __name__ == "__main__":
    main()
