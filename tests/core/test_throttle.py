import datetime as dt

import pytest

from core.throttle import ADDRESS, PAIR, USERNAME, Policy, delay_seconds, wait_left, wait_message

T0 = dt.datetime(2026, 11, 23, 12, 0, 0)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (1, 0), (3, 0), (4, 1), (5, 2), (6, 4), (10, 64), (13, 512), (14, 900), (1000, 900)],
)
def test_pair_delays_double_from_one_second_after_three_free_failures_up_to_fifteen_minutes(
    failures, seconds
):
    assert delay_seconds(failures, PAIR) == seconds


def test_username_across_addresses_allows_more_failures_and_caps_at_half_a_minute():
    assert [delay_seconds(n, USERNAME) for n in (10, 11, 12, 15, 16, 500)] == [0, 1, 2, 16, 30, 30]


def test_address_across_usernames_allows_twenty_and_caps_at_a_minute():
    assert [delay_seconds(n, ADDRESS) for n in (20, 21, 26, 27, 10**9)] == [0, 1, 32, 60, 60]


def test_a_custom_policy_starts_from_its_own_first_wait():
    assert delay_seconds(2, Policy(free=1, first_seconds=5, cap_seconds=12)) == 5
    assert delay_seconds(3, Policy(free=1, first_seconds=5, cap_seconds=12)) == 10
    assert delay_seconds(4, Policy(free=1, first_seconds=5, cap_seconds=12)) == 12


def test_wait_runs_from_the_last_failure_and_ends():
    # 6 failures → 4 s from the last one.
    assert wait_left(6, T0, T0) == 4
    assert wait_left(6, T0, T0 + dt.timedelta(seconds=1.5)) == 2.5
    assert wait_left(6, T0, T0 + dt.timedelta(seconds=4)) == 0
    assert wait_left(6, T0, T0 + dt.timedelta(days=3)) == 0


def test_no_failures_means_no_wait():
    assert wait_left(0, None, T0) == 0
    assert wait_left(3, T0, T0) == 0


def test_the_longest_wait_is_the_cap_never_a_lock():
    assert wait_left(10**6, T0, T0 + dt.timedelta(minutes=15)) == 0
    assert wait_left(10**6, T0, T0 + dt.timedelta(minutes=14)) == 60


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.2, "1 second"),
        (1.0, "1 second"),
        (1.01, "2 seconds"),
        (59.5, "60 seconds"),
        (60, "1 minute"),
        (64, "2 minutes"),
        (900, "15 minutes"),
    ],
)
def test_wait_message_rounds_up(seconds, text):
    assert wait_message(seconds) == f"Too many failed attempts. Try again in {text}."
