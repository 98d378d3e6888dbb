"""Admin → Health profiles under AppTest: a segment's own weights, previewed, saved, audited and scored."""

import pytest
from sqlalchemy import select

from db import profiles_write, service
from db.engine import make_engine
from db.models import AuditLog, HealthSnapshot, User
from db.reads import settings as settings_reads
from tests.db.factories import THIS_WEEK, add_user, build_book
from tests.pages.conftest import database_at, log_in

SUPPORT_ONLY = ("weight_usage", "weight_outcomes", "weight_utilisation", "weight_feedback")


def with_second_admin(engine) -> None:
    build_book(engine)  # accounts 1–3, all SMB
    add_user(engine, "bob", "admin")


@pytest.fixture
def app_database_url(tmp_path) -> str:
    return database_at(tmp_path, with_second_admin)


@pytest.fixture
def app_engine(app_database_url):
    database = make_engine(app_database_url)
    yield database
    database.dispose()


def open_profiles(app):
    log_in(app, "ada")
    app.switch_page("pages/admin.py").run()
    app.session_state["admin_tab"] = "Health profiles"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def click(app, label: str):
    next(b for b in app.button if b.label == label).click()
    return app.run()


def score_of(app_engine, account_id: int) -> float:
    with app_engine.connect() as conn:
        return conn.scalar(
            select(HealthSnapshot.score).where(
                HealthSnapshot.account_id == account_id, HealthSnapshot.week_start == THIS_WEEK
            )
        )


def test_a_segment_gets_its_own_weights_previewed_saved_and_scored(app, app_engine):
    open_profiles(app)
    assert app.selectbox(key="profile_segment").value == "SMB"
    assert any(m.value == "**SMB** uses the global settings." for m in app.markdown)
    for key in SUPPORT_ONLY:
        app.number_input(key=f"profile-SMB-{key}").set_value(0)
    click(app, "Preview")
    # Support alone: account 2 scores 35 (still at risk), account 1 scores 100 (still healthy).
    assert any("0 of 2 SMB accounts would change band" in m.value for m in app.markdown)
    assert settings_reads.load_profiles(app_engine) == {}
    click(app, "Save")
    assert not app.exception, [e.value for e in app.exception]
    assert settings_reads.load_profiles(app_engine) == {"SMB": dict.fromkeys(SUPPORT_ONLY, 0.0)}
    # The save recombined the stored sub-scores under the profile.
    assert score_of(app_engine, 2) == pytest.approx(35) and score_of(app_engine, 1) == pytest.approx(100)
    with app_engine.connect() as conn:
        audited = conn.execute(
            select(AuditLog.entity_id, AuditLog.after).where(AuditLog.action == "update_health_profile")
        ).all()
    assert sorted(audited) == sorted((f"SMB {key}", "0.0") for key in SUPPORT_ONLY)
    click(app, "Use the global settings")
    assert settings_reads.load_profiles(app_engine) == {}


def test_thresholds_that_overlap_are_refused_with_the_rule(app, app_engine):
    open_profiles(app)
    app.number_input(key="profile-SMB-band_at_risk_below").set_value(90)
    click(app, "Save")
    assert [e.value for e in app.error] == [
        "SMB profile: 'At-risk band: score below' 90 (the SMB profile's own) is above 'Healthy band: score at "
        "least' 75 (the global setting); the at-risk threshold must not be higher than the healthy one."
    ]
    assert settings_reads.load_profiles(app_engine) == {}


def test_a_profile_changed_by_another_admin_since_is_not_overwritten(app, app_engine):
    open_profiles(app)
    with app_engine.connect() as conn:
        bob_id = conn.scalar(select(User.id).where(User.username == "bob"))
    bob = service.Actor(id=bob_id, username="bob", name="Bob", role="admin")
    profiles_write.update_profile(app_engine, bob, "SMB", {"weight_usage": 50})
    app.number_input(key="profile-SMB-weight_usage").set_value(40)
    click(app, "Save")
    assert [w.value for w in app.warning] == [
        "SMB profile: Weight: product usage was changed to 50 since you opened the page. Nothing was saved; "
        "the form now shows the current values."
    ]
    assert app.number_input(key="profile-SMB-weight_usage").value == 50
    assert settings_reads.load_profiles(app_engine) == {"SMB": {"weight_usage": 50.0}}
