import datetime as dt

import pandas as pd
import streamlit as st

from core import health, periods, proof
from ui import auth, charts, churn_model_views, coverage_views, data, validation_views

actor = auth.require_page("score-check")

st.title("Does the score work?")
st.caption(
    "Take the scores of a past week and check them against what happened next: did the accounts that "
    "churned in the following days score lower than the ones that stayed?"
)
latest = data.latest_scored_week()
if latest is None:
    st.info(f"No health scores yet. {data.why_not_scored()}")
    # Without weekly scores the churn model can still be fitted on one row per customer.
    churn_model_views.panel(actor)
    st.stop()

horizon = st.segmented_control(
    "Churn within",
    [30, 60, 90, 180],
    default=90,
    format_func=lambda d: f"{d} days",
    key="proof_horizon",
    required=True,
)
# The newest week whose whole churn window has already happened.
newest = latest - dt.timedelta(days=horizon)

# Stateful tabs: each runs only when opened (the coverage count reads every active account's raw inputs, the
# baselines every stored score).
backtest_tab, baselines_tab, over_time_tab, coverage_tab, model_tab = st.tabs(
    ["Backtest", "Against simple rules", "Over time and by segment", "Data coverage", "Churn risk model"],
    key="proof_tab",
    on_change="rerun",
)
if coverage_tab.open:
    with coverage_tab:
        coverage_views.panel(latest)
for tab, view in ((baselines_tab, validation_views.baselines), (over_time_tab, validation_views.over_time)):
    if tab.open:
        with tab:
            view(data.validation(periods.week_start(newest), horizon), horizon)
if backtest_tab.open:
    with backtest_tab:
        week = st.date_input(
            "Scores of the week starting",
            value=newest - dt.timedelta(weeks=8),
            max_value=newest,
            key="proof_week",
        )
        week = periods.week_start(week)
        scored = data.health_board(week, None)
        if scored.empty:
            st.info(f"No scores for the week of {week:%d %b %Y}. Pick a later week.")
            st.stop()
        end_of_week = week + dt.timedelta(days=6)
        result = proof.prove(
            scored, data.churned_between(end_of_week, end_of_week + dt.timedelta(days=horizon))
        )

        st.markdown(f"**{proof.verdict(result)}**")
        tiles = st.columns(4)
        tiles[0].metric(
            "ROC AUC",
            "—" if result.auc is None else f"{result.auc:.2f}",
            help="Chance that a churner scored lower than a retained account; 0.5 is a coin toss.",
        )
        tiles[1].metric(
            "At-risk lift",
            "—" if result.lift is None else f"{result.lift:.1f}×",
            help="Churn rate of the at-risk band ÷ churn rate of all accounts.",
        )
        tiles[2].metric("Accounts scored", f"{result.accounts:,}")
        tiles[3].metric("Churned in window", f"{result.churned:,}")

        by_band = result.by_band.assign(
            band=lambda f: f["band"].map(health.BAND_LABELS), churn_pct=lambda f: 100 * f["churn_rate"]
        )
        left, right = st.columns(2)
        with left:
            st.subheader("Churn rate by band")
            st.altair_chart(
                charts.horizontal_bars(
                    by_band.fillna({"churn_pct": 0}),
                    "churn_pct",
                    "band",
                    f"% churned within {horizon} days",
                    charts.BAND_COLOURS,
                    ".1f",
                )
            )
        with right:
            st.subheader("The numbers")
            st.dataframe(
                # A band without accounts has no churn rate: "—", not an empty cell.
                by_band[["band", "accounts", "churned"]].assign(
                    churn_pct=by_band["churn_pct"].map(lambda pct: "—" if pd.isna(pct) else f"{pct:.1f}%")
                ),
                hide_index=True,
                column_config={
                    "band": "Band",
                    "accounts": "Accounts",
                    "churned": "Churned",
                    "churn_pct": st.column_config.TextColumn("Churn rate"),
                },
            )
if model_tab.open:
    with model_tab:
        churn_model_views.panel(actor)
