"""Health profiles as stored: each segment's own weights and band thresholds, and the segments accounts have."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine, select

from core import profiles as profile_rules
from db.models import Account, HealthProfile


def stored_profiles(connection: Connection) -> profile_rules.Profiles:
    """segment → {key → value} of every stored profile value (keys a profile may not hold are ignored)."""
    profiles: profile_rules.Profiles = {}
    rows = connection.execute(select(HealthProfile.segment, HealthProfile.key, HealthProfile.value))
    for segment, key, value in rows:
        if key in profile_rules.PROFILE_KEYS:
            profiles.setdefault(segment, {})[key] = float(value)
    return profiles


def load_profiles(engine: Engine) -> profile_rules.Profiles:
    """Every segment's profile: only the values an admin set for it."""
    with engine.connect() as conn:
        return stored_profiles(conn)


def segments(engine: Engine) -> list[str]:
    """The segments accounts have, in name order."""
    with engine.connect() as conn:
        return list(
            conn.scalars(
                select(Account.segment)
                .where(Account.segment.is_not(None))
                .distinct()
                .order_by(Account.segment)
            )
        )


def account_segments(engine: Engine) -> pd.Series:
    """Every account's segment (None when unknown), by account id."""
    with engine.connect() as conn:
        rows = conn.execute(select(Account.id, Account.segment)).all()
    return pd.Series(
        [segment for _, segment in rows],
        index=pd.Index([i for i, _ in rows], name="account_id"),
        dtype=object,
    )
