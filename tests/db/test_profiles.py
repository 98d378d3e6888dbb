import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db import profiles_write, scoring, service
from db.engine import transaction
from db.models import Account, AuditLog, HealthSnapshot
from db.reads import accounts as account_reads
from db.reads import settings as settings_reads
from db.service.advocates import candidate
from tests.db.factories import THIS_WEEK, add_user, build_advocates, build_book

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def admin(engine) -> service.Actor:
    return service.Actor(id=add_user(engine, "ada", "admin"), username="ada", name="Ada", role="admin")


def audit(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            select(
                AuditLog.action, AuditLog.entity, AuditLog.entity_id, AuditLog.before, AuditLog.after
            ).order_by(AuditLog.id)
        ).all()


def test_a_profile_is_stored_audited_and_cleared(engine, admin):
    build_book(engine)  # accounts 1–3 are SMB
    assert account_reads.segments(engine) == ["SMB"]
    stored = profiles_write.update_profile(
        engine, admin, "SMB", {"weight_usage": "50", "band_healthy_min": 80, "weight_support": None}
    )
    assert stored == {"weight_usage": 50, "band_healthy_min": 80}
    assert settings_reads.load_profiles(engine) == {"SMB": {"weight_usage": 50.0, "band_healthy_min": 80.0}}
    profiles_write.update_profile(engine, admin, "SMB", {"weight_usage": None})
    assert settings_reads.load_profiles(engine) == {"SMB": {"band_healthy_min": 80.0}}
    assert audit(engine) == [
        ("update_health_profile", "health_profile", "SMB weight_usage", None, "50.0"),
        ("update_health_profile", "health_profile", "SMB band_healthy_min", None, "80.0"),
        ("update_health_profile", "health_profile", "SMB weight_usage", "50.0", None),
    ]


@pytest.mark.parametrize(
    "segment, changes, message",
    [
        ("Enterprise", {"weight_usage": 40}, "No account has the segment 'Enterprise'."),
        ("SMB", {"drop_points": 10}, "not 'drop_points'"),
        (
            "SMB",
            {"band_at_risk_below": 90},
            r"SMB profile: 'At-risk band: score below' 90 \(the SMB profile's own\) is above 'Healthy band: score "
            r"at least' 70 \(the SMB profile's own\)",
        ),
        (
            "SMB",
            {
                "weight_usage": 0,
                "weight_outcomes": 0,
                "weight_utilisation": 0,
                "weight_feedback": 0,
                "weight_support": 0,
            },
            "SMB profile: every weight is 0",
        ),
    ],
)
def test_a_profile_that_makes_no_sense_is_refused_whole(engine, admin, segment, changes, message):
    build_book(engine)
    with pytest.raises(service.ValidationError, match=message):
        profiles_write.update_profile(engine, admin, segment, {"band_healthy_min": 70, **changes})
    assert settings_reads.load_profiles(engine) == {} and audit(engine) == []


def test_a_global_save_that_breaks_a_profile_is_refused_naming_it(engine, admin):
    build_book(engine)
    profiles_write.update_profile(engine, admin, "SMB", {"band_healthy_min": 65})
    before = audit(engine)
    # The SMB profile keeps its own healthy threshold 65: a global at-risk threshold of 70 would lie above it.
    with pytest.raises(service.ValidationError) as refused:
        service.update_settings(engine, admin, {"band_at_risk_below": 70, "recircle_days": 60})
    assert str(refused.value) == (
        "Not saved: the new values do not fit a segment's own. SMB profile: 'At-risk band: score below' 70 (the "
        "global setting) is above 'Healthy band: score at least' 65 (the SMB profile's own); the at-risk "
        "threshold must not be higher than the healthy one."
    )
    assert settings_reads.load_settings(engine)["band_at_risk_below"] == 60
    assert settings_reads.load_settings(engine)["recircle_days"] == 75
    assert audit(engine) == before
    # Below the profile's 65 it fits.
    assert service.update_settings(engine, admin, {"band_at_risk_below": 64}) == {"band_at_risk_below": 64}


def test_the_write_services_advocate_check_bands_under_the_segments_profile(engine, admin):
    build_advocates(engine)  # Pat is a contact of account 1 (SMB)
    with transaction(engine) as session:
        session.add(
            HealthSnapshot(
                account_id=1,
                week_start=THIS_WEEK,
                score=58.0,
                weights_key="default",
                computed_at=dt.datetime(2026, 11, 20),
            )
        )

    def band() -> str:
        with Session(engine) as session:
            facts = candidate(session, 1, TODAY, settings_reads.load_settings(engine))
            return facts["health_band"].iloc[0]

    # 58 is below the global 60: at risk. SMB's own at-risk threshold of 55 makes it watch.
    assert band() == "at_risk"
    profiles_write.update_profile(engine, admin, "SMB", {"band_at_risk_below": 55})
    assert band() == "watch"


@pytest.mark.parametrize("role", ["account_manager", "marketing", "sales"])
def test_only_admins_change_profiles(engine, role):
    build_book(engine)
    actor = service.Actor(id=add_user(engine, "someone", role), username="someone", name="S", role=role)
    with pytest.raises(service.PermissionDenied):
        profiles_write.update_profile(engine, actor, "SMB", {"weight_usage": 40})
    assert settings_reads.load_profiles(engine) == {}


def test_a_value_changed_since_the_form_was_read_is_not_overwritten(engine, admin):
    build_book(engine)
    profiles_write.update_profile(engine, admin, "SMB", {"weight_usage": 50})
    # Both forms were read while usage followed the global weight; the second one would change it again.
    with pytest.raises(
        service.StaleEdit, match="SMB profile: Weight: product usage was changed to 50"
    ) as refused:
        profiles_write.update_profile(engine, admin, "SMB", {"weight_usage": 60}, read={"weight_usage": None})
    assert refused.value.current["weight_usage"] == 50
    # Leaving it as the form showed it keeps the other admin's value.
    profiles_write.update_profile(
        engine, admin, "SMB", {"weight_usage": None, "weight_support": 30}, read={"weight_usage": None}
    )
    assert settings_reads.load_profiles(engine) == {"SMB": {"weight_usage": 50.0, "weight_support": 30.0}}


def stored_scores(engine) -> dict[int, float]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(HealthSnapshot.account_id, HealthSnapshot.score).where(
                HealthSnapshot.week_start == THIS_WEEK
            )
        ).all()
    return dict(rows)


def test_scoring_combines_each_account_under_its_segments_weights(engine, admin):
    build_book(engine)
    with transaction(engine) as session:
        session.execute(update(Account).where(Account.id == 2).values(segment="Enterprise"))
    scoring.run(engine, today=TODAY)
    before = stored_scores(engine)
    subs = account_reads.snapshot_sub_scores(engine, THIS_WEEK)
    profiles_write.update_profile(engine, admin, "Enterprise", {"weight_usage": 100, "weight_outcomes": 0})
    settings = settings_reads.load_settings(engine)
    # The new profile's weights change the weights key: every scored week is recombined, none rescored.
    plan = scoring.plan(engine, settings, TODAY)
    assert (plan.new, plan.changed, len(plan.reweigh)) == ([], [], 2)
    scoring.run(engine, today=TODAY)
    after = stored_scores(engine)
    assert after[1] == pytest.approx(before[1])  # SMB keeps the global weights
    # Enterprise: usage 100, outcomes 0, utilisation 15, feedback 20, support 20 over the known sub-scores.
    row = subs.loc[2]
    weights = {"usage": 100, "outcomes": 0, "utilisation": 15, "feedback": 20, "support": 20}
    known = {dim: w for dim, w in weights.items() if row[dim] == row[dim]}
    expected = sum(row[dim] * w for dim, w in known.items()) / sum(known.values())
    assert after[2] == pytest.approx(expected) and after[2] != pytest.approx(before[2])
    assert scoring.plan(engine, settings, TODAY).reweigh == []
