"""Imports: every row of a file stored in one transaction, or none.

An import upserts by the entity's key: a key the database holds is an update (counted only when a
value differs), a new key an insert (see store). The command line is cli (python -m db.imports), the
table export exporting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine

from core import imports, roles
from db import service
from db.imports.exporting import TABLES, export_table
from db.imports.store import ENTITY_TABLES, store_rows

__all__ = [
    "ENTITY_TABLES",
    "TABLES",
    "ImportResult",
    "export_table",
    "known_ids",
    "plan",
    "run_import",
]

# Where each kind of reference is looked up: (table, column holding the external id).
REF_SOURCES = {
    "accounts": ("accounts", "external_id"),
    "contacts": ("contacts", "external_id"),
    "users": ("users", "username"),
    "referrals": ("referrals", "code"),
}


@dataclass(frozen=True)
class ImportResult:
    """What an import did; when problems is not empty nothing was written."""

    entity: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    problems: pd.DataFrame


def known_ids(connection: Connection, entity: str) -> dict[str, pd.Series]:
    """For every reference the entity's fields make: the stored external ids → database ids."""
    known: dict[str, pd.Series] = {}
    for field in imports.entity_spec(entity).fields:
        if field.kind == "ref" and field.ref not in known:
            table, column = REF_SOURCES[field.ref]
            pairs = connection.exec_driver_sql(f"SELECT {column}, id FROM {table}").fetchall()
            keys, ids = zip(*pairs, strict=True) if pairs else ((), ())
            known[field.ref] = pd.Series(ids, index=pd.Index(keys, dtype=object), dtype="Int64")
    return known


def plan(
    engine: Engine, data: bytes, filename: str, entity: str, mapping: dict | None = None
) -> tuple[pd.DataFrame, dict[str, str | None], imports.Validated]:
    """The file as read, the mapping used (automatic when None) and the validation result, for a preview."""
    frame = imports.read_table(data, filename)
    mapping = dict(mapping) if mapping is not None else imports.auto_map(list(frame.columns), entity)
    with engine.connect() as connection:
        known = known_ids(connection, entity)
    return frame, mapping, imports.validate(frame, entity, mapping, known)


def run_import(
    engine: Engine,
    actor: service.Actor,
    data: bytes,
    filename: str,
    entity: str,
    mapping: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate a file and, when it has no problem, upsert every row in one transaction with an audit row."""
    if not roles.may_do(actor.role, "import_data"):
        raise service.PermissionDenied(f"Role '{actor.role}' may not import data.")
    imports.entity_spec(entity)
    frame = imports.read_table(data, filename)
    mapping = dict(mapping) if mapping is not None else imports.auto_map(list(frame.columns), entity)
    with service.write(engine, actor, "import_data") as session:
        connection = session.connection()
        validated = imports.validate(frame, entity, mapping, known_ids(connection, entity))
        rows = validated.rows
        if not validated.ok:
            return ImportResult(entity, len(rows), 0, 0, 0, validated.problems)
        inserted, updated = store_rows(connection, entity, rows, actor, progress)
        counts = {"rows": len(rows), "inserted": inserted, "updated": updated}
        counts["unchanged"] = len(rows) - inserted - updated
        service.audit(session, actor, "import_data", entity, None, None, {"file": filename, **counts})
    return ImportResult(entity, problems=validated.problems, **counts)
