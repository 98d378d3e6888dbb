"""Customer accounts: who they are (industry, size, seats, ARR, owner) and the habits their usage follows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import vocabulary as v
from db.demo.churn import Fates, fates
from db.demo.people import Staff, company_names
from db.demo.timeline import span

INDUSTRY_P = np.array([0.20, 0.14, 0.12, 0.12, 0.10, 0.08, 0.05, 0.08, 0.06, 0.05])


@dataclass(frozen=True)
class Book:
    """Per account (index i is account id i + 1): its firmographics and the habits behind its data."""

    names: np.ndarray
    domains: list[str]
    prospect_names: np.ndarray  # companies that are not customers, for referrals and reference requests
    segment: np.ndarray
    industry: np.ndarray
    region: np.ndarray
    product: np.ndarray
    seats: np.ndarray
    arr: np.ndarray
    employees: np.ndarray
    owner: np.ndarray
    sentiment: np.ndarray  # about an NPS score: the mean of the account's answers while healthy
    utilisation: np.ndarray
    engagement: np.ndarray
    logins_per_user: np.ndarray
    feature_rate: np.ndarray

    @property
    def count(self) -> int:
        """The number of accounts."""
        return len(self.names)


def accounts(
    rng: np.random.Generator, *, count: int, as_of: int, window_start: int, staff: Staff
) -> tuple[Book, Fates]:
    """Draw the accounts, their fates and habits; the owners are spread evenly over the account managers."""
    names, domains = company_names(rng, count + max(50, count // 5))
    segment, industry, region, product, seats, arr, employees = _firmographics(rng, count)
    fate = fates(rng, count=count, as_of=as_of, window_start=window_start)
    sentiment = rng.normal(8.3, 0.8, count) - 0.4 * fate.declining
    utilisation = np.where(
        fate.upsell, rng.uniform(0.94, 1.0, count), np.clip(rng.normal(0.7, 0.12, count), 0.3, 0.88)
    )
    engagement = np.where(fate.upsell, rng.uniform(0.7, 0.9, count), rng.uniform(0.45, 0.9, count))
    logins_per_user = np.choose(
        product, [rng.uniform(2, 3.5, count), rng.uniform(1.2, 2.5, count), rng.uniform(3.5, 5.5, count)]
    )
    feature_rate = rng.uniform(1.5, 6, count)
    owner = staff.account_managers[rng.permutation(count) % len(staff.account_managers)]
    book = Book(
        names=np.array(names[:count], dtype=object),
        domains=domains[:count],
        prospect_names=np.array(names[count:], dtype=object),
        segment=segment,
        industry=industry,
        region=region,
        product=product,
        seats=seats,
        arr=arr,
        employees=employees,
        owner=owner,
        sentiment=sentiment,
        utilisation=utilisation,
        engagement=engagement,
        logins_per_user=logins_per_user,
        feature_rate=feature_rate,
    )
    return book, fate


def _firmographics(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """Segment, industry, region, product, seats, ARR and employees; the bigger the company, the more of each."""
    segment = rng.choice(3, n, p=[0.55, 0.32, 0.13])
    industry = rng.choice(len(v.INDUSTRIES), n, p=INDUSTRY_P)
    region = rng.choice(len(v.REGIONS), n, p=[0.45, 0.30, 0.17, 0.08])
    product = rng.choice(len(v.PRODUCTS), n, p=[0.40, 0.35, 0.25])
    size = rng.random(n)
    seats_by = [span(10, 50, size), span(50, 400, size), span(200, 5000, size)]
    seats = np.choose(segment, seats_by).round().astype(np.int64)
    price = np.clip(size + rng.normal(0, 0.12, n), 0, 1)
    arr = np.round(
        np.choose(segment, [span(5e3, 4e4, price), span(4e4, 2e5, price), span(2e5, 2e6, price)]), -2
    )
    headcount = np.clip(size + rng.normal(0, 0.2, n), 0, 1)
    employees = np.choose(
        segment, [span(15, 250, headcount), span(250, 2500, headcount), span(2500, 60000, headcount)]
    )
    employees = np.maximum(employees.round().astype(np.int64), seats + 5)
    return segment, industry, region, product, seats, arr, employees


def accounts_table(book: Book, fate: Fates) -> pd.DataFrame:
    """The accounts rows."""
    ids = np.arange(1, book.count + 1)
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": [f"ACC-{i:06d}" for i in ids.tolist()],
            "name": book.names,
            "industry": np.array(v.INDUSTRIES)[book.industry],
            "segment": np.array(v.SEGMENTS)[book.segment],
            "region": np.array(v.REGIONS)[book.region],
            "product": np.array(v.PRODUCTS)[book.product],
            "employees": book.employees,
            "arr": book.arr,
            "seats_purchased": book.seats,
            "customer_since": fate.since,
            "renewal_date": fate.renewal,
            "owner_id": book.owner,
        }
    )
