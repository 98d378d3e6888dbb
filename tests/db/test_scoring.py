import datetime as dt

import pytest
from sqlalchemy import func, select

from core import health
from db import queries, scoring, service
from db.engine import transaction
from db.models import AuditLog, ChurnEvent, HealthSnapshot
from tests.db.factories import THIS_WEEK, account, add_user, build_book

TODAY = dt.date(2026, 11, 23)
LAST_WEEK = THIS_WEEK - dt.timedelta(weeks=1)


def snapshot_counts(engine) -> dict[dt.date, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(HealthSnapshot.week_start, func.count()).group_by(HealthSnapshot.week_start)
        ).all()
    return {week: count for week, count in rows}


def test_scores_each_complete_week_once(engine):
    build_book(engine)
    # Usage starts 12 weeks back: the first 11 weeks are the trend's baseline.
    assert scoring.scorable_weeks(engine, TODAY) == [LAST_WEEK, THIS_WEEK]
    assert scoring.run(engine, today=TODAY) == 2
    assert snapshot_counts(engine) == {LAST_WEEK: 2, THIS_WEEK: 2}  # churned account 3 is not scored
    assert scoring.run(engine, today=TODAY) == 0
    assert scoring.run(engine, today=TODAY, full=True) == 2


def test_rescoring_a_week_replaces_its_snapshots(engine):
    build_book(engine)
    scoring.run(engine, today=TODAY)
    # Account 2 turns out to have churned on this week's Saturday, after its last usage week: a rescore must
    # drop its snapshot.
    with transaction(engine) as session:
        session.add(
            ChurnEvent(
                account_id=2, churned_on=THIS_WEEK + dt.timedelta(days=5), reason="moved", arr_lost=20_000
            )
        )
    scoring.score_week(engine, THIS_WEEK, queries.load_settings(engine))
    assert snapshot_counts(engine) == {LAST_WEEK: 2, THIS_WEEK: 1}
    with engine.connect() as conn:
        assert list(
            conn.scalars(select(HealthSnapshot.account_id).where(HealthSnapshot.week_start == THIS_WEEK))
        ) == [1]


def test_snapshot_matches_the_live_score(engine):
    build_book(engine)
    scoring.run(engine, today=TODAY)
    settings = queries.load_settings(engine)
    live = health.score_accounts(queries.health_features(engine, THIS_WEEK + dt.timedelta(days=6)), settings)
    stored = queries.score_history(engine, [1, 2], THIS_WEEK).set_index("account_id")
    assert stored["score"].to_dict() == pytest.approx(live["score"].to_dict())
    assert stored.loc[2, "support"] == pytest.approx(live.loc[2, "support"])


def test_insufficient_data_is_stored_as_null(engine):
    owner = build_book(engine)
    with transaction(engine) as session:
        session.add(account(4, owner, name="New logo"))  # no usage, surveys or tickets yet
    scoring.run(engine, today=TODAY)
    with engine.connect() as conn:
        stored = conn.execute(
            select(HealthSnapshot.score, HealthSnapshot.usage, HealthSnapshot.utilisation).where(
                HealthSnapshot.account_id == 4, HealthSnapshot.week_start == THIS_WEEK
            )
        ).one()
    assert tuple(stored) == (None, None, None)  # NULL, not NaN, on both databases
    assert queries.board(engine, THIS_WEEK).loc[4, ["usage", "utilisation"]].isna().all()


def test_weights_change_reweighs_stored_sub_scores(engine):
    owner = build_book(engine)
    scoring.run(engine, today=TODAY)
    admin = service.Actor(id=add_user(engine, "ada", "admin"), username="ada", name="Ada", role="admin")
    service.update_settings(
        engine,
        admin,
        {
            "weight_usage": 100,
            "weight_outcomes": 0,
            "weight_utilisation": 0,
            "weight_feedback": 0,
            "weight_support": 0,
        },
    )
    settings = queries.load_settings(engine)
    assert scoring.weeks_to_score(engine, settings, TODAY) == ([], [LAST_WEEK, THIS_WEEK])
    assert scoring.run(engine, today=TODAY) == 2
    board = queries.board(engine, THIS_WEEK, owner)
    stored = queries.score_history(engine, [1, 2], THIS_WEEK).set_index("account_id")
    # Usage alone now: the stored score is the usage sub-score.
    assert stored["score"].to_dict() == pytest.approx(board["usage"].to_dict())


def test_board_rows(engine):
    owner = build_book(engine)
    scoring.run(engine, today=TODAY)
    board = queries.board(engine, THIS_WEEK)
    assert list(board.index) == [1, 2]
    assert board.loc[2, "seats_used"] == 10 and board.loc[2, "owner"] == "Amy"
    assert board["score_4_weeks_ago"].isna().all()  # no snapshots four weeks earlier
    assert queries.board(engine, THIS_WEEK, owner + 1).empty
    assert queries.latest_scored_week(engine) == THIS_WEEK


def test_only_admins_run_scoring_and_it_is_audited(engine):
    build_book(engine)
    amy = service.Actor(id=1, username="amy", name="Amy", role="account_manager")
    with pytest.raises(service.PermissionDenied):
        service.run_scoring(engine, amy)
    admin = service.Actor(id=add_user(engine, "ada", "admin"), username="ada", name="Ada", role="admin")
    seen = []
    assert (
        service.run_scoring(engine, admin, progress=lambda done, total, week: seen.append((done, total))) == 2
    )
    assert seen == [(1, 2), (2, 2)]
    with engine.connect() as conn:
        assert conn.execute(select(AuditLog.action, AuditLog.username)).all() == [("run_scoring", "ada")]
