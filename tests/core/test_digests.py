"""Digests: periods, when one is due, what each user's digest holds (only their own work) and the message."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core import digests

# Monday 7 December 2026, 08:00 (UTC).
MONDAY = dt.datetime(2026, 12, 7, 8, 0)
AMY = digests.Recipient(2, "Amy Adams", "amy@example.com", "account_manager", "daily")
OTHER_AM = digests.Recipient(3, "Ben Berg", "ben@example.com", "account_manager", "daily")
MARK = digests.Recipient(4, "Mark Marsh", "mark@example.com", "marketing", "weekly")
SAM = digests.Recipient(5, "Sam Sales", "sam@example.com", "sales", "weekly")
ADMIN = digests.Recipient(1, "Ada Admin", "ada@example.com", "admin", "daily")


def tasks() -> pd.DataFrame:
    rows = [
        # task_id, account_id, subject_name, owner_id, reason_text, due_on, created_at
        (1, 10, "Acme", 2, "Score fell 18 points in 4 weeks", "2026-12-04", "2026-11-20 05:00"),
        (2, 11, "Birch", 2, "Entered at risk (score 52)", "2026-12-09", "2026-12-07 05:00"),
        (3, 12, "Cedar", 2, "Renewal in 40 days", "2026-12-10", "2026-12-01 05:00"),
        (4, 13, "Dune", 3, "Entered at risk (score 48)", "2026-12-01", "2026-11-30 05:00"),
        (5, None, "Stale case study", None, "Asset older than 2 years", "2026-12-08", "2026-12-06 05:00"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=["task_id", "account_id", "subject_name", "owner_id", "reason_text", "due_on", "created_at"],
    )
    frame["due_on"] = pd.to_datetime(frame["due_on"])
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame.astype({"account_id": "Int64", "owner_id": "Int64"})


def entered() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "owner_id": [2, 3],
            "name": ["Birch", "Dune"],
            "score_last": [63.0, 61.4],
            "score_this": [52.0, 48.0],
        },
        index=pd.Index([11, 13], name="account_id"),
    ).astype({"owner_id": "Int64"})


def requests() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "prospect": ["Globex", "Initech", "Umbrella", "Hooli"],
            "requested_by": [5, 6, 5, 5],
            "needed_by": pd.to_datetime(
                ["2026-12-08 12:00", "2026-12-07 09:00", "2026-12-20 00:00", "2026-12-05 00:00"]
            ),
            "status": ["open", "assigned", "open", "done"],
        },
        index=pd.Index([1, 2, 3, 4], name="id"),
    ).astype({"requested_by": "Int64"})


def contents(recipient: digests.Recipient, week: dt.date | None = dt.date(2026, 11, 30)) -> digests.Contents:
    return digests.contents(recipient, digests.prepare(tasks(), entered(), week, requests()), MONDAY)


def ids(records: list[dict], key: str = "task_id") -> list[int]:
    return [record[key] for record in records]


def test_the_period_is_the_day_or_the_iso_week():
    assert digests.period("daily", MONDAY) == "2026-12-07"
    assert digests.period("weekly", MONDAY) == "2026-W50"
    # Sunday 6 December still belongs to week 49; 1 January 2027 (a Friday) to 2026's week 53.
    assert digests.period("weekly", dt.datetime(2026, 12, 6, 23, 0)) == "2026-W49"
    assert digests.period("weekly", dt.datetime(2027, 1, 1, 9, 0)) == "2026-W53"


def test_a_send_belongs_to_its_own_day_or_week_only():
    sunday = dt.datetime(2026, 12, 13, 23, 59)
    assert digests.in_period("2026-12-07", MONDAY)
    assert not digests.in_period("2026-12-07", MONDAY + dt.timedelta(days=1))
    assert digests.in_period("2026-W50", sunday)
    assert not digests.in_period("2026-W50", sunday + dt.timedelta(minutes=1))
    assert not digests.in_period("2026-W49", MONDAY)


@pytest.mark.parametrize(
    ("frequency", "moment", "due"),
    [
        ("daily", dt.datetime(2026, 12, 7, 6, 59), False),
        ("daily", dt.datetime(2026, 12, 7, 7, 0), True),
        ("daily", dt.datetime(2026, 12, 7, 23, 0), True),
        ("weekly", dt.datetime(2026, 12, 7, 6, 0), False),
        ("weekly", dt.datetime(2026, 12, 7, 7, 0), True),
        # A scheduler that was down on Monday catches up later in the week.
        ("weekly", dt.datetime(2026, 12, 9, 1, 0), True),
        ("weekly", dt.datetime(2026, 12, 13, 1, 0), True),
        ("off", dt.datetime(2026, 12, 7, 12, 0), False),
    ],
)
def test_a_digest_is_due_from_its_hour_on(frequency, moment, due):
    assert digests.is_due(frequency, moment, hour=7, weekday=1) is due


def test_a_weekly_digest_on_wednesday_waits_until_wednesday():
    assert not digests.is_due("weekly", dt.datetime(2026, 12, 8, 12, 0), hour=7, weekday=3)
    assert digests.is_due("weekly", dt.datetime(2026, 12, 9, 7, 0), hour=7, weekday=3)


def test_an_account_manager_gets_only_their_own_tasks_and_book():
    digest = contents(AMY)
    # Task 1 is overdue (due 4 Dec); task 2 was created within the last day; task 3 neither; 4 is Ben's.
    assert ids(digest.overdue) == [1]
    assert ids(digest.new) == [2]
    assert ids(digest.entered_at_risk, "account_id") == [11]
    # Account managers have no reference requests to work.
    assert digest.requests_due == []
    assert digest.summary == "1 overdue, 1 new, 1 entered at risk"
    assert ids(contents(OTHER_AM).overdue) == [4]
    assert ids(contents(OTHER_AM).entered_at_risk, "account_id") == [13]


def test_marketing_gets_the_queue_every_account_and_every_request_due():
    digest = contents(MARK)
    # Weekly: new means created in the last 7 days; the queue's task 5 is marketing's.
    assert digest.overdue == []
    assert ids(digest.new) == [5]
    assert ids(digest.entered_at_risk, "account_id") == [11, 13]
    # Open requests needed within the next week or overdue; done ones never: 2 (9:00 today), 1, then 3 (20 Dec
    # is past 14 Dec) is left out.
    assert ids(digest.requests_due, "request_id") == [2, 1]


def test_sales_gets_their_own_requests_and_no_accounts():
    digest = contents(SAM)
    assert ids(digest.requests_due, "request_id") == [1]
    assert digest.entered_at_risk == []
    assert digest.overdue == [] and digest.new == []


def test_an_admin_gets_their_own_tasks_but_every_account_and_request():
    digest = contents(ADMIN)
    assert digest.overdue == [] and digest.new == []
    assert ids(digest.entered_at_risk, "account_id") == [11, 13]
    # Daily: needed before Tuesday 08:00.
    assert ids(digest.requests_due, "request_id") == [2]


def test_accounts_entered_at_risk_only_while_their_week_is_news():
    # The week of 23 Nov ended on 30 Nov, before the daily window (since 6 Dec 08:00) began.
    assert contents(AMY, dt.date(2026, 11, 23)).entered_at_risk == []
    assert contents(AMY, None).entered_at_risk == []
    weekly = digests.Recipient(2, "Amy Adams", "amy@example.com", "account_manager", "weekly")
    # The week ended on Monday 7 Dec 00:00, inside a weekly digest's window.
    material = digests.prepare(tasks(), entered(), dt.date(2026, 11, 30), requests())
    assert digests.contents(weekly, material, MONDAY).summary == "1 overdue, 2 new, 1 entered at risk"


def test_the_message_links_into_the_app_and_escapes_names():
    frame = tasks()
    frame.loc[0, "subject_name"] = "<b>Acme & Co</b>"
    digest = digests.contents(
        AMY, digests.prepare(frame, entered(), dt.date(2026, 11, 30), requests()), MONDAY
    )
    message = digests.render(AMY, digest, "https://advocacy.example.com/", MONDAY)
    assert message.subject == "Your daily digest, 7 Dec 2026: 1 overdue, 1 new, 1 entered at risk"
    assert (
        '<a href="https://advocacy.example.com/task?task=1">&lt;b&gt;Acme &amp; Co&lt;/b&gt;</a>'
        in message.html
    )
    assert "<b>Acme" not in message.html
    assert "Score fell 18 points in 4 weeks — due 4 Dec 2026" in message.html
    assert "Overdue tasks (1)" in message.text
    assert "- <b>Acme & Co</b>: Score fell 18 points in 4 weeks — due 4 Dec 2026" in message.text
    assert "  https://advocacy.example.com/task?task=1" in message.text
    assert "- Birch: score 63 → 52\n  https://advocacy.example.com/account?account=11" in message.text
    assert "https://advocacy.example.com/digests" in message.text


def test_a_task_without_an_account_links_to_its_task_and_a_long_list_is_cut():
    many = pd.concat([tasks().iloc[[4]]] * 25, ignore_index=True)
    many["subject_name"] = [f"Asset {n:02d}" for n in range(25)]
    digest = digests.contents(MARK, digests.prepare(many, entered(), None, requests().iloc[0:0]), MONDAY)
    message = digests.render(MARK, digest, "http://app", MONDAY)
    assert message.subject == "Your weekly digest, week of 7 Dec 2026: 25 new"
    assert "- Asset 19: Asset older than 2 years — due 8 Dec 2026\n  http://app/task?task=5" in message.text
    assert "Asset 20" not in message.text
    assert "and 5 more: http://app/" in message.text
    assert '<p><a href="http://app/">and 5 more</a></p>' in message.html


def test_the_team_summary_names_members_with_work_and_their_counts():
    text = digests.team_summary(
        "Account manager", [(AMY, contents(AMY)), (OTHER_AM, contents(OTHER_AM))], "http://app/", MONDAY
    )
    assert text == (
        "*Account manager — 7 Dec 2026*\n"
        "• Amy Adams: 1 overdue, 1 new tasks, 1 entered at risk, 0 requests due\n"
        "• Ben Berg: 1 overdue, 0 new tasks, 1 entered at risk, 0 requests due\n"
        "http://app/"
    )
    nothing = digests.Contents([], [], [], [])
    quiet = digests.team_summary("Sales", [(SAM, nothing)], "http://app", MONDAY)
    assert quiet == "*Sales — 7 Dec 2026*\nNothing overdue or new.\nhttp://app/"


def test_an_hourly_job_has_one_period_per_interval_from_midnight():
    assert digests.hourly_period(dt.datetime(2026, 12, 7, 8, 59), 1) == "2026-12-07T08"
    assert digests.hourly_period(dt.datetime(2026, 12, 7, 8, 59), 3) == "2026-12-07T06"
    assert digests.hourly_period(dt.datetime(2026, 12, 7, 23, 0), 24) == "2026-12-07T00"
