"""python -m jobs [--once] [--url URL]: the scheduler (see jobs/__init__.py and the README's Scheduled jobs)."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from db import logs, mail, migrate, service
from db.engine import make_engine
from jobs import schedule

log = logging.getLogger("jobs")
PASS_SECONDS = 60


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs", description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="one pass, then exit (run it from cron)")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL, else the embedded demo database)")
    args = parser.parse_args(argv)
    logs.configure()
    log.setLevel(logging.INFO)
    engine = make_engine(args.url)
    migrate.upgrade(engine)
    destinations = mail.configured()
    while True:
        started = time.monotonic()
        try:
            for line in schedule.run_due(engine, destinations, service.now()):
                log.info("%s", line)
        except Exception:
            # The loop outlives a failed pass (the database restarting, say): the next pass tries again.
            log.exception("scheduler pass failed")
            if args.once:
                return 1
        if args.once:
            return 0
        time.sleep(max(0.0, PASS_SECONDS - (time.monotonic() - started)))


if __name__ == "__main__":
    sys.exit(main())
