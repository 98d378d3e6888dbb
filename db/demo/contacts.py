"""Contacts at each account: two to five people, about 5% of whom have left the company."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from db.demo.accounts import Book
from db.demo.churn import Fates
from db.demo.people import CONTACT_TITLES, FIRST_NAMES, LAST_NAMES
from db.demo.timeline import NEVER, between


@dataclass(frozen=True)
class Contacts:
    """Per contact (index i is contact id i + 1); an account's contacts are consecutive."""

    account: np.ndarray
    names: np.ndarray
    left: np.ndarray  # the day the contact left the company, NEVER if still there
    strength: np.ndarray  # relationship strength 1–5
    offset: np.ndarray  # how much warmer (or cooler) than the account the contact answers surveys
    first_of_account: np.ndarray  # per account: the index of its first contact
    per_account: np.ndarray  # per account: how many contacts it has

    def random_at(self, rng: np.random.Generator, account: np.ndarray, day: np.ndarray) -> np.ndarray:
        """A contact of each account still at the company on day, or NaN."""
        contact = self.first_of_account[account] + np.floor(
            rng.random(len(account)) * self.per_account[account]
        ).astype(np.int64)
        return np.where(self.left[contact] > day, contact, np.nan)


def contacts(
    rng: np.random.Generator, *, book: Book, fate: Fates, champion_left: np.ndarray, window_start: int
) -> tuple[Contacts, pd.DataFrame]:
    """The contacts and their rows; the champion (first contact) of a "champion left" churn leaves first."""
    n = book.count
    count = np.choose(book.segment, [rng.integers(2, 4, n), rng.integers(2, 5, n), rng.integers(3, 6, n)])
    account = np.repeat(np.arange(n), count)
    total = len(account)
    first_of_account = np.concatenate([[0], np.cumsum(count)[:-1]])
    position = np.arange(total) - first_of_account[account]
    first = rng.integers(0, len(FIRST_NAMES), total)
    last = rng.integers(0, len(LAST_NAMES), total)
    firsts, lasts = np.array(FIRST_NAMES, dtype=object), np.array(LAST_NAMES, dtype=object)
    names = firsts[first] + " " + lasts[last]
    local = [f"{a}.{b}".lower().replace("ü", "ue") for a, b in zip(firsts[first], lasts[last], strict=True)]
    domains = np.array(book.domains, dtype=object)[account]
    emails = [
        f"{name}{'' if p == 0 else p + 1}@{domain}"
        for name, p, domain in zip(local, position.tolist(), domains, strict=True)
    ]
    titles = np.array(CONTACT_TITLES, dtype=object)[
        np.where(position == 0, rng.integers(0, 6, total), rng.integers(0, len(CONTACT_TITLES), total))
    ]
    strength = np.clip(
        np.round(3 + 0.8 * (book.sentiment[account] - 8) + rng.normal(0, 1, total)), 1, 5
    ).astype(np.int64)
    left = np.full(total, np.nan)
    leaves = rng.random(total) < 0.05
    low = np.maximum(fate.since[account] + 30, window_start)
    high = np.minimum(fate.end[account], fate.as_of) - 1
    leaves &= low < high
    left[leaves] = between(rng, low[leaves], high[leaves])
    champion = champion_left[account] & (position == 0)
    left[champion] = fate.churn_day[account[champion]] - rng.integers(45, 150, champion.sum())
    people = Contacts(
        account=account,
        names=names,
        left=np.where(np.isnan(left), NEVER, left),
        strength=strength,
        offset=rng.normal(0, 0.7, total),
        first_of_account=first_of_account,
        per_account=count,
    )
    ids = np.arange(1, total + 1)
    frame = pd.DataFrame(
        {
            "id": ids,
            "external_id": [f"CON-{i:07d}" for i in ids.tolist()],
            "account_id": account + 1,
            "name": names,
            "email": emails,
            "title": titles,
            "relationship_strength": strength,
            "left_company_on": left,
        }
    )
    return people, frame
