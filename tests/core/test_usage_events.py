import pandas as pd
import pytest

from core.usage_events import WeeklyUsage, weekly_usage

NA = pd.NA
KEYS = ["Export", "DASHBOARDS "]

# Monday 4 March 2024 and Monday 11 March 2024 start the two weeks below.
LOG = [
    # account, at, user, feature, count
    (1, "2024-03-04 00:00:00", "u1", "Export", 2),  # a: Monday 00:00, key
    (1, "2024-03-06 14:30:00", "u2", "search", NA),  # b: NA count = 1 event
    (
        1,
        "2024-03-10 23:59:59",
        "u1",
        " export ",
        1,
    ),  # c: Sunday night, still 4 March; key (trimmed, any case)
    (1, "2024-03-10 12:00:00", None, "dashboards", 3),  # d: no user, key
    (1, "2024-03-11 00:00:00", "u1", "search", 1),  # e: Monday 00:00 starts 11 March
    (1, "2024-03-12 09:00:00", "u3", None, 0),  # f: count 0 = no event, so u3 was not active
    (2, "2024-03-05 08:00:00", "u1", None, 4),  # g: another account's u1 is another user
    (2, "2024-03-07 08:00:00", None, None, NA),  # h
]
COLUMNS = ["account_id", "at", "user", "feature", "count"]

# (1, 4 Mar): a b c d — users {u1, u2} = 2; logins 2 + 1 + 1 + 3 = 7; key a 2 + c 1 + d 3 = 6.
# (1, 11 Mar): e f — users {u1} = 1 (u3's row is 0 events); logins 1 + 0 = 1; key 0: e names a non-key feature.
# (2, 4 Mar): g h — users {u1} = 1; logins 4 + 1 = 5; key NA: no event names a feature.
EXPECTED = [
    (1, "2024-03-04", 2, 7, 6),
    (1, "2024-03-11", 1, 1, 0),
    (2, "2024-03-04", 1, 5, NA),
]


def events(rows: list[tuple], columns: list[str] = COLUMNS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    frame["account_id"] = frame["account_id"].astype("int64")
    frame["at"] = pd.to_datetime(frame["at"])
    if "count" in frame:
        frame["count"] = frame["count"].astype("Int64")
    return frame


def weekly(rows: list[tuple]) -> pd.DataFrame:
    """Expected weeks: (account, week_start, active_users, logins, key_feature_events); seats_used NA."""
    frame = pd.DataFrame(
        rows, columns=["account_id", "week_start", "active_users", "logins", "key_feature_events"]
    )
    frame["account_id"] = frame["account_id"].astype("int64")
    frame["week_start"] = pd.to_datetime(frame["week_start"]).astype("datetime64[us]")
    for column in ["active_users", "logins", "key_feature_events"]:
        frame[column] = frame[column].astype("Int64")
    frame["seats_used"] = pd.Series(NA, index=frame.index, dtype="Int64")
    return frame


def test_weekly_usage_of_a_log():
    pd.testing.assert_frame_equal(weekly_usage(events(LOG), KEYS), weekly(EXPECTED))


@pytest.mark.parametrize(
    "chunks",
    [
        [LOG[:2], LOG[2:5], LOG[5:]],  # u1's week 4 March spans two chunks
        [LOG[::-1]],  # order does not matter
        [[row] for row in LOG],  # one event per chunk
        [LOG[6:], LOG[:6]],  # accounts out of order
    ],
)
def test_chunks_give_the_same_weeks_and_count_a_user_once(chunks):
    usage = WeeklyUsage(KEYS)
    for chunk in chunks:
        usage.add(events(chunk))
    pd.testing.assert_frame_equal(usage.weeks(), weekly(EXPECTED))


def test_folding_what_is_held_keeps_every_week(monkeypatch):
    # Fold after every second triple: the log is folded several times, and weeks() still counts each user once.
    monkeypatch.setattr("core.usage_events.COMPACT_ROWS", 1)
    usage = WeeklyUsage(KEYS)
    for row in LOG + LOG:
        usage.add(events([row]))
    # The log twice: the same users, twice the logins and key-feature events.
    doubled = [(1, "2024-03-04", 2, 14, 12), (1, "2024-03-11", 1, 2, 0), (2, "2024-03-04", 1, 10, NA)]
    pd.testing.assert_frame_equal(usage.weeks(), weekly(doubled))


def test_accounts_far_apart_are_still_told_apart():
    # Account ids 1 and 2**62 span more than one integer can number together with weeks and users.
    far = 2**62
    log = events(
        [
            (1, "2024-03-04", "u1", None, 1),
            (far, "2024-03-04", "u1", None, 1),
            (far, "2024-03-05", "u1", None, 1),
        ]
    )
    expected = [(1, "2024-03-04", 1, 1, NA), (far, "2024-03-04", 1, 2, NA)]
    pd.testing.assert_frame_equal(weekly_usage(log, []), weekly(expected))


def test_user_ids_are_compared_as_text_across_chunks():
    usage = WeeklyUsage([])
    usage.add(events([(1, "2024-03-04", 7, None, 1)]))  # a number in one export …
    usage.add(
        events([(1, "2024-03-05", "7", None, 1), (1, "2024-03-05", "8", None, 1)])
    )  # … text in the next
    # Users {7, 8} = 2; logins 3; no key features set: key-feature events unknown.
    pd.testing.assert_frame_equal(usage.weeks(), weekly([(1, "2024-03-04", 2, 3, NA)]))


def test_no_user_column_leaves_active_users_unknown():
    log = events(
        [(account, at, feature, count) for account, at, _, feature, count in LOG],
        ["account_id", "at", "feature", "count"],
    )
    expected = [(1, "2024-03-04", NA, 7, 6), (1, "2024-03-11", NA, 1, 0), (2, "2024-03-04", NA, 5, NA)]
    pd.testing.assert_frame_equal(weekly_usage(log, KEYS), weekly(expected))


def test_a_week_whose_events_name_no_user_has_unknown_active_users():
    log = events(
        [(1, "2024-03-04", None, None, 2), (1, "2024-03-11", None, None, 1), (1, "2024-03-12", "u1", None, 1)]
    )
    # 4 Mar: 2 events, none with a user → NA; 11 Mar: u1 = 1, and the event without a user still counts: 2.
    pd.testing.assert_frame_equal(
        weekly_usage(log, KEYS), weekly([(1, "2024-03-04", NA, 2, NA), (1, "2024-03-11", 1, 2, NA)])
    )


def test_no_count_column_counts_each_row_as_one_event():
    log = events([row[:4] for row in LOG], COLUMNS[:4])
    # (1, 4 Mar): 4 rows, key a c d = 3; (1, 11 Mar): e f = 2 events, u1 and u3 both active, key 0;
    # (2, 4 Mar): 2 events by u1 and nobody.
    expected = [(1, "2024-03-04", 2, 4, 3), (1, "2024-03-11", 2, 2, 0), (2, "2024-03-04", 1, 2, NA)]
    pd.testing.assert_frame_equal(weekly_usage(log, KEYS), weekly(expected))


@pytest.mark.parametrize(
    "log, keys",
    [
        (
            events([row[:3] + row[4:] for row in LOG], ["account_id", "at", "user", "count"]),
            KEYS,
        ),  # no feature column
        (events(LOG), []),  # no key feature set
    ],
    ids=["no feature column", "no key features"],
)
def test_key_feature_events_are_unknown_never_zero_without_features_or_keys(log, keys):
    expected = [(1, "2024-03-04", 2, 7, NA), (1, "2024-03-11", 1, 1, NA), (2, "2024-03-04", 1, 5, NA)]
    pd.testing.assert_frame_equal(weekly_usage(log, keys), weekly(expected))


def test_a_week_with_only_other_features_has_zero_key_feature_events():
    log = events([(1, "2024-03-04", "u1", "search", 2), (1, "2024-03-05", "u1", "settings", 1)])
    pd.testing.assert_frame_equal(weekly_usage(log, KEYS), weekly([(1, "2024-03-04", 1, 3, 0)]))


def test_a_time_zone_aware_timestamp_keeps_its_own_date():
    # Sunday 23:30 in New York is Monday 04:30 in UTC: the week is the one the log wrote, 4 March.
    log = events([(1, "2024-03-10 23:30:00", "u1", "export", 1)])
    log["at"] = log["at"].dt.tz_localize("America/New_York")
    pd.testing.assert_frame_equal(weekly_usage(log, KEYS), weekly([(1, "2024-03-04", 1, 1, 1)]))


def test_an_empty_log_gives_no_weeks_with_the_columns_and_dtypes():
    pd.testing.assert_frame_equal(weekly_usage(events([]), KEYS), weekly([]))
    pd.testing.assert_frame_equal(WeeklyUsage(KEYS).weeks(), weekly([]))
