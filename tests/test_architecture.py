"""The architecture README.md states, checked on every run: the import layering, and migrations that build
exactly the schema of the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import VARCHAR, String

from db.models import Base

CONTRACTS = Path(__file__).resolve().parent.parent / ".importlinter"
LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))"
)


def test_imports_keep_the_layering():
    # The contracts in .importlinter: pages -> ui -> db -> core; core without streamlit, sqlalchemy or
    # alembic; db without streamlit. In its own process: import-linter reconfigures logging, which would
    # silence the log tests that run after it.
    result = subprocess.run(
        [sys.executable, "-c", LINT, str(CONTRACTS)],
        capture_output=True,
        text=True,
        cwd=CONTRACTS.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _same_default(context, inspected_column, metadata_column, inspected, metadata, rendered) -> bool | None:
    """Equal defaults once SQLite's reflected wrapping is removed ("('')" is ''); else alembic decides.

    Alembic compares an empty-string default on SQLite as "('')" against "" and reports a change that
    the database does not have (its DDL says DEFAULT '').
    """
    if inspected is None or rendered is None:
        return None
    return False if inspected.strip("()'") == rendered.strip("()'") else None


def _same_type(context, inspected_column, metadata_column, inspected, metadata) -> bool | None:
    """On SQLite a VARCHAR's length is not enforced, so migration 0006 leaves it; else alembic decides."""
    varchars = {type(inspected), type(metadata)} <= {String, VARCHAR}
    return False if context.dialect.name == "sqlite" and varchars else None


def test_migrations_build_the_schema_of_the_models(engine):
    options = {"compare_type": _same_type, "compare_server_default": _same_default}
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts=options), Base.metadata)
    assert differences == []
