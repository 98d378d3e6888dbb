"""The import's command line (python -m db.imports): exit codes, the problems file, export, a process killed
midway, and what it prints of a hostile file."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd

from db.engine import ROOT
from db.imports import cli
from tests.db.test_imports import FILES, book, counts, rows, usage_file

__all__ = ["book"]  # the fixture, shared with test_imports


def test_command_line_exit_codes(engine, book, database_url, tmp_path, capsys):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(FILES["accounts"].replace("Owner", "Account manager"))
    code = cli.main(["accounts", str(accounts), "--url", database_url, "--map", "Account manager=owner"])
    output = capsys.readouterr()
    assert code == 0
    assert output.out.splitlines() == [
        "Columns:",
        "  External id → External id (matched by name)",
        "  Name → Name (matched by name)",
        "  Industry → Industry (matched by name)",
        "  Segment → Segment (matched by name)",
        "  Region → Region (matched by name)",
        "  Product → Product (matched by name)",
        "  Employees → Employees (matched by name)",
        "  ARR → ARR (matched by name)",
        "  Seats purchased → Seats purchased (matched by name)",
        "  Customer since → Customer since (matched by name)",
        "  Renewal date → Renewal date (matched by name)",
        "  Account manager → Owner (chosen)",
        f"Imported 2 accounts rows from {accounts}: 2 inserted, 0 updated, 0 unchanged.",
    ]
    assert output.err.splitlines()[1] == "accounts: 2 of 2 rows stored"
    assert rows(engine, "SELECT owner_id FROM accounts WHERE external_id = 'ACC-10'") == [(book,)]

    bad = tmp_path / "usage.csv"
    bad.write_text(
        usage_file(
            *(f"ACC-{999 + n % 2},2026-11-16,1,1,1,{n}" for n in range(25)), "ACC-1,2026-11-17,1,1,1,1"
        )
    )
    problems = tmp_path / "problems.csv"
    assert cli.main(["usage", str(bad), "--url", database_url, "--problems", str(problems)]) == 1
    printed = capsys.readouterr().out.splitlines()
    assert printed[-5:] == [
        "Nothing was imported: 26 problems in 3 groups.",
        "  account 'ACC-999': account 'ACC-999' does not exist — 13 rows, first 2, 4, 6",
        "  account 'ACC-1000': account 'ACC-1000' does not exist — 12 rows, first 3, 5, 7",
        "  week_start '2026-11-17': a Tuesday; weeks start on Monday (use 2026-11-16) — 1 row, first 27",
        f"Every problem, row by row: {problems}",
    ]
    written = pd.read_csv(problems, encoding="utf-8-sig")
    assert len(written) == 26
    assert list(written.columns) == ["row", "column", "value", "problem"]

    unreadable = tmp_path / "latin.csv"
    unreadable.write_bytes("name\nJosé\n".encode("latin-1"))
    assert cli.main(["accounts", str(unreadable), "--url", database_url]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err
    assert cli.main(["accounts", str(tmp_path / "missing.csv"), "--url", database_url]) == 2
    assert cli.main(["accounts", str(accounts), "--url", database_url, "--map", "Nope=owner"]) == 2
    assert "the file has no column 'Nope'" in capsys.readouterr().err

    exported = tmp_path / "out.csv"
    assert cli.main(["export", "accounts", str(exported), "--url", database_url]) == 0
    assert "'=cmd()" in exported.read_text(encoding="utf-8-sig")


KILLER = """
import os, signal, sys
from db import imports
from db.imports import store
from db.engine import make_engine
from db.users import OPERATOR

store.CHUNK_ROWS = 2
engine = make_engine(sys.argv[1])
data = open(sys.argv[2], "rb").read()
imports.run_import(engine, OPERATOR, data, "usage.csv", "usage", progress=lambda done, total: os.kill(os.getpid(), signal.SIGKILL))
"""


def test_a_process_killed_in_the_middle_leaves_no_rows(engine, book, database_url, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text(
        usage_file(*(f"ACC-1,{week},1,1,1,1" for week in ("2027-01-04", "2027-01-11", "2027-01-18")))
    )
    before = counts(engine)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLER), database_url, str(path)],
        cwd=ROOT,
        capture_output=True,
    )
    assert done.returncode == -9, done.stderr.decode()
    engine.dispose()
    assert counts(engine) == before


def test_the_command_line_prints_no_control_characters_from_the_file(
    engine, book, database_url, tmp_path, capsys
):
    path = tmp_path / "usage.csv"
    path.write_text(usage_file("ACC-\x1b]0;pwned\x07,2026-11-16,1,1,1,1"))
    assert cli.main(["usage", str(path), "--url", database_url]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "account 'ACC-?]0;pwned?' does not exist" in out
