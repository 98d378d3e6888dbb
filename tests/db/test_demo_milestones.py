"""The demo's milestones carry churn only through health: their plan never knows an account's fate."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from db.demo import accounts, people, signals
from db.demo.timeline import day_number, history_weeks, stream

AS_OF = day_number(dt.date(2026, 11, 18))


def fates(count: int = 2000, seed: int = 7):
    weeks = history_weeks(AS_OF)
    _, staff = people.users(stream(seed, "users"), accounts=count, as_of=AS_OF, password_hash="x")
    _, fate = accounts.accounts(
        stream(seed, "accounts"), count=count, as_of=AS_OF, window_start=int(weeks[0]), staff=staff
    )
    return fate, weeks


def test_the_plan_is_the_same_whenever_an_account_churns():
    fate, _ = fates(300)
    later = fate.churn_day + np.where(fate.churned, 45, 0)
    moved = dataclasses.replace(fate, churn_day=later, end=np.where(fate.churned, later, fate.end))
    plan = signals.milestones(stream(7, "milestones"), fate)
    moved_plan = signals.milestones(stream(7, "milestones"), moved)
    pd.testing.assert_series_equal(plan["planned_on"], moved_plan["planned_on"])
    pd.testing.assert_series_equal(plan["name"], moved_plan["name"])


def test_whether_outcomes_are_known_does_not_give_churn_away():
    # Every fourth week of the history: of the accounts active then, the share with a milestone due, for those
    # that churn within 90 days and for the rest. The plan used to end 60 days after the churn, so nearly every
    # churn-bound account had milestones due (99.9% against 76%).
    fate, weeks = fates()
    plan = signals.milestones(stream(7, "milestones"), fate)
    # The generator's days are day numbers (db.demo.timeline).
    account, planned = plan["account_id"].to_numpy() - 1, plan["planned_on"].to_numpy()
    known, churning = [], []
    for monday in weeks[40::4]:
        sunday = monday + 6
        alive = (fate.since <= sunday) & (fate.end > sunday)
        due = np.bincount(account[planned <= sunday], minlength=len(fate.since)) > 0
        soon = fate.churned & (fate.churn_day > sunday) & (fate.churn_day <= sunday + 90)
        known.append(due[alive])
        churning.append(soon[alive])
    known, churning = np.concatenate(known), np.concatenate(churning)
    assert churning.sum() > 300
    assert abs(known[churning].mean() - known[~churning].mean()) < 0.08
