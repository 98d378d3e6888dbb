"""The demo's story in order: each stage takes what it needs and returns its tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import pandas as pd

from db.demo import (
    accounts,
    advocates,
    assets,
    churn,
    contacts,
    people,
    purchases,
    references,
    referrals,
    signals,
    usage,
)
from db.demo.timeline import day_number, history_weeks, numbered, stream

TABLE_ORDER = (
    "users",
    "digest_preferences",
    "accounts",
    "contacts",
    "churn_events",
    "usage_weekly",
    "survey_responses",
    "milestones",
    "tickets",
    "engagement_triggers",
    "advocates",
    "advocate_stage_changes",
    "outreach_attempts",
    "assets",
    "asset_industries",
    "asset_products",
    "reference_requests",
    "asset_usage",
    "referrals",
    "referral_events",
    "purchases",
    "rewards",
    "thank_yous",
    "acquisition_spend",
)


@dataclass(frozen=True)
class Demo:
    """Every demo table but usage_weekly as a frame; usage_weekly streams in chunks when called."""

    tables: dict[str, pd.DataFrame]
    usage: Callable[[], Iterator[pd.DataFrame]]


def build(count: int, seed: int, as_of: dt.date, password_hash: str) -> Demo:
    """The demo tables of `count` accounts whose history ends on as_of.

    Each stage draws from its own random stream (named after it), so a change to one stage leaves the
    others' rows alone; calls that share a stream must keep their order. Stays long on purpose: the whole
    story reads top to bottom, each stage's inputs named at its call.
    """
    today = day_number(as_of)
    weeks = history_weeks(today)
    window_start = int(weeks[0])
    tables: dict[str, pd.DataFrame] = {}
    tables["users"], staff = people.users(
        stream(seed, "users"), accounts=count, as_of=today, password_hash=password_hash
    )
    tables["digest_preferences"] = people.digest_preferences(tables["users"], as_of=today)
    rng = stream(seed, "accounts")
    book, fate = accounts.accounts(rng, count=count, as_of=today, window_start=window_start, staff=staff)
    tables["accounts"] = accounts.accounts_table(book, fate)
    tables["churn_events"], champion_left = churn.churn_events(rng, fate, book.arr)
    contact_book, tables["contacts"] = contacts.contacts(
        stream(seed, "contacts"), book=book, fate=fate, champion_left=champion_left, window_start=window_start
    )
    tables["survey_responses"] = signals.surveys(
        stream(seed, "surveys"), book=book, fate=fate, people=contact_book
    )
    tables["milestones"] = signals.milestones(stream(seed, "milestones"), fate)
    tables["tickets"] = signals.tickets(stream(seed, "tickets"), book=book, fate=fate)
    tables["engagement_triggers"] = signals.triggers(
        stream(seed, "triggers"), book=book, fate=fate, people=contact_book
    )
    team, advocacy, thanks_agreed, rewards_agreed = advocates.advocates(
        stream(seed, "advocates"),
        book=book,
        fate=fate,
        people=contact_book,
        surveys=tables["survey_responses"],
        staff=staff,
    )
    tables.update(advocacy)
    library, asset_tables = assets.assets(
        stream(seed, "assets"), book=book, fate=fate, people=contact_book, advocates=team
    )
    tables.update(asset_tables)
    rng = stream(seed, "requests")
    tables["reference_requests"], thanks_referenced = references.reference_requests(
        rng, book=book, advocates=team, library=library, staff=staff, as_of=today
    )
    tables["asset_usage"] = references.asset_usage(
        rng, requests=tables["reference_requests"], library=library, book=book, staff=staff, as_of=today
    )
    rng = stream(seed, "referrals")
    drawn, tables["referrals"], codes = referrals.referrals(rng, book=book, fate=fate, advocates=team)
    tables["advocates"]["referral_code"] = codes
    tables["referral_events"] = referrals.referral_events(rng, drawn, fate)
    tables["purchases"] = purchases.purchases(
        rng, book=book, fate=fate, referred=drawn.converted, referral_id=drawn.converted_id
    )
    thanks_referred, rewards_referred = referrals.thank_referrers(rng, drawn, fate)
    rewards = pd.concat([rewards_agreed, rewards_referred], ignore_index=True)
    tables["acquisition_spend"] = purchases.acquisition_spend(
        stream(seed, "spend"), accounts=count, as_of=today, rewards=rewards
    )
    tables["rewards"] = numbered(rewards, "given_on")
    thank_yous = pd.concat([thanks_agreed, thanks_referenced, thanks_referred], ignore_index=True)
    tables["thank_yous"] = numbered(thank_yous, "sent_on")
    return Demo(tables, partial(usage.usage_frames, seed, book=book, fate=fate, weeks=weeks))
