import datetime as dt

import streamlit as st

from core import outreach
from db.reads.advocates import OutreachFilter
from ui import auth, charts, data, downloads

actor = auth.require_page("outreach")

st.title("Outreach effectiveness")
st.caption(
    "Which asks work: response and agreement rates with their 95% intervals. Bars whose intervals "
    "overlap are not shown to differ."
)
choices = data.outreach_choices()
if choices.latest is None:
    st.info("No outreach logged yet.")
    st.stop()

latest = choices.latest
with st.container(horizontal=True):
    period = st.date_input(
        "Asks sent between",
        value=(latest - dt.timedelta(days=365), latest),
        max_value=latest,
        key="outreach_period",
    )
    segments = st.multiselect("Segment", choices.segments, key="outreach_segments")
    industries = st.multiselect("Industry", choices.industries, key="outreach_industries")
    owner_ids = st.multiselect(
        "Owner", list(choices.owners), format_func=choices.owners.get, key="outreach_owners"
    )
start, end = period if len(period) == 2 else (period[0], period[0])
chosen = OutreachFilter(start, end, tuple(segments), tuple(industries), tuple(int(o) for o in owner_ids))
tally = data.outreach_tally(chosen)
if tally.empty:
    st.info("No outreach matches these filters.")
    st.stop()

by_channel = outreach.rates(tally, "channel")
st.markdown(f"**{outreach.finding(by_channel)}**")


def tiles(counts, shares, share_of: str) -> None:
    """One metric tile per stage: its count and, after the first, its share of the first."""
    for index, (tile, (stage, count), share) in enumerate(
        zip(st.columns(4), counts.items(), shares, strict=False)
    ):
        tile.metric(
            stage,
            f"{count:,}",
            None if index == 0 or share != share else f"{share:.0%} of {share_of}",
            delta_arrow="off",
            delta_color="off",
        )


asks = outreach.ask_totals(tally)
st.markdown("**Asks** — every ask and follow-up counts once, as in the charts below")
tiles(dict(zip(asks["stage"], asks["asks"], strict=True)), asks["share_of_sent"], "asks sent")
funnel = outreach.funnel(data.outreach_funnel(chosen))
st.markdown("**Advocates** — each person counts once, however often asked")
tiles(
    dict(zip(funnel["stage"], funnel["advocates"], strict=True)), funnel["share_of_asked"], "advocates asked"
)


VIEWS = {
    "channel": ("By channel", "Channel"),
    "owner_role": ("By owner role", "Owner role"),
    "follow_up_number": ("By follow-up number", "Follow-up (0 = the ask)"),
    "month": ("By month", "Month"),
}
# One view at a time: the open tab's chart alone is built and drawn.
tabs = st.tabs([title for title, _ in VIEWS.values()], key="outreach_view", on_change="rerun")
for tab, (by, (_, axis)) in zip(tabs, VIEWS.items(), strict=True):
    if tab.open:
        with tab:
            st.caption("Share of asks answered and agreed, with 95% intervals; n = asks")
            frame = outreach.labelled(by_channel if by == "channel" else outreach.rates(tally, by), by)
            st.altair_chart(charts.rates_with_intervals(frame, by, axis))
            downloads.numbers(frame, f"outreach-{by}-{start}-{end}", f"csv_{by}")

st.subheader("Time to response")
timing = outreach.time_to_response(data.response_days(chosen))
st.dataframe(
    timing,
    hide_index=True,
    placeholder="—",
    column_config={
        "channel": "Channel",
        "responses": st.column_config.NumberColumn("Answers", format="localized"),
        "median_days": st.column_config.NumberColumn("Half answered within (days)", format="%d"),
        "p75_days": st.column_config.NumberColumn("Three in four answered within (days)", format="%d"),
    },
)
downloads.csv_button(timing, f"outreach-time-to-response-{start}-{end}", "csv_time-to-response")
