"""The one bulk writer: many rows straight to the driver, where row by row through SQLAlchemy would cost more
than the work that made them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection


def insert_rows(connection: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """rows (tuples in columns' order, values as the driver takes them) into table, in connection's
    transaction: COPY on PostgreSQL, one executemany on SQLite."""
    names = ", ".join(columns)
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
    finally:
        cursor.close()
