"""Benchmark the health score at 50,000 accounts (~5.2M usage rows): build, rescoring, board page, memory.

    python -m scripts.bench_health              # a temporary SQLite file
    python -m scripts.bench_health --postgres   # a scratch PostgreSQL database (dropped at the end)

Prints figures against the targets; it asserts nothing. The build (demo generation and scoring
of the last five weeks) and the measurements each run in a fresh process, so the peak memory
printed for rescoring and the board does not include the generator's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, text

from core import health, periods
from db import demo, migrate, scoring, scratch
from db.engine import make_engine
from db.reads import accounts as account_reads
from db.reads import settings as settings_reads

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
COOKIE_KEY = "bench-cookie-key-that-is-long-enough-for-hs256"
# The board needs the latest scored week and the week four weeks before it.
WEEKS_TO_SCORE = 5
REPEATS = 3
TARGET_FULL_OVER_BARE = 2.0
TARGET_READ_ALL_OVER_FULL = 10.0
TARGET_FIRST_RENDER_S = 1.5
TARGET_FILTER_CHANGE_S = 0.2
TARGET_PEAK_MB = 1024


# --- helpers -----------------------------------------------------------------------------------


def peak_mb() -> float:
    """This process's peak resident memory so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of(repeats: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """(fastest wall time in seconds, result of the last run) over repeats runs of work()."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def latest_week(engine: Engine, today: dt.date) -> dt.date:
    """The newest scorable week (its Monday)."""
    return scoring.scorable_weeks(engine, today)[-1]


def in_fresh_process(target: Callable[..., None], *args: Any) -> None:
    """Run target(*args) in a newly spawned interpreter and wait for it; fail if it fails."""
    process = multiprocessing.get_context("spawn").Process(target=target, args=args)
    process.start()
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"{target.__name__} failed with exit code {process.exitcode}")


# --- part 1: build -----------------------------------------------------------------------------


def build(url: str, accounts: int, seed: int, as_of: dt.date) -> None:
    """Migrate, generate the demo book, then score the last WEEKS_TO_SCORE scorable weeks."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    counts = demo.generate(engine, accounts=accounts, seed=seed, as_of=as_of)
    generation_s = time.perf_counter() - started
    after_generation_mb = peak_mb()

    settings = settings_reads.load_settings(engine)
    weeks = scoring.scorable_weeks(engine, as_of)[-WEEKS_TO_SCORE:]
    started = time.perf_counter()
    for week in weeks:
        scoring.score_week(engine, week, settings)
    scoring_s = time.perf_counter() - started
    engine.dispose()

    print(f"1. Build ({engine.dialect.name}, seed {seed}, as of {as_of})", flush=True)
    print(
        f"   generation: {accounts:,} accounts, {sum(counts.values()):,} rows "
        f"({counts['usage_weekly']:,} usage rows) in {generation_s:.1f} s"
    )
    print(
        f"   scoring:    {len(weeks)} weeks ({weeks[0]} … {weeks[-1]}) in {scoring_s:.1f} s "
        f"({scoring_s / len(weeks):.2f} s per week)"
    )
    print(
        f"   peak memory of the build process after generation: {after_generation_mb:,.0f} MB "
        f"(after scoring: {peak_mb():,.0f} MB)",
        flush=True,
    )


# --- part 2c: the read-everything-into-pandas baseline -------------------------------------------

BASELINE_TABLES = {
    "accounts": (
        "SELECT id, name, owner_id, segment, industry, arr, seats_purchased, renewal_date, customer_since "
        "FROM accounts",
        ["renewal_date", "customer_since"],
    ),
    "churn_events": ("SELECT account_id, churned_on FROM churn_events", ["churned_on"]),
    "usage": (
        "SELECT account_id, week_start, active_users, logins, key_feature_events, seats_used FROM usage_weekly",
        ["week_start"],
    ),
    "milestones": (
        "SELECT account_id, planned_on, achieved_on FROM milestones",
        ["planned_on", "achieved_on"],
    ),
    "surveys": ("SELECT id, account_id, kind, score, responded_on FROM survey_responses", ["responded_on"]),
    "sentiments": ("SELECT id, account_id, sentiment, recorded_at FROM csm_sentiments", ["recorded_at"]),
    "tickets": (
        "SELECT account_id, opened_at, closed_at, severity, category, sla_breached, escalated FROM tickets",
        ["opened_at", "closed_at"],
    ),
}
USAGE_METRICS = ["active_users", "logins", "key_feature_events"]


def read_all(conn: Connection) -> dict[str, pd.DataFrame]:
    """Every row of the tables the health score reads, with dates parsed."""
    return {
        name: pd.read_sql(text(sql), conn, parse_dates={column: {"format": "ISO8601"} for column in dates})
        for name, (sql, dates) in BASELINE_TABLES.items()
    }


def latest_per_account(frame: pd.DataFrame, order: list[str], column: str) -> pd.Series:
    """column of each account's last row in order (ties broken by the later columns of order)."""
    last = frame.sort_values(["account_id", *order]).drop_duplicates("account_id", keep="last")
    return last.set_index("account_id")[column]


def pandas_features(tables: dict[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """What HEALTH_FEATURES_SQL computes, for every active account, from whole tables in memory. Stays long: it
    mirrors the SQL section by section, so the two are compared side by side."""
    day = pd.Timestamp(as_of)
    day_end = pd.Timestamp(dt.datetime.combine(as_of, dt.time.max))
    recent_from = pd.Timestamp(periods.week_start(as_of)) - pd.Timedelta(weeks=account_reads.RECENT_WEEKS - 1)
    prior_from = recent_from - pd.Timedelta(weeks=account_reads.PRIOR_WEEKS)
    year_ago, half_year_ago = day - pd.Timedelta(days=365), day - pd.Timedelta(days=182)
    quarter_ago = pd.Timestamp(dt.datetime.combine(as_of - dt.timedelta(days=90), dt.time.max))

    accounts, churn = tables["accounts"], tables["churn_events"]
    churned = churn.loc[churn["churned_on"] <= day, "account_id"]
    active = accounts[(accounts["customer_since"] <= day) & ~accounts["id"].isin(churned)]
    active = (
        active.drop(columns="customer_since").rename(columns={"id": "account_id"}).set_index("account_id")
    )

    usage = tables["usage"]
    usage = usage[(usage["week_start"] >= prior_from) & (usage["week_start"] <= day)]
    recent = usage["week_start"] >= recent_from
    recent_means = usage[recent].groupby("account_id")[[*USAGE_METRICS, "seats_used"]].mean()
    prior_means = usage[~recent].groupby("account_id")[USAGE_METRICS].mean()
    usage_features = (
        recent_means[USAGE_METRICS]
        .add_suffix("_recent")
        .join(prior_means.add_suffix("_prior"), how="outer")
        .join(recent_means["seats_used"])
    )

    milestones = tables["milestones"]
    milestones = milestones[milestones["planned_on"] <= day]
    outcomes = pd.DataFrame(
        {
            "milestones_due": milestones.groupby("account_id").size(),
            "milestones_met": (milestones["achieved_on"] <= day).groupby(milestones["account_id"]).sum(),
        }
    )

    surveys = tables["surveys"]
    nps = surveys[
        (surveys["kind"] == "nps") & (surveys["responded_on"] > year_ago) & (surveys["responded_on"] <= day)
    ]
    csat = surveys[
        (surveys["kind"] == "csat")
        & (surveys["responded_on"] > half_year_ago)
        & (surveys["responded_on"] <= day)
    ]
    sentiments = tables["sentiments"]
    sentiments = sentiments[
        (sentiments["recorded_at"] > quarter_ago) & (sentiments["recorded_at"] <= day_end)
    ]
    feedback = pd.DataFrame(
        {
            "nps_latest": latest_per_account(nps, ["responded_on", "id"], "score"),
            "csat_mean": csat.groupby("account_id")["score"].mean(),
            "csm_sentiment": latest_per_account(sentiments, ["recorded_at", "id"], "sentiment"),
        }
    )

    tickets = tables["tickets"]
    tickets = tickets[
        (tickets["opened_at"] <= day_end)
        & (tickets["closed_at"].isna() | (tickets["closed_at"] > quarter_ago))
    ]
    still_open = tickets["closed_at"].isna() | (tickets["closed_at"] > day_end)
    last_quarter = tickets["opened_at"] > quarter_ago
    support = (
        pd.DataFrame(
            {
                "open_tickets": still_open,
                "high_severity_open": still_open & tickets["severity"].isin(["high", "urgent"]),
                "sla_breaches_90d": last_quarter & tickets["sla_breached"].astype(bool),
                "billing_issues_90d": last_quarter & (tickets["category"] == "billing"),
                "complaints_90d": last_quarter
                & ((tickets["category"] == "complaint") | tickets["escalated"].astype(bool)),
            }
        )
        .groupby(tickets["account_id"])
        .sum()
    )

    # Left joins onto the active accounts, as in the SQL: no rows → no data (NaN).
    return active.join([usage_features, outcomes, feedback, support]).sort_index()


def read_all_then_score(engine: Engine, as_of: dt.date, settings: dict[str, float]) -> pd.DataFrame:
    """The baseline: read whole tables into pandas, compute the features there, then score."""
    with engine.connect() as conn:
        tables = read_all(conn)
    return health.score_accounts(pandas_features(tables, as_of), settings)


# --- part 2: rescoring ---------------------------------------------------------------------------


def measure_rescoring(engine: Engine, week: dt.date, settings: dict[str, float]) -> tuple[float, float]:
    """Best-of-REPEATS times of the bare SQL aggregate and of the full rescoring of week; prints them."""
    week_end = week + dt.timedelta(days=6)
    bare_s, features = best_of(REPEATS, lambda: account_reads.health_features(engine, week_end))
    full_s, rows = best_of(REPEATS, lambda: scoring.score_week(engine, week, settings))
    print(
        f"2. Rescoring the week of {week} ({len(features):,} active accounts, {rows:,} snapshots written), "
        f"best of {REPEATS}"
    )
    print(f"   a. bare SQL aggregate (account_reads.health_features):       {bare_s:7.2f} s")
    print(f"   b. full rescoring (scoring.score_week):                {full_s:7.2f} s", flush=True)
    return bare_s, full_s


def measure_read_all(
    engine: Engine, week: dt.date, settings: dict[str, float], full_s: float, bare_s: float
) -> None:
    """Best-of-REPEATS time of the read-everything baseline, checked against the SQL path; prints it and the ratios."""
    week_end = week + dt.timedelta(days=6)
    read_all_s, baseline = best_of(REPEATS, lambda: read_all_then_score(engine, week_end, settings))
    reference = health.score_accounts(account_reads.health_features(engine, week_end), settings)
    same_accounts = baseline.index.equals(reference.index)
    difference = (baseline["score"] - reference["score"]).abs().max() if same_accounts else float("nan")
    same_bands = same_accounts and baseline["band"].equals(reference["band"])
    print(f"   c. read everything into pandas first, then score:      {read_all_s:7.2f} s")
    print(
        f"      (baseline vs SQL path: same {len(reference):,} accounts: {same_accounts}, same bands: {same_bands}, "
        f"max |score difference| {difference:.2g})"
    )
    print(
        f"   full ÷ bare:     {full_s / bare_s:5.2f}  (target ≤ {TARGET_FULL_OVER_BARE:g}: "
        f"{verdict(full_s / bare_s <= TARGET_FULL_OVER_BARE)})"
    )
    print(
        f"   read-all ÷ full: {read_all_s / full_s:5.1f}  (target ≥ {TARGET_READ_ALL_OVER_FULL:g}: "
        f"{verdict(read_all_s / full_s >= TARGET_READ_ALL_OVER_FULL)})",
        flush=True,
    )


# --- part 3: the board page ----------------------------------------------------------------------


def timed_run(app) -> float:
    """Seconds of one AppTest run; a page exception makes the figure meaningless, so it raises."""
    started = time.perf_counter()
    app.run()
    elapsed = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"the page raised: {app.exception[0].message}")
    return elapsed


def showing(app) -> str:
    """The board's 'Showing x of y accounts.' caption."""
    return next((c.value for c in app.caption if c.value.startswith("Showing")), "?")


@contextmanager
def logged_in(url: str, username: str = "admin") -> Iterator[Any]:
    """An AppTest of the app on url, logged in as username, with every Streamlit cache cold."""
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    os.environ["DATABASE_URL"] = url
    os.environ["DASHBOARD_COOKIE_KEY"] = COOKIE_KEY
    # As a running server does once app.py has called st.navigation (see tests/pages/conftest.py).
    original_init = PagesManager.__init__

    def init_after_navigation(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init_after_navigation
    try:
        st.cache_data.clear()
        st.cache_resource.clear()
        app = AppTest.from_file(str(APP), default_timeout=600)
        app.run()
        app.text_input[0].input(username)
        app.text_input[1].input(demo.DEMO_PASSWORD)
        app.button[0].click()
        yield app
    finally:
        PagesManager.__init__ = original_init


def measure_board(url: str) -> None:
    """Log in as admin with AppTest, then time the board's first render and two filter changes; prints them."""
    from db.families import FAMILIES
    from ui import cache

    with logged_in(url) as app:
        login_s = timed_run(app)  # bcrypt check + the home page, which loads the whole board too
        # The home page has just cached the board; forget query results so the board starts cold.
        cache.after_write(FAMILIES)
        app.switch_page("pages/health.py")
        first_s = timed_run(app)
        first_rows = showing(app)
        app.multiselect(key="board_bands").select("at_risk")
        bands_s = timed_run(app)
        bands_rows = showing(app)
        segment = app.multiselect(key="board_segments").options[0]
        app.multiselect(key="board_segments").select(segment)
        segments_s = timed_run(app)
        segments_rows = showing(app)
    print("3. Board page (AppTest, admin)")
    print(f"   login + home page (cold caches, not a target):          {login_s:7.2f} s")
    print(
        f"   first render of pages/health.py (cold query caches):    {first_s:7.2f} s  "
        f"(target ≤ {TARGET_FIRST_RENDER_S:g} s: {verdict(first_s <= TARGET_FIRST_RENDER_S)}) — {first_rows}"
    )
    print(
        f"   filter change: band = at_risk:                          {bands_s:7.2f} s  "
        f"(target ≤ {TARGET_FILTER_CHANGE_S:g} s: {verdict(bands_s <= TARGET_FILTER_CHANGE_S)}) — {bands_rows}"
    )
    print(
        f"   filter change: + segment = {segment:<12}                {segments_s:7.2f} s  "
        f"(target ≤ {TARGET_FILTER_CHANGE_S:g} s: {verdict(segments_s <= TARGET_FILTER_CHANGE_S)}) — {segments_rows}",
        flush=True,
    )


# --- parts 2–4 in one fresh process --------------------------------------------------------------


def measure(url: str, today: dt.date) -> None:
    """Rescoring, the board page and peak memory, in this (fresh) process."""
    engine = make_engine(url)
    settings = settings_reads.load_settings(engine)
    week = latest_week(engine, today)
    bare_s, full_s = measure_rescoring(engine, week, settings)
    after_rescoring_mb = peak_mb()
    measure_board(url)
    after_board_mb = peak_mb()
    print("   (2c continues below: it runs last so its memory does not count in the app's peak)")
    measure_read_all(engine, week, settings, full_s, bare_s)
    engine.dispose()
    print("4. Peak memory of the measuring process (ru_maxrss; generation ran in another process)")
    print(
        f"   after rescoring (2a, 2b):                     {after_rescoring_mb:7,.0f} MB  "
        f"(target ≤ {TARGET_PEAK_MB:,} MB: {verdict(after_rescoring_mb <= TARGET_PEAK_MB)})"
    )
    print(
        f"   after rescoring and board (2a, 2b, 3):        {after_board_mb:7,.0f} MB  "
        f"(target ≤ {TARGET_PEAK_MB:,} MB: {verdict(after_board_mb <= TARGET_PEAK_MB)})"
    )
    print(
        f"   after the read-everything baseline too (2c):  {peak_mb():7,.0f} MB  (baseline only, no target)",
        flush=True,
    )


def bench(url: str, accounts: int, seed: int, today: dt.date) -> None:
    """Build the database in one fresh process, then measure in another."""
    in_fresh_process(build, url, accounts, seed, today)
    in_fresh_process(measure, url, today)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="bench a scratch database on the local PostgreSQL instead of SQLite",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database afterwards (for profiling) and print its URL"
    )
    args = parser.parse_args()
    today = dt.date.today()
    if args.postgres:
        url = scratch.create_database("advocacy_bench")
        try:
            bench(url, args.accounts, args.seed, today)
        finally:
            if args.keep:
                print(f"kept {url}")
            else:
                scratch.drop_database(url)
    elif args.keep:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bench_health_')}/bench_health.db"
        bench(url, args.accounts, args.seed, today)
        print(f"kept {url}")
    else:
        with tempfile.TemporaryDirectory() as folder:
            bench(f"sqlite:///{folder}/bench_health.db", args.accounts, args.seed, today)


if __name__ == "__main__":
    main()


def measure_from_command_line(measure: Callable[[str, dt.date], None], description: str) -> None:
    """The command line of the benchmarks that measure a demo database: an existing one (--url), or one built
    first on a scratch PostgreSQL database (--postgres, dropped afterwards) or a temporary SQLite file."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", help="measure an existing demo database instead of building one")
    parser.add_argument("--postgres", action="store_true", help="build on a scratch PostgreSQL database")
    args = parser.parse_args()
    today = dt.date.today()
    if args.url:
        in_fresh_process(measure, args.url, today)
    elif args.postgres:
        url = scratch.create_database("advocacy_bench")
        try:
            in_fresh_process(build, url, args.accounts, args.seed, today)
            in_fresh_process(measure, url, today)
        finally:
            scratch.drop_database(url)
    else:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            in_fresh_process(build, url, args.accounts, args.seed, today)
            in_fresh_process(measure, url, today)
