"""The assets and references family's reads (db/reads/assets.py) on SQLite and PostgreSQL."""

import datetime as dt

from db.reads import assets as asset_reads
from tests.db.factories import build_book


def test_open_reference_requests(engine):
    build_book(engine)
    requests = asset_reads.open_reference_requests(engine)
    assert requests["prospect"].tolist() == ["Prospect A"]
    assert requests["needed_by"].iloc[0] == dt.datetime(2026, 11, 12, 9)
