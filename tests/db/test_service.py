import json

import pytest
from sqlalchemy import func, select

from db import queries, service
from db.models import AuditLog, Setting, User
from tests.db.factories import add_user


@pytest.fixture
def admin(engine) -> service.Actor:
    return service.Actor(id=add_user(engine, "ada", "admin"), username="ada", name="Ada", role="admin")


def audit_rows(engine) -> list[AuditLog]:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditLog).order_by(AuditLog.id)))


def test_update_settings_stores_and_audits(engine, admin):
    service.update_settings(engine, admin, {"recircle_days": "60", "max_follow_ups": 3})
    assert queries.load_settings(engine)["recircle_days"] == 60
    rows = audit_rows(engine)
    assert len(rows) == 1  # max_follow_ups did not change
    assert (rows[0].username, rows[0].action, rows[0].entity_id) == (
        "ada",
        "update_settings",
        "recircle_days",
    )
    assert (json.loads(rows[0].before), json.loads(rows[0].after)) == (75, 60)


@pytest.mark.parametrize("role", ["account_manager", "marketing", "sales"])
def test_only_admins_change_settings(engine, role):
    actor = service.Actor(id=add_user(engine, "eve", role), username="eve", name="Eve", role=role)
    with pytest.raises(service.PermissionDenied):
        service.update_settings(engine, actor, {"recircle_days": 60})
    assert queries.load_settings(engine)["recircle_days"] == 75
    assert audit_rows(engine) == []


def test_invalid_settings_change_nothing(engine, admin):
    with pytest.raises(service.ValidationError, match="recircle_days"):
        service.update_settings(engine, admin, {"max_follow_ups": 5, "recircle_days": 9999})
    with pytest.raises(service.ValidationError, match="at-risk below"):
        service.update_settings(engine, admin, {"band_at_risk_below": 90})
    settings = queries.load_settings(engine)
    assert (settings["max_follow_ups"], settings["band_at_risk_below"]) == (3, 60)
    assert audit_rows(engine) == []


def test_reset_is_an_update_to_the_defaults(engine, admin):
    service.update_settings(engine, admin, {"weight_usage": 50})
    service.update_settings(engine, admin, {"weight_usage": 30})
    assert queries.load_settings(engine)["weight_usage"] == 30
    assert [r.after for r in audit_rows(engine)] == ["50.0", "30.0"]


def test_create_user_hashes_password_and_audits(engine, admin):
    user_id = service.create_user(
        engine, admin, "sam.s", "Sam", "sam@example.com", "sales", "a long pass phrase"
    )
    with engine.connect() as conn:
        user = conn.execute(select(User).where(User.id == user_id)).one()
    assert user.role == "sales" and "a long pass phrase" not in user.password_hash
    assert service.bcrypt.checkpw(b"a long pass phrase", user.password_hash.encode())
    assert audit_rows(engine)[-1].action == "create_user"
    assert queries.user_credentials(engine)["username"].tolist() == ["ada", "sam.s"]


@pytest.mark.parametrize(
    ("username", "role", "password", "message"),
    [
        ("ok", "sales", "short", "at least 8"),
        ("ok", "boss", "long enough", "Role 'boss'"),
        ("bad name!", "sales", "long enough", "Username 'bad name!'"),
        ("ada", "sales", "long enough", "already taken"),
        ("Ada", "sales", "long enough", r"'Ada' is already taken \('ada'\)"),
    ],
)
def test_create_user_refusals(engine, admin, username, role, password, message):
    with pytest.raises(service.ValidationError, match=message):
        service.create_user(engine, admin, username, "X", "x@example.com", role, password)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(User)) == 1


def test_default_settings_are_seeded(engine):
    with engine.connect() as conn:
        stored = dict(conn.execute(select(Setting.key, Setting.value)).all())
    assert stored["nps_ask_floor"] == "5" and stored["reference_sla_hours"] == "48"


@pytest.mark.parametrize("role", ["admin", "account_manager", "marketing", "sales"])
def test_log_out_ends_the_users_cookies_and_is_audited(engine, role):
    actor = service.Actor(id=add_user(engine, "eve", role), username="eve", name="Eve", role=role)
    before = service.now()
    service.log_out(engine, actor)
    valid_from = queries.user_credentials(engine).set_index("username").loc["eve", "sessions_valid_from"]
    assert valid_from >= before
    assert [(r.action, r.entity_id) for r in audit_rows(engine)] == [("log_out", str(actor.id))]


def test_account_manager_records_sentiment_for_own_accounts_only(engine):
    from tests.db.factories import build_book

    owner = build_book(engine)  # amy owns accounts 1 and 2; 3 has no owner
    amy = service.Actor(id=owner, username="amy", name="Amy", role="account_manager")
    service.record_sentiment(engine, amy, 1, 2, "  worried about the renewal  ")
    assert queries.health_features(engine, service.now().date(), account_id=1).loc[1, "csm_sentiment"] == 2
    assert audit_rows(engine)[-1].after == '{"sentiment": 2, "note": "worried about the renewal"}'
    with pytest.raises(service.PermissionDenied, match="not in your book"):
        service.record_sentiment(engine, amy, 3, 4, "")
    sam = service.Actor(id=add_user(engine, "sam", "sales"), username="sam", name="Sam", role="sales")
    with pytest.raises(service.PermissionDenied):
        service.record_sentiment(engine, sam, 1, 4, "")
    with pytest.raises(service.ValidationError, match="from 1 to 5"):
        service.record_sentiment(engine, amy, 1, 6, "")
    with pytest.raises(service.ValidationError, match="at most 2000"):
        service.record_sentiment(engine, amy, 1, 3, "x" * 2001)
    with pytest.raises(service.ValidationError, match="Account 99"):
        service.record_sentiment(engine, amy, 99, 3, "")
    assert len(audit_rows(engine)) == 1
