"""Cell formats: every value reads as people write it, "—" for nothing."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ui import numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (521_600.0, "$521,600"),
        (1_234.56, "$1,235"),
        (-300.4, "−$300"),
        (0.0, "$0"),
        (None, "—"),
        (np.nan, "—"),
    ],
)
def test_amount_in_whole_dollars(value, expected):
    assert numbers.amount(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(80.0236, "80"), (2.0417, "2"), (12_345.0, "12,345"), (-3.0, "−3"), (None, "—"), (pd.NA, "—")],
)
def test_count_is_a_whole_number(value, expected):
    assert numbers.count(value) == expected


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(3.0, 0, "+3"), (-1.54, 1, "−1.5"), (0.04, 1, "0"), (np.nan, 0, "—")],
)
def test_signed_change(value, digits, expected):
    assert numbers.signed(value, digits) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(800.0, "+$800"), (-1_250_000.0, "−$1.2M"), (0.2, "$0"), (np.nan, "—")],
)
def test_signed_money_is_compact(value, expected):
    assert numbers.signed_money(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2026, 12, 6), "6 Dec 2026"),
        (pd.Timestamp("2026-12-06 00:00:00"), "6 Dec 2026"),
        (np.datetime64("2026-01-31T13:45"), "31 Jan 2026"),
        (pd.NaT, "—"),
        (None, "—"),
    ],
)
def test_day_without_time_or_leading_zero(value, expected):
    assert numbers.day(value) == expected


def test_label_words_a_code():
    assert numbers.label("case_study", {"case_study": "Case study"}) == "Case study"
    assert numbers.label("video_call", {}) == "Video call"
    assert numbers.label(None, {}) == "—"


def test_text_is_never_none():
    assert [numbers.text(v) for v in ("Amy", None, np.nan, "  ")] == ["Amy", "—", "—", "—"]


@pytest.mark.parametrize(("n", "expected"), [(0, "follow-ups"), (1, "follow-up"), (2, "follow-ups")])
def test_plural(n, expected):
    assert numbers.plural(n, "follow-up") == expected


@pytest.mark.parametrize(
    ("change", "unit", "expected"),
    [
        (0.0, "count", True),
        (0.4, "count", True),  # shows as +0
        (1.0, "count", False),
        (-0.04, "percent", True),  # shows as 0.0 pts, not −0.0
        (0.06, "percent", False),
        (0.0, "money", True),
        (None, "count", False),  # unknown is not "no change"
        (float("nan"), "points", False),
    ],
)
def test_kpi_unchanged(change, unit, expected):
    assert numbers.kpi_unchanged(change, unit) is expected
