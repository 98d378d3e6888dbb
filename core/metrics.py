"""Loyalty and program metrics, exactly as the domain brief defines them.

Every rate returns None when it is undefined (no responses, no opens, no customers): the pages show
None as "no data", never as a zero that looks like a result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from core import periods

PROMOTER_MIN = 9
DETRACTOR_MAX = 6
# CSAT answers on the 1–5 scale that count as satisfied.
CSAT_SATISFIED_MIN = 4
DAYS_PER_YEAR = 365.25


def _share(part: float, whole: float) -> float | None:
    """part ÷ whole, None when whole is zero (or missing)."""
    if whole is None or whole == 0 or pd.isna(whole):
        return None
    return float(part / whole)


def nps_from_counts(counts: pd.Series) -> float | None:
    """NPS = % promoters (9–10) − % detractors (0–6) from response counts indexed by score; None without responses."""
    total = counts.sum()
    if total == 0:
        return None
    scores = counts.index.to_numpy()
    promoters = counts[scores >= PROMOTER_MIN].sum()
    detractors = counts[scores <= DETRACTOR_MAX].sum()
    return float(100 * (promoters - detractors) / total)


def nps(scores: pd.Series) -> float | None:
    """NPS of individual 0–10 answers (−100…100); None without responses."""
    return nps_from_counts(scores.value_counts())


def nps_class(score: float) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    if score >= PROMOTER_MIN:
        return "promoter"
    return "passive" if score > DETRACTOR_MAX else "detractor"


def csat_from_counts(counts: pd.Series) -> float | None:
    """CSAT = % of 1–5 answers that are satisfied (4 or 5), from response counts indexed by score; None without responses."""
    total = counts.sum()
    if total == 0:
        return None
    return float(100 * counts[counts.index.to_numpy() >= CSAT_SATISFIED_MIN].sum() / total)


def csat(scores: pd.Series) -> float | None:
    """CSAT of individual 1–5 answers (0…100 % satisfied); None without responses."""
    return csat_from_counts(scores.value_counts())


def repeat_customer_rate(buyers: pd.Series, first_purchase: pd.Series, start: dt.date) -> float | None:
    """RCR of a period's buyers: those with more than one purchase by its end ÷ all of them; None without buyers.

    buyers: the account of each purchase of the period, which begins on start; first_purchase: each account's
    first purchase (datetime64, by account). A buyer has more than one purchase by the period's end when it
    bought twice in it or its first purchase came before start."""
    bought = buyers.value_counts()
    earlier = first_purchase.reindex(bought.index) < pd.Timestamp(start)
    return _share(int(((bought > 1) | earlier).sum()), len(bought))


def ltv(
    avg_purchase_value: float | None, purchase_frequency: float | None, lifespan: float | None
) -> float | None:
    """LTV = average purchase value × average purchase frequency (per year) × average customer lifespan (years);
    None when any part is unknown."""
    if avg_purchase_value is None or purchase_frequency is None or lifespan is None:
        return None
    return float(avg_purchase_value * purchase_frequency * lifespan)


@dataclass(frozen=True)
class LtvParts:
    """The three factors of LTV measured from history, and their product; each None when history cannot tell."""

    avg_purchase_value: float | None
    purchase_frequency: float | None
    lifespan_years: float | None
    customer_years: float
    churned: int

    @property
    def ltv(self) -> float | None:
        return ltv(self.avg_purchase_value, self.purchase_frequency, self.lifespan_years)


def ltv_from_history(
    purchases: pd.DataFrame, customers: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> LtvParts:
    """LTV's factors from what happened between start and end (inclusive days).

    purchases: purchased_on, amount, and optionally purchases (how many purchases a row totals, e.g. per day;
    1 without the column). customers: customer_since, churned_on (NaT while a customer).
    - average purchase value = amount of the purchases in the window ÷ their number;
    - purchase frequency = those purchases ÷ customer-years in the window (years each customer was one);
    - lifespan = 1 ÷ annual churn rate = customer-years ÷ customers who churned in the window.
    No purchases, no customer-years or no churn leave the factor (and LTV) unknown.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    bought = purchases[periods.on_days(purchases["purchased_on"], start, end)]
    count = float(bought["purchases"].sum()) if "purchases" in bought else float(len(bought))
    since = customers["customer_since"].clip(lower=start)
    until = customers["churned_on"].fillna(periods.day_after(end)).clip(upper=periods.day_after(end))
    customer_years = float(((until - since).dt.days.clip(lower=0)).sum() / DAYS_PER_YEAR)
    churned = int(periods.on_days(customers["churned_on"], start, end).sum())
    return LtvParts(
        avg_purchase_value=_share(bought["amount"].sum(), count),
        purchase_frequency=_share(count, customer_years),
        lifespan_years=_share(customer_years, churned),
        customer_years=customer_years,
        churned=churned,
    )


def cac(spend: float, customers_acquired: int) -> float | None:
    """CAC = all acquisition spend in a period ÷ customers acquired in that period; None when none were acquired."""
    return _share(spend, customers_acquired)


def referral_rate(referral_purchases: int, total_purchases: int) -> float | None:
    """Referral rate = referral purchases ÷ total purchases (a share, 0…1); None without purchases."""
    return _share(referral_purchases, total_purchases)


def click_through_rate(clicks: int, opens: int) -> float | None:
    """Recipient click-through rate = links clicked ÷ emails opened (a share); None without opens."""
    return _share(clicks, opens)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator (e.g. LTV:CAC), None when either is unknown or the denominator is zero."""
    if numerator is None:
        return None
    return _share(numerator, denominator)


@dataclass(frozen=True)
class WordOfMouth:
    positive: float
    negative: float

    @property
    def negative_share(self) -> float | None:
        """Negative mentions ÷ all mentions; None when nobody talks."""
        return _share(self.negative, self.positive + self.negative)


def tarp_word_of_mouth(
    customers: float, satisfied_share: float, tell_satisfied: float = 5, tell_dissatisfied: float = 10
) -> WordOfMouth:
    """TARP: satisfied customers each tell tell_satisfied people, dissatisfied ones tell_dissatisfied.

    positive = customers × satisfied_share × tell_satisfied; negative = customers × (1 − satisfied_share) ×
    tell_dissatisfied. The brief's lower bounds (5 and 10) are the defaults; it quotes 5–8 and 10–16.
    """
    if customers < 0:
        raise ValueError("customers must not be negative")
    if not 0 <= satisfied_share <= 1:
        raise ValueError("satisfied_share must be between 0 and 1")
    satisfied = customers * satisfied_share
    return WordOfMouth(
        positive=float(satisfied * tell_satisfied),
        negative=float((customers - satisfied) * tell_dissatisfied),
    )


def delta(current: float | None, previous: float | None) -> float | None:
    """current − previous, None when either is unknown."""
    if current is None or previous is None:
        return None
    return float(current - previous)
