"""The churn risk model tab of "Does the score work?", and its risk on the board and the account page."""

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from db import churn_model, synthetic
from db.engine import make_engine
from db.models import AuditLog, ModelFit
from db.reads import settings as settings_reads
from tests.db.factories import add_user
from tests.pages.conftest import database_at, log_in

# Ends a month before today, so the newest weeks' 90 days of outcome are known by today.
LAST_WEEK = dt.date.today() - dt.timedelta(days=dt.date.today().weekday()) - dt.timedelta(weeks=1)


def history(engine) -> None:
    add_user(engine)  # amy
    synthetic.weekly_history(engine, accounts=300, weeks=60, last_week=LAST_WEEK, signal=1.5)


@pytest.fixture(scope="module")
def model_database(tmp_path_factory) -> str:
    return database_at(tmp_path_factory.mktemp("churn_model"), history)


@pytest.fixture
def app_database_url(model_database) -> str:
    return model_database


def open_tab(app, username):
    log_in(app, username)
    app.switch_page("pages/score_check.py").run()
    app.session_state["proof_tab"] = "Churn risk model"
    return app.run()


def fits(url) -> int:
    with make_engine(url).connect() as conn:
        return conn.scalar(select(func.count()).select_from(ModelFit))


def test_marketing_sees_no_fit_button(app, model_database):
    open_tab(app, "mark")
    assert not app.exception, [e.value for e in app.exception]
    assert not [b for b in app.button if b.label == "Fit to our history"]
    if fits(model_database) == 0:
        assert "No churn model fitted yet. An admin fits it on this page." in [c.value for c in app.caption]


def test_admin_fits_and_sees_the_card_then_the_risk_shows_on_the_board_and_account(app, model_database):
    open_tab(app, "ada")
    app.button(key="churn_fit").click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.success[0].value.startswith("On the 13 newest weeks it never saw")
    tiles = {m.label: m.value for m in app.metric}
    card = churn_model.card(
        make_engine(model_database), churn_model.latest_fit_id(make_engine(model_database))
    )
    assert tiles["Test AUC"] == f"{card['auc']:.2f}"
    calibration = app.dataframe[0].value
    assert calibration["decile"].tolist() == list(range(1, 11))
    assert calibration["rows"].sum() == card["test"]["rows"]
    assert any("Fitted weights" in s.value for s in app.subheader)
    assert [b for b in app.button if b.label == "Adopt the fitted weights"]
    with make_engine(model_database).connect() as conn:
        assert conn.scalar(select(func.count()).where(AuditLog.action == "fit_churn_model")) == 1
    assert json.loads(json.dumps(card))["method"] == "out_of_time"

    app.switch_page("pages/health.py").run()
    board = app.dataframe[0].value
    assert board["churn_risk"].notna().all() and board["churn_risk"].between(0, 100).all()

    risks = churn_model.risks(make_engine(model_database), LAST_WEEK)
    account_id = int(risks.index[0])
    app.query_params["account"] = str(account_id)
    app.switch_page("pages/account.py").run()
    line = next(m.value for m in app.markdown if m.value.startswith("**Churn risk"))
    assert f"**Churn risk {100 * risks[account_id]:.0f}%** within 90 days" in line


def test_admin_adopts_the_fitted_weights_and_undoes_it(app, model_database):
    engine = make_engine(model_database)
    if churn_model.latest_fit_id(engine) is None:
        churn_model.fit_and_store(engine, churn_model.service.Actor(None, "ada", "Ada", "admin"))
    card = churn_model.card(engine, churn_model.latest_fit_id(engine))
    open_tab(app, "ada")
    app.button(key="churn_weights_adopt").click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert "These fitted weights are in use." in [i.value for i in app.info]
    settings = settings_reads.load_settings(engine)
    assert {dim: settings[f"weight_{dim}"] for dim in card["health_weights"]["proposed"]} == card[
        "health_weights"
    ]["proposed"]
    app.button(key="churn_weights_undo").click()
    app.run()
    settings = settings_reads.load_settings(engine)
    assert {dim: settings[f"weight_{dim}"] for dim in card["health_weights"]["current"]} == card[
        "health_weights"
    ]["current"]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(AuditLog.action == "update_settings")) == 10


def test_admin_adopts_a_profiles_fitted_weights_and_undoes_it(app, model_database):
    engine = make_engine(model_database)
    actor = churn_model.service.Actor(None, "ada", "Ada", "admin")
    if churn_model.latest_fit_id(engine) is None:
        churn_model.fit_and_store(engine, actor)
    # A stored fit whose card proposes Enterprise its own weights, and says Mid-Market had too little churn.
    card = churn_model.card(engine, churn_model.latest_fit_id(engine))
    proposed = {"usage": 50.0, "outcomes": 10.0, "utilisation": 10.0, "feedback": 10.0, "support": 20.0}
    before = dict.fromkeys(
        ("weight_usage", "weight_outcomes", "weight_utilisation", "weight_feedback", "weight_support")
    )
    card["profile_weights"] = {
        "Enterprise": {
            **card["health_weights"],
            "proposed": proposed,
            "proposed_status": "ok",
            "proposed_auc": 0.9,
            "proposed_interval": [0.85, 0.95],
            "before": before,
        },
        "Mid-Market": {
            "proposed": None,
            "before": before,
            "note": "Not enough churn to fit Mid-Market on its own.",
        },
    }
    with engine.begin() as conn:
        stored = ModelFit.__table__.select().where(ModelFit.id == churn_model.latest_fit_id(engine))
        row = conn.execute(stored).mappings().one()
        conn.execute(
            ModelFit.__table__.insert().values({**row, "id": row["id"] + 1, "card": json.dumps(card)})
        )
    open_tab(app, "ada")
    assert "Not enough churn to fit Mid-Market on its own." in [c.value for c in app.caption]
    app.button(key="profile_weights_adopt_Enterprise").click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert "These fitted weights are Enterprise's." in [i.value for i in app.info]
    assert settings_reads.load_profiles(engine)["Enterprise"] == {
        f"weight_{dim}": value for dim, value in proposed.items()
    }
    assert settings_reads.load_settings(engine)["weight_usage"] == card["health_weights"]["current"]["usage"]
    app.button(key="profile_weights_undo_Enterprise").click()
    app.run()
    assert "Enterprise" not in settings_reads.load_profiles(engine)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(AuditLog.action == "update_health_profile")) == 10
