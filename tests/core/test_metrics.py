import datetime as dt

import pandas as pd
import pytest

from core import metrics


def test_nps_promoters_minus_detractors():
    # 3 promoters, 1 passive, 2 detractors of 6 → (3 − 2) / 6 = +16.7
    assert metrics.nps(pd.Series([10, 9, 9, 7, 6, 0])) == 100 * 1 / 6


def test_nps_bounds_and_no_data():
    assert metrics.nps(pd.Series([9, 10])) == 100
    assert metrics.nps(pd.Series([0, 6])) == -100
    assert metrics.nps(pd.Series([], dtype=int)) is None


def test_nps_from_counts_matches_individual_answers():
    counts = pd.Series({10: 5, 8: 3, 5: 2})
    assert metrics.nps_from_counts(counts) == 100 * (5 - 2) / 10


def test_nps_class():
    assert [metrics.nps_class(s) for s in (10, 9, 8, 7, 6, 0)] == [
        "promoter",
        "promoter",
        "passive",
        "passive",
        "detractor",
        "detractor",
    ]


def test_csat_share_of_satisfied_answers():
    # 4 and 5 are satisfied: 3 of 5 answers → 60 %
    assert metrics.csat(pd.Series([5, 4, 4, 3, 1])) == 60
    assert metrics.csat_from_counts(pd.Series({5: 2, 2: 2})) == 50
    assert metrics.csat(pd.Series([], dtype=int)) is None


def test_repeat_customer_rate_counts_buyers_of_the_period_with_an_earlier_or_second_purchase():
    # The period starts 1 Mar 2026. Buyers: 1 (twice in it), 2 (once; first purchase in January),
    # 3 (once; first purchase in it), 4 (once; first purchase unknown): 1 and 2 repeat, 2 of 4 → 0.5.
    buyers = pd.Series([1, 1, 2, 3, 4])
    first = pd.Series(pd.to_datetime(["2026-03-02", "2026-01-15", "2026-03-05"]), index=[1, 2, 3])
    assert metrics.repeat_customer_rate(buyers, first, dt.date(2026, 3, 1)) == 0.5
    assert metrics.repeat_customer_rate(buyers.iloc[:0], first, dt.date(2026, 3, 1)) is None


def test_ltv_is_value_times_frequency_times_lifespan():
    # $1,200 a purchase × 1.5 purchases a year × 4 years = $7,200
    assert metrics.ltv(1200, 1.5, 4) == 7200
    assert metrics.ltv(1200, None, 4) is None


def test_ltv_from_history():
    # Window 2024-01-01 … 2025-12-31 (731 days = 2.0014 years of 365.25 days).
    # A: customer all window → 731 days; B: joined 2025-01-01 → 365 days;
    # C: customer since 2020, churned 2024-07-01 → 182 days. Customer-years = 1278 / 365.25 = 3.4990.
    customers = pd.DataFrame(
        {
            "customer_since": pd.to_datetime(["2023-01-01", "2025-01-01", "2020-01-01"]),
            "churned_on": pd.to_datetime([None, None, "2024-07-01"]),
        }
    )
    purchases = pd.DataFrame(
        {
            "purchased_on": pd.to_datetime(
                ["2023-06-01", "2024-01-01", "2025-01-01", "2025-01-01", "2024-03-01"]
            ),
            "amount": [999.0, 1000.0, 1000.0, 2000.0, 500.0],
        }
    )
    parts = metrics.ltv_from_history(
        purchases, customers, pd.Timestamp("2024-01-01"), pd.Timestamp("2025-12-31")
    )
    years = 1278 / 365.25
    # 4 purchases in the window averaging (1000 + 1000 + 2000 + 500) / 4 = 1125
    assert parts.avg_purchase_value == 1125
    assert parts.customer_years == pytest.approx(years)
    assert parts.purchase_frequency == pytest.approx(4 / years)
    assert parts.churned == 1
    assert parts.lifespan_years == pytest.approx(years)
    # LTV = 1125 × (4 / y) × y = 4,500
    assert parts.ltv == pytest.approx(4500)


def test_ltv_from_history_without_churn_or_purchases_is_no_data():
    customers = pd.DataFrame(
        {"customer_since": pd.to_datetime(["2024-01-01"]), "churned_on": pd.to_datetime([None])}
    )
    purchases = pd.DataFrame({"purchased_on": pd.to_datetime(["2024-02-01"]), "amount": [100.0]})
    parts = metrics.ltv_from_history(
        purchases, customers, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31")
    )
    assert parts.lifespan_years is None and parts.ltv is None
    empty = metrics.ltv_from_history(
        purchases.iloc[:0], customers.iloc[:0], pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31")
    )
    assert (empty.avg_purchase_value, empty.purchase_frequency, empty.lifespan_years, empty.ltv) == (
        None,
        None,
        None,
        None,
    )


def test_cac_referral_rate_click_through_rate():
    # $50,000 spend for 20 new customers → $2,500 each
    assert metrics.cac(50_000, 20) == 2500
    assert metrics.cac(50_000, 0) is None
    # 15 referral purchases of 200 → 7.5 % (the brief's benchmark)
    assert metrics.referral_rate(15, 200) == 0.075
    assert metrics.referral_rate(0, 0) is None
    # 42 clicks of 120 opens → 35 %
    assert metrics.click_through_rate(42, 120) == 0.35
    assert metrics.click_through_rate(0, 0) is None


def test_ratio_and_delta_propagate_no_data():
    assert metrics.ratio(9000, 3000) == 3
    assert metrics.ratio(None, 3000) is None
    assert metrics.ratio(9000, None) is None
    assert metrics.ratio(9000, 0) is None
    assert metrics.delta(42, 40) == 2
    assert metrics.delta(None, 40) is None


def test_tarp_worked_example_from_the_brief():
    # 10,000 customers, 65 % satisfied: 6,500 × 5 = 32,500 positive; 3,500 × 10 = 35,000 negative
    mouth = metrics.tarp_word_of_mouth(10_000, 0.65)
    assert mouth.positive == 32_500
    assert mouth.negative == 35_000
    # a third unhappy makes over half the talk negative: 35,000 / 67,500 = 51.85 %
    assert mouth.negative_share == pytest.approx(35_000 / 67_500)
    assert mouth.negative_share > 0.5


def test_tarp_upper_bounds_and_no_data():
    mouth = metrics.tarp_word_of_mouth(1_000, 0.8, tell_satisfied=8, tell_dissatisfied=16)
    assert (mouth.positive, mouth.negative) == (6_400, 3_200)
    assert metrics.tarp_word_of_mouth(0, 0.5).negative_share is None
    with pytest.raises(ValueError):
        metrics.tarp_word_of_mouth(100, 1.5)


def test_ltv_from_daily_purchase_totals_equals_row_level():
    customers = pd.DataFrame(
        {
            "customer_since": pd.to_datetime(["2024-01-01", "2024-01-01"]),
            "churned_on": pd.to_datetime([None, "2024-12-31"]),
        }
    )
    rows = pd.DataFrame(
        {
            "purchased_on": pd.to_datetime(["2024-02-01", "2024-02-01", "2024-05-01"]),
            "amount": [100.0, 300.0, 200.0],
        }
    )
    daily = pd.DataFrame(
        {
            "purchased_on": pd.to_datetime(["2024-02-01", "2024-05-01"]),
            "amount": [400.0, 200.0],
            "purchases": [2, 1],
        }
    )
    window = (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    assert metrics.ltv_from_history(daily, customers, *window) == metrics.ltv_from_history(
        rows, customers, *window
    )
    assert metrics.ltv_from_history(daily, customers, *window).avg_purchase_value == 200
