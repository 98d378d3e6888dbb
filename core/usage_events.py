"""Weekly product usage from an event-level log: active users, logins and key-feature events per account-week.

A log is read in chunks and fed to one `WeeklyUsage`, which keeps per chunk
- its totals per (account, week): a few integers per account-week, whatever the events;
- its distinct (account, week, user) triples as three integers: users are numbered across chunks by
  one table of every user id seen, so a user's id text is held once, and one user seen in two chunks of
  the same week is one active user.
Memory therefore follows the account-weeks and the distinct users of each week, not the events: a user
with fifty events in a week is one triple of 16 bytes. Triples are made distinct within each chunk, so a
log in time order (as exports are) holds about its distinct triples and a shuffled one at most one per
event; `weeks()` makes them distinct across chunks at about 100 bytes per triple held (5,000,000 events
of 4,350,000 distinct user-weeks, the worst case: under 0.5 GB). `weekly_usage` does the same for a
log read at once.

Weeks start on Monday 00:00 of the date written in the timestamp (a time zone-aware timestamp keeps its
own wall-clock date; nothing is converted). Unknown is NA, never 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

WEEKLY_COLUMNS = ["account_id", "week_start", "active_users", "logins", "key_feature_events", "seats_used"]
_KEYS = ["account_id", "week"]


def _week_numbers(at: pd.Series) -> np.ndarray:
    """The day number (days since 1970-01-01) of the Monday starting each timestamp's week."""
    if isinstance(at.dtype, pd.DatetimeTZDtype):
        at = at.dt.tz_localize(None)
    days = at.to_numpy().astype("datetime64[D]").astype(np.int64)
    # Day 0, 1970-01-01, was a Thursday: (day + 3) % 7 is the days since the Monday before.
    return days - (days + 3) % 7


# Triples held before they are folded together (about 16 bytes each).
COMPACT_ROWS = 2_000_000


class WeeklyUsage:
    """Weekly usage of one event log fed in chunks: `add` each chunk, then read `weeks()`.

    A chunk: account_id (int64), at (datetime64, naive or time zone-aware; never NaT), optionally user (any ids,
    compared as text; NA = unknown user), feature (text; NA = unknown) and count (Int64: the events the
    row stands for; NA or no count column = 1). Every chunk of a log has the same columns.
    """

    def __init__(self, key_features: Iterable[str]) -> None:
        """key_features: the feature names whose events count as key-feature events (trimmed, any case)."""
        self._key_features = {name.strip().casefold() for name in key_features}
        self._user_ids = pd.Index([], dtype="str")  # position = the user's number
        self._totals: list[pd.DataFrame] = []
        self._users: list[pd.DataFrame] = []
        self._folded = 0  # the triples held right after the last fold
        # An empty first chunk gives an empty log its columns and dtypes.
        self.add(
            pd.DataFrame({"account_id": pd.Series(dtype="int64"), "at": pd.Series(dtype="datetime64[us]")})
        )

    def add(self, events: pd.DataFrame) -> None:
        """Fold in one chunk of the log."""
        counts = (
            events["count"].fillna(1).to_numpy(np.int64)
            if "count" in events
            else np.ones(len(events), np.int64)
        )
        users = self._user_numbers(events)
        key_counts, named = self._key_feature_counts(events, counts)
        chunk = pd.DataFrame(
            {
                "account_id": events["account_id"].to_numpy(np.int64),
                "week": _week_numbers(events["at"]),
                "logins": counts,
                "key_feature_events": key_counts,
                "named_feature": named,
                "named_user": users >= 0,
                "user": users,
            }
        )
        self._totals.append(chunk.drop(columns="user").groupby(_KEYS, sort=False).sum())
        # A row with count 0 stands for no event: its user was not active. Week and user numbers fit
        # 32 bits, which halves what the triples of a long log hold.
        active = chunk.loc[(users >= 0) & (counts > 0), [*_KEYS, "user"]]
        self._users.append(_distinct(active.astype({"week": np.int32, "user": np.int32})))
        # A shuffled log repeats its (account, week, user) triples across chunks: folding them together
        # when what is held has doubled since the last fold keeps it near its distinct triples, and folds
        # a long log a few times rather than after every chunk.
        held = sum(len(users) for users in self._users)
        if held > max(COMPACT_ROWS, 2 * self._folded):
            self._users = [_distinct(pd.concat(self._users, ignore_index=True))]
            self._totals = [pd.concat(self._totals).groupby(level=_KEYS).sum()]
            self._folded = len(self._users[0])

    def _user_numbers(self, events: pd.DataFrame) -> np.ndarray:
        """Each row's user as its number in the table of users seen in any chunk; -1 for no user."""
        if "user" not in events:
            return np.full(len(events), -1)
        codes, users = pd.factorize(events["user"].astype("str"))
        numbers = self._user_ids.get_indexer(users)
        new = numbers < 0
        numbers[new] = len(self._user_ids) + np.arange(new.sum())
        self._user_ids = self._user_ids.append(users[new])
        # Code -1 (no user) reads the -1 appended at the end.
        return np.append(numbers, -1)[codes]

    def _key_feature_counts(self, events: pd.DataFrame, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row: its count when its feature is a key feature (else 0), and 1 when it names a feature at all."""
        if "feature" not in events or not self._key_features:
            return np.zeros(len(events), np.int64), np.zeros(len(events), np.int64)
        # Features repeat: normalise each distinct name once, not every event.
        codes, features = pd.factorize(events["feature"].astype("str"))
        is_key = features.str.strip().str.casefold().isin(self._key_features)
        # Code -1 (no feature) reads the False appended at the end.
        key_counts = np.where(np.append(is_key, False)[codes], counts, 0)
        return key_counts, (codes >= 0).astype(np.int64)

    def weeks(self) -> pd.DataFrame:
        """One row per (account_id, week_start) with an event, sorted by both.

        Out: account_id int64, week_start datetime64[us] (Monday 00:00), and Int64:
        - active_users = distinct users with an event in the week; NA when no event of the week names a
          user (no user column, or every user NA). Events without a user still count as logins.
        - logins = the week's events (the sum of their counts).
        - key_feature_events = the week's events whose feature, trimmed and case-folded, is a key feature;
          0 when its events name only other features; NA when none of them names a feature (no feature
          column, every feature NA) or no feature is key.
        - seats_used = NA: events do not say how many seats are assigned.
        """
        totals = pd.concat(self._totals).groupby(level=_KEYS).sum()
        active = _distinct(pd.concat(self._users, ignore_index=True)).groupby(_KEYS).size()
        weekly = pd.DataFrame(
            {
                "active_users": active.reindex(totals.index, fill_value=0)
                .astype("Int64")
                .where(totals["named_user"] > 0),
                "logins": totals["logins"].astype("Int64"),
                "key_feature_events": totals["key_feature_events"]
                .astype("Int64")
                .where(totals["named_feature"] > 0),
                "seats_used": pd.Series(pd.NA, index=totals.index, dtype="Int64"),
            }
        ).reset_index()
        weekly["week_start"] = weekly.pop("week").to_numpy().astype("datetime64[D]").astype("datetime64[us]")
        return weekly[WEEKLY_COLUMNS]


def _distinct(rows: pd.DataFrame) -> pd.DataFrame:
    """The distinct rows of integer columns. When the columns' ranges multiply to less than 2**62 each row
    is one integer (mixed radix), which is several times faster to hash than the columns one by one."""
    if rows.empty:
        return rows
    lows = [int(rows[name].min()) for name in rows]
    spans = [int(rows[name].max()) - low + 1 for name, low in zip(rows, lows, strict=True)]
    if math.prod(spans) >= 2**62:
        return rows.drop_duplicates()
    key = np.zeros(len(rows), dtype=np.int64)
    for name, low, span in zip(rows, lows, spans, strict=True):
        key = key * span + (rows[name].to_numpy(np.int64) - low)
    return rows[~pd.Series(key).duplicated().to_numpy()]


def weekly_usage(events: pd.DataFrame, key_features: Iterable[str]) -> pd.DataFrame:
    """Weekly usage of a log read at once (see WeeklyUsage.weeks for the columns and rules)."""
    usage = WeeklyUsage(key_features)
    usage.add(events)
    return usage.weeks()
