"""'Does the score work?' over many weeks: the score against one-column rules, and its AUC over time and by group."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from core import score_validation
from core.score_validation import Validation
from ui import text

NO_AUC = "—"


def _auc(value: float | None) -> str:
    return NO_AUC if value is None or pd.isna(value) else f"{value:.2f}"


def _interval(low: float | None, high: float | None) -> str:
    return NO_AUC if low is None or pd.isna(low) else f"{low:.2f}–{high:.2f}"


def _with_text(frame: pd.DataFrame) -> pd.DataFrame:
    """AUC and interval as text, "—" where unknown."""
    return frame.assign(
        auc_text=[_auc(value) for value in frame["auc"]],
        interval=[_interval(low, high) for low, high in zip(frame["low"], frame["high"], strict=True)],
    )


def baselines(found: Validation, horizon: int) -> None:
    """The verdict, then every rule's pooled AUC with its interval and what it rests on."""
    st.markdown(f"**{found.verdict}**")
    for note in found.notes:
        st.info(text.literal(note))
    score = found.rules.iloc[0]
    st.caption(
        f"Every week with {horizon} days of outcome known ({found.weeks} weeks): {score['account_weeks']:,} "
        f"scores of {score['accounts']:,} accounts, {score['churners']:,} of which churned within {horizon} days "
        f"of a scored week. ROC AUC is the chance that an account that churned looked riskier than one that "
        "stayed (0.5: a coin toss). A rule's direction was fixed before looking at the outcome. 95% intervals from "
        f"{score_validation.BOOTSTRAP_RESAMPLES} bootstrap resamples of accounts (the first "
        f"{score_validation.BOOTSTRAP_FIRST} alone where they already fix each end within "
        f"±{score_validation.BOOTSTRAP_PRECISION:g})."
    )
    rules = _with_text(found.rules)
    st.altair_chart(_auc_chart(rules))
    st.dataframe(
        rules[["label", "auc_text", "interval", "direction", "account_weeks", "accounts", "churners"]],
        hide_index=True,
        column_config={
            "label": "Rule",
            "auc_text": st.column_config.TextColumn("ROC AUC"),
            "interval": st.column_config.TextColumn("95% interval"),
            "direction": "Direction, fixed in advance",
            "account_weeks": st.column_config.NumberColumn("Account-weeks", format="localized"),
            "accounts": st.column_config.NumberColumn("Accounts", format="localized"),
            "churners": st.column_config.NumberColumn("Churned accounts", format="localized"),
        },
    )


def _auc_chart(rules: pd.DataFrame) -> alt.LayerChart:
    """Each rule's AUC as a point with its 95% interval, against the coin toss at 0.5."""
    known = rules[rules["auc"].notna()]
    order = list(known["label"])
    base = alt.Chart(known).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=[
            alt.Tooltip("label:N", title="Rule"),
            alt.Tooltip("auc:Q", format=".2f", title="ROC AUC"),
            alt.Tooltip("interval:N", title="95% interval"),
            alt.Tooltip("churners:Q", format=",", title="Churned accounts"),
        ],
    )
    scale = alt.Scale(domain=[0, 1])
    points = base.mark_point(filled=True, size=80).encode(x=alt.X("auc:Q", title="ROC AUC", scale=scale))
    errors = base.mark_errorbar(ticks=True).encode(x=alt.X("low:Q", scale=scale), x2="high:Q")
    chance = alt.Chart(pd.DataFrame({"auc": [0.5]})).mark_rule(strokeDash=[4, 4]).encode(x="auc:Q")
    return (errors + points + chance).properties(height=alt.Step(30))


def over_time(found: Validation, horizon: int) -> None:
    """The score's pooled AUC, its AUC per scored week, and per segment and plan where churn allows."""
    score = found.rules.iloc[0]
    st.metric(
        "ROC AUC over every week",
        _auc(score["auc"]),
        help="Pooled over all the weeks below; the interval resamples accounts.",
    )
    st.caption(
        f"95% interval {_interval(score['low'], score['high'])}; {score['churners']:,} churned accounts of "
        f"{score['accounts']:,}."
    )
    st.subheader("Per scored week")
    st.caption(f"Only weeks with {horizon} days of outcome known. A week without churn has no AUC.")
    weekly = found.weekly.assign(auc_text=[_auc(value) for value in found.weekly["auc"]])
    st.altair_chart(_weekly_chart(weekly))
    for column, title in (("segments", "Per segment"), ("plans", "Per plan")):
        st.subheader(title)
        groups = _with_text(getattr(found, column))
        thin = groups[groups["note"] != ""]
        if not thin.empty:
            st.caption(
                f"An AUC needs at least {score_validation.MIN_CHURNERS} churned accounts: "
                f"{', '.join(str(name) for name in thin['group'])} {'has' if len(thin) == 1 else 'have'} fewer."
            )
        st.dataframe(
            groups[["group", "auc_text", "interval", "accounts", "churners", "note"]],
            hide_index=True,
            column_config={
                "group": title.removeprefix("Per ").capitalize(),
                "auc_text": st.column_config.TextColumn("ROC AUC"),
                "interval": st.column_config.TextColumn("95% interval"),
                "accounts": st.column_config.NumberColumn("Accounts", format="localized"),
                "churners": st.column_config.NumberColumn("Churned accounts", format="localized"),
                "note": "Note",
            },
        )


def _weekly_chart(weekly: pd.DataFrame) -> alt.LayerChart:
    """The score's AUC per week as a line with points (gaps where a week had no churn), the coin toss dashed."""
    base = alt.Chart(weekly).encode(
        x=alt.X("week_start:T", title="Scores of the week starting"),
        tooltip=[
            alt.Tooltip("week_start:T", title="Week"),
            alt.Tooltip("auc_text:N", title="ROC AUC"),
            alt.Tooltip("accounts:Q", format=",", title="Accounts"),
            alt.Tooltip("churners:Q", format=",", title="Churned"),
        ],
    )
    scale = alt.Scale(domain=[0, 1])
    line = base.mark_line(point=True).encode(y=alt.Y("auc:Q", title="ROC AUC", scale=scale))
    chance = alt.Chart(pd.DataFrame({"auc": [0.5]})).mark_rule(strokeDash=[4, 4]).encode(y="auc:Q")
    return (line + chance).properties(height=260)
