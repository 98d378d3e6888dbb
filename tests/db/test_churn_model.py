import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from core import churn_model as cm
from db import churn_model, profiles_write, service, synthetic
from db.models import AuditLog, ChurnRisk, ModelFit
from db.reads import accounts as account_reads
from db.reads import settings as settings_reads
from tests.db.factories import add_user
from tests.db.test_real_exports import run, telecom_workbook

LAST_WEEK = dt.date(2026, 11, 2)
# The day the data ends: the last week's Sunday.
TODAY = LAST_WEEK + dt.timedelta(days=6)


def admin(engine, role: str = "admin") -> service.Actor:
    user_id = add_user(engine, f"user-{role}", role)
    return service.Actor(id=user_id, username=f"user-{role}", name=role, role=role)


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def test_fit_on_weekly_history_is_tested_out_of_time_and_stored_with_its_risks(engine):
    synthetic.weekly_history(engine, accounts=300, weeks=60, last_week=LAST_WEEK, signal=1.5)
    actor = admin(engine)
    fit_id = churn_model.fit_and_store(engine, actor, TODAY)
    card = churn_model.card(engine, fit_id)
    assert card["method"] == cm.OUT_OF_TIME and card["status"] == cm.OK
    # 60 weeks, 90-day horizon (13 weeks of outcome), 13 test weeks: weeks 35–47 are tested; training weeks
    # need their horizon over before week 35 begins: weeks 1–21.
    assert card["test"]["weeks"] == 13 and card["train"]["weeks"] == 21
    assert card["test"]["last_week"] == (LAST_WEEK - dt.timedelta(weeks=13)).isoformat()
    assert card["auc_low"] > 0.5 and card["fitted_by"] == "user-admin"
    assert len(card["calibration"]) == 10
    risks = churn_model.risks(engine, LAST_WEEK)
    alive = len(account_reads.snapshot_sub_scores(engine, LAST_WEEK))
    assert len(risks) == alive and risks.between(0, 1).all()
    assert churn_model.risks(engine, LAST_WEEK - dt.timedelta(weeks=1)).empty  # the fit scored one week
    whys = churn_model.whys(engine)
    assert whys.index.equals(risks.index) and whys.str.contains(" pts").any()
    one = int(risks.index[0])
    assert churn_model.whys(engine, one).to_dict() == {one: whys[one]}
    with engine.connect() as conn:
        audited = conn.execute(
            select(AuditLog.action, AuditLog.entity_id).where(AuditLog.action == "fit_churn_model")
        ).all()
    assert audited == [("fit_churn_model", str(fit_id))]
    # A second fit keeps the first card and replaces the risks.
    second = churn_model.fit_and_store(engine, actor, TODAY)
    assert churn_model.fits(engine)["id"].tolist() == [second, fit_id]
    assert count(engine, ChurnRisk) == alive


@pytest.mark.parametrize("role", ["account_manager", "marketing", "sales"])
def test_only_admins_fit(engine, role):
    synthetic.weekly_history(engine, accounts=20, weeks=30, last_week=LAST_WEEK, signal=1.5)
    with pytest.raises(service.PermissionDenied):
        churn_model.fit_and_store(engine, admin(engine, role), TODAY)
    assert count(engine, ModelFit) == 0


def test_without_churn_there_is_nothing_to_fit(engine):
    synthetic.weekly_history(engine, accounts=20, weeks=30, last_week=LAST_WEEK, signal=0.0)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM churn_events")
    with pytest.raises(churn_model.NothingToFit, match="No churn recorded"):
        churn_model.fit_and_store(engine, admin(engine), TODAY)


def test_one_row_per_customer_is_cross_validated_on_tenure_and_contract(engine):
    synthetic.customers(engine, 1200, TODAY)
    fit_id = churn_model.fit_and_store(engine, admin(engine), TODAY)
    card = churn_model.card(engine, fit_id)
    assert card["method"] == cm.CROSS_VALIDATION and card["auc"] >= 0.8
    assert "why_cross_validation" in card
    assert {item["input"] for item in card["what_matters"][:2]} == {"tenure", "Contract"}
    whys = churn_model.whys(engine)
    # Only customers still active are scored; without weekly scores there is no board week to show them in.
    assert len(whys) == 1200 - card["train"]["churners"]
    assert whys.str.contains("Contract|tenure").all()


def test_adopting_fitted_weights_is_an_audited_settings_change_that_can_be_undone(engine):
    synthetic.weekly_history(engine, accounts=300, weeks=60, last_week=LAST_WEEK, signal=1.5)
    actor = admin(engine)
    fit_id = churn_model.fit_and_store(engine, actor, TODAY)
    weights = churn_model.card(engine, fit_id)["health_weights"]
    assert weights["proposed_status"] == cm.OK
    shown = cm.weights_settings(pd.Series(weights["current"]))
    churn_model.adopt_weights(engine, actor, fit_id, shown)
    settings = settings_reads.load_settings(engine)
    assert {dim: settings[f"weight_{dim}"] for dim in weights["proposed"]} == weights["proposed"]
    adopted = {key: settings[key] for key in shown}
    churn_model.restore_weights(engine, actor, fit_id, adopted)
    assert {key: settings_reads.load_settings(engine)[key] for key in shown} == shown
    with engine.connect() as conn:
        changes = conn.scalar(select(func.count()).where(AuditLog.action == "update_settings"))
    assert changes >= 2


def test_adopting_a_profiles_fitted_weights_writes_the_profile_audited_and_undoable(engine):
    # 1,000 accounts: each of the three segments has enough churn to be fitted on its own.
    synthetic.weekly_history(engine, accounts=1000, weeks=60, last_week=LAST_WEEK, signal=1.5)
    actor = admin(engine)
    segment = account_reads.segments(engine)[0]
    profiles_write.update_profile(engine, actor, segment, {"weight_support": 30})
    fit_id = churn_model.fit_and_store(engine, actor, TODAY)
    fitted = churn_model.card(engine, fit_id)["profile_weights"]
    assert list(fitted) == [segment]
    weights = fitted[segment]
    assert weights["proposed_status"] == cm.OK and weights["current"]["support"] == 30
    shown = {key: weights["before"][key] for key in weights["before"]}
    assert shown["weight_support"] == 30 and shown["weight_usage"] is None
    churn_model.adopt_profile_weights(engine, actor, fit_id, segment, shown)
    own = settings_reads.load_profiles(engine)[segment]
    assert {dim: own[f"weight_{dim}"] for dim in weights["proposed"]} == weights["proposed"]
    with engine.connect() as conn:
        audited = conn.scalar(select(func.count()).where(AuditLog.action == "update_health_profile"))
    assert audited >= 2
    churn_model.restore_profile_weights(engine, actor, fit_id, segment, {key: own.get(key) for key in shown})
    assert settings_reads.load_profiles(engine)[segment] == {"weight_support": 30.0}
    # The global settings were left alone.
    assert settings_reads.load_settings(engine)["weight_usage"] == 30
    with pytest.raises(service.ValidationError, match="no health weights for Nowhere"):
        churn_model.adopt_profile_weights(engine, actor, fit_id, "Nowhere", {})


def test_a_fit_without_signal_offers_no_weights(engine):
    synthetic.weekly_history(engine, accounts=300, weeks=60, last_week=LAST_WEEK, signal=0.0, seed=2)
    actor = admin(engine)
    fit_id = churn_model.fit_and_store(engine, actor, TODAY)
    card = churn_model.card(engine, fit_id)
    assert card["status"] in (cm.CHANCE, cm.NOT_ENOUGH_CHURN)
    if card["health_weights"]["proposed"] is not None:
        assert card["health_weights"]["proposed_status"] != cm.OK
    assert churn_model.risks(engine, LAST_WEEK).empty  # a model no better than chance shows no risks
    with pytest.raises(service.ValidationError, match="no health weights"):
        churn_model.adopt_weights(engine, actor, fit_id, {})


def test_a_telecom_workbooks_columns_that_restate_churn_are_left_out(engine, database_url, tmp_path):
    # 80 customers, every fourth churned: Churn Label, Value and Reason say so by name; the vendor's Churn Score
    # (90 for every churner, 30 for the rest here) by separating them perfectly on its own.
    path = tmp_path / "Telco_customer_churn.xlsx"
    path.write_bytes(telecom_workbook(80))
    assert run("accounts", path, "--url", database_url) == 0
    churn = ("--map", "Churn Value=", "--set", "churned_on=2024-12-31")
    assert run("churn", path, "--url", database_url, *churn) == 0
    card = churn_model.card(engine, churn_model.fit_and_store(engine, admin(engine), TODAY))
    assert card["method"] == cm.CROSS_VALIDATION
    assert card["excluded_inputs"] == {
        "Churn Label": "its name says it records the churn itself ('Churn Label')",
        "Churn Reason": "its name says it records the churn itself ('Churn Reason')",
        "Churn Score": "on its own it separates churned from retained accounts near-perfectly (ROC AUC 1.00)",
        "Churn Value": "its name says it records the churn itself ('Churn Value')",
    }
    inputs = {item["input"] for item in card["coefficients"]}
    assert not {name for name in inputs if name.startswith("Churn")}
    assert {"Contract", "Tenure Months"} <= inputs
