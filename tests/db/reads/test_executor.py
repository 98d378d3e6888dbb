"""The read side's one executor: dates come back as datetime64 on SQLite (which returns text) and PostgreSQL
(which returns date objects) alike, even without rows."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from db import reads
from db.engine import transaction
from db.models import User
from db.reads import accounts as account_reads
from tests.db.factories import account, add_user


def test_dates_are_datetime64_on_both_databases(engine):
    owner = add_user(engine)
    with transaction(engine) as session:
        session.add(account(1, owner, customer_since=dt.date(2024, 3, 5), renewal_date=None))
    read = account_reads.account(engine, 1)
    assert read["customer_since"] == pd.Timestamp("2024-03-05")
    assert isinstance(read["customer_since"], pd.Timestamp)
    assert pd.isna(read["renewal_date"])

    frame = reads.frame(
        engine,
        "SELECT id, customer_since FROM accounts WHERE id = :id",
        ["customer_since"],
        {"id": 1},
        index="id",
    )
    assert frame["customer_since"].dtype.kind == "M"
    assert frame.loc[1, "customer_since"] == pd.Timestamp("2024-03-05")


def test_no_rows_still_give_datetime64_columns(engine):
    frame = reads.frame(engine, "SELECT customer_since FROM accounts", ["customer_since"])
    assert frame.empty and frame["customer_since"].dtype.kind == "M"


def test_a_read_inside_a_transaction_sees_its_rows(engine):
    owner = add_user(engine)
    with transaction(engine) as session:
        session.add(account(7, owner, customer_since=dt.date(2025, 1, 2)))
        session.flush()
        frame = reads.frame(session.connection(), "SELECT customer_since FROM accounts", ["customer_since"])
    assert frame["customer_since"].tolist() == [pd.Timestamp("2025-01-02")]


def test_a_core_statement_reads_through_its_column_types(engine):
    add_user(engine)
    stmt = select(User.username, User.disabled, User.created_at, User.sessions_valid_from)
    frame = reads.frame(engine, stmt, ["created_at", "sessions_valid_from"], index="username")
    assert frame["disabled"].dtype == bool
    assert frame["created_at"].dtype.kind == "M" and frame["sessions_valid_from"].dtype.kind == "M"
    assert frame.loc["amy", "disabled"] == False  # noqa: E712 - numpy's bool, not Python's
    assert pd.isna(frame.loc["amy", "sessions_valid_from"])


READS = Path(reads.__file__).parent
BYPASSES = {"read_sql", "read_sql_query", "read_sql_table", "from_records", "cursor", "fetchall", "fetchmany"}


def _frame_reads(tree: ast.Module) -> list[ast.FunctionDef]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.returns and "DataFrame" in ast.unparse(node.returns)
    ]


def test_every_frame_of_the_read_side_comes_from_reads_frame():
    # Only the executor reads rows into a DataFrame; a read returning one hands its SQL to reads.frame
    # (or reads.between or reads.numbers), so its dates are datetime64 on both databases.
    for path in sorted(READS.glob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text())
        used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert not used & BYPASSES, f"{path.name} reads rows itself: {sorted(used & BYPASSES)}"
        for function in _frame_reads(tree):
            calls = {
                node.func.attr
                for node in ast.walk(function)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            }
            assert "execute" not in calls, f"{path.name}: {function.name} builds its frame from conn.execute"
