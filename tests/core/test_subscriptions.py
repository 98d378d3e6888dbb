import datetime as dt

import pandas as pd
import pytest

from core.subscriptions import CHURN_REASON, account_facts, churn_from_subscriptions

NA = pd.NA
NaT = pd.NaT
AS_OF = dt.date(2024, 3, 1)
COLUMNS = ["account_id", "started_on", "ended_on", "amount", "billing_period", "seats", "plan"]


def subs(rows: list[tuple]) -> pd.DataFrame:
    """Subscription rows (account, started, ended, amount, period, seats, plan); ended None = still running."""
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["account_id"] = frame["account_id"].astype("int64")
    for column in ["started_on", "ended_on"]:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    frame["amount"] = frame["amount"].astype("Float64")
    frame["billing_period"] = frame["billing_period"].astype("str")
    frame["seats"] = frame["seats"].astype("Int64")
    frame["plan"] = frame["plan"].astype("str")
    return frame


def spans(rows: list[tuple]) -> pd.DataFrame:
    """Subscriptions that only need an account and dates: (account, started, ended)."""
    return subs([(account, started, ended, 100.0, "month", 1, "Pro") for account, started, ended in rows])


def facts(rows: list[tuple]) -> pd.DataFrame:
    """Expected facts: (account, arr, seats_purchased, plan, customer_since, renewal_date)."""
    frame = pd.DataFrame(
        rows, columns=["account_id", "arr", "seats_purchased", "plan", "customer_since", "renewal_date"]
    ).set_index("account_id")
    frame.index = frame.index.astype("int64")
    frame["arr"] = frame["arr"].astype("Float64")
    frame["seats_purchased"] = frame["seats_purchased"].astype("Int64")
    frame["plan"] = frame["plan"].astype("str")
    for column in ["customer_since", "renewal_date"]:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    return frame


def churns(rows: list[tuple]) -> pd.DataFrame:
    """Expected churn events: (account, churned_on)."""
    frame = pd.DataFrame(rows, columns=["account_id", "churned_on"])
    frame["account_id"] = frame["account_id"].astype("int64")
    frame["churned_on"] = pd.to_datetime(frame["churned_on"]).astype("datetime64[us]")
    frame["reason"] = pd.Series(CHURN_REASON, index=frame.index, dtype="str")
    return frame


# ---- account facts on 1 March 2024 ----------------------------------------------------


def test_arr_annualises_month_and_year_amounts_of_the_active_subscriptions():
    rows = [
        (1, "2023-01-01", None, 100.0, "month", 10, "Pro"),  # active, open-ended: 100 × 12 = 1,200
        (1, "2024-01-01", "2024-12-31", 600.0, "year", 5, "Add-on"),  # active: 600 × 1 = 600
        (1, "2022-01-01", "2022-12-31", 50.0, "month", 3, "Starter"),  # ended: not counted
    ]
    # ARR 1,200 + 600 = 1,800; seats 10 + 5 = 15; plan of the latest-started active one (1 Jan 2024);
    # customer since the earliest start; renewal at the only active end.
    expected = facts([(1, 1800.0, 15, "Add-on", "2022-01-01", "2024-12-31")])
    pd.testing.assert_frame_equal(account_facts(subs(rows), AS_OF), expected)


def test_a_subscription_is_active_from_its_first_to_its_last_day():
    rows = [
        (6, "2023-03-01", "2024-03-01", 10.0, "month", 1, "Pro"),  # ends on as_of: active, 120
        (6, "2024-03-01", None, 120.0, "year", 2, "Pro"),  # starts on as_of: active, 120
        (6, "2023-03-01", "2024-02-29", 999.0, "year", 50, "Old"),  # ended the day before: not counted
    ]
    expected = facts([(6, 240.0, 3, "Pro", "2023-03-01", "2024-03-01")])
    pd.testing.assert_frame_equal(account_facts(subs(rows), AS_OF), expected)


def test_no_active_subscription_means_nothing_paid_now():
    rows = [
        (2, "2023-01-01", "2023-12-31", 100.0, "month", 10, "Basic"),  # ended
        (5, "2024-04-01", None, 1000.0, "year", 4, "Pro"),  # not started yet
    ]
    # ARR 0.0 and 0 seats, not unknown; the plan falls back to the latest-started one; no renewal.
    expected = facts([(2, 0.0, 0, "Basic", "2023-01-01", NaT), (5, 0.0, 0, "Pro", "2024-04-01", NaT)])
    pd.testing.assert_frame_equal(account_facts(subs(rows), AS_OF), expected)


@pytest.mark.parametrize(
    "unknown",
    [
        (3, "2024-01-01", None, None, "month", None, "Team"),  # amount and seats unknown
        (3, "2024-01-01", None, 1000.0, None, None, "Team"),  # period unknown
    ],
    ids=["amount", "period"],
)
def test_an_unknown_active_amount_period_or_seats_makes_the_sum_unknown(unknown):
    rows = [unknown, (3, "2023-06-01", None, 10.0, "month", 5, "Team")]
    expected = facts([(3, NA, NA, "Team", "2023-06-01", NaT)])
    pd.testing.assert_frame_equal(account_facts(subs(rows), AS_OF), expected)


def test_an_unknown_amount_of_an_ended_subscription_does_not_matter():
    rows = [
        (3, "2022-01-01", "2022-12-31", None, None, None, "Team"),
        (3, "2023-06-01", None, 10.0, "month", 5, "Team"),
    ]
    expected = facts([(3, 120.0, 5, "Team", "2022-01-01", NaT)])
    pd.testing.assert_frame_equal(account_facts(subs(rows), AS_OF), expected)


def test_plan_comes_from_the_latest_started_subscription_that_names_one():
    rows = [
        (7, "2023-01-01", None, 10.0, "month", 1, "Gold"),  # active, names a plan
        (7, "2024-02-01", None, 10.0, "month", 1, None),  # latest-started active, no plan
        (7, "2023-06-01", "2023-12-31", 10.0, "month", 1, "Silver"),  # ended, started later than Gold
        (8, "2022-01-01", "2022-12-31", 10.0, "month", 1, "Bronze"),
        (8, "2023-01-01", "2023-12-31", 10.0, "month", 1, "Silver"),  # none active: the latest-started
        (9, "2023-01-01", None, 10.0, "month", 1, None),  # no plan anywhere
    ]
    expected = facts(
        [
            (7, 240.0, 2, "Gold", "2023-01-01", NaT),
            (8, 0.0, 0, "Silver", "2022-01-01", NaT),
            (9, 120.0, 1, NA, "2023-01-01", NaT),
        ]
    )
    pd.testing.assert_frame_equal(account_facts(subs(rows), AS_OF), expected)


def test_renewal_is_the_earliest_end_of_an_active_subscription():
    rows = [
        (4, "2023-01-01", "2024-06-30", 10.0, "month", 1, "Pro"),
        (4, "2023-07-01", "2024-04-30", 10.0, "month", 1, "Pro"),  # the earliest active end
        (4, "2023-01-01", "2024-01-31", 10.0, "month", 1, "Pro"),  # ended: not a renewal
        (4, "2024-02-01", None, 10.0, "month", 1, "Pro"),
    ]
    # Active: the first, second and fourth: ARR 3 × 120 = 360, 3 seats.
    expected = facts([(4, 360.0, 3, "Pro", "2023-01-01", "2024-04-30")])
    pd.testing.assert_frame_equal(account_facts(subs(rows), AS_OF), expected)


def test_facts_of_no_subscriptions_are_empty_with_the_dtypes():
    pd.testing.assert_frame_equal(account_facts(subs([]), AS_OF), facts([]))


# ---- churn from subscriptions (grace 30 days) ------------------------------------------


def test_overlapping_and_adjacent_subscriptions_are_one_coverage():
    rows = [
        (1, "2022-01-01", "2022-12-31"),
        (1, "2022-06-01", "2023-06-30"),  # overlaps: coverage runs to 30 Jun 2023
        (1, "2023-07-01", "2023-12-31"),  # starts the next day: no day uncovered
    ]
    expected = churns([(1, "2023-12-31")])
    pd.testing.assert_frame_equal(churn_from_subscriptions(spans(rows), as_of="2024-06-01"), expected)


def test_a_subscription_inside_a_longer_one_does_not_end_the_coverage():
    rows = [(1, "2020-01-01", None), (1, "2021-01-01", "2021-06-30"), (1, "2022-01-01", "2022-03-31")]
    assert churn_from_subscriptions(spans(rows), as_of="2024-06-01").empty


@pytest.mark.parametrize(
    "restart, expected",
    [
        ("2023-01-31", [(2, "2023-12-31")]),  # 1–30 Jan uncovered: 30 days, a renewal
        ("2023-02-01", [(2, "2022-12-31"), (2, "2023-12-31")]),  # 1–31 Jan: 31 days, churn and return
    ],
    ids=["30 days", "31 days"],
)
def test_a_renewal_may_start_up_to_the_grace_days_after_coverage_ends(restart, expected):
    rows = [(2, "2022-01-01", "2022-12-31"), (2, restart, "2023-12-31")]
    pd.testing.assert_frame_equal(churn_from_subscriptions(spans(rows), as_of="2024-06-01"), churns(expected))


def test_churn_return_and_churn_again():
    rows = [
        (4, "2023-06-01", "2023-12-31"),  # given out of order
        (4, "2021-01-01", "2021-12-31"),
        (4, "2022-06-01", "2022-12-31"),
        (4, "2024-05-01", None),  # back again and still running
    ]
    expected = churns([(4, "2021-12-31"), (4, "2022-12-31"), (4, "2023-12-31")])
    pd.testing.assert_frame_equal(churn_from_subscriptions(spans(rows), as_of="2024-06-01"), expected)


@pytest.mark.parametrize(
    "ended, churned",
    [
        ("2024-07-31", False),  # still running on as_of
        ("2024-06-01", False),  # ends on as_of: still active that day
        ("2024-05-02", False),  # 30 days before as_of: a renewal could still start
        ("2024-05-01", True),  # 31 days before: the grace is over
    ],
)
def test_coverage_churns_only_once_the_grace_is_over_on_as_of(ended, churned):
    result = churn_from_subscriptions(spans([(6, "2023-01-01", ended)]), as_of=dt.date(2024, 6, 1))
    pd.testing.assert_frame_equal(result, churns([(6, ended)] if churned else []))


def test_with_no_grace_only_an_uncovered_day_is_a_churn():
    rows = [
        (1, "2022-01-01", "2022-12-31"),
        (1, "2023-01-01", "2023-12-31"),  # the next day: a renewal
        (1, "2024-01-02", None),  # 1 Jan 2024 uncovered: churn on 31 Dec 2023, then a return
    ]
    result = churn_from_subscriptions(spans(rows), as_of="2024-06-01", renewal_grace_days=0)
    pd.testing.assert_frame_equal(result, churns([(1, "2023-12-31")]))


def test_churns_are_sorted_by_account_and_day():
    rows = [(9, "2021-01-01", "2021-12-31"), (3, "2022-01-01", "2022-12-31"), (3, "2020-01-01", "2020-12-31")]
    expected = churns([(3, "2020-12-31"), (3, "2022-12-31"), (9, "2021-12-31")])
    pd.testing.assert_frame_equal(churn_from_subscriptions(spans(rows), as_of="2024-06-01"), expected)


def test_no_subscriptions_give_no_churn_with_the_dtypes():
    pd.testing.assert_frame_equal(churn_from_subscriptions(subs([]), as_of="2024-06-01"), churns([]))
