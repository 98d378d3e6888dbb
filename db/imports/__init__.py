"""Imports: every row of a file stored in one transaction, or none.

An import upserts by the entity's key: a key the database holds is an update (counted only when a
value differs), a new key an insert (see store). The command line is cli (python -m db.imports), the
table export exporting.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine

from core import imports, roles, usage_events
from core.imports import attributes
from db import families, memory, scoring, service, tasks
from db.imports import store
from db.imports.exporting import TABLES, export_table
from db.imports.store import ENTITY_TABLES

__all__ = [
    "ENTITY_TABLES",
    "TABLES",
    "ImportResult",
    "Plan",
    "export_table",
    "known_ids",
    "plan",
    "run_import",
]

log = logging.getLogger(__name__)

# Where each kind of reference is looked up: (table, column holding the external id, column it resolves to).
REF_SOURCES = {
    "accounts": ("accounts", "external_id", "id"),
    "contacts": ("contacts", "external_id", "id"),
    "users": ("users", "username", "id"),
    "referrals": ("referrals", "code", "id"),
    "subscription_accounts": ("subscriptions", "external_id", "account_id"),
}


class _DryRun(Exception):
    """Raised at the end of a checked import to roll every change back, carrying what it would have done."""

    def __init__(self, result: ImportResult) -> None:
        self.result = result


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, checked only, would do); when problems is not empty nothing was written.

    notes says what was skipped and derived ("412 rows skipped: no score", "ARR and seats of 40 accounts
    derived from their subscriptions"); rescored_weeks how many scored weeks the next scoring run redoes."""

    entity: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    problems: pd.DataFrame
    notes: tuple[str, ...] = ()
    stored: bool = False


def _pairs(connection: Connection, sql: str) -> pd.Series:
    pairs = connection.exec_driver_sql(sql).fetchall()
    keys, ids = zip(*pairs, strict=True) if pairs else ((), ())
    return pd.Series(ids, index=pd.Index(keys, dtype=object), dtype="Int64")


# Other names a reference may use, when they name one record only: a CRM export names the owner by name or
# e-mail, a help desk the organisation by its name.
OTHER_NAMES = {"accounts": ("name",), "users": ("email", "name")}


def _references(connection: Connection, ref: str) -> pd.Series:
    """The stored keys of a kind of reference → the database id they resolve to: the key column first, then
    each other name that is unique and not already a key."""
    table, column, target = REF_SOURCES[ref]
    known = _pairs(connection, f"SELECT {column}, {target} FROM {table}")
    for other in OTHER_NAMES.get(ref, ()):
        pairs = _pairs(connection, f"SELECT {other}, {target} FROM {table} WHERE {other} IS NOT NULL")
        unique = pairs[~pairs.index.duplicated(keep=False) & ~pairs.index.isin(known.index)]
        known = pd.concat([known, unique])
    return known


def known_ids(connection: Connection, entity: str) -> dict[str, pd.Series]:
    """For every reference the entity's fields make: the stored keys → database ids (see _references; for a
    subscription: its account's id). Usage events also learn which account each contact's id belongs to."""
    known: dict[str, pd.Series] = {}
    for field in imports.entity_spec(entity).fields:
        if field.kind == "ref" and field.ref not in known:
            known[field.ref] = _references(connection, field.ref)
    if entity == "usage_events":
        known["contact_accounts"] = _pairs(connection, "SELECT external_id, account_id FROM contacts")
    return known


def _attribute_kinds(connection: Connection) -> dict[str, str]:
    return dict(connection.exec_driver_sql("SELECT name, kind FROM custom_attributes").all())


def _check(
    connection: Connection, frame: pd.DataFrame, entity: str, mapping: imports.Mapping
) -> imports.Validated:
    validated = imports.validate(frame, entity, mapping, known_ids(connection, entity))
    return attributes.with_attributes(validated, frame, mapping, _attribute_kinds(connection))


# Rows of the checked file a plan keeps for the preview, and distinct values it counts per column.
PLAN_ROWS = 20
PLAN_VALUES = 10_000


@dataclass(frozen=True)
class Plan:
    """What the import page shows of a file before it is imported, small whatever the file's size (it comes
    back from the import worker, and a frame of millions of rows would hold up the server while it does).

    values[column]: the column's distinct texts and how many rows hold each, most first (the first
    PLAN_VALUES; a column meant for choices has far fewer). checked: every problem and note, its rows cut
    to the first PLAN_ROWS; checked_rows: how many rows it checked."""

    columns: list[str]
    rows: int
    values: dict[str, pd.Series]
    mapping: imports.Mapping
    checked: imports.Validated
    checked_rows: int


def plan(
    engine: Engine, data: imports.Source, filename: str, entity: str, mapping: imports.Mapping | None = None
) -> Plan:
    """The file's columns and values, the mapping used (automatic when None) and the validation result, for
    a preview; writes nothing."""
    frame = imports.read_table(data, filename)
    mapping = mapping if mapping is not None else imports.auto_map(list(frame.columns), entity)
    with engine.connect() as connection:
        checked = _check(connection, frame, entity, mapping)
    values = {column: frame[column].value_counts().head(PLAN_VALUES) for column in frame.columns}
    preview = dataclasses.replace(checked, rows=checked.rows.head(PLAN_ROWS), attributes=None)
    return Plan(list(frame.columns), len(frame), values, mapping, preview, len(checked.rows))


def run_import(
    engine: Engine,
    actor: service.Actor,
    data: imports.Source,
    filename: str,
    entity: str,
    mapping: imports.Mapping | None = None,
    progress: Callable[[int, int], None] | None = None,
    check_only: bool = False,
    churn_from_subscriptions: bool = False,
) -> ImportResult:
    """Validate a file and, when it has no problem, store every row in one transaction with an audit row,
    and mark the scored weeks it changes for the next scoring run. check_only does all of it and then
    rolls it back: the result says what the import would do. A usage-event log is read, checked and added
    up a block at a time, so millions of events never sit in memory as text."""
    if not roles.may_do(actor.role, "import_data"):
        log.info("import refused: entity=%s user=%s reason=PermissionDenied", entity, actor.username)
        raise service.PermissionDenied(f"Role '{actor.role}' may not import data.")
    imports.entity_spec(entity)
    chunks = _read(data, filename, entity)
    first = next(chunks)
    mapping = mapping if mapping is not None else imports.auto_map(list(first.columns), entity)
    try:
        with service.write(engine, actor, "import_data", families.imported(entity)) as session:
            connection = session.connection()
            if entity == "usage_events":
                outcome = _event_log(
                    connection, itertools.chain([first], chunks), mapping, actor, progress, data
                )
            else:
                outcome = _records(
                    connection, first, entity, mapping, actor, progress, churn_from_subscriptions
                )
            checked, problems, notes, stored = outcome
            if stored is None:
                return _rejected(entity, checked, problems, notes, actor)
            result = _stored(connection, entity, problems, notes, stored, check_only)
            if check_only:
                raise _DryRun(result)
            details = {"file": filename, "rows": result.rows, "inserted": result.inserted}
            details |= {"updated": result.updated, "unchanged": result.unchanged, "notes": result.notes}
            service.audit(session, actor, "import_data", entity, None, None, details)
    except _DryRun as dry:
        log.info("import: entity=%s rows=%d outcome=checked user=%s", entity, dry.result.rows, actor.username)
        return dry.result
    log.info(
        "import: entity=%s rows=%d inserted=%d updated=%d outcome=stored user=%s",
        entity,
        result.rows,
        result.inserted,
        result.updated,
        actor.username,
    )
    if result.inserted or result.updated:
        # The work queue follows the data: an overdue request or a stale asset raises its task now.
        tasks.generate(engine)
    return result


def _read(data: imports.Source, filename: str, entity: str) -> Iterator[pd.DataFrame]:
    """The file as frames: a usage-event log a block at a time, any other file whole."""
    if entity == "usage_events":
        return imports.read_chunks(data, filename)
    return iter([imports.read_table(data, filename)])


def _rejected(
    entity: str, checked: int, problems: pd.DataFrame, notes: tuple[str, ...], actor: service.Actor
) -> ImportResult:
    """The result of a file with problems, of which nothing was stored."""
    log.info(
        "import: entity=%s rows=%d outcome=rejected problems=%d user=%s",
        entity,
        checked,
        len(problems),
        actor.username,
    )
    return ImportResult(entity, checked, 0, 0, 0, problems, notes)


def _stored(
    connection: Connection,
    entity: str,
    problems: pd.DataFrame,
    notes: tuple[str, ...],
    stored: store.Stored,
    check_only: bool,
) -> ImportResult:
    """The result of a stored file; marks the scored weeks it changed for the next scoring run."""
    unchanged = stored.rows - stored.inserted - stored.updated
    if stored.marks and (stored.inserted or stored.updated):
        scoring.mark_changed(connection, stored.since)
    return ImportResult(
        entity,
        stored.rows,
        stored.inserted,
        stored.updated,
        unchanged,
        problems,
        (*notes, *stored.notes),
        stored=not check_only,
    )


# The rows checked, their problems, what was skipped and what storing did (None: nothing, for problems).
Outcome = tuple[int, pd.DataFrame, tuple[str, ...], "store.Stored | None"]


def _records(
    connection: Connection,
    frame: pd.DataFrame,
    entity: str,
    mapping: imports.Mapping,
    actor: service.Actor,
    progress: Callable[[int, int], None] | None,
    churn_from_subscriptions: bool,
) -> Outcome:
    """Check a whole file and, when it has no problem, store it (stored is None when it has problems)."""
    validated = _check(connection, frame, entity, mapping)
    checked = len(validated.rows)
    if not validated.ok:
        return checked, validated.problems, validated.notes, None
    stored = store.store(connection, entity, validated, actor, progress, churn_from_subscriptions)
    return checked, validated.problems, validated.notes, stored


def _event_log(
    connection: Connection,
    chunks: Iterator[pd.DataFrame],
    mapping: imports.Mapping,
    actor: service.Actor,
    progress: Callable[[int, int], None] | None,
    data: imports.Source,
) -> Outcome:
    """Check and add up a usage-event log block by block; store its weeks when no block has a problem."""
    known = known_ids(connection, "usage_events")
    keys = store.key_features(connection)
    usage = usage_events.WeeklyUsage(keys)
    problems: list[pd.DataFrame] = []
    checked = 0
    fields: tuple[str, ...] = ()
    total = imports.row_count(data)
    for chunk in chunks:
        validated = imports.validate(chunk, "usage_events", mapping, known)
        fields = validated.fields
        if not validated.ok:
            problems.append(validated.problems)
        elif not problems:
            usage.add(store.events(validated.rows, fields))
        checked += len(validated.rows)
        # What the block's reading and checking freed goes back to the system before the next block.
        memory.release_freed()
        if progress:
            progress(min(int(chunk.index[-1]) + 1 if len(chunk) else 0, total), total)
    if problems:
        return checked, pd.concat(problems, ignore_index=True), (), None
    empty = pd.DataFrame(columns=list(imports.PROBLEM_COLUMNS))
    return checked, empty, (), store.store_event_log(connection, usage, keys, checked, fields, actor)
