"""Benchmark the work queue at 50,000 accounts: task generation, and Home (My work) for an account manager
with 500 accounts and 2,000 open tasks.

    python -m scripts.bench_tasks              # a temporary SQLite file
    python -m scripts.bench_tasks --postgres   # a scratch PostgreSQL database (dropped at the end)
    python -m scripts.bench_tasks --url URL    # an existing demo database (it gets a bench user and tasks)

Prints figures against the targets; it asserts nothing. The database is built as scripts/bench_health builds
it (demo generation, the last five weeks scored) in one process, and measured in another.
"""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import delete, insert, select, update

from db import tasks
from db.engine import make_engine, transaction
from db.models import Account, Task, User
from scripts.bench_health import logged_in, measure_from_command_line, timed_run, verdict

TARGET_GENERATION_S = 10.0
TARGET_HOME_S = 1.0
BOOK = 500
REASONS = ("at_risk", "score_drop", "renewal_at_risk", "promoter_ask")  # 4 × 500 accounts = 2,000 tasks


def measure_generation(url: str) -> None:
    engine = make_engine(url)
    started = time.perf_counter()
    first = tasks.generate(engine)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = tasks.generate(engine)
    again_s = time.perf_counter() - started
    engine.dispose()
    print(f"1. Task generation ({engine.dialect.name})")
    print(
        f"   first run (raises the backlog):  {first_s:6.2f} s  (target ≤ {TARGET_GENERATION_S:g} s: "
        f"{verdict(first_s <= TARGET_GENERATION_S)}) — {first.sentence()}"
    )
    print(
        f"   next run (nothing new):          {again_s:6.2f} s  (target ≤ {TARGET_GENERATION_S:g} s: "
        f"{verdict(again_s <= TARGET_GENERATION_S)}) — {again.sentence()}",
        flush=True,
    )


def bench_book(url: str) -> None:
    """User bench_am owns the first 500 accounts, with 2,000 open tasks on them (due over eight weeks)."""
    engine = make_engine(url)
    today = dt.date.today()
    with transaction(engine) as session:
        amy = session.execute(select(User).where(User.username == "amy")).scalar_one()
        # A database given with --url may have its bench user from an earlier run.
        user = session.execute(select(User).where(User.username == "bench_am")).scalar_one_or_none()
        if user is None:
            user = User(
                username="bench_am",
                name="Bench Account Manager",
                email="bench@example.com",
                password_hash=amy.password_hash,
                role="account_manager",
            )
            session.add(user)
            session.flush()
        book = session.scalars(select(Account.id).order_by(Account.id).limit(BOOK)).all()
        session.execute(update(Account).where(Account.id.in_(book)).values(owner_id=user.id))
        session.execute(delete(Task).where(Task.subject_kind == "account", Task.subject_id.in_(book)))
        session.execute(
            insert(Task),
            [
                {
                    "reason": reason,
                    "subject_kind": "account",
                    "subject_id": account_id,
                    "account_id": account_id,
                    "owner_id": user.id,
                    "reason_text": f"Bench task {number} of account {account_id}.",
                    "due_on": today + dt.timedelta(days=number % 56 - 14),
                    "status": "open",
                    "created_at": dt.datetime.now(),
                }
                for number, (account_id, reason) in enumerate(
                    (account_id, reason) for account_id in book for reason in REASONS
                )
            ],
        )
    engine.dispose()


def measure_home(url: str) -> None:
    from db.families import FAMILIES
    from ui import cache

    bench_book(url)
    with logged_in(url, "bench_am") as app:
        login_s = timed_run(app)  # bcrypt check + Home with cold caches
        cache.after_write(FAMILIES)
        cold_s = timed_run(app)
        warm_s = timed_run(app)
        drawn = len(app.dataframe[0].value)
        queued = next(metric.value for metric in app.metric if metric.label == "Open tasks")
    print("2. Home (My work), account manager with 500 accounts and 2,000 open tasks (AppTest)")
    print(f"   login + Home (cold caches, bcrypt included, not a target): {login_s:6.2f} s")
    print(
        f"   Home with cold query caches:  {cold_s:6.2f} s  (target ≤ {TARGET_HOME_S:g} s: "
        f"{verdict(cold_s <= TARGET_HOME_S)}) — {queued} open tasks, the {drawn:,} most urgent drawn"
    )
    print(
        f"   Home rerun (cached):          {warm_s:6.2f} s  (target ≤ {TARGET_HOME_S:g} s: "
        f"{verdict(warm_s <= TARGET_HOME_S)})",
        flush=True,
    )


def measure(url: str, _today: dt.date) -> None:
    measure_generation(url)
    measure_home(url)


if __name__ == "__main__":
    measure_from_command_line(measure, __doc__.splitlines()[0])
