"""The read side's one executor: dates come back as datetime64 on SQLite (which returns text) and PostgreSQL
(which returns date objects) alike, even without rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from db import reads
from db.engine import transaction
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
