"""Time the demo generator on fresh SQLite files (and optionally PostgreSQL).

python -m scripts.bench_demo [--postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time

from sqlalchemy import Engine

from db import demo, migrate, scratch
from db.engine import make_engine

AS_OF = dt.date(2026, 11, 18)


def run(engine: Engine, label: str, accounts: int, seed: int) -> float:
    """Generate into an empty schema on engine; print the elapsed time and counts."""
    migrate.upgrade(engine)
    started = time.perf_counter()
    counts = demo.generate(engine, accounts=accounts, seed=seed, as_of=AS_OF)
    elapsed = time.perf_counter() - started
    print(f"\n{label}: {accounts:,} accounts in {elapsed:.1f} s ({sum(counts.values()):,} rows)")
    for table, rows in counts.items():
        print(f"  {table:24} {rows:>10,}")
    return elapsed


def main() -> None:
    """Bench 10,000 and 50,000 accounts on SQLite, and with --postgres on a scratch PostgreSQL database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres", action="store_true", help="also bench a scratch database on the local PostgreSQL"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            engine = make_engine(f"sqlite:///{folder}/bench_{size}.db")
            run(engine, "SQLite", size, args.seed)
            engine.dispose()
    if args.postgres:
        for size in args.sizes:
            url = scratch.create_database("advocacy_bench")
            engine = make_engine(url)
            try:
                run(engine, "PostgreSQL", size, args.seed)
            finally:
                engine.dispose()
                scratch.drop_database(url)


if __name__ == "__main__":
    main()
