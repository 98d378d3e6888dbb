from sqlalchemy import select

from db.engine import make_engine
from db.models import AuditLog
from db.queries import load_settings
from tests.pages.conftest import log_in


def open_settings(app):
    log_in(app, "ada")
    return app.switch_page("pages/settings.py").run()


def form_of(app, key):
    return next(f for f in app.get("form") if any(n.key == key for n in f.number_input))


def test_admin_changes_and_resets_a_setting(app, app_database):
    open_settings(app)
    assert app.number_input(key="setting-recircle_days").value == 75
    app.number_input(key="setting-recircle_days").set_value(60)
    form_of(app, "setting-recircle_days").button[0].click()
    app.run()
    assert not app.error
    engine = make_engine(app_database)
    assert load_settings(engine)["recircle_days"] == 60
    assert app.number_input(key="setting-recircle_days").value == 60
    with engine.connect() as conn:
        last = conn.execute(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert (last.username, last.entity_id, last.before, last.after) == (
        "ada",
        "recircle_days",
        "75.0",
        "60.0",
    )

    form_of(app, "setting-recircle_days").button[1].click()
    app.run()
    assert load_settings(engine)["recircle_days"] == 75
    assert app.number_input(key="setting-recircle_days").value == 75


def test_inconsistent_bands_are_refused_with_a_message(app, app_database):
    open_settings(app)
    app.number_input(key="setting-band_at_risk_below").set_value(90)
    form_of(app, "setting-band_at_risk_below").button[0].click()
    app.run()
    assert "at-risk below" in app.error[0].value
    assert load_settings(make_engine(app_database))["band_at_risk_below"] == 60


def test_weights_preview_counts_band_changes_before_saving(app, app_database):
    open_settings(app)
    for key, value in {
        "weight_usage": 0,
        "weight_outcomes": 0,
        "weight_utilisation": 0,
        "weight_feedback": 0,
    }.items():
        app.number_input(key=f"setting-{key}").set_value(value)
    weights_form = form_of(app, "setting-weight_usage")
    next(b for b in weights_form.button if b.label == "Preview").click()
    app.run()
    # Support alone: account 2 scores 35 (still at risk), account 1 scores 100 (still healthy).
    assert any("0 of 2 accounts would change band" in m.value for m in app.markdown)
    assert load_settings(make_engine(app_database))["weight_usage"] == 30  # nothing saved


def test_scoring_run_from_the_settings_page_is_audited(app, app_database):
    open_settings(app)
    app.button(key="score_all").click().run()
    assert not app.exception
    with make_engine(app_database).connect() as conn:
        assert conn.execute(select(AuditLog.action).where(AuditLog.action == "run_scoring")).first()
