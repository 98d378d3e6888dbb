"""The churn-risk model on "Does the score work?": fit it (admins), its model card, calibration and fitted weights."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from core import churn_model, early_warning, health, leakage, roles
from core import profiles as profile_rules
from core import settings as settings_rules
from db import churn_model as store
from db.families import ACCOUNTS, SCORES
from db.service import Actor
from ui import admin_views, data, downloads, text, writes
from ui.cache import loader

METHODS = {
    churn_model.OUT_OF_TIME: "out of time (newest weeks held out)",
    churn_model.CROSS_VALIDATION: "5-fold cross-validation over accounts",
}
STATUS_LABELS = {
    churn_model.OK: "better than chance",
    churn_model.CHANCE: "no better than chance",
    churn_model.NOT_ENOUGH_CHURN: "not enough churn to judge",
}


@loader(ACCOUNTS, SCORES)
def _fits() -> pd.DataFrame:
    return store.fits(data.engine())


@loader(ACCOUNTS, SCORES)
def _card(fit_id: int) -> dict[str, object] | None:
    return store.card(data.engine(), fit_id)


def panel(actor: Actor) -> None:
    """The whole churn-model section: the fit button for admins, then the chosen fit's card."""
    writes.show_flash()
    st.caption(
        "A logistic regression fitted on this book's own history: which accounts churned within "
        f"{data.settings()['churn_horizon_days']:.0f} days of a week, from the five sub-scores and the accounts' "
        "facts (tenure, segment, plan, ARR, custom attributes). It is judged only on data it was not fitted on."
    )
    if roles.may(actor, "fit_churn_model") and st.button(
        "Fit to our history", type="primary", key="churn_fit"
    ):
        with st.spinner("Fitting on the whole history…"):
            writes.attempt(
                lambda: store.fit_and_store(data.engine(), actor), "Fitted; the model card is below."
            )
    fits = _fits()
    if fits.empty:
        st.caption(
            "No churn model fitted yet. "
            + (
                "Fit it with the button above."
                if roles.may(actor, "fit_churn_model")
                else "An admin fits it on this page."
            )
        )
        return
    fit_id = st.selectbox(
        "Model card",
        fits["id"].tolist(),
        format_func=lambda chosen: _fit_label(chosen, fits.set_index("id").loc[chosen]),
        key="churn_fit_shown",
    )
    card = _card(int(fit_id))
    _card_view(card)
    _calibration(card)
    _what_matters(card)
    _weights(actor, int(fit_id), card)
    _profile_weights(actor, int(fit_id), card)
    st.download_button(
        "Download this model card (JSON)",
        json.dumps(card, indent=2).encode("utf-8"),
        file_name=f"churn-model-card-{fit_id}.json",
        mime="application/json",
        on_click="ignore",
        key="churn_card_json",
    )


def _fit_label(fit_id: int, row: pd.Series) -> str:
    auc = "" if pd.isna(row["test_auc"]) else f", test AUC {row['test_auc']:.2f}"
    return f"Fit {fit_id} of {pd.Timestamp(row['fitted_at']):%d %b %Y %H:%M} by {row['fitted_by']}: {STATUS_LABELS[row['status']]}{auc}"


def _card_view(card: dict[str, object]) -> None:
    verdict = churn_model.verdict(card)
    if card["status"] == churn_model.OK:
        st.success(verdict)
    else:
        st.warning(verdict)
    if card.get("why_cross_validation"):
        st.caption(card["why_cross_validation"])
    left_out = leakage.note(card.get("excluded_inputs") or {})
    if left_out:
        st.info(text.literal(left_out))
    test, train = card["test"], card["train"]
    tiles = st.columns(4)
    interval = "" if card["auc_low"] is None else f"95% interval {card['auc_low']:.2f}–{card['auc_high']:.2f}"
    tiles[0].metric(
        "Test AUC",
        "—" if card["auc"] is None else f"{card['auc']:.2f}",
        interval or None,
        delta_color="off",
        delta_arrow="off",
        help="Measured on data the model was not fitted on; never the training set.",
    )
    tiles[1].metric(
        "Brier score", f"{card['brier']:.3f}", help="Mean squared error of the risk: 0 is perfect."
    )
    tiles[2].metric(
        "Test churners",
        f"{test['churners']:,}",
        f"of {test['accounts']:,} accounts",
        delta_color="off",
        delta_arrow="off",
    )
    tiles[3].metric("Validation", METHODS[card["method"]])
    if card["method"] == churn_model.OUT_OF_TIME:
        st.caption(
            f"Trained on {train['weeks']} weeks ({train['first_week']} to {train['last_week']}: {train['rows']:,} "
            f"account-weeks, {train['churners']:,} churners); tested on {test['weeks']} weeks ({test['first_week']} "
            f"to {test['last_week']}: {test['rows']:,} account-weeks). Risks now are for the week of "
            f"{card['risk_week']}, from the model refitted on every week whose outcome is known. "
            f"Fitted {card['fitted_at']} by {card['fitted_by']}."
        )
    else:
        st.caption(
            f"{train['rows']:,} customers, {train['churners']:,} churned. Fitted {card['fitted_at']} by {card['fitted_by']}."
        )


def _calibration(card: dict[str, object]) -> None:
    table = pd.DataFrame(card["calibration"])
    table["predicted_pct"] = 100 * table["predicted"]
    table["observed_pct"] = 100 * table["observed"]
    st.subheader("Calibration: predicted against observed churn by risk decile")
    long = table.melt(
        id_vars=["decile", "rows"],
        value_vars=["predicted_pct", "observed_pct"],
        var_name="what",
        value_name="pct",
    ).replace({"what": {"predicted_pct": "Predicted", "observed_pct": "Observed"}})
    chart = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("decile:O", title="Risk decile (1 = lowest risk)"),
            y=alt.Y("pct:Q", title="% churned within the horizon"),
            color=alt.Color("what:N", title=None),
            tooltip=["decile", "what", alt.Tooltip("pct:Q", format=".1f"), "rows"],
        )
    )
    left, right = st.columns([3, 2])
    left.altair_chart(chart, width="stretch")
    shown = table[["decile", "rows", "predicted_pct", "observed_pct"]]
    with right:
        st.dataframe(
            shown,
            hide_index=True,
            column_config={
                "decile": "Decile",
                "rows": "Rows",
                "predicted_pct": st.column_config.NumberColumn("Predicted", format="%.1f%%"),
                "observed_pct": st.column_config.NumberColumn("Observed", format="%.1f%%"),
            },
        )
        downloads.csv_button(shown, "churn-model-calibration", "churn_calibration_csv")


def _what_matters(card: dict[str, object]) -> None:
    with st.expander("What the model leans on, and its coefficients"):
        st.dataframe(
            pd.DataFrame(card["what_matters"]),
            hide_index=True,
            column_config={
                "input": "Input",
                "log_odds": st.column_config.NumberColumn("Mean |contribution| (log-odds)", format="%.3f"),
            },
        )
        st.dataframe(
            pd.DataFrame(card["coefficients"]),
            hide_index=True,
            column_config={
                "input": "Input",
                "column": "Column (standardised)",
                "coefficient": st.column_config.NumberColumn("Coefficient", format="%.4f"),
            },
        )


def _weights_table(weights: dict[str, object]) -> None:
    """Current against fitted weights, a row per dimension."""
    frame = pd.DataFrame(
        {
            "dimension": [health.DIMENSION_LABELS[dim] for dim in health.DIMENSIONS],
            "current": [weights["current"][dim] for dim in health.DIMENSIONS],
            "proposed": [weights["proposed"][dim] for dim in health.DIMENSIONS],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        column_config={"dimension": "Dimension", "current": "Current", "proposed": "Fitted"},
    )


def _weights(actor: Actor, fit_id: int, card: dict[str, object]) -> None:
    weights = card.get("health_weights")
    sentence = churn_model.weights_verdict(weights)
    if sentence is None:
        return
    st.subheader("Fitted weights for the health score")
    st.markdown(text.literal(sentence))
    if weights["proposed"] is None:
        return
    _weights_table(weights)
    if weights["proposed_status"] != churn_model.OK:
        return
    current = data.settings()
    in_force = {key: current[key] for key in settings_rules.WEIGHT_KEYS}
    proposed = churn_model.weights_settings(pd.Series(weights["proposed"]))
    before = churn_model.weights_settings(pd.Series(weights["current"]))
    week = data.latest_scored_week()
    if in_force == proposed:
        st.info("These fitted weights are in use.")
        if (
            roles.may(actor, "update_settings")
            and in_force != before
            and st.button("Undo: go back to the weights before", key="churn_weights_undo")
        ):
            writes.attempt(
                lambda: store.restore_weights(data.engine(), actor, fit_id, in_force),
                "Weights restored; the next scoring run recombines the weeks.",
            )
        return
    if week is not None:
        latest = data.health_board(week, None)
        # Segments with weights of their own keep them: adopting changes the global weights.
        moved = profile_rules.combine(
            latest[list(health.DIMENSIONS)],
            latest["segment"],
            {**current, **proposed},
            data.health_profiles(),
        )
        st.markdown(
            f"Adopting them would move **{early_warning.count_band_changes(latest, moved):,} of {len(latest):,}** "
            f"accounts to another band (week of {week:%d %b %Y})."
        )
        admin_views.show_band_changes(latest, moved)
    if roles.may(actor, "update_settings") and st.button(
        "Adopt the fitted weights", key="churn_weights_adopt"
    ):
        writes.attempt(
            lambda: store.adopt_weights(data.engine(), actor, fit_id, in_force),
            "Fitted weights adopted (recorded in the audit log); the next scoring run recombines the weeks.",
        )


def _profile_weights(actor: Actor, fit_id: int, card: dict[str, object]) -> None:
    """Per segment with a health profile: its own fitted weights, or why it has none, and adopting them as the
    profile's weights (an audited profile change, undoable)."""
    fitted = card.get("profile_weights") or {}
    if not fitted:
        return
    st.subheader("Fitted weights per health profile")
    settings, profiles = data.settings(), data.health_profiles()
    for segment, weights in fitted.items():
        st.markdown(f"**{text.literal(segment)}**")
        if weights["proposed"] is None:
            st.caption(text.literal(weights.get("note") or churn_model.weights_verdict(weights)))
            continue
        st.markdown(text.literal(churn_model.weights_verdict(weights)))
        _weights_table(weights)
        if weights["proposed_status"] != churn_model.OK:
            continue
        own = profiles.get(segment, {})
        shown = {key: own.get(key) for key in settings_rules.WEIGHT_KEYS}
        in_force = {key: own.get(key, settings[key]) for key in settings_rules.WEIGHT_KEYS}
        proposed = churn_model.weights_settings(pd.Series(weights["proposed"]))
        may = roles.may(actor, "update_health_profile")
        if in_force == proposed:
            st.info(f"These fitted weights are {text.literal(segment)}'s.")
            if (
                may
                and shown != weights["before"]
                and st.button("Undo: go back to its weights before", key=f"profile_weights_undo_{segment}")
            ):
                writes.attempt(
                    lambda segment=segment, shown=shown: store.restore_profile_weights(
                        data.engine(), actor, fit_id, segment, shown
                    ),
                    f"{segment}'s weights restored; the next scoring run recombines the weeks.",
                )
            continue
        week = data.latest_scored_week()
        if week is not None:
            latest = data.health_board(week, None)
            latest = latest[latest["segment"] == segment]
            moved = profile_rules.combine(
                latest[list(health.DIMENSIONS)], latest["segment"], settings, {segment: {**own, **proposed}}
            )
            st.markdown(
                f"Adopting them would move **{early_warning.count_band_changes(latest, moved):,} of "
                f"{len(latest):,}** {text.literal(segment)} accounts to another band (week of {week:%d %b %Y})."
            )
            admin_views.show_band_changes(latest, moved)
        if may and st.button(
            f"Adopt as {text.literal(segment)}'s weights", key=f"profile_weights_adopt_{segment}"
        ):
            writes.attempt(
                lambda segment=segment, shown=shown: store.adopt_profile_weights(
                    data.engine(), actor, fit_id, segment, shown
                ),
                f"Fitted weights adopted for {segment} (recorded in the audit log); the next scoring run "
                "recombines the weeks.",
            )
