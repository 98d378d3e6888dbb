"""The scoring run: weekly health snapshots for every account, written incrementally.

python -m db.scoring [--url URL]          # score new weeks and the weeks imports changed, with the current weights
python -m db.scoring [--url URL] --full   # rescore every week
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Date, DateTime, Engine, bindparam, delete, func, select, text

from core import health, periods
from core import profiles as profile_rules
from core.profiles import Profiles
from db import bulk, logs, tasks
from db.engine import make_engine
from db.models import HealthSnapshot, RescoreWeek, UsageWeekly
from db.reads import accounts as account_reads
from db.reads import settings as settings_reads

log = logging.getLogger(__name__)

# The usage history a week's score needs: the recent weeks and the baseline weeks before them.
HISTORY_WEEKS = account_reads.RECENT_WEEKS + account_reads.PRIOR_WEEKS
WARM_UP_WEEKS = HISTORY_WEEKS - 1


def weights_key(settings: dict[str, float], profiles: Profiles | None = None) -> str:
    """The weights a snapshot was computed with, e.g. 'usage=30 outcomes=15 …' (see core.profiles.weights_key)."""
    return profile_rules.weights_key(settings, profiles or {})


def scorable_weeks(engine: Engine, today: dt.date) -> list[dt.date]:
    """Every week (its Monday) with usage history behind it, up to the last complete week."""
    with engine.connect() as conn:
        first, last = (
            conn.execute(select(UsageWeekly.week_start).order_by(UsageWeekly.week_start).limit(1)).scalar(),
            account_reads.data_as_of(engine, today),
        )
    if first is None:
        return []
    start = first + dt.timedelta(weeks=WARM_UP_WEEKS)
    weeks = pd.date_range(start, periods.week_start(last), freq="7D").date
    return [week for week in weeks if week + dt.timedelta(days=6) <= last]


@dataclass(frozen=True)
class Plan:
    """The weeks a run scores: new (never scored), changed (rescored from the raw data: marked by imports, or
    every scored week with full) and reweigh (stored sub-scores recombined under the current weights); marks:
    the rescore marks it handles, as read (week → marked_at)."""

    new: list[dt.date]
    changed: list[dt.date]
    reweigh: list[dt.date]
    marks: dict[dt.date, dt.datetime]


def plan(engine: Engine, settings: dict[str, float], today: dt.date, full: bool = False) -> Plan:
    """The weeks that need scoring: every scorable week not scored yet, the scored ones imports marked as
    changed (all of them with full), and the others stored under other weights than the current ones."""
    weeks = scorable_weeks(engine, today)
    with engine.connect() as conn:
        keys = dict(
            conn.execute(
                select(HealthSnapshot.week_start, func.min(HealthSnapshot.weights_key)).group_by(
                    HealthSnapshot.week_start
                )
            ).all()
        )
        marked = dict(conn.execute(select(RescoreWeek.week_start, RescoreWeek.marked_at)).all())
    current = weights_key(settings, settings_reads.load_profiles(engine))
    new = [week for week in weeks if week not in keys]
    scored = [week for week in weeks if week in keys]
    changed = scored if full else [week for week in scored if week in marked]
    reweigh = [week for week in scored if week not in changed and keys[week] != current]
    marks = {week: marked[week] for week in new + changed if week in marked}
    return Plan(new, changed, reweigh, marks)


def _store(
    engine: Engine, week: dt.date, subs: pd.DataFrame, segments: pd.Series, settings: dict[str, float]
) -> int:
    """Replace one week's snapshots with subs and the score combined under each account's segment profile."""
    profiles = settings_reads.load_profiles(engine)
    scored = profile_rules.combine(subs, segments, settings, profiles)[["score", *health.DIMENSIONS]]
    values = scored.astype(object).where(scored.notna(), None)
    # Dates as text in SQLAlchemy's own format: SQLite stores them so, PostgreSQL casts them.
    computed_at = dt.datetime.now()
    constants = (
        week.isoformat(),
        weights_key(settings, profiles),
        computed_at.isoformat(" ", "microseconds"),
    )
    rows = [(account_id, *constants, *scores) for account_id, *scores in values.itertuples(name=None)]
    scored_columns = ["weights_key", "computed_at", *values.columns]
    columns = ", ".join(["account_id", "week_start", *scored_columns])
    with engine.begin() as conn:
        # Straight to the driver: row by row through SQLAlchemy would cost more than the scoring itself.
        if conn.dialect.name == "postgresql":
            conn.execute(delete(HealthSnapshot).where(HealthSnapshot.week_start == week))
            bulk.insert_rows(conn, "health_snapshots", ["account_id", "week_start", *scored_columns], rows)
        else:
            # SQLite: updating the week's rows in place keeps both indexes untouched, which costs well under
            # half of deleting and re-inserting them; rows this run did not write (accounts no longer
            # scored that week) are removed after.
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                updates = ", ".join(f"{column} = excluded.{column}" for column in scored_columns)
                conn.exec_driver_sql(
                    f"INSERT INTO health_snapshots ({columns}) VALUES ({marks}) "
                    f"ON CONFLICT (account_id, week_start) DO UPDATE SET {updates}",
                    rows,
                )
            conn.execute(
                delete(HealthSnapshot).where(
                    HealthSnapshot.week_start == week, HealthSnapshot.computed_at != computed_at
                )
            )
    return len(rows)


def score_week(engine: Engine, week: dt.date, settings: dict[str, float]) -> int:
    """Score one week from the raw data, as of its Sunday; returns the rows written."""
    features = account_reads.health_features(engine, week + dt.timedelta(days=6))
    return _store(engine, week, health.sub_scores(features), features["segment"], settings)


def reweigh_week(engine: Engine, week: dt.date, settings: dict[str, float]) -> int:
    """Recombine one week's stored sub-scores under new weights (sub-scores do not depend on weights)."""
    subs = account_reads.snapshot_sub_scores(engine, week)
    return _store(engine, week, subs, account_reads.account_segments(engine), settings)


def _count(count: int, noun: str) -> str:
    """'1 week', '2 weeks'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True)
class RunReport:
    """What a scoring run did: weeks scored for the first time, weeks rescored from the raw data (changed by
    imports, or every scored week with full) and weeks recombined under new weights."""

    new: int
    rescored: int
    reweighed: int
    full: bool = False
    tasks: tasks.GenerationReport = tasks.GenerationReport(0, 0)

    @property
    def weeks(self) -> int:
        return self.new + self.rescored + self.reweighed

    def sentence(self) -> str:
        """E.g. "Scored 2 new weeks; rescored 12 weeks changed by imports." """
        rescored = (
            f"rescored all {_count(self.rescored, 'week')} scored before"
            if self.full
            else f"rescored {_count(self.rescored, 'week')} changed by imports"
        )
        reweighed = (
            f"; recombined {_count(self.reweighed, 'week')} under new weights" if self.reweighed else ""
        )
        return f"Scored {_count(self.new, 'new week')}; {rescored}{reweighed}."


def score_book(
    engine: Engine,
    today: dt.date | None = None,
    full: bool = False,
    progress: Callable[[int, int, dt.date], None] | None = None,
) -> RunReport:
    """Score every week that needs it (see plan), oldest first. A week's rescore mark is deleted once the week is
    rescored, unless an import marked it again meanwhile (its marked_at then differs from the one read)."""
    started = time.perf_counter()
    settings = settings_reads.load_settings(engine)
    todo = plan(engine, settings, today or dt.date.today(), full)
    work = sorted(
        [(week, score_week) for week in todo.new + todo.changed]
        + [(week, reweigh_week) for week in todo.reweigh]
    )
    for done, (week, step) in enumerate(work, start=1):
        step(engine, week, settings)
        if week in todo.marks:
            with engine.begin() as conn:
                conn.execute(
                    delete(RescoreWeek).where(
                        RescoreWeek.week_start == week, RescoreWeek.marked_at == todo.marks[week]
                    )
                )
        if progress:
            progress(done, len(work), week)
    log.info(
        "scoring run: new=%d rescored=%d reweighed=%d full=%s seconds=%.1f",
        len(todo.new),
        len(todo.changed),
        len(todo.reweigh),
        full,
        time.perf_counter() - started,
    )
    # The work queue follows the scores: tasks for the accounts that entered at risk or dropped.
    raised = tasks.generate(engine)
    return RunReport(len(todo.new), len(todo.changed), len(todo.reweigh), full, raised)


def run(
    engine: Engine,
    today: dt.date | None = None,
    full: bool = False,
    progress: Callable[[int, int, dt.date], None] | None = None,
) -> int:
    """score_book, returning the number of weeks written."""
    return score_book(engine, today, full, progress).weeks


MARK_CHANGED_SQL = text(
    # An upsert, so marking a week twice (or from two imports at once) keeps one mark, the newest.
    "INSERT INTO rescore_weeks (week_start, marked_at) "
    "SELECT week_start, :now FROM health_snapshots WHERE week_start >= :first GROUP BY week_start "
    "ON CONFLICT (week_start) DO UPDATE SET marked_at = excluded.marked_at"
).bindparams(bindparam("now", type_=DateTime), bindparam("first", type_=Date))


def mark_changed(connection: Connection, since: dt.date | None) -> None:
    """Mark for rescoring every scored week whose Sunday is on or after since (None: every scored week), in the
    caller's transaction: an import that changed data from that day on calls it, and the next run rescores them."""
    first = dt.date.min if since is None else since - dt.timedelta(days=6)
    connection.execute(MARK_CHANGED_SQL, {"now": dt.datetime.now(), "first": first})


def why_not_scored(engine: Engine, today: dt.date | None = None) -> str | None:
    """Why weeks are not scored, as a plain sentence: no usage yet, too little usage history, or weeks waiting
    for the scoring run; None when every scorable week is scored and none waits."""
    today = today or dt.date.today()
    with engine.connect() as conn:
        first, latest = conn.execute(
            select(func.min(UsageWeekly.week_start), func.max(UsageWeekly.week_start))
        ).one()
    if first is None:
        return "No usage imported yet: import usage or usage events first."
    if not scorable_weeks(engine, today):
        return (
            f"No week can be scored yet: the score needs {HISTORY_WEEKS} weeks of usage history; the first usage "
            f"week is {first}, so the first scorable week is {first + dt.timedelta(weeks=WARM_UP_WEEKS)} (usage "
            f"so far ends with the week of {latest})."
        )
    todo = plan(engine, settings_reads.load_settings(engine), today)
    waiting = [
        f"{_count(len(weeks), 'week')} {what}"
        for weeks, what in (
            (todo.new, "not scored yet"),
            (todo.changed, "changed by imports"),
            (todo.reweigh, "to recombine under new weights"),
        )
        if weeks
    ]
    if not waiting:
        return None
    return (
        f"Waiting for the scoring run: {', '.join(waiting)}. An admin starts it on the Admin page (Scoring run), "
        "or a scheduler runs python -m db.scoring."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m db.scoring", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="the database (default: DATABASE_URL, else the embedded demo database)")
    parser.add_argument("--full", action="store_true", help="rescore every week, not only the missing ones")
    args = parser.parse_args(argv)
    logs.configure()
    engine = make_engine(args.url)
    started = time.perf_counter()
    report = score_book(
        engine,
        full=args.full,
        progress=lambda done, total, week: print(f"{done}/{total} week of {week}"),
    )
    print(f"{report.sentence()} Took {time.perf_counter() - started:.1f} s. {report.tasks.sentence()}")
    reason = why_not_scored(engine)
    if reason:
        print(reason)


if __name__ == "__main__":
    main()
