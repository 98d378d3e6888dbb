"""Every table, write and import belongs to data families, and a write changes only the tables of the families
it names: the caches of the other families may keep what they hold (ui/cache.py)."""

from __future__ import annotations

import contextlib
import re

from sqlalchemy import event

from core import roles
from core.imports import ENTITIES
from db import demo, families, service
from db.engine import transaction
from db.imports import store
from db.models import Base, Contact, User
from tests.db.factories import add_user, build_references
from tests.db.test_role_matrix import writes

CHANGE = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)', re.IGNORECASE)
# A lock (claim(), write_lock_first()): an UPDATE that sets a column to itself changes nothing.
LOCK = re.compile(r"SET (\w+)=\w+\.\1 WHERE", re.IGNORECASE)


def family_of(table: str) -> str:
    return next(family for family, tables in families.TABLES.items() if table in tables)


def test_every_table_is_in_exactly_one_family():
    listed = [table for tables in families.TABLES.values() for table in tables]
    assert sorted(listed) == sorted(Base.metadata.tables)
    assert set(families.TABLES) == set(families.FAMILIES)


def test_every_write_and_every_import_names_its_families():
    assert set(families.WRITES) == set(roles.ACTIONS)
    assert set(families.IMPORTS) == set(ENTITIES)
    assert all(families.WRITES.values()) and all(families.IMPORTS.values())


def test_an_import_names_the_family_of_each_table_it_stores():
    for entity, table in store.ENTITY_TABLES.items():
        assert family_of(table) in families.IMPORTS[entity], entity
    for entity in store.ADVOCATE_STAGE:
        assert families.ADVOCATES in families.IMPORTS[entity], entity
    for entity in store.SCORE_INPUTS:  # they mark scored weeks for rescoring
        assert families.SCORES in families.IMPORTS[entity], entity


def test_a_write_outside_the_table_has_no_families():
    with families.recording() as changed, contextlib.suppress(KeyError):
        families.note("paint_the_office")
    assert changed == set()


def test_each_write_changes_only_tables_of_the_families_it_names(engine):
    owner = build_references(engine)
    with transaction(engine) as session:
        session.add(
            Contact(id=3, external_id="CON-3", account_id=1, name="Nia", email="n@a1.example", title="COO")
        )
    demo.reset_sequences(engine)
    victim = add_user(engine, "vic", "sales")
    with transaction(engine) as session:
        session.execute(User.__table__.update().where(User.id == owner).values(role=roles.ADMIN))
    actor = service.Actor(id=owner, username="amy", name="Amy", role=roles.ADMIN)
    statements: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    stored = {}
    try:
        for action, call in writes(engine, victim).items():
            statements.clear()
            with families.recording() as changed, contextlib.suppress(service.ValidationError):
                call(actor)
            tables = {
                match.group(1)
                for statement in statements
                if (match := CHANGE.match(statement)) and not LOCK.search(statement)
            }
            stored[action] = tables
            assert {family_of(table) for table in tables} <= changed, action
            # Nothing noted: refused before its transaction began (and, by the line above, nothing changed).
            if action != "import_data":
                assert changed in (set(), families.WRITES[action] | {families.USERS}), action
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    # The capture sees the writes: a sentiment is stored, an asset edited, a user created.
    assert {"csm_sentiments", "audit_log"} <= stored["record_sentiment"]
    assert "assets" in stored["edit_asset"] and "users" in stored["create_user"]
    assert stored["import_data"] >= {"contacts"}
