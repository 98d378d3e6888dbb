"""Import profiles: a named mapping (columns, values, constants, kept attributes) for one kind of file,
saved by an admin and reused from the page or with --profile NAME. Saving is role-checked and audited."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from core import imports
from db import families, service
from db.models import ImportProfile

NAME_LENGTH = 80


def save(engine: Engine, actor: service.Actor, name: str, entity: str, mapping: imports.Mapping) -> None:
    """Store mapping under name (replacing a profile of that name for the same kind of file)."""
    name = name.strip()
    if not name or len(name) > NAME_LENGTH or any(ord(character) < 32 for character in name):
        raise service.ValidationError(
            f"A profile name has 1 to {NAME_LENGTH} characters and no control characters."
        )
    imports.entity_spec(entity)
    with service.write(engine, actor, "import_data", frozenset({families.SETTINGS})) as session:
        profile = session.scalars(select(ImportProfile).where(ImportProfile.name == name)).one_or_none()
        if profile is not None and profile.entity != entity:
            raise service.ValidationError(
                f"The profile '{name}' is for {imports.ENTITIES[profile.entity].label}; choose another name."
            )
        before = None if profile is None else profile.definition
        if profile is None:
            profile = ImportProfile(name=name, entity=entity)
            session.add(profile)
        profile.definition = mapping.to_json()
        profile.updated_at = service.now()
        profile.updated_by = actor.id
        session.flush()
        service.audit(
            session, actor, "save_import_profile", "import_profile", name, before, profile.definition
        )


def load(engine: Engine, name: str) -> tuple[str, imports.Mapping]:
    """(entity, mapping) of the profile called name, or a ValueError naming the profiles there are."""
    with engine.connect() as connection:
        row = connection.execute(
            select(ImportProfile.entity, ImportProfile.definition).where(ImportProfile.name == name)
        ).one_or_none()
    if row is None:
        names = ", ".join(listing(engine)["name"]) or "none yet"
        raise ValueError(f"There is no import profile '{name}' (profiles: {names}).")
    return row.entity, imports.Mapping.from_json(row.definition)


def listing(engine: Engine, entity: str | None = None) -> pd.DataFrame:
    """The saved profiles (name, entity, updated_at), by name; only those for entity when given."""
    query = select(ImportProfile.name, ImportProfile.entity, ImportProfile.updated_at).order_by(
        ImportProfile.name
    )
    if entity is not None:
        query = query.where(ImportProfile.entity == entity)
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(query).all(), columns=["name", "entity", "updated_at"])
