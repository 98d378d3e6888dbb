"""Storing validated rows: an upsert by the entity's key, chunk by chunk, set-based on either backend.

Rows pass through a temporary staging table one chunk at a time, so counting, updating and inserting
are three set-based statements per chunk. Outreach and referral rows name a contact; a contact with no
advocate record gets one, at stage 'asked' (outreach) or 'agreed' (a referral code is issued to advocates
who agreed), with a stage change dated at the contact's earliest imported row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Column, Connection, Integer, MetaData, Table, TextClause, false, insert, select, text

from core import imports, usage_events
from db import bulk, service
from db.imports import derived
from db.models import Advocate, AdvocateStageChange, Base, Contact

CHUNK_ROWS = 100_000
STAGING = "import_staging"
# Index pages of a big table must stay cached during a large import, or every row rereads them.
SQLITE_CACHE_KIB = 512_000

ENTITY_TABLES = {
    "accounts": "accounts",
    "contacts": "contacts",
    "usage": "usage_weekly",
    "usage_events": "usage_weekly",
    "subscriptions": "subscriptions",
    "surveys": "survey_responses",
    "tickets": "tickets",
    "milestones": "milestones",
    "triggers": "engagement_triggers",
    "outreach": "outreach_attempts",
    "assets": "assets",
    "purchases": "purchases",
    "spend": "acquisition_spend",
    "referrals": "referrals",
    "referral_events": "referral_events",
    "churn": "churn_events",
}
# The assets' list fields live in tables of their own: field → (table, column).
LIST_TABLES = {"industries": ("asset_industries", "industry"), "products": ("asset_products", "product")}
# The kinds of record the health score reads; of these, the dated ones change only the weeks from their
# earliest day on (an account's or a subscription's facts may change any week).
SCORE_INPUTS = {
    "accounts",
    "usage",
    "usage_events",
    "subscriptions",
    "surveys",
    "tickets",
    "milestones",
    "churn",
}
DATED_INPUTS = SCORE_INPUTS - {"accounts", "subscriptions"}
# Entities whose contact stands for that contact's advocate record, and the stage a new record starts in.
ADVOCATE_STAGE = {"outreach": ("asked", "sent_on"), "referrals": ("agreed", "created_on")}


def _db_columns(entity: str, fields: tuple[str, ...]) -> dict[str, str]:
    """Field (or resolved id column) of the validated rows → column of the entity's table, for the given
    fields: a field the file does not give is left as stored (NULL on a new row)."""
    columns = {}
    for field in imports.entity_spec(entity).fields:
        if field.kind == "list" or field.name not in fields:
            continue
        if field.kind == "ref" and entity in ADVOCATE_STAGE and field.ref == "contacts":
            columns["advocate_id"] = "advocate_id"
        elif field.kind == "ref":
            columns[field.id_column] = field.id_column
        else:
            columns[field.name] = field.name
    return columns


@dataclass(frozen=True)
class Stored:
    """What storing did: rows inserted and updated, what else was derived, and since when the scored weeks
    changed (None: all of them; marks False: the health score does not read this kind of record)."""

    rows: int
    inserted: int
    updated: int
    notes: tuple[str, ...] = ()
    marks: bool = False
    since: dt.date | None = None


def store(
    connection: Connection,
    entity: str,
    validated: imports.Validated,
    actor: service.Actor,
    progress: Callable[[int, int], None] | None,
    churn_from_subscriptions: bool = False,
) -> Stored:
    """Store validated rows the way their kind needs: subscriptions with the account facts and (when asked)
    churn events they imply, accounts with their custom attributes (usage events: store_event_log)."""
    rows, fields = validated.rows, validated.fields
    notes: tuple[str, ...] = ()
    if entity == "subscriptions":
        inserted, updated = _store_subscriptions(connection, rows, fields, actor, progress)
        notes = derived.subscription_facts(connection, rows["account_id"], churn_from_subscriptions)
    else:
        inserted, updated = store_rows(connection, entity, rows, fields, actor, progress)
        if entity == "accounts" and validated.attributes is not None:
            notes = derived.account_attributes(
                connection, rows, validated.attributes, validated.attribute_kinds
            )
    return Stored(len(rows), inserted, updated, notes, entity in SCORE_INPUTS, _earliest(entity, rows))


def _earliest(entity: str, rows: pd.DataFrame) -> dt.date | None:
    """The earliest day among the rows' dates: scored weeks from it on may change (None: any week may)."""
    if entity not in DATED_INPUTS or rows.empty:
        return None
    spec = imports.entity_spec(entity)
    days = [rows[field.name].min() for field in spec.fields if field.kind in ("date", "datetime")]
    earliest = min((day for day in days if pd.notna(day)), default=None)
    return None if earliest is None else earliest.date()


def events(rows: pd.DataFrame, fields: tuple[str, ...]) -> pd.DataFrame:
    """Validated usage-event rows as WeeklyUsage takes them: the columns the file gives."""
    frame = pd.DataFrame({"account_id": rows["account_id"].astype("int64"), "at": rows["at"]})
    for field in ("user", "feature", "count"):
        if field in fields:
            frame[field] = rows[field]
    return frame


def key_features(connection: Connection) -> set[str]:
    """The feature names whose events count as key-feature events."""
    return set(connection.exec_driver_sql("SELECT name FROM key_features").scalars())


def store_event_log(
    connection: Connection,
    usage: usage_events.WeeklyUsage,
    keys: set[str],
    event_count: int,
    fields: tuple[str, ...],
    actor: service.Actor,
) -> Stored:
    """Store the weekly usage an event log added up to (its weeks' counts replace stored ones); a count the
    log cannot tell (users without a user column, key features without a feature column or key features
    set) is left as stored."""
    weekly = usage.weeks()
    given = ["logins"]
    if "user" in fields:
        given.append("active_users")
    if "feature" in fields and keys:
        given.append("key_feature_events")
    weekly = weekly.assign(account=weekly["account_id"].astype(str))
    inserted, updated = store_rows(
        connection, "usage", weekly, ("account", "week_start", *given), actor, None
    )
    note = f"{event_count:,} events became {len(weekly):,} account-weeks of usage"
    if "feature" in fields and not keys:
        note += " (no key features are set, so key-feature events stay unknown)"
    since = None if weekly.empty else weekly["week_start"].min().date()
    return Stored(len(weekly), inserted, updated, (note,), True, since)


def _store_subscriptions(
    connection: Connection,
    rows: pd.DataFrame,
    fields: tuple[str, ...],
    actor: service.Actor,
    progress: Callable[[int, int], None] | None,
) -> tuple[int, int]:
    """Subscriptions with their amount per billing period: ARR per year when given, else MRR per month."""
    arr = rows["arr"] if "arr" in fields else pd.Series(pd.NA, index=rows.index, dtype="Float64")
    mrr = rows["mrr"] if "mrr" in fields else pd.Series(pd.NA, index=rows.index, dtype="Float64")
    period = pd.Series(np.where(arr.notna(), "year", np.where(mrr.notna(), "month", None)), index=rows.index)
    rows = rows.assign(amount=arr.fillna(mrr), billing_period=period.astype(object))
    columns = {"external_id": "external_id", "account_id": "account_id", "started_on": "started_on"}
    columns |= {name: name for name in ("ended_on", "seats", "plan") if name in fields}
    if "arr" in fields or "mrr" in fields:
        columns |= {"amount": "amount", "billing_period": "billing_period"}
    table = Base.metadata.tables["subscriptions"]
    return upsert(connection, table, rows, columns, ["external_id"], actor, progress)


def store_rows(
    connection: Connection,
    entity: str,
    rows: pd.DataFrame,
    fields: tuple[str, ...],
    actor: service.Actor,
    progress: Callable[[int, int], None] | None,
) -> tuple[int, int]:
    """Upsert an entity's validated rows (only the given fields) into its table; returns (inserted, updated)."""
    spec = imports.entity_spec(entity)
    table = Base.metadata.tables[ENTITY_TABLES[entity]]
    if entity in ADVOCATE_STAGE:
        rows = rows.assign(advocate_id=_advocate_ids(connection, rows, entity, actor))
    columns = _db_columns(entity, fields)
    key = [columns.get(name, columns.get(f"{name}_id")) for name in spec.key]
    lists = [field.name for field in spec.fields if field.kind == "list" and field.name in fields]
    return upsert(connection, table, rows, columns, key, actor, progress, lists)


def upsert(
    connection: Connection,
    table: Table,
    rows: pd.DataFrame,
    columns: dict[str, str],
    key: list[str],
    actor: service.Actor,
    progress: Callable[[int, int], None] | None,
    lists: list[str] | None = None,
) -> tuple[int, int]:
    """Upsert rows (columns: row column → table column) by key chunk by chunk; returns (inserted, updated).

    A chunk is first inserted straight into the table under a savepoint: when every key is new (a
    first load, the usual scheduled file) that is the whole write. The first key that exists rolls
    the chunk back, and from then on chunks go through the staging table, which counts, updates
    and inserts them in three set-based statements.
    """
    rows = _in_key_order(rows, columns, key)
    values = {column: _driver_values(rows[source], table.c[column]) for source, column in columns.items()}
    extra = {"recorded_by": actor.id} if "recorded_by" in table.c else {}
    constants = {**extra, **({"version": 1} if "version" in table.c else {})}
    statements = _merge_statements(table, list(values), key, list(extra), versioned="version" in table.c)
    lists = lists or []
    staged = False
    inserted = updated = 0
    changed_rows: list[np.ndarray] = []
    existed_rows: list[np.ndarray] = []
    total = len(rows)
    with _large_sqlite_cache(connection):
        # A write first: pysqlite begins the transaction only at a write, and every statement below is in it.
        connection.execute(table.delete().where(false()))
        for start in range(0, total, CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, total)
            chunk = {column: array[start:stop] for column, array in values.items()}
            if not staged and _insert_new(connection, table.name, chunk, constants):
                inserted += stop - start
            else:
                if not staged:
                    _create_staging(connection, table, list(values))
                    staged = True
                existing, changed = _merge_staged(
                    connection,
                    statements,
                    chunk,
                    range(start, stop),
                    extra,
                    lists,
                    existed_rows,
                    changed_rows,
                )
                inserted += stop - start - existing
                updated += int(changed or 0)
            if progress:
                progress(stop, total)
    if staged:
        connection.exec_driver_sql(f"DROP TABLE {STAGING}")
    if lists:
        updated += _store_lists(connection, table, rows, lists, existed_rows, changed_rows)
    return inserted, updated


def _in_key_order(rows: pd.DataFrame, columns: dict[str, str], key: list[str]) -> pd.DataFrame:
    """rows sorted by the key (table columns), numbered from 0. In key order each chunk walks the key's index
    once instead of once per week or account it holds: SQLite inserts a large file about a sixth faster."""
    sources = {column: source for source, column in columns.items()}
    return rows.sort_values([sources[column] for column in key], ignore_index=True, kind="stable")


@contextmanager
def _large_sqlite_cache(connection: Connection) -> Iterator[None]:
    """On SQLite, a page cache of SQLITE_CACHE_KIB while inside, then SQLite's default again."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA cache_size = -2000")


def _merge_staged(
    connection: Connection,
    statements: dict[str, TextClause],
    chunk: dict[str, np.ndarray],
    numbers: range,
    extra: dict[str, object],
    lists: list[str],
    existed_rows: list[np.ndarray],
    changed_rows: list[np.ndarray],
) -> tuple[int, int | None]:
    """Merge a chunk (rows numbered numbers) through the staging table; returns how many of its keys existed
    and how many of those changed (None: none, as SQL sums nothing).
    With lists, appends the chunk's row numbers whose key existed to existed_rows and those changed to
    changed_rows."""
    connection.exec_driver_sql(f"DELETE FROM {STAGING}")
    _load(connection, STAGING, {"n": np.arange(numbers.start, numbers.stop), **chunk})
    if lists:
        found = connection.execute(statements["which"]).all()
        existed_rows.append(np.array([n for n, _ in found], dtype=np.int64))
        changed_rows.append(np.array([n for n, differs in found if differs], dtype=np.int64))
        existing, changed = len(found), sum(differs for _, differs in found)
    else:
        existing, changed = connection.execute(statements["count"]).one()
    if changed:
        connection.execute(statements["update"])
    if existing < len(numbers):
        connection.execute(statements["insert"], extra)
    return existing, changed


def _insert_new(
    connection: Connection, table_name: str, chunk: dict[str, np.ndarray], constants: dict[str, object]
) -> bool:
    """Insert a chunk whose keys are all new; False (and nothing inserted) when a key exists."""
    size = len(next(iter(chunk.values())))
    filled = {column: np.full(size, value, dtype=object) for column, value in constants.items()}
    if connection.dialect.name == "sqlite":
        # A savepoint would copy every page the chunk touches into a statement journal, a tenth of a large
        # import's time. SQLite undoes only the failing row, and new rows get rowids past the largest one,
        # so the chunk's earlier rows are exactly those past it.
        last = connection.exec_driver_sql(f"SELECT COALESCE(MAX(rowid), 0) FROM {table_name}").scalar()
        try:
            _load(connection, table_name, {**chunk, **filled})
        except connection.dialect.dbapi.IntegrityError:
            connection.exec_driver_sql(f"DELETE FROM {table_name} WHERE rowid > {int(last)}")
            return False
        return True
    # On PostgreSQL an error aborts the whole transaction, unless it happened inside a savepoint.
    connection.exec_driver_sql("SAVEPOINT import_chunk")
    try:
        _load(connection, table_name, {**chunk, **filled})
    except connection.dialect.dbapi.IntegrityError:
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT import_chunk")
        connection.exec_driver_sql("RELEASE SAVEPOINT import_chunk")
        return False
    connection.exec_driver_sql("RELEASE SAVEPOINT import_chunk")
    return True


def _create_staging(connection: Connection, table: Table, columns: list[str]) -> None:
    """A temporary table shaped like the chunk, with the target's column types (so SQLite compares alike)."""
    staging = Table(
        STAGING,
        MetaData(),
        Column("n", Integer, primary_key=True),
        *(Column(column, table.c[column].type) for column in columns),
        prefixes=["TEMPORARY"],
    )
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGING}")
    staging.create(connection)


def _store_lists(
    connection: Connection,
    table: Table,
    rows: pd.DataFrame,
    lists: list[str],
    existed_rows: list[np.ndarray],
    changed_rows: list[np.ndarray],
) -> int:
    """Replace the assets' list sets that differ; returns how many stored assets changed only there."""
    existed = set(np.concatenate(existed_rows).tolist()) if existed_rows else set()
    changed = set(np.concatenate(changed_rows).tolist()) if changed_rows else set()
    also = sorted((existed - changed) & _replace_lists(connection, rows, lists))
    if also:
        ids = rows.loc[also, "external_id"].tolist()
        connection.execute(
            table.update().where(table.c.external_id.in_(ids)).values(version=table.c.version + 1)
        )
    return len(also)


def _merge_statements(
    table: Table, columns: list[str], key: list[str], extra: list[str], versioned: bool
) -> dict[str, TextClause]:
    """SQL that counts, updates and inserts the staged chunk; the same text runs on SQLite and PostgreSQL."""
    name = table.name
    match = " AND ".join(f"t.{column} = s.{column}" for column in key)
    # A file of key columns only (a churn file of accounts and days) never differs from what is stored.
    differs = (
        " OR ".join(f"t.{column} IS DISTINCT FROM s.{column}" for column in columns if column not in key)
        or "1 = 0"
    )
    sets = ", ".join(f"{column} = s.{column}" for column in columns if column not in key)
    if versioned:
        sets += ", version = t.version + 1"
    insert_columns = columns + list(extra) + (["version"] if versioned else [])
    insert_values = [f"s.{column}" for column in columns] + [f":{column}" for column in extra]
    insert_values += ["1"] if versioned else []
    extra_values = ", ".join(insert_values)
    statements = {
        "count": f"SELECT COUNT(*), SUM(CASE WHEN {differs} THEN 1 ELSE 0 END) "
        f"FROM {STAGING} s JOIN {name} t ON {match}",
        "which": f"SELECT s.n, CASE WHEN {differs} THEN 1 ELSE 0 END FROM {STAGING} s JOIN {name} t ON {match}",
        "update": f"UPDATE {name} AS t SET {sets} FROM {STAGING} AS s WHERE {match} AND ({differs})",
        "insert": f"INSERT INTO {name} ({', '.join(insert_columns)}) SELECT {extra_values} "
        f"FROM {STAGING} s WHERE NOT EXISTS (SELECT 1 FROM {name} t WHERE {match}) ORDER BY s.n",
    }
    return {purpose: text(sql) for purpose, sql in statements.items()}


def _load(connection: Connection, table_name: str, chunk: dict[str, np.ndarray]) -> None:
    """Insert one chunk of columns into a table (db/bulk.py)."""
    records = zip(*(column.tolist() for column in chunk.values()), strict=True)
    bulk.insert_rows(connection, table_name, list(chunk), records)


def _driver_values(values: pd.Series, column: Column) -> np.ndarray:
    """One column as the driver takes it: dates as SQLAlchemy writes them, missing as None or ''."""
    empty = None if column.nullable else ""
    if pd.api.types.is_datetime64_any_dtype(values):
        codes, uniques = pd.factorize(values)
        form = "%Y-%m-%d %H:%M:%S.%f" if column.type.python_type is dt.datetime else "%Y-%m-%d"
        text = np.append(np.asarray(pd.Index(uniques).strftime(form), dtype=object), None)
        return text[codes]
    if isinstance(values.dtype, pd.Int64Dtype | pd.Float64Dtype):
        if not values.isna().any():
            return values.to_numpy(dtype=np.int64 if isinstance(values.dtype, pd.Int64Dtype) else np.float64)
        return values.to_numpy(dtype=object, na_value=None)
    if values.dtype == bool:
        return values.to_numpy()
    out = values.to_numpy(dtype=object)
    missing = pd.isna(out)
    if missing.any():
        out = out.copy()
        out[missing] = empty
    return out


def _advocate_ids(connection: Connection, rows: pd.DataFrame, entity: str, actor: service.Actor) -> pd.Series:
    """The advocate record of each row's contact; contacts without one get one (see the module doc)."""
    stage, day_field = ADVOCATE_STAGE[entity]
    contact_ids = rows["contact_id"].astype(np.int64)
    existing = dict(connection.execute(select(Advocate.contact_id, Advocate.id)).all())
    new = rows.loc[~contact_ids.isin(list(existing)), ["contact_id", day_field]]
    if not new.empty:
        first = new.groupby("contact_id")[day_field].min()
        contacts = [int(contact) for contact in first.index]
        accounts = dict(
            connection.execute(select(Contact.id, Contact.account_id).where(Contact.id.in_(contacts))).all()
        )
        records = [
            {
                "contact_id": int(contact),
                "account_id": accounts[int(contact)],
                "stage": stage,
                "stage_changed_at": day.to_pydatetime(),
                "version": 1,
            }
            for contact, day in first.items()
        ]
        connection.execute(insert(Advocate), records)
        created = dict(
            connection.execute(
                select(Advocate.contact_id, Advocate.id).where(Advocate.contact_id.in_(contacts))
            ).all()
        )
        connection.execute(
            insert(AdvocateStageChange),
            [
                {
                    "advocate_id": created[record["contact_id"]],
                    "from_stage": None,
                    "to_stage": stage,
                    "changed_at": record["stage_changed_at"],
                    "changed_by": actor.id,
                }
                for record in records
            ],
        )
        existing.update(created)
    return contact_ids.map(existing).astype("Int64")


def _replace_lists(connection: Connection, rows: pd.DataFrame, lists: list[str]) -> set[int]:
    """Store each asset's list fields as its set of rows in the side tables; returns the rows whose sets changed."""
    ids = dict(
        connection.exec_driver_sql("SELECT external_id, id FROM assets WHERE external_id IS NOT NULL").all()
    )
    asset_ids = rows["external_id"].map(ids).astype(np.int64)
    changed: set[int] = set()
    for field in lists:
        table_name, column = LIST_TABLES[field]
        side = Base.metadata.tables[table_name]
        stored = pd.DataFrame(
            connection.exec_driver_sql(f"SELECT asset_id, {column} FROM {table_name}").all(),
            columns=["asset_id", "item"],
        )
        current = stored.groupby("asset_id")["item"].agg(lambda items: tuple(sorted(items))).to_dict()
        differs = [
            n
            for n, (asset_id, new) in enumerate(zip(asset_ids, rows[field], strict=True))
            if current.get(asset_id, ()) != tuple(new)
        ]
        if not differs:
            continue
        changed.update(differs)
        stale = asset_ids.iloc[differs].tolist()
        connection.execute(side.delete().where(side.c.asset_id.in_(stale)))
        fresh = [
            {"asset_id": asset_id, column: item}
            for asset_id, items in zip(stale, rows[field].iloc[differs], strict=True)
            for item in items
        ]
        if fresh:
            connection.execute(insert(side), fresh)
    return changed
