import datetime as dt

import streamlit as st

from core import kpis, metrics
from ui import auth, charts, data, downloads, numbers, period_picker

actor = auth.require_page("kpis")

st.title("Program KPIs")
current, previous = period_picker.choose("kpis", dt.date.today())
settings = data.settings()


def loyalty_of(period) -> kpis.Loyalty:
    return kpis.loyalty(
        data.survey_daily(),
        data.purchase_daily(),
        data.buyers_between(period.start, period.end),
        data.customers(),
        data.spend(),
        period.start,
        period.end,
    )


def program_of(period) -> kpis.Program:
    return kpis.program(
        data.program_daily(), data.stage_flow(), data.reference_requests(), period.start, period.end
    )


# What each tile says under its value about its target, by the scorecard's status.
TARGET_LINE = {
    "on target": "Target {target} · :green[met]",
    "below target": "Target {target} · :red[not met]",
    "no target": "No target set",
    "no data": "Target {target} · no data yet",
}


def readable_card(card):
    """The scorecard as text in each KPI's unit: '—' for no target or no data, never a raw float or None."""
    shown = card[["kpi", "status"]].copy()
    for column in ("this_period", "previous_period", "target"):
        shown[column] = [
            numbers.MISSING if value != value else numbers.kpi(value, unit)
            for value, unit in zip(card[column], card["unit"], strict=True)
        ]
    shown["change"] = [
        numbers.kpi_change(value, unit) or numbers.MISSING
        for value, unit in zip(card["change"], card["unit"], strict=True)
    ]
    return shown[["kpi", "this_period", "previous_period", "change", "target", "status"]]


loyal, loyal_before = loyalty_of(current), loyalty_of(previous)
work, work_before = program_of(current), program_of(previous)
now = kpis.values(loyal, work)
card = kpis.scorecard(now, kpis.values(loyal_before, work_before), settings)
stem = f"{current.start}-{current.end}"

scorecard_tab, loyalty_tab, program_tab, groups_tab, mouth_tab = st.tabs(
    ["Scorecard", "Loyalty", "Advocate program", "By segment and industry", "Word of mouth"],
    key="kpi_tab",
    on_change="rerun",
)

if scorecard_tab.open:
    with scorecard_tab:
        tiles = st.columns(4)
        for index, row in enumerate(card.itertuples()):
            kpi = kpis.BY_KEY[row.key]
            # A change that shows as zero is no change: no arrow, no colour.
            flat = numbers.kpi_unchanged(row.change, row.unit)
            with tiles[index % 4].container(border=True):
                st.metric(
                    row.kpi,
                    numbers.kpi(row.this_period, row.unit),
                    "no change" if flat else numbers.kpi_change(row.change, row.unit),
                    delta_color="off" if flat else ("normal" if kpi.higher_is_better else "inverse"),
                    delta_arrow="off" if flat else "auto",
                    help=f"{kpi.meaning} {previous.label}: {numbers.kpi(row.previous_period, row.unit)}",
                )
                st.caption(TARGET_LINE[row.status].format(target=numbers.kpi(row.target, row.unit)))
        st.subheader("Against targets")
        st.caption("Targets are admin settings (Admin → Settings → KPI targets).")
        st.dataframe(
            readable_card(card),
            hide_index=True,
            placeholder="—",
            column_config={
                "kpi": "KPI",
                "this_period": current.label,
                "previous_period": previous.label,
                "change": "Change",
                "target": "Target",
                "status": "Status",
            },
        )
        downloads.csv_button(card.drop(columns=["key"]), f"kpi-scorecard-{stem}", "csv_scorecard")

if loyalty_tab.open:
    with loyalty_tab:
        trend = kpis.monthly_trend(data.survey_daily(), current.end)
        left, right = st.columns(2)
        for column, measure, title, domain in (
            (left, "NPS", "NPS", (-100, 100)),
            (right, "CSAT", "CSAT (% satisfied)", (0, 100)),
        ):
            with column:
                st.subheader(f"{title}, last 12 months")
                monthly = trend[trend["measure"] == measure].drop(columns="measure")
                st.altair_chart(charts.monthly_measure(monthly, title, domain))
                downloads.numbers(monthly, f"{measure.lower()}-trend-{current.end}", f"csv_trend_{measure}")
        st.subheader("Why LTV and CAC are what they are")
        parts = loyal.ltv
        st.markdown(
            f"**LTV {numbers.kpi(parts.ltv, 'money')}** = average purchase "
            f"{numbers.kpi(parts.avg_purchase_value, 'money')} × "
            f"{'no data' if parts.purchase_frequency is None else f'{parts.purchase_frequency:.2f}'} "
            f"purchases a customer-year × lifespan "
            f"{'no data' if parts.lifespan_years is None else f'{parts.lifespan_years:.1f} years'} "
            f"(1 ÷ churn: {parts.churned:,} churned over {parts.customer_years:,.0f} customer-years)."
        )
        st.markdown(
            f"**CAC {numbers.kpi(loyal.cac, 'money')}** = acquisition spend {numbers.money(loyal.spend)} "
            f"÷ {loyal.new_customers:,} new customers. **LTV:CAC {numbers.kpi(loyal.ltv_cac, 'times')}**."
        )
        st.markdown(
            f"**Repeat customer rate {numbers.kpi(now['repeat_rate'], 'percent')}**: the share of the customers "
            f"who bought in the period that had bought more than once by its end; "
            f"{loyal.purchases:,} purchases worth {numbers.money(loyal.revenue)}."
        )

if program_tab.open:
    with program_tab:
        tiles = st.columns(3)
        tiles[0].metric("Asks → agreements", f"{work.asks:,} → {work.agreements:,}", border=True)
        tiles[1].metric(
            "Requests fulfilled (on time)",
            f"{work.requests_fulfilled:,} ({numbers.kpi(now['on_time'], 'percent')})",
            border=True,
        )
        tiles[2].metric("Influenced revenue", numbers.money(work.influenced_revenue), border=True)
        st.subheader(f"Advocates by stage on {current.end:%d %b %Y}")
        st.altair_chart(charts.horizontal_bars(work.stages, "advocates", "stage", "Advocates"))
        downloads.numbers(work.stages, f"advocates-by-stage-{current.end}", "csv_stages")

if groups_tab.open:
    with groups_tab:
        by = st.segmented_control("Break down by", ["segment", "industry"], default="segment", key="kpi_by")
        by = by or "segment"
        table = kpis.breakdown(
            data.survey_groups(current.start, current.end),
            data.purchases_between(current.start, current.end),
            data.customers(),
            by,
            current.start,
            current.end,
        )
        st.altair_chart(
            charts.horizontal_bars(
                table.sort_values("nps", ascending=False),
                "nps",
                by,
                f"NPS, {current.label}",
                value_format=".1f",
            )
        )
        st.dataframe(
            table,
            hide_index=True,
            placeholder="—",
            column_config={
                by: by.capitalize(),
                "nps": st.column_config.NumberColumn("NPS", format="%.1f"),
                "nps_responses": st.column_config.NumberColumn("NPS answers", format="localized"),
                "csat": st.column_config.NumberColumn("CSAT %", format="%.1f"),
                "csat_responses": st.column_config.NumberColumn("CSAT answers", format="localized"),
                "customers": st.column_config.NumberColumn("Customers", format="localized"),
                "repeat_rate": st.column_config.NumberColumn("Repeat rate %", format="%.1f"),
                "revenue": st.column_config.NumberColumn("Revenue", format="dollar", step=1),
            },
        )
        downloads.csv_button(table, f"kpis-by-{by}-{stem}", "csv_breakdown")

if mouth_tab.open:
    with mouth_tab:
        st.caption(
            "TARP: satisfied customers tell 5–8 people, dissatisfied ones 10–16. Starts from the customers at the "
            "period's end and its CSAT; change anything to see what it does."
        )
        customers_now = int(kpis.customers_at(data.customers(), current.end).sum())
        inputs = st.columns(4)
        people = inputs[0].number_input(
            "Customers", 0, 10_000_000, customers_now, step=100, key="tarp_customers"
        )
        satisfied = inputs[1].slider("Satisfied %", 0, 100, round(loyal.csat or 65), key="tarp_satisfied")
        tell_good = inputs[2].slider("A satisfied customer tells", 5, 8, 5, key="tarp_tell_satisfied")
        tell_bad = inputs[3].slider("A dissatisfied customer tells", 10, 16, 10, key="tarp_tell_dissatisfied")
        mouth = metrics.tarp_word_of_mouth(people, satisfied / 100, tell_good, tell_bad)
        share = mouth.negative_share
        st.markdown(
            f"**{mouth.positive:,.0f} positive** and **{mouth.negative:,.0f} negative** mentions: "
            f"{'no data' if share is None else f'{share:.0%}'} of all word of mouth is negative."
        )
        talk = kpis.word_of_mouth_table(mouth)
        st.altair_chart(
            charts.horizontal_bars(
                talk, "mentions", "mentions_kind", "Mentions", {"Positive": "#16a34a", "Negative": "#dc2626"}
            )
        )
        downloads.csv_button(talk, "word-of-mouth", "csv_tarp")
