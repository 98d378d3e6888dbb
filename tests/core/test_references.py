"""Reference requests: which open request to work first."""

import pandas as pd

from core import references


def test_most_urgent_open_is_the_most_overdue_open_request():
    requests = pd.DataFrame(
        {
            "status": ["assigned", "open", "open", "done"],
            # The assigned and the done ones are older still, but nobody has to pick them up.
            "needed_by": pd.to_datetime(["2026-12-01", "2026-12-04", "2026-12-03", "2026-11-01"]),
        },
        index=[11, 12, 13, 14],
    )
    assert references.most_urgent_open(requests) == 13


def test_most_urgent_open_none_when_nothing_is_open():
    requests = pd.DataFrame({"status": ["assigned"], "needed_by": pd.to_datetime(["2026-12-01"])}, index=[1])
    assert references.most_urgent_open(requests) is None
