import contextlib
import json

import bcrypt
import pytest
from sqlalchemy import event, func, select

from db import service
from db.models import AuditLog, ReferenceRequest, Setting, User
from db.reads import accounts as account_reads
from db.reads import settings as settings_reads
from db.reads import users as user_reads
from tests.db.factories import add_user, build_book, build_references


@pytest.fixture
def admin(engine) -> service.Actor:
    return service.Actor(id=add_user(engine, "ada", "admin"), username="ada", name="Ada", role="admin")


def audit_rows(engine) -> list[AuditLog]:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditLog).order_by(AuditLog.id)))


def test_update_settings_stores_and_audits(engine, admin):
    service.update_settings(engine, admin, {"recircle_days": "60", "max_follow_ups": 3})
    assert settings_reads.load_settings(engine)["recircle_days"] == 60
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
    assert settings_reads.load_settings(engine)["recircle_days"] == 75
    assert audit_rows(engine) == []


def test_invalid_settings_change_nothing(engine, admin):
    with pytest.raises(service.ValidationError, match="recircle_days"):
        service.update_settings(engine, admin, {"max_follow_ups": 5, "recircle_days": 9999})
    with pytest.raises(service.ValidationError, match="at-risk below"):
        service.update_settings(engine, admin, {"band_at_risk_below": 90})
    settings = settings_reads.load_settings(engine)
    assert (settings["max_follow_ups"], settings["band_at_risk_below"]) == (3, 60)
    assert audit_rows(engine) == []


def test_reset_is_an_update_to_the_defaults(engine, admin):
    service.update_settings(engine, admin, {"weight_usage": 50})
    service.update_settings(engine, admin, {"weight_usage": 30})
    assert settings_reads.load_settings(engine)["weight_usage"] == 30
    assert [r.after for r in audit_rows(engine)] == ["50.0", "30.0"]


def test_create_user_hashes_password_and_audits(engine, admin):
    user_id = service.create_user(
        engine, admin, "sam.s", "Sam", "sam@example.com", "sales", "a long pass phrase"
    )
    with engine.connect() as conn:
        user = conn.execute(select(User).where(User.id == user_id)).one()
    assert user.role == "sales" and "a long pass phrase" not in user.password_hash
    assert bcrypt.checkpw(b"a long pass phrase", user.password_hash.encode())
    assert audit_rows(engine)[-1].action == "create_user"
    assert user_reads.user_credentials(engine)["username"].tolist() == ["ada", "sam.s"]


USERNAME_RULE = "use 2–64 of a–z, 0–9, '.', '_' and '-', starting with a letter or digit."


@pytest.mark.parametrize(
    ("username", "role", "password", "message"),
    [
        ("ok", "sales", "short", "Password must have at least 8 characters."),
        ("ok", "boss", "long enough", "Role 'boss' is not one of admin, account_manager, marketing, sales."),
        ("ok", None, "long enough", "Role: choose one."),
        ("bad name!", "sales", "long enough", f"Username 'bad name!': {USERNAME_RULE}"),
        ("ada", "sales", "long enough", "Username 'ada' is already taken ('ada')."),
        # A Cyrillic а: it would read as ada in the audit log.
        ("\u0430da", "sales", "long enough", f"Username '\u0430da': {USERNAME_RULE}"),
        ("Ada", "sales", "long enough", f"Username 'Ada': {USERNAME_RULE}"),
        ("a", "sales", "long enough", f"Username 'a': {USERNAME_RULE}"),
        ("-ada", "sales", "long enough", f"Username '-ada': {USERNAME_RULE}"),
        ("a" * 65, "sales", "long enough", "Username: 65 characters, at most 64."),
        ("ad\x00a", "sales", "long enough", "Username: control characters (such as NUL) are not allowed."),
    ],
)
def test_create_user_refusals(engine, admin, username, role, password, message):
    with pytest.raises(service.ValidationError) as refused:
        service.create_user(engine, admin, username, "X", "x@example.com", role, password)
    assert str(refused.value) == message
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize(
    ("name", "email", "message"),
    [
        ("N" * 121, "", "Name: 121 characters, at most 120."),
        ("Nia\x00", "", "Name: control characters (such as NUL) are not allowed."),
        ("Nia\nAdmin", "", "Name: control characters (such as NUL) are not allowed."),
        ("Nia", "n" * 189 + "@example.com", "Email: 201 characters, at most 200."),
        ("Nia", "nia@example.com\x00", "Email: control characters (such as NUL) are not allowed."),
        ("Nia", "nia", "Email 'nia': not an e-mail address."),
        ("Nia", "nia@example", "Email 'nia@example': not an e-mail address."),
        ("Nia", "nia @example.com", "Email 'nia @example.com': not an e-mail address."),
    ],
)
def test_names_and_emails_are_refused_before_the_database(engine, admin, name, email, message):
    with pytest.raises(service.ValidationError) as refused:
        service.create_user(engine, admin, "nia", name, email, "sales", "long enough")
    assert str(refused.value) == message
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(User)) == 1


def test_the_longest_name_and_email_are_stored(engine, admin):
    email = "n" * 188 + "@example.com"
    user_id = service.create_user(
        engine, admin, "nia.n_1-x", " " + "N" * 120 + " ", email, "sales", "long enough"
    )
    with engine.connect() as conn:
        user = conn.execute(select(User).where(User.id == user_id)).one()
    assert (user.username, user.name, user.email) == ("nia.n_1-x", "N" * 120, email)


def test_a_username_only_a_case_apart_from_an_older_one_is_taken(engine, admin):
    add_user(engine, "Sam.Lee", "sales")  # before the rule: mixed case was allowed
    with pytest.raises(service.ValidationError) as refused:
        service.create_user(engine, admin, "sam.lee", "Sam", "", "sales", "long enough")
    assert str(refused.value) == "Username 'sam.lee' is already taken ('Sam.Lee')."


def test_default_settings_are_seeded(engine):
    with engine.connect() as conn:
        stored = dict(conn.execute(select(Setting.key, Setting.value)).all())
    assert stored["nps_ask_floor"] == "5" and stored["reference_sla_hours"] == "48"


@pytest.mark.parametrize("role", ["admin", "account_manager", "marketing", "sales"])
def test_log_out_ends_the_users_cookies_and_is_audited(engine, role):
    actor = service.Actor(id=add_user(engine, "eve", role), username="eve", name="Eve", role=role)
    before = service.now()
    service.log_out(engine, actor)
    valid_from = user_reads.user_credentials(engine).set_index("username").loc["eve", "sessions_valid_from"]
    assert valid_from >= before
    assert [(r.action, r.entity_id) for r in audit_rows(engine)] == [("log_out", str(actor.id))]


def test_account_manager_records_sentiment_for_own_accounts_only(engine):
    owner = build_book(engine)  # amy owns accounts 1 and 2; 3 has no owner
    amy = service.Actor(id=owner, username="amy", name="Amy", role="account_manager")
    service.record_sentiment(engine, amy, 1, 2, "  worried about the renewal  ")
    assert (
        account_reads.health_features(engine, service.now().date(), account_id=1).loc[1, "csm_sentiment"] == 2
    )
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
    with pytest.raises(service.ValidationError, match=r"control characters \(such as NUL\)"):
        service.record_sentiment(engine, amy, 1, 3, "a\x00b")
    with pytest.raises(service.ValidationError, match="Account 99"):
        service.record_sentiment(engine, amy, 99, 3, "")
    assert len(audit_rows(engine)) == 1


NUL_NOTE = "first line\n\tsecond line\x00"


def nul_byte_writes(engine) -> dict[str, tuple[str, object]]:
    """Every write with free text, each given a NUL byte in it (PostgreSQL refuses NUL in text)."""
    build_references(engine)
    actor = service.Actor(id=add_user(engine, "mia", "admin"), username="mia", name="Mia", role="admin")
    today = service.now().date()
    request = dict(
        prospect="Prospect X", industry="Retail", deal_size=1.0, deal_stage="proposal", kind="asset"
    )
    return {
        "sentiment note": ("Note", lambda: service.record_sentiment(engine, actor, 1, 3, NUL_NOTE)),
        "reward note": (
            "Note",
            lambda: service.record_reward(engine, actor, 1, "store_credit", 50, today, note=NUL_NOTE),
        ),
        "thank-you note": (
            "Note",
            lambda: service.record_thank_you(engine, actor, 1, "agreement", "email", today, note=NUL_NOTE),
        ),
        "outreach note": (
            "Note",
            lambda: service.log_outreach(
                engine,
                actor,
                1,
                follow_up=True,
                purpose="reference",
                channel="email",
                owner_role="marketing",
                sent_on=today,
                outcome="no_response",
                note=NUL_NOTE,
            ),
        ),
        "prospect": (
            "Prospect",
            lambda: service.create_reference_request(engine, actor, **{**request, "prospect": "X\x00"}),
        ),
        "industry": (
            "Industry",
            lambda: service.create_reference_request(engine, actor, **{**request, "industry": "Retail\x00"}),
        ),
        "opportunity": ("Opportunity", lambda: service.log_asset_use(engine, actor, 1, "Deal\x00")),
    }


@pytest.mark.parametrize(
    "write",
    [
        "sentiment note",
        "reward note",
        "thank-you note",
        "outreach note",
        "prospect",
        "industry",
        "opportunity",
    ],
)
def test_a_nul_byte_in_any_text_is_refused_before_the_database(engine, write):
    field, call = nul_byte_writes(engine)[write]
    audit = audit_rows(engine)
    with pytest.raises(service.ValidationError) as refused:
        call()
    assert str(refused.value) == f"{field}: control characters (such as NUL) are not allowed."
    assert audit_rows(engine) == audit


def test_notes_keep_their_tabs_and_line_breaks(engine):
    amy = service.Actor(id=build_book(engine), username="amy", name="Amy", role="account_manager")
    service.record_sentiment(engine, amy, 1, 2, "renewal:\n\t- budget cut\r\n\t- new CFO")
    assert audit_rows(engine)[-1].after == json.dumps(
        {"sentiment": 2, "note": "renewal:\n\t- budget cut\r\n\t- new CFO"}
    )


def test_a_write_reads_through_its_own_connection_only(engine):
    """Reads inside a write (settings, the latest scored week, a candidate's facts, past outreach and reference
    activity) run in the write's transaction: one connection per write, none opened beside it."""
    build_references(engine)
    mark = service.Actor(
        id=add_user(engine, "mark", "marketing"), username="mark", name="Mark", role="marketing"
    )
    today = service.now().date()
    request_id = service.create_reference_request(
        engine, mark, prospect="Acme", industry="Retail", deal_size=1000.0, deal_stage="proposal", kind="call"
    )
    with engine.connect() as conn:
        version = conn.scalar(select(ReferenceRequest.version).where(ReferenceRequest.id == request_id))
    writes = {
        "ask": lambda: service.log_outreach(
            engine,
            mark,
            2,
            follow_up=False,
            purpose="reference",
            channel="email",
            owner_role="marketing",
            sent_on=today,
            outcome="no_response",
        ),
        "follow-up": lambda: service.log_outreach(
            engine,
            mark,
            2,
            follow_up=True,
            purpose="reference",
            channel="email",
            owner_role="marketing",
            sent_on=today,
            outcome="no_response",
        ),
        "assign": lambda: service.assign_reference(engine, mark, request_id, version, advocate_id=1),
    }
    opened = []
    count = opened.append
    event.listen(engine, "engine_connect", count)
    try:
        for name, write in writes.items():
            opened.clear()
            with contextlib.suppress(service.ValidationError):
                write()
            assert len(opened) == 1, name
    finally:
        event.remove(engine, "engine_connect", count)
