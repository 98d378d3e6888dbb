"""Every table out as a spreadsheet-safe CSV (formula-looking cells neutralised), secrets left out."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from core import export
from db.models import Base

# Login secrets and the login throttle's memory are never exported.
TABLES = tuple(name for name in Base.metadata.tables if name != "login_failures")
HIDDEN_COLUMNS = {"users": ("password_hash",)}


def export_table(engine: Engine, table_name: str) -> bytes:
    """Every row of a table as CSV (through core.export.to_csv: formula-looking cells neutralised)."""
    if table_name not in TABLES:
        raise ValueError(f"'{table_name}' is not one of the exportable tables: {', '.join(TABLES)}.")
    table = Base.metadata.tables[table_name]
    hidden = HIDDEN_COLUMNS.get(table_name, ())
    query = select(*(c for c in table.c if c.name not in hidden)).order_by(*table.primary_key.columns)
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    return export.to_csv(frame)
