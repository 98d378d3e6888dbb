"""Reads of the advocates and outreach family: candidates, the pipeline, outreach and its effectiveness, what is
owed, rewards, and the program's activity over time.

Each returns DataFrames shaped for core.advocates, core.pipeline, core.outreach, core.kpis and core.weekly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import (
    BindParameter,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    Select,
    String,
    TextClause,
    and_,
    bindparam,
    case,
    cast,
    distinct,
    func,
    select,
    text,
    union,
)

from db import reads, rules
from db.models import Account, Advocate, Asset, OutreachAttempt, ReferenceRequest, User

# What a contact brings, apart from its part in the program and its account's health: written by imports alone,
# so the book-wide read stays cached while the program is worked and while accounts are scored. {contacts} is
# the condition on a contact's id that chooses whose facts are read; every part reads only their rows, through indexes (answers by contact, complaints by
# account), without window functions or OR-joins. The latest NPS answer is one of the contact's latest day (MAX)
# with no higher id that day. A contact's triggers are its own and its account's (contact_id NULL), counted
# together so a kind seen in both counts once.
CONTACT_FACTS_SQL = """
WITH people AS (
    SELECT c.id AS contact_id, c.account_id, a.name AS account_name, c.name AS contact_name, c.title,
        COALESCE(c.relationship_strength, 1) AS relationship_strength, a.customer_since, a.owner_id,
        a.industry, a.segment, a.region, a.product
    FROM contacts c JOIN accounts a ON a.id = c.account_id
    WHERE c.left_company_on IS NULL AND {active} AND c.id {contacts}
),
nps_days AS (
    SELECT contact_id, MAX(responded_on) AS responded_on
    FROM survey_responses
    WHERE kind = 'nps' AND responded_on <= :as_of AND contact_id {contacts}
    GROUP BY contact_id
),
nps AS (
    SELECT s.contact_id, s.score, s.responded_on
    FROM nps_days d JOIN survey_responses s
        ON s.contact_id = d.contact_id AND s.kind = 'nps' AND s.responded_on = d.responded_on
    WHERE NOT EXISTS (
        SELECT 1 FROM survey_responses twin
        WHERE twin.contact_id = s.contact_id AND twin.kind = 'nps' AND twin.responded_on = s.responded_on
          AND twin.id > s.id)
),
csat AS (
    SELECT contact_id, AVG(score * 1.0) AS csat_mean, COUNT(*) AS csat_count
    FROM survey_responses
    WHERE kind = 'csat' AND responded_on > :half_year_ago AND responded_on <= :as_of AND contact_id {contacts}
    GROUP BY contact_id
),
trigger_kinds AS (
    SELECT c.id AS contact_id, t.kind
    FROM contacts c JOIN engagement_triggers t ON t.account_id = c.account_id AND t.contact_id = c.id
    WHERE t.occurred_on > :year_ago AND t.occurred_on <= :as_of AND c.id {contacts}
    UNION ALL
    SELECT c.id, t.kind
    FROM contacts c JOIN engagement_triggers t ON t.account_id = c.account_id AND t.contact_id IS NULL
    WHERE t.occurred_on > :year_ago AND t.occurred_on <= :as_of AND c.id {contacts}
),
triggers AS (
    SELECT contact_id, COUNT(DISTINCT kind) AS trigger_kinds, COUNT(*) AS triggers
    FROM trigger_kinds
    GROUP BY contact_id
),
complaints AS (
    SELECT account_id, MAX(opened_at) AS last_complaint_on
    FROM tickets
    WHERE ({complaint}) AND opened_at > :year_ago_start AND opened_at <= :as_of_end
      AND account_id IN (SELECT account_id FROM contacts WHERE id {contacts})
    GROUP BY account_id
)
SELECT p.contact_id, p.account_id, p.account_name, p.contact_name, p.title, p.relationship_strength,
    p.customer_since, p.owner_id, p.industry, p.segment, p.region, p.product, nps.score AS nps_latest,
    nps.responded_on AS nps_latest_on, csat.csat_mean, COALESCE(csat.csat_count, 0) AS csat_count,
    COALESCE(triggers.trigger_kinds, 0) AS trigger_kinds, COALESCE(triggers.triggers, 0) AS triggers,
    complaints.last_complaint_on
FROM people p
LEFT JOIN nps ON nps.contact_id = p.contact_id
LEFT JOIN csat ON csat.contact_id = p.contact_id
LEFT JOIN triggers ON triggers.contact_id = p.contact_id
LEFT JOIN complaints ON complaints.account_id = p.account_id
"""
# A contact's part in the program: written whenever the program is worked, and quick to read again.
ADVOCACY_SQL = """
WITH asks AS (
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
SELECT adv.contact_id, adv.id AS advocate_id, adv.stage, asks.last_asked_on,
    COALESCE(asks.agreements, 0) + COALESCE(references_given.fulfilled, 0) AS past_advocacy
FROM advocates adv
LEFT JOIN asks ON asks.advocate_id = adv.id
LEFT JOIN references_given ON references_given.advocate_id = adv.id
WHERE 1 = 1 {advocates}
"""
CANDIDATE_PARAMS = (
    bindparam("as_of", type_=Date),
    bindparam("half_year_ago", type_=Date),
    bindparam("year_ago", type_=Date),
    bindparam("year_ago_start", type_=DateTime),
    bindparam("as_of_end", type_=DateTime),
)
ADVOCACY_PARAMS = (bindparam("as_of", type_=Date), bindparam("as_of_end", type_=DateTime))
# Whose facts: the whole book, one contact (to check an ask as it is logged), advocates who said yes (agreed or
# reference-ready: the pool references are matched from), or contacts with a promoter's NPS answered since
# :promoters_since (the work queue's promoter asks; their latest answer may be another).
EVERY_CONTACT = "IS NOT NULL"
ONE_CONTACT = "= :contact_id"
IN_PROGRAM = "IN (SELECT contact_id FROM advocates WHERE stage IN ('agreed', 'reference_ready'))"
RECENT_PROMOTERS = (
    "IN (SELECT contact_id FROM survey_responses WHERE kind = 'nps' AND score >= 9 "
    "AND responded_on >= :promoters_since AND contact_id IS NOT NULL)"
)
ONE_ADVOCATE = {
    "advocate": "AND advocate_id = (SELECT id FROM advocates WHERE contact_id = :contact_id)",
    "assigned": "AND assigned_advocate_id = (SELECT id FROM advocates WHERE contact_id = :contact_id)",
    "advocates": "AND adv.contact_id = :contact_id",
}
ACTIVE = rules.active("a", ":as_of")


def _facts(contacts: str, *params: BindParameter) -> TextClause:
    return text(
        CONTACT_FACTS_SQL.format(active=ACTIVE, complaint=rules.COMPLAINT, contacts=contacts)
    ).bindparams(*CANDIDATE_PARAMS, *params)


BOOK_FACTS = _facts(EVERY_CONTACT)
ONE_CONTACT_FACTS = _facts(ONE_CONTACT)
PROGRAM_FACTS = _facts(IN_PROGRAM)
PROMOTER_FACTS = _facts(RECENT_PROMOTERS, bindparam("promoters_since", type_=Date))
BOOK_ADVOCACY = text(ADVOCACY_SQL.format(**dict.fromkeys(ONE_ADVOCATE, ""))).bindparams(*ADVOCACY_PARAMS)
ONE_ADVOCACY = text(ADVOCACY_SQL.format(**ONE_ADVOCATE)).bindparams(*ADVOCACY_PARAMS)


def _days(as_of: dt.date) -> dict[str, object]:
    return {
        "as_of": as_of,
        "half_year_ago": as_of - dt.timedelta(days=182),
        "year_ago": as_of - dt.timedelta(days=365),
        "year_ago_start": dt.datetime.combine(as_of - dt.timedelta(days=365), dt.time.min),
        "as_of_end": dt.datetime.combine(as_of, dt.time.max),
    }


def contact_facts(
    source: Engine | Connection,
    as_of: dt.date,
    contact_id: int | None = None,
    in_program: bool = False,
    promoters_since: dt.date | None = None,
) -> pd.DataFrame:
    """Every current contact of an active account (or one contact, or only advocates who agreed, or only recent
    promoters: see candidates) by contact_id, with account facts, NPS, CSAT, triggers and complaints."""
    params = _days(as_of)
    if contact_id is not None:
        stmt, params["contact_id"] = ONE_CONTACT_FACTS, contact_id
    elif promoters_since is not None:
        stmt, params["promoters_since"] = PROMOTER_FACTS, promoters_since
    else:
        stmt = PROGRAM_FACTS if in_program else BOOK_FACTS
    frame = reads.frame(source, stmt, ["customer_since", "nps_latest_on", "last_complaint_on"], params)
    # Sorted here: sorting the wide rows in PostgreSQL spills to disk.
    return frame.set_index("contact_id").sort_index().astype({"nps_latest": float, "csat_mean": float})


def health_scores(source: Engine | Connection, week: dt.date | None) -> pd.Series:
    """Each account's health score in week (none without a week), by account_id."""
    frame = reads.frame(
        source,
        "SELECT account_id, score FROM health_snapshots WHERE week_start = :week",
        [],
        {"week": week},
    )
    return frame.set_index("account_id")["score"].astype(float).rename("health_score")


def with_health(facts: pd.DataFrame, scores: pd.Series) -> pd.DataFrame:
    """Contacts' facts with their account's health score (NaN where it was not scored), before the complaints."""
    joined = facts.copy()
    joined.insert(
        joined.columns.get_loc("last_complaint_on"),
        "health_score",
        joined["account_id"].map(scores),
    )
    return joined


def advocacy(source: Engine | Connection, as_of: dt.date, contact_id: int | None = None) -> pd.DataFrame:
    """Every advocate record (or one contact's) by contact_id: advocate_id, stage, last_asked_on (asks sent by
    as_of) and past_advocacy (agreements plus references fulfilled by then)."""
    params = {"as_of": as_of, "as_of_end": dt.datetime.combine(as_of, dt.time.max), "contact_id": contact_id}
    stmt = BOOK_ADVOCACY if contact_id is None else ONE_ADVOCACY
    return reads.frame(source, stmt, ["last_asked_on"], params).set_index("contact_id")


def with_advocacy(facts: pd.DataFrame, program: pd.DataFrame) -> pd.DataFrame:
    """Contacts' facts with their part in the program (none yet: no advocate, no ask, no past advocacy)."""
    joined = facts.join(program, how="left")
    joined["past_advocacy"] = joined["past_advocacy"].fillna(0).astype(int)
    joined["advocate_id"] = joined["advocate_id"].astype("Int64")
    joined["stage"] = joined["stage"].astype("str")
    return joined


def candidates(
    source: Engine | Connection,
    as_of: dt.date,
    week: dt.date | None,
    contact_id: int | None = None,
    in_program: bool = False,
    promoters_since: dt.date | None = None,
) -> pd.DataFrame:
    """Every current contact of an active account (or one contact, or only advocates who agreed) with what decides
    who to ask: account facts, NPS, CSAT, triggers, health in week, complaints, past asks and advocacy; source
    may be a connection inside a write's transaction. promoters_since: only contacts with an NPS of 9 or 10
    answered on or after that day (their latest answer may be another)."""
    facts = with_health(
        contact_facts(source, as_of, contact_id, in_program, promoters_since), health_scores(source, week)
    )
    return with_advocacy(facts, advocacy(source, as_of, contact_id))


def advocates(engine: Engine) -> pd.DataFrame:
    """Every advocate record with its contact, account and the account's owner."""
    return reads.frame(
        engine,
        "SELECT adv.id, adv.contact_id, adv.account_id, adv.stage, adv.stage_changed_at, adv.version, "
        "c.name AS contact_name, c.title, a.name AS account_name, a.segment, a.industry, a.owner_id, u.name AS owner "
        "FROM advocates adv JOIN contacts c ON c.id = adv.contact_id JOIN accounts a ON a.id = adv.account_id "
        "LEFT JOIN users u ON u.id = a.owner_id ORDER BY adv.id",
        ["stage_changed_at"],
    )


def stage_changes(engine: Engine) -> pd.DataFrame:
    return reads.frame(
        engine,
        "SELECT advocate_id, from_stage, to_stage, changed_at FROM advocate_stage_changes ORDER BY changed_at, id",
        ["changed_at"],
    )


def recent_outreach(engine: Engine, since: dt.date) -> pd.DataFrame:
    """Every outreach attempt sent on or after since (the follow-up queue reads no further back)."""
    return reads.frame(
        engine,
        "SELECT id, advocate_id, channel, owner_role, follow_up_number, sent_on, responded_on, outcome "
        "FROM outreach_attempts WHERE sent_on >= :since ORDER BY id",
        ["sent_on", "responded_on"],
        {"since": since},
    )


def thank_yous(engine: Engine) -> pd.DataFrame:
    return reads.frame(engine, "SELECT advocate_id, reason, channel, sent_on FROM thank_yous", ["sent_on"])


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
    frame = reads.frame(engine, OWED_SQL, ["owed_at"])
    return frame.assign(on=frame.pop("owed_at").dt.normalize())


ADVOCATE_OUTREACH_SQL = text(
    "SELECT id, advocate_id, channel, owner_role, follow_up_number, sent_on, responded_on, outcome "
    "FROM outreach_attempts WHERE advocate_id = :advocate_id ORDER BY sent_on, id"
)


def outreach_of(connection: Connection, advocate_id: int) -> pd.DataFrame:
    """One advocate's outreach attempts, oldest first, read on the caller's connection (inside its transaction)."""
    return reads.frame(
        connection, ADVOCATE_OUTREACH_SQL, ["sent_on", "responded_on"], {"advocate_id": advocate_id}
    )


# --- outreach effectiveness: aggregated in the database, filtered by period, segment, industry, owner ---


@dataclass(frozen=True)
class OutreachFilter:
    """Asks sent start…end (inclusive) to advocates of accounts in these segments, industries and owners (empty: all)."""

    start: dt.date
    end: dt.date
    segments: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] = ()


def _filtered(stmt: Select, chosen: OutreachFilter) -> Select:
    """stmt over outreach_attempts sent in the period, joined to the advocate's account only when a filter needs it."""
    o = OutreachAttempt.__table__
    stmt = stmt.select_from(o).where(o.c.sent_on >= chosen.start, o.c.sent_on <= chosen.end)
    by_account = [
        column.in_(values)
        for column, values in (
            (Account.segment, chosen.segments),
            (Account.industry, chosen.industries),
            (Account.owner_id, chosen.owner_ids),
        )
        if values
    ]
    if by_account:
        stmt = (
            stmt.join(Advocate, Advocate.id == o.c.advocate_id)
            .join(Account, Account.id == Advocate.account_id)
            .where(*by_account)
        )
    return stmt


def outreach_tally(engine: Engine, chosen: OutreachFilter) -> pd.DataFrame:
    """Attempts counted per month ('YYYY-MM'), channel, owner role, follow-up number and outcome (column n)."""
    o = OutreachAttempt.__table__
    month = func.substr(cast(o.c.sent_on, String), 1, 7).label("month")
    groups = [month, o.c.channel, o.c.owner_role, o.c.follow_up_number, o.c.outcome]
    stmt = _filtered(select(*groups, func.count().label("n")), chosen).group_by(*groups)
    return reads.frame(engine, stmt)


def _producing_ids() -> Select:
    return union(
        select(Advocate.id).join(Asset, Asset.contact_id == Advocate.contact_id),
        select(ReferenceRequest.assigned_advocate_id).where(
            ReferenceRequest.status == "done", ReferenceRequest.assigned_advocate_id.is_not(None)
        ),
    )


def outreach_funnel(engine: Engine, chosen: OutreachFilter) -> dict[str, int]:
    """Distinct advocates asked, who responded, who agreed, and who agreed and produced an asset or reference."""
    o = OutreachAttempt.__table__
    answered = o.c.outcome != "no_response"
    agreed = o.c.outcome == "agreed"
    produced = and_(agreed, o.c.advocate_id.in_(_producing_ids()))
    stmt = _filtered(
        select(
            func.count(distinct(o.c.advocate_id)).label("asked"),
            func.count(distinct(case((answered, o.c.advocate_id)))).label("responded"),
            func.count(distinct(case((agreed, o.c.advocate_id)))).label("agreed"),
            func.count(distinct(case((produced, o.c.advocate_id)))).label("produced"),
        ),
        chosen,
    )
    with engine.connect() as conn:
        return dict(conn.execute(stmt).one()._mapping)


def response_days(engine: Engine, chosen: OutreachFilter) -> pd.DataFrame:
    """Answered attempts counted per channel and whole days from sent to answered (column n)."""
    o = OutreachAttempt.__table__
    if engine.dialect.name == "sqlite":
        days = cast(func.julianday(o.c.responded_on) - func.julianday(o.c.sent_on), Integer)
    else:
        days = cast(o.c.responded_on - o.c.sent_on, Integer)
    days = days.label("days")
    stmt = (
        _filtered(select(o.c.channel, days, func.count().label("n")), chosen)
        .where(o.c.outcome != "no_response", o.c.responded_on.is_not(None))
        .group_by(o.c.channel, days)
    )
    return reads.frame(engine, stmt)


@dataclass(frozen=True)
class OutreachChoices:
    """What the outreach filters offer: the newest ask's day, segments, industries and account owners."""

    latest: dt.date | None
    segments: list[str]
    industries: list[str]
    owners: dict[int, str]


def outreach_choices(engine: Engine) -> OutreachChoices:
    """The day of the newest ask, and the segments, industries and owners of the accounts."""
    with engine.connect() as conn:
        latest = conn.scalar(select(func.max(OutreachAttempt.sent_on)))
        kinds = conn.execute(select(Account.segment, Account.industry).distinct()).all()
        owners = conn.execute(
            select(User.id, User.name).where(User.id.in_(select(Account.owner_id))).order_by(User.name)
        ).all()
    return OutreachChoices(
        latest,
        sorted({segment for segment, _ in kinds}),
        sorted({industry for _, industry in kinds}),
        dict(owners),
    )


# --- the program over time: daily activity, stage flow, rewards, the weekly review's two weeks ---------


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


def rewards(engine: Engine) -> pd.DataFrame:
    """Every reward given: advocate_id, kind, value, given_on."""
    return reads.frame(engine, "SELECT advocate_id, kind, value, given_on FROM rewards", ["given_on"]).astype(
        {"value": float}
    )


def stage_changes_between(engine: Engine, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Advocate stage changes of the days start…end: advocate_id, advocate, account, from_stage, to_stage,
    changed_at."""
    return reads.between(
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
    return reads.between(
        engine,
        "SELECT sent_on, responded_on, outcome, follow_up_number FROM outreach_attempts "
        "WHERE (sent_on >= :start AND sent_on < :end) OR (responded_on >= :start AND responded_on < :end)",
        ["sent_on", "responded_on"],
        start,
        end,
    )
