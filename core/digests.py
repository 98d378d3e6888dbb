"""Digests: who gets one when, what goes into a user's digest (only their own work), and the message itself.

Pure: frames in, subject, HTML and plain text out. db/digests.py reads the frames, db/mail.py sends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

import pandas as pd

from core import roles

FREQUENCIES = ("off", "daily", "weekly")
FREQUENCY_LABELS = {"off": "No digest", "daily": "Daily", "weekly": "Weekly"}
# The longest list a digest shows in full; the rest is a count and a link into the app.
MOST_ROWS = 20
WINDOW = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CLOSED_REQUESTS = ("done", "declined")
# What the scheduler sends or runs, each once per recipient and period, and the channel it goes by.
CHANNELS = {
    "digest": "E-mail digests",
    "weekly_review": "Weekly review to the distribution list",
    "team_digest": "Team chat webhooks",
    "scoring": "Scoring run",
    "task_generation": "Task generation",
}
DELIVERY_KINDS = tuple(CHANNELS)


@dataclass(frozen=True)
class Recipient:
    """A user who gets a digest: id, name, e-mail, role and how often."""

    id: int
    name: str
    email: str
    role: str
    frequency: str


# One task, account or request as a record: a dict of its columns (the frame's index under its name).
Record = dict[str, object]


@dataclass(frozen=True)
class Contents:
    """What one user's digest holds, each list already cut to what that user may see and in reading order."""

    overdue: list[Record]
    new: list[Record]
    entered_at_risk: list[Record]
    requests_due: list[Record]

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.new or self.entered_at_risk or self.requests_due)

    @property
    def summary(self) -> str:
        """The counts in words: "2 overdue, 1 new, 3 entered at risk", the empty ones left out."""
        counts = [
            (len(self.overdue), "overdue"),
            (len(self.new), "new"),
            (len(self.entered_at_risk), "entered at risk"),
            (len(self.requests_due), "requests due"),
        ]
        return ", ".join(f"{count:,} {label}" for count, label in counts if count) or "nothing new"


@dataclass(frozen=True)
class Book:
    """Every user's digest material, grouped once so each digest only looks up its own (prepare)."""

    tasks: dict[int | None, list[Record]]
    entered: dict[int | None, list[Record]]
    entered_all: list[Record]
    entered_week: dt.date | None
    requests: list[Record]


def _records(frame: pd.DataFrame, order: list[str]) -> list[Record]:
    return frame.reset_index().sort_values(order, kind="stable").to_dict("records")


def _by_owner(records: list[Record]) -> dict[int | None, list[Record]]:
    grouped: dict[int | None, list[Record]] = {}
    for record in records:
        owner = record["owner_id"]
        grouped.setdefault(None if pd.isna(owner) else int(owner), []).append(record)
    return grouped


def prepare(
    tasks: pd.DataFrame, entered: pd.DataFrame, entered_week: dt.date | None, requests: pd.DataFrame
) -> Book:
    """The digests' material: open tasks by owner (None: the marketing queue) by due date, the accounts that
    entered the at-risk band in entered_week by owner and by name, and the open reference requests by needed-by.

    tasks: task_id, owner_id, subject_name, reason_text, due_on, created_at; entered: owner_id, name,
    score_last, score_this (index account_id); requests: prospect, requested_by, needed_by, status (index id).
    """
    at_risk = _records(entered, ["name"])
    open_requests = requests[~requests["status"].isin(CLOSED_REQUESTS)]
    return Book(
        tasks=_by_owner(_records(tasks, ["due_on", "subject_name"])),
        entered=_by_owner(at_risk),
        entered_all=at_risk,
        entered_week=entered_week,
        requests=_records(open_requests.rename_axis("request_id"), ["needed_by"]),
    )


def contents(recipient: Recipient, book: Book, moment: dt.datetime) -> Contents:
    """The recipient's digest at moment: their open tasks (with the marketing queue's, for roles that work it) due
    before today, and the others created in the digest's window (a day or a week); the accounts of their book
    that entered the at-risk band, when that week ended inside the window (roles that may open the health
    board); the open reference requests needed before the window's length from now, overdue ones included — a
    sales rep's own, every one for a role that assigns them."""
    today = pd.Timestamp(moment.date())
    since = pd.Timestamp(moment - WINDOW[recipient.frequency])
    mine = book.tasks.get(recipient.id, [])
    if roles.may(recipient, "program_queue"):
        mine = sorted(
            [*mine, *book.tasks.get(None, [])], key=lambda task: (task["due_on"], task["subject_name"])
        )
    overdue = [task for task in mine if task["due_on"] < today]
    new = [task for task in mine if task["due_on"] >= today and task["created_at"] >= since]
    at_risk: list[Record] = []
    week_ended = None if book.entered_week is None else pd.Timestamp(book.entered_week) + pd.Timedelta(days=7)
    if roles.may_open(recipient.role, "health") and week_ended is not None and week_ended > since:
        owner = roles.book_owner(recipient)
        at_risk = book.entered_all if owner is None else book.entered.get(owner, [])
    horizon = pd.Timestamp(moment + WINDOW[recipient.frequency])
    due = [request for request in book.requests if request["needed_by"] < horizon]
    if not roles.may_do(recipient.role, "assign_reference"):
        asks = roles.may_open(recipient.role, "references")
        due = [request for request in due if asks and request["requested_by"] == recipient.id]
    return Contents(overdue, new, at_risk, due)


@dataclass(frozen=True)
class Message:
    subject: str
    html: str
    text: str


def period(frequency: str, moment: dt.datetime) -> str:
    """The period a digest sent at moment belongs to: the day (2026-12-07) or the ISO week (2026-W50)."""
    if frequency == "daily":
        return moment.date().isoformat()
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def hourly_period(moment: dt.datetime, every_hours: int) -> str:
    """The period of a job run every every_hours hours from midnight: 2026-12-07T06 for 06:00–08:59 at 3."""
    return f"{moment.date().isoformat()}T{moment.hour // every_hours * every_hours:02d}"


def in_period(period_key: str, moment: dt.datetime) -> bool:
    """Whether a digest's period (a day or an ISO week, as period() writes it) is the one moment falls in: a
    send of an earlier period no longer goes out (the next period's digest carries its work)."""
    return period_key in (period("daily", moment), period("weekly", moment))


def is_due(frequency: str, moment: dt.datetime, hour: int, weekday: int) -> bool:
    """Whether this period's digest is due at moment: from hour on each day (daily), or from hour on weekday
    (1 = Monday) to the end of that ISO week (weekly), so a scheduler that was down catches up in the period."""
    if frequency == "daily":
        return moment.hour >= hour
    if frequency == "weekly":
        today = moment.isoweekday()
        return today > weekday or (today == weekday and moment.hour >= hour)
    return False


def _day(value: object) -> str:
    moment = pd.Timestamp(value)
    return "—" if pd.isna(moment) else f"{moment.day} {moment:%b %Y}"


def _score(value: object) -> str:
    return "—" if pd.isna(value) else f"{float(value):.0f}"


def account_link(app_url: str, account_id: int) -> str:
    return f"{app_url}/account?{urlencode({'account': int(account_id)})}"


def task_link(app_url: str, task_id: int) -> str:
    return f"{app_url}/task?{urlencode({'task': int(task_id)})}"


def _sections(contents: Contents, app_url: str) -> list[tuple[str, list[tuple[str, str, str]], str]]:
    """Each non-empty section: heading, rows of (text, detail, link), and the link to the whole list."""
    sections = []
    for heading, tasks in (("Overdue tasks", contents.overdue), ("New tasks", contents.new)):
        if tasks:
            rows = [
                (
                    str(task["subject_name"]),
                    f"{task['reason_text']} — due {_day(task['due_on'])}",
                    task_link(app_url, task["task_id"]),
                )
                for task in tasks
            ]
            sections.append((heading, rows, f"{app_url}/"))
    if contents.entered_at_risk:
        rows = [
            (
                str(account["name"]),
                f"score {_score(account['score_last'])} → {_score(account['score_this'])}",
                account_link(app_url, account["account_id"]),
            )
            for account in contents.entered_at_risk
        ]
        sections.append(("Accounts that entered the at-risk band", rows, f"{app_url}/weekly"))
    if contents.requests_due:
        rows = [
            (str(request["prospect"]), f"needed by {_day(request['needed_by'])}", f"{app_url}/references")
            for request in contents.requests_due
        ]
        sections.append(("Reference requests due", rows, f"{app_url}/references"))
    return sections


def subject(contents: Contents, frequency: str, moment: dt.datetime) -> str:
    monday = moment - dt.timedelta(days=moment.weekday())
    when = _day(moment) if frequency == "daily" else f"week of {_day(monday)}"
    return f"Your {FREQUENCY_LABELS[frequency].lower()} digest, {when}: {contents.summary}"


def render(recipient: Recipient, contents: Contents, app_url: str, moment: dt.datetime) -> Message:
    """The digest as an e-mail: subject, HTML and plain text with the same content; user text is escaped in
    the HTML, and a list longer than MOST_ROWS shows its first rows and how many more."""
    app_url = app_url.rstrip("/")
    sections = _sections(contents, app_url)
    text = [f"Hello {recipient.name},", ""]
    html = [
        '<!DOCTYPE html><html><body style="font-family: sans-serif; color: #1f2937">',
        f"<p>Hello {escape(recipient.name)},</p>",
    ]
    for heading, rows, more_link in sections:
        text += [f"{heading} ({len(rows):,})", ""]
        html.append(f"<h3>{escape(heading)} ({len(rows):,})</h3><ul>")
        for label, detail, link in rows[:MOST_ROWS]:
            text.append(f"- {label}: {detail}\n  {link}")
            html.append(f'<li><a href="{escape(link)}">{escape(label)}</a>: {escape(detail)}</li>')
        html.append("</ul>")
        if len(rows) > MOST_ROWS:
            more = f"and {len(rows) - MOST_ROWS:,} more"
            text.append(f"  {more}: {more_link}")
            html.append(f'<p><a href="{escape(more_link)}">{more}</a></p>')
        text.append("")
    text += [f"Open the dashboard: {app_url}/", f"Change how often you get this: {app_url}/digests"]
    html.append(
        f'<p><a href="{escape(app_url)}/">Open the dashboard</a> · '
        f'<a href="{escape(app_url)}/digests">Change how often you get this</a></p></body></html>'
    )
    return Message(subject(contents, recipient.frequency, moment), "\n".join(html), "\n".join(text))


def team_summary(
    team: str, people: list[tuple[Recipient, Contents]], app_url: str, moment: dt.datetime
) -> str:
    """A team's chat message: per member with something to do, their counts; nothing but counts and names."""
    lines = [f"*{team} — {_day(moment)}*"]
    for recipient, digest in people:
        if digest.empty:
            continue
        lines.append(
            f"• {recipient.name}: {len(digest.overdue):,} overdue, {len(digest.new):,} new tasks, "
            f"{len(digest.entered_at_risk):,} entered at risk, {len(digest.requests_due):,} requests due"
        )
    if len(lines) == 1:
        lines.append("Nothing overdue or new.")
    lines.append(f"{app_url.rstrip('/')}/")
    return "\n".join(lines)
