"""The admin page's four views: users, settings, the audit log and the scoring run."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable

import pandas as pd
import streamlit as st

from core import early_warning, export, health, passwords
from core import profiles as profile_rules
from core import settings as settings_rules
from core.roles import ROLE_LABELS
from core.vocabulary import ROLES
from db import scoring, service
from db.reads import users as user_reads
from db.service import Actor
from ui import data, text, writes

PASSWORD_HELP = (
    f"At least {passwords.MIN_LENGTH} characters; any characters; long passphrases welcome, "
    f"up to {passwords.MAX_BYTES} bytes."
)
# What the audit log draws on screen, and the most its CSV carries.
AUDIT_SCREEN_ROWS = 500
AUDIT_EXPORT_ROWS = 100_000
# What each form showed when it was drawn: a save must name it, not what the database holds now.
SHOWN = "admin_shown"


def _forget(keys: Iterable[str]) -> None:
    shown = st.session_state.setdefault(SHOWN, {})
    for key in keys:
        st.session_state.pop(key, None)
        shown.pop(key, None)


def as_shown(widget_key: str, current: object) -> object:
    """current when the form's widget is drawn afresh, else what it showed then (the user may still be typing)."""
    shown = st.session_state.setdefault(SHOWN, {})
    if widget_key not in st.session_state or widget_key not in shown:
        shown[widget_key] = current
    return shown[widget_key]


def show_value(widget_key: str, value: object) -> None:
    """Draw a form's widget afresh with value, which the widget must also take as its default.

    A browser keeps what a widget shows across reruns (a refused edit, the last user added) unless the
    server sets the value through session state; it first draws a widget, in whichever run that is, with
    the default. Streamlit logs a warning the first time a widget gets both.
    """
    if widget_key not in st.session_state:
        st.session_state[widget_key] = value


def attempt_form(write: Callable[[], object], done: str, form_keys: Iterable[str]) -> None:
    """writes.attempt, after which the form starts over from the database (on success and on a stale edit)."""
    keys = list(form_keys)
    writes.attempt(write, done, reset=lambda: _forget(keys))


# --- users ------------------------------------------------------------------------------------------


def users(actor: Actor, table: pd.DataFrame) -> None:
    """Every user, a form to add one, and a chosen user's role, access and password."""
    writes.show_stale()
    st.dataframe(
        table.assign(
            role=table["role"].map(ROLE_LABELS),
            enabled=~table["disabled"].astype(bool),
            **{column: table[column].map(text.visible) for column in ("username", "name", "email")},
        )[["username", "name", "email", "role", "enabled", "created_at"]],
        hide_index=True,
        column_config={
            "username": "Username",
            "name": "Name",
            "email": "Email",
            "role": "Role",
            "enabled": st.column_config.CheckboxColumn("Enabled"),
            "created_at": st.column_config.DatetimeColumn("Created (UTC)", format="D MMM YYYY"),
        },
    )
    left, right = st.columns(2)
    with left:
        _add_user(actor)
    with right:
        _edit_user(actor, table.set_index("id"))


def _add_user(actor: Actor) -> None:
    st.subheader("Add a user")
    keys = ["new_username", "new_name", "new_email", "new_role", "new_password"]
    for key in keys:
        # No role until one is chosen: the service refuses a user without one.
        show_value(key, None if key == "new_role" else "")
    with st.form("admin_add_user"):
        username = st.text_input("Username", max_chars=64, key=keys[0])
        name = st.text_input("Name", max_chars=service.MAX_NAME_LENGTH, key=keys[1])
        email = st.text_input("Email", max_chars=service.MAX_EMAIL_LENGTH, key=keys[2])
        role = st.selectbox(
            "Role", ROLES, index=None, placeholder="Choose a role", format_func=ROLE_LABELS.get, key=keys[3]
        )
        password = st.text_input("Password", type="password", help=PASSWORD_HELP, key=keys[4])
        if st.form_submit_button("Add user", type="primary"):
            attempt_form(
                lambda: service.create_user(data.engine(), actor, username, name, email, role, password),
                f"Added {username.strip()} ({ROLE_LABELS.get(role)}).",
                keys,
            )


def _edit_user(actor: Actor, table: pd.DataFrame) -> None:
    st.subheader("Change a user")
    user_id = st.selectbox(
        "User",
        table.index,
        format_func=lambda i: text.visible(f"{table.at[i, 'username']} · {table.at[i, 'name']}"),
        key="admin_user",
    )
    if user_id is None:
        return
    # A plain int: PostgreSQL's driver cannot bind numpy's.
    user_id = int(user_id)
    role_key, password_key = f"admin_role_{user_id}", f"admin_password_{user_id}"
    row = table.loc[user_id]
    user = as_shown(
        role_key,
        {
            "username": row["username"],
            "role": row["role"],
            "disabled": bool(row["disabled"]),
            "version": int(row["version"]),
        },
    )
    name, version = user["username"], user["version"]
    keys = [role_key, password_key]
    show_value(role_key, user["role"])
    st.markdown(
        f"**{text.literal(name)}** is {ROLE_LABELS[user['role']]}, "
        f"{'disabled' if user['disabled'] else 'enabled'}."
    )
    with st.form(f"admin_role_form_{user_id}"):
        role = st.selectbox(
            "Role", ROLES, index=ROLES.index(user["role"]), format_func=ROLE_LABELS.get, key=role_key
        )
        if st.form_submit_button("Change role"):
            attempt_form(
                lambda: service.change_role(data.engine(), actor, user_id, role, version),
                f"{name} is now {ROLE_LABELS[role]}.",
                keys,
            )
    with st.form(f"admin_password_form_{user_id}", clear_on_submit=True):
        password = st.text_input("New password", type="password", help=PASSWORD_HELP, key=password_key)
        if st.form_submit_button("Reset password"):
            attempt_form(
                lambda: service.reset_password(data.engine(), actor, user_id, password, version),
                f"New password set for {name}; their open sessions have ended.",
                keys,
            )
    disable = not user["disabled"]
    st.caption("Disabling a user ends their open sessions at once; enabling lets them log in again.")
    if st.button(f"{'Disable' if disable else 'Enable'} {text.literal(name)}", key="admin_disable"):
        attempt_form(
            lambda: service.set_user_disabled(data.engine(), actor, user_id, disable, version),
            f"{name} is {'disabled' if disable else 'enabled'}.",
            keys,
        )


# --- settings -------------------------------------------------------------------------------------


def settings(actor: Actor, current: dict[str, float], latest_week: dt.date | None) -> None:
    """Every threshold and weight by group, with its default, a reset, and the weights preview."""
    writes.show_stale()
    st.caption(
        "Thresholds and weights from the domain brief. Changes apply to every page and every user, "
        "and are recorded in the audit log."
    )
    groups: dict[str, list[settings_rules.SettingSpec]] = {}
    for spec in settings_rules.SPECS:
        groups.setdefault(spec.group, []).append(spec)
    weights_group = settings_rules.BY_KEY["weight_usage"].group
    columns = st.columns(2)
    for index, (group, specs) in enumerate(groups.items()):
        keys = [f"setting-{spec.key}" for spec in specs]
        shown = {
            spec.key: float(as_shown(key, current[spec.key])) for spec, key in zip(specs, keys, strict=True)
        }
        for spec, key in zip(specs, keys, strict=True):
            show_value(key, shown[spec.key])
        with columns[index % 2], st.form(f"settings-{group}"):
            st.subheader(group)
            values = {
                spec.key: st.number_input(
                    f"{spec.label} (default {spec.default:g})",
                    min_value=float(spec.minimum),
                    max_value=float(spec.maximum),
                    value=shown[spec.key],
                    step=1.0 if spec.integer else 0.1,
                    format="%g",
                    key=key,
                )
                for spec, key in zip(specs, keys, strict=True)
            }
            buttons = st.container(horizontal=True)
            if buttons.form_submit_button("Save", type="primary"):
                _save_settings(actor, values, shown, f"{group} saved.", keys)
            if buttons.form_submit_button("Reset to defaults"):
                defaults = {spec.key: spec.default for spec in specs}
                _save_settings(actor, defaults, shown, f"{group} reset to the brief's defaults.", keys)
            if group == weights_group and latest_week and buttons.form_submit_button("Preview"):
                _weights_preview({**current, **values}, latest_week)


def _save_settings(
    actor: Actor, values: dict[str, float], shown: dict[str, float], done: str, keys: list[str]
) -> None:
    def save() -> None:
        stored = service.update_settings(data.engine(), actor, values, read=shown)
        if set(stored) & (set(settings_rules.WEIGHT_KEYS) | service.RESCORING_SETTINGS):
            # New weights recombine the stored sub-scores; a setting the sub-scores read rescores the weeks.
            run_scoring(actor, full=False)

    attempt_form(save, done, keys)


def _weights_preview(proposed_settings: dict[str, float], latest_week: dt.date) -> None:
    latest = data.health_board(latest_week, None)
    # Accounts whose segment has a profile keep its values over the proposed global ones.
    proposed = profile_rules.combine(
        latest[list(health.DIMENSIONS)], latest["segment"], proposed_settings, data.health_profiles()
    )
    moved = early_warning.count_band_changes(latest, proposed)
    st.markdown(f"**{moved:,} of {len(latest):,} accounts would change band** (week of {latest_week:%d %b}).")
    show_band_changes(latest, proposed)


def show_band_changes(latest: pd.DataFrame, proposed: pd.DataFrame) -> None:
    """How many accounts would move from each band to each other under the proposed scores (nothing if none)."""
    changes = early_warning.band_changes(latest, proposed)
    if changes.empty:
        return
    changes[["from_band", "to_band"]] = changes[["from_band", "to_band"]].apply(
        lambda column: column.map(health.BAND_LABELS)
    )
    st.dataframe(
        changes,
        hide_index=True,
        column_config={"from_band": "From", "to_band": "To", "accounts": "Accounts"},
    )


# --- the audit log --------------------------------------------------------------------------------


def _readable(value: str | None) -> str:
    """A before or after value as a person reads it: 'role: sales, username: amy' rather than JSON; missing is ''."""
    return "" if value is None or pd.isna(value) else _words(json.loads(value))


def _words(item: object) -> str:
    if isinstance(item, dict):
        return ", ".join(f"{key.replace('_', ' ')}: {_words(inner)}" for key, inner in item.items())
    if isinstance(item, list):
        return ", ".join(_words(inner) for inner in item)
    if isinstance(item, bool):
        return "yes" if item else "no"
    if isinstance(item, float):
        return f"{item:g}"
    return "" if item is None else str(item)


def readable_log(rows: pd.DataFrame) -> pd.DataFrame:
    """Audit rows with before and after as plain text and actions in words."""
    return rows.assign(
        action=rows["action"].str.replace("_", " ").str.capitalize(),
        before=rows["before"].map(_readable),
        after=rows["after"].map(_readable),
    )[["at", "username", "action", "entity", "entity_id", "before", "after"]]


def audit_csv(chosen: user_reads.AuditFilter) -> bytes:
    """Every audit row chosen lets through, up to AUDIT_EXPORT_ROWS, newest first, as a spreadsheet-safe CSV."""
    rows, _ = data.audit_rows(chosen, AUDIT_EXPORT_ROWS)
    return export.to_csv(readable_log(rows))


def audit_log() -> None:
    """Who changed what and when, before and after: filtered in the database, newest first, with its CSV."""
    choices = data.audit_choices()
    left, middle, right = st.columns(3)
    usernames = left.multiselect("User", choices["usernames"], key="audit_users")
    actions = middle.multiselect(
        "Action",
        choices["actions"],
        format_func=lambda action: action.replace("_", " ").capitalize(),
        key="audit_actions",
    )
    entities = right.multiselect("Entity", choices["entities"], key="audit_entities")
    left, right = st.columns(2)
    days = left.date_input("Days (UTC)", value=(), format="DD/MM/YYYY", key="audit_days")
    needle = right.text_input(
        "Contains", placeholder="entity id, before or after, e.g. amy", max_chars=200, key="audit_text"
    )
    start, end = (tuple(days) + (None, None))[:2] if days else (None, None)
    chosen = user_reads.AuditFilter(
        start=start,
        end=end or start,
        usernames=tuple(usernames),
        actions=tuple(actions),
        entities=tuple(entities),
        text=needle,
    )
    rows, total = data.audit_log(chosen, AUDIT_SCREEN_ROWS)
    st.dataframe(
        readable_log(rows),
        hide_index=True,
        column_config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format="D MMM YYYY, HH:mm:ss"),
            "username": "Who",
            "action": "Action",
            "entity": "Entity",
            "entity_id": "Id",
            "before": st.column_config.TextColumn("Before", width="medium"),
            "after": st.column_config.TextColumn("After", width="medium"),
        },
    )
    st.caption(f"Showing {len(rows):,} of {total:,} audit rows, newest first.")
    st.download_button(
        "Download the filtered rows (CSV)",
        lambda: audit_csv(chosen),
        file_name=f"audit-log-{dt.date.today()}.csv",
        mime="text/csv",
        on_click="ignore",
        help=f"Every filtered row, newest first, up to {AUDIT_EXPORT_ROWS:,}; narrow the filters for older rows.",
    )
    if total > AUDIT_EXPORT_ROWS:
        st.caption(
            f"The CSV carries the newest {AUDIT_EXPORT_ROWS:,} of these {total:,} rows; narrow the days for the rest."
        )


# --- the scoring run ------------------------------------------------------------------------------


def run_scoring(actor: Actor, full: bool) -> scoring.RunReport:
    bar = st.progress(0.0, text="Scoring…")
    return service.run_scoring(
        data.engine(),
        actor,
        full=full,
        progress=lambda done, total, week: bar.progress(
            done / total, text=f"Week of {week:%d %b %Y} ({done}/{total})"
        ),
    )


def scoring_run(actor: Actor, latest_week: dt.date | None) -> None:
    """The latest scored week and the buttons that score new weeks or rescore them all."""
    st.caption(
        "Writes a weekly health snapshot for every account. New weeks are scored from the raw data; "
        "after a weights change the stored sub-scores are recombined. `python -m db.scoring` does the same "
        "from a scheduler."
    )
    st.markdown(
        f"Latest scored week: **{latest_week:%d %b %Y}**." if latest_week else "No week has been scored yet."
    )
    waiting = data.why_not_scored()
    if waiting:
        st.info(waiting)
    with st.container(horizontal=True):
        for label, full, key in (
            ("Score new weeks", False, "score_new"),
            ("Rescore every week", True, "score_all"),
        ):
            if st.button(label, type="secondary" if full else "primary", key=key):
                writes.attempt(
                    lambda full=full: run_scoring(actor, full),
                    lambda report: f"{report.sentence()} {report.tasks.sentence()}",
                )
