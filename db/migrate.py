"""Schema migrations (Alembic), safe to run from several app replicas at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, func, insert, select, text

from core import settings as settings_rules
from db.models import Account, Setting

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant works; replicas only need to agree on it.
PG_LOCK_ID = 4_821_337


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; replicas serialise on an advisory lock."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": PG_LOCK_ID})
        command.upgrade(alembic_config(connection), "head")
        _seed_default_settings(connection)


def _seed_default_settings(connection: Connection) -> None:
    """Store the brief's default for every setting not stored yet, so admins see them all."""
    stored = set(connection.scalars(select(Setting.key)))
    missing = [
        {"key": key, "value": f"{value:g}"}
        for key, value in settings_rules.DEFAULTS.items()
        if key not in stored
    ]
    if missing:
        connection.execute(insert(Setting), missing)


def prepare(engine: Engine, demo: bool, progress: Callable[[str, float], None] | None = None) -> None:
    """Migrate; on the embedded demo database also fill an empty file with demo data and score it, telling
    progress (a sentence and the share done, 0–1) what it is doing while it does."""
    upgrade(engine)
    if demo:
        with engine.connect() as connection:
            empty = connection.scalar(select(func.count()).select_from(Account)) == 0
        if empty:
            from db import demo as demo_data
            from db import scoring
            from db.demo.work import seed_task_history

            report = progress or (lambda _message, _share: None)
            report("Writing the demo history of customer accounts…", 0.05)
            demo_data.generate(engine)
            report("Scoring the demo accounts week by week…", 0.15)
            scoring.run(
                engine,
                progress=lambda done, total, week: report(
                    f"Scoring the demo accounts: week of {week:%d %b %Y} ({done:,} of {total:,})…",
                    0.15 + 0.85 * done / total,
                ),
            )
            seed_task_history(engine)
