"""The architecture README.md states, checked on every run: the import layering, migrations that build
exactly the schema of the models, and short functions."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import VARCHAR, String

from db.models import Base

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / ".importlinter"
# The application's code: everything but the tests; the migrations are left out below.
CODE = ("app.py", "core", "db", "jobs", "pages", "scripts", "ui")
LONGEST_FUNCTION = 60
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


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_long_functions_say_why_they_stay_long():
    """A function outside db/migrations and tests/ is at most LONGEST_FUNCTION lines (def to last line), unless
    its docstring says why it is longer with the words "stays long" (as in "Stays long: one measuring script,
    each timing printed right after it is taken.")."""
    files = [ROOT / name for name in CODE if name.endswith(".py")]
    files += [
        path for name in CODE if not name.endswith(".py") for path in sorted((ROOT / name).rglob("*.py"))
    ]
    migrations = ROOT / "db" / "migrations"
    unexplained = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in files
        if migrations not in path.parents
        for node in _functions(path)
        if node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION
        and "stays long" not in " ".join((ast.get_docstring(node) or "").lower().split())
    ]
    assert files
    assert unexplained == []
