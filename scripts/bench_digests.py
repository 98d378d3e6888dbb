"""Benchmark the digests: 1,000 users' daily digests rendered and handed to a local SMTP server (aiosmtpd).

    python -m scripts.bench_digests              # a temporary SQLite database
    python -m scripts.bench_digests --postgres   # a scratch PostgreSQL database (dropped at the end)

Each user owns 2 accounts, has 4 open tasks (1 overdue, 2 created in the last day, 1 older) and one of their
accounts entered the at-risk band in the last scored week; every digest goes through the ledger (claim,
sending, send, mark). Prints figures against the target; it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, insert

from core import health
from db import digests, mail, migrate, scratch
from db.engine import make_engine
from db.models import Account, DigestPreference, HealthSnapshot, Task, User
from scripts.bench_health import verdict
from tests.mail_servers import smtp_server

USERS = 1_000
TARGET_S = 60.0
# Monday 7 December 2026 08:00 UTC; the last scored week is that of 30 November.
MOMENT = dt.datetime(2026, 12, 7, 8, 0)
WEEK = dt.date(2026, 11, 30)


def build(engine: Engine) -> None:
    """USERS account managers with a daily digest, 2 accounts and 4 open tasks each; one account each entered
    the at-risk band (all dimensions 80 the week before, 40 in WEEK). Stays long: one insert per table, the
    benchmark's whole data set readable in one place."""
    migrate.upgrade(engine)
    users = range(1, USERS + 1)
    accounts = range(1, 2 * USERS + 1)
    owner = {account: (account - 1) // 2 + 1 for account in accounts}
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                dict(
                    id=u,
                    username=f"am{u}",
                    name=f"Account Manager {u}",
                    email=f"am{u}@example.com",
                    password_hash="x",
                    role="account_manager",
                    disabled=False,
                )
                for u in users
            ],
        )
        conn.execute(
            insert(DigestPreference), [dict(user_id=u, frequency="daily", updated_at=MOMENT) for u in users]
        )
        conn.execute(
            insert(Account),
            [
                dict(
                    id=a,
                    external_id=f"ACC-{a}",
                    name=f"Account {a}",
                    owner_id=owner[a],
                    segment="SMB",
                    arr=10_000.0,
                )
                for a in accounts
            ],
        )
        conn.execute(
            insert(HealthSnapshot),
            [
                dict(
                    account_id=a,
                    week_start=week,
                    **{dim: (40.0 if week == WEEK and a % 2 else 80.0) for dim in health.DIMENSIONS},
                    score=40.0 if week == WEEK and a % 2 else 80.0,
                    weights_key="bench",
                    computed_at=MOMENT,
                )
                for a in accounts
                for week in (WEEK - dt.timedelta(days=7), WEEK)
            ],
        )
        created = {0: MOMENT - dt.timedelta(days=9), 1: MOMENT - dt.timedelta(hours=3), 2: MOMENT, 3: MOMENT}
        due = {
            0: dt.date(2026, 12, 2),
            1: dt.date(2026, 12, 10),
            2: dt.date(2026, 12, 12),
            3: dt.date(2026, 12, 20),
        }
        conn.execute(
            insert(Task),
            [
                dict(
                    reason=("at_risk", "score_drop", "renewal_at_risk", "score_drop")[n],
                    subject_kind="account",
                    subject_id=a,
                    account_id=a,
                    owner_id=owner[a],
                    reason_text=f"Score 40 (at risk below 60); step {n + 1}.",
                    due_on=due[n],
                    status="open",
                    created_at=created[n] - dt.timedelta(days=30 * (n == 3)),
                )
                for a in accounts
                for n in ((0, 1) if a % 2 else (2, 3))
            ],
        )


def measure(url: str) -> None:
    engine = make_engine(url)
    started = time.perf_counter()
    build(engine)
    built_s = time.perf_counter() - started
    with smtp_server() as inbox:
        target = mail.Destinations(
            mail.SmtpSettings(inbox.host, inbox.port, "none", "digests@example.com"), "http://app", (), {}
        )
        started = time.perf_counter()
        with mail.mailer(target) as sender:
            outcome = digests.send_digests(engine, target, sender, MOMENT)
        send_s = time.perf_counter() - started
        received = len(inbox.messages)
        sizes = [len(message.as_bytes()) for message in inbox.messages]
        first = inbox.messages[0]["Subject"] if inbox.messages else "—"
    engine.dispose()
    print(
        f"Digests, {USERS:,} users with 4 open tasks each ({engine.dialect.name}); data built in {built_s:.1f} s"
    )
    print(
        f"   read, render, claim, mark sending, hand to SMTP, mark: {send_s:6.1f} s  (target ≤ {TARGET_S:g} s: "
        f"{verdict(send_s <= TARGET_S)}) — {outcome}; {received:,} received, "
        f"{sum(sizes) / max(len(sizes), 1) / 1024:.1f} KiB each, {received / send_s:.0f} digests/s",
        flush=True,
    )
    print(f"   the first: {first}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="a scratch PostgreSQL database")
    args = parser.parse_args()
    if args.postgres:
        url = scratch.create_database()
        try:
            measure(url)
        finally:
            scratch.drop_database(url)
        return
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{Path(folder) / 'bench.db'}")


if __name__ == "__main__":
    main()
