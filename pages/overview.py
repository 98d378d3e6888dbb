import datetime as dt

import streamlit as st

from core import board, health, overview
from ui import auth, book, charts, data, numbers

actor = auth.require_page("overview")

NPS_WINDOW_DAYS = 90

st.title("Overview")
week = data.latest_scored_week()
if week is None:
    st.info(f"No health scores yet. {data.why_not_scored()}")
    st.stop()
as_of = week + dt.timedelta(days=6)
owner_id = book.scope(actor, "scope")
st.caption(f"Data as of {as_of:%d %b %Y}. NPS counts answers from the last {NPS_WINDOW_DAYS} days.")

scored = data.health_board(week, owner_id)
figures = overview.home_figures(
    scored,
    data.nps_counts(as_of - dt.timedelta(days=NPS_WINDOW_DAYS), as_of, owner_id),
    data.open_reference_requests(),
    dt.datetime.now(),
)

tiles = st.columns(5)
tiles[0].metric("Active accounts", f"{figures.accounts:,}")
unknown_arr = int(scored["arr"].isna().sum())
tiles[1].metric(
    "ARR",
    numbers.money(figures.arr),
    help=f"ARR unknown for {unknown_arr:,} accounts (left out of the sum)" if unknown_arr else None,
)
tiles[2].metric(
    "NPS",
    numbers.score(figures.nps),
    help=f"{figures.nps_responses:,} responses; % promoters (9–10) − % detractors (0–6)",
)
tiles[3].metric(
    "Accounts at risk",
    f"{figures.at_risk_accounts:,}",
    f"{numbers.money(figures.at_risk_arr)} ARR",
    delta_color="off",
    delta_arrow="off",
)
tiles[4].metric(
    "Open reference requests",
    f"{figures.open_requests:,}",
    f"{figures.overdue_requests:,} overdue",
    delta_color="red" if figures.overdue_requests else "off",
    delta_arrow="off",
)

left, right = st.columns(2)
with left:
    st.subheader("Accounts by health band")
    bands = board.summarise(scored).by_band
    bands["band"] = bands["band"].map(health.BAND_LABELS)
    st.vega_lite_chart(
        charts.horizontal_bars_spec(bands, "accounts", "band", "Accounts", charts.BAND_COLOURS)
    )
with right:
    st.subheader("Why accounts are at risk")
    reasons = overview.at_risk_reasons(scored)
    if reasons.empty:
        st.info("No account is in the at-risk band.")
    else:
        st.vega_lite_chart(
            charts.horizontal_bars_spec(reasons, "accounts", "dimension", "At-risk accounts (by top reason)")
        )

with st.expander("How these figures are computed"):
    st.markdown(
        "- **Active accounts / ARR**: customers on that date that have not churned.\n"
        "- **Accounts at risk**: health score below the at-risk threshold (admin setting). The score is the "
        "weighted mean of five 0–100 sub-scores — product usage, business outcomes, service utilisation, "
        "customer feedback, support & operations — over the dimensions that have data.\n"
        "- **Top reason**: the dimension that costs the account the most points (weight × (100 − sub-score)).\n"
        "- **Overdue requests**: open or assigned reference requests past their needed-by time."
    )
