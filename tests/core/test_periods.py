import datetime as dt

import pandas as pd

from core import periods

TODAY = dt.date(2026, 11, 25)


def test_recent_periods_start_with_the_current_one_to_date():
    months = periods.recent("Month", TODAY, 3)
    assert [(p.start, p.end, p.label) for p in months] == [
        (dt.date(2026, 11, 1), TODAY, "November 2026 (to date)"),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31), "October 2026"),
        (dt.date(2026, 9, 1), dt.date(2026, 9, 30), "September 2026"),
    ]
    quarter = periods.recent("Quarter", TODAY, 2)
    assert (quarter[1].start, quarter[1].end, quarter[1].label) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
        "Q3 2026",
    )
    assert periods.recent("Year", TODAY, 1)[0].days == 329


def test_previous_of_a_period_to_date_covers_the_same_days():
    quarter = periods.recent("Quarter", TODAY, 1)[0]
    before = periods.previous(quarter, "Quarter")
    assert (before.start, before.end, before.label) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 8, 25),
        "Q3 2026 (to 25 Aug)",
    )


def test_previous_of_a_full_period_is_the_full_period_before():
    year = periods.recent("Year", TODAY, 2)[1]
    before = periods.previous(year, "Year")
    # 2025 (365 days) compares with all of 2024 (366 days)
    assert (before.start, before.end, before.label) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31), "2024")


def test_previous_month_is_cut_at_its_own_end():
    march = periods.recent("Month", dt.date(2026, 3, 30), 1)[0]
    assert periods.previous(march, "Month").end == dt.date(2026, 2, 28)
    assert periods.previous(march, "Month").label == "February 2026"


def test_week_start_is_the_monday_on_or_before():
    assert periods.week_start(dt.date(2026, 3, 4)) == dt.date(2026, 3, 2)  # a Wednesday
    assert periods.week_start(dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)  # a Monday
    assert periods.week_start(dt.date(2026, 3, 1)) == dt.date(2026, 2, 23)  # a Sunday


def test_on_days_takes_both_ends_whole_and_unknown_as_outside():
    moments = pd.Series(
        pd.to_datetime(["2026-02-28 23:59", "2026-03-01 00:00", "2026-03-31 23:59", "2026-04-01 00:00", None])
    )
    assert periods.on_days(moments, dt.date(2026, 3, 1), dt.date(2026, 3, 31)).tolist() == [
        False,
        True,
        True,
        False,
        False,
    ]
    days = pd.Series([dt.date(2026, 3, 1), dt.date(2026, 3, 2)], dtype=object)
    assert periods.on_days(days, dt.date(2026, 3, 2), dt.date(2026, 3, 2)).tolist() == [False, True]
    assert periods.day_after(dt.date(2026, 3, 31)) == pd.Timestamp("2026-04-01")
