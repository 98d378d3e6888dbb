"""Reads for "Does the score work?" over many weeks: every stored score with the facts the baselines need.

Each read is one query of numbers (day numbers for dates, see db.reads) so 50,000 accounts × 52 weeks load in
seconds; core.score_validation.build_panel joins them in numpy."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from core import score_validation
from db import reads
from db.reads import accounts as account_reads

# The usage weeks the first week's trend reads: its 4 recent weeks and the 8 before them.
USAGE_WEEKS_BEFORE = score_validation.RECENT_WEEKS + score_validation.PRIOR_WEEKS - 1


def _day(engine: Engine, timestamp: str) -> str:
    """SQL for the day number of a DATETIME column (julianday reads both; PostgreSQL subtracts dates only)."""
    column = timestamp if engine.dialect.name == "sqlite" else f"CAST({timestamp} AS DATE)"
    return reads.day_number(engine, column)


def scores(engine: Engine, last_week: dt.date) -> pd.DataFrame:
    """Every known stored score of the weeks up to last_week: account_id, week_start, score."""
    # The weeks are picked by their day number, which no index holds: nearly every row is wanted, and SQLite would
    # otherwise seek each one through the week index, five times slower than reading the table through.
    day = reads.day_number(engine, "week_start")
    sql = f"SELECT account_id, {day}, score FROM health_snapshots WHERE score IS NOT NULL AND {day} <= :last_day"
    last_day = (last_week - dt.date(1970, 1, 1)).days
    frame = reads.numbers(
        engine, sql, ["account_id", "week_start", "score"], ["week_start"], {"last_day": last_day}
    )
    return frame.astype({"account_id": "int64"})


ACCOUNTS_SQL = """
SELECT a.id AS account_id, a.segment, a.customer_since, CAST(a.arr AS DOUBLE PRECISION) AS arr, latest.plan
FROM accounts a
LEFT JOIN (
    SELECT account_id, plan,
        ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY started_on DESC, id DESC) AS rn
    FROM subscriptions
) latest ON latest.account_id = a.id AND latest.rn = 1
"""


def accounts(engine: Engine) -> pd.DataFrame:
    """Every account (index account_id) with segment, the plan of its latest subscription, customer_since and ARR."""
    frame = reads.frame(engine, ACCOUNTS_SQL, ["customer_since"])
    return frame.astype({"account_id": "int64", "arr": float}).set_index("account_id")


def churn_events(engine: Engine) -> pd.DataFrame:
    """Every churn event: account_id, churned_on (each one counts, also of an account that came back)."""
    sql = f"SELECT account_id, {reads.day_number(engine, 'churned_on')} FROM churn_events"
    return reads.numbers(engine, sql, ["account_id", "churned_on"], ["churned_on"]).astype(
        {"account_id": "int64"}
    )


def tickets(engine: Engine, since: dt.date, until: dt.date) -> pd.DataFrame:
    """Tickets opened on days since…until: account_id, opened_on (the day)."""
    sql = (
        f"SELECT account_id, {_day(engine, 'opened_at')} FROM tickets "
        "WHERE opened_at >= :since AND opened_at < :until_end"
    )
    params = {
        "since": dt.datetime.combine(since, dt.time()),
        "until_end": dt.datetime.combine(until, dt.time()) + dt.timedelta(days=1),
    }
    frame = reads.numbers(engine, sql, ["account_id", "opened_on"], ["opened_on"], params)
    return frame.astype({"account_id": "int64"})


def active_users(engine: Engine, since: dt.date, until: dt.date) -> pd.DataFrame:
    """Weekly active users of the weeks since…until: account_id, week_start, active_users (NaN: unknown)."""
    sql = (
        f"SELECT account_id, {reads.day_number(engine, 'week_start')}, active_users FROM usage_weekly "
        "WHERE week_start >= :since AND week_start <= :until"
    )
    frame = reads.numbers(
        engine,
        sql,
        ["account_id", "week_start", "active_users"],
        ["week_start"],
        {"since": since, "until": until},
    )
    return frame.astype({"account_id": "int64"})


def numeric_attributes(engine: Engine) -> pd.DataFrame:
    """Every custom numeric attribute's values (a column each, index account_id)."""
    kinds = {name: kind for name, kind in account_reads.attribute_kinds(engine).items() if kind == "number"}
    if not kinds:
        return pd.DataFrame(index=pd.Index([], name="account_id", dtype="int64"))
    return account_reads.attribute_values(engine, kinds)


def panel(engine: Engine, last_week: dt.date, horizon_days: int) -> pd.DataFrame:
    """core.score_validation.build_panel over every scored week up to last_week, churn within horizon_days."""
    scored = scores(engine, last_week)
    if scored.empty:
        return score_validation.build_panel(
            scores=scored,
            accounts=pd.DataFrame(),
            churn=pd.DataFrame(),
            tickets=pd.DataFrame(),
            usage=pd.DataFrame(),
            attributes=pd.DataFrame(),
            horizon_days=horizon_days,
        )
    first_week = scored["week_start"].min().date()
    last_sunday = last_week + dt.timedelta(days=6)
    return score_validation.build_panel(
        scores=scored,
        accounts=accounts(engine),
        churn=churn_events(engine),
        tickets=tickets(engine, first_week - dt.timedelta(days=score_validation.TICKET_DAYS), last_sunday),
        usage=active_users(engine, first_week - dt.timedelta(weeks=USAGE_WEEKS_BEFORE), last_week),
        attributes=numeric_attributes(engine),
        horizon_days=horizon_days,
    )
