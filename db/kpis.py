"""Read queries of the KPI, referral and weekly review pages, aggregated in the database where the data is large.

Each returns DataFrames shaped for core.kpis, core.referrals and core.weekly.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Date, Engine, bindparam, text

from core.vocabulary import SURVEY_KINDS
from db import reads, rules

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


def customers(engine: Engine) -> pd.DataFrame:
    """Every account as a customer, by account_id: customer_since, churned_on, first_purchase (NaT before any),
    segment, industry. churned_on is the day of the latest churn of an account churned today (db.rules.churned),
    NaT for a customer: an account that churned and came back is a customer again."""
    frame = reads.frame(
        engine,
        # A seek per account in the (account_id, purchased_on) index beats grouping every purchase.
        "SELECT a.id AS account_id, a.customer_since, "
        f"CASE WHEN {rules.churned('a.id', ':today')} THEN "
        "(SELECT MAX(e.churned_on) FROM churn_events e WHERE e.account_id = a.id AND e.churned_on <= :today) "
        "END AS churned_on, "
        "(SELECT MIN(p.purchased_on) FROM purchases p WHERE p.account_id = a.id) AS first_purchase, "
        "a.segment, a.industry FROM accounts a",
        ["customer_since", "churned_on", "first_purchase"],
        {"today": dt.date.today()},
    )
    return frame.set_index("account_id")


def purchases(engine: Engine) -> pd.DataFrame:
    """Every purchase: account_id, purchased_on, amount, referral_id (NaN unless a referral brought it)."""
    return _purchases(engine, "")


def purchases_between(engine: Engine, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The purchases of the days start…end, as purchases() reads them."""
    return _purchases(engine, "WHERE purchased_on BETWEEN :start AND :end", {"start": start, "end": end})


def purchase_daily(engine: Engine) -> pd.DataFrame:
    """Purchases per day: purchased_on, purchases, amount, referral_purchases (those a referral brought)."""
    sql = (
        f"SELECT {reads.day_number(engine, 'purchased_on')}, COUNT(*), SUM(amount), COUNT(referral_id) "
        "FROM purchases GROUP BY purchased_on"
    )
    columns = ["purchased_on", "purchases", "amount", "referral_purchases"]
    frame = reads.numbers(engine, sql, columns, ["purchased_on"])
    return frame.astype({"purchases": "int64", "referral_purchases": "int64"})


def buyers_between(engine: Engine, start: dt.date, end: dt.date) -> pd.Series:
    """The account of each purchase of the days start…end."""
    sql = "SELECT account_id FROM purchases WHERE purchased_on BETWEEN :start AND :end"
    frame = reads.numbers(engine, sql, ["account_id"], [], {"start": start, "end": end})
    return frame["account_id"].astype("int64")


def _purchases(engine: Engine, where: str, params: dict | None = None) -> pd.DataFrame:
    sql = f"SELECT account_id, {reads.day_number(engine, 'purchased_on')}, amount, referral_id FROM purchases {where}"
    columns = ["account_id", "purchased_on", "amount", "referral_id"]
    return reads.numbers(engine, sql, columns, ["purchased_on"], params).astype({"account_id": "int64"})


def spend(engine: Engine) -> pd.DataFrame:
    """Acquisition spend per month and channel: month (its first day), channel, amount."""
    frame = reads.frame(engine, "SELECT month, channel, amount FROM acquisition_spend", ["month"])
    return frame.astype({"amount": float})


PROGRAM_DAILY_SQL = """
SELECT sent_on AS day, 'asks' AS measure, COUNT(*) AS value
FROM outreach_attempts WHERE follow_up_number = 0 GROUP BY sent_on
UNION ALL
SELECT responded_on, 'agreements', COUNT(*)
FROM outreach_attempts WHERE outcome = 'agreed' AND responded_on IS NOT NULL GROUP BY responded_on
UNION ALL
SELECT published_on, 'assets_published', COUNT(*)
FROM assets WHERE approval_status = 'approved' AND published_on IS NOT NULL AND retired_on IS NULL
GROUP BY published_on
UNION ALL
SELECT used_on, 'asset_won_revenue', SUM(amount)
FROM asset_usage WHERE outcome = 'won' AND reference_request_id IS NULL GROUP BY used_on
"""


def program_daily(engine: Engine) -> pd.DataFrame:
    """Program activity per day: day, measure (asks, agreements, assets_published — approved and not retired,
    asset_won_revenue — deals won with an asset outside any reference request), value."""
    return reads.frame(engine, PROGRAM_DAILY_SQL, ["day"]).astype({"value": float})


STAGE_MOVES_SQL = """
SELECT DATE(changed_at) AS day, from_stage, to_stage, COUNT(*) AS changes
FROM advocate_stage_changes GROUP BY DATE(changed_at), from_stage, to_stage
"""
FIRST_LEAVES_SQL = """
SELECT DATE(s.changed_at) AS day, s.from_stage AS stage, COUNT(*) AS change
FROM advocate_stage_changes s
JOIN (SELECT MIN(id) AS id FROM advocate_stage_changes GROUP BY advocate_id) AS firsts ON firsts.id = s.id
WHERE s.from_stage IS NOT NULL GROUP BY DATE(s.changed_at), s.from_stage
"""


def stage_flow(engine: Engine) -> pd.DataFrame:
    """Net advocates entering (+) and leaving (−) each stage per day: day, stage, change. Their running sum is the
    number of advocates in each stage on any day. An advocate whose first recorded change leaves a stage (a
    new record that service.nominate moves out of 'candidate') entered that stage on that change's day. Changes are
    recorded as they happen, so an advocate's first is its lowest id (read from the advocate index alone)."""
    moves = reads.frame(engine, STAGE_MOVES_SQL, ["day"])  # one pass over the changes for entries and exits
    entered = moves.groupby(["day", "to_stage"], as_index=False)["changes"].sum()
    left = moves.dropna(subset=["from_stage"]).groupby(["day", "from_stage"], as_index=False)["changes"].sum()
    left["changes"] = -left["changes"]
    columns = ["day", "stage", "change"]
    return pd.concat(
        [
            entered.set_axis(columns, axis=1),
            left.set_axis(columns, axis=1),
            reads.frame(engine, FIRST_LEAVES_SQL, ["day"]),
        ],
        ignore_index=True,
    ).astype({"change": "int64"})


def referrals(engine: Engine) -> pd.DataFrame:
    """Every referral by id: code, advocate_id, advocate (name), advocate_account, referred_company, campaign,
    created_on."""
    frame = reads.frame(
        engine,
        "SELECT r.id, r.code, r.advocate_id, c.name AS advocate, a.name AS advocate_account, r.referred_company, "
        "r.campaign, r.created_on FROM referrals r JOIN advocates adv ON adv.id = r.advocate_id "
        "JOIN contacts c ON c.id = adv.contact_id JOIN accounts a ON a.id = adv.account_id",
        ["created_on"],
    )
    return frame.set_index("id")


def referral_events(engine: Engine) -> pd.DataFrame:
    """Every tracked referral event: referral_id, event, occurred_at."""
    return reads.frame(engine, "SELECT referral_id, event, occurred_at FROM referral_events", ["occurred_at"])


def referrer_advocates(engine: Engine) -> pd.DataFrame:
    """Advocates with a referral code or a referral, by id: advocate (name), account, stage, referral_code."""
    frame = reads.frame(
        engine,
        "SELECT adv.id, c.name AS advocate, a.name AS account, adv.stage, adv.referral_code "
        "FROM advocates adv JOIN contacts c ON c.id = adv.contact_id JOIN accounts a ON a.id = adv.account_id "
        "WHERE adv.referral_code IS NOT NULL OR EXISTS (SELECT 1 FROM referrals r WHERE r.advocate_id = adv.id)",
        [],
    )
    return frame.set_index("id")


def rewards(engine: Engine) -> pd.DataFrame:
    """Every reward given: advocate_id, kind, value, given_on."""
    return reads.frame(engine, "SELECT advocate_id, kind, value, given_on FROM rewards", ["given_on"]).astype(
        {"value": float}
    )


# --- the weekly review: two weeks of activity ------------------------------------------------------


def account_names(engine: Engine) -> pd.DataFrame:
    """Every account by account_id: name, owner, segment, industry, arr."""
    frame = reads.frame(
        engine,
        "SELECT a.id AS account_id, a.name, u.name AS owner, a.segment, a.industry, a.arr "
        "FROM accounts a LEFT JOIN users u ON u.id = a.owner_id",
        [],
    )
    return frame.set_index("account_id").astype({"arr": float})


def _between(engine: Engine, sql: str, dates: list[str], start: dt.date, end: dt.date) -> pd.DataFrame:
    """Rows of sql, whose :start and :end bind the days start…end (end inclusive, as the day after)."""
    return reads.frame(engine, sql, dates, {"start": start, "end": end + dt.timedelta(days=1)})


def surveys_between(engine: Engine, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Survey answers of the days start…end: account_id, account, contact, kind, score, responded_on, comment."""
    return _between(
        engine,
        "SELECT s.account_id, a.name AS account, c.name AS contact, s.kind, s.score, s.responded_on, s.comment "
        "FROM survey_responses s JOIN accounts a ON a.id = s.account_id "
        "LEFT JOIN contacts c ON c.id = s.contact_id "
        f"WHERE s.kind IN {SURVEY_KINDS_SQL} AND s.responded_on >= :start AND s.responded_on < :end",
        ["responded_on"],
        start,
        end,
    )


def stage_changes_between(engine: Engine, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Advocate stage changes of the days start…end: advocate_id, advocate, account, from_stage, to_stage,
    changed_at."""
    return _between(
        engine,
        "SELECT h.advocate_id, c.name AS advocate, a.name AS account, h.from_stage, h.to_stage, h.changed_at "
        "FROM advocate_stage_changes h JOIN advocates adv ON adv.id = h.advocate_id "
        "JOIN contacts c ON c.id = adv.contact_id JOIN accounts a ON a.id = adv.account_id "
        "WHERE h.changed_at >= :start AND h.changed_at < :end",
        ["changed_at"],
        start,
        end,
    )


def outreach_between(engine: Engine, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Outreach attempts sent or answered in the days start…end: sent_on, responded_on, outcome,
    follow_up_number."""
    return _between(
        engine,
        "SELECT sent_on, responded_on, outcome, follow_up_number FROM outreach_attempts "
        "WHERE (sent_on >= :start AND sent_on < :end) OR (responded_on >= :start AND responded_on < :end)",
        ["sent_on", "responded_on"],
        start,
        end,
    )


def scored_weeks(engine: Engine, limit: int = 12) -> list[dt.date]:
    """The most recent weeks with health snapshots, newest first."""
    sql = text("SELECT DISTINCT week_start FROM health_snapshots ORDER BY week_start DESC LIMIT :limit")
    with engine.connect() as conn:
        return [pd.Timestamp(week).date() for week in conn.execute(sql, {"limit": limit}).scalars()]


ASSETS_CHANGING_SQL = text(
    f"""
SELECT s.id AS asset_id, s.title, s.asset_type, s.approval_status, s.published_on, s.review_by,
    s.approval_until,
    CASE WHEN {rules.churned("s.account_id", ":end")} THEN 1 ELSE 0 END AS account_churned,
    h.score AS account_score, a.segment,
    CASE WHEN c.left_company_on IS NOT NULL AND c.left_company_on <= :end THEN 1 ELSE 0 END AS contact_left
FROM assets s
LEFT JOIN accounts a ON a.id = s.account_id
LEFT JOIN contacts c ON c.id = s.contact_id
LEFT JOIN health_snapshots h ON h.account_id = s.account_id AND h.week_start = :week
WHERE s.retired_on IS NULL
  AND (s.published_on BETWEEN :start AND :end OR s.review_by BETWEEN :start AND :end
       OR s.approval_until BETWEEN :start AND :end OR s.published_on BETWEEN :aged_start AND :aged_end)
"""
).bindparams(*(bindparam(name, type_=Date) for name in ("start", "end", "week", "aged_start", "aged_end")))


def assets_changing(
    engine: Engine, start: dt.date, end: dt.date, max_age_years: float, week: dt.date
) -> pd.DataFrame:
    """The assets not retired that could have been published or turned stale in the days start…end (published,
    due for review, their approval running out or reaching max_age_years in them), by asset_id, with what
    core.assets.freshness needs (account_score from week's snapshot, and the account's segment for its band)."""
    age = dt.timedelta(days=max_age_years * 365.25)
    params = {
        "start": start,
        "end": end,
        "week": week,
        "aged_start": start - age - dt.timedelta(days=1),
        "aged_end": end - age + dt.timedelta(days=1),
    }
    frame = reads.frame(
        engine, ASSETS_CHANGING_SQL, ["published_on", "review_by", "approval_until"], params, index="asset_id"
    )
    return frame.astype({"account_score": float, "account_churned": bool, "contact_left": bool})
