import datetime as dt

import pytest
from sqlalchemy import func, insert, select, update

from core import health
from db import scoring, service
from db.engine import transaction
from db.models import AuditLog, ChurnEvent, HealthSnapshot, RescoreWeek, Setting, Ticket, UsageWeekly
from db.reads import accounts as account_reads
from db.reads import settings as settings_reads
from tests.db.factories import THIS_WEEK, account, add_user, build_book

# The work queue's generation is recorded, not run (tests/db/conftest.py).
pytestmark = pytest.mark.usefixtures("generations")

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
    scoring.score_week(engine, THIS_WEEK, settings_reads.load_settings(engine))
    assert snapshot_counts(engine) == {LAST_WEEK: 2, THIS_WEEK: 1}
    with engine.connect() as conn:
        assert list(
            conn.scalars(select(HealthSnapshot.account_id).where(HealthSnapshot.week_start == THIS_WEEK))
        ) == [1]


def test_snapshot_matches_the_live_score(engine):
    build_book(engine)
    scoring.run(engine, today=TODAY)
    settings = settings_reads.load_settings(engine)
    live = health.score_accounts(
        account_reads.health_features(engine, THIS_WEEK + dt.timedelta(days=6)), settings
    )
    stored = account_reads.score_history(engine, [1, 2], THIS_WEEK).set_index("account_id")
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
    assert account_reads.board(engine, THIS_WEEK).loc[4, ["usage", "utilisation"]].isna().all()


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
    settings = settings_reads.load_settings(engine)
    assert scoring.plan(engine, settings, TODAY) == scoring.Plan([], [], [LAST_WEEK, THIS_WEEK], {})
    assert scoring.run(engine, today=TODAY) == 2
    board = account_reads.board(engine, THIS_WEEK, owner)
    stored = account_reads.score_history(engine, [1, 2], THIS_WEEK).set_index("account_id")
    # Usage alone now: the stored score is the usage sub-score.
    assert stored["score"].to_dict() == pytest.approx(board["usage"].to_dict())


def test_the_largest_weights_fit_the_stored_weights_key(engine):
    build_book(engine)
    admin = service.Actor(id=add_user(engine, "ada", "admin"), username="ada", name="Ada", role="admin")
    weights = {
        f"weight_{dimension}": 100
        for dimension in ("usage", "outcomes", "utilisation", "feedback", "support")
    }
    service.update_settings(engine, admin, weights)
    key = scoring.weights_key(settings_reads.load_settings(engine))
    assert len(key) == 63
    assert scoring.run(engine, today=TODAY) == 2
    with engine.connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT DISTINCT weights_key FROM health_snapshots"
        ).scalars().all() == [key]


def test_switching_weeks_without_usage_off_marks_every_scored_week(engine):
    build_book(engine)
    scoring.run(engine, today=TODAY)
    admin = service.Actor(id=add_user(engine, "ada", "admin"), username="ada", name="Ada", role="admin")
    service.update_settings(engine, admin, {"usage_gap_is_zero": 0})
    settings = settings_reads.load_settings(engine)
    assert scoring.plan(engine, settings, TODAY).changed == [LAST_WEEK, THIS_WEEK]


def test_board_rows(engine):
    owner = build_book(engine)
    scoring.run(engine, today=TODAY)
    board = account_reads.board(engine, THIS_WEEK)
    assert list(board.index) == [1, 2]
    assert board.loc[2, "seats_used"] == 10 and board.loc[2, "owner"] == "Amy"
    assert board["score_4_weeks_ago"].isna().all()  # no snapshots four weeks earlier
    assert account_reads.board(engine, THIS_WEEK, owner + 1).empty
    assert account_reads.latest_scored_week(engine) == THIS_WEEK


def test_only_admins_run_scoring_and_it_is_audited(engine):
    build_book(engine)
    amy = service.Actor(id=1, username="amy", name="Amy", role="account_manager")
    with pytest.raises(service.PermissionDenied):
        service.run_scoring(engine, amy)
    admin = service.Actor(id=add_user(engine, "ada", "admin"), username="ada", name="Ada", role="admin")
    seen = []
    report = service.run_scoring(engine, admin, progress=lambda done, total, week: seen.append((done, total)))
    assert report.sentence() == "Scored 2 new weeks; rescored 0 weeks changed by imports."
    assert seen == [(1, 2), (2, 2)]
    with engine.connect() as conn:
        assert conn.execute(select(AuditLog.action, AuditLog.username)).all() == [("run_scoring", "ada")]


# --- weeks imports changed, and why weeks are not scored ---------------------------------------------

WAITING_HINT = "An admin starts it on the Admin page (Scoring run), or a scheduler runs python -m db.scoring."


def marks(engine) -> dict[dt.date, dt.datetime]:
    with engine.connect() as conn:
        return dict(conn.execute(select(RescoreWeek.week_start, RescoreWeek.marked_at)).all())


def mark(engine, since: dt.date | None) -> None:
    with engine.begin() as conn:
        scoring.mark_changed(conn, since)


def computed_at(engine) -> dict[dt.date, dt.datetime]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                select(HealthSnapshot.week_start, func.max(HealthSnapshot.computed_at)).group_by(
                    HealthSnapshot.week_start
                )
            ).all()
        )


def test_mark_changed_marks_the_scored_weeks_whose_sunday_is_on_or_after_since(engine):
    build_book(engine)
    mark(engine, None)
    assert marks(engine) == {}  # nothing scored yet, nothing to mark
    scoring.run(engine, today=TODAY)
    mark(engine, THIS_WEEK)  # Monday 16 Nov: only the week it starts ends on or after it
    assert list(marks(engine)) == [THIS_WEEK]
    mark(engine, LAST_WEEK + dt.timedelta(days=6))  # Sunday 15 Nov: both weeks
    mark(engine, LAST_WEEK + dt.timedelta(days=6))  # again: still one mark per week
    assert sorted(marks(engine)) == [LAST_WEEK, THIS_WEEK]


def test_mark_changed_is_part_of_the_callers_transaction(engine):
    build_book(engine)
    scoring.run(engine, today=TODAY)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        scoring.mark_changed(conn, None)
        raise RuntimeError("the import failed")
    assert marks(engine) == {}


def test_the_next_run_rescores_exactly_the_marked_weeks(engine):
    build_book(engine)
    scoring.run(engine, today=TODAY)
    before = computed_at(engine)
    # An urgent ticket of account 1, opened on 18 Nov, reaches the week of 16 Nov only.
    with engine.begin() as conn:
        conn.execute(
            insert(Ticket).values(account_id=1, opened_at=dt.datetime(2026, 11, 18, 9), severity="urgent")
        )
        scoring.mark_changed(conn, dt.date(2026, 11, 18))
    settings = settings_reads.load_settings(engine)
    assert scoring.plan(engine, settings, TODAY) == scoring.Plan([], [THIS_WEEK], [], marks(engine))
    report = scoring.score_book(engine, today=TODAY)
    assert report == scoring.RunReport(new=0, rescored=1, reweighed=0)
    assert report.sentence() == "Scored 0 new weeks; rescored 1 week changed by imports."
    assert marks(engine) == {}
    after = computed_at(engine)
    assert after[LAST_WEEK] == before[LAST_WEEK] and after[THIS_WEEK] > before[THIS_WEEK]
    # 100 − 5 (open) − 15 (high severity) = 80
    assert account_reads.snapshot_sub_scores(engine, THIS_WEEK).loc[1, "support"] == pytest.approx(80)
    assert account_reads.snapshot_sub_scores(engine, LAST_WEEK).loc[1, "support"] == pytest.approx(100)


def test_a_week_marked_again_during_its_rescore_stays_marked(engine, monkeypatch):
    build_book(engine)
    scoring.run(engine, today=TODAY)
    mark(engine, None)
    score_week = scoring.score_week

    def score_then_import(engine, week, settings):
        written = score_week(engine, week, settings)
        if week == THIS_WEEK:  # an import commits while this week is being rescored
            mark(engine, THIS_WEEK)
        return written

    monkeypatch.setattr(scoring, "score_week", score_then_import)
    assert scoring.score_book(engine, today=TODAY) == scoring.RunReport(new=0, rescored=2, reweighed=0)
    assert list(marks(engine)) == [THIS_WEEK]


def test_marked_weeks_are_rescored_and_the_others_reweighed_after_a_weights_change(engine):
    build_book(engine)
    scoring.run(engine, today=TODAY)
    with transaction(engine) as session:
        session.execute(update(Setting).where(Setting.key == "weight_usage").values(value="50"))
    mark(engine, THIS_WEEK)
    settings = settings_reads.load_settings(engine)
    assert scoring.plan(engine, settings, TODAY) == scoring.Plan([], [THIS_WEEK], [LAST_WEEK], marks(engine))
    report = scoring.score_book(engine, today=TODAY)
    assert report.sentence() == (
        "Scored 0 new weeks; rescored 1 week changed by imports; recombined 1 week under new weights."
    )


def test_a_full_run_rescores_every_week_and_clears_the_marks(engine):
    build_book(engine)
    scoring.run(engine, today=TODAY)
    mark(engine, None)
    report = scoring.score_book(engine, today=TODAY, full=True)
    assert report.sentence() == "Scored 0 new weeks; rescored all 2 weeks scored before."
    assert marks(engine) == {}


def test_why_not_scored_without_usage(engine):
    assert (
        scoring.why_not_scored(engine, TODAY) == "No usage imported yet: import usage or usage events first."
    )


def test_why_not_scored_with_too_little_usage_history(engine):
    with transaction(engine) as session:
        session.add(account(1, None))
        session.flush()
        session.add_all(
            UsageWeekly(account_id=1, week_start=week, active_users=1, logins=1, key_feature_events=1)
            for week in (dt.date(2024, 6, 17), dt.date(2024, 6, 24), dt.date(2024, 7, 1))
        )
    # 17 Jun + 11 weeks = 2 Sep: the first week with 12 weeks of usage up to it.
    assert scoring.why_not_scored(engine, dt.date(2024, 7, 10)) == (
        "No week can be scored yet: the score needs 12 weeks of usage history; the first usage week is "
        "2024-06-17, so the first scorable week is 2024-09-02 (usage so far ends with the week of 2024-07-01)."
    )
    assert scoring.run(engine, today=dt.date(2024, 7, 10)) == 0


def test_why_not_scored_names_the_weeks_waiting_for_the_run(engine):
    build_book(engine)
    assert (
        scoring.why_not_scored(engine, TODAY)
        == f"Waiting for the scoring run: 2 weeks not scored yet. {WAITING_HINT}"
    )
    scoring.run(engine, today=TODAY)
    assert scoring.why_not_scored(engine, TODAY) is None
    mark(engine, THIS_WEEK)
    assert scoring.why_not_scored(engine, TODAY) == (
        f"Waiting for the scoring run: 1 week changed by imports. {WAITING_HINT}"
    )


def test_the_command_line_says_what_it_did_and_why_weeks_are_not_scored(database_url, engine, capsys):
    scoring.main(["--url", database_url])
    nothing, reason = capsys.readouterr().out.splitlines()
    assert nothing.startswith("Scored 0 new weeks; rescored 0 weeks changed by imports. Took ")
    assert reason == "No usage imported yet: import usage or usage events first."
    build_book(engine)
    scoring.main(["--url", database_url])
    *progress, done = capsys.readouterr().out.splitlines()
    assert progress == ["1/2 week of 2026-11-09", "2/2 week of 2026-11-16"]
    assert done.startswith("Scored 2 new weeks; rescored 0 weeks changed by imports. Took ")
