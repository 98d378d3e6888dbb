"""Reads of the assets and references family: the asset library and its tags, reference requests, what assets
and advocates did in deals, and the assets that may turn stale.

Each returns DataFrames shaped for core.assets, core.matching, core.references and core.weekly."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Date, Engine, bindparam, case, func, select, text

from db import reads, rules
from db.models import AssetUsage, ReferenceRequest


def featured_state(day: str) -> str:
    """SQL columns of an asset's featured customer that its freshness depends on (core.assets.freshness): segment
    (for the band), account_churned and contact_left (1 or 0, as of day, an SQL expression) and account_score (the
    snapshot of :week), from assets s joined with FEATURED_JOINS."""
    return (
        f"a.segment, CASE WHEN {rules.churned('s.account_id', day)} THEN 1 ELSE 0 END AS account_churned, "
        "h.score AS account_score, "
        f"CASE WHEN c.left_company_on IS NOT NULL AND c.left_company_on <= {day} THEN 1 ELSE 0 END AS contact_left"
    )


FEATURED_JOINS = """
LEFT JOIN accounts a ON a.id = s.account_id
LEFT JOIN contacts c ON c.id = s.contact_id
LEFT JOIN health_snapshots h ON h.account_id = s.account_id AND h.week_start = :week
"""
FEATURED_TYPES = {"account_score": float, "account_churned": bool, "contact_left": bool}

LIBRARY_SQL = text(
    f"""
SELECT s.id, s.title, s.asset_type, s.summary, s.quote, s.company_size, s.region, s.approval_status,
    s.published_on, s.review_by, s.url, s.account_id, a.name AS account_name, s.contact_id, c.name AS contact_name,
    s.approved_by, s.approved_on, s.approval_until, s.file_key, s.file_name, s.file_type, s.version,
    {featured_state(":today")}
FROM assets s
{FEATURED_JOINS}
WHERE s.retired_on IS NULL
ORDER BY s.id
"""
)
TAGS_SQL = text(
    "SELECT asset_id, 'industry' AS kind, industry AS value FROM asset_industries "
    "UNION ALL SELECT asset_id, 'product' AS kind, product AS value FROM asset_products"
)


def tags(engine: Engine) -> pd.DataFrame:
    """Every industry and product tag of every asset: asset_id, kind ('industry' or 'product'), value."""
    return reads.frame(engine, TAGS_SQL)


def library(engine: Engine, today: dt.date, week: dt.date | None, asset_tags: pd.DataFrame) -> pd.DataFrame:
    """Every asset not retired, with its featured customer's state (churned, health score in week, contact left) and its
    industry and product tags joined with ', '."""
    dates = ["published_on", "review_by", "approved_on", "approval_until"]
    frame = reads.frame(engine, LIBRARY_SQL, dates, {"today": today, "week": week}, index="id")
    frame[["account_id", "contact_id"]] = frame[["account_id", "contact_id"]].astype("Int64")
    frame = frame.astype(FEATURED_TYPES)
    joined = asset_tags.sort_values("value").groupby(["asset_id", "kind"])["value"].agg(", ".join).unstack()
    frame["industries"] = joined.get("industry", pd.Series(dtype=object)).reindex(frame.index).fillna("")
    frame["products"] = joined.get("product", pd.Series(dtype=object)).reindex(frame.index).fillna("")
    return frame


RETIRED_SQL = text(
    "SELECT s.id, s.title, s.asset_type, a.name AS account_name, s.retired_on, s.version FROM assets s "
    "LEFT JOIN accounts a ON a.id = s.account_id WHERE s.retired_on IS NOT NULL ORDER BY s.retired_on DESC, s.id"
)


def retired_assets(engine: Engine) -> pd.DataFrame:
    """Retired assets, latest first, by id: title, asset_type, account_name, retired_on, version."""
    return reads.frame(engine, RETIRED_SQL, ["retired_on"], index="id")


ASSETS_CHANGING_SQL = text(
    f"""
SELECT s.id AS asset_id, s.title, s.asset_type, s.approval_status, s.published_on, s.review_by,
    s.approval_until, {featured_state(":end")}
FROM assets s
{FEATURED_JOINS}
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
    return frame.astype(FEATURED_TYPES)


# --- reference requests and deals ------------------------------------------------------------------


OPEN_REQUESTS_SQL = text(
    "SELECT id, prospect, kind, status, needed_by, assigned_advocate_id FROM reference_requests "
    "WHERE status IN ('open', 'assigned')"
)


def open_reference_requests(engine: Engine) -> pd.DataFrame:
    """Reference requests still waiting for fulfilment: id, prospect, kind, status, needed_by,
    assigned_advocate_id (NaN while open)."""
    return reads.frame(engine, OPEN_REQUESTS_SQL, ["needed_by"])


REQUESTS_SQL = """
SELECT r.id, r.prospect, r.industry, r.company_size, r.region, r.product, r.deal_size, r.deal_stage, r.kind,
    r.requested_by, u.name AS requested_by_name, r.requested_at, r.needed_by, r.status,
    r.assigned_advocate_id, c.name AS advocate_name, r.assigned_asset_id, s.title AS asset_title,
    r.fulfilled_at, r.outcome, r.won_amount, r.version
FROM reference_requests r
LEFT JOIN users u ON u.id = r.requested_by
LEFT JOIN advocates adv ON adv.id = r.assigned_advocate_id
LEFT JOIN contacts c ON c.id = adv.contact_id
LEFT JOIN assets s ON s.id = r.assigned_asset_id
ORDER BY r.requested_at DESC, r.id DESC
"""


def requests(engine: Engine) -> pd.DataFrame:
    """Every reference request, newest first, with requester, assigned advocate and asset names."""
    frame = reads.frame(engine, REQUESTS_SQL, ["requested_at", "needed_by", "fulfilled_at"]).set_index("id")
    for column in ("assigned_advocate_id", "assigned_asset_id", "requested_by"):
        frame[column] = frame[column].astype("Int64")
    return frame.astype({"deal_size": float, "won_amount": float})


def asset_deals(engine: Engine) -> pd.DataFrame:
    """Per asset used in deals: uses, won, lost, won_amount (from the library's 'used in deal' log)."""
    won = AssetUsage.outcome == "won"
    stmt = select(
        AssetUsage.asset_id,
        func.count().label("uses"),
        func.sum(case((won, 1), else_=0)).label("won"),
        func.sum(case((AssetUsage.outcome == "lost", 1), else_=0)).label("lost"),
        func.coalesce(func.sum(case((won, AssetUsage.amount), else_=0)), 0).label("won_amount"),
    ).group_by(AssetUsage.asset_id)
    return reads.frame(engine, stmt, index="asset_id").astype(float)


def advocate_deals(engine: Engine) -> pd.DataFrame:
    """Per advocate who fulfilled reference requests: uses, won, lost, won_amount."""
    r = ReferenceRequest
    won = r.outcome == "won"
    stmt = (
        select(
            r.assigned_advocate_id.label("advocate_id"),
            func.count().label("uses"),
            func.sum(case((won, 1), else_=0)).label("won"),
            func.sum(case((r.outcome == "lost", 1), else_=0)).label("lost"),
            func.coalesce(func.sum(case((won, r.won_amount), else_=0)), 0).label("won_amount"),
        )
        .where(r.status == "done", r.assigned_advocate_id.is_not(None))
        .group_by(r.assigned_advocate_id)
    )
    return reads.frame(engine, stmt, index="advocate_id").astype(float)


ACTIVITIES_SQL = (
    "SELECT assigned_advocate_id AS advocate_id, COALESCE(fulfilled_at, requested_at) AS activity_at "
    "FROM reference_requests WHERE assigned_advocate_id IS NOT NULL AND status IN ('assigned', 'done')"
)


def reference_activities(source: Engine | Connection, advocate_id: int | None = None) -> pd.DataFrame:
    """Reference requests advocates (or one advocate) took on — assigned or done — on the day fulfilled or else
    requested; source may be a connection inside a write's transaction."""
    sql, params = ACTIVITIES_SQL, {}
    if advocate_id is not None:
        sql, params = sql + " AND assigned_advocate_id = :advocate_id", {"advocate_id": advocate_id}
    frame = reads.frame(source, sql, ["activity_at"], params)
    return frame.assign(on=frame.pop("activity_at").dt.normalize())
