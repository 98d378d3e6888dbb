"""Benchmark the Program KPIs and Weekly review pages at 50,000 accounts.

    python -m scripts.bench_kpis                 # builds a temporary SQLite demo database
    python -m scripts.bench_kpis --url URL       # an existing demo database (e.g. bench_health --keep)
    python -m scripts.bench_kpis --postgres      # a scratch PostgreSQL database (dropped at the end)

Prints figures against the targets; it asserts nothing.
"""

from __future__ import annotations

import datetime as dt
import time

from scripts.bench_health import logged_in, measure_from_command_line, timed_run, verdict

TARGET_KPI_FIRST_S = 1.5
TARGET_PERIOD_CHANGE_S = 0.3
TARGET_WEEKLY_S = 1.5


def line(label: str, seconds: float, target: float | None = None, note: str = "") -> None:
    goal = f"(target ≤ {target:g} s: {verdict(seconds <= target)})" if target else ""
    print(f"   {label:<52} {seconds:6.2f} s  {goal} {note}".rstrip(), flush=True)


def measure(url: str, today: dt.date) -> None:
    """KPI page first render, period and tab changes; weekly review first render and the HTML report (AppTest)."""
    from db.families import FAMILIES
    from ui import cache

    with logged_in(url, "mark") as app:
        timed_run(app)
        cache.after_write(FAMILIES)
        app.switch_page("pages/kpis.py")
        first_s = timed_run(app)
        nps = next(m.value for m in app.metric if m.label == "NPS")
        app.selectbox(key="kpis_Quarter").select_index(1)
        quarter_s = timed_run(app)
        app.segmented_control(key="kpis_grain").set_value("Year")
        year_s = timed_run(app)
        app.segmented_control(key="kpis_grain").set_value("Month")
        month_s = timed_run(app)
        app.session_state["kpi_tab"] = "By segment and industry"
        breakdown_s = timed_run(app)
        cache.after_write(FAMILIES)
        app.switch_page("pages/weekly.py")
        weekly_s = timed_run(app)
        week = app.selectbox(key="weekly_week").value
        app.selectbox(key="weekly_week").select_index(1)
        other_week_s = timed_run(app)
    print(f"1. Program KPIs (AppTest, marketing, {today})")
    line("first render, cold caches (this quarter):", first_s, TARGET_KPI_FIRST_S, f"— NPS {nps}")
    line("period change: the quarter before:", quarter_s, TARGET_PERIOD_CHANGE_S)
    line("period change: grain Year:", year_s, TARGET_PERIOD_CHANGE_S)
    line("period change: grain Month:", month_s, TARGET_PERIOD_CHANGE_S)
    line("tab: by segment and industry (a query per period):", breakdown_s)
    print("2. Weekly review (AppTest, marketing)")
    line(f"first render, cold caches (week of {week}):", weekly_s, TARGET_WEEKLY_S)
    line("another week:", other_week_s, TARGET_WEEKLY_S)
    measure_report(url, week)


def measure_report(url: str, week: dt.date) -> None:
    """The self-contained HTML report of a week, built as the download button builds it."""
    from core import weekly
    from db.engine import make_engine
    from db.reads import accounts as account_reads
    from db.reads import advocates as advocate_reads
    from db.reads import assets as asset_reads
    from db.reads import purchases as purchase_reads
    from db.reads import settings as settings_reads
    from ui import weekly_report

    engine = make_engine(url)
    before = week - dt.timedelta(days=7)
    end = week + dt.timedelta(days=6)
    settings = settings_reads.load_settings(engine)
    started = time.perf_counter()
    review = weekly.review(
        week,
        account_reads.snapshot_sub_scores(engine, week),
        account_reads.snapshot_sub_scores(engine, before),
        account_reads.account_names(engine),
        account_reads.surveys_between(engine, before, end),
        advocate_reads.stage_changes_between(engine, before, end),
        advocate_reads.outreach_between(engine, before, end),
        asset_reads.assets_changing(engine, before, end, settings["asset_max_age_years"], week),
        asset_reads.requests(engine),
        purchase_reads.referrals(engine),
        purchase_reads.purchases_between(engine, before, end),
        settings,
        settings_reads.load_profiles(engine),
    )
    html = weekly_report.html(review, dt.datetime.now())
    report_s = time.perf_counter() - started
    engine.dispose()
    line("HTML report (queries + review + charts as SVG):", report_s, note=f"— {len(html) / 1024:,.0f} KiB")


def main() -> None:
    measure_from_command_line(measure, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
