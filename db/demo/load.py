"""Write the demo tables into an empty, migrated database: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Connection, Date, DateTime, Engine, Integer, Numeric, text

from db.demo.build import TABLE_ORDER, build
from db.demo.people import DEMO_PASSWORD
from db.demo.timeline import DAY_SECONDS
from db.models import Base
from db.service.users import hash_password

CSV_CHUNK_ROWS = 200_000
SQLITE_CACHE_KIB = 512_000


def generate(
    engine: Engine, accounts: int = 500, seed: int = 7, as_of: dt.date | None = None
) -> dict[str, int]:
    """Fill an empty, migrated database with demo data ending at as_of; returns rows per table."""
    as_of = as_of or dt.date.today()
    with engine.connect() as conn:
        for table in ("users", "accounts"):
            if conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar():
                raise RuntimeError(f"demo data needs an empty database, but {table} has rows")
    password_hash = hash_password(DEMO_PASSWORD)
    demo = build(accounts, seed, as_of, password_hash)
    counts: dict[str, int] = {}
    sqlite = engine.dialect.name == "sqlite"
    for table in TABLE_ORDER:
        with engine.begin() as conn:
            if sqlite:
                # Index pages of the big tables must stay cached, or every insert rereads them.
                conn.exec_driver_sql(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
            frames = demo.usage() if table == "usage_weekly" else [demo.tables[table]]
            counts[table] = sum(_bulk_insert(conn, table, frame) for frame in frames)
            if sqlite:
                conn.exec_driver_sql("PRAGMA cache_size = -2000")
    reset_sequences(engine)
    # Fresh statistics for the query planner after the bulk load; on PostgreSQL also the visibility map
    # that lets index-only scans skip the table, as autovacuum would set it in time.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE" if sqlite else "VACUUM ANALYZE")
    return counts


def reset_sequences(engine: Engine) -> None:
    """After explicit ids, point each PostgreSQL id sequence past the largest id (SQLite needs nothing)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in TABLE_ORDER:
            if "id" in Base.metadata.tables[table].c:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        "COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                        f"FROM {table}"
                    )
                )


def _bulk_insert(connection: Connection, table: str, frame: pd.DataFrame) -> int:
    """Insert a frame in bulk: COPY on PostgreSQL, one DBAPI executemany on SQLite."""
    if frame.empty:
        return 0
    columns = list(frame.columns)
    types = Base.metadata.tables[table].c
    values = [_db_values(frame[name].to_numpy(), types[name].type) for name in columns]
    column_list = ", ".join(f'"{name}"' for name in columns)
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with (
            raw.cursor() as cursor,
            cursor.copy(f'COPY "{table}" ({column_list}) FROM STDIN (FORMAT csv)') as copy,
        ):
            for start in range(0, len(frame), CSV_CHUNK_ROWS):
                chunk = pd.DataFrame(
                    {
                        name: col[start : start + CSV_CHUNK_ROWS]
                        for name, col in zip(columns, values, strict=True)
                    }
                )
                buffer = io.StringIO()
                chunk.to_csv(buffer, header=False, index=False)
                copy.write(buffer.getvalue())
    else:
        cursor = raw.cursor()
        placeholders = ", ".join("?" * len(columns))
        cursor.executemany(
            f'INSERT INTO "{table}" ({column_list}) VALUES ({placeholders})',
            zip(*(col.tolist() for col in values), strict=True),
        )
        cursor.close()
    return len(frame)


def _db_values(values: np.ndarray, column_type: object) -> np.ndarray:
    """One column as the driver wants it: dates/datetimes as SQLAlchemy's text format, NULL as None."""
    if isinstance(column_type, DateTime):
        return _format_seconds(values)
    if isinstance(column_type, Date):
        return _format_days(values)
    if isinstance(column_type, Boolean):
        return values.astype(np.int8)
    if isinstance(column_type, Numeric) and values.dtype.kind == "f":
        values = np.round(values, 2)
    if isinstance(column_type, Integer) and values.dtype.kind == "f":
        missing = np.isnan(values)
        if not missing.any():
            return values.astype(np.int64)
        out = np.where(missing, 0, values).astype(np.int64).astype(object)
        out[missing] = None
        return out
    if values.dtype.kind in "fOU":
        return _nulls_as_none(values)
    return values


def _nulls_as_none(values: np.ndarray) -> np.ndarray:
    """An object array with every missing value as None."""
    out = np.asarray(values, dtype=object)
    missing = pd.isna(out)
    if missing.any():
        out = out.copy()
        out[missing] = None
    return out


def _day_strings(days: np.ndarray) -> tuple[np.ndarray, int]:
    """'YYYY-MM-DD' for every day between the smallest and largest day, and the smallest day."""
    low = int(days.min())
    table = np.datetime_as_string(np.arange(low, int(days.max()) + 1).astype("datetime64[D]")).astype(object)
    return table, low


def _format_days(values: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01, NaN for NULL) as 'YYYY-MM-DD'."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    days = np.where(missing, 0 if missing.all() else np.nanmin(values), values).astype(np.int64)
    table, low = _day_strings(days)
    out = table[days - low]
    out[missing] = None
    return out


_TIMES_OF_DAY = np.array(
    [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000" for s in range(DAY_SECONDS)], dtype=object
)


def _format_seconds(values: np.ndarray) -> np.ndarray:
    """Seconds since 1970 (NaN for NULL) as SQLAlchemy's 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    seconds = np.where(missing, 0 if missing.all() else np.nanmin(values), values).astype(np.int64)
    days, of_day = np.divmod(seconds, DAY_SECONDS)
    table, low = _day_strings(days)
    out = table[days - low] + _TIMES_OF_DAY[of_day]
    out[missing] = None
    return out
