"""Data coverage: how many active accounts the health score has real data for, per dimension and per input.

An input has real data for an account when the score's own read of it (db.reads.accounts.health_features as of a
week's Sunday) finds some:
- active users, logins, key-feature events: the recent 4-week mean is known — a usage row in those weeks that
  knows the count, or, with usage_gap_is_zero, any earlier usage week (the weeks since count as zero use);
- seats used: a usage row in the recent 4 weeks that knows it; seats purchased: the account fact is known;
- milestones due: at least one milestone planned on or before the day;
- NPS, CSAT, CSM sentiment: an answer or a reading inside the window the score reads (12 months, 6 months,
  90 days);
- tickets: any ticket opened on or before the day, ever (an account without one scores full marks on support).
A dimension rests on data for an account when its sub-score is known (support: when it has a ticket).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core import health

# A dimension with data for fewer than this share of the active accounts rests on little data and gets a warning.
LOW_SHARE = 0.2
TICKETS = "tickets"
INPUTS = {
    "usage": {
        "active_users_recent": "active users",
        "logins_recent": "logins",
        "key_feature_events_recent": "key-feature events",
    },
    "outcomes": {"milestones_due": "milestones due"},
    "utilisation": {"seats_used": "seats used", "seats_purchased": "seats purchased"},
    "feedback": {
        "nps_latest": "NPS (last 12 months)",
        "csat_mean": "CSAT (last 6 months)",
        "csm_sentiment": "CSM sentiment (last 90 days)",
    },
    "support": {TICKETS: "tickets (any, ever)"},
}
# What a dimension without any data lacks, in the words of a warning.
MISSING = {
    "usage": "no usage imported",
    "outcomes": "no milestones imported",
    "utilisation": "no account has both seats used and seats purchased",
    "feedback": "no NPS or CSAT answers and no CSM sentiment",
    "support": "no tickets imported",
}


@dataclass(frozen=True)
class Coverage:
    """accounts: active accounts; inputs: dimension, input (label), accounts with data, one row per input;
    dimensions: accounts whose sub-score rests on data, by dimension; warnings: plain sentences."""

    accounts: int
    inputs: pd.DataFrame
    dimensions: pd.Series
    warnings: tuple[str, ...]


def share_text(count: int, total: int) -> str:
    """'412 of 1,030 accounts (40%)'; a share that rounds to 0% or 100% without being it reads <1% or >99%."""
    share = 100 * count / total if total else 0
    percent = f"{share:.0f}%"
    if 0 < share < 0.5:
        percent = "<1%"
    elif 99.5 <= share < 100:
        percent = ">99%"
    return f"{count:,} of {total:,} accounts ({percent})"


def coverage(features: pd.DataFrame, ticketed: set[int]) -> Coverage:
    """Coverage of the score's inputs over the active accounts in features (health_features rows, by account id);
    ticketed: the accounts with any ticket up to the same day."""
    has_data = features.notna().assign(**{TICKETS: features.index.isin(list(ticketed))})
    inputs = pd.DataFrame(
        [
            (dim, label, int(has_data[column].sum()))
            for dim, columns in INPUTS.items()
            for column, label in columns.items()
        ],
        columns=["dimension", "input", "accounts"],
    )
    scored = health.sub_scores(features).notna().assign(support=has_data[TICKETS])
    dimensions = scored.sum().astype(int)[list(health.DIMENSIONS)]
    return Coverage(len(features), inputs, dimensions, warnings(dimensions, len(features)))


def warnings(dimensions: pd.Series, accounts: int) -> tuple[str, ...]:
    """A sentence per dimension with data for fewer than LOW_SHARE of the accounts, e.g. "Business outcomes: no
    milestones imported — the score uses 4 of 5 dimensions." Support is scored without data (full marks), so it
    always counts as used."""
    if not accounts:
        return ()
    used = int((dimensions.drop("support") > 0).sum()) + 1
    sentences = []
    for dim, count in dimensions.items():
        label = health.DIMENSION_LABELS[dim]
        if count >= LOW_SHARE * accounts:
            continue
        if count == 0 and dim == "support":
            sentences.append(f"{label}: {MISSING[dim]} — every account gets full marks on it.")
        elif count == 0:
            sentences.append(
                f"{label}: {MISSING[dim]} — the score uses {used} of {len(dimensions)} dimensions."
            )
        elif dim == "support":
            sentences.append(
                f"{label}: only {share_text(count, accounts)} have a ticket — the others get full marks on it."
            )
        else:
            sentences.append(
                f"{label}: data for only {share_text(count, accounts)} — the others are scored without it."
            )
    return tuple(sentences)
