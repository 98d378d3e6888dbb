"""Benchmark the asset library and prospect matching at 50,000 accounts (20,000 assets).

    python -m scripts.bench_references                 # builds a temporary SQLite demo database
    python -m scripts.bench_references --url URL       # an existing demo database (e.g. bench_health --keep)
    python -m scripts.bench_references --postgres      # a scratch PostgreSQL database (dropped at the end)

Prints figures against the targets; it asserts nothing.
"""

from __future__ import annotations

import datetime as dt

from core import advocates, assets, matching
from db.engine import make_engine
from db.reads import accounts as account_reads
from db.reads import advocates as advocate_reads
from db.reads import assets as asset_reads
from db.reads import settings as settings_reads
from scripts.bench_health import best_of, logged_in, measure_from_command_line, timed_run, verdict

TARGET_FILTER_S = 0.2
TARGET_MATCH_S = 0.3
REPEATS = 3


def measure_core(url: str, today: dt.date) -> None:
    """Library filter and prospect match in core, on data loaded once (as the pages' caches hold it)."""
    engine = make_engine(url)
    settings = settings_reads.load_settings(engine)
    week = account_reads.latest_scored_week(engine)
    tags = asset_reads.tags(engine)
    load_s, library = best_of(1, lambda: asset_reads.library(engine, today, week, tags))
    library["account_band"] = None
    pool = (
        advocate_reads.candidates(engine, today, week, in_program=True).reset_index().set_index("advocate_id")
    )
    pool["health_band"] = None
    activities = asset_reads.reference_activities(engine)
    engine.dispose()
    flags = assets.freshness(library, today, settings)
    chosen = assets.LibraryFilter(industries=("Retail",), approvals=("approved",), text="reporting")
    filter_s, found = best_of(REPEATS, lambda: assets.filter_library(library, tags, flags, chosen))
    prospect = matching.Prospect(
        "Retail", "Enterprise", "EMEA", "Analytics", "faster reporting for store teams"
    )

    def match():
        fatigue = advocates.fatigue(activities, today, settings)
        return (
            matching.match_assets(prospect, library, tags, assets.freshness(library, today, settings)),
            matching.match_advocates(prospect, pool, fatigue, settings, today),
        )

    match_s, ((ranked_assets, _), (ranked_advocates, excluded)) = best_of(REPEATS, match)
    print(f"1. Core, {len(library):,} assets and {len(pool):,} advocates who agreed ({engine.dialect.name})")
    print(f"   library query (cached by the page afterwards):     {load_s:6.2f} s")
    print(
        f"   filter + search + order:                           {filter_s:6.3f} s  "
        f"(target ≤ {TARGET_FILTER_S:g} s: {verdict(filter_s <= TARGET_FILTER_S)}) — {len(found):,} found"
    )
    print(
        f"   prospect match (assets and advocates):             {match_s:6.3f} s  "
        f"(target ≤ {TARGET_MATCH_S:g} s: {verdict(match_s <= TARGET_MATCH_S)}) — {len(ranked_assets)} assets, "
        f"{len(ranked_advocates)} advocates, {len(excluded):,} advocates excluded",
        flush=True,
    )


def measure_pages(url: str) -> None:
    """The library's first render and a filter change; a prospect match on the references page (AppTest)."""
    with logged_in(url, "sam") as app:
        timed_run(app)
        app.switch_page("pages/library.py")
        first_s = timed_run(app)
        app.multiselect(key="lib_industries").set_value(["Retail"])
        filter_s = timed_run(app)
        caption = next(c.value for c in app.caption if c.value.startswith("Showing"))
        app.switch_page("pages/references.py")
        references_s = timed_run(app)
        app.selectbox(key="match_industry").set_value("Retail")
        app.selectbox(key="match_size").set_value("Enterprise")
        timed_run(app)
        app.text_input(key="match_pain").input("faster reporting")
        match_s = timed_run(app)
    print("2. Pages (AppTest, sales)")
    print(f"   asset library, first render (cold caches):  {first_s:6.2f} s")
    print(
        f"   asset library, industry filter change:      {filter_s:6.2f} s  "
        f"(target ≤ {TARGET_FILTER_S:g} s: {verdict(filter_s <= TARGET_FILTER_S)}) — {caption}"
    )
    print(f"   reference requests, first render:           {references_s:6.2f} s")
    print(
        f"   prospect match (pain point typed):          {match_s:6.2f} s  "
        f"(target ≤ {TARGET_MATCH_S:g} s: {verdict(match_s <= TARGET_MATCH_S)})",
        flush=True,
    )


def measure(url: str, today: dt.date) -> None:
    measure_core(url, today)
    measure_pages(url)


def main() -> None:
    measure_from_command_line(measure, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
