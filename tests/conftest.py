"""Fixtures that build small real databases: SQLite files and throwaway PostgreSQL databases.

The suite runs in parallel: pytest-xdist workers (options in pyproject.toml), each a process with its own
session fixtures; each test goes to whichever worker is free (work stealing: a worker that runs out takes
tests queued for the other), so a module-scoped fixture is built once on each worker that runs tests of its
module, and two browser tests may run at once, one on each worker. What keeps a test parallel-safe and cheap:

- `engine` (with `database_url`): a migrated database of the test's own, once on SQLite and once on
  PostgreSQL. It is a copy of a database each worker migrates once (a file copy on SQLite,
  `CREATE DATABASE … TEMPLATE` on PostgreSQL, emptied and reused after the test rather than dropped), so a
  test pays no migration. `database_url` without `engine` is an empty database, for tests that migrate
  step by step themselves. A module-scoped database takes and gives back its copy through `postgres_copies`.
- `migrated_sqlite(path)` (a function): a migrated SQLite database at path, a copy of the worker's, for
  page and browser tests that build their own database (tests/pages/conftest.py `database_at` uses it).
- `built_once(name, build)`: a file built once per run for all workers under a lock (the browser tests'
  demo database); copy it before writing to it.
- Files go under tmp_path / tmp_path_factory, ports come from `free_port()` (tests/e2e/conftest.py) and
  PostgreSQL names from db/scratch.py (random), so no two workers share any of them.
- Rows are made with tests/builders.py, not copied constructors.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, column, create_engine, insert, inspect, table, text
from sqlalchemy.pool import NullPool

from db import migrate, scratch
from db.engine import make_engine


def pytest_collection_modifyitems(items) -> None:
    """A browser test that fails is run again, twice at most: on a busy machine the login cookie's component
    now and then never writes the cookie (the test then times out waiting for it), and a real failure fails
    all three times."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.flaky(reruns=2))


@pytest.fixture(scope="session", autouse=True)
def components_scanned_once() -> Iterator[None]:
    """Streamlit's installed components, looked for once per worker: AppTest reads the metadata of every
    installed package for each new app (most of a page test's time), where a server does it once at start."""
    from streamlit.components.v2 import manifest_scanner

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            manifest_scanner,
            "scan_component_manifests",
            functools.cache(manifest_scanner.scan_component_manifests),
        )
        yield


def require_postgres() -> None:
    """Skip without a PostgreSQL server, except in CI where its absence is a failure."""
    if not scratch.postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {scratch.POSTGRES_SERVER}")
        pytest.skip(f"PostgreSQL is not reachable at {scratch.POSTGRES_SERVER}")


@functools.cache
def _migrated_sqlite_file() -> Path:
    """This process's migrated SQLite file, made on first use; databases are copies of it."""
    folder = Path(tempfile.mkdtemp(prefix="advocacy-migrated-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    engine = make_engine(f"sqlite:///{folder / 'migrated.db'}")
    migrate.upgrade(engine)
    engine.dispose()  # the last connection out folds the write-ahead log into the file
    return folder / "migrated.db"


def migrated_sqlite(path: Path) -> str:
    """The URL of a new migrated SQLite database at path."""
    shutil.copyfile(_migrated_sqlite_file(), path)
    return f"sqlite:///{path}"


def unflushed(url: str) -> str:
    """url, its database set to commit without waiting for the disk (synchronous_commit off, kept when it is
    renamed): a test's every commit is milliseconds faster, and only a crash of the server could lose the last
    ones."""
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" SET synchronous_commit = off'))
    engine.dispose()
    return url


class PostgresCopies:
    """Databases like a migrated template, one test's at a time. A database a test is done with is emptied
    back to the template's rows and renamed (so no URL is used twice), which takes PostgreSQL a tenth of the
    second or more that dropping and copying take on a busy machine; one that cannot be emptied is dropped."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.free: list[str] = []
        engine = make_engine(template)
        with engine.connect() as connection:
            self.tables = inspect(connection).get_table_names()
            self.rows = {
                name: rows
                for name in self.tables
                if (rows := connection.execute(text(f'SELECT * FROM "{name}"')).mappings().all())
            }
            setvals = connection.execute(
                text(
                    "SELECT format('SELECT setval(%L, %s, %L)', format('%I.%I', schemaname, sequencename), "
                    "COALESCE(last_value, start_value), last_value IS NOT NULL) FROM pg_sequences"
                )
            ).scalars()
            # What empties a copy, in one round trip: its other sessions ended, no foreign-key checks, every
            # table's rows deleted and every sequence set back to the template's.
            self.reset = "; ".join(
                [
                    "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()",
                    "SET LOCAL session_replication_role = replica",
                    *(f'DELETE FROM "{name}"' for name in self.tables),
                    *setvals,
                ]
            )
        engine.dispose()

    def take(self) -> str:
        return self.free.pop() if self.free else unflushed(scratch.create_database(template=self.template))

    def give_back(self, url: str) -> None:
        try:
            self.free.append(self._emptied(url))
        except Exception:
            scratch.drop_database(url)

    def close(self) -> None:
        for url in self.free:
            scratch.drop_database(url)

    def _emptied(self, url: str) -> str:
        """The database at url, with the template's rows and sequences again, under a new name."""
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as connection:
            connection.exec_driver_sql(self.reset)
            for name, rows in self.rows.items():
                connection.execute(insert(table(name, *(column(key) for key in rows[0]))), rows)
        engine.dispose()
        return scratch.rename_database(url)


@pytest.fixture(scope="session")
def postgres_copies() -> Iterator[PostgresCopies]:
    """This worker's migrated PostgreSQL database, never connected to, and the copies made of it."""
    require_postgres()
    template = scratch.create_database("advocacy_template")
    engine = make_engine(template)
    migrate.upgrade(engine)
    engine.dispose()
    copies = PostgresCopies(template)
    yield copies
    copies.close()
    scratch.drop_database(template)


@pytest.fixture(scope="session")
def built_once(tmp_path_factory, worker_id) -> Callable[[str, Callable[[Path], None]], Path]:
    """built_once(name, build): the file build(path) wrote, built by the first worker to ask, once per run."""
    # Workers' temporary folders share a parent that belongs to this run alone.
    root = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent

    def get(name: str, build: Callable[[Path], None]) -> Path:
        path = root / name
        with open(root / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                partial = root / f"{name}.partial"
                build(partial)
                partial.rename(path)
        return path

    return get


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """A database of the test's own, once for SQLite and once for PostgreSQL: migrated when the test also
    uses `engine`, else empty."""
    migrated = "engine" in request.fixturenames
    if request.param == "sqlite":
        if migrated:
            yield migrated_sqlite(tmp_path / "test.db")
        else:
            yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    require_postgres()
    if not migrated:
        url = unflushed(scratch.create_database())
        yield url
        scratch.drop_database(url)
        return
    copies = request.getfixturevalue("postgres_copies")
    url = copies.take()
    yield url
    copies.give_back(url)


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    """A migrated, empty database on each backend."""
    database = make_engine(database_url)
    yield database
    database.dispose()
