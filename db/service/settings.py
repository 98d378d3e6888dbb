"""The admin's writes to the book as a whole: settings, and the scoring run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from core import profiles as profile_rules
from core import settings as settings_rules
from db import scoring
from db.models import Setting, User
from db.reads.settings import stored_profiles
from db.service.base import (
    Actor,
    StaleEdit,
    ValidationError,
    audit,
    now,
    settings_of,
    write,
    write_lock_first,
)

# Settings the sub-scores themselves depend on (weights only recombine them; bands follow from the score).
RESCORING_SETTINGS = {"usage_gap_is_zero"}


def _stale_settings(
    session: Session, current: dict[str, float], read: dict[str, float], keys: list[str]
) -> StaleEdit:
    editors = dict(
        session.execute(
            select(Setting.key, User.username)
            .join(User, User.id == Setting.updated_by)
            .where(Setting.key.in_(keys))
        ).all()
    )
    changed = "; ".join(
        f"{settings_rules.BY_KEY[key].label} was changed to {current[key]:g} by "
        f"{editors.get(key, 'someone else')} since you opened the page (you saw {read[key]:g})"
        for key in keys
    )
    return StaleEdit(f"{changed}. Nothing was saved; the form now shows the current values.", dict(current))


def _valid(values: dict[str, object]) -> dict[str, float]:
    try:
        return {key: settings_rules.validate(key, value) for key, value in values.items()}
    except settings_rules.SettingError as error:
        raise ValidationError(str(error)) from None


def update_settings(
    engine: Engine, actor: Actor, changes: dict[str, object], read: dict[str, float] | None = None
) -> dict[str, float]:
    """Store an admin's new values for several settings at once: all are valid together, or none is stored.

    read holds the values the form showed: a key someone else saved since is refused (StaleEdit) when
    this save would change it again, and left as they saved it when the form left it as it was.
    Settings carry no version: the check is per key, against the values read, under the settings lock.
    Returns the values stored.
    """
    with write(engine, actor, "update_settings") as session:
        write_lock_first(session, text("LOCK TABLE settings IN SHARE ROW EXCLUSIVE MODE"))
        current = settings_of(session)
        numbers, shown = _valid(changes), _valid(read or {})
        stale = [
            key
            for key, number in numbers.items()
            if key in shown and number != shown[key] and shown[key] != current[key] and number != current[key]
        ]
        if stale:
            raise _stale_settings(session, current, shown, stale)
        numbers = {
            key: number
            for key, number in numbers.items()
            if number != current[key] and not (key in shown and number == shown[key])
        }
        try:
            settings_rules.check_consistency({**current, **numbers})
        except settings_rules.SettingError as error:
            raise ValidationError(str(error)) from None
        try:
            # A segment's profile keeps its own values over the new global ones: they must still fit together.
            profile_rules.check({**current, **numbers}, stored_profiles(session.connection()))
        except settings_rules.SettingError as error:
            raise ValidationError(f"Not saved: the new values do not fit a segment's own. {error}") from None
        for key, number in numbers.items():
            row = session.get(Setting, key) or Setting(key=key)
            row.value = f"{number:g}"
            row.updated_at = now()
            row.updated_by = actor.id
            session.add(row)
            audit(session, actor, "update_settings", "setting", key, current[key], number)
        if RESCORING_SETTINGS & set(numbers):
            # Sub-scores read these: every scored week is rescored from the raw data by the next run.
            session.flush()
            scoring.mark_changed(session.connection(), None)
    return numbers


def run_scoring(
    engine: Engine,
    actor: Actor,
    full: bool = False,
    progress: Callable[[int, int, dt.date], None] | None = None,
) -> scoring.RunReport:
    """The scoring run started by an admin: snapshots for every week that needs them. The role and the login
    are checked, and the start audited, before the long run."""
    with write(engine, actor, "run_scoring") as session:
        audit(session, actor, "run_scoring", "health_snapshots", None, None, {"full": full})
    return scoring.score_book(engine, full=full, progress=progress)
