"""Engine and sessions: SQLite file by default, any SQLAlchemy URL through DATABASE_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "data" / "advocacy.db"


def database_url() -> str:
    """DATABASE_URL when set; otherwise the embedded demo database under data/."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def is_embedded_demo() -> bool:
    """True when no DATABASE_URL is configured: the app runs on its own seeded demo file."""
    return not os.environ.get("DATABASE_URL")


def make_engine(url: str | None = None) -> Engine:
    """An engine for url; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error."""
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        yield session


@contextmanager
def connected(source: Engine | Connection) -> Iterator[Connection]:
    """source itself when it is a connection (a read inside a write's transaction), else a new one from it."""
    if isinstance(source, Connection):
        yield source
    else:
        with source.connect() as connection:
            yield connection
