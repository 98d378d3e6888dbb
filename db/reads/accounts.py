"""Reads of the accounts and health family: the health score's inputs and snapshots, the board, one account and
its events, surveys, churn, segments, custom attributes and the data coverage panel's reads.

Each returns DataFrames shaped for core.health, core.board, core.coverage, core.kpis and core.weekly."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Date, DateTime, Engine, String, bindparam, select, text

from core import health, periods
from core.vocabulary import SURVEY_KINDS
from db import reads, rules
from db.engine import connected
from db.models import Account, Contact
from db.reads import settings as settings_reads

# Weeks of usage read for the health score: 4 recent weeks compared with the 8 before.
RECENT_WEEKS, PRIOR_WEEKS = 4, 8


# Each window is a MATERIALIZED CTE so both databases read it through its own index (usage by
# week, tickets by closed_at) instead of walking a whole table in account order for the GROUP BY.
# Averages and money are cast to floats: PostgreSQL would return Decimals, slow to turn into pandas.
# {only} restricts every table to one account for the drill-down; the book-wide run leaves it empty.
# Use counts are read as totals and known weeks per window; health_features turns them into weekly means.
HEALTH_FEATURES_SQL = """
WITH active AS (
    SELECT a.id, a.name, a.owner_id, a.segment, a.industry, CAST(a.arr AS DOUBLE PRECISION) AS arr,
        a.seats_purchased, a.renewal_date
    FROM accounts a
    WHERE {active} {only_active}
),
usage_window AS MATERIALIZED (
    SELECT account_id, week_start,
        CAST(active_users AS DOUBLE PRECISION) AS active_users, CAST(logins AS DOUBLE PRECISION) AS logins,
        CAST(key_feature_events AS DOUBLE PRECISION) AS key_feature_events,
        CAST(seats_used AS DOUBLE PRECISION) AS seats_used
    FROM usage_weekly
    WHERE week_start >= :prior_from AND week_start <= :as_of {only}
),
usage AS (
    -- Whole-window and recent sums need half the CASE expressions of recent and prior ones: prior = window − recent.
    SELECT account_id, MIN(week_start) AS first_week, COUNT(*) AS window_rows,
        SUM(CASE WHEN week_start >= :recent_from THEN 1 ELSE 0 END) AS recent_rows,
        SUM(active_users) AS active_users_window_total, COUNT(active_users) AS active_users_window_known,
        SUM(CASE WHEN week_start >= :recent_from THEN active_users END) AS active_users_recent_total,
        COUNT(CASE WHEN week_start >= :recent_from THEN active_users END) AS active_users_recent_known,
        SUM(logins) AS logins_window_total, COUNT(logins) AS logins_window_known,
        SUM(CASE WHEN week_start >= :recent_from THEN logins END) AS logins_recent_total,
        COUNT(CASE WHEN week_start >= :recent_from THEN logins END) AS logins_recent_known,
        SUM(key_feature_events) AS key_feature_events_window_total,
        COUNT(key_feature_events) AS key_feature_events_window_known,
        SUM(CASE WHEN week_start >= :recent_from THEN key_feature_events END) AS key_feature_events_recent_total,
        COUNT(CASE WHEN week_start >= :recent_from THEN key_feature_events END) AS key_feature_events_recent_known,
        AVG(CASE WHEN week_start >= :recent_from THEN seats_used END) AS seats_used
    FROM usage_window
    GROUP BY account_id
),
outcomes AS (
    SELECT account_id,
        COUNT(*) AS milestones_due,
        SUM(CASE WHEN achieved_on IS NOT NULL AND achieved_on <= :as_of THEN 1 ELSE 0 END) AS milestones_met
    FROM milestones
    WHERE planned_on <= :as_of {only}
    GROUP BY account_id
),
nps_ranked AS (
    SELECT account_id, score,
        ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY responded_on DESC, id DESC) AS rn
    FROM survey_responses
    WHERE kind = 'nps' AND responded_on > :year_ago AND responded_on <= :as_of {only}
),
csat AS (
    SELECT account_id, AVG(CAST(score AS DOUBLE PRECISION)) AS csat_mean
    FROM survey_responses
    WHERE kind = 'csat' AND responded_on > :half_year_ago AND responded_on <= :as_of {only}
    GROUP BY account_id
),
sentiment_ranked AS (
    SELECT account_id, sentiment,
        ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY recorded_at DESC, id DESC) AS rn
    FROM csm_sentiments
    WHERE recorded_at > :quarter_ago AND recorded_at <= :as_of_end {only}
),
ticket_window AS MATERIALIZED (
    SELECT account_id, opened_at, closed_at, severity, category, sla_breached, escalated
    FROM tickets
    WHERE (closed_at IS NULL OR closed_at > :quarter_ago) AND opened_at <= :as_of_end {only}
),
support AS (
    SELECT account_id,
        SUM(CASE WHEN closed_at IS NULL OR closed_at > :as_of_end THEN 1 ELSE 0 END) AS open_tickets,
        SUM(CASE WHEN (closed_at IS NULL OR closed_at > :as_of_end)
                  AND severity IN ('high', 'urgent') THEN 1 ELSE 0 END) AS high_severity_open,
        SUM(CASE WHEN opened_at > :quarter_ago AND sla_breached THEN 1 ELSE 0 END) AS sla_breaches_90d,
        SUM(CASE WHEN opened_at > :quarter_ago AND category = 'billing' THEN 1 ELSE 0 END) AS billing_issues_90d,
        SUM(CASE WHEN opened_at > :quarter_ago AND ({complaint})
                 THEN 1 ELSE 0 END) AS complaints_90d
    FROM ticket_window
    GROUP BY account_id
)
SELECT active.id AS account_id, active.name, active.owner_id, active.segment, active.industry,
    active.arr, active.seats_purchased, active.renewal_date,
    -- A row in the window's first week shows use from the window's start on: only other accounts seek their
    -- first usage week (through the usage key), which a week without a row after it needs.
    CASE WHEN usage.first_week = :prior_from THEN usage.first_week
         ELSE (SELECT MIN(u.week_start) FROM usage_weekly u WHERE u.account_id = active.id)
    END AS first_usage_week,
    usage.recent_rows, usage.window_rows - usage.recent_rows AS prior_rows,
    usage.active_users_recent_total, usage.active_users_recent_known,
    usage.active_users_window_total - COALESCE(usage.active_users_recent_total, 0) AS active_users_prior_total,
    usage.active_users_window_known - usage.active_users_recent_known AS active_users_prior_known,
    usage.logins_recent_total, usage.logins_recent_known,
    usage.logins_window_total - COALESCE(usage.logins_recent_total, 0) AS logins_prior_total,
    usage.logins_window_known - usage.logins_recent_known AS logins_prior_known,
    usage.key_feature_events_recent_total, usage.key_feature_events_recent_known,
    usage.key_feature_events_window_total - COALESCE(usage.key_feature_events_recent_total, 0)
        AS key_feature_events_prior_total,
    usage.key_feature_events_window_known - usage.key_feature_events_recent_known AS key_feature_events_prior_known,
    usage.seats_used,
    outcomes.milestones_due, outcomes.milestones_met,
    nps_ranked.score AS nps_latest, csat.csat_mean, sentiment_ranked.sentiment AS csm_sentiment,
    support.open_tickets, support.high_severity_open, support.sla_breaches_90d,
    support.billing_issues_90d, support.complaints_90d
FROM active
LEFT JOIN usage ON usage.account_id = active.id
LEFT JOIN outcomes ON outcomes.account_id = active.id
LEFT JOIN nps_ranked ON nps_ranked.account_id = active.id AND nps_ranked.rn = 1
LEFT JOIN csat ON csat.account_id = active.id
LEFT JOIN sentiment_ranked ON sentiment_ranked.account_id = active.id AND sentiment_ranked.rn = 1
LEFT JOIN support ON support.account_id = active.id
ORDER BY active.id
"""
FEATURE_PARAMS = (
    bindparam("as_of", type_=Date),
    bindparam("recent_from", type_=Date),
    bindparam("prior_from", type_=Date),
    bindparam("year_ago", type_=Date),
    bindparam("half_year_ago", type_=Date),
    bindparam("as_of_end", type_=DateTime),
    bindparam("quarter_ago", type_=DateTime),
)
FEATURE_DATES = ["renewal_date", "first_usage_week"]
ACTIVE = rules.active("a", ":as_of")
BOOK_FEATURES = text(
    HEALTH_FEATURES_SQL.format(active=ACTIVE, complaint=rules.COMPLAINT, only_active="", only="")
).bindparams(*FEATURE_PARAMS)
ACCOUNT_FEATURES = text(
    HEALTH_FEATURES_SQL.format(
        active=ACTIVE,
        complaint=rules.COMPLAINT,
        only_active="AND a.id = :account_id",
        only="AND account_id = :account_id",
    )
).bindparams(*FEATURE_PARAMS)


def health_features(engine: Engine, as_of: dt.date, account_id: int | None = None) -> pd.DataFrame:
    """One row per account active on as_of (or only account_id) with the raw inputs of the five health dimensions.

    Use counts are weekly means over the recent and the prior window (core.health.usage_means): with the setting
    usage_gap_is_zero, a week without a usage row after the account's first usage week counts as zero use."""
    this_week = periods.week_start(as_of)
    recent_from = this_week - dt.timedelta(weeks=RECENT_WEEKS - 1)
    prior_from = recent_from - dt.timedelta(weeks=PRIOR_WEEKS)
    params = {
        "as_of": as_of,
        "recent_from": recent_from,
        "prior_from": prior_from,
        "year_ago": as_of - dt.timedelta(days=365),
        "half_year_ago": as_of - dt.timedelta(days=182),
        "as_of_end": dt.datetime.combine(as_of, dt.time.max),
        "quarter_ago": dt.datetime.combine(as_of - dt.timedelta(days=90), dt.time.max),
    }
    stmt = BOOK_FEATURES if account_id is None else ACCOUNT_FEATURES
    if account_id is not None:
        params["account_id"] = account_id
    frame = reads.frame(engine, stmt, FEATURE_DATES, params, index="account_id")
    windows = {
        "recent": (recent_from, this_week),
        "prior": (prior_from, recent_from - dt.timedelta(weeks=1)),
    }
    gap_is_zero = settings_reads.load_settings(engine)["usage_gap_is_zero"] == 1
    means = health.usage_means(frame, windows, gap_is_zero)
    counts = [column for column in frame.columns if column.endswith(("_rows", "_total", "_known"))]
    frame = frame.drop(columns=["first_usage_week", *counts]).join(means)
    return frame


NPS_COUNTS_SQL = text(
    """
SELECT s.score, COUNT(*) AS responses
FROM survey_responses s JOIN accounts a ON a.id = s.account_id
WHERE s.kind = 'nps' AND s.responded_on > :since AND s.responded_on <= :as_of
  AND (CAST(:owner_id AS INTEGER) IS NULL OR a.owner_id = :owner_id)
GROUP BY s.score
"""
).bindparams(bindparam("since", type_=Date), bindparam("as_of", type_=Date))


def nps_counts(engine: Engine, since: dt.date, as_of: dt.date, owner_id: int | None = None) -> pd.Series:
    """NPS responses per score (0–10) answered in (since, as_of]."""
    frame = reads.frame(engine, NPS_COUNTS_SQL, (), {"since": since, "as_of": as_of, "owner_id": owner_id})
    return frame.set_index("score")["responses"].astype(int)


def data_as_of(engine: Engine, today: dt.date) -> dt.date:
    """The last day the usage history covers (its latest week's Sunday), never after today."""
    with engine.connect() as conn:
        latest = conn.execute(text("SELECT MAX(week_start) FROM usage_weekly")).scalar()
    if latest is None:
        return today
    return min(pd.Timestamp(latest).date() + dt.timedelta(days=6), today)


SNAPSHOT_COLUMNS = "s.score, s.usage, s.outcomes, s.utilisation, s.feedback, s.support"


def snapshot_sub_scores(engine: Engine, week: dt.date) -> pd.DataFrame:
    """The stored five sub-scores of every account scored in week (NaN where a dimension had no data)."""
    sql = f"SELECT account_id, {', '.join(health.DIMENSIONS)} FROM health_snapshots WHERE week_start = :week"
    frame = reads.numbers(engine, sql, ["account_id", *health.DIMENSIONS], [], {"week": week})
    return frame.astype({"account_id": "int64"}).set_index("account_id")


def latest_scored_week(source: Engine | Connection) -> dt.date | None:
    """The latest scored week; source may be a connection inside a write's transaction."""
    with connected(source) as conn:
        latest = conn.execute(text("SELECT MAX(week_start) FROM health_snapshots")).scalar()
    return None if latest is None else pd.Timestamp(latest).date()


BOARD_SQL = text(
    """
SELECT a.id AS account_id, a.name, a.owner_id, u.name AS owner, a.segment, a.industry, a.arr,
    a.renewal_date, a.seats_purchased, uw.seats_used,
    s.usage, s.outcomes, s.utilisation, s.feedback, s.support,
    p.score AS score_4_weeks_ago
FROM health_snapshots s
JOIN accounts a ON a.id = s.account_id
LEFT JOIN users u ON u.id = a.owner_id
LEFT JOIN health_snapshots p ON p.account_id = s.account_id AND p.week_start = :four_weeks_ago
LEFT JOIN usage_weekly uw ON uw.account_id = s.account_id AND uw.week_start = :week
WHERE s.week_start = :week
  AND (CAST(:owner_id AS INTEGER) IS NULL OR a.owner_id = :owner_id)
ORDER BY a.id
"""
).bindparams(bindparam("week", type_=Date), bindparam("four_weeks_ago", type_=Date))


def board(engine: Engine, week: dt.date, owner_id: int | None = None) -> pd.DataFrame:
    """Every account scored in week: its facts, stored sub-scores, seat use and score four weeks earlier."""
    params = {"week": week, "four_weeks_ago": week - dt.timedelta(weeks=4), "owner_id": owner_id}
    return reads.frame(engine, BOARD_SQL, ["renewal_date"], params, index="account_id")


def score_history(engine: Engine, account_ids: list[int], since: dt.date) -> pd.DataFrame:
    """Weekly stored scores (and sub-scores) of some accounts since a week, oldest first."""
    stmt = text(
        f"SELECT s.account_id, s.week_start, {SNAPSHOT_COLUMNS} FROM health_snapshots s "
        "WHERE s.account_id IN :ids AND s.week_start >= :since ORDER BY s.account_id, s.week_start"
    ).bindparams(bindparam("ids", expanding=True), bindparam("since", type_=Date))
    if not account_ids:
        return pd.DataFrame(columns=["account_id", "week_start", "score"])
    return reads.frame(engine, stmt, ["week_start"], {"ids": [int(i) for i in account_ids], "since": since})


ACCOUNT_EVENTS_SQL = text(
    """
SELECT opened_at AS at, 'Ticket' AS kind,
    severity || ' ' || category || CASE WHEN sla_breached THEN ', SLA breached' ELSE '' END AS detail
FROM tickets WHERE account_id = :account_id AND opened_at >= :since
UNION ALL
SELECT responded_on, UPPER(kind), 'score ' || score FROM survey_responses
WHERE account_id = :account_id AND responded_on >= :since_day
UNION ALL
SELECT COALESCE(achieved_on, planned_on), 'Milestone',
    name || CASE WHEN achieved_on IS NULL THEN ' (missed plan)' ELSE ' reached' END
FROM milestones WHERE account_id = :account_id AND COALESCE(achieved_on, planned_on) >= :since_day
UNION ALL
SELECT o.sent_on, 'Outreach', o.channel || ' ' || o.purpose || ' ask: ' || o.outcome
FROM outreach_attempts o JOIN advocates a ON a.id = o.advocate_id
WHERE a.account_id = :account_id AND o.sent_on >= :since_day
UNION ALL
SELECT recorded_at, 'CSM sentiment', sentiment || '/5 ' || note FROM csm_sentiments
WHERE account_id = :account_id AND recorded_at >= :since
ORDER BY 1
"""
).bindparams(bindparam("since", type_=DateTime), bindparam("since_day", type_=Date))


def account_events(engine: Engine, account_id: int, since: dt.date) -> pd.DataFrame:
    """What happened to one account since a day: tickets, NPS/CSAT answers, milestones, outreach, sentiment."""
    params = {"account_id": account_id, "since": dt.datetime.combine(since, dt.time()), "since_day": since}
    return reads.frame(engine, ACCOUNT_EVENTS_SQL, ["at"], params)


def account(engine: Engine, account_id: int) -> pd.Series | None:
    """One account's facts with its owner's name, or None."""
    stmt = text(
        "SELECT a.id, a.name, a.industry, a.segment, a.region, a.arr, a.seats_purchased, a.customer_since, "
        "a.renewal_date, a.owner_id, u.name AS owner FROM accounts a LEFT JOIN users u ON u.id = a.owner_id "
        "WHERE a.id = :account_id"
    )
    frame = reads.frame(engine, stmt, ["customer_since", "renewal_date"], {"account_id": account_id})
    return None if frame.empty else frame.iloc[0]


CHURNED_SQL = text(
    "SELECT account_id FROM churn_events WHERE churned_on > :after AND churned_on <= :until"
).bindparams(bindparam("after", type_=Date), bindparam("until", type_=Date))


def churned_between(engine: Engine, after: dt.date, until: dt.date) -> set[int]:
    """Accounts with a churn event in (after, until], the backtest's horizon: each churn counts, also that of an
    account which came back or churned again later."""
    with engine.connect() as conn:
        return set(conn.scalars(CHURNED_SQL, {"after": after, "until": until}))


# --- surveys ---------------------------------------------------------------------------------------


# Naming every kind lets the (kind, responded_on, score) index find a period's answers on both databases.
SURVEY_KINDS_SQL = "(" + ", ".join(f"'{kind}'" for kind in SURVEY_KINDS) + ")"
SURVEY_DAILY_SQL = (
    "SELECT responded_on AS day, kind, score, COUNT(*) AS responses FROM survey_responses "
    "GROUP BY kind, responded_on, score"
)


def survey_daily(engine: Engine) -> pd.DataFrame:
    """NPS and CSAT answers per day, kind and score: day, kind, score, responses."""
    return reads.frame(engine, SURVEY_DAILY_SQL, ["day"])


SURVEY_GROUPS_SQL = text(
    f"""
SELECT a.segment, a.industry, s.kind, s.score, COUNT(*) AS responses
FROM survey_responses s JOIN accounts a ON a.id = s.account_id
WHERE s.kind IN {SURVEY_KINDS_SQL} AND s.responded_on BETWEEN :start AND :end
GROUP BY a.segment, a.industry, s.kind, s.score
"""
).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))


def survey_groups(engine: Engine, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Answers of one period per segment, industry, kind and score: segment, industry, kind, score, responses."""
    return reads.frame(engine, SURVEY_GROUPS_SQL, (), {"start": start, "end": end})


def surveys_between(engine: Engine, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Survey answers of the days start…end: account_id, account, contact, kind, score, responded_on, comment."""
    return reads.between(
        engine,
        "SELECT s.account_id, a.name AS account, c.name AS contact, s.kind, s.score, s.responded_on, s.comment "
        "FROM survey_responses s JOIN accounts a ON a.id = s.account_id "
        "LEFT JOIN contacts c ON c.id = s.contact_id "
        f"WHERE s.kind IN {SURVEY_KINDS_SQL} AND s.responded_on >= :start AND s.responded_on < :end",
        ["responded_on"],
        start,
        end,
    )


# --- the book: names, weeks scored, segments, contacts ---------------------------------------------


def account_names(engine: Engine) -> pd.DataFrame:
    """Every account by account_id: name, owner, segment, industry, arr."""
    frame = reads.frame(
        engine,
        "SELECT a.id AS account_id, a.name, u.name AS owner, a.segment, a.industry, a.arr "
        "FROM accounts a LEFT JOIN users u ON u.id = a.owner_id",
        [],
    )
    return frame.set_index("account_id").astype({"arr": float})


def scored_weeks(engine: Engine, limit: int = 12) -> list[dt.date]:
    """The most recent weeks with health snapshots, newest first."""
    sql = text("SELECT DISTINCT week_start FROM health_snapshots ORDER BY week_start DESC LIMIT :limit")
    with engine.connect() as conn:
        return [pd.Timestamp(week).date() for week in conn.execute(sql, {"limit": limit}).scalars()]


def segments(engine: Engine) -> list[str]:
    """The segments accounts have, in name order."""
    with engine.connect() as conn:
        return list(
            conn.scalars(
                select(Account.segment)
                .where(Account.segment.is_not(None))
                .distinct()
                .order_by(Account.segment)
            )
        )


def account_segments(engine: Engine) -> pd.Series:
    """Every account's segment (None when unknown), by account id."""
    with engine.connect() as conn:
        rows = conn.execute(select(Account.id, Account.segment)).all()
    return pd.Series(
        [segment for _, segment in rows],
        index=pd.Index([i for i, _ in rows], name="account_id"),
        dtype=object,
    )


def contacts_of(engine: Engine, account_id: int) -> pd.DataFrame:
    """The contacts of one account, by id: name, title (for choosing an asset's featured contact)."""
    stmt = select(Contact.id, Contact.name, Contact.title).where(Contact.account_id == account_id)
    return reads.frame(engine, stmt.order_by(Contact.name), index="id")


CUSTOMERS_BY_INDUSTRY_SQL = text(
    f"SELECT a.industry, COUNT(*) AS customers FROM accounts a WHERE {rules.active('a', ':today')} "
    "GROUP BY a.industry"
).bindparams(bindparam("today", type_=Date))


def customers_by_industry(engine: Engine, today: dt.date) -> pd.DataFrame:
    """Active customers per industry: industry, customers."""
    return reads.frame(engine, CUSTOMERS_BY_INDUSTRY_SQL, (), {"today": today})


# --- the data coverage panel and custom attributes ---------------------------------------------------


TICKETED_SQL = text("SELECT DISTINCT account_id FROM tickets WHERE opened_at <= :until").bindparams(
    bindparam("until", type_=DateTime)
)


def ticketed_accounts(engine: Engine, as_of: dt.date) -> set[int]:
    """Accounts with any ticket opened on or before as_of."""
    with engine.connect() as conn:
        return set(conn.scalars(TICKETED_SQL, {"until": dt.datetime.combine(as_of, dt.time.max)}))


# Custom attribute values are read only for the attributes a page needs (one to filter the board, all to export
# it, all of one account for its page): an account file may bring dozens of columns for 50,000 accounts.
VALUES_SQL = "SELECT name, account_id, text_value, number_value, date_value FROM account_attributes WHERE name IN :names"
BOOK_VALUES = text(VALUES_SQL).bindparams(bindparam("names", expanding=True, type_=String))
ACCOUNT_VALUES = text(VALUES_SQL + " AND account_id = :account_id").bindparams(
    bindparam("names", expanding=True, type_=String)
)


def attribute_kinds(engine: Engine) -> dict[str, str]:
    """Every custom attribute's kind (text, number, date or bool) by name, in name order ignoring case."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, kind FROM custom_attributes")).all()
    return dict(sorted(rows, key=lambda row: row.name.casefold()))


def attribute_values(engine: Engine, kinds: dict[str, str], account_id: int | None = None) -> pd.DataFrame:
    """The values of the attributes in kinds (name → kind) of every account, or only of account_id: a row per
    account with any value, a column per attribute (text as str, number as float, date as datetime64, yes/no as
    boolean), NA where an account has no value."""
    stmt, params = BOOK_VALUES, {"names": list(kinds)}
    if account_id is not None:
        stmt, params = ACCOUNT_VALUES, {**params, "account_id": account_id}
    rows = (
        reads.frame(engine, stmt, ["date_value"], params)
        .astype({"account_id": "int64"})
        .set_index("account_id")
    )
    by_name = dict(list(rows.groupby("name")))
    columns = {name: _typed(by_name.get(name, rows.iloc[:0]), kind) for name, kind in kinds.items()}
    return pd.DataFrame(columns, index=pd.Index(rows.index.unique().sort_values(), name="account_id"))


def _typed(rows: pd.DataFrame, kind: str) -> pd.Series:
    """One attribute's values from the column of its kind (yes/no is stored as the number 1 or 0)."""
    if kind == "text":
        return rows["text_value"].astype("str")
    if kind == "date":
        return rows["date_value"].astype("datetime64[us]")
    numbers = rows["number_value"].astype(float)
    return numbers.astype("boolean") if kind == "bool" else numbers
