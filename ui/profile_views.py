"""Admin → Health profiles: a segment's own weights and band thresholds, its preview, and the save."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core import early_warning, health
from core import profiles as profile_rules
from core import settings as settings_rules
from db import profiles_write
from db.service import Actor
from ui import admin_views, data, writes


def panel(actor: Actor, latest_week: dt.date | None) -> None:
    """Pick a segment, edit its profile (a value equal to the global setting follows it), preview, save."""
    writes.show_stale()
    segments = data.segments()
    if not segments:
        st.info("No account has a segment yet: import accounts with a segment to give it its own profile.")
        return
    st.caption(
        "Each segment may weigh the five dimensions and draw the bands its own way. A value equal to the global "
        "setting (Settings tab) follows it; accounts without a segment or profile use the global settings."
    )
    settings, profiles = data.settings(), data.health_profiles()
    segment = st.selectbox("Segment", segments, key="profile_segment")
    own = profiles.get(segment, {})
    described = ", ".join(
        f"{settings_rules.BY_KEY[key].label.lower()} {value:g}" for key, value in own.items()
    )
    st.markdown(f"**{segment}**: {described}" if own else f"**{segment}** uses the global settings.")
    keys = [f"profile-{segment}-{key}" for key in profile_rules.PROFILE_KEYS]
    effective = profile_rules.for_segment(settings, profiles, segment)
    shown = {
        key: float(admin_views.as_shown(widget, effective[key]))
        for key, widget in zip(profile_rules.PROFILE_KEYS, keys, strict=True)
    }
    for key, widget in zip(profile_rules.PROFILE_KEYS, keys, strict=True):
        admin_views.show_value(widget, shown[key])
    with st.form(f"profile-{segment}"):
        values = {}
        for key, widget in zip(profile_rules.PROFILE_KEYS, keys, strict=True):
            spec = settings_rules.BY_KEY[key]
            values[key] = st.number_input(
                f"{spec.label} (global {settings[key]:g})",
                min_value=float(spec.minimum),
                max_value=float(spec.maximum),
                value=shown[key],
                step=1.0,
                format="%g",
                key=widget,
            )
        buttons = st.container(horizontal=True)
        read = _overrides(shown, settings)
        if buttons.form_submit_button("Save", type="primary"):
            _save(actor, segment, _overrides(values, settings), read, f"{segment} profile saved.", keys)
        if buttons.form_submit_button("Use the global settings"):
            cleared = dict.fromkeys(profile_rules.PROFILE_KEYS)
            _save(actor, segment, cleared, read, f"{segment} now uses the global settings.", keys)
        if latest_week and buttons.form_submit_button("Preview"):
            preview(segment, {**settings, **values}, latest_week)


def _overrides(values: dict[str, float], settings: dict[str, float]) -> dict[str, float | None]:
    """A profile's values as stored: None where the value is the global setting's."""
    return {key: None if value == settings[key] else value for key, value in values.items()}


def _save(
    actor: Actor,
    segment: str,
    values: dict[str, float | None],
    read: dict[str, float | None],
    done: str,
    keys: list[str],
) -> None:
    def save() -> None:
        stored = profiles_write.update_profile(data.engine(), actor, segment, values, read=read)
        if set(stored) & set(settings_rules.WEIGHT_KEYS):
            # New weights recombine the stored sub-scores of every week.
            admin_views.run_scoring(actor, full=False)

    admin_views.attempt_form(save, done, keys)


def preview(segment: str, proposed: dict[str, float], latest_week: dt.date) -> None:
    """How many of the segment's accounts would change band in the latest week under the proposed profile."""
    latest = data.health_board(latest_week, None)
    latest = latest[latest["segment"] == segment]
    proposed_scores = health.combine(latest[list(health.DIMENSIONS)], proposed)
    moved = early_warning.count_band_changes(latest, proposed_scores)
    st.markdown(
        f"**{moved:,} of {len(latest):,} {segment} accounts would change band** (week of {latest_week:%d %b})."
    )
    admin_views.show_band_changes(latest, proposed_scores)
