"""The one bulk writer stores rows as given, in the caller's transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from db import bulk
from db.models import AcquisitionSpend


def spend(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            (row.month, row.channel, float(row.amount))
            for row in conn.execute(
                select(AcquisitionSpend.month, AcquisitionSpend.channel, AcquisitionSpend.amount).order_by(
                    AcquisitionSpend.id
                )
            )
        ]


def test_rows_are_stored_as_given(engine):
    rows = [(1, "2026-01-01", "paid_search", 1200.5), (2, "2026-02-01", "events", 0.0)]
    with engine.begin() as conn:
        bulk.insert_rows(conn, "acquisition_spend", ["id", "month", "channel", "amount"], iter(rows))
    assert spend(engine) == [
        (dt.date(2026, 1, 1), "paid_search", 1200.5),
        (dt.date(2026, 2, 1), "events", 0.0),
    ]


def test_rows_roll_back_with_the_transaction(engine):
    with pytest.raises(RuntimeError), engine.begin() as conn:
        bulk.insert_rows(
            conn, "acquisition_spend", ["month", "channel", "amount"], [("2026-01-01", "events", 5.0)]
        )
        raise RuntimeError("the caller's write failed")
    assert spend(engine) == []
