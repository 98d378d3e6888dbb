import streamlit as st

from core import early_warning, health
from core import settings as settings_rules
from db import service
from ui import auth, data

actor = auth.require_page("settings")

st.title("Settings")
st.caption(
    "Thresholds and weights from the domain brief. Changes apply to every page and every user, "
    "and are recorded in the audit log."
)

current = data.settings()
groups: dict[str, list[settings_rules.SettingSpec]] = {}
for spec in settings_rules.SPECS:
    groups.setdefault(spec.group, []).append(spec)


def run_scoring(full: bool) -> None:
    bar = st.progress(0.0, text="Scoring…")
    weeks = service.run_scoring(
        data.engine(),
        actor,
        full=full,
        progress=lambda done, total, week: bar.progress(
            done / total, text=f"Week of {week:%d %b %Y} ({done}/{total})"
        ),
    )
    data.after_write()
    st.toast(f"Scored {weeks} weeks.")


def save(changes: dict[str, float], done: str) -> None:
    try:
        service.update_settings(data.engine(), actor, changes)
    except (service.ValidationError, service.PermissionDenied) as error:
        st.error(str(error))
        return
    data.after_write()
    for key in changes:
        # Let the inputs show the stored values instead of what was typed.
        st.session_state.pop(f"setting-{key}", None)
    if any(key in settings_rules.WEIGHT_KEYS and changes[key] != current[key] for key in changes):
        # Stored sub-scores do not depend on the weights: this only recombines them.
        run_scoring(full=False)
    st.toast(done)
    st.rerun()


WEIGHTS_GROUP = settings_rules.BY_KEY["weight_usage"].group
latest_week = data.latest_scored_week()


columns = st.columns(2)
for index, (group, specs) in enumerate(groups.items()):
    with columns[index % 2], st.form(f"settings-{group}"):
        st.subheader(group)
        values = {
            spec.key: st.number_input(
                f"{spec.label} (default {spec.default:g})",
                min_value=float(spec.minimum),
                max_value=float(spec.maximum),
                value=float(current[spec.key]),
                step=1.0 if spec.integer else 0.1,
                format="%g",
                key=f"setting-{spec.key}",
            )
            for spec in specs
        }
        buttons = st.container(horizontal=True)
        if buttons.form_submit_button("Save", type="primary"):
            save(values, f"{group} saved.")
        if buttons.form_submit_button("Reset to defaults"):
            save({spec.key: spec.default for spec in specs}, f"{group} reset to the brief's defaults.")
        if group == WEIGHTS_GROUP and latest_week and buttons.form_submit_button("Preview"):
            latest = data.health_board(latest_week, None)
            proposed = health.combine(latest[list(health.DIMENSIONS)], {**current, **values})
            moved = early_warning.count_band_changes(latest, proposed)
            st.markdown(
                f"**{moved:,} of {len(latest):,} accounts would change band** (week of {latest_week:%d %b})."
            )
            if moved:
                changes = early_warning.band_changes(latest, proposed)
                changes[["from_band", "to_band"]] = changes[["from_band", "to_band"]].apply(
                    lambda column: column.map(health.BAND_LABELS)
                )
                st.dataframe(
                    changes,
                    hide_index=True,
                    column_config={"from_band": "From", "to_band": "To", "accounts": "Accounts"},
                )

st.subheader("Scoring run")
st.caption(
    "Writes a weekly health snapshot for every account. New weeks are scored from the raw data; "
    "after a weights change the stored sub-scores are recombined. `python -m db.scoring` does the same "
    "from a scheduler."
)
st.markdown(
    f"Latest scored week: **{latest_week:%d %b %Y}**." if latest_week else "No week has been scored yet."
)
with st.container(horizontal=True):
    if st.button("Score new weeks", type="primary", key="score_new"):
        run_scoring(full=False)
        st.rerun()
    if st.button("Rescore every week", key="score_all"):
        run_scoring(full=True)
        st.rerun()
