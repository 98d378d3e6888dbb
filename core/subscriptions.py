"""Account facts and churn derived from per-subscription rows.

A subscription row: account_id (int64), started_on (datetime64), ended_on (datetime64; NaT = still
running), amount (Float64, NA = unknown), billing_period ('month', 'year' or NA = unknown: the period
the amount is paid for), seats (Int64, NA = unknown), plan (text, NA = unknown). It covers every day from
started_on to ended_on, both included, so it is active on a day when started_on ≤ day and (ended_on is
NaT or ended_on ≥ day).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

ANNUAL_FACTOR = {"month": 12, "year": 1}
CHURN_REASON = "subscription ended without renewal"
# The day number of "still running": later than any day pandas holds, and far enough from the int64
# limit that subtracting a day number from it cannot overflow.
_OPEN_ENDED = 2**62


def account_facts(subs: pd.DataFrame, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Per account with a subscription (index account_id, sorted): what its subscriptions say on as_of.

    - arr (Float64) = Σ over the subscriptions active on as_of of amount × 12 for 'month', × 1 for 'year';
      NA when an active subscription's amount or period is unknown; 0.0 when none is active (ended or
      not started yet: the account pays nothing now).
    - seats_purchased (Int64) = Σ seats of the active subscriptions; NA when an active one's seats are
      unknown; 0 when none is active.
    - plan (the plan column's dtype) = the plan of the latest-started active subscription that names one,
      else of the latest-started one that names one; NA when none does. Equal start days: the row given last.
    - customer_since (datetime64) = the earliest started_on.
    - renewal_date (datetime64) = the earliest ended_on of the active subscriptions; NaT when all of
      them are open-ended or none is active.
    """
    day = pd.Timestamp(as_of)
    active = (subs["started_on"] <= day) & (subs["ended_on"].isna() | (subs["ended_on"] >= day))
    annual = subs["amount"].astype("Float64") * subs["billing_period"].map(ANNUAL_FACTOR).astype("Float64")
    current = subs.assign(annual=annual)[active]
    by_account = current.groupby("account_id")
    accounts = pd.Index(np.sort(subs["account_id"].unique()), name="account_id")
    arr = by_account["annual"].sum().mask(current["annual"].isna().groupby(current["account_id"]).any())
    seats = by_account["seats"].sum().mask(current["seats"].isna().groupby(current["account_id"]).any())
    # False sorts before True: the last row per account is its latest-started active plan if it has one.
    named = subs[subs["plan"].notna()].assign(active=active)
    plan = named.sort_values(["active", "started_on"], kind="stable").groupby("account_id")["plan"].last()
    return pd.DataFrame(
        {
            "arr": arr.reindex(accounts, fill_value=0.0).astype("Float64"),
            "seats_purchased": seats.reindex(accounts, fill_value=0).astype("Int64"),
            "plan": plan.reindex(accounts),
            "customer_since": subs.groupby("account_id")["started_on"].min(),
            "renewal_date": by_account["ended_on"].min().reindex(accounts),
        },
        index=accounts,
    )


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01; NaT (still running) as _OPEN_ENDED."""
    days = dates.to_numpy().astype("datetime64[D]")
    return np.where(np.isnat(days), _OPEN_ENDED, days.astype(np.int64))


def churn_from_subscriptions(
    subs: pd.DataFrame, *, as_of: dt.date | pd.Timestamp, renewal_grace_days: int = 30
) -> pd.DataFrame:
    """One churn event for each time an account's subscription coverage ended without a renewal, up to as_of.

    An account's subscriptions, in order of start, merge into stretches of coverage: a subscription
    continues the coverage when it starts while the coverage runs or at most renewal_grace_days uncovered
    days after the coverage's last day (overlapping, adjacent and renewing subscriptions alike). Each stretch that
    ends is a churn dated at its last covered day, once as_of is past the grace days that a renewal could
    still use (as_of − end > renewal_grace_days days), so a later import of a renewal inside the grace
    never contradicts a churn already derived. A stretch that is still running (open-ended, or ending
    on or after as_of) gives none; a subscription after a churn is a return, and its stretch may churn again.

    Out: account_id int64, churned_on datetime64[us], reason str; sorted by account and day.
    """
    ordered = subs.sort_values(["account_id", "started_on"], kind="stable")
    account = ordered["account_id"].reset_index(drop=True)
    covered_until = pd.Series(_day_numbers(ordered["ended_on"])).groupby(account).cummax()
    uncovered_days = _day_numbers(ordered["started_on"]) - covered_until.shift(fill_value=_OPEN_ENDED) - 1
    first_of_account = account.ne(account.shift())
    stretch = (first_of_account | (uncovered_days > renewal_grace_days)).cumsum()
    stretches = pd.DataFrame({"account_id": account, "end": covered_until}).groupby(stretch).last()
    day = pd.Timestamp(as_of).to_datetime64().astype("datetime64[D]").astype(np.int64)
    churned = stretches[(stretches["end"] != _OPEN_ENDED) & (day - stretches["end"] > renewal_grace_days)]
    return pd.DataFrame(
        {
            "account_id": churned["account_id"].to_numpy(np.int64),
            "churned_on": churned["end"].to_numpy().astype("datetime64[D]").astype("datetime64[us]"),
            "reason": pd.Series(CHURN_REASON, index=range(len(churned)), dtype="str"),
        }
    )
