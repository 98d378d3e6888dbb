"""Read queries of the advocate program: candidates, the pipeline, outreach and what is owed.

Each returns DataFrames shaped for core.advocates, core.pipeline and core.outreach.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Date, DateTime, Engine, bindparam, text

CANDIDATES_SQL = """
WITH people AS (
    SELECT c.id AS contact_id, c.account_id, a.name AS account_name, c.name AS contact_name, c.title,
        COALESCE(c.relationship_strength, 1) AS relationship_strength, a.customer_since, a.owner_id
    FROM contacts c JOIN accounts a ON a.id = c.account_id
    WHERE c.left_company_on IS NULL AND a.customer_since <= :as_of
      AND NOT EXISTS (SELECT 1 FROM churn_events e WHERE e.account_id = a.id AND e.churned_on <= :as_of)
      {people}
),
nps AS (
    SELECT contact_id, score, responded_on,
        ROW_NUMBER() OVER (PARTITION BY contact_id ORDER BY responded_on DESC, id DESC) AS rn
    FROM survey_responses
    WHERE kind = 'nps' AND contact_id IS NOT NULL AND responded_on <= :as_of {contact}
),
csat AS (
    SELECT contact_id, AVG(score * 1.0) AS csat_mean, COUNT(*) AS csat_count
    FROM survey_responses
    WHERE kind = 'csat' AND contact_id IS NOT NULL AND responded_on > :half_year_ago AND responded_on <= :as_of {contact}
    GROUP BY contact_id
),
triggers AS (
    SELECT p.contact_id, COUNT(DISTINCT t.kind) AS trigger_kinds, COUNT(*) AS triggers
    FROM people p JOIN engagement_triggers t
        ON t.account_id = p.account_id AND (t.contact_id = p.contact_id OR t.contact_id IS NULL)
    WHERE t.occurred_on > :year_ago AND t.occurred_on <= :as_of
    GROUP BY p.contact_id
),
complaints AS (
    SELECT account_id, MAX(opened_at) AS last_complaint_on
    FROM tickets
    WHERE (category = 'complaint' OR escalated) AND opened_at > :year_ago_start AND opened_at <= :as_of_end {account}
    GROUP BY account_id
),
asks AS (
    SELECT advocate_id, MAX(sent_on) AS last_asked_on,
        SUM(CASE WHEN outcome = 'agreed' THEN 1 ELSE 0 END) AS agreements
    FROM outreach_attempts WHERE sent_on <= :as_of {advocate}
    GROUP BY advocate_id
),
references_given AS (
    SELECT assigned_advocate_id AS advocate_id, COUNT(*) AS fulfilled
    FROM reference_requests WHERE status = 'done' AND fulfilled_at <= :as_of_end {assigned}
    GROUP BY assigned_advocate_id
)
SELECT p.contact_id, p.account_id, p.account_name, p.contact_name, p.title, p.relationship_strength,
    p.customer_since, p.owner_id, nps.score AS nps_latest, nps.responded_on AS nps_latest_on,
    csat.csat_mean, COALESCE(csat.csat_count, 0) AS csat_count,
    COALESCE(triggers.trigger_kinds, 0) AS trigger_kinds, COALESCE(triggers.triggers, 0) AS triggers,
    s.score AS health_score, complaints.last_complaint_on, asks.last_asked_on,
    COALESCE(asks.agreements, 0) + COALESCE(references_given.fulfilled, 0) AS past_advocacy,
    adv.id AS advocate_id, adv.stage
FROM people p
LEFT JOIN nps ON nps.contact_id = p.contact_id AND nps.rn = 1
LEFT JOIN csat ON csat.contact_id = p.contact_id
LEFT JOIN triggers ON triggers.contact_id = p.contact_id
LEFT JOIN health_snapshots s ON s.account_id = p.account_id AND s.week_start = :week
LEFT JOIN complaints ON complaints.account_id = p.account_id
LEFT JOIN advocates adv ON adv.contact_id = p.contact_id
LEFT JOIN asks ON asks.advocate_id = adv.id
LEFT JOIN references_given ON references_given.advocate_id = adv.id
ORDER BY p.contact_id
"""
CANDIDATE_PARAMS = (
    bindparam("as_of", type_=Date),
    bindparam("week", type_=Date),
    bindparam("half_year_ago", type_=Date),
    bindparam("year_ago", type_=Date),
    bindparam("year_ago_start", type_=DateTime),
    bindparam("as_of_end", type_=DateTime),
)
# One contact (to check an ask as it is logged): every part reads only that contact's rows.
ONE_CONTACT = {
    "people": "AND c.id = :contact_id",
    "contact": "AND contact_id = :contact_id AND account_id = (SELECT account_id FROM contacts WHERE id = :contact_id)",
    "account": "AND account_id = (SELECT account_id FROM contacts WHERE id = :contact_id)",
    "advocate": "AND advocate_id = (SELECT id FROM advocates WHERE contact_id = :contact_id)",
    "assigned": "AND assigned_advocate_id = (SELECT id FROM advocates WHERE contact_id = :contact_id)",
}
BOOK_CANDIDATES = text(CANDIDATES_SQL.format(**dict.fromkeys(ONE_CONTACT, ""))).bindparams(*CANDIDATE_PARAMS)
ONE_CANDIDATE = text(CANDIDATES_SQL.format(**ONE_CONTACT)).bindparams(*CANDIDATE_PARAMS)
CANDIDATE_DATES = ["customer_since", "nps_latest_on", "last_complaint_on", "last_asked_on"]


def candidates(
    engine: Engine, as_of: dt.date, week: dt.date | None, contact_id: int | None = None
) -> pd.DataFrame:
    """Every current contact of an active account (or one contact) with what decides who to ask: NPS, CSAT, triggers, health in week, complaints, past asks and advocacy."""
    params = {
        "as_of": as_of,
        "week": week,
        "half_year_ago": as_of - dt.timedelta(days=182),
        "year_ago": as_of - dt.timedelta(days=365),
        "year_ago_start": dt.datetime.combine(as_of - dt.timedelta(days=365), dt.time.min),
        "as_of_end": dt.datetime.combine(as_of, dt.time.max),
    }
    stmt = BOOK_CANDIDATES if contact_id is None else ONE_CANDIDATE
    if contact_id is not None:
        params["contact_id"] = contact_id
    with engine.connect() as conn:
        frame = pd.read_sql(stmt, conn, params=params, index_col="contact_id")
    for column in CANDIDATE_DATES:
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    frame["advocate_id"] = frame["advocate_id"].astype("Int64")
    return frame.astype({"nps_latest": float, "csat_mean": float, "health_score": float})


def _read(engine: Engine, sql: str, dates: list[str], params: dict | None = None) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = pd.read_sql(text(sql), conn, params=params)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    return frame


def reference_activities(engine: Engine) -> pd.DataFrame:
    """Reference requests an advocate took on (assigned or done), on the day fulfilled or else requested."""
    frame = _read(
        engine,
        "SELECT assigned_advocate_id AS advocate_id, COALESCE(fulfilled_at, requested_at) AS activity_at "
        "FROM reference_requests WHERE assigned_advocate_id IS NOT NULL AND status IN ('assigned', 'done')",
        ["activity_at"],
    )
    return frame.assign(on=frame.pop("activity_at").dt.normalize())


def advocates(engine: Engine) -> pd.DataFrame:
    """Every advocate record with its contact, account and the account's owner."""
    return _read(
        engine,
        "SELECT adv.id, adv.contact_id, adv.account_id, adv.stage, adv.stage_changed_at, adv.version, "
        "c.name AS contact_name, c.title, a.name AS account_name, a.segment, a.industry, a.owner_id, u.name AS owner "
        "FROM advocates adv JOIN contacts c ON c.id = adv.contact_id JOIN accounts a ON a.id = adv.account_id "
        "LEFT JOIN users u ON u.id = a.owner_id ORDER BY adv.id",
        ["stage_changed_at"],
    )


def stage_changes(engine: Engine) -> pd.DataFrame:
    return _read(
        engine,
        "SELECT advocate_id, from_stage, to_stage, changed_at FROM advocate_stage_changes ORDER BY changed_at, id",
        ["changed_at"],
    )


def outreach(engine: Engine) -> pd.DataFrame:
    """Every outreach attempt with the segment, industry and owner of the advocate's account."""
    return _read(
        engine,
        "SELECT o.id, o.advocate_id, o.purpose, o.channel, o.owner_role, o.follow_up_number, o.sent_on, "
        "o.responded_on, o.outcome, a.segment, a.industry, u.name AS owner "
        "FROM outreach_attempts o JOIN advocates adv ON adv.id = o.advocate_id "
        "JOIN accounts a ON a.id = adv.account_id LEFT JOIN users u ON u.id = a.owner_id ORDER BY o.id",
        ["sent_on", "responded_on"],
    )


def thank_yous(engine: Engine) -> pd.DataFrame:
    return _read(engine, "SELECT advocate_id, reason, channel, sent_on FROM thank_yous", ["sent_on"])


OWED_SQL = """
SELECT advocate_id, 'agreement' AS reason, responded_on AS owed_at
FROM outreach_attempts WHERE outcome = 'agreed' AND responded_on IS NOT NULL
UNION ALL
SELECT assigned_advocate_id, 'reference_fulfilled', fulfilled_at
FROM reference_requests WHERE status = 'done' AND assigned_advocate_id IS NOT NULL AND fulfilled_at IS NOT NULL
UNION ALL
SELECT r.advocate_id, 'referral_converted', e.occurred_at
FROM referral_events e JOIN referrals r ON r.id = e.referral_id
WHERE e.event = 'purchase' AND r.advocate_id IS NOT NULL
"""


def owed_thank_yous(engine: Engine) -> pd.DataFrame:
    """Every event that owes the advocate a thank-you: an agreement, a fulfilled reference, a converted referral."""
    frame = _read(engine, OWED_SQL, ["owed_at"])
    return frame.assign(on=frame.pop("owed_at").dt.normalize())


ADVOCATE_OUTREACH_SQL = text(
    "SELECT id, advocate_id, channel, owner_role, follow_up_number, sent_on, responded_on, outcome "
    "FROM outreach_attempts WHERE advocate_id = :advocate_id ORDER BY sent_on, id"
)


def outreach_of(connection: Connection, advocate_id: int) -> pd.DataFrame:
    """One advocate's outreach attempts, oldest first, read on the caller's connection (inside its transaction)."""
    frame = pd.read_sql(ADVOCATE_OUTREACH_SQL, connection, params={"advocate_id": advocate_id})
    for column in ("sent_on", "responded_on"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    return frame


PRODUCED_SQL = text(
    "SELECT adv.id FROM advocates adv WHERE EXISTS (SELECT 1 FROM assets s WHERE s.contact_id = adv.contact_id) "
    "OR EXISTS (SELECT 1 FROM reference_requests r WHERE r.assigned_advocate_id = adv.id AND r.status = 'done')"
)


def producing_advocates(engine: Engine) -> set[int]:
    """Advocates who produced an asset (case study, testimonial, …) or fulfilled a reference request."""
    with engine.connect() as conn:
        return set(conn.scalars(PRODUCED_SQL))
