"""The users and audit family's reads (db/reads/users.py) on SQLite and PostgreSQL."""

import datetime as dt

from db.engine import transaction
from db.models import AuditLog
from db.reads import users as user_reads


def test_an_audit_search_with_control_characters_finds_the_text_around_them(engine):
    with transaction(engine) as conn:
        conn.execute(
            AuditLog.__table__.insert(),
            [
                {
                    "at": dt.datetime(2026, 11, 2),
                    "username": "ada",
                    "action": "change_role",
                    "entity": "user",
                    "entity_id": "7",
                    "before": '{"username": "amy"}',
                    "after": None,
                },
                {
                    "at": dt.datetime(2026, 11, 3),
                    "username": "ada",
                    "action": "change_role",
                    "entity": "user",
                    "entity_id": "8",
                    "before": '{"username": "bob"}',
                    "after": None,
                },
            ],
        )
    rows, total = user_reads.audit_log(engine, user_reads.AuditFilter(text="a\x00m\x1by"), 10)
    assert total == 1
    assert rows["entity_id"].tolist() == ["7"]
