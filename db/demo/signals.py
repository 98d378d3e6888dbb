"""The health signals besides usage: surveys, milestones, support tickets and engagement triggers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import vocabulary as v
from db.demo.accounts import Book
from db.demo.churn import Fates
from db.demo.contacts import Contacts
from db.demo.timeline import DAY_SECONDS, HISTORY_WEEKS, numbered, pick, work_seconds

SURVEY_COMMENTS = (
    (
        "Too many bugs lately, considering alternatives.",
        "Support takes too long to answer.",
        "We are not getting the value we expected.",
        "Hard to roll out to the wider team.",
    ),
    (
        "Works fine, a few features missing.",
        "Good product, onboarding could be smoother.",
        "Decent value for the price.",
        "Reporting could be more flexible.",
    ),
    (
        "Our team uses it every day, great product!",
        "Support was fantastic on our last issue.",
        "Much better than our previous provider.",
        "It saves us hours every week.",
    ),
)
MILESTONE_NAMES = (
    ("Go-live", "Kick-off and go-live"),
    ("First team fully onboarded", "Admin training completed"),
    ("Integration with CRM live", "Single sign-on rolled out", "Data migration completed"),
    ("First automated workflow in production", "Executive dashboard adopted"),
    ("Company-wide rollout", "Second department onboarded"),
    ("ROI target reached", "Business review: goals met"),
)
TRIGGER_P = np.array([0.22, 0.10, 0.14, 0.16, 0.10, 0.12, 0.11, 0.05])
TRIGGER_NOTES = (
    "Praised the new reporting in a call.",
    "Says onboarding was far easier than with their previous vendor.",
    "Long-standing relationship with the account team.",
    "Thanked support for a fast fix.",
    "We solved a hard migration together.",
    "Attended our local customer lunch.",
    "Raised how happy they are in the QBR.",
    "Offered a case study in exchange for renewal terms.",
)


def events(
    rng: np.random.Generator, fate: Fates, per_history: np.ndarray, boost: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Random (account, day) events over each account's active window, more often when health is low."""
    days = fate.active_to - fate.active_from + 1
    expected = per_history * np.maximum(days, 0) / (HISTORY_WEEKS * 7) * (1 + boost)
    account = np.repeat(np.arange(len(days)), rng.poisson(expected))
    day = fate.active_from[account] + np.floor(rng.random(len(account)) * days[account]).astype(np.int64)
    if boost:
        keep = rng.random(len(account)) * (1 + boost) < 1 + boost * (1 - fate.health(account, day))
        account, day = account[keep], day[keep]
    return account, day


def surveys(rng: np.random.Generator, *, book: Book, fate: Fates, people: Contacts) -> pd.DataFrame:
    """NPS and CSAT answers that follow each account's sentiment and current health."""
    segment_factor = np.array([0.8, 1.2, 1.6])[book.segment]
    account, day = events(rng, fate, 11.5 * segment_factor)
    size = len(account)
    contact = people.random_at(rng, account, day)
    contact[rng.random(size) < 0.12] = np.nan
    offset = np.where(np.isnan(contact), 0, people.offset[np.nan_to_num(contact).astype(np.int64)])
    satisfaction = (
        book.sentiment[account] + offset - 6 * (1 - fate.health(account, day)) + rng.normal(0, 1.2, size)
    )
    is_nps = rng.random(size) < 0.55
    nps = np.clip(np.round(satisfaction), 0, 10)
    csat = np.clip(np.round(satisfaction / 2 + 0.3 + rng.normal(0, 0.4, size)), 1, 5)
    score = np.where(is_nps, nps, csat).astype(np.int64)
    band = np.where(is_nps, np.digitize(score, [7, 9]), np.digitize(score, [3, 4]))
    comments = np.array(SURVEY_COMMENTS, dtype=object)[band, rng.integers(0, 4, size)]
    comments[rng.random(size) > 0.3] = None
    frame = pd.DataFrame(
        {
            "account_id": account + 1,
            "contact_id": contact + 1,
            "kind": np.where(is_nps, "nps", "csat"),
            "score": score,
            "responded_on": day,
            "comment": comments,
        }
    )
    return numbered(frame, "responded_on", "SRV")


def milestones(rng: np.random.Generator, fate: Fates) -> pd.DataFrame:
    """Planned business outcomes, missed more often while an account declines.

    The plan never knows the account's fate: every account's milestones are spread over the same stretch (from
    its start, at most 780 days back, up to 180 days after as_of), so how many are due in a week says nothing
    of a churn to come; only health does, through how many are reached. Milestones planned after a churn stay
    unreached, but no week is scored after the churn."""
    n, as_of = len(fate.since), fate.as_of
    count = rng.integers(2, 7, n)
    account = np.repeat(np.arange(n), count)
    size = len(account)
    position = np.arange(size) - np.repeat(np.concatenate([[0], np.cumsum(count)[:-1]]), count)
    since = fate.since[account]
    horizon = np.full(size, as_of + 180)
    plan_from = np.maximum(since + 30, horizon - 780)
    # Milestones follow each other: spread them evenly over the recent plan with jitter.
    share = (position + rng.uniform(0.2, 0.9, size)) / count[account]
    planned = (plan_from + share * (horizon - plan_from)).astype(np.int64)
    m = fate.health(account, planned)
    achieved = planned + np.round(rng.normal(-5, 15, size)).astype(np.int64)
    achieved = np.maximum(achieved, since + 14)
    due = planned <= as_of
    reached = due & (rng.random(size) < 0.93 * m**2) & (achieved <= np.minimum(as_of, fate.end[account] - 1))
    early = ~due & (rng.random(size) < 0.08)
    early_day = as_of - rng.integers(0, 20, size)
    reached_on = np.where(reached, achieved, np.where(early & (early_day >= since + 14), early_day, np.nan))
    names = [MILESTONE_NAMES[min(p, len(MILESTONE_NAMES) - 1)] for p in position.tolist()]
    pick_name = rng.random(size).tolist()
    frame = pd.DataFrame(
        {
            "account_id": account + 1,
            "name": [options[int(u * len(options))] for options, u in zip(names, pick_name, strict=True)],
            "planned_on": planned,
            "achieved_on": reached_on,
        }
    )
    return numbered(frame, "planned_on", "MS")


def tickets(rng: np.random.Generator, *, book: Book, fate: Fates) -> pd.DataFrame:
    """Support tickets, more frequent and more severe while an account declines."""
    segment_factor = np.array([0.7, 1.1, 1.8])[book.segment]
    account, day = events(rng, fate, 24 * segment_factor, boost=2.5)
    size = len(account)
    bad = 1 - fate.health(account, day)
    opened = day * DAY_SECONDS + work_seconds(rng, size) + rng.integers(0, 60, size)
    severity_p = np.column_stack(
        [0.38 - 0.25 * bad, np.full(size, 0.40), 0.16 + 0.2 * bad, 0.06 + 0.15 * bad]
    )
    severity = pick(rng, severity_p)
    category_p = np.column_stack(
        [
            np.full(size, 0.35),
            np.full(size, 0.28) + 0.05 * bad,
            0.06 + 0.15 * bad,
            0.03 + 0.25 * bad,
            0.24 - 0.15 * bad,
        ]
    )
    category = pick(rng, category_p)
    typical_hours = np.array([36.0, 16.0, 8.0, 3.0])[severity]
    sla_hours = np.array([120.0, 48.0, 24.0, 8.0])[severity]
    hours = typical_hours * rng.lognormal(0, 0.8, size) * (1 + 1.5 * bad)
    closed = opened + (hours * 3600).astype(np.int64)
    end_of_as_of = (fate.as_of + 1) * DAY_SECONDS - 1
    recent = day >= fate.as_of - 45
    still_open = (closed > end_of_as_of) | (recent & ~fate.churned[account] & (rng.random(size) < 0.03))
    open_hours = (end_of_as_of - opened) / 3600
    breached = np.where(still_open, open_hours > sla_hours, hours > sla_hours)
    escalate_p = 0.02 + 0.2 * bad + 0.08 * (severity == 3) + 0.05 * (category == 3)
    frame = pd.DataFrame(
        {
            "account_id": account + 1,
            "opened_at": opened,
            "closed_at": np.where(still_open, np.nan, closed),
            "severity": np.array(v.TICKET_SEVERITIES)[severity],
            "category": np.array(v.TICKET_CATEGORIES)[category],
            "sla_breached": breached,
            "escalated": rng.random(size) < escalate_p,
        }
    )
    return numbered(frame, "opened_at", "TKT")


def triggers(rng: np.random.Generator, *, book: Book, fate: Fates, people: Contacts) -> pd.DataFrame:
    """Engagement triggers, mostly at warm and healthy accounts."""
    warmth = np.clip((book.sentiment - 6.5) / 3, 0, 1)
    account, day = events(rng, fate, 0.6 + 5 * warmth)
    keep = rng.random(len(account)) < fate.health(account, day) ** 2
    account, day = account[keep], day[keep]
    size = len(account)
    kind = rng.choice(len(v.TRIGGER_KINDS), size, p=TRIGGER_P)
    frame = pd.DataFrame(
        {
            "external_id": None,
            "account_id": account + 1,
            "contact_id": people.random_at(rng, account, day) + 1,
            "kind": np.array(v.TRIGGER_KINDS)[kind],
            "occurred_on": day,
            "note": np.array(TRIGGER_NOTES, dtype=object)[kind],
            "recorded_by": book.owner[account],
        }
    )
    return numbered(frame, "occurred_on")
