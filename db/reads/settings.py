"""Reads of the settings family: every setting's value, and the health profiles (each segment's own weights and
band thresholds) as stored."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, select

from core import profiles as profile_rules
from core import settings as settings_rules
from db.models import HealthProfile, Setting


def load_settings(engine: Engine) -> dict[str, float]:
    """Every setting: stored value where an admin set one, the brief's default otherwise."""
    with engine.connect() as conn:
        stored = {key: float(value) for key, value in conn.execute(select(Setting.key, Setting.value))}
    return settings_rules.resolve(stored)


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
