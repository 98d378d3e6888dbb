"""The work queue's rules, with numbers worked out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core import settings as settings_rules
from core import tasks

SETTINGS = {**settings_rules.DEFAULTS, "drop_points": 15, "renewal_window_days": 90, "task_cooldown_days": 30}
TODAY = dt.date(2026, 12, 6)
NOW = dt.datetime(2026, 12, 6, 8, 0)
WEEK = dt.date(2026, 11, 30)


def test_account_signals_name_the_numbers():
    accounts = pd.DataFrame(
        {
            "account_id": [1, 2, 3],
            "owner_id": [7, 7, None],
            "score": [52.0, 80.0, 65.0],
            "score_4_weeks_ago": [70.0, 97.0, np.nan],
            "renewal_date": pd.to_datetime(["2027-01-05", "2027-01-05", "2026-12-10"]),
            "at_risk_below": [60.0, 60.0, 70.0],
        }
    )
    found = tasks.account_signals(accounts, WEEK, TODAY, SETTINGS)
    by = {(row.reason, row.subject_id): row for row in found.itertuples()}
    assert sorted(by) == [
        ("at_risk", 1),
        ("at_risk", 3),
        ("renewal_at_risk", 1),
        ("renewal_at_risk", 3),
        ("score_drop", 1),
        ("score_drop", 2),
    ]
    assert by["at_risk", 1].reason_text == (
        "Health score 52 in the week of 30 Nov 2026, below the at-risk line of 60; 70 four weeks before."
    )
    # Account 3's segment draws its line at 70; unknown owner: the marketing queue.
    assert (
        by["at_risk", 3].reason_text
        == "Health score 65 in the week of 30 Nov 2026, below the at-risk line of 70."
    )
    assert pd.isna(by["at_risk", 3].owner_id)
    assert by["score_drop", 2].reason_text == (
        "Score fell 17 points in four weeks, from 97 to 80 in the week of 30 Nov 2026 (a sharp drop is 15 points or more)."
    )
    assert by["renewal_at_risk", 1].reason_text == (
        "Renews on 05 Jan 2027 (in 30 days) with a health score of 52, below the at-risk line of 60."
    )
    assert found["due_on"].isna().all()


def test_request_signals_overdue_and_unassigned():
    requests = pd.DataFrame(
        {
            "prospect": ["Acme", "Beta"],
            "kind": ["call", "visit"],
            "status": ["open", "assigned"],
            "needed_by": pd.to_datetime(["2026-12-09 12:00", "2026-12-01 09:00"]),
            "assigned_advocate_id": [None, 4],
        },
        index=pd.Index([11, 12], name="id"),
    )
    found = tasks.request_signals(requests, NOW)
    assert found[["reason", "subject_id"]].values.tolist() == [
        ["request_overdue", 12],
        ["request_unassigned", 11],
    ]
    assert found["reason_text"].tolist() == [
        "Visit reference for Beta was needed by 01 Dec 2026: 4 days overdue, status assigned.",
        "Call reference for Acme needed by 09 Dec 2026 has no advocate assigned.",
    ]
    assert found["due_on"].tolist() == [pd.Timestamp("2026-12-06"), pd.Timestamp("2026-12-09")]
    assert found["owner_id"].isna().all()


def _signal(reason: str, subject: int) -> dict:
    return {
        "reason": reason,
        "subject_kind": tasks.REASON_SUBJECT[reason],
        "subject_id": subject,
        "account_id": subject,
        "owner_id": 7,
        "reason_text": "x",
        "due_on": pd.NaT,
    }


def test_plan_keeps_one_live_task_per_subject_and_reason_and_respects_the_cool_down():
    signals = pd.DataFrame(
        [_signal("at_risk", 1), _signal("at_risk", 2), _signal("at_risk", 3), _signal("at_risk", 4)]
    )
    known = pd.DataFrame(
        {
            "task_id": [10, 11, 12, 13, 14],
            "reason": ["at_risk", "at_risk", "at_risk", "follow_up_due", "score_drop"],
            "subject_kind": ["account", "account", "account", "advocate", "account"],
            "subject_id": [1, 2, 3, 9, 9],
            "status": ["open", "closed", "dismissed", "open", "snoozed"],
            # Account 2's task closed 10 days ago (cooling down), account 3's 40 days ago (cooled down).
            "closed_at": pd.to_datetime([None, "2026-11-26", "2026-10-27", None, None]),
        }
    )
    planned = tasks.plan(signals, known, NOW, SETTINGS)
    assert planned.new["subject_id"].tolist() == [3, 4]
    # The follow-up without its signal closes itself; a score-drop task waits for a person.
    assert planned.close == [13]


def _task(playbook: str, status: str, day: str, account: int) -> dict:
    moment = pd.Timestamp(day)
    return {
        "playbook": playbook,
        "reason": "at_risk",
        "account_id": account,
        "status": status,
        "due_on": moment,
        "closed_at": moment if status in ("closed", "dismissed") else pd.NaT,
    }


def test_playbook_effect_claims_only_when_the_wilson_intervals_do_not_overlap():
    rows = [_task("Save", "closed", "2026-06-01", account) for account in (1, 2, 3, 4)]
    rows += [_task("Save", "dismissed", "2026-06-01", account) for account in (5, 6)]
    rows += [_task("Save", "open", "2026-06-01", account) for account in (7, 8)]  # left overdue
    rows += [_task("Save", "closed", "2026-11-20", 9)]  # its 90 days have not passed: not counted
    rows += [_task("Call", "closed", "2026-06-01", account) for account in (10, 11, 12, 13)]
    rows += [_task("Call", "dismissed", "2026-06-01", account) for account in (14, 15, 16, 17)]
    churns = pd.DataFrame(
        {
            "account_id": [5, 6, 7, 8, 9, 1, 10, 14, 15],
            "churned_on": pd.to_datetime(
                # Account 1 churned after its 90 days: not counted.
                [
                    "2026-07-01",
                    "2026-07-01",
                    "2026-08-01",
                    "2026-08-29",
                    "2026-12-01",
                    "2026-09-15",
                    "2026-07-01",
                    "2026-07-01",
                    "2026-07-01",
                ]
            ),
        }
    )
    effect = tasks.playbook_effect(pd.DataFrame(rows), churns, TODAY, 90).set_index("playbook")
    save = effect.loc["Save"]
    assert (save["worked"], save["worked_churned"], save["not_worked"], save["not_worked_churned"]) == (
        4,
        0,
        4,
        4,
    )
    # Wilson 95% for 0/4: centre = (z²/8)/(1 + z²/4) = 0.2449, half-width 0.2449 → [0, 0.4899]; 4/4 → [0.5101, 1].
    assert save["worked_high"] == pytest.approx(0.4899, abs=1e-4)
    assert save["not_worked_low"] == pytest.approx(0.5101, abs=1e-4)
    assert save["verdict"] == "Accounts whose task was worked churned less often (association, not proof)."
    call = effect.loc["Call"]
    assert (call["worked_churned"], call["not_worked_churned"]) == (1, 2)
    assert call["verdict"] == "No difference we can claim: the intervals overlap."


def test_the_queue_puts_overdue_first_then_this_week_grouped_by_account():
    # This week: 7 Dec to 13 Dec 2026.
    monday = dt.date(2026, 12, 7)
    live = pd.DataFrame(
        {
            "task_id": [1, 2, 3, 4, 5],
            "account_name": ["Beta", "Acme", "Beta", None, "Acme"],
            "subject_name": ["Beta", "Acme", "Beta", "Old case study", "Acme"],
            "due_on": pd.to_datetime(["2026-12-20", "2026-12-09", "2026-12-05", "2026-12-13", "2026-12-30"]),
        }
    )
    arranged = tasks.arrange(live, monday)
    assert arranged["task_id"].tolist() == [3, 1, 2, 5, 4]
    assert arranged["when"].tolist() == ["overdue", "later", "this_week", "later", "this_week"]
    assert arranged["group"].tolist() == ["Beta", "Beta", "Acme", "Acme", "Old case study"]
    assert tasks.counts(live, monday) == {"overdue": 1, "this_week": 2}
