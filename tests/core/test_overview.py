import datetime as dt

import pandas as pd

from core import overview


def scored() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "arr": [100.0, 200.0, 300.0, 400.0],
            "band": ["healthy", "at_risk", "at_risk", "insufficient_data"],
            "top_reason": ["usage", "support", "support", None],
        }
    )


def test_home_figures():
    requests = pd.DataFrame({"needed_by": pd.to_datetime(["2026-01-01 10:00", "2026-01-03 10:00"])})
    figures = overview.home_figures(
        scored(), pd.Series({10: 3, 7: 1, 2: 1}), requests, dt.datetime(2026, 1, 2)
    )
    assert figures.accounts == 4
    assert figures.arr == 1000
    assert figures.nps == 100 * (3 - 1) / 5
    assert figures.nps_responses == 5
    assert figures.at_risk_accounts == 2
    assert figures.at_risk_arr == 500
    assert figures.open_requests == 2
    assert figures.overdue_requests == 1


def test_home_figures_without_data():
    empty = pd.DataFrame({"arr": [], "band": [], "top_reason": []})
    figures = overview.home_figures(
        empty, pd.Series(dtype=int), pd.DataFrame({"needed_by": pd.to_datetime([])}), dt.datetime(2026, 1, 1)
    )
    assert (figures.accounts, figures.arr, figures.nps, figures.at_risk_accounts) == (0, 0, None, 0)


def test_at_risk_reasons():
    reasons = overview.at_risk_reasons(scored())
    assert reasons.to_dict("records") == [{"dimension": "Support & operations", "accounts": 2}]
