"""The command line of imports and exports.

python -m db.imports KIND FILE [--check] [--profile NAME] [--map "File column=field"] [--value "field:file=app"]
                     [--set field=value] [--save-profile NAME] [--churn-from-subscriptions] [--url URL]
                     [--problems out.csv]
python -m db.imports export TABLE FILE [--url URL]

Exit codes: 0 stored (or, with --check, would store), 1 problems (nothing stored), 2 unreadable file or
bad arguments. Text from the file is printed with its control characters shown as '?'.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from core import export, imports
from db import logs, migrate, service
from db.engine import make_engine
from db.imports import TABLES, ImportResult, export_table, profiles, run_import
from db.users import OPERATOR

PROBLEMS_SHOWN = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(value: object) -> str:
    """Text from a file as a terminal may show it: control, escape and bidirectional characters as '?'."""
    return _CONTROL.sub("?", str(value))


def _pair(option: str, argument: str, separator: str = "=") -> tuple[str, str]:
    left, found, right = argument.rpartition(separator)
    if not found or not left.strip():
        raise ValueError(f"{option} '{argument}': write it as LEFT{separator}RIGHT.")
    return left, right


def build_mapping(
    columns: list[str],
    entity: str,
    profile: imports.Mapping | None,
    maps: list[str],
    values: list[str],
    constants: list[str],
) -> imports.Mapping:
    """The automatic (or the profile's) mapping with every --map, --value and --set applied."""
    base = (
        imports.auto_map(columns, entity)
        if profile is None
        else imports.with_profile(columns, entity, profile)
    )
    chosen, attributes = dict(base.columns), dict(base.attributes)
    for argument in maps:
        column, field = _pair("--map", argument)
        if column not in chosen:
            raise ValueError(f"--map '{argument}': the file has no column '{column}'.")
        chosen[column] = field.strip() or None
        attributes.pop(column, None)
    translated = {name: dict(pairs) for name, pairs in base.values.items()}
    for argument in values:
        field, _, pair = argument.partition(":")
        file_value, app_value = _pair("--value", pair)
        translated.setdefault(field.strip(), {})[file_value.strip()] = app_value.strip()
    fixed = dict(base.constants)
    for argument in constants:
        field, value = _pair("--set", argument)
        fixed[field.strip()] = value.strip()
    return imports.Mapping(chosen, translated, fixed, attributes)


def print_mapping(
    frame: pd.DataFrame,
    entity: str,
    mapping: imports.Mapping,
    by_hand: set[str],
    suggested: dict[str, dict[str, str]],
) -> None:
    """Which column feeds which field (matched by name or chosen), which are ignored, kept or constant, and
    which file values mean which app values (given, or suggested: --value overrides a suggestion)."""
    spec = imports.entity_spec(entity)
    print("Columns:")
    for column, field in mapping.columns.items():
        if field:
            how = "chosen" if column in by_hand else "matched by name"
            print(f"  {printable(column)} → {spec.field(field).label} ({how})")
        elif column in mapping.attributes:
            print(f"  {printable(column)} → custom attribute '{printable(mapping.attributes[column])}'")
        else:
            print(f"  {printable(column)} → ignored")
    for field, value in mapping.constants.items():
        print(f"  every row: {spec.field(field).label} = {printable(value)}")
    for field, pairs in mapping.values.items():
        for file_value, app_value in pairs.items():
            how = " (suggested)" if file_value in suggested.get(field, {}) else ""
            print(
                f"  value: {spec.field(field).label} '{printable(file_value)}' means '{printable(app_value)}'{how}"
            )


def print_problems(problems: pd.DataFrame, path: str | None) -> None:
    """Problems grouped by column and value, most rows first; every row's problem to path when given."""
    grouped = imports.group_problems(problems)
    print(
        f"Nothing was imported: {len(problems):,} problem{'s' * (len(problems) != 1)} in {len(grouped):,} groups."
    )
    for problem in grouped.head(PROBLEMS_SHOWN).itertuples(index=False):
        value = f" '{printable(problem.value)}'" if problem.value else ""
        where = (
            "the file"
            if problem.first_rows == "0"
            else f"{problem.rows:,} row{'s' * (problem.rows != 1)}, first {problem.first_rows}"
        )
        print(f"  {printable(problem.column)}{value}: {printable(problem.problem)} — {where}")
    if len(grouped) > PROBLEMS_SHOWN:
        print(f"  … and {len(grouped) - PROBLEMS_SHOWN:,} more groups")
    if path:
        Path(path).write_bytes(export.to_csv(problems))
        print(f"Every problem, row by row: {path}")
    elif len(problems) > len(grouped.head(PROBLEMS_SHOWN)):
        print("  (--problems FILE lists every row)")


def _print_result(result: ImportResult, entity: str, file: str, check: bool) -> None:
    for note in result.notes:
        print(f"Note: {printable(note)}.")
    verb = "Would import" if check else "Imported"
    print(
        f"{verb} {result.rows:,} {entity} rows from {printable(file)}: {result.inserted:,} inserted, "
        f"{result.updated:,} updated, {result.unchanged:,} unchanged."
        + (" Nothing was written (--check)." if check else "")
    )


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m db.imports", description="Import a CSV or Excel file.")
    parser.add_argument(
        "entity", choices=list(imports.ENTITIES), metavar="KIND", help=", ".join(imports.ENTITIES)
    )
    parser.add_argument("file")
    parser.add_argument("--check", action="store_true", help="check and report, write nothing")
    parser.add_argument("--profile", metavar="NAME", help="start from a saved import profile")
    parser.add_argument("--map", action="append", default=[], metavar="'File column=field'")
    parser.add_argument("--value", action="append", default=[], metavar="'field:file value=app value'")
    parser.add_argument(
        "--set", action="append", default=[], metavar="field=value", help="one value for every row"
    )
    parser.add_argument("--save-profile", metavar="NAME", help="save the mapping used as an import profile")
    parser.add_argument(
        "--churn-from-subscriptions",
        action="store_true",
        help="subscriptions: add a churn event where coverage ended without a renewal",
    )
    parser.add_argument("--url", help="SQLAlchemy URL (default: DATABASE_URL or the demo database)")
    parser.add_argument(
        "--problems", metavar="out.csv", help="write every problem, row by row, to this CSV file"
    )
    return parser


def _profile(engine: Engine, name: str | None, entity: str) -> imports.Mapping | None:
    """The saved import profile called name (None: no profile); refused when it is for another entity."""
    if not name:
        return None
    saved_for, profile = profiles.load(engine, name)
    if saved_for != entity:
        raise ValueError(f"The profile '{name}' is for {saved_for} files, not {entity}.")
    return profile


def _mapping(
    frame: pd.DataFrame, args: argparse.Namespace, profile: imports.Mapping | None
) -> imports.Mapping:
    """The mapping from the profile, --map, --value and --set, with suggestions for what they leave open;
    printed with which columns were mapped by hand and which suggested."""
    mapping = build_mapping(list(frame.columns), args.entity, profile, args.map, args.value, args.set)
    mapping, suggested = imports.with_suggestions(frame, args.entity, mapping)
    by_hand = {column for column, _ in (_pair("--map", m) for m in args.map)} | set(
        profile.columns if profile else ()
    )
    print_mapping(frame, args.entity, mapping, by_hand, suggested)
    return mapping


def main(argv: list[str] | None = None) -> int:
    """Import a file (exit 0 stored, 1 problems, 2 unreadable file or bad arguments) or export a table."""
    logs.configure()
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["export"]:
        return _export_main(argv[1:])
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    print(f"Reading {printable(args.file)} …", file=sys.stderr, flush=True)
    engine = make_engine(args.url)
    try:
        migrate.upgrade(engine)
        profile = _profile(engine, args.profile, args.entity)
        # Read from disk a block at a time: a usage log of millions of events is never held whole.
        source = Path(args.file)
        # A usage-event log may hold millions of rows: its first block shows the columns.
        frame = (
            next(imports.read_chunks(source, args.file))
            if args.entity == "usage_events"
            else imports.read_table(source, args.file)
        )
        mapping = _mapping(frame, args, profile)

        def report(done: int, total: int) -> None:
            print(f"{args.entity}: {done:,} of {total:,} rows stored", file=sys.stderr, flush=True)

        result = run_import(
            engine,
            OPERATOR,
            source,
            source.name,
            args.entity,
            mapping,
            report,
            check_only=args.check,
            churn_from_subscriptions=args.churn_from_subscriptions,
        )
        if not result.problems.empty:
            for note in result.notes:
                print(f"Note: {printable(note)}.")
            print_problems(result.problems, args.problems)
            return 1
        _print_result(result, args.entity, args.file, args.check)
        if args.save_profile:
            profiles.save(engine, OPERATOR, args.save_profile, args.entity, mapping)
            print(f"Saved the mapping as import profile '{printable(args.save_profile)}'.")
    except (OSError, ValueError, service.ValidationError) as error:
        print(printable(error), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"Done in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    return 0
