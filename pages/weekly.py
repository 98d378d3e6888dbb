import datetime as dt

import streamlit as st

from core import export, weekly
from ui import auth, charts, data, numbers, weekly_report

actor = auth.require_page("weekly")

# The columns that say why get the room; the rest are short.
WIDE_TEXT = {
    label: st.column_config.TextColumn(label, width="large")
    for label in ("Top reason", "Dimensions that fell", "Why stale", "Comment")
}

# Measure and three short figures fit half of a 1280 px screen beside the menu.
SUMMARY_WIDTHS = {
    "Measure": st.column_config.TextColumn("Measure", width=190),
    **{label: st.column_config.TextColumn(label, width=68) for label in ("Last week", "This week", "Change")},
}

st.title("Weekly review")
weeks = data.scored_weeks()
if len(weeks) < 2:
    st.info("The weekly review needs two scored weeks; run the scoring (Admin → Scoring run).")
    st.stop()

picker, period = st.columns([1, 2], vertical_alignment="center")
week = picker.selectbox(
    "Week",
    weeks[:-1],
    format_func=lambda monday: f"Week of {numbers.day(monday)}",
    key="weekly_week",
    label_visibility="collapsed",
)
period.caption(weekly_report.period(week))
review = data.weekly_review(week)

# The summary in two halves side by side, so the whole week fits above the fold on a 1280×720 projector.
summary = weekly_report.readable_summary(review.summary)
for half, rows in zip(st.columns(2), weekly_report.summary_halves(review.summary), strict=True):
    half.dataframe(
        summary.loc[rows].drop(columns="Area"),
        hide_index=True,
        height="content",
        column_config=SUMMARY_WIDTHS,
    )
with st.container(horizontal=True):
    st.download_button(
        "Download report (HTML)",
        lambda: weekly_report.html(review, dt.datetime.now()),
        file_name=f"weekly-review-{week}.html",
        mime="text/html",
        type="primary",
        key="weekly_html",
        on_click="ignore",
    )
    st.download_button(
        "Summary (CSV)",
        lambda: export.to_csv(review.summary),
        file_name=f"weekly-review-{week}-summary.csv",
        mime="text/csv",
        key="weekly_summary_csv",
        on_click="ignore",
    )
    st.download_button(
        "Every list (CSV)",
        lambda: export.to_csv(weekly.export_table(review)),
        file_name=f"weekly-review-{week}-lists.csv",
        mime="text/csv",
        key="weekly_lists_csv",
        on_click="ignore",
    )

st.altair_chart(charts.week_comparison(review.summary))

# The lists by area, one area at a time: only the open tab's tables are drawn.
tabs = st.tabs(list(weekly_report.LISTS), key="weekly_area", on_change="rerun")
for tab, lists in zip(tabs, weekly_report.LISTS.values(), strict=True):
    if not tab.open:
        continue
    with tab:
        for attribute, heading, text in lists:
            frame = getattr(review, attribute)
            st.subheader(f"{heading} ({len(frame):,})")
            st.caption(text)
            if frame.empty:
                st.markdown("None this week.")
                continue
            if attribute == "biggest_drops":
                st.altair_chart(charts.score_drops(frame))
            st.dataframe(weekly_report.readable(frame), hide_index=True, column_config=WIDE_TEXT)
