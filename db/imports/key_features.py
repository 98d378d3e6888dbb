"""The product features whose events count as key-feature events when usage events are added up: set by an
admin (role-checked and audited), read by every usage-events import after."""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert, select

from db import families, service
from db.models import KeyFeature

NAME_LENGTH = 120


def listing(engine: Engine) -> list[str]:
    """The key features, by name."""
    with engine.connect() as connection:
        return list(connection.scalars(select(KeyFeature.name).order_by(KeyFeature.name)))


def save(engine: Engine, actor: service.Actor, names: list[str]) -> list[str]:
    """Replace the key features with names (trimmed; blank ones and repeats in any case ignored, the first
    spelling kept); returns them by name."""
    first = {}
    for name in (name.strip() for name in names):
        if name:
            first.setdefault(name.casefold(), name)
    chosen = sorted(first.values(), key=str.casefold)
    for name in chosen:
        if len(name) > NAME_LENGTH or any(ord(character) < 32 for character in name):
            raise service.ValidationError(
                f"A feature name has at most {NAME_LENGTH} characters and no control characters: '{name[:40]}'."
            )
    with service.write(engine, actor, "import_data", frozenset({families.ACCOUNTS})) as session:
        before = list(session.scalars(select(KeyFeature.name).order_by(KeyFeature.name)))
        session.execute(delete(KeyFeature))
        if chosen:
            session.execute(insert(KeyFeature), [{"name": name} for name in chosen])
        service.audit(session, actor, "set_key_features", "key_features", None, before, chosen)
    return chosen
