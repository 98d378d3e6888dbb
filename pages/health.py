import datetime as dt

import streamlit as st

from core import board, export, health
from ui import attribute_views, auth, board_view, book, data, facts, numbers

actor = auth.require_page("health")
board_view.open_chosen()

# Rows drawn in the table; the CSV export carries every filtered row.
TABLE_ROWS = 200
SPARKLINE_WEEKS = 12

st.title("Health board")
week = data.latest_scored_week()
if week is None:
    st.info(f"No health scores yet. {data.why_not_scored()}")
    st.stop()

board_view.restore()
owner_id = book.scope(actor, "board_scope")
st.caption(
    f"Scores for the week of {week:%d %b %Y}; 4-week trend against the week of "
    f"{week - dt.timedelta(weeks=4):%d %b}."
)
table = data.filled_board(week, owner_id)

with st.container(horizontal=True):
    owners = st.multiselect(
        "Owner", sorted(table["owner"].dropna().unique()), key="board_owners", disabled=owner_id is not None
    )
    segments = st.multiselect("Segment", sorted(table["segment"].unique()), key="board_segments")
    industries = st.multiselect("Industry", sorted(table["industry"].unique()), key="board_industries")
    bands = st.multiselect(
        "Band", list(health.BAND_LABELS), format_func=health.BAND_LABELS.get, key="board_bands"
    )
    flag = st.selectbox(
        "Flag",
        [None, *board.FLAG_LABELS],
        format_func=lambda f: board.FLAG_LABELS.get(f, "Any"),
        key="board_flag",
    )
    renewal = st.selectbox(
        "Renewal within",
        [None, 30, 60, 90, 180],
        format_func=lambda d: "Any time" if d is None else f"{d} days",
        key="board_renewal",
    )
kinds = data.attribute_kinds()
attribute = attribute_views.board_filter(kinds)
chosen = board.BoardFilter(
    tuple(owners), tuple(segments), tuple(industries), tuple(bands), flag, renewal, attribute
)
# Only the picked attribute's values are read here; the export reads them all when clicked.
filtered, summary = data.board_filtered(week, owner_id, chosen)

tiles = st.columns(6)
for tile, row in zip(tiles, summary.by_band.itertuples(), strict=False):
    tile.metric(
        health.BAND_LABELS[row.band],
        f"{row.accounts:,}",
        f"{numbers.money(row.arr)} ARR",
        delta_color="off",
        delta_arrow="off",
    )
tiles[4].metric("ARR at risk", numbers.money(summary.arr_at_risk))
tiles[5].metric("Sharp drops", f"{summary.new_drops:,}", "in 4 weeks", delta_color="off", delta_arrow="off")

sort = st.selectbox("Sort", list(board.SORTS), key="board_sort")
ordered = data.board_sorted(week, owner_id, chosen, sort)
shown = ordered.head(TABLE_ROWS).copy()
history = data.score_history(tuple(shown.index), week - dt.timedelta(weeks=SPARKLINE_WEEKS - 1))
shown["sparkline"] = board.sparklines(history).reindex(shown.index)
shown["band_label"] = shown["band"].map(health.BAND_LABELS)
shown["flags"] = [
    ", ".join(label for label, flagged in zip(board.FLAG_LABELS.values(), row, strict=True) if flagged)
    for row in shown[list(board.FLAG_LABELS)].itertuples(index=False)
]
shown["arr"] = shown["arr"].map(facts.money)
shown["renewal_date"] = shown["renewal_date"].map(facts.day)
shown["owner"] = shown["owner"].fillna("none")

board_view.remember(ordered.index)
st.dataframe(
    shown[
        [
            "name",
            "score",
            "band_label",
            "churn_risk",
            "trend_arrow",
            "trend",
            "sparkline",
            "arr",
            "renewal_date",
            "top_reason_label",
            "flags",
            "owner",
        ]
    ],
    hide_index=True,
    placeholder="—",
    key=board_view.TABLE,
    on_select=board_view.open_selected,
    selection_mode="single-row",
    column_config={
        "name": "Account",
        "score": st.column_config.NumberColumn("Score", format="%.0f"),
        "band_label": "Band",
        "churn_risk": st.column_config.NumberColumn(
            "Churn risk",
            format="%.0f%%",
            help="The fitted churn model's risk; its why is on the account page.",
        ),
        "trend_arrow": st.column_config.TextColumn("", width="small"),
        "trend": st.column_config.NumberColumn("4-week change", format="%+.0f"),
        "sparkline": st.column_config.LineChartColumn(f"Last {SPARKLINE_WEEKS} weeks", y_min=0, y_max=100),
        "arr": "ARR",
        "renewal_date": "Renewal",
        "top_reason_label": "Top reason",
        "flags": "Flags",
        "owner": "Owner",
    },
)
st.caption(
    f"Showing {len(shown):,} of {len(filtered):,} accounts."
    + (" Select a row to open its account here." if len(shown) else "")
)
st.download_button(
    "Download all filtered accounts (CSV)",
    lambda: export.to_csv(
        board.export_table(ordered, data.attribute_values(tuple(kinds)), data.churn_whys())
    ),
    file_name=f"health-board-{week}.csv",
    mime="text/csv",
    on_click="ignore",
)
