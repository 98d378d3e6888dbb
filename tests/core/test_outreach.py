import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from core import outreach


def attempt_rows(rows: list[dict]) -> pd.DataFrame:
    """Attempts as the outreach query returns them; unspecified columns get plain defaults."""
    defaults = {
        "advocate_id": 1,
        "purpose": "reference",
        "channel": "email",
        "owner_role": "csm",
        "follow_up_number": 0,
        "sent_on": "2026-01-10 09:00",
        "responded_on": None,
        "outcome": "no_response",
        "segment": "SMB",
        "industry": "Retail",
        "owner": "Amy",
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows], columns=list(defaults))
    frame.insert(0, "id", range(1, len(frame) + 1))
    frame["sent_on"] = pd.to_datetime(frame["sent_on"], format="ISO8601")
    frame["responded_on"] = pd.to_datetime(frame["responded_on"], format="ISO8601")
    return frame


# ---- Wilson interval ------------------------------------------------------------------


def test_wilson_41_of_100():
    # p = 0.41, z²/n = 0.0384146, z²/2n = 0.0192073
    # centre = (0.41 + 0.0192073) / 1.0384146 = 0.413330
    # half = 1.959964 · √(0.41·0.59/100 + 3.841459/40000) / 1.0384146
    #      = 1.959964 · √(0.002419 + 0.0000960) / 1.0384146 = 1.959964 · 0.0501502 / 1.0384146 = 0.094656
    low, high = outreach.wilson_interval(41, 100)
    assert low == pytest.approx(0.318674, abs=1e-5)
    assert high == pytest.approx(0.507986, abs=1e-5)


def test_wilson_edges():
    # 0/10: centre = half = (z²/20) / (1 + z²/10) = 0.192073 / 1.384146 = 0.138766 → [0, 0.277533]
    low, high = outreach.wilson_interval(0, 10)
    assert low == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(0.277533, abs=1e-5)
    # 10/10 mirrors 0/10: [1 − 0.277533, 1]
    low, high = outreach.wilson_interval(10, 10)
    assert low == pytest.approx(0.722467, abs=1e-5)
    assert high == pytest.approx(1.0)
    low, high = outreach.wilson_interval(0, 0)
    assert math.isnan(low) and math.isnan(high)


def test_wilson_vectorised_keeps_series_index():
    successes = pd.Series([41, 0, 3], index=["a", "b", "c"])
    n = pd.Series([100, 0, 3], index=["a", "b", "c"])
    low, high = outreach.wilson_interval(successes, n)
    assert list(low.index) == ["a", "b", "c"]
    assert low["a"] == pytest.approx(0.318674, abs=1e-5) and np.isnan(low["b"]) and np.isnan(high["b"])
    assert ((low.dropna() >= 0) & (high.dropna() <= 1)).all()
    arr_low, arr_high = outreach.wilson_interval(np.array([1, 2]), np.array([2, 4]))
    # 1/2: centre = (0.5 + 0.960365) / 2.920730 = 0.5; half = z·√(0.125 + 0.240091) / 2.920730 = 0.405469
    assert arr_low[0] == pytest.approx(0.094531, abs=1e-5) and arr_high[0] == pytest.approx(
        0.905469, abs=1e-5
    )


# ---- filtering ------------------------------------------------------------------------


def filter_rows() -> pd.DataFrame:
    return attempt_rows(
        [
            {"sent_on": "2026-01-31 23:59", "segment": "SMB", "owner": "Amy"},
            {"sent_on": "2026-02-01 00:00", "segment": "SMB", "owner": "Amy"},
            {"sent_on": "2026-02-14 12:00", "segment": "Enterprise", "owner": None, "industry": "Software"},
            {"sent_on": "2026-02-28 23:30", "segment": "Enterprise", "owner": "Bo"},
            {"sent_on": "2026-03-01 00:00", "segment": "SMB", "owner": "Bo"},
        ]
    )


def test_filter_attempts_whole_days_inclusive():
    rows = filter_rows()
    kept = outreach.filter_attempts(rows, dt.date(2026, 2, 1), dt.date(2026, 2, 28), (), (), ())
    assert kept["id"].tolist() == [2, 3, 4]  # 31 Jan 23:59 and 1 Mar 00:00 fall outside
    one_day = outreach.filter_attempts(rows, dt.date(2026, 2, 28), dt.date(2026, 2, 28), (), (), ())
    assert one_day["id"].tolist() == [4]


def test_filter_attempts_empty_tuple_means_all():
    rows = filter_rows()
    start, end = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
    assert len(outreach.filter_attempts(rows, start, end, (), (), ())) == 5
    assert outreach.filter_attempts(rows, start, end, ("Enterprise",), (), ())["id"].tolist() == [3, 4]
    assert outreach.filter_attempts(rows, start, end, (), ("Software",), ())["id"].tolist() == [3]
    # An owner filter drops the attempt with no owner.
    assert outreach.filter_attempts(rows, start, end, ("Enterprise",), (), ("Bo",))["id"].tolist() == [4]
    assert outreach.filter_attempts(rows, start, end, (), (), ("Amy", "Bo"))["id"].tolist() == [1, 2, 4, 5]


# ---- rates ----------------------------------------------------------------------------


def rate_rows() -> pd.DataFrame:
    return attempt_rows(
        [
            # email: 4 asks, 2 responses (agreed, declined), 1 agreement
            {"channel": "email", "owner_role": "csm", "follow_up_number": 0, "outcome": "agreed"},
            {"channel": "email", "owner_role": "csm", "follow_up_number": 1, "outcome": "no_response"},
            {"channel": "email", "owner_role": "ae", "follow_up_number": 0, "outcome": "no_response"},
            {"channel": "email", "owner_role": "ae", "follow_up_number": 2, "outcome": "declined"},
            # phone: 2 asks, 2 responses (agreed, responded), 1 agreement
            {"channel": "phone", "owner_role": "marketing", "follow_up_number": 0, "outcome": "agreed"},
            {"channel": "phone", "owner_role": "marketing", "follow_up_number": 1, "outcome": "responded"},
            # social DM: 1 ask, nothing back
            {"channel": "social_dm", "owner_role": "ae", "follow_up_number": 0, "outcome": "no_response"},
        ]
    )


def test_rates_by_channel_counts_and_order():
    table = outreach.rates(rate_rows(), "channel")
    assert list(table.columns) == ["channel", *outreach.RATE_COLUMNS]
    # agreement rates: phone 1/2 = 0.5, email 1/4 = 0.25, social DM 0/1 = 0 → descending
    assert table["channel"].tolist() == ["phone", "email", "social_dm"]
    assert table["attempts"].tolist() == [2, 4, 1]
    assert table["responses"].tolist() == [2, 2, 0]
    assert table["agreements"].tolist() == [1, 1, 0]
    assert table["response_rate"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert table["agreement_rate"].tolist() == pytest.approx([0.5, 0.25, 0.0])
    # phone 1/2: centre 0.5, half 0.405469 (see test_wilson_vectorised_keeps_series_index)
    assert table.loc[0, "agreement_low"] == pytest.approx(0.094531, abs=1e-5)
    assert table.loc[0, "agreement_high"] == pytest.approx(0.905469, abs=1e-5)
    # email responses 2/4: centre 0.5, half = z·√(0.0625 + z²/64) / (1 + z²/4) = 0.349961
    assert table.loc[1, "response_low"] == pytest.approx(0.150039, abs=1e-5)
    assert table.loc[1, "response_high"] == pytest.approx(0.849961, abs=1e-5)
    assert list(table.index) == [0, 1, 2]


def test_rates_by_owner_role_and_follow_up():
    rows = rate_rows()
    by_role = outreach.rates(rows, "owner_role")
    # csm 1/2 = 0.5, marketing 1/2 = 0.5 (tie → alphabetical), ae 0/3 = 0
    assert by_role["owner_role"].tolist() == ["csm", "marketing", "ae"]
    assert by_role["attempts"].tolist() == [2, 2, 3]
    assert by_role["responses"].tolist() == [1, 2, 1]
    by_follow_up = outreach.rates(rows, "follow_up_number")
    assert by_follow_up["follow_up_number"].tolist() == [0, 1, 2]
    assert by_follow_up["attempts"].tolist() == [4, 2, 1]
    # first asks: agreed, no_response, agreed, no_response → 2/4
    assert by_follow_up["agreement_rate"].tolist() == pytest.approx([0.5, 0.0, 0.0])


def test_rates_by_month_chronological_strings():
    rows = attempt_rows(
        [
            {"sent_on": "2026-02-03", "outcome": "agreed"},
            {"sent_on": "2025-12-31 23:00", "outcome": "no_response"},
            {"sent_on": "2026-01-31 23:59", "outcome": "declined"},
            {"sent_on": "2026-01-01 00:00", "outcome": "agreed"},
            {"sent_on": "2025-12-01", "outcome": "responded"},
        ]
    )
    table = outreach.rates(rows, "month")
    assert table["month"].tolist() == ["2025-12", "2026-01", "2026-02"]
    assert table["attempts"].tolist() == [2, 2, 1]
    assert table["responses"].tolist() == [1, 2, 1]
    assert table["agreements"].tolist() == [0, 1, 1]


def test_rates_empty_and_unknown_grouping():
    empty = outreach.rates(attempt_rows([]).iloc[:0], "month")
    assert empty.empty and list(empty.columns) == ["month", *outreach.RATE_COLUMNS]
    with pytest.raises(ValueError):
        outreach.rates(rate_rows(), "purpose")


# ---- the finding ----------------------------------------------------------------------


def by_channel(counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """A rates-by-channel frame from {channel: (agreements, attempts)}."""
    frame = pd.DataFrame(
        [{"channel": ch, "attempts": n, "agreements": k} for ch, (k, n) in counts.items()],
    )
    frame["agreement_rate"] = frame["agreements"] / frame["attempts"]
    frame["agreement_low"], frame["agreement_high"] = outreach.wilson_interval(
        frame["agreements"], frame["attempts"]
    )
    return frame


def test_finding_ratio_when_intervals_do_not_overlap():
    # phone 333/812 = 0.4101, Wilson [0.3768, 0.4443]; email 434/2410 = 0.1801, Wilson [0.1653, 0.1959]
    # 0.3768 > 0.1959 → a real difference; ratio 0.4101 / 0.1801 = 2.277 → 2.3×
    text = outreach.finding(by_channel({"email": (434, 2410), "phone": (333, 812)}))
    assert text == "Phone asks convert 2.3× email: 41% [38–44] vs 18% [17–20], n=812 vs 2,410."


def test_finding_labels_lower_case_only_the_first_letter():
    # in-person 333/812 as above; social DM 434/2410; video call 19/19 (100%) is ignored (under 20 asks)
    text = outreach.finding(
        by_channel({"social_dm": (434, 2410), "in_person": (333, 812), "video_call": (19, 19)})
    )
    assert text == "In-person asks convert 2.3× social DM: 41% [38–44] vs 18% [17–20], n=812 vs 2,410."


def test_finding_difference_wording_when_worst_is_zero():
    # email 0/120: centre = half = (z²/240) / (1 + z²/120) = 0.016006 / 1.032012; high = 0.032012 / 1.032012 = 0.0310 → 0% [0–3]
    # phone 41/100: [0.3187, 0.5080] → 41% [32–51]
    text = outreach.finding(by_channel({"phone": (41, 100), "email": (0, 120)}))
    assert text == "Phone asks convert at 41% [32–51] vs 0% [0–3] for email, n=100 vs 120."


def test_finding_overlap_says_not_enough_data():
    # phone 12/30 = 40%, Wilson [0.2459, 0.5768]; email 35/100 = 35%, Wilson [0.2636, 0.4475]; 0.2459 < 0.4475
    text = outreach.finding(by_channel({"phone": (12, 30), "email": (35, 100)}))
    assert text == (
        "Not enough data to say one channel converts better: the 95% intervals of the best "
        "(Phone, 40% [25–58]) and the worst (Email, 35% [26–45]) overlap."
    )


def test_finding_too_few_channels():
    expected = "Not enough data: fewer than two channels have 20 or more asks."
    # phone has 19 asks, one short of MIN_ATTEMPTS = 20
    assert outreach.finding(by_channel({"phone": (19, 19), "email": (35, 100)})) == expected
    assert outreach.finding(outreach.rates(attempt_rows([]).iloc[:0], "channel")) == expected
    # exactly 20 asks is enough: phone 20/20 [0.8389, 1] vs email 0/20 [0, 0.1611] → zero wording
    assert outreach.finding(by_channel({"phone": (20, 20), "email": (0, 20)})).startswith(
        "Phone asks convert at"
    )


# ---- funnel ---------------------------------------------------------------------------


def test_funnel_counts_distinct_advocates():
    rows = attempt_rows(
        [
            {"advocate_id": 1, "outcome": "no_response"},
            {"advocate_id": 1, "outcome": "no_response", "follow_up_number": 1},
            {"advocate_id": 1, "outcome": "agreed", "follow_up_number": 2},
            {"advocate_id": 2, "outcome": "declined"},
            {"advocate_id": 3, "outcome": "no_response"},
            {"advocate_id": 3, "outcome": "no_response", "follow_up_number": 1},
            {"advocate_id": 4, "outcome": "agreed"},
            {"advocate_id": 4, "outcome": "agreed", "purpose": "case study"},
        ]
    )
    # asked {1,2,3,4}; responded {1,2,4}; agreed {1,4}; produced = agreed ∩ {1,2,99} = {1}
    table = outreach.funnel(rows, {1, 2, 99})
    assert list(table.columns) == ["stage", "advocates", "share_of_asked"]
    assert table["stage"].tolist() == ["Asked", "Responded", "Agreed", "Produced an asset or reference"]
    assert table["advocates"].tolist() == [4, 3, 2, 1]
    assert table["share_of_asked"].tolist() == pytest.approx([1.0, 0.75, 0.5, 0.25])


def test_funnel_nobody_asked():
    table = outreach.funnel(attempt_rows([]).iloc[:0], set())
    assert table["advocates"].tolist() == [0, 0, 0, 0]
    assert table["share_of_asked"].isna().all()


# ---- time to response -----------------------------------------------------------------


def test_time_to_response_medians_and_p75():
    rows = attempt_rows(
        [
            {
                "channel": "email",
                "sent_on": "2026-01-01",
                "responded_on": "2026-01-02",
                "outcome": "responded",
            },
            {"channel": "email", "sent_on": "2026-01-01", "responded_on": "2026-01-04", "outcome": "agreed"},
            {
                "channel": "email",
                "sent_on": "2026-01-01",
                "responded_on": "2026-01-06",
                "outcome": "declined",
            },
            {"channel": "email", "sent_on": "2026-01-01", "responded_on": "2026-01-11", "outcome": "agreed"},
            {"channel": "email", "sent_on": "2026-01-01", "outcome": "no_response"},
            {
                "channel": "video_call",
                "sent_on": "2026-01-01 09:00",
                "responded_on": "2026-01-02 21:00",
                "outcome": "agreed",
            },
            {"channel": "in_person", "sent_on": "2026-01-01", "outcome": "no_response"},
        ]
    )
    table = outreach.time_to_response(rows)
    assert list(table.columns) == ["channel", "responses", "median_days", "p75_days"]
    # video call: one answer after 1.5 days; email: 1, 3, 5, 10 days → median (3 + 5)/2 = 4,
    # p75 at position 3·0.75 = 2.25 → 5 + 0.25·(10 − 5) = 6.25; all: 1, 1.5, 3, 5, 10 → median 3, p75 position 3 → 5
    assert table["channel"].tolist() == ["Video call", "Email", "All channels"]
    assert table["responses"].tolist() == [1, 4, 5]
    assert table["median_days"].tolist() == pytest.approx([1.5, 4.0, 3.0])
    assert table["p75_days"].tolist() == pytest.approx([1.5, 6.25, 5.0])


def test_time_to_response_without_answers_is_empty():
    rows = attempt_rows([{"outcome": "no_response"}])
    table = outreach.time_to_response(rows)
    assert table.empty and list(table.columns) == ["channel", "responses", "median_days", "p75_days"]
    assert outreach.time_to_response(rows.iloc[:0]).empty


def test_labelled_replaces_codes_with_words_only_for_coded_groupings():
    frame = pd.DataFrame({"channel": ["in_person", "social_dm"], "attempts": [3, 4]})
    assert list(outreach.labelled(frame, "channel")["channel"]) == ["In-person", "Social DM"]
    roles = pd.DataFrame({"owner_role": ["ae", "csm"], "attempts": [1, 2]})
    assert list(outreach.labelled(roles, "owner_role")["owner_role"]) == ["AE", "CSM"]
    months = pd.DataFrame({"month": ["2026-01"], "attempts": [1]})
    assert outreach.labelled(months, "month") is months
