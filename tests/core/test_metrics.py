import pandas as pd

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
