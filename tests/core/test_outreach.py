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


def tally(rows: pd.DataFrame) -> pd.DataFrame:
    """Row-level attempts as the database tallies them: one per row (n = 1), with the sent month."""
    return rows.assign(month=rows["sent_on"].dt.strftime("%Y-%m"), n=1)


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
    table = outreach.rates(tally(rate_rows()), "channel")
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
    rows = tally(rate_rows())
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
    table = outreach.rates(tally(rows), "month")
    assert table["month"].tolist() == ["2025-12", "2026-01", "2026-02"]
    assert table["attempts"].tolist() == [2, 2, 1]
    assert table["responses"].tolist() == [1, 2, 1]
    assert table["agreements"].tolist() == [0, 1, 1]


def test_rates_empty_and_unknown_grouping():
    empty = outreach.rates(tally(attempt_rows([]).iloc[:0]), "month")
    assert empty.empty and list(empty.columns) == ["month", *outreach.RATE_COLUMNS]
    with pytest.raises(ValueError):
        outreach.rates(tally(rate_rows()), "purpose")


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
    assert outreach.finding(outreach.rates(tally(attempt_rows([]).iloc[:0]), "channel")) == expected
    # exactly 20 asks is enough: phone 20/20 [0.8389, 1] vs email 0/20 [0, 0.1611] → zero wording
    assert outreach.finding(by_channel({"phone": (20, 20), "email": (0, 20)})).startswith(
        "Phone asks convert at"
    )


# ---- funnel ---------------------------------------------------------------------------


def test_funnel_shares_of_the_asked():
    table = outreach.funnel({"asked": 4, "responded": 3, "agreed": 2, "produced": 1})
    assert list(table.columns) == ["stage", "advocates", "share_of_asked"]
    assert table["stage"].tolist() == [
        "Advocates asked",
        "Answered at least once",
        "Agreed at least once",
        "Produced an asset or reference",
    ]
    assert table["advocates"].tolist() == [4, 3, 2, 1]
    assert table["share_of_asked"].tolist() == pytest.approx([1.0, 0.75, 0.5, 0.25])


def test_funnel_nobody_asked():
    table = outreach.funnel({"asked": 0, "responded": 0, "agreed": 0, "produced": 0})
    assert table["advocates"].tolist() == [0, 0, 0, 0]
    assert table["share_of_asked"].isna().all()


def test_ask_totals_count_asks_as_the_charts_do():
    tally = pd.DataFrame(
        {
            "channel": ["email", "email", "phone", "phone", "email"],
            "follow_up_number": [0, 1, 0, 0, 0],
            "outcome": ["no_response", "agreed", "declined", "responded", "agreed"],
            "n": [5, 1, 2, 1, 1],
        }
    )
    table = outreach.ask_totals(tally)
    # 5 + 1 + 2 + 1 + 1 = 10 asks; answered: agreed 1 + declined 2 + responded 1 + agreed 1 = 5; agreed 2
    assert table["stage"].tolist() == ["Asks sent", "Answered", "Agreed"]
    assert table["asks"].tolist() == [10, 5, 2]
    assert table["share_of_sent"].tolist() == pytest.approx([1.0, 0.5, 0.2])
    by_channel = outreach.rates(tally, "channel")
    assert by_channel["attempts"].sum() == 10 and by_channel["responses"].sum() == 5


def test_ask_totals_nothing_sent():
    table = outreach.ask_totals(pd.DataFrame({"outcome": [], "n": []}))
    assert table["asks"].tolist() == [0, 0, 0]
    assert table["share_of_sent"].isna().all()


# ---- time to response -----------------------------------------------------------------


def test_time_to_response_medians_and_p75_from_day_counts():
    days = pd.DataFrame(
        {
            "channel": ["email", "email", "email", "email", "video_call"],
            "days": [1, 3, 5, 10, 2],
            "n": [1, 1, 1, 1, 3],
        }
    )
    table = outreach.time_to_response(days)
    assert list(table.columns) == ["channel", "responses", "median_days", "p75_days"]
    # The smallest day count by which at least half (or 75%) of the answers had come:
    # email 1, 3, 5, 10 → half (2 of 4) by day 3, 75% (3 of 4) by day 5; video call 2, 2, 2 → 2 and 2;
    # all 1, 2, 2, 2, 3, 5, 10 → 3.5 of 7 by day 2 (4th answer), 5.25 of 7 by day 5 (6th answer)
    assert table["channel"].tolist() == ["Video call", "Email", "All channels"]
    assert table["responses"].tolist() == [3, 4, 7]
    assert table["median_days"].tolist() == [2, 3, 2]
    assert table["p75_days"].tolist() == [2, 5, 5]


def test_time_to_response_without_answers_is_empty():
    table = outreach.time_to_response(pd.DataFrame(columns=["channel", "days", "n"]))
    assert table.empty and list(table.columns) == ["channel", "responses", "median_days", "p75_days"]


def test_channel_order_puts_never_used_channels_last():
    by_channel = pd.DataFrame({"channel": ["phone", "email"]})
    assert outreach.channel_order(by_channel) == ["phone", "email", "video_call", "in_person", "social_dm"]


def test_labelled_replaces_codes_with_words_only_for_coded_groupings():
    frame = pd.DataFrame({"channel": ["in_person", "social_dm"], "attempts": [3, 4]})
    assert list(outreach.labelled(frame, "channel")["channel"]) == ["In-person", "Social DM"]
    roles = pd.DataFrame({"owner_role": ["ae", "csm"], "attempts": [1, 2]})
    assert list(outreach.labelled(roles, "owner_role")["owner_role"]) == ["AE", "CSM"]
    months = pd.DataFrame({"month": ["2026-01"], "attempts": [1]})
    assert outreach.labelled(months, "month") is months
