"""The scoring run: weekly health snapshots for every account, written incrementally.

python -m db.scoring            # score the weeks not yet scored with the current weights
python -m db.scoring --full     # rescore every week
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable

import pandas as pd
from sqlalchemy import Engine, delete, func, select

from core import health
from db import queries
from db.engine import make_engine
from db.models import HealthSnapshot, UsageWeekly

# Without this many weeks of usage before it, a week's usage trend has no baseline.
WARM_UP_WEEKS = queries.RECENT_WEEKS + queries.PRIOR_WEEKS - 1


def weights_key(settings: dict[str, float]) -> str:
    """The weights a snapshot was computed with, e.g. 'usage=30 outcomes=15 …'."""
    return " ".join(f"{dim}={settings[f'weight_{dim}']:g}" for dim in health.DIMENSIONS)


def scorable_weeks(engine: Engine, today: dt.date) -> list[dt.date]:
    """Every week (its Monday) with usage history behind it, up to the last complete week."""
    with engine.connect() as conn:
        first, last = (
            conn.execute(select(UsageWeekly.week_start).order_by(UsageWeekly.week_start).limit(1)).scalar(),
            queries.data_as_of(engine, today),
        )
    if first is None:
        return []
    start = first + dt.timedelta(weeks=WARM_UP_WEEKS)
    weeks = pd.date_range(start, queries.week_start(last), freq="7D").date
    return [week for week in weeks if week + dt.timedelta(days=6) <= last]


def weeks_to_score(
    engine: Engine, settings: dict[str, float], today: dt.date, full: bool = False
) -> tuple[list[dt.date], list[dt.date]]:
    """(weeks to score from the raw data, weeks whose stored sub-scores only need the current weights)."""
    weeks = scorable_weeks(engine, today)
    if full:
        return weeks, []
    with engine.connect() as conn:
        keys = dict(
            conn.execute(
                select(HealthSnapshot.week_start, func.min(HealthSnapshot.weights_key)).group_by(
                    HealthSnapshot.week_start
                )
            ).all()
        )
    current = weights_key(settings)
    return [w for w in weeks if w not in keys], [w for w in weeks if keys.get(w, current) != current]


def _store(engine: Engine, week: dt.date, subs: pd.DataFrame, settings: dict[str, float]) -> int:
    """Replace one week's snapshots with subs and the score combined under settings' weights."""
    scored = health.combine(subs, settings)[["score", *health.DIMENSIONS]]
    values = scored.astype(object).where(scored.notna(), None)
    # Dates as text in SQLAlchemy's own format: SQLite stores them so, PostgreSQL casts them.
    computed_at = dt.datetime.now()
    constants = (week.isoformat(), weights_key(settings), computed_at.isoformat(" ", "microseconds"))
    rows = [(account_id, *constants, *scores) for account_id, *scores in values.itertuples(name=None)]
    scored_columns = ["weights_key", "computed_at", *values.columns]
    columns = ", ".join(["account_id", "week_start", *scored_columns])
    with engine.begin() as conn:
        # Straight to the driver: row by row through SQLAlchemy would cost more than the scoring itself.
        if conn.dialect.name == "postgresql":
            conn.execute(delete(HealthSnapshot).where(HealthSnapshot.week_start == week))
            raw = conn.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(f"COPY health_snapshots ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
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
    features = queries.health_features(engine, week + dt.timedelta(days=6))
    return _store(engine, week, health.sub_scores(features), settings)


def reweigh_week(engine: Engine, week: dt.date, settings: dict[str, float]) -> int:
    """Recombine one week's stored sub-scores under new weights (sub-scores do not depend on weights)."""
    subs = queries.snapshot_sub_scores(engine, week)
    return _store(engine, week, subs, settings)


def run(
    engine: Engine,
    today: dt.date | None = None,
    full: bool = False,
    progress: Callable[[int, int, dt.date], None] | None = None,
) -> int:
    """Score every week that needs it, oldest first; returns the number of weeks written."""
    settings = queries.load_settings(engine)
    to_score, to_reweigh = weeks_to_score(engine, settings, today or dt.date.today(), full)
    work = sorted([(week, score_week) for week in to_score] + [(week, reweigh_week) for week in to_reweigh])
    for done, (week, step) in enumerate(work, start=1):
        step(engine, week, settings)
        if progress:
            progress(done, len(work), week)
    return len(work)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m db.scoring", description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="rescore every week, not only the missing ones")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    weeks = run(
        make_engine(),
        full=args.full,
        progress=lambda done, total, week: print(f"{done}/{total} week of {week}"),
    )
    print(f"Scored {weeks} weeks in {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
