"""The write of health profiles: an admin sets or clears a segment's own weights and band thresholds.

Like the settings save (db.service.update_settings): role-checked, validated with the global settings, refused when
someone else changed a value since the form was read, in one transaction, audited value by value."""

from __future__ import annotations

from sqlalchemy import Engine, delete, false, select, text, update
from sqlalchemy.orm import Session

from core import profiles as profile_rules
from core import settings as settings_rules
from db.models import Account, HealthProfile, Setting
from db.reads.settings import stored_profiles
from db.service import Actor, StaleEdit, ValidationError, audit, now, write

ACTION = "update_health_profile"


def _value(key: str, value: object) -> float | None:
    """None (fall back to the global setting) or the number a profile may hold for key."""
    return None if value is None else profile_rules.validate(key, value)


def update_profile(
    engine: Engine,
    actor: Actor,
    segment: str,
    changes: dict[str, object],
    read: dict[str, float | None] | None = None,
) -> dict[str, float | None]:
    """Store an admin's values for one segment's profile at once (None: use the global setting), all valid together
    with the global settings or none stored. read holds what the form showed (None: it followed the global value):
    a key someone else saved since is refused (StaleEdit) when this save would change it again. Returns the values
    stored."""
    with write(engine, actor, ACTION) as session:
        _lock(session)
        known = session.scalars(select(Account.segment).where(Account.segment == segment).limit(1)).first()
        if known is None:
            raise ValidationError(f"No account has the segment '{segment}'.")
        profiles = stored_profiles(session.connection())
        current = {key: profiles.get(segment, {}).get(key) for key in profile_rules.PROFILE_KEYS}
        try:
            numbers = {key: _value(key, value) for key, value in changes.items()}
            shown = {key: _value(key, value) for key, value in (read or {}).items()}
        except settings_rules.SettingError as error:
            raise ValidationError(str(error)) from None
        _refuse_stale(segment, numbers, shown, current)
        numbers = {
            key: number
            for key, number in numbers.items()
            if number != current[key] and not (key in shown and number == shown[key])
        }
        new = {key: value for key, value in {**current, **numbers}.items() if value is not None}
        stored = {key: float(value) for key, value in session.execute(select(Setting.key, Setting.value))}
        try:
            profile_rules.check(settings_rules.resolve(stored), {segment: new})
        except settings_rules.SettingError as error:
            raise ValidationError(str(error)) from None
        _store(session, actor, segment, numbers, current)
    return numbers


def _lock(session: Session) -> None:
    """Hold the write lock on health profiles before reading them, so no save slips in between."""
    if session.get_bind().dialect.name == "sqlite":
        # pysqlite begins the transaction at its first write: take SQLite's write lock before reading.
        session.execute(update(HealthProfile).where(false()).values(value=HealthProfile.value))
    else:
        session.execute(text("LOCK TABLE health_profiles IN SHARE ROW EXCLUSIVE MODE"))


def _refuse_stale(
    segment: str,
    numbers: dict[str, float | None],
    shown: dict[str, float | None],
    current: dict[str, float | None],
) -> None:
    """StaleEdit (with the current values) when a value the form showed was changed since and this save would
    change it again."""
    stale = [
        key
        for key, number in numbers.items()
        if key in shown and number != shown[key] and shown[key] != current[key] and number != current[key]
    ]
    if stale:
        changed = "; ".join(
            f"{settings_rules.BY_KEY[key].label} was changed to "
            f"{'the global value' if current[key] is None else f'{current[key]:g}'} since you opened the page"
            for key in stale
        )
        raise StaleEdit(
            f"{segment} profile: {changed}. Nothing was saved; the form now shows the current values.",
            current,
        )


def _store(
    session: Session,
    actor: Actor,
    segment: str,
    numbers: dict[str, float | None],
    current: dict[str, float | None],
) -> None:
    """Set (or, None, clear) each of the segment's values in numbers, with an audit row each."""
    for key, number in numbers.items():
        if number is None:
            session.execute(
                delete(HealthProfile).where(HealthProfile.segment == segment, HealthProfile.key == key)
            )
        else:
            row = session.get(HealthProfile, (segment, key)) or HealthProfile(segment=segment, key=key)
            row.value = f"{number:g}"
            row.updated_at = now()
            row.updated_by = actor.id
            session.add(row)
        audit(session, actor, ACTION, "health_profile", f"{segment} {key}", current[key], number)
