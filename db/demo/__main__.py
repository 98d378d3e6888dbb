"""CLI: python -m db.demo [--accounts N] [--seed S] [--as-of YYYY-MM-DD] [--url URL]."""

from __future__ import annotations

import argparse
import datetime as dt
import time

from db import migrate
from db.demo.load import generate
from db.engine import database_url, make_engine


def main(argv: list[str] | None = None) -> None:
    """Migrate the database at --url and fill it with demo data."""
    parser = argparse.ArgumentParser(
        prog="python -m db.demo", description="Fill an empty database with deterministic demo data."
    )
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--url", default=None)
    args = parser.parse_args(argv)
    engine = make_engine(args.url or database_url())
    migrate.upgrade(engine)
    started = time.perf_counter()
    counts = generate(engine, accounts=args.accounts, seed=args.seed, as_of=args.as_of)
    elapsed = time.perf_counter() - started
    for table, rows in counts.items():
        print(f"{table:24} {rows:>10,}")
    print(f"{'total':24} {sum(counts.values()):>10,}  in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
