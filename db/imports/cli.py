"""The command line of imports and exports.

python -m db.imports ENTITY FILE [--map "File column=field" ...] [--url URL] [--problems out.csv]
python -m db.imports export TABLE FILE [--url URL]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from core import export, imports
from db import migrate
from db.engine import make_engine
from db.imports import TABLES, export_table, run_import
from db.users import OPERATOR

PROBLEMS_SHOWN = 20


def _mapping(columns: list[str], entity: str, overrides: list[str]) -> dict[str, str | None]:
    """The automatic mapping with each 'File column=field' (or 'File column=' to ignore it) applied."""
    mapping = imports.auto_map(columns, entity)
    for override in overrides:
        column, separator, field = override.rpartition("=")
        if not separator or column not in mapping:
            raise ValueError(f"--map '{override}': the file has no column '{column or override}'.")
        mapping[column] = field.strip() or None
    return mapping


def _print_problems(problems: pd.DataFrame, path: str | None) -> None:
    print(f"Nothing was imported: {len(problems):,} problem{'s' * (len(problems) != 1)}.")
    for problem in problems.head(PROBLEMS_SHOWN).itertuples(index=False):
        where = f"row {problem.row}" if problem.row else "file"
        value = f" '{problem.value}'" if problem.value else ""
        print(f"  {where}, {problem.column}{value}: {problem.problem}")
    if len(problems) > PROBLEMS_SHOWN:
        more = len(problems) - PROBLEMS_SHOWN
        print(f"  … and {more:,} more" + (f" (all in {path})" if path else " (--problems FILE lists all)"))
    if path:
        Path(path).write_bytes(export.to_csv(problems))


def _export_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.imports export", description="Export a table to CSV.")
    parser.add_argument("table", choices=TABLES)
    parser.add_argument("file")
    parser.add_argument("--url", help="SQLAlchemy URL (default: DATABASE_URL or the demo database)")
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    Path(args.file).write_bytes(export_table(engine, args.table))
    engine.dispose()
    print(f"Exported {args.table} to {args.file}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Import a file (exit 0 stored, 1 problems, 2 unreadable file or bad arguments) or export a table."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["export"]:
        return _export_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m db.imports", description="Import a CSV or Excel file.")
    parser.add_argument("entity", choices=list(imports.ENTITIES))
    parser.add_argument("file")
    parser.add_argument("--map", action="append", default=[], metavar="'File column=field'")
    parser.add_argument("--url", help="SQLAlchemy URL (default: DATABASE_URL or the demo database)")
    parser.add_argument("--problems", metavar="out.csv", help="write every problem to this CSV file")
    args = parser.parse_args(argv)
    try:
        data = Path(args.file).read_bytes()
        frame = imports.read_table(data, args.file)
        mapping = _mapping(list(frame.columns), args.entity, args.map)
    except (OSError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    engine = make_engine(args.url)
    migrate.upgrade(engine)

    def report(done: int, total: int) -> None:
        print(f"{args.entity}: {done:,} of {total:,} rows stored", file=sys.stderr, flush=True)

    try:
        result = run_import(engine, OPERATOR, data, Path(args.file).name, args.entity, mapping, report)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if not result.problems.empty:
        _print_problems(result.problems, args.problems)
        return 1
    print(
        f"Imported {result.rows:,} {args.entity} rows from {args.file}: {result.inserted:,} inserted, "
        f"{result.updated:,} updated, {result.unchanged:,} unchanged."
    )
    return 0
