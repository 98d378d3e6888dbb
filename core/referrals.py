"""The referral program's numbers for a period: funnel, headline metrics, referred vs other customers, referrers.

A period is [start, end] in whole days, both included. Rates follow core.metrics: None (NaN in a
table) means "no data", never zero.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
import pandas as pd

from core import metrics, periods
from core.advocates import IN_PROGRAM_STAGES
from core.vocabulary import REFERRAL_EVENTS

STEP_LABELS = {
    "email_sent": "Email sent",
    "opened": "Opened",
    "clicked": "Clicked",
    "page_view": "Landing page view",
    "lead": "Lead",
    "opportunity": "Opportunity",
    "purchase": "Purchase",
}
FUNNEL_COLUMNS = ["step", "label", "referrals", "share_of_sent", "from_previous"]
GROUP_COLUMNS = [
    "group",
    "customers",
    "revenue",
    "revenue_per_customer",
    "avg_first_purchase",
    "avg_purchase_value",
    "purchase_frequency",
    "lifespan_years",
    "ltv",
]
REFERRER_COLUMNS = [
    "advocate_id",
    "advocate",
    "account",
    "referral_code",
    "referrals",
    "clicked",
    "purchases",
    "revenue",
    "rewards_given",
    "reward_value",
    "thanked",
    "thank_you_owed",
]
REFERRED, OTHER = "Referred", "Other"
CONVERTED_THANKS = "referral_converted"
CODE_LENGTH = 8
FALLBACK_CODE = "ADV"


@dataclass(frozen=True)
class ReferralSummary:
    """The period's headline referral numbers; rates are None without a denominator."""

    sent: int
    opens: int
    clicks: int
    click_through_rate: float | None
    page_views: int
    referral_purchases: int
    total_purchases: int
    referral_rate: float | None
    referral_revenue: float


def _nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


def _cohort(referrals: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The referrals created in the period."""
    return referrals.loc[periods.on_days(referrals["created_on"], start, end)]


def _reached(events: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    """One row per (referral_id, event) a cohort referral ever reached, however often and whenever it happened."""
    mine = events.loc[events["referral_id"].isin(cohort.index), ["referral_id", "event"]]
    return mine.drop_duplicates()


def funnel(
    referrals: pd.DataFrame, events: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Cohort funnel of the referrals created in the period: per step, distinct referrals that reached it,
    share_of_sent = referrals ÷ referrals at "Email sent", from_previous = referrals ÷ previous step's.

    A referral counts at a step only if it has that event, even after end; steps are not forced to be
    monotone, so a step skipped in the data can make from_previous exceed 1.
    """
    counts = (
        _reached(events, _cohort(referrals, start, end))["event"]
        .value_counts()
        .reindex(list(REFERRAL_EVENTS), fill_value=0)
        .astype("int64")
    )
    reached = counts.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        sent = reached[0] if reached[0] > 0 else np.nan
        previous = np.concatenate([[np.nan], np.where(reached[:-1] > 0, reached[:-1], np.nan)])
        share_of_sent = reached / sent
        from_previous = reached / previous
    return pd.DataFrame(
        {
            "step": list(REFERRAL_EVENTS),
            "label": [STEP_LABELS[step] for step in REFERRAL_EVENTS],
            "referrals": reached,
            "share_of_sent": share_of_sent,
            "from_previous": from_previous,
        },
        columns=FUNNEL_COLUMNS,
    )


def summary(
    referrals: pd.DataFrame,
    events: pd.DataFrame,
    purchases: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> ReferralSummary:
    """Headline numbers: cohort sent, opens and clicks (distinct referrals), CTR = clicks ÷ opens,
    page views = page_view events in the period, referral rate = referral purchases ÷ all purchases in
    the period, and referral revenue."""
    cohort = _cohort(referrals, start, end)
    reached = _reached(events, cohort)["event"]
    opens, clicks = int((reached == "opened").sum()), int((reached == "clicked").sum())
    # The brief counts visits to the landing page, so repeated views all count, whoever's referral it is.
    page_views = int(
        ((events["event"] == "page_view") & periods.on_days(events["occurred_at"], start, end)).sum()
    )
    bought = purchases.loc[periods.on_days(purchases["purchased_on"], start, end)]
    referred = bought["referral_id"].notna()
    return ReferralSummary(
        sent=len(cohort),
        opens=opens,
        clicks=clicks,
        click_through_rate=metrics.click_through_rate(clicks, opens),
        page_views=page_views,
        referral_purchases=int(referred.sum()),
        total_purchases=len(bought),
        referral_rate=metrics.referral_rate(int(referred.sum()), len(bought)),
        referral_revenue=float(bought.loc[referred, "amount"].sum()),
    )


def _avg_first_purchase(
    purchases: pd.DataFrame, customers: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> float:
    """Mean amount of the first purchase of the customers acquired in the period; NaN if none bought."""
    acquired = customers.index[periods.on_days(customers["customer_since"], start, end)]
    theirs = purchases.loc[purchases["account_id"].isin(acquired)]
    first = theirs.sort_values("purchased_on", kind="stable").drop_duplicates("account_id")
    return float(first["amount"].mean()) if len(first) else np.nan


def _group_row(
    group: str, purchases: pd.DataFrame, customers: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> dict:
    """One group's customers, revenue and LTV factors."""
    bought = purchases.loc[periods.on_days(purchases["purchased_on"], start, end)]
    revenue = float(bought["amount"].sum())
    since = customers["customer_since"]
    parts = metrics.ltv_from_history(purchases, customers, start, end)
    return {
        "group": group,
        "customers": int((since < periods.day_after(end)).sum()),
        "revenue": revenue,
        "revenue_per_customer": _nan(metrics.ratio(revenue, bought["account_id"].nunique())),
        "avg_first_purchase": _avg_first_purchase(purchases, customers, start, end),
        "avg_purchase_value": _nan(parts.avg_purchase_value),
        "purchase_frequency": _nan(parts.purchase_frequency),
        "lifespan_years": _nan(parts.lifespan_years),
        "ltv": _nan(parts.ltv),
    }


def referred_vs_other(
    purchases: pd.DataFrame, customers: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Referred customers (any purchase with a referral_id) vs the others: customers acquired by end,
    revenue in the period, revenue per buying customer = revenue ÷ customers who bought, mean first
    purchase of customers acquired in the period, and LTV = avg purchase value × frequency × lifespan."""
    referred = pd.Index(purchases.loc[purchases["referral_id"].notna(), "account_id"].unique())
    buyer_is_referred = purchases["account_id"].isin(referred)
    customer_is_referred = customers.index.isin(referred)
    rows = [
        _group_row(group, purchases.loc[mask], customers.loc[cmask], start, end)
        for group, mask, cmask in (
            (REFERRED, buyer_is_referred, customer_is_referred),
            (OTHER, ~buyer_is_referred, ~customer_is_referred),
        )
    ]
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


def _count_by(frame: pd.DataFrame, key: str, index: pd.Index) -> pd.Series:
    return frame.groupby(key).size().reindex(index, fill_value=0).astype("int64")


def _converted_purchases(purchases: pd.DataFrame, referrals: pd.DataFrame) -> pd.DataFrame:
    """Purchases that came from a referral, with the advocate who made it."""
    linked = purchases.loc[purchases["referral_id"].notna(), ["referral_id", "purchased_on", "amount"]]
    linked = linked.assign(advocate_id=linked["referral_id"].map(referrals["advocate_id"]))
    return linked.loc[linked["advocate_id"].notna()]


def referrers(
    referrals: pd.DataFrame,
    events: pd.DataFrame,
    purchases: pd.DataFrame,
    advocates: pd.DataFrame,
    rewards: pd.DataFrame,
    thank_yous: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> pd.DataFrame:
    """Per advocate with a referral code or a referral in the period: referrals created, clicked and
    purchased (cohort), revenue and rewards in the period, and whether a conversion still awaits its
    thank-you. Most purchases first, then most referrals."""
    cohort = _cohort(referrals, start, end)
    with_code = advocates.index[advocates["referral_code"].notna()]
    ids = pd.Index(with_code).union(pd.Index(cohort["advocate_id"].unique())).rename("advocate_id")
    reached = _reached(events, cohort)
    reached = reached.assign(advocate_id=reached["referral_id"].map(referrals["advocate_id"]))
    converted = _converted_purchases(purchases, referrals)
    in_period = converted.loc[periods.on_days(converted["purchased_on"], start, end)]
    given = rewards.loc[periods.on_days(rewards["given_on"], start, end)]
    # An owed thank-you stays owed whenever the conversion happened, and one sent after end still settles it.
    by_end = converted["purchased_on"] < periods.day_after(end)
    last_conversion = pd.to_datetime(
        converted.loc[by_end].groupby("advocate_id")["purchased_on"].max().reindex(ids)
    )
    thanks = thank_yous.loc[thank_yous["reason"] == CONVERTED_THANKS]
    last_thanks = pd.to_datetime(thanks.groupby("advocate_id")["sent_on"].max().reindex(ids))
    thanked = last_thanks >= last_conversion
    names = cohort.groupby("advocate_id")[["advocate", "advocate_account"]].first()
    table = pd.DataFrame(
        {
            "advocate": advocates["advocate"].reindex(ids).fillna(names["advocate"].reindex(ids)),
            "account": advocates["account"].reindex(ids).fillna(names["advocate_account"].reindex(ids)),
            "referral_code": advocates["referral_code"].reindex(ids),
            "referrals": _count_by(cohort, "advocate_id", ids),
            "clicked": _count_by(reached.loc[reached["event"] == "clicked"], "advocate_id", ids),
            "purchases": _count_by(reached.loc[reached["event"] == "purchase"], "advocate_id", ids),
            "revenue": in_period.groupby("advocate_id")["amount"].sum().reindex(ids, fill_value=0.0),
            "rewards_given": _count_by(given, "advocate_id", ids),
            "reward_value": given.groupby("advocate_id")["value"].sum().reindex(ids, fill_value=0.0),
            "thanked": thanked,
            "thank_you_owed": last_conversion.notna() & ~thanked,
        },
        index=ids,
    )
    table = table.astype({"revenue": "float64", "reward_value": "float64"})
    table = table.reset_index().sort_values(
        ["purchases", "referrals", "advocate"], ascending=[False, False, True], kind="stable"
    )
    return table[REFERRER_COLUMNS].reset_index(drop=True)


def referral_link(base_url: str, code: str) -> str:
    """base_url and the URL-quoted code, joined by exactly one slash."""
    return f"{base_url.rstrip('/')}/{quote(code, safe='')}"


def new_code(advocate_name: str, advocate_id: int) -> str:
    """A readable referral code: up to 8 ASCII letters/digits of the name (accents stripped; "ADV" if none),
    a dash and the advocate id, e.g. José Martínez, 42 → JOSEMART-42."""
    ascii_name = unicodedata.normalize("NFKD", advocate_name).encode("ascii", "ignore").decode().upper()
    letters = re.sub(r"[^A-Z0-9]", "", ascii_name)[:CODE_LENGTH]
    return f"{letters or FALLBACK_CODE}-{advocate_id}"


def code_candidates(advocates: pd.DataFrame, with_code: pd.Index, owner_id: int | None) -> pd.DataFrame:
    """Advocates who agreed (or are reference-ready) and have no referral code yet, in one owner's book or all;
    advocates: id, stage, contact_name, account_name, owner_id."""
    keep = advocates["stage"].isin(IN_PROGRAM_STAGES) & ~advocates["id"].isin(with_code)
    if owner_id is not None:
        keep &= advocates["owner_id"] == owner_id
    return advocates[keep].sort_values(["account_name", "contact_name"])
