"""Benchmark the advocate program at 50,000 accounts: ranking and eligibility, and the two pages.

    python -m scripts.bench_advocacy                 # builds a temporary SQLite demo database
    python -m scripts.bench_advocacy --url URL       # an existing demo database (e.g. bench_health --keep)
    python -m scripts.bench_advocacy --postgres      # a scratch PostgreSQL database (dropped at the end)

Prints figures against the targets; it asserts nothing.
"""

from __future__ import annotations

import datetime as dt

from core import advocates, health, outreach
from db.engine import make_engine
from db.reads import accounts as account_reads
from db.reads import advocates as advocate_reads
from db.reads import settings as settings_reads
from scripts.bench_health import best_of, logged_in, measure_from_command_line, peak_mb, timed_run, verdict

TARGET_RANKING_S = 1.0
TARGET_FIRST_RENDER_S = 1.5
REPEATS = 3


def measure_core(url: str, today: dt.date) -> None:
    """The candidates query, then ranking + eligibility of the whole base (best of REPEATS)."""
    engine = make_engine(url)
    settings = settings_reads.load_settings(engine)
    week = account_reads.latest_scored_week(engine)
    query_s, candidates = best_of(1, lambda: advocate_reads.candidates(engine, today, week))
    candidates["health_band"] = health.band(
        candidates["health_score"], candidates["segment"], settings, settings_reads.load_profiles(engine)
    )
    rank_s, ranked = best_of(REPEATS, lambda: advocates.rank(candidates, today, settings))
    latest = advocate_reads.outreach_choices(engine).latest
    year = advocate_reads.OutreachFilter(latest - dt.timedelta(days=365), latest)
    tally_s, tally = best_of(1, lambda: advocate_reads.outreach_tally(engine, year))
    rates_s, _ = best_of(REPEATS, lambda: [outreach.rates(tally, by) for by in outreach.GROUPINGS])
    engine.dispose()
    print(f"1. Ranking the whole base as of {today} ({engine.dialect.name})")
    print(
        f"   candidates query (cached by the page afterwards): {query_s:6.2f} s  — {len(candidates):,} contacts"
    )
    print(
        f"   ranking + eligibility (core.advocates.rank):      {rank_s:6.2f} s  "
        f"(target ≤ {TARGET_RANKING_S:g} s: {verdict(rank_s <= TARGET_RANKING_S)}) — "
        f"{int(ranked['eligible'].sum()):,} eligible now"
    )
    print(
        f"   outreach tally of the last year (SQL):            {tally_s:6.2f} s  — "
        f"{int(tally['n'].sum()):,} attempts in {len(tally):,} groups"
    )
    print(f"   rates by channel, owner, follow-up and month:     {rates_s:6.2f} s", flush=True)


def measure_pages(url: str) -> None:
    """First renders of the effectiveness and pipeline pages with cold caches, and a period change."""
    from db.families import FAMILIES
    from ui import cache

    with logged_in(url, "mark") as app:
        timed_run(app)
        cache.after_write(FAMILIES)
        app.switch_page("pages/outreach.py")
        outreach_s = timed_run(app)
        finding = app.markdown[0].value
        start, end = app.date_input(key="outreach_period").value
        app.date_input(key="outreach_period").set_value((end - dt.timedelta(days=90), end))
        period_s = timed_run(app)
        cache.after_write(FAMILIES)
        app.switch_page("pages/advocates.py")
        pipeline_s = timed_run(app)
        showing = next(c.value for c in app.caption if c.value.startswith("Showing"))
        app.session_state["adv_tab"] = "Pipeline"
        board_s = timed_run(app)
    print("2. Pages (AppTest, marketing, cold query caches)")
    print(
        f"   outreach effectiveness, first render:  {outreach_s:6.2f} s  "
        f"(target ≤ {TARGET_FIRST_RENDER_S:g} s: {verdict(outreach_s <= TARGET_FIRST_RENDER_S)})"
    )
    print(f"      finding: {finding.strip('*')}")
    print(f"   outreach effectiveness, last 90 days:  {period_s:6.2f} s")
    print(f"   advocate pipeline, first render:       {pipeline_s:6.2f} s  — {showing}")
    print(f"   advocate pipeline, Pipeline tab:       {board_s:6.2f} s")
    print(f"3. Peak memory of the measuring process: {peak_mb():,.0f} MB", flush=True)


def measure(url: str, today: dt.date) -> None:
    measure_core(url, today)
    measure_pages(url)


def main() -> None:
    measure_from_command_line(measure, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
