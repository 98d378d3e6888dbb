"""The admin page under AppTest: users, settings, the audit log and the scoring run, on a fresh database per test."""

import datetime as dt

import bcrypt
import pytest
import streamlit as st
from sqlalchemy import insert, select, update
from streamlit.testing.v1 import AppTest

from db import service
from db.engine import make_engine
from db.models import AuditLog, User
from db.reads import settings as settings_reads
from db.reads import users as user_reads
from tests.db.factories import add_user, build_book
from tests.pages.conftest import PASSWORD, ROLE_USERS, database_at, log_in, page_file
from ui import admin_views, data
from ui.text import literal


def with_second_admin(engine) -> None:
    build_book(engine)
    add_user(engine, "bob", "admin")


@pytest.fixture
def app_database_url(tmp_path) -> str:
    """The small book with ada (admin), amy, mark and sam, and bob, a second admin."""
    return database_at(tmp_path, with_second_admin)


@pytest.fixture
def app_engine(app_database_url):
    database = make_engine(app_database_url)
    yield database
    database.dispose()


def bob(app_engine) -> service.Actor:
    with app_engine.connect() as conn:
        bob_id = conn.scalar(select(User.id).where(User.username == "bob"))
    return service.Actor(id=bob_id, username="bob", name="Bob", role="admin")


def stored_user(app_engine, username: str):
    with app_engine.connect() as conn:
        return conn.execute(select(User).where(User.username == username)).one()


def open_admin(app: AppTest, tab: str = "Users") -> AppTest:
    log_in(app, "ada")
    app.switch_page("pages/admin.py").run()
    if tab != "Users":
        app.session_state["admin_tab"] = tab
        app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def choose_user(app: AppTest, app_engine, username: str) -> int:
    user_id = stored_user(app_engine, username).id
    app.selectbox(key="admin_user").set_value(user_id).run()
    return user_id


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def form_of(app: AppTest, key: str):
    return next(f for f in app.get("form") if any(n.key == key for n in f.number_input))


def warnings(app: AppTest) -> list[str]:
    return [w.value for w in app.warning]


def errors(app: AppTest) -> list[str]:
    return [e.value for e in app.error]


def showing(app: AppTest) -> str:
    return next(c.value for c in app.caption if c.value.startswith("Showing"))


def browser_keeps_its_own(widget) -> bool:
    """True when a browser would go on showing what the widget showed before this rerun.

    A browser keeps a widget's value across reruns of the same widget id (a keyed widget's id is its key)
    unless the server sends one with set_value. AppTest shows the server's value either way, so what
    a person sees is asked of the proto.
    """
    return not widget.proto.set_value


def test_admin_sees_the_six_tabs_and_every_user(app):
    open_admin(app)
    assert app.title[0].value == "Admin"
    assert [tab.label for tab in app.tabs] == [
        "Users",
        "Settings",
        "Health profiles",
        "Audit log",
        "Scoring run",
        "Data coverage",
    ]
    table = app.dataframe[0].value
    assert table["username"].tolist() == ["ada", "amy", "bob", "mark", "sam"]
    assert table.set_index("username").loc["amy", "role"] == "Account manager"
    assert table["enabled"].all()
    assert [t.help for t in app.text_input if t.label == "Password"] == [admin_views.PASSWORD_HELP]
    assert admin_views.PASSWORD_HELP == (
        "At least 8 characters; any characters; long passphrases welcome, up to 72 bytes."
    )


@pytest.mark.parametrize("role", ["account_manager", "marketing", "sales"])
def test_other_roles_are_refused_on_the_admin_page_file(environment, role):
    direct = page_file("admin.py").run()
    direct.text_input[0].input(ROLE_USERS[role])
    direct.text_input[1].input(PASSWORD)
    direct.button[0].click()
    direct.run()
    label = {"account_manager": "Account manager", "marketing": "Marketing", "sales": "Sales"}[role]
    assert [e.value for e in direct.error] == [
        f"Admin is not available to the {label} role. The pages you can open are in the menu on the left."
    ]
    assert not direct.title and not direct.tabs and not direct.number_input


def test_a_right_to_left_override_in_a_name_cannot_reorder_it(app, app_engine):
    with app_engine.begin() as conn:
        conn.execute(update(User).where(User.username == "bob").values(name="Bob\u202enimda"))
    open_admin(app)
    assert app.dataframe[0].value.set_index("username").loc["bob", "name"] == "Bob\ufffdnimda"
    assert "bob · Bob\ufffdnimda" in app.selectbox(key="admin_user").options


def test_admin_creates_a_user(app, app_engine):
    open_admin(app)
    app.text_input(key="new_username").input("nia")
    app.text_input(key="new_name").input("Nia North")
    app.text_input(key="new_email").input("nia@example.com")
    app.selectbox(key="new_role").set_value("sales")
    app.text_input(key="new_password").input("a long enough passphrase")
    button(app, "Add user").click().run()
    assert not app.error
    nia = stored_user(app_engine, "nia")
    assert (nia.name, nia.role, nia.version) == ("Nia North", "sales", 1)
    assert bcrypt.checkpw(b"a long enough passphrase", nia.password_hash.encode())
    assert "nia" in app.dataframe[0].value["username"].tolist()
    assert app.text_input(key="new_username").value == ""


def test_a_short_password_is_refused_with_the_rule(app, app_engine):
    open_admin(app)
    app.text_input(key="new_username").input("nia")
    app.selectbox(key="new_role").set_value("sales")
    app.text_input(key="new_password").input("short")
    button(app, "Add user").click().run()
    assert errors(app) == [literal("Password must have at least 8 characters.")]
    with app_engine.connect() as conn:
        assert conn.scalar(select(User.id).where(User.username == "nia")) is None


def test_adding_a_user_needs_a_chosen_role(app, app_engine):
    open_admin(app)
    assert app.selectbox(key="new_role").value is None
    assert app.selectbox(key="new_role").placeholder == "Choose a role"
    app.text_input(key="new_username").input("nia")
    app.text_input(key="new_password").input("a long enough passphrase")
    button(app, "Add user").click().run()
    assert errors(app) == [literal("Role: choose one.")]
    with app_engine.connect() as conn:
        assert conn.scalar(select(User.id).where(User.username == "nia")) is None


def test_the_add_form_is_empty_again_in_the_browser_after_adding(app, app_engine):
    open_admin(app)
    app.text_input(key="new_username").input("nia")
    app.selectbox(key="new_role").set_value("sales")
    app.text_input(key="new_password").input("a long enough passphrase")
    button(app, "Add user").click().run()
    assert stored_user(app_engine, "nia").role == "sales"
    for widget in (
        app.text_input(key="new_username"),
        app.text_input(key="new_password"),
        app.selectbox(key="new_role"),
    ):
        assert not browser_keeps_its_own(widget) and not widget.value


def test_admin_changes_a_role(app, app_engine):
    open_admin(app)
    choose_user(app, app_engine, "amy")
    app.selectbox(key=f"admin_role_{stored_user(app_engine, 'amy').id}").set_value("marketing")
    button(app, "Change role").click().run()
    assert not app.error and not app.warning
    amy = stored_user(app_engine, "amy")
    assert (amy.role, amy.version) == ("marketing", 2)
    assert "**amy** is Marketing, enabled." in [m.value for m in app.markdown]
    # The next change names the new version: it goes through.
    app.selectbox(key=f"admin_role_{amy.id}").set_value("sales")
    button(app, "Change role").click().run()
    assert stored_user(app_engine, "amy").role == "sales"


def test_admin_disables_a_user_and_their_sessions_end(app, app_engine):
    open_admin(app)
    choose_user(app, app_engine, "sam")
    before = service.now()
    button(app, "Disable sam").click().run()
    sam = stored_user(app_engine, "sam")
    assert sam.disabled and sam.sessions_valid_from >= before
    assert "sam" not in user_reads.user_credentials(app_engine)["username"].tolist()
    assert not app.dataframe[0].value.set_index("username").loc["sam", "enabled"]
    assert button(app, "Enable sam")


def test_admin_resets_a_password(app, app_engine):
    open_admin(app)
    user_id = choose_user(app, app_engine, "mark")
    app.text_input(key=f"admin_password_{user_id}").input("mark's new passphrase")
    button(app, "Reset password").click().run()
    assert not app.error
    mark = stored_user(app_engine, "mark")
    assert bcrypt.checkpw(b"mark's new passphrase", mark.password_hash.encode())
    assert mark.sessions_valid_from is not None


def test_admin_cannot_disable_themselves(app, app_engine):
    open_admin(app)
    choose_user(app, app_engine, "ada")
    button(app, "Disable ada").click().run()
    assert errors(app) == [literal("User ada: you cannot disable yourself.")]
    assert not stored_user(app_engine, "ada").disabled


def test_a_stale_user_edit_shows_the_message_and_the_current_values(app, app_engine):
    open_admin(app)
    amy_id = choose_user(app, app_engine, "amy")
    app.selectbox(key=f"admin_role_{amy_id}").set_value("sales")
    # Bob saves amy while ada's form still shows her as an account manager.
    service.change_role(app_engine, bob(app_engine), amy_id, "marketing", version=1)
    # Bob saved through this same server, which forgot every cached query: the page now reads version 2.
    st.cache_data.clear()
    button(app, "Change role").click().run()
    assert warnings(app) == [
        literal(
            "bob changed amy since you opened it: role is now Marketing, enabled. "
            "Nothing was saved; the form now shows the current values."
        )
    ]
    role = app.selectbox(key=f"admin_role_{amy_id}")
    assert role.value == "marketing" and not browser_keeps_its_own(role)
    assert "**amy** is Marketing, enabled." in [m.value for m in app.markdown]
    assert stored_user(app_engine, "amy").role == "marketing"
    # The reloaded form carries the current version: trying again goes through.
    app.selectbox(key=f"admin_role_{amy_id}").set_value("sales")
    button(app, "Change role").click().run()
    assert not app.warning and stored_user(app_engine, "amy").role == "sales"


def test_a_stale_settings_save_shows_the_message_and_the_current_values(app, app_engine):
    open_admin(app, "Settings")
    app.number_input(key="setting-target_nps").set_value(50)
    service.update_settings(app_engine, bob(app_engine), {"target_nps": 45}, read={"target_nps": 40})
    st.cache_data.clear()
    form_of(app, "setting-target_nps").button[0].click()
    app.run()
    assert warnings(app) == [
        literal(
            "Target NPS was changed to 45 by bob since you opened the page (you saw 40). "
            "Nothing was saved; the form now shows the current values."
        )
    ]
    nps = app.number_input(key="setting-target_nps")
    assert nps.value == 45 and not browser_keeps_its_own(nps)
    assert settings_reads.load_settings(app_engine)["target_nps"] == 45


def test_after_a_refused_save_the_next_save_of_another_setting_keeps_the_stored_value(app, app_engine):
    open_admin(app, "Settings")
    app.number_input(key="setting-target_nps").set_value(50)
    service.update_settings(app_engine, bob(app_engine), {"target_nps": 45}, read={"target_nps": 40})
    st.cache_data.clear()
    form_of(app, "setting-target_nps").button[0].click()
    app.run()
    nps = app.number_input(key="setting-target_nps")
    if browser_keeps_its_own(nps):
        nps.set_value(50)  # the refused value, still on screen, goes back with the next save
    app.number_input(key="setting-target_csat").set_value(90)
    form_of(app, "setting-target_csat").button[0].click()
    app.run()
    assert not app.warning and not app.error
    stored = settings_reads.load_settings(app_engine)
    assert (stored["target_nps"], stored["target_csat"]) == (45, 90)


def test_a_save_keeps_a_newer_value_of_a_setting_the_form_left_alone(app, app_engine):
    open_admin(app, "Settings")
    app.number_input(key="setting-target_csat").set_value(90)
    service.update_settings(app_engine, bob(app_engine), {"target_nps": 45}, read={"target_nps": 40})
    st.cache_data.clear()
    form_of(app, "setting-target_csat").button[0].click()
    app.run()
    assert not app.warning and not app.error
    stored = settings_reads.load_settings(app_engine)
    assert (stored["target_nps"], stored["target_csat"]) == (45, 90)
    nps = app.number_input(key="setting-target_nps")
    assert nps.value == 45 and not browser_keeps_its_own(nps)


def test_admin_changes_and_resets_a_setting(app, app_engine):
    open_admin(app, "Settings")
    assert app.number_input(key="setting-recircle_days").value == 75
    app.number_input(key="setting-recircle_days").set_value(60)
    form_of(app, "setting-recircle_days").button[0].click()
    app.run()
    assert not app.error
    assert settings_reads.load_settings(app_engine)["recircle_days"] == 60
    assert app.number_input(key="setting-recircle_days").value == 60
    with app_engine.connect() as conn:
        last = conn.execute(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert (last.username, last.entity_id, last.before, last.after) == (
        "ada",
        "recircle_days",
        "75.0",
        "60.0",
    )

    form_of(app, "setting-recircle_days").button[1].click()
    app.run()
    assert settings_reads.load_settings(app_engine)["recircle_days"] == 75
    assert app.number_input(key="setting-recircle_days").value == 75


def test_inconsistent_bands_are_refused_with_a_message(app, app_engine):
    open_admin(app, "Settings")
    app.number_input(key="setting-band_at_risk_below").set_value(90)
    form_of(app, "setting-band_at_risk_below").button[0].click()
    app.run()
    assert literal("at-risk below") in app.error[0].value
    assert settings_reads.load_settings(app_engine)["band_at_risk_below"] == 60


def test_weights_preview_counts_band_changes_before_saving(app, app_engine):
    open_admin(app, "Settings")
    for key in ("weight_usage", "weight_outcomes", "weight_utilisation", "weight_feedback"):
        app.number_input(key=f"setting-{key}").set_value(0)
    weights_form = form_of(app, "setting-weight_usage")
    next(b for b in weights_form.button if b.label == "Preview").click()
    app.run()
    # Support alone: account 2 scores 35 (still at risk), account 1 scores 100 (still healthy).
    assert any("0 of 2 accounts would change band" in m.value for m in app.markdown)
    assert settings_reads.load_settings(app_engine)["weight_usage"] == 30  # nothing saved


def test_scoring_run_is_audited(app, app_engine):
    open_admin(app, "Scoring run")
    app.button(key="score_all").click().run()
    assert not app.exception
    with app_engine.connect() as conn:
        rows = conn.execute(
            select(AuditLog.username, AuditLog.after).where(AuditLog.action == "run_scoring")
        ).all()
    assert [row.username for row in rows] == ["ada"]
    assert '"full": true' in rows[0].after
    # The two weeks the book has, both scored before the test: the run says what it did.
    assert [toast.value for toast in app.toast] == [
        "Scored 0 new weeks; rescored all 2 weeks scored before. Raised 0 new tasks; closed 0 whose condition cleared."
    ]


def test_the_scoring_tab_says_why_weeks_wait(app, app_engine):
    with app_engine.begin() as conn:
        conn.exec_driver_sql(
            "DELETE FROM health_snapshots WHERE week_start = (SELECT MAX(week_start) FROM health_snapshots)"
        )
    open_admin(app, "Scoring run")
    assert [info.value for info in app.info] == [
        "Waiting for the scoring run: 1 week not scored yet. An admin starts it on the Admin page (Scoring run), "
        "or a scheduler runs python -m db.scoring."
    ]


def add_audit_rows(app_engine, count: int) -> None:
    """count settings changes by bob, one a minute from 1 Nov 2026, and one role change by ada on 20 Nov."""
    start = dt.datetime(2026, 11, 1)
    rows = [
        dict(
            at=start + dt.timedelta(minutes=i),
            username="bob",
            action="update_settings",
            entity="setting",
            entity_id="target_nps",
            before=str(40 + i % 10),
            after=str(41 + i % 10),
        )
        for i in range(count)
    ]
    rows.append(
        dict(
            at=dt.datetime(2026, 11, 20, 9, 30),
            username="ada",
            action="change_role",
            entity="user",
            entity_id="2",
            before='{"username": "amy", "role": "account_manager"}',
            after='{"username": "amy", "role": "marketing"}',
        )
    )
    with app_engine.begin() as conn:
        conn.execute(insert(AuditLog), rows)


def test_the_audit_log_filters_in_the_database_and_shows_n_of_m(app, app_engine):
    add_audit_rows(app_engine, 600)
    open_admin(app, "Audit log")
    assert showing(app) == "Showing 500 of 601 audit rows, newest first."
    newest = app.dataframe[0].value.iloc[0]
    assert (newest["username"], newest["action"], newest["before"], newest["after"]) == (
        "ada",
        "Change role",
        "username: amy, role: account_manager",
        "username: amy, role: marketing",
    )
    app.multiselect(key="audit_users").set_value(["ada"]).run()
    assert showing(app) == "Showing 1 of 1 audit rows, newest first."
    app.multiselect(key="audit_users").set_value(["bob"]).run()
    app.date_input(key="audit_days").set_value((dt.date(2026, 11, 1), dt.date(2026, 11, 1))).run()
    # Bob's changes are a minute apart from midnight on 1 Nov: 600 minutes all fall on that day.
    assert showing(app) == "Showing 500 of 600 audit rows, newest first."
    app.multiselect(key="audit_users").set_value([]).run()
    app.date_input(key="audit_days").set_value((dt.date(2026, 11, 20), dt.date(2026, 11, 30))).run()
    assert showing(app) == "Showing 1 of 1 audit rows, newest first."
    app.date_input(key="audit_days").set_value(()).run()
    app.text_input(key="audit_text").input("MARKETING").run()
    assert showing(app) == "Showing 1 of 1 audit rows, newest first."
    app.text_input(key="audit_text").input("45").run()
    # before or after is 45 when i % 10 is 5 or 4: 120 of the 600.
    assert showing(app) == "Showing 120 of 120 audit rows, newest first."


def test_the_audit_csv_carries_every_filtered_row(environment, app_engine):
    add_audit_rows(app_engine, 600)
    csv = admin_views.audit_csv(user_reads.AuditFilter(usernames=("bob",))).decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0] == "at,username,action,entity,entity_id,before,after"
    assert len(lines) == 1 + 600
    assert lines[1] == "2026-11-01 09:59:00,bob,Update settings,setting,target_nps,49,50"


def add_audit_rows_without_values(app_engine) -> None:
    """A logout (no before, no after), a wrong password (after only) and a removal (before only, no entity id)."""
    rows = [
        dict(
            at=dt.datetime(2026, 11, 21, 8, 0),
            username="amy",
            action="log_out",
            entity="user",
            entity_id="2",
            before=None,
            after=None,
        ),
        dict(
            at=dt.datetime(2026, 11, 21, 8, 5),
            username="(login form)",
            action="login_failed",
            entity="login",
            entity_id="amy",
            before=None,
            after='{"address": "10.0.0.7", "failures": 1, "wait_seconds": 0}',
        ),
        dict(
            at=dt.datetime(2026, 11, 21, 8, 10),
            username="ada",
            action="remove_tag",
            entity="asset_tag",
            entity_id=None,
            before='{"name": "fintech"}',
            after=None,
        ),
    ]
    with app_engine.begin() as conn:
        conn.execute(insert(AuditLog), rows)


def test_the_audit_log_shows_rows_without_before_or_after(app, app_engine):
    # A NULL next to text comes out of pd.read_sql as a float NaN (pandas 3), which once crashed the tab.
    add_audit_rows_without_values(app_engine)
    open_admin(app, "Audit log")
    assert showing(app) == "Showing 3 of 3 audit rows, newest first."
    shown = app.dataframe[0].value[["username", "action", "entity", "entity_id", "before", "after"]]
    # The missing entity id is a null cell (NaN once through Arrow), not the text "nan".
    assert shown.astype(object).where(shown.notna(), None).values.tolist() == [
        ["ada", "Remove tag", "asset_tag", None, "name: fintech", ""],
        [
            "(login form)",
            "Login failed",
            "login",
            "amy",
            "",
            "address: 10.0.0.7, failures: 1, wait seconds: 0",
        ],
        ["amy", "Log out", "user", "2", "", ""],
    ]


def test_the_audit_csv_carries_rows_without_before_or_after(environment, app_engine):
    add_audit_rows_without_values(app_engine)
    rows, _ = data.audit_rows(user_reads.AuditFilter(), 10)
    assert rows[["entity_id", "before", "after"]].values.tolist() == [
        [None, '{"name": "fintech"}', None],
        ["amy", None, '{"address": "10.0.0.7", "failures": 1, "wait_seconds": 0}'],
        ["2", None, None],
    ]
    csv = admin_views.audit_csv(user_reads.AuditFilter()).decode("utf-8-sig")
    assert csv.splitlines() == [
        "at,username,action,entity,entity_id,before,after",
        "2026-11-21 08:10:00,ada,Remove tag,asset_tag,,name: fintech,",
        '2026-11-21 08:05:00,(login form),Login failed,login,amy,,"address: 10.0.0.7, failures: 1, wait seconds: 0"',
        "2026-11-21 08:00:00,amy,Log out,user,2,,",
    ]
