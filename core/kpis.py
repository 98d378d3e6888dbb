"""Program KPIs for a period: loyalty (NPS, CSAT, RCR, LTV, CAC), the advocate program, breakdowns and targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from core import metrics, periods, pipeline
from core.advocates import IN_PROGRAM_STAGES
from core.vocabulary import ADVOCATE_STAGES


def answer_counts(survey_daily: pd.DataFrame, kind: str, start: dt.date, end: dt.date) -> pd.Series:
    """Answers of one kind (nps or csat) per score between start and end."""
    rows = survey_daily[(survey_daily["kind"] == kind) & periods.on_days(survey_daily["day"], start, end)]
    return rows.groupby("score")["responses"].sum()


def customers_at(customers: pd.DataFrame, day: dt.date) -> pd.Series:
    """True for the accounts that were customers at the end of day (joined by then, not churned by then)."""
    return (customers["customer_since"] <= pd.Timestamp(day)) & ~(
        customers["churned_on"] <= pd.Timestamp(day)
    )


def spend_between(spend: pd.DataFrame, start: dt.date, end: dt.date) -> float:
    """Acquisition spend of the days start…end: each month's spend spread evenly over its days."""
    month_start = spend["month"].dt.to_period("M").dt.start_time
    month_days = spend["month"].dt.days_in_month
    first = month_start.clip(lower=pd.Timestamp(start))
    last = (month_start + pd.to_timedelta(month_days - 1, unit="D")).clip(upper=pd.Timestamp(end))
    covered = ((last - first).dt.days + 1).clip(lower=0)
    return float((spend["amount"] * covered / month_days).sum())


@dataclass(frozen=True)
class Loyalty:
    nps: float | None
    nps_responses: int
    csat: float | None
    csat_responses: int
    repeat_rate: float | None
    ltv: metrics.LtvParts
    spend: float
    new_customers: int
    cac: float | None
    purchases: int
    revenue: float
    referral_rate: float | None

    @property
    def ltv_cac(self) -> float | None:
        """LTV ÷ CAC; None when either is unknown."""
        return metrics.ratio(self.ltv.ltv, self.cac)


def loyalty(
    survey_daily: pd.DataFrame,
    purchase_daily: pd.DataFrame,
    buyers: pd.Series,
    customers: pd.DataFrame,
    spend: pd.DataFrame,
    start: dt.date,
    end: dt.date,
) -> Loyalty:
    """The loyalty KPIs of the days start…end (see core.metrics for each formula).

    purchase_daily: purchased_on, purchases, amount, referral_purchases per day (any days covering the period);
    buyers: the account of each purchase of the period; customers: customer_since, churned_on, first_purchase."""
    nps_counts = answer_counts(survey_daily, "nps", start, end)
    csat_counts = answer_counts(survey_daily, "csat", start, end)
    bought = purchase_daily[periods.on_days(purchase_daily["purchased_on"], start, end)]
    purchases = int(bought["purchases"].sum())
    new_customers = int(periods.on_days(customers["customer_since"], start, end).sum())
    period_spend = spend_between(spend, start, end)
    return Loyalty(
        nps=metrics.nps_from_counts(nps_counts),
        nps_responses=int(nps_counts.sum()),
        csat=metrics.csat_from_counts(csat_counts),
        csat_responses=int(csat_counts.sum()),
        repeat_rate=metrics.repeat_customer_rate(buyers, customers["first_purchase"], start),
        ltv=metrics.ltv_from_history(purchase_daily, customers, pd.Timestamp(start), pd.Timestamp(end)),
        spend=period_spend,
        new_customers=new_customers,
        cac=metrics.cac(period_spend, new_customers),
        purchases=purchases,
        revenue=float(bought["amount"].sum()),
        referral_rate=metrics.referral_rate(int(bought["referral_purchases"].sum()), purchases),
    )


def monthly_trend(survey_daily: pd.DataFrame, end: dt.date, months: int = 12) -> pd.DataFrame:
    """NPS and CSAT per calendar month for the months up to end's: month, measure ('NPS' or 'CSAT'), value,
    responses (value is NaN for a month without answers)."""
    last = pd.Period(end, freq="M")
    frame = survey_daily.assign(month=survey_daily["day"].dt.to_period("M"))
    frame = frame[(frame["month"] > last - months) & (frame["day"] < periods.day_after(end))]
    counts = frame.groupby(["kind", "month", "score"])["responses"].sum()
    rows = []
    for kind, measure, formula in (
        ("nps", "NPS", metrics.nps_from_counts),
        ("csat", "CSAT", metrics.csat_from_counts),
    ):
        for month in pd.period_range(last - months + 1, last, freq="M"):
            answers = counts[
                (counts.index.get_level_values("kind") == kind)
                & (counts.index.get_level_values("month") == month)
            ]
            answers.index = answers.index.get_level_values("score")
            rows.append((month.start_time, measure, formula(answers), int(answers.sum())))
    return pd.DataFrame(rows, columns=["month", "measure", "value", "responses"]).astype({"value": float})


@dataclass(frozen=True)
class Program:
    stages: pd.DataFrame  # stage (label), advocates — at the period's end
    active_advocates: int
    asks: int
    agreements: int
    assets_published: int
    requests_fulfilled: int
    fulfilled_on_time: int
    influenced_revenue: float

    @property
    def on_time_share(self) -> float | None:
        """Requests fulfilled by their needed-by time ÷ requests fulfilled; None when none were."""
        return metrics.ratio(self.fulfilled_on_time, self.requests_fulfilled)


def stages_at(stage_flow: pd.DataFrame, end: dt.date) -> pd.Series:
    """Advocates in each stage at the end of a day, from the daily net flow into and out of each stage."""
    upto = stage_flow[stage_flow["day"] < periods.day_after(end)]
    return upto.groupby("stage")["change"].sum().reindex(list(ADVOCATE_STAGES), fill_value=0).astype(int)


def program(
    program_daily: pd.DataFrame,
    stage_flow: pd.DataFrame,
    requests: pd.DataFrame,
    start: dt.date,
    end: dt.date,
) -> Program:
    """The advocate program's KPIs of the days start…end.

    Influenced revenue = won amounts of reference requests fulfilled in the period + deals won with an asset
    outside any request in the period (so no deal counts twice).
    """
    daily = program_daily[periods.on_days(program_daily["day"], start, end)].groupby("measure")["value"].sum()
    fulfilled = requests[
        (requests["status"] == "done") & periods.on_days(requests["fulfilled_at"], start, end)
    ]
    won = fulfilled.loc[fulfilled["outcome"] == "won", "won_amount"].sum()
    stages = stages_at(stage_flow, end)
    return Program(
        stages=pd.DataFrame(
            {"stage": [pipeline.STAGE_LABELS[s] for s in stages.index], "advocates": stages.to_numpy()}
        ),
        active_advocates=int(stages[list(IN_PROGRAM_STAGES)].sum()),
        asks=int(daily.get("asks", 0)),
        agreements=int(daily.get("agreements", 0)),
        assets_published=int(daily.get("assets_published", 0)),
        requests_fulfilled=len(fulfilled),
        fulfilled_on_time=int((fulfilled["fulfilled_at"] <= fulfilled["needed_by"]).sum()),
        influenced_revenue=float(won + daily.get("asset_won_revenue", 0.0)),
    )


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str  # points, percent, money, times, count
    meaning: str
    higher_is_better: bool = True
    target_key: str | None = None


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "nps",
        "NPS",
        "points",
        "% promoters (9–10) − % detractors (0–6) of the period's answers.",
        target_key="target_nps",
    ),
    Kpi(
        "csat",
        "CSAT (% satisfied)",
        "percent",
        "Share of 1–5 answers that are 4 or 5.",
        target_key="target_csat",
    ),
    Kpi(
        "repeat_rate",
        "Repeat customer rate",
        "percent",
        "Of the customers who bought in the period, those with more than one purchase by its end.",
        target_key="target_rcr",
    ),
    Kpi(
        "ltv",
        "Customer lifetime value",
        "money",
        "Average purchase × purchases a year × lifespan (1 ÷ churn rate).",
    ),
    Kpi(
        "cac",
        "Customer acquisition cost",
        "money",
        "Acquisition spend of the period ÷ customers acquired in it.",
        higher_is_better=False,
    ),
    Kpi("ltv_cac", "LTV:CAC", "times", "Lifetime value ÷ acquisition cost.", target_key="target_ltv_cac"),
    Kpi(
        "referral_rate",
        "Referral rate",
        "percent",
        "Referral purchases ÷ all purchases of the period.",
        target_key="target_referral_rate",
    ),
    Kpi(
        "active_advocates",
        "Active advocates",
        "count",
        "Advocates agreed or reference-ready at the period's end.",
    ),
    Kpi("asks", "Asks", "count", "First outreach attempts sent (follow-ups not counted)."),
    Kpi("agreements", "Agreements", "count", "Asks answered with a yes in the period."),
    Kpi("assets_published", "Assets published", "count", "Approved assets published in the period."),
    Kpi("requests_fulfilled", "Requests fulfilled", "count", "Reference requests fulfilled in the period."),
    Kpi(
        "on_time",
        "Requests fulfilled on time",
        "percent",
        "Fulfilled by their needed-by time ÷ fulfilled.",
        target_key="target_on_time",
    ),
    Kpi(
        "influenced_revenue",
        "Influenced revenue",
        "money",
        "Deals won with a reference fulfilled in the period, plus deals won with an asset outside any request.",
    ),
)
BY_KEY = {kpi.key: kpi for kpi in KPIS}


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share


def values(loyal: Loyalty, work: Program) -> dict[str, float | None]:
    """Every KPI's value, rates as percentages."""
    return {
        "nps": loyal.nps,
        "csat": loyal.csat,
        "repeat_rate": _percent(loyal.repeat_rate),
        "ltv": loyal.ltv.ltv,
        "cac": loyal.cac,
        "ltv_cac": loyal.ltv_cac,
        "referral_rate": _percent(loyal.referral_rate),
        "active_advocates": work.active_advocates,
        "asks": work.asks,
        "agreements": work.agreements,
        "assets_published": work.assets_published,
        "requests_fulfilled": work.requests_fulfilled,
        "on_time": _percent(work.on_time_share),
        "influenced_revenue": work.influenced_revenue,
    }


def scorecard(
    current: dict[str, float | None], previous: dict[str, float | None], settings: dict[str, float]
) -> pd.DataFrame:
    """Each KPI this period and the one before, the change, its target from settings and whether it is met:
    key, kpi, unit, this_period, previous_period, change, target, status ('on target', 'below target', 'no target',
    'no data')."""
    rows = []
    for kpi in KPIS:
        now, before = current[kpi.key], previous[kpi.key]
        target = settings[kpi.target_key] if kpi.target_key else None
        if now is None:
            status = "no data"
        elif target is None:
            status = "no target"
        else:
            status = "on target" if now >= target else "below target"
        rows.append((kpi.key, kpi.label, kpi.unit, now, before, metrics.delta(now, before), target, status))
    columns = ["key", "kpi", "unit", "this_period", "previous_period", "change", "target", "status"]
    numbers = ["this_period", "previous_period", "change", "target"]
    return pd.DataFrame(rows, columns=columns).astype(dict.fromkeys(numbers, float))


def breakdown(
    survey_groups: pd.DataFrame,
    purchases: pd.DataFrame,
    customers: pd.DataFrame,
    by: str,
    start: dt.date,
    end: dt.date,
) -> pd.DataFrame:
    """Per segment or industry (by) for the days start…end: nps, nps_responses, csat, csat_responses, customers
    (a customer at end), repeat_rate (%) and revenue, from purchases covering the period and customers with
    segment, industry, customer_since, churned_on and first_purchase."""
    counts = survey_groups.groupby([by, "kind", "score"])["responses"].sum()
    group_of = purchases["account_id"].map(customers[by])
    at_end = (customers["customer_since"] <= pd.Timestamp(end)) & ~(
        customers["churned_on"] <= pd.Timestamp(end)
    )
    bought = periods.on_days(purchases["purchased_on"], start, end)
    rows = []
    for group in sorted(customers[by].dropna().unique()):
        answers = {kind: _level(counts, (group, kind)) for kind in ("nps", "csat")}
        mine = purchases[bought & (group_of == group)]
        rows.append(
            {
                by: group,
                "nps": metrics.nps_from_counts(answers["nps"]),
                "nps_responses": int(answers["nps"].sum()),
                "csat": metrics.csat_from_counts(answers["csat"]),
                "csat_responses": int(answers["csat"].sum()),
                "customers": int((at_end & (customers[by] == group)).sum()),
                "repeat_rate": _percent(
                    metrics.repeat_customer_rate(mine["account_id"], customers["first_purchase"], start)
                ),
                "revenue": float(mine["amount"].sum()),
            }
        )
    return pd.DataFrame(rows).astype({"nps": float, "csat": float, "repeat_rate": float})


def _level(counts: pd.Series, key: tuple[str, str]) -> pd.Series:
    """The answers per score under key (group, kind) of a (group, kind, score) count; empty when there are none."""
    try:
        return counts.loc[key]
    except KeyError:
        return pd.Series(dtype=int)


def word_of_mouth_table(mouth: metrics.WordOfMouth) -> pd.DataFrame:
    """The TARP mentions as rows for a chart or CSV: mentions_kind ('Positive', 'Negative'), mentions."""
    return pd.DataFrame(
        {"mentions_kind": ["Positive", "Negative"], "mentions": [mouth.positive, mouth.negative]}
    )
