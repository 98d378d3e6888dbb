"""Advocates (mostly promoters), the asks and follow-ups that recruit them, their stage histories, and
the thank-yous and rewards they are owed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from core import vocabulary as v
from db.demo.accounts import Book
from db.demo.churn import Fates
from db.demo.contacts import Contacts
from db.demo.people import Staff
from db.demo.timeline import DAY_SECONDS, NEVER, numbered, pick, work_seconds

# Per channel: P(agreed), P(declined), P(responded); the rest is no response.
CHANNEL_OUTCOME_P = {
    "email": (0.15, 0.10, 0.15),
    "phone": (0.35, 0.15, 0.18),
    "video_call": (0.28, 0.12, 0.18),
    "in_person": (0.40, 0.12, 0.20),
    "social_dm": (0.12, 0.08, 0.15),
}
# Channel mix per owner role, in vocabulary.CHANNELS order.
ROLE_CHANNEL_P = {
    "csm": (0.45, 0.25, 0.15, 0.10, 0.05),
    "ae": (0.35, 0.35, 0.15, 0.15, 0.00),
    "marketing": (0.60, 0.05, 0.10, 0.00, 0.25),
}

History = list[tuple[str | None, str, int, int | None]]  # (from stage, to stage, day, changed by)


@dataclass(frozen=True)
class Advocates:
    """Per advocate (index i is advocate id i + 1)."""

    account: np.ndarray
    contact: np.ndarray
    stage: np.ndarray
    agreed_on: np.ndarray  # the day of the first agreement, NEVER if none


def advocates(
    rng: np.random.Generator,
    *,
    book: Book,
    fate: Fates,
    people: Contacts,
    surveys: pd.DataFrame,
    staff: Staff,
) -> tuple[Advocates, dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """The advocates, stage-change and outreach tables, and the thank-yous and rewards for agreements."""
    contact, created, warmth = _nominees(rng, fate, people, surveys)
    account = people.account[contact]
    size = len(contact)
    last_ask_day = np.minimum(np.minimum(fate.end[account], people.left[contact]) - 1, fate.as_of)
    seq_adv, seq_no, seq_start = _ask_sequences(rng, created, last_ask_day)
    attempts = _outreach(
        rng,
        seq_adv,
        seq_no,
        seq_start,
        owner=book.owner[account],
        warmth=warmth,
        last_ask_day=last_ask_day,
        staff=staff,
    )
    exit_day = np.minimum(fate.churn_day[account], people.left[contact])
    stage, changed, changes = _stage_histories(rng, created, attempts, exit_day, fate.as_of)
    agreed = attempts[attempts["outcome"] == "agreed"].groupby("advocate")["responded_on"].min()
    agreed_on = np.full(size, NEVER)
    agreed_on[agreed.index.to_numpy()] = agreed.to_numpy()
    nominated_by = np.where(rng.random(size) < 0.6, book.owner[account], rng.choice(staff.marketing, size))
    advocates_frame = pd.DataFrame(
        {
            "id": np.arange(1, size + 1),
            "contact_id": contact + 1,
            "account_id": account + 1,
            "stage": stage,
            "stage_changed_at": changed,
            "referral_code": None,
            "nominated_by": np.where(stage == "candidate", np.nan, nominated_by),
            "created_at": changes.groupby("advocate_id")["changed_at"].min().to_numpy(),
            "version": 1,
        }
    )
    attempts["advocate_id"] = attempts.pop("advocate") + 1
    tables = {
        "advocates": advocates_frame,
        "advocate_stage_changes": numbered(changes, "changed_at"),
        "outreach_attempts": numbered(attempts.drop(columns="sequence"), "sent_on"),
    }
    thank_yous, rewards = _thank_agreements(rng, attempts, fate.as_of)
    return Advocates(account, contact, stage, agreed_on), tables, thank_yous, rewards


def _nominees(
    rng: np.random.Generator, fate: Fates, people: Contacts, surveys: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which contacts became advocates (mostly promoters), the day each was found, and how warm each is."""
    nps = surveys[(surveys["kind"] == "nps") & surveys["contact_id"].notna()]
    latest = nps.groupby("contact_id")["score"].last()
    n_contacts = len(people.account)
    latest_nps = np.full(n_contacts, -1)
    latest_nps[latest.index.to_numpy(dtype=np.int64) - 1] = latest.to_numpy()
    base_p = np.select([latest_nps >= 9, latest_nps >= 7, latest_nps >= 0], [0.6, 0.2, 0.02], 0.12)
    chosen = rng.random(n_contacts) < base_p * (0.5 + 0.15 * people.strength)
    account = people.account
    # The program is older than the usage window, so some advocates were found before it.
    low = np.maximum(fate.since[account] + 60, fate.as_of - 1000)
    high = np.minimum(np.minimum(fate.end[account] - 30, people.left - 1), fate.as_of - 1)
    chosen &= low <= high
    contact = np.flatnonzero(chosen)
    # Most advocates were found a while ago, so they have a history of asks.
    created = (
        low[contact] + np.floor((high[contact] - low[contact] + 1) * rng.random(len(contact)) ** 1.4)
    ).astype(np.int64)
    warmth = np.select([latest_nps[contact] >= 9, latest_nps[contact] >= 7], [1.1, 0.75], 0.5)
    return contact, created, warmth


def _ask_sequences(
    rng: np.random.Generator, created: np.ndarray, last_ask_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(advocate, sequence number, first day) of each ask: soon after nomination, re-circled every ~75+ days."""
    size = len(created)
    wanted = np.where(rng.random(size) < 0.3, 0, 1 + rng.poisson(3.5, size))
    gaps = np.column_stack([rng.integers(3, 40, size)] + [75 + rng.integers(0, 30, size) for _ in range(5)])
    starts = created[:, None] + np.cumsum(gaps, axis=1)
    has = (np.arange(6)[None, :] < wanted[:, None]) & (starts <= last_ask_day[:, None] - 3)
    seq_adv, seq_no = np.nonzero(has)
    return seq_adv, seq_no, starts[seq_adv, seq_no]


def _outreach(
    rng: np.random.Generator,
    seq_adv: np.ndarray,
    seq_no: np.ndarray,
    seq_start: np.ndarray,
    *,
    owner: np.ndarray,
    warmth: np.ndarray,
    last_ask_day: np.ndarray,
    staff: Staff,
) -> pd.DataFrame:
    """One ask plus up to three follow-ups per sequence, each outcome drawn by channel effectiveness."""
    count = len(seq_adv)
    purpose = np.where(
        seq_no == 0, rng.choice(3, count, p=[0.55, 0.30, 0.15]), rng.choice(3, count, p=[0.4, 0.4, 0.2])
    )
    role = rng.choice(3, count, p=[0.5, 0.25, 0.25])
    owner = np.choose(
        role, [owner[seq_adv], rng.choice(staff.sales, count), rng.choice(staff.marketing, count)]
    )
    role_channels = np.array([ROLE_CHANNEL_P[r] for r in v.OWNER_ROLES])
    outcome_p = np.array([CHANNEL_OUTCOME_P[c] for c in v.CHANNELS])
    frames = []
    sent = seq_start.copy()
    alive = np.ones(count, dtype=bool)
    for follow_up in range(4):
        channel = pick(rng, role_channels[role])
        agree, decline, respond = (outcome_p[channel, k] for k in range(3))
        agree = np.minimum(agree * warmth[seq_adv], 0.9)
        outcome = pick(rng, np.column_stack([1 - agree - decline - respond, respond, agree, decline]))
        limit = last_ask_day[seq_adv]
        responded = np.minimum(sent + rng.integers(0, 7, count), limit)
        rows = np.flatnonzero(alive & (sent <= limit))
        frames.append(
            pd.DataFrame(
                {
                    "advocate": seq_adv[rows],
                    "sequence": seq_no[rows],
                    "purpose": np.array(v.OUTREACH_PURPOSES)[purpose[rows]],
                    "channel": np.array(v.CHANNELS)[channel[rows]],
                    "owner_role": np.array(v.OWNER_ROLES)[role[rows]],
                    "owner_id": owner[rows],
                    "follow_up_number": follow_up,
                    "sent_on": sent[rows],
                    "responded_on": np.where(outcome[rows] == 0, np.nan, responded[rows]),
                    "outcome": np.array(v.OUTREACH_OUTCOMES)[outcome[rows]],
                }
            )
        )
        # Only an unanswered ask gets a follow-up, and some owners give up early.
        alive &= (sent <= limit) & (outcome == 0) & (rng.random(count) < 0.9)
        sent = sent + rng.integers(4, 12, count)
    attempts = pd.concat(frames, ignore_index=True).sort_values(
        ["advocate", "sent_on", "follow_up_number"], kind="stable"
    )
    attempts.insert(0, "external_id", None)
    attempts["note"] = None
    return attempts.reset_index(drop=True)


def _stage_histories(
    rng: np.random.Generator, created: np.ndarray, attempts: pd.DataFrame, exit_day: np.ndarray, as_of: int
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Walk each advocate's asks in order to its current stage, recording every stage change."""
    last = attempts.drop_duplicates(["advocate", "sequence"], keep="last")
    first = attempts.drop_duplicates(["advocate", "sequence"], keep="first")
    by_advocate: dict[int, list[tuple[int, str, float, str, int]]] = {}
    for adv, start, outcome, answered, purpose, owner in zip(
        last["advocate"].tolist(),
        first["sent_on"].tolist(),
        last["outcome"].tolist(),
        last["responded_on"].tolist(),
        last["purpose"].tolist(),
        first["owner_id"].tolist(),
        strict=True,
    ):
        by_advocate.setdefault(adv, []).append((start, outcome, answered, purpose, owner))
    size = len(created)
    nominate = rng.random(size) < 0.45
    nominate_gap = rng.integers(1, 30, size).tolist()
    later = rng.integers(5, 40, size).tolist()
    pause = (rng.random(size) < 0.08).tolist()
    ready = (rng.random(size) < 0.6).tolist()
    seconds = work_seconds(rng, size)
    stages, changed_at = [], []
    change_rows: list[tuple[int, str | None, str, int, int | None]] = []
    for i in range(size):
        history = _walk(
            int(created[i]),
            by_advocate.get(i, []),
            nominate=nominate[i],
            nominate_gap=nominate_gap[i],
            later=later[i] if ready[i] else None,
            pause=pause[i],
            exit_day=int(exit_day[i]),
            as_of=as_of,
        )
        # Same-day changes keep their order through a growing time of day.
        for k, (before, to, day, by) in enumerate(history):
            change_rows.append((i + 1, before, to, day * DAY_SECONDS + int(seconds[i]) + k * 60, by))
        stages.append(history[-1][1])
        changed_at.append(change_rows[-1][3])
    changes = pd.DataFrame(
        change_rows, columns=["advocate_id", "from_stage", "to_stage", "changed_at", "changed_by"]
    )
    changes["changed_by"] = changes["changed_by"].astype("float64")
    return np.array(stages, dtype=object), np.array(changed_at, dtype=np.int64), changes


def _walk(
    created: int,
    sequences: list[tuple[int, str, float, str, int]],
    *,
    nominate: bool,
    nominate_gap: int,
    later: int | None,
    pause: bool,
    exit_day: int,
    as_of: int,
) -> History:
    """One advocate's stage changes: nominated, asked per sequence, agreed or declined, then maybe
    reference-ready (`later` days after agreeing to a reference), paused or retired."""
    history: History = [(None, "candidate", created, None)]
    move = partial(_advance, history)
    if sequences:
        move("nominated", min(created + nominate_gap, sequences[0][0]), None)
    elif nominate and created + nominate_gap <= as_of:
        move("nominated", created + nominate_gap, None)
    for start, outcome, answered, purpose, owner in sequences:
        if history[-1][1] in ("nominated", "declined"):
            move("asked", start, owner)
        settled = history[-1][1] in ("agreed", "reference_ready")
        if outcome == "agreed" and not settled:
            move("agreed", int(answered), owner)
            if purpose == "reference" and later is not None and answered + later <= as_of:
                move("reference_ready", int(answered) + later, owner)
        elif outcome == "declined" and not settled:
            move("declined", int(answered), owner)
    stage, day = history[-1][1], history[-1][2]
    if exit_day <= as_of:
        move("retired", max(exit_day, day), None)
    elif stage in ("agreed", "reference_ready") and pause and day + 60 <= as_of:
        move("paused", day + 60, None)
    return history


def _advance(history: History, to: str, day: int, by: int | None) -> None:
    """Append a stage change (from the current stage to `to`) to an advocate's history."""
    history.append((history[-1][1], to, day, by))


def _thank_agreements(
    rng: np.random.Generator, attempts: pd.DataFrame, as_of: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Thank-yous and rewards for most agreements, leaving some thank-yous overdue."""
    agreed = attempts[attempts["outcome"] == "agreed"]
    size = len(agreed)
    answered = agreed["responded_on"].to_numpy().astype(np.int64)
    thank_day = answered + rng.integers(0, 5, size)
    # Leave recent agreements more often unthanked so the "overdue thank-yous" list is never empty.
    thanked = (thank_day <= as_of) & (rng.random(size) < np.where(answered >= as_of - 21, 0.5, 0.88))
    thank_yous = pd.DataFrame(
        {
            "advocate_id": agreed["advocate_id"].to_numpy()[thanked],
            "reason": "agreement",
            "channel": np.array(v.CHANNELS)[rng.choice(5, size, p=[0.7, 0.1, 0.1, 0.05, 0.05])][thanked],
            "sent_on": thank_day[thanked],
            "note": None,
        }
    )
    given = answered + rng.integers(3, 30, size)
    rewarded = (rng.random(size) < 0.35) & (given <= as_of)
    rewards = reward_rows(rng, agreed["advocate_id"].to_numpy()[rewarded], given[rewarded], None)
    return thank_yous, rewards


def reward_rows(
    rng: np.random.Generator, advocate_id: np.ndarray, day: np.ndarray, kinds: np.ndarray | None
) -> pd.DataFrame:
    """Reward rows of the given (or random) kinds with a value fitting each kind."""
    size = len(advocate_id)
    kind = rng.choice(len(v.REWARD_KINDS), size) if kinds is None else kinds
    low = np.array([500, 0, 0, 100, 50, 30])[kind]
    high = np.array([5000, 0, 0, 1000, 300, 150])[kind]
    value = np.round(low + rng.random(size) * (high - low), -1)
    return pd.DataFrame(
        {
            "advocate_id": advocate_id,
            "kind": np.array(v.REWARD_KINDS)[kind],
            "value": np.where(high > 0, value, np.nan),
            "given_on": day,
            "note": None,
        }
    )
