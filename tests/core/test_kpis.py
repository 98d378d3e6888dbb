"""Program KPIs on tiny hand-built frames whose every number is worked out by hand."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from core import kpis, metrics
from core.vocabulary import ADVOCATE_STAGES

JAN_1, JAN_31 = dt.date(2026, 1, 1), dt.date(2026, 1, 31)

SETTINGS = {
    "target_nps": 40,
    "target_csat": 85,
    "target_rcr": 70,
    "target_ltv_cac": 3,
    "target_referral_rate": 7.5,
    "target_on_time": 90,
}


def survey(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    """survey_daily rows: (day, kind, score, responses)."""
    return pd.DataFrame(
        {
            "day": pd.to_datetime([r[0] for r in rows]),
            "kind": [r[1] for r in rows],
            "score": [r[2] for r in rows],
            "responses": [r[3] for r in rows],
        }
    )


def purchase_rows(rows: list[tuple[int, str, float, float]]) -> pd.DataFrame:
    """purchases rows: (account_id, purchased_on, amount, referral_id)."""
    return pd.DataFrame(
        {
            "account_id": [r[0] for r in rows],
            "purchased_on": pd.to_datetime([r[1] for r in rows]),
            "amount": [float(r[2]) for r in rows],
            "referral_id": [float(r[3]) for r in rows],
        }
    )


def with_first_purchase(customers: pd.DataFrame, purchases: pd.DataFrame) -> pd.DataFrame:
    """customers with each one's first purchase day (NaT for none), as db.reads.purchases.customers reads them."""
    first = purchases.groupby("account_id")["purchased_on"].min()
    return customers.assign(first_purchase=first.reindex(customers.index))


def daily(purchases: pd.DataFrame) -> pd.DataFrame:
    """Purchases per day, as db.reads.purchases.purchase_daily reads them."""
    return purchases.groupby("purchased_on", as_index=False).agg(
        purchases=("account_id", "size"),
        amount=("amount", "sum"),
        referral_purchases=("referral_id", "count"),
    )


def buyers(purchases: pd.DataFrame, start: dt.date, end: dt.date) -> pd.Series:
    """The account of each purchase of the days start…end, as db.reads.purchases.buyers_between reads them."""
    return purchases.loc[
        purchases["purchased_on"].between(pd.Timestamp(start), pd.Timestamp(end)), "account_id"
    ]


def customer_rows(rows: list[tuple]) -> pd.DataFrame:
    """customers rows: (account_id, customer_since, churned_on or None, segment, industry)."""
    return pd.DataFrame(
        {
            "account_id": [r[0] for r in rows],
            "customer_since": pd.to_datetime([r[1] for r in rows]),
            "churned_on": pd.to_datetime([r[2] for r in rows]),
            "segment": [r[3] for r in rows],
            "industry": [r[4] for r in rows],
        }
    ).set_index("account_id")


def spend_rows(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """spend rows: (month, channel, amount)."""
    return pd.DataFrame(
        {
            "month": pd.to_datetime([r[0] for r in rows]),
            "channel": [r[1] for r in rows],
            "amount": [float(r[2]) for r in rows],
        }
    )


# --- answer_counts -----------------------------------------------------------------------------------------


def test_answer_counts_keeps_one_kind_on_the_days_from_start_to_end_inclusive():
    daily = survey(
        [
            ("2025-12-31", "nps", 0, 9),  # the day before start
            ("2026-01-01", "nps", 10, 2),  # start day: counts
            ("2026-01-15", "nps", 10, 1),
            ("2026-01-15", "nps", 3, 1),
            ("2026-01-31", "nps", 7, 4),  # end day: counts
            ("2026-02-01", "nps", 10, 5),  # the day after end
            ("2026-01-10", "csat", 5, 3),  # another kind
        ]
    )
    nps = kpis.answer_counts(daily, "nps", JAN_1, JAN_31)
    # Score 10: 2 + 1 (Jan 1 and 15); 3: 1; 7: 4. Dec 31, Feb 1 and the CSAT answers stay out.
    assert nps.to_dict() == {3: 1, 7: 4, 10: 3}
    assert kpis.answer_counts(daily, "csat", JAN_1, JAN_31).to_dict() == {5: 3}
    assert kpis.answer_counts(daily, "csat", dt.date(2026, 2, 1), dt.date(2026, 2, 28)).empty


# --- spend_between -----------------------------------------------------------------------------------------

SPEND = spend_rows(
    [
        ("2025-12-01", "content", 310),
        ("2026-01-01", "paid_search", 3_100),  # 31 days: 100 a day
        ("2026-02-01", "events", 2_800),  # 28 days in 2026: 100 a day
        ("2026-03-01", "content", 9_300),
    ]
)


def test_spend_between_spreads_a_month_evenly_over_its_days():
    # Jan 22..31 is 10 of January's 31 days: 3,100 × 10 / 31 = 1,000.
    assert kpis.spend_between(SPEND, dt.date(2026, 1, 22), JAN_31) == pytest.approx(1_000)


def test_spend_between_adds_the_covered_parts_of_two_months():
    # Jan 22..31 (10 days × 100) + Feb 1..5 (5 of 28 days: 2,800 × 5 / 28 = 500) = 1,500.
    assert kpis.spend_between(SPEND, dt.date(2026, 1, 22), dt.date(2026, 2, 5)) == pytest.approx(1_500)


def test_spend_between_a_whole_month_is_its_spend_and_no_overlap_is_zero():
    assert kpis.spend_between(SPEND, JAN_1, JAN_31) == pytest.approx(3_100)
    # The whole year 2025 holds only December's 310.
    assert kpis.spend_between(SPEND, dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == pytest.approx(310)
    assert kpis.spend_between(SPEND, dt.date(2026, 5, 1), dt.date(2026, 5, 31)) == 0.0


# --- repeat_rate -------------------------------------------------------------------------------------------


def test_repeat_rate_of_the_period_buyers_counts_purchases_before_it_but_not_after():
    purchases = purchase_rows(
        [
            (1, "2025-12-10", 100, np.nan),  # before the period: makes account 1 a repeat buyer
            (1, "2026-01-05", 100, np.nan),
            (2, "2026-01-20", 100, np.nan),
            (2, "2026-02-03", 100, np.nan),  # after end: account 2 stays a one-time buyer
            (3, "2026-01-02", 100, np.nan),
            (3, "2026-01-25", 100, np.nan),
            (4, "2025-11-01", 100, np.nan),  # did not buy in January: not counted at all
            (4, "2025-11-02", 100, np.nan),
            (5, "2025-10-01", 100, np.nan),  # bought only before and after January
            (5, "2026-02-10", 100, np.nan),
        ]
    )
    customers = with_first_purchase(pd.DataFrame(index=pd.Index(range(1, 6), name="account_id")), purchases)
    # January's buyers: 1, 2, 3; of them 1 (its first purchase came before) and 3 (2 in January) repeat: 2 / 3.
    first = customers["first_purchase"]
    assert metrics.repeat_customer_rate(buyers(purchases, JAN_1, JAN_31), first, JAN_1) == pytest.approx(
        2 / 3
    )
    # March: nobody bought, so no rate.
    march = dt.date(2026, 3, 1)
    assert metrics.repeat_customer_rate(buyers(purchases, march, dt.date(2026, 3, 31)), first, march) is None


# --- loyalty -----------------------------------------------------------------------------------------------


def book_customers() -> pd.DataFrame:
    customers = customer_rows(
        [
            (1, "2025-01-01", None, "SMB", "Retail"),
            (2, "2026-01-11", None, "SMB", "Software"),  # new in January
            (3, "2026-01-21", None, "Enterprise", "Retail"),  # new in January
            (4, "2024-06-01", "2026-01-16", "Enterprise", "Software"),  # churned in January
        ]
    )
    return with_first_purchase(customers, book_purchases())


def book_purchases() -> pd.DataFrame:
    return purchase_rows(
        [
            (1, "2025-12-15", 500, np.nan),  # before January
            (1, "2026-01-05", 1_000, 7),  # a referral purchase
            (2, "2026-01-12", 2_000, np.nan),
            (3, "2026-01-25", 3_000, np.nan),
            (1, "2026-01-30", 2_000, np.nan),
            (2, "2026-02-02", 900, np.nan),  # after January
        ]
    )


def book_survey() -> pd.DataFrame:
    return survey(
        [
            ("2026-01-03", "nps", 10, 3),
            ("2026-01-04", "nps", 8, 1),
            ("2026-01-31", "nps", 5, 1),
            ("2026-02-01", "nps", 0, 10),  # February
            ("2026-01-10", "csat", 5, 2),
            ("2026-01-10", "csat", 4, 1),
            ("2026-01-11", "csat", 2, 1),
        ]
    )


def book_spend() -> pd.DataFrame:
    return spend_rows([("2025-12-01", "events", 1_000), ("2026-01-01", "paid_search", 3_100)])


def loyalty(start: dt.date, end: dt.date) -> kpis.Loyalty:
    purchases = book_purchases()
    return kpis.loyalty(
        book_survey(),
        daily(purchases),
        buyers(purchases, start, end),
        book_customers(),
        book_spend(),
        start,
        end,
    )


def test_loyalty_of_a_small_book():
    result = loyalty(JAN_1, JAN_31)
    # NPS: 3 promoters, 1 passive, 1 detractor of 5: (3 − 1) / 5 = 40. February's zeros stay out.
    assert result.nps == pytest.approx(40)
    assert result.nps_responses == 5
    # CSAT: 5, 5, 4 satisfied of 4 answers: 75 %.
    assert result.csat == pytest.approx(75)
    assert result.csat_responses == 4
    # Buyers 1, 2, 3; only account 1 has more than one purchase by Jan 31 (Dec 15, Jan 5, Jan 30): 1 / 3.
    assert result.repeat_rate == pytest.approx(1 / 3)
    # New customers: accounts 2 and 3. January's spend 3,100 (December's stays out): CAC 1,550.
    assert result.new_customers == 2
    assert result.spend == pytest.approx(3_100)
    assert result.cac == pytest.approx(1_550)
    # 4 January purchases worth 1,000 + 2,000 + 3,000 + 2,000 = 8,000; one came from a referral.
    assert result.purchases == 4
    assert result.revenue == pytest.approx(8_000)
    assert result.referral_rate == pytest.approx(1 / 4)
    # Customer days in January: 1 all 31, 2 from Jan 11 (21), 3 from Jan 21 (11), 4 until Jan 16 (15) = 78.
    years = 78 / 365.25
    assert result.ltv.customer_years == pytest.approx(years)
    assert result.ltv.churned == 1
    assert result.ltv.avg_purchase_value == pytest.approx(2_000)  # 8,000 / 4
    assert result.ltv.purchase_frequency == pytest.approx(4 / years)
    assert result.ltv.lifespan_years == pytest.approx(years)  # customer-years / 1 churned
    # LTV = 2,000 × 4 / years × years = 8,000; LTV:CAC = 8,000 / 1,550.
    assert result.ltv.ltv == pytest.approx(8_000)
    assert result.ltv_cac == pytest.approx(8_000 / 1_550)


def test_loyalty_without_new_customers_has_no_cac_and_without_answers_no_nps():
    result = loyalty(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert result.new_customers == 0
    assert result.spend == 0.0
    assert result.cac is None
    assert result.ltv_cac is None
    # February: 10 NPS zeros, no CSAT answers, no churn (so no lifespan, no LTV).
    assert (result.nps, result.nps_responses) == (pytest.approx(-100), 10)
    assert (result.csat, result.csat_responses) == (None, 0)
    assert result.ltv.lifespan_years is None
    assert result.ltv.ltv is None
    # One purchase (account 2, 900), no referral; account 2 had bought on Jan 12 too.
    assert (result.purchases, result.revenue, result.referral_rate) == (1, 900.0, 0.0)
    assert result.repeat_rate == 1.0


def test_loyalty_with_a_cac_but_no_ltv_has_no_ltv_cac():
    # Jan 11..15: account 2 is new; spend 3,100 × 5 / 31 = 500; no churn, so no LTV.
    result = loyalty(dt.date(2026, 1, 11), dt.date(2026, 1, 15))
    assert (result.new_customers, result.cac) == (1, pytest.approx(500))
    assert result.ltv.ltv is None
    assert result.ltv_cac is None


def test_loyalty_without_purchases_has_no_referral_rate():
    result = loyalty(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (result.purchases, result.revenue) == (0, 0.0)
    assert result.referral_rate is None
    assert result.repeat_rate is None
    assert result.ltv.avg_purchase_value is None


# --- monthly_trend -----------------------------------------------------------------------------------------

TREND = survey(
    [
        ("2025-12-31", "nps", 0, 4),  # before a 3-month window ending in March
        ("2026-01-10", "nps", 10, 1),
        ("2026-01-10", "nps", 0, 1),
        ("2026-01-20", "csat", 5, 1),
        ("2026-01-20", "csat", 3, 1),
        ("2026-03-01", "nps", 9, 3),
        ("2026-03-15", "csat", 4, 2),  # the end day counts
        ("2026-03-20", "nps", 0, 5),  # after end
    ]
)


def test_monthly_trend_a_month_without_answers_has_no_value_and_zero_responses():
    trend = kpis.monthly_trend(TREND, dt.date(2026, 3, 15), months=3)
    assert list(trend.columns) == ["month", "measure", "value", "responses"]
    jan, feb, mar = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01")
    assert list(trend["month"]) == [jan, feb, mar, jan, feb, mar]
    assert list(trend["measure"]) == ["NPS"] * 3 + ["CSAT"] * 3
    # NPS: January one promoter and one detractor of 2 = 0; February none; March 3 promoters = 100 (the
    # five zeros of Mar 20 come after end). CSAT: January 1 of 2 satisfied = 50; March 2 of 2 = 100.
    assert trend["value"].tolist()[0] == 0.0
    assert math.isnan(trend["value"].tolist()[1])
    assert trend["value"].tolist()[2] == 100.0
    assert trend["value"].tolist()[3] == 50.0
    assert math.isnan(trend["value"].tolist()[4])
    assert trend["value"].tolist()[5] == 100.0
    assert trend["value"].dtype == float
    assert trend["responses"].tolist() == [2, 0, 3, 2, 0, 2]


def test_monthly_trend_has_twelve_months_per_measure_by_default():
    trend = kpis.monthly_trend(TREND, dt.date(2026, 3, 15))
    assert len(trend) == 24
    for measure in ("NPS", "CSAT"):
        rows = trend[trend["measure"] == measure]
        assert list(rows["month"]) == list(pd.date_range("2025-04-01", "2026-03-01", freq="MS"))
    # December 2025 is inside twelve months: 4 detractors = −100.
    december = trend[(trend["measure"] == "NPS") & (trend["month"] == pd.Timestamp("2025-12-01"))]
    assert (december["value"].item(), december["responses"].item()) == (-100.0, 4)
    # Only NPS Dec, Jan, Mar and CSAT Jan, Mar have answers; the other 19 cells are empty.
    assert trend["value"].notna().sum() == 5
    assert trend["responses"].sum() == 4 + 2 + 3 + 2 + 2


# --- stages_at ---------------------------------------------------------------------------------------------

FLOW = pd.DataFrame(
    [
        ("2026-01-01", "candidate", 3),
        ("2026-01-02", "candidate", -2),
        ("2026-01-02", "nominated", 2),
        ("2026-01-05", "nominated", -1),
        ("2026-01-05", "asked", 1),
        ("2026-01-09", "asked", -1),
        ("2026-01-09", "agreed", 1),
        ("2026-01-20", "agreed", -1),
        ("2026-01-20", "reference_ready", 1),
        ("2026-02-03", "reference_ready", -1),  # after January
        ("2026-02-03", "paused", 1),
    ],
    columns=["day", "stage", "change"],
).assign(day=lambda f: pd.to_datetime(f["day"]))


def stage_dict(**counts: int) -> dict[str, int]:
    return {stage: counts.get(stage, 0) for stage in ADVOCATE_STAGES}


def test_stages_at_sums_the_flow_up_to_and_including_the_day():
    # Jan 9 counts its own changes: 3 candidates, 2 nominated, 1 asked and then agreed.
    at_9 = kpis.stages_at(FLOW, dt.date(2026, 1, 9))
    assert list(at_9.index) == list(ADVOCATE_STAGES)
    assert at_9.to_dict() == stage_dict(candidate=1, nominated=1, agreed=1)
    assert kpis.stages_at(FLOW, JAN_31).to_dict() == stage_dict(candidate=1, nominated=1, reference_ready=1)
    assert kpis.stages_at(FLOW, dt.date(2025, 12, 31)).to_dict() == stage_dict()
    assert at_9.dtype == int


# --- program -----------------------------------------------------------------------------------------------


def program_rows() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("2026-01-05", "asks", 2.0),
            ("2026-01-31", "asks", 1.0),
            ("2026-02-01", "asks", 7.0),  # after end
            ("2025-12-31", "agreements", 4.0),  # before start
            ("2026-01-09", "agreements", 1.0),
            ("2026-01-15", "assets_published", 2.0),
            ("2026-01-20", "asset_won_revenue", 5_000.0),
            ("2026-02-03", "asset_won_revenue", 9_999.0),  # after end
        ],
        columns=["day", "measure", "value"],
    ).assign(day=lambda f: pd.to_datetime(f["day"]))


def request_rows() -> pd.DataFrame:
    """Reference requests: (id, status, needed_by, fulfilled_at, outcome, won_amount)."""
    rows = [
        (1, "done", "2026-01-10 12:00", "2026-01-09 10:00", "won", 20_000),  # on time
        (2, "done", "2026-01-10 12:00", "2026-01-12 09:00", "lost", None),  # late
        (3, "done", "2026-01-31 18:00", "2026-01-31 17:00", "won", 30_000),  # on time, on the last day
        (4, "done", "2026-02-02 12:00", "2026-02-01 08:00", "won", 40_000),  # fulfilled after end
        (5, "declined", "2026-01-20 12:00", "2026-01-15 08:00", "won", 50_000),  # not done
        (6, "open", "2026-01-20 12:00", None, None, None),
        (7, "done", "2026-01-01 12:00", "2025-12-31 23:00", "won", 60_000),  # fulfilled before start
    ]
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "status": [r[1] for r in rows],
            "needed_by": pd.to_datetime([r[2] for r in rows]),
            "fulfilled_at": pd.to_datetime([r[3] for r in rows]),
            "outcome": [r[4] for r in rows],
            "won_amount": [np.nan if r[5] is None else float(r[5]) for r in rows],
        }
    ).set_index("id")


def test_program_of_january():
    work = kpis.program(program_rows(), FLOW, request_rows(), JAN_1, JAN_31)
    assert (work.asks, work.agreements, work.assets_published) == (3, 1, 2)
    # Requests 1, 2 and 3 were done in January; 1 and 3 by their needed-by time.
    assert work.requests_fulfilled == 3
    assert work.fulfilled_on_time == 2
    assert work.on_time_share == pytest.approx(2 / 3)
    # Won amounts of requests 1 and 3 (20,000 + 30,000) + January's deals won with an asset alone (5,000).
    assert work.influenced_revenue == pytest.approx(55_000)
    # At Jan 31: 1 candidate, 1 nominated, 1 reference-ready; only the reference-ready one is active.
    assert work.stages["stage"].tolist() == [
        "Candidate",
        "Nominated",
        "Asked",
        "Agreed",
        "Reference-ready",
        "Paused",
        "Declined",
        "Retired",
    ]
    assert work.stages["advocates"].tolist() == [1, 1, 0, 0, 1, 0, 0, 0]
    assert work.active_advocates == 1


def test_program_of_a_quiet_period_is_zero_and_has_no_on_time_share():
    work = kpis.program(program_rows(), FLOW, request_rows(), dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (work.asks, work.agreements, work.assets_published) == (0, 0, 0)
    assert (work.requests_fulfilled, work.fulfilled_on_time) == (0, 0)
    assert work.on_time_share is None
    assert work.influenced_revenue == 0.0
    # By March the reference-ready advocate is paused: nobody is active.
    assert work.active_advocates == 0


# --- values and scorecard ----------------------------------------------------------------------------------


def test_values_gives_every_kpi_with_rates_as_percentages():
    loyal = loyalty(JAN_1, JAN_31)
    work = kpis.program(program_rows(), FLOW, request_rows(), JAN_1, JAN_31)
    values = kpis.values(loyal, work)
    assert list(values) == [kpi.key for kpi in kpis.KPIS]
    assert values == {
        "nps": pytest.approx(40),
        "csat": pytest.approx(75),
        "repeat_rate": pytest.approx(100 / 3),
        "ltv": pytest.approx(8_000),
        "cac": pytest.approx(1_550),
        "ltv_cac": pytest.approx(8_000 / 1_550),
        "referral_rate": pytest.approx(25),
        "active_advocates": 1,
        "asks": 3,
        "agreements": 1,
        "assets_published": 2,
        "requests_fulfilled": 3,
        "on_time": pytest.approx(200 / 3),
        "influenced_revenue": pytest.approx(55_000),
    }
    quiet = kpis.values(
        loyalty(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        kpis.program(program_rows(), FLOW, request_rows(), dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    )
    assert quiet["repeat_rate"] is None
    assert quiet["referral_rate"] is None
    assert quiet["on_time"] is None


def test_scorecard_statuses_and_changes():
    current = {
        "nps": 40.0,  # exactly the target: on target
        "csat": 80.0,  # below 85
        "repeat_rate": None,  # no data, though it has a target
        "ltv": 8_000.0,  # no target
        "cac": 1_550.0,
        "ltv_cac": 5.0,
        "referral_rate": 5.0,
        "active_advocates": 3,
        "asks": 10,
        "agreements": 2,
        "assets_published": 0,
        "requests_fulfilled": 4,
        "on_time": 95.0,
        "influenced_revenue": 0.0,
    }
    previous = {
        **current,
        "nps": 30.0,
        "csat": None,  # unknown before: no change
        "repeat_rate": 50.0,
        "ltv": None,
        "cac": 2_000.0,
        "asks": 12,
        "on_time": 100.0,
    }
    card = kpis.scorecard(current, previous, SETTINGS).set_index("key")
    assert list(card.index) == [kpi.key for kpi in kpis.KPIS]
    assert list(card.columns) == [
        "kpi",
        "unit",
        "this_period",
        "previous_period",
        "change",
        "target",
        "status",
    ]
    assert card["status"].to_dict() == {
        "nps": "on target",
        "csat": "below target",
        "repeat_rate": "no data",
        "ltv": "no target",
        "cac": "no target",
        "ltv_cac": "on target",
        "referral_rate": "below target",
        "active_advocates": "no target",
        "asks": "no target",
        "agreements": "no target",
        "assets_published": "no target",
        "requests_fulfilled": "no target",
        "on_time": "on target",
        "influenced_revenue": "no target",
    }
    # change = this − previous; unknown on either side leaves it NaN.
    assert card.loc["nps", "change"] == 10.0
    assert card.loc["cac", "change"] == -450.0
    assert card.loc["asks", "change"] == -2.0
    assert card.loc["on_time", "change"] == -5.0
    assert card.loc["agreements", "change"] == 0.0
    for key in ("csat", "repeat_rate", "ltv"):
        assert math.isnan(card.loc[key, "change"])
    assert math.isnan(card.loc["repeat_rate", "this_period"])
    assert math.isnan(card.loc["csat", "previous_period"])
    # Targets come from the settings; KPIs without one have NaN.
    assert card.loc["ltv_cac", "target"] == 3.0
    assert card.loc["referral_rate", "target"] == 7.5
    assert math.isnan(card.loc["ltv", "target"])
    assert card.loc["nps", "kpi"] == "NPS"
    assert card.loc["cac", "unit"] == "money"
    for column in ("this_period", "previous_period", "change", "target"):
        assert card[column].dtype == float


# --- breakdown ---------------------------------------------------------------------------------------------


def breakdown_customers() -> pd.DataFrame:
    customers = customer_rows(
        [
            (1, "2025-01-01", None, "SMB", "Retail"),
            (2, "2026-01-11", None, "SMB", "Software"),
            (3, "2024-01-01", "2026-01-16", "Enterprise", "Retail"),  # churned in January
            (4, "2026-02-10", None, "Enterprise", "Software"),  # a customer only after January
            (5, "2025-01-01", None, "Mid-Market", "Retail"),  # no answers, no purchases
        ]
    )
    return with_first_purchase(customers, breakdown_purchases())


def breakdown_purchases() -> pd.DataFrame:
    return purchase_rows(
        [
            (1, "2026-01-05", 500, np.nan),
            (2, "2026-01-20", 700, np.nan),
            (2, "2026-01-25", 300, np.nan),
            (3, "2025-06-01", 400, np.nan),  # before January: makes account 3 a repeat buyer
            (3, "2026-01-05", 1_000, np.nan),
            (4, "2026-02-12", 800, np.nan),  # after January
        ]
    )


# The period's answers per segment and industry (the query already keeps only the period's).
GROUPS = pd.DataFrame(
    [
        ("SMB", "Retail", "nps", 10, 2),
        ("SMB", "Software", "nps", 6, 1),
        ("SMB", "Retail", "csat", 5, 1),
        ("Enterprise", "Retail", "nps", 3, 2),
        ("Enterprise", "Retail", "csat", 4, 1),
        ("Enterprise", "Retail", "csat", 2, 1),
    ],
    columns=["segment", "industry", "kind", "score", "responses"],
)


def test_breakdown_per_segment():
    table = kpis.breakdown(GROUPS, breakdown_purchases(), breakdown_customers(), "segment", JAN_1, JAN_31)
    assert list(table.columns) == [
        "segment",
        "nps",
        "nps_responses",
        "csat",
        "csat_responses",
        "customers",
        "repeat_rate",
        "revenue",
    ]
    rows = table.set_index("segment")
    assert list(rows.index) == ["Enterprise", "Mid-Market", "SMB"]
    # Enterprise: 2 detractors = −100; CSAT 4 and 2 → 50 %; account 3 churned Jan 16 and account 4 starts
    # in February, so no customers at Jan 31; account 3 bought in January with an earlier purchase: 100 %;
    # revenue 1,000 (account 4's February purchase stays out).
    assert rows.loc["Enterprise"].to_dict() == {
        "nps": -100.0,
        "nps_responses": 2,
        "csat": 50.0,
        "csat_responses": 2,
        "customers": 0,
        "repeat_rate": 100.0,
        "revenue": 1_000.0,
    }
    # Mid-Market: nothing measured, one customer.
    mid = rows.loc["Mid-Market"]
    assert math.isnan(mid["nps"]) and math.isnan(mid["csat"]) and math.isnan(mid["repeat_rate"])
    assert (mid["nps_responses"], mid["csat_responses"], mid["customers"], mid["revenue"]) == (0, 0, 1, 0.0)
    # SMB: NPS 2 promoters, 1 detractor of 3 = 33.3; CSAT 100; customers 1 and 2; buyers 1 (once) and 2
    # (twice): 50 %; revenue 500 + 700 + 300 = 1,500.
    smb = rows.loc["SMB"]
    assert smb["nps"] == pytest.approx(100 / 3)
    assert (smb["nps_responses"], smb["csat"], smb["csat_responses"]) == (3, 100.0, 1)
    assert (smb["customers"], smb["repeat_rate"], smb["revenue"]) == (2, 50.0, 1_500.0)
    for column in ("nps", "csat", "repeat_rate"):
        assert table[column].dtype == float


@pytest.mark.parametrize("by", ["segment", "industry"])
def test_breakdown_needs_only_the_periods_purchases(by):
    purchases = breakdown_purchases()
    january = purchases[purchases["purchased_on"].between("2026-01-01", "2026-01-31")]
    pd.testing.assert_frame_equal(
        kpis.breakdown(GROUPS, january, breakdown_customers(), by, JAN_1, JAN_31),
        kpis.breakdown(GROUPS, purchases, breakdown_customers(), by, JAN_1, JAN_31),
    )


def test_breakdown_per_industry():
    rows = kpis.breakdown(
        GROUPS, breakdown_purchases(), breakdown_customers(), "industry", JAN_1, JAN_31
    ).set_index("industry")
    assert list(rows.index) == ["Retail", "Software"]
    # Retail (accounts 1, 3, 5): NPS 10, 10, 3, 3 → (2 − 2) / 4 = 0; CSAT 5, 4, 2 → 2 of 3; customers 1 and 5
    # (3 churned); buyers 1 (once) and 3 (twice by end): 50 %; revenue 500 + 1,000.
    retail = rows.loc["Retail"]
    assert (retail["nps"], retail["nps_responses"]) == (0.0, 4)
    assert (retail["csat"], retail["csat_responses"]) == (pytest.approx(200 / 3), 3)
    assert (retail["customers"], retail["repeat_rate"], retail["revenue"]) == (2, 50.0, 1_500.0)
    # Software (accounts 2, 4): one NPS 6 = −100; no CSAT; customer 2 only; account 2 bought twice: 100 %.
    software = rows.loc["Software"]
    assert (software["nps"], software["nps_responses"]) == (-100.0, 1)
    assert math.isnan(software["csat"]) and software["csat_responses"] == 0
    assert (software["customers"], software["repeat_rate"], software["revenue"]) == (1, 100.0, 1_000.0)


def test_breakdown_without_any_answers_in_the_period():
    empty = GROUPS.iloc[0:0]
    rows = kpis.breakdown(
        empty, breakdown_purchases(), breakdown_customers(), "segment", JAN_1, JAN_31
    ).set_index("segment")
    assert rows["nps_responses"].tolist() == [0, 0, 0]
    assert rows["nps"].isna().all() and rows["csat"].isna().all()
    assert rows["revenue"].tolist() == [1_000.0, 0.0, 1_500.0]


def test_customers_at_a_day():
    # joined before and still a customer; churned before the day; joins after the day; churns after the day
    customers = pd.DataFrame(
        {
            "customer_since": pd.to_datetime(["2026-01-01", "2025-01-01", "2026-06-02", "2025-01-01"]),
            "churned_on": pd.to_datetime([None, "2026-03-01", None, "2026-06-02"]),
        }
    )
    assert kpis.customers_at(customers, dt.date(2026, 6, 1)).tolist() == [True, False, False, True]
