"""The few chart shapes the pages share, drawn with Altair from already-aggregated frames."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from ui import cache

# Altair checks every part of a chart against the Vega-Lite schema as it is built, which takes half of a chart's
# time on the server; the whole chart is still checked once, when Streamlit draws it (its to_dict()).
alt.utils.schemapi.disable_debug_mode()

BAND_COLOURS = {
    "Healthy": "#16a34a",
    "Watch": "#f59e0b",
    "At risk": "#dc2626",
    "Insufficient data": "#9ca3af",
}


def horizontal_bars(
    frame: pd.DataFrame,
    value: str,
    category: str,
    value_title: str,
    colours: dict[str, str] | None = None,
    value_format: str = ",.0f",
) -> alt.Chart:
    """One labelled bar per category, in the frame's order, with the value printed at the bar's end."""
    order = list(frame[category])
    colour = (
        alt.Color(
            f"{category}:N", scale=alt.Scale(domain=list(colours), range=list(colours.values())), legend=None
        )
        if colours
        else alt.value("#2563eb")
    )
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        # Whole-number values (counts, money) must not get fractional ticks that all read "0" or "1".
        x=alt.X(
            f"{value}:Q",
            title=value_title,
            axis=alt.Axis(
                format=value_format, tickMinStep=1 if value_format.endswith("0f") else alt.Undefined
            ),
        ),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=value_format)],
    )
    bars = base.mark_bar().encode(color=colour)
    labels = base.mark_text(align="left", dx=4).encode(text=alt.Text(f"{value}:Q", format=value_format))
    return (bars + labels).properties(height=alt.Step(34))


@cache.computed(max_entries=256)
def horizontal_bars_spec(
    frame: pd.DataFrame,
    value: str,
    category: str,
    value_title: str,
    colours: dict[str, str] | None = None,
    value_format: str = ",.0f",
) -> dict:
    """horizontal_bars as a Vega-Lite spec for st.vega_lite_chart, built once per frame for every session:
    building and schema-checking an Altair chart costs a page more than all its other work."""
    spec = horizontal_bars(frame, value, category, value_title, colours, value_format).to_dict()
    # Altair's default theme (a 300 px view), which st.altair_chart leaves out too.
    spec.pop("config", None)
    return spec


EVENT_COLOURS = {
    "Ticket": "#dc2626",
    "NPS": "#7c3aed",
    "CSAT": "#0891b2",
    "Milestone": "#16a34a",
    "Outreach": "#f59e0b",
    "CSM sentiment": "#6b7280",
}


def score_history(
    history: pd.DataFrame, events: pd.DataFrame, since: dt.date, today: dt.date
) -> alt.VConcatChart:
    """Weekly health score as a line, with the account's events as marks along the bottom, one row per kind; the
    time axis runs from since to the end of today (a milestone due next year would squeeze the scored weeks)."""
    end = pd.Timestamp(today) + pd.Timedelta(days=1)
    days = alt.Scale(domain=[pd.Timestamp(since).isoformat(), end.isoformat()])
    line = (
        alt.Chart(history)
        .mark_line(point=True, color="#2563eb")
        .encode(
            x=alt.X("week_start:T", title=None, scale=days),
            y=alt.Y("score:Q", title="Health score", scale=alt.Scale(domain=[0, 100])),
            tooltip=[alt.Tooltip("week_start:T", title="Week of"), alt.Tooltip("score:Q", format=".0f")],
        )
    )
    marks = (
        alt.Chart(events)
        .mark_tick(thickness=2, size=14)
        .encode(
            x=alt.X("at:T", title="Date", scale=days),
            y=alt.Y("kind:N", title=None, axis=alt.Axis(orient="right")),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=list(EVENT_COLOURS), range=list(EVENT_COLOURS.values())),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("at:T", title="When"),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("detail:N", title="Detail"),
            ],
        )
        .properties(height=150)
    )
    return alt.vconcat(line.properties(height=260), marks).resolve_scale(x="shared")


RATE_COLOURS = {"Response rate": "#2563eb", "Agreement rate": "#16a34a"}


def rates_with_intervals(rates: pd.DataFrame, group: str, group_title: str) -> alt.LayerChart:
    """Response and agreement rate per group as side-by-side bars with their 95% Wilson intervals as error bars."""
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    group: rates[group].astype(str),
                    "measure": label,
                    "rate": rates[f"{prefix}_rate"],
                    "low": rates[f"{prefix}_low"],
                    "high": rates[f"{prefix}_high"],
                    "n": rates["attempts"],
                }
            )
            for prefix, label in (("response", "Response rate"), ("agreement", "Agreement rate"))
        ]
    )
    order = list(rates[group].astype(str))
    base = alt.Chart(long).encode(
        x=alt.X(f"{group}:N", sort=order, title=group_title, axis=alt.Axis(labelAngle=0, labelLimit=120)),
        xOffset=alt.XOffset("measure:N", sort=list(RATE_COLOURS)),
        color=alt.Color(
            "measure:N",
            scale=alt.Scale(domain=list(RATE_COLOURS), range=list(RATE_COLOURS.values())),
            legend=alt.Legend(title=None, orient="top"),
        ),
        tooltip=[
            alt.Tooltip(f"{group}:N", title=group_title),
            alt.Tooltip("measure:N", title="Measure"),
            alt.Tooltip("rate:Q", format=".0%", title="Rate"),
            alt.Tooltip("low:Q", format=".0%", title="95% low"),
            alt.Tooltip("high:Q", format=".0%", title="95% high"),
            alt.Tooltip("n:Q", format=",", title="Asks"),
        ],
    )
    bars = base.mark_bar().encode(
        y=alt.Y("rate:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]))
    )
    errors = base.mark_errorbar(ticks=True).encode(y="low:Q", y2="high:Q", color=alt.value("#111827"))
    return (bars + errors).properties(height=260)


def monthly_measure(trend: pd.DataFrame, value_title: str, domain: tuple[float, float]) -> alt.VConcatChart:
    """A monthly measure as a line (gaps where a month had no answers) over the number of answers it rests on."""
    frame = trend.assign(label=trend["month"].dt.strftime("%b %y"))
    months = list(frame["label"])
    line = (
        alt.Chart(frame)
        .mark_line(point=True, color="#2563eb")
        .encode(
            x=alt.X("label:O", sort=months, title=None, axis=None),
            y=alt.Y("value:Q", title=value_title, scale=alt.Scale(domain=list(domain))),
            tooltip=[
                alt.Tooltip("label:O", title="Month"),
                alt.Tooltip("value:Q", title=value_title, format=".1f"),
                alt.Tooltip("responses:Q", title="Responses", format=","),
            ],
        )
        .properties(height=200)
    )
    answers = (
        alt.Chart(frame)
        .mark_bar(color="#94a3b8")
        .encode(
            x=alt.X("label:O", sort=months, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("responses:Q", title="Responses", axis=alt.Axis(format="~s", tickCount=3)),
            tooltip=[alt.Tooltip("label:O", title="Month"), alt.Tooltip("responses:Q", format=",")],
        )
        .properties(height=70)
    )
    return alt.vconcat(line, answers, spacing=6)


WEEK_COLOURS = {"Last week": "#94a3b8", "This week": "#2563eb"}


def week_comparison(summary: pd.DataFrame) -> alt.Chart:
    """Last week's and this week's count of each measure as paired bars (measures known for both weeks)."""
    known = summary.dropna(subset=["last_week", "this_week"])
    known = known[known["measure"] != "Purchase revenue"]
    long = known.melt(
        id_vars=["measure"], value_vars=["last_week", "this_week"], var_name="week", value_name="count"
    ).replace({"week": {"last_week": "Last week", "this_week": "This week"}})
    colour = alt.Color(
        "week:N", scale=alt.Scale(domain=list(WEEK_COLOURS), range=list(WEEK_COLOURS.values())), title=None
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("measure:N", sort=list(known["measure"]), title=None, axis=alt.Axis(labelLimit=240)),
            yOffset=alt.YOffset("week:N", sort=list(WEEK_COLOURS)),
            x=alt.X("count:Q", title="Count", axis=alt.Axis(format=",.0f", tickMinStep=1)),
            color=colour,
            tooltip=["measure:N", "week:N", alt.Tooltip("count:Q", format=",.0f")],
        )
        .properties(height=alt.Step(12))
    )


def score_drops(drops: pd.DataFrame) -> alt.Chart:
    """The biggest weekly score drops as bars, one per account, largest first."""
    return horizontal_bars(
        drops.assign(points=-drops["change"]), "points", "name", "Points lost this week", value_format=".1f"
    )
