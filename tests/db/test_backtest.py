import datetime as dt
import math

import pytest

from db import backtest
from db.engine import transaction
from db.models import (
    AccountAttribute,
    ChurnEvent,
    CustomAttribute,
    Subscription,
    Ticket,
    UsageWeekly,
)
from tests.builders import snapshot
from tests.db.factories import account, add_user

WEEK_1, WEEK_2 = dt.date(2026, 1, 5), dt.date(2026, 1, 12)


def build(engine) -> None:
    owner = add_user(engine)
    with transaction(engine) as session:
        session.add_all(
            [
                account(1, owner, segment="Enterprise", customer_since=dt.date(2025, 12, 11), arr=5000.0),
                account(2, owner, segment="SMB", customer_since=None, arr=None),
            ]
        )
        session.add(CustomAttribute(name="Licences", kind="number"))
        session.add(CustomAttribute(name="Region code", kind="text"))
        session.flush()
        session.add_all(
            [
                snapshot(account_id=1, week_start=WEEK_1, score=80.0),
                snapshot(account_id=1, week_start=WEEK_2, score=70.0),
                snapshot(account_id=2, week_start=WEEK_1, score=40.0),
                snapshot(account_id=2, week_start=WEEK_2, score=None),  # insufficient data: not in the panel
                # Plans: account 1 moved from Basic to Pro; the latest counts.
                Subscription(external_id="S1", account_id=1, started_on=dt.date(2025, 1, 1), plan="Basic"),
                Subscription(external_id="S2", account_id=1, started_on=dt.date(2025, 6, 1), plan="Pro"),
                # Account 2 churns on 30 Jan: 19 days after week 1's Sunday (11 Jan), 12 after week 2's.
                ChurnEvent(account_id=2, churned_on=dt.date(2026, 1, 30)),
                # 13 Oct 2025 is 90 days before 11 Jan (out), 14 Oct 89 days (in); 18 Jan 23:00 is in week 2.
                Ticket(account_id=1, opened_at=dt.datetime(2025, 10, 13, 9)),
                Ticket(account_id=1, opened_at=dt.datetime(2025, 10, 14, 9)),
                Ticket(account_id=1, opened_at=dt.datetime(2026, 1, 18, 23)),
                AccountAttribute(account_id=2, name="Licences", number_value=12.0),
                AccountAttribute(account_id=1, name="Region code", text_value="N"),
            ]
        )
        # Account 1: 10 active users for 8 weeks, then 5: week 2 reads recent 5,5,5,5 ÷ prior 10 → 0.5.
        for back in range(13):
            week = WEEK_2 - dt.timedelta(weeks=back)
            session.add(UsageWeekly(account_id=1, week_start=week, active_users=5 if back < 4 else 10))


@pytest.mark.parametrize("horizon, churned", [(30, [False, False, True]), (14, [False, False, False])])
def test_panel_joins_scores_with_churn_and_the_baselines_as_of_each_week(engine, horizon, churned):
    build(engine)
    panel = backtest.panel(engine, WEEK_2, horizon).sort_values(["account_id", "week_start"])
    assert panel["account_id"].tolist() == [1, 1, 2]
    assert panel["score"].tolist() == [80, 70, 40]
    assert panel["churned"].tolist() == churned
    # Tenure: 11 Jan − 11 Dec = 31 days; 18 Jan: 38; account 2's start is unknown.
    assert panel["tenure_days"].tolist()[:2] == [31, 38]
    assert math.isnan(panel["tenure_days"].iloc[2])
    assert panel["tickets_90d"].tolist() == [1, 1, 0]
    # Week 1: recent weeks 15 Dec–5 Jan = 10, 5, 5, 5 → 6.25 ÷ 10; week 2: 5 ÷ 10.
    assert panel["usage_trend"].tolist()[:2] == pytest.approx([0.625, 0.5])
    assert panel["arr"].tolist()[:2] == [5000, 5000] and math.isnan(panel["arr"].iloc[2])
    assert panel["segment"].tolist() == ["Enterprise", "Enterprise", "SMB"]
    assert panel["plan"].tolist()[:2] == ["Pro", "Pro"] and panel["plan"].isna().iloc[2]
    assert panel["attr:Licences"].iloc[2] == 12 and "attr:Region code" not in panel


def test_panel_stops_at_the_last_week_asked_for(engine):
    build(engine)
    panel = backtest.panel(engine, WEEK_1, 30)
    assert sorted(panel["account_id"].tolist()) == [1, 2]
    assert backtest.panel(engine, WEEK_1 - dt.timedelta(weeks=1), 30).empty
