import datetime as dt

import pandas as pd
import streamlit as st

from core import early_warning, health, roles
from core import profiles as profile_rules
from ui import attribute_views, auth, board_view, charts, data, facts, numbers, text, work_views, writes

actor = auth.require_page("account")

HISTORY_WEEKS = 52

requested = st.query_params.get("account", "")
account = data.account(int(requested)) if requested.isdigit() else None
if account is None:
    st.title("Account health")
    st.warning("No such account. Open one from the Health board.")
    board_view.account_navigation(-1)
    st.stop()

account_id = int(account["id"])
week = data.latest_scored_week()
board_view.account_navigation(account_id)
st.title(text.literal(account["name"]))
writes.show_flash()
st.caption(
    text.literal(
        f"{facts.text(account['segment'])} · {facts.text(account['industry'])} · "
        f"{facts.text(account['region'])} · owner {account['owner'] or 'none'} · "
        f"customer since {facts.day(account['customer_since'], '%b %Y')} · "
        f"renews {facts.day(account['renewal_date'])}"
    )
)
attribute_views.account_section(data.attribute_kinds(), account_id)
board = data.health_board(week, None) if week else None
if board is None or account_id not in board.index:
    st.info("This account has no health score for the latest scored week (new, churned, or not scored yet).")
    st.stop()
row = board.loc[account_id]
settings = profile_rules.for_segment(data.settings(), data.health_profiles(), row["segment"])

breakdown = health.breakdown(row, settings)
# Band gets the widest tile ("Insufficient data"); the top reason is a sentence below the tiles, since a tile
# cuts a dimension's name ("Customer fe…") at 1280 px.
tiles = st.columns([2, 3, 2])
tiles[0].metric(
    "Health score",
    numbers.score_plain(row["score"]),
    None if pd.isna(row["trend"]) else f"{row['trend']:+.0f} in 4 weeks",
)
tiles[1].metric("Band", health.BAND_LABELS[row["band"]])
tiles[2].metric("ARR", facts.money(row["arr"]))
if isinstance(row["top_reason_label"], str):
    st.markdown(
        f"**Top reason: {row['top_reason_label']}** — it loses {breakdown['lost'].iloc[0]:.1f} of the 100 points "
        "a perfect account scores."
    )

if pd.notna(row["churn_risk"]):
    st.markdown(
        f"**Churn risk {row['churn_risk']:.0f}%** within {settings['churn_horizon_days']:.0f} days "
        f"(the fitted churn model): {text.literal(data.churn_whys(account_id).get(account_id, ''))}"
    )

before_day = week - dt.timedelta(weeks=4) + dt.timedelta(days=6)
after_day = week + dt.timedelta(days=6)
before_features = data.account_features(account_id, before_day)
after_features = data.account_features(account_id, after_day)
unknown = None if after_features.empty else health.unknown_inputs(after_features.iloc[0], row)
if unknown:
    st.info(unknown)

left, right = st.columns([2, 3])
with left:
    st.subheader("Where the score comes from")
    st.caption(
        "Points each dimension loses of the 100 a perfect account scores; the biggest bar is the top reason."
    )
    if pd.isna(row["score"]):
        st.info("No score: the dimensions with data carry less than half of the weights.")
    else:
        st.altair_chart(
            charts.horizontal_bars(breakdown, "lost", "dimension", "Points lost", value_format=".1f")
        )
    st.dataframe(
        breakdown,
        hide_index=True,
        # Points lost beside the name: at 1280 px the half-width table shows four columns.
        column_order=["dimension", "lost", "sub_score", "weight", "points"],
        placeholder="—",
        column_config={
            "dimension": "Dimension",
            "lost": st.column_config.NumberColumn("Lost", format="%.1f", help="Points lost of 100"),
            "sub_score": st.column_config.NumberColumn("Sub-score", format="%.0f", help="0–100"),
            "weight": st.column_config.NumberColumn("Weight", format="%.0f"),
            "points": st.column_config.NumberColumn("Earned", format="%.1f", help="Points of the score"),
        },
    )
with right:
    st.subheader("What moved it in the last 4 weeks")
    if before_features.empty or after_features.empty:
        st.info("No score four weeks ago to compare with.")
    else:
        before = health.score_accounts(before_features, settings).iloc[0]
        after = health.score_accounts(after_features, settings).iloc[0]
        total, reasons = early_warning.explain_change(
            before,
            after,
            before_features.iloc[0],
            after_features.iloc[0],
            health.weights_from_settings(settings),
        )
        st.markdown(f"**{early_warning.change_headline(total, reasons)}**")
        for reason in reasons:
            st.markdown(f"- {reason}")
        if not reasons:
            st.caption("No dimension moved by a point or more.")

st.subheader("Score history and events")
since = week - dt.timedelta(weeks=HISTORY_WEEKS - 1)
history = data.score_history((account_id,), since)
today = dt.date.today()
# Up to today: a milestone planned for next year has not happened (nor been missed) yet.
events = data.account_events(account_id, since)
events = events[events["at"] < pd.Timestamp(today + dt.timedelta(days=1))]
st.altair_chart(charts.score_history(history, events, since, today), width="stretch")
with st.expander(f"All {len(events):,} events"):
    st.dataframe(
        events,
        hide_index=True,
        column_config={
            "at": st.column_config.DatetimeColumn("When", format="D MMM YYYY"),
            "kind": "Kind",
            "detail": "Detail",
        },
    )

st.subheader("Calls and e-mails")
work_views.activity_log(account_id)

if roles.may(actor, "record_sentiment") and roles.in_book(actor, account["owner_id"]):
    st.subheader("Your read of this account")
    work_views.sentiment_form(actor, account_id, "account")
