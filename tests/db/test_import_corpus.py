"""The hostile-input corpus: every file is rejected or accepted as the import rules say, on both backends.

tests/import_corpus/manifest.csv lists each file with what the rules expect of it; a rejection must leave
every table exactly as it was, an acceptance must store the rows (payloads verbatim) and a re-import of it
must change nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, func, select

from core.imports import ImportFileError, reading
from db import demo
from db.engine import make_engine, transaction
from db.imports import ENTITY_TABLES, ImportResult, run_import
from db.models import Base, Referral
from db.service import Actor, PermissionDenied
from tests.conftest import migrated_sqlite
from tests.db import factories

# The work queue's generation is recorded, not run (tests/db/conftest.py).
pytestmark = pytest.mark.usefixtures("generations")

CORPUS = Path(__file__).resolve().parent.parent / "import_corpus"
with (CORPUS / "manifest.csv").open(encoding="utf-8", newline="") as manifest_file:
    MANIFEST = list(csv.DictReader(manifest_file))

# Tables an accepted import also writes: an asset's industries and products; a new advocate record and its
# first stage for a contact that outreach or a referral names.
SIDE_TABLES = {
    "accounts": {"custom_attributes", "account_attributes"},
    "assets": {"asset_industries", "asset_products"},
    "outreach": {"advocates", "advocate_stage_changes"},
    "referrals": {"advocates", "advocate_stage_changes"},
}
# An accepted import may append its own audit row; the data itself must not move on a re-import.
AUDIT_TABLE = "audit_log"
# Accounts with no usage yet, so the generated 50,000-row file only inserts.
SPARE_ACCOUNTS = range(101, 201)
GENERATED_WEEKS = 500


@dataclass
class Book:
    """The module's database on one backend and the admin who imports."""

    engine: Engine
    admin: Actor
    marketer: Actor
    tables: MetaData


def seed(engine: Engine) -> Book:
    """build_references (ACC-1..3, CON-1/2, advocates 1/2, user amy) plus an admin, REF-1 and spare accounts."""
    owner = factories.build_references(engine)
    admin_id = factories.add_user(engine, "ada", "admin")
    marketer_id = factories.add_user(engine, "mo", "marketing")
    with transaction(engine) as session:
        session.add(
            Referral(
                code="REF-1",
                advocate_id=1,
                referred_company="Prospect Co",
                campaign="spring",
                created_on=dt.date(2025, 1, 1),
            )
        )
        session.add_all(factories.account(number, owner) for number in SPARE_ACCOUNTS)
    demo.reset_sequences(engine)  # the factories insert explicit ids, which PostgreSQL's sequences do not see
    return Book(
        engine=engine,
        admin=Actor(id=admin_id, username="ada", name="Ada", role="admin"),
        marketer=Actor(id=marketer_id, username="mo", name="Mo", role="marketing"),
        tables=Base.metadata,
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def book(request, tmp_path_factory) -> Iterator[Book]:
    """One seeded database per backend for the whole module: the corpus files never collide on keys."""
    if request.param == "sqlite":
        url = migrated_sqlite(tmp_path_factory.mktemp("corpus") / "corpus.db")
    else:
        copies = request.getfixturevalue("postgres_copies")
        url = copies.take()
    engine = make_engine(url)
    try:
        yield seed(engine)
    finally:
        engine.dispose()
        if request.param == "postgresql":
            copies.give_back(url)


def snapshot(book: Book) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of the sorted rows of every table in the database."""
    state = {}
    with book.engine.connect() as connection:
        for name, table in book.tables.tables.items():
            rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            state[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


def changed_tables(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    """Names of the tables whose rows differ between two snapshots."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def import_file(book: Book, data: bytes, filename: str, entity: str) -> ImportResult:
    """Import as the module's admin, with the engine's automatic column mapping."""
    return run_import(book.engine, book.admin, data, filename, entity)


def file_rows(data: bytes) -> list[dict[str, str]]:
    """The rows of a comma-separated corpus file as the test reads it, independently of the engine."""
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    text = data.decode("utf-16") if utf16 else data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader)]
    return [dict(zip(header, row, strict=True)) for row in reader]


def stored_texts(book: Book, table_name: str, column: str, keys: list[str]) -> dict[str, str]:
    """External id → the stored value of column, for the rows with those external ids."""
    table = book.tables.tables[table_name]
    query = select(table.c.external_id, table.c[column]).where(table.c.external_id.in_(keys))
    with book.engine.connect() as connection:
        return dict(connection.execute(query).all())


def count(book: Book, table_name: str) -> int:
    """Rows in a table."""
    with book.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(book.tables.tables[table_name]))


def check_rejected(book: Book, entry: dict[str, str], data: bytes, generations: list[Engine]) -> None:
    """The file is refused with the manifest's message or first problem, no table moves and the work queue
    is not regenerated."""
    before = snapshot(book)
    if entry["message"]:
        with pytest.raises(ImportFileError) as refused:
            import_file(book, data, entry["file"], entry["entity"])
        message = str(refused.value)
        assert entry["message"].lower() in message.lower(), message
        assert "\n" not in message.strip() and "Traceback" not in message, message
    else:
        result = import_file(book, data, entry["file"], entry["entity"])
        problems = result.problems
        assert list(problems.columns[:4]) == ["row", "column", "value", "problem"]
        assert not problems.empty, f"{entry['file']} was accepted: {result}"
        first = problems.sort_values("row", kind="stable").iloc[0]
        summary = problems.head(10).to_string()
        assert int(first["row"]) == int(entry["row"]), summary
        assert first["column"] == entry["column"], summary
        if entry["value"]:
            assert str(first["value"]) == entry["value"], summary
        assert entry["problem"].lower() in str(first["problem"]).lower(), summary
        if entry["problems"]:
            assert len(problems) == int(entry["problems"]), summary
        assert (result.inserted, result.updated) == (0, 0)
    changed = changed_tables(before, snapshot(book))
    assert changed == [], f"{entry['file']} was rejected but changed {changed}"
    assert generations == []


def check_accepted(book: Book, entry: dict[str, str], data: bytes, generations: list[Engine]) -> None:
    """The file's rows are all stored (payloads exactly as written), the work queue is regenerated, and a
    second import changes nothing."""
    table = ENTITY_TABLES[entry["entity"]]
    rows = int(entry["rows"])
    before = snapshot(book)
    result = import_file(book, data, entry["file"], entry["entity"])
    assert result.problems.empty, result.problems.head(10).to_string()
    assert (result.rows, result.inserted, result.updated) == (rows, rows, 0)
    after = snapshot(book)
    assert after[table][0] - before[table][0] == rows
    allowed = {table, AUDIT_TABLE, *SIDE_TABLES.get(entry["entity"], ())}
    assert set(changed_tables(before, after)) <= allowed
    assert generations == [book.engine]

    if entry["check"]:
        mode, _, column = entry["check"].rpartition(":")
        # An empty optional cell is stored as NULL.
        expected = {
            row["external_id"].strip(): (row[column].strip() if mode == "trimmed" else row[column]) or None
            for row in file_rows(data)
        }
        assert stored_texts(book, table, column, list(expected)) == expected

    again = import_file(book, data, entry["file"], entry["entity"])
    assert again.problems.empty, again.problems.head(10).to_string()
    assert (again.rows, again.inserted, again.updated, again.unchanged) == (rows, 0, 0, rows)
    assert set(changed_tables(after, snapshot(book))) <= {AUDIT_TABLE}
    assert generations == [book.engine]


def check_file(book: Book, entry: dict[str, str], generations: list[Engine]) -> None:
    """Import one corpus file and hold it to its manifest row."""
    data = (CORPUS / entry["file"]).read_bytes()
    if entry["expected"] == "rejected":
        check_rejected(book, entry, data, generations)
    else:
        check_accepted(book, entry, data, generations)


@pytest.mark.parametrize("entry", MANIFEST, ids=[entry["file"] for entry in MANIFEST])
def test_corpus_file(book, entry, generations):
    check_file(book, entry, generations)


def test_only_admins_import(book):
    data = (CORPUS / "accounts_valid.csv").read_bytes()
    before = snapshot(book)
    with pytest.raises(PermissionDenied):
        run_import(book.engine, book.marketer, data, "accounts_valid.csv", "accounts")
    assert changed_tables(before, snapshot(book)) == []


def usage_csv(accounts: range, weeks: int, first_week: dt.date) -> bytes:
    """A valid usage file: every account in accounts for weeks consecutive weeks from first_week."""
    lines = ["account,week_start,active_users,logins,key_feature_events,seats_used"]
    mondays = [(first_week + dt.timedelta(weeks=week)).isoformat() for week in range(weeks)]
    lines += [f"ACC-{number},{monday},7,30,12,9" for number in accounts for monday in mondays]
    return ("\n".join(lines) + "\n").encode()


def test_more_rows_than_the_limit_are_refused(book, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 100)
    data = usage_csv(range(1, 2), 101, dt.date(2015, 1, 5))
    before = snapshot(book)
    with pytest.raises(ImportFileError, match="100"):
        import_file(book, data, "too_many_rows.csv", "usage")
    assert changed_tables(before, snapshot(book)) == []


def test_fifty_thousand_usage_rows_are_stored_once(engine):
    # A database of its own: in the module's, every later snapshot would read and hash these 50,000 rows.
    book = seed(engine)
    data = usage_csv(SPARE_ACCOUNTS, GENERATED_WEEKS, dt.date(2010, 1, 4))
    rows = len(SPARE_ACCOUNTS) * GENERATED_WEEKS
    assert rows == 50_000
    before = count(book, "usage_weekly")
    result = import_file(book, data, "usage_50k.csv", "usage")
    assert result.problems.empty, result.problems.head(10).to_string()
    assert (result.rows, result.inserted, result.updated) == (rows, rows, 0)
    assert count(book, "usage_weekly") == before + rows
    again = import_file(book, data, "usage_50k.csv", "usage")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, rows)
    assert count(book, "usage_weekly") == before + rows


def test_the_manifest_holds_every_corpus_file_each_to_be_rejected_or_accepted():
    # Each file is then held to its row by test_corpus_file, on each backend.
    assert len(MANIFEST) >= 50
    assert {entry["expected"] for entry in MANIFEST} == {"rejected", "accepted"}
    files = sorted(path.name for path in CORPUS.iterdir() if path.name != "manifest.csv")
    assert sorted(entry["file"] for entry in MANIFEST) == files
