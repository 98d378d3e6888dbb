"""Growing delays after failed logins: guessing stays slow, and nobody is ever locked out for good.

Three counters, each with its own policy (free failures, then waits doubling from 1 s up to a cap):

- one username from one address: 3 free failures, then 1 s, 2 s, 4 s … up to 15 minutes;
- one username from every address together: 10 free, capped at 30 s, so many addresses cannot guess
  one password quickly, yet an attacker elsewhere delays the real user by half a minute at most;
- one address across every username (password spraying): 20 free, capped at 60 s, low enough that
  colleagues behind one office address are never kept out for long.

A wait runs from the last counted failure; the longest of the three applies. A browser that has logged
in as the user before is held by none of them, only by its own failures under the pair's policy
(db/logins.py): however often others guess, from wherever, the user's own browser still gets in.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

# Failures older than this are forgotten: every wait has ended long before.
FORGET_AFTER = dt.timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    """How many failures pass without a wait, the first wait, and the longest."""

    free: int
    first_seconds: float
    cap_seconds: float


PAIR = Policy(free=3, first_seconds=1.0, cap_seconds=15 * 60.0)
USERNAME = Policy(free=10, first_seconds=1.0, cap_seconds=30.0)
ADDRESS = Policy(free=20, first_seconds=1.0, cap_seconds=60.0)


def delay_seconds(failures: int, policy: Policy = PAIR) -> float:
    """Wait after the failures-th failure: 0 up to policy.free, then first × 2^(failures − free − 1), capped."""
    beyond = failures - policy.free
    if beyond <= 0:
        return 0.0
    # Past 2^40 the cap has long applied; the bound keeps the power from overflowing.
    return min(policy.cap_seconds, policy.first_seconds * 2.0 ** min(beyond - 1, 40))


def wait_left(
    failures: int, last_failed_at: dt.datetime | None, now: dt.datetime, policy: Policy = PAIR
) -> float:
    """Seconds still to wait at now after failures failures, the last at last_failed_at (0 when none)."""
    if last_failed_at is None or failures <= 0:
        return 0.0
    elapsed = (now - last_failed_at).total_seconds()
    return max(0.0, delay_seconds(failures, policy) - elapsed)


def wait_message(seconds: float) -> str:
    """What the login form says while a wait runs: whole seconds under a minute, else whole minutes, rounded up."""
    if seconds < 60:
        count, unit = max(1, math.ceil(seconds)), "second"
    else:
        count, unit = math.ceil(seconds / 60), "minute"
    return f"Too many failed attempts. Try again in {count} {unit}{'' if count == 1 else 's'}."
