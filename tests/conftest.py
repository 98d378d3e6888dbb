"""Fixtures that build small real databases: SQLite files and throwaway PostgreSQL databases."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from db import migrate, scratch
from db.engine import make_engine


def require_postgres() -> None:
    """Skip without a PostgreSQL server, except in CI where its absence is a failure."""
    if not scratch.postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {scratch.POSTGRES_SERVER}")
        pytest.skip(f"PostgreSQL is not reachable at {scratch.POSTGRES_SERVER}")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    require_postgres()
    url = scratch.create_database()
    try:
        yield url
    finally:
        scratch.drop_database(url)


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    """A migrated, empty database on each backend."""
    database = make_engine(database_url)
    migrate.upgrade(database)
    yield database
    database.dispose()
