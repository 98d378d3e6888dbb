"""The architecture README.md states, checked on every run: the import layering, and migrations that build
exactly the schema of the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from importlinter import cli
from sqlalchemy import VARCHAR, String

from db.models import Base

CONTRACTS = Path(__file__).resolve().parent.parent / ".importlinter"


def test_imports_keep_the_layering():
    # The contracts in .importlinter: pages -> ui -> db -> core; core without streamlit, sqlalchemy or
    # alembic; db without streamlit. On failure the captured report names each import and its line.
    assert cli.lint_imports(config_filename=str(CONTRACTS), no_cache=True, no_logo=True) == 0


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
