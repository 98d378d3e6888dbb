"""The page's imports run in a worker process (ui/import_worker.py) and behave as if they ran in the server."""

import dataclasses

import pytest

from db import service
from db.users import OPERATOR
from ui import data

ACCOUNTS = b"External id,Name,Industry\nACC-70,Alpha,Retail\nACC-71,Beta,Software\n"


@pytest.fixture
def app_database(engine, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    yield engine


def test_a_worker_import_stores_the_rows_and_reports_progress(app_database):
    calls: list[tuple[int, int]] = []
    result = data.run_import(
        OPERATOR, ACCOUNTS, "accounts.csv", "accounts", None, progress=lambda *call: calls.append(call)
    )
    assert (result.inserted, result.updated, result.unchanged, result.stored) == (2, 0, 0, True)
    assert calls[-1] == (2, 2)
    with app_database.connect() as connection:
        stored = connection.exec_driver_sql("SELECT external_id, name FROM accounts ORDER BY external_id")
        assert [tuple(row) for row in stored] == [("ACC-70", "Alpha"), ("ACC-71", "Beta")]


def test_a_checked_worker_import_writes_nothing(app_database):
    result = data.run_import(OPERATOR, ACCOUNTS, "accounts.csv", "accounts", None, check_only=True)
    assert (result.inserted, result.stored) == (2, False)
    with app_database.connect() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM accounts").scalar() == 0


def test_the_workers_refusals_are_raised_in_the_server(app_database):
    sales = dataclasses.replace(OPERATOR, role="sales")
    with pytest.raises(service.PermissionDenied, match="may not import"):
        data.run_import(sales, ACCOUNTS, "accounts.csv", "accounts", None)
    with pytest.raises(ValueError):
        data.run_import(OPERATOR, b"", "accounts.csv", "accounts", None)


def test_one_worker_serves_the_jobs_and_a_dead_one_is_replaced(app_database):
    data.run_import(OPERATOR, ACCOUNTS, "accounts.csv", "accounts", None, check_only=True)
    first = data._worker.pid
    data.run_import(OPERATOR, ACCOUNTS, "accounts.csv", "accounts", None, check_only=True)
    assert data._worker.pid == first
    data._worker.kill()
    data._worker.wait()
    result = data.run_import(OPERATOR, ACCOUNTS, "accounts.csv", "accounts", None, check_only=True)
    assert result.inserted == 2
    assert data._worker.pid != first
