"""What the data coverage panel reads beyond the health score's inputs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Engine, bindparam, text

TICKETED_SQL = text("SELECT DISTINCT account_id FROM tickets WHERE opened_at <= :until").bindparams(
    bindparam("until", type_=DateTime)
)


def ticketed_accounts(engine: Engine, as_of: dt.date) -> set[int]:
    """Accounts with any ticket opened on or before as_of."""
    with engine.connect() as conn:
        return set(conn.scalars(TICKETED_SQL, {"until": dt.datetime.combine(as_of, dt.time.max)}))
