"""Throwaway PostgreSQL databases for tests and benchmarks."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, text

POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _admin():
    return create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")


def postgres_reachable() -> bool:
    try:
        with _admin().connect():
            return True
    except Exception:
        return False


def create_database(prefix: str = "advocacy_scratch", template: str | None = None) -> str:
    """A fresh database on the PostgreSQL server, empty or a copy of the template database's URL (which
    nobody may be connected to); returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    admin.dispose()
    return f"{POSTGRES_SERVER}/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def rename_database(url: str) -> str:
    """The database at url (which nobody may be connected to) under a new random name; returns its new URL."""
    name = url.rsplit("/", 1)[1]
    new_name = f"{name.rsplit('_', 1)[0]}_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" RENAME TO "{new_name}"'))
    admin.dispose()
    return f"{POSTGRES_SERVER}/{new_name}"
