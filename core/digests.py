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
# Who works the marketing queue (tasks without an owner) and so finds them in their digest.
QUEUE_ROLES = (roles.MARKETING,)
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


@dataclass(frozen=True)
class Contents:
    """What one user's digest holds, each frame already cut to what that user may see."""

    overdue: pd.DataFrame
    new: pd.DataFrame
    entered_at_risk: pd.DataFrame
    requests_due: pd.DataFrame

    @property
    def empty(self) -> bool:
        return all(frame.empty for frame in (self.overdue, self.new, self.entered_at_risk, self.requests_due))

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


def is_due(frequency: str, moment: dt.datetime, hour: int, weekday: int) -> bool:
    """Whether this period's digest is due at moment: from hour on each day (daily), or from hour on weekday
    (1 = Monday) to the end of that ISO week (weekly), so a scheduler that was down catches up in the period."""
    if frequency == "daily":
        return moment.hour >= hour
    if frequency == "weekly":
        today = moment.isoweekday()
        return today > weekday or (today == weekday and moment.hour >= hour)
    return False


def contents(
    recipient: Recipient,
    tasks: pd.DataFrame,
    entered: pd.DataFrame,
    entered_week: dt.date | None,
    requests: pd.DataFrame,
    moment: dt.datetime,
) -> Contents:
    """The recipient's digest: their open tasks (and the marketing queue's, for QUEUE_ROLES) overdue at moment (due before today) and those created in the
    digest's window (a day or a week) that are not overdue; the accounts of their book that entered the at-risk
    band in entered_week, when that week ended inside the window (roles that may open the health board); and the open reference requests needed by the end of the next
    window or already past it — a sales rep's own requests, every request for a role that assigns them.

    tasks: owner_id (<NA>: the marketing queue), account_id, subject_name, reason_text, due_on, created_at; entered: owner_id, name,
    score_last, score_this (index account_id); requests: prospect, requested_by, needed_by, status (index id).
    """
    today = pd.Timestamp(moment.date())
    since = pd.Timestamp(moment - WINDOW[recipient.frequency])
    owner = tasks["owner_id"]
    mine_rows = owner.eq(recipient.id).fillna(False).astype(bool)
    if recipient.role in QUEUE_ROLES:
        mine_rows |= owner.isna().to_numpy()
    mine = tasks[mine_rows]
    overdue_rows = pd.to_datetime(mine["due_on"]) < today
    overdue = mine[overdue_rows].sort_values(["due_on", "subject_name"], kind="stable")
    new = mine[~overdue_rows & (pd.to_datetime(mine["created_at"]) >= since)].sort_values(
        ["due_on", "subject_name"], kind="stable"
    )
    week_ended = None if entered_week is None else pd.Timestamp(entered_week) + pd.Timedelta(days=7)
    if roles.may_open(recipient.role, "health") and week_ended is not None and week_ended > since:
        in_book = entered["owner_id"].map(lambda owner: roles.in_book(recipient, owner)).astype(bool)
        at_risk = entered[in_book].sort_values("name", kind="stable")
    else:
        at_risk = entered.iloc[0:0]
    due = requests[
        ~requests["status"].isin(CLOSED_REQUESTS)
        & (pd.to_datetime(requests["needed_by"]) < pd.Timestamp(moment + WINDOW[recipient.frequency]))
    ]
    if roles.may_do(recipient.role, "assign_reference"):
        mine_due = due
    elif roles.may_open(recipient.role, "references"):
        mine_due = due[due["requested_by"] == recipient.id]
    else:
        mine_due = due.iloc[0:0]
    return Contents(overdue, new, at_risk, mine_due.sort_values("needed_by", kind="stable"))


def _day(value: object) -> str:
    moment = pd.Timestamp(value)
    return "—" if pd.isna(moment) else f"{moment.day} {moment:%b %Y}"


def _score(value: object) -> str:
    return "—" if pd.isna(value) else f"{float(value):.0f}"


def account_link(app_url: str, account_id: int) -> str:
    return f"{app_url}/account?{urlencode({'account': int(account_id)})}"


def _sections(contents: Contents, app_url: str) -> list[tuple[str, list[tuple[str, str, str]], str]]:
    """Each non-empty section: heading, rows of (text, detail, link), and the link to the whole list."""
    sections = []
    for heading, frame in (("Overdue tasks", contents.overdue), ("New tasks", contents.new)):
        if not frame.empty:
            rows = [
                (
                    str(row.subject_name),
                    f"{row.reason_text} — due {_day(row.due_on)}",
                    f"{app_url}/" if pd.isna(row.account_id) else account_link(app_url, row.account_id),
                )
                for row in frame.itertuples()
            ]
            sections.append((heading, rows, f"{app_url}/"))
    if not contents.entered_at_risk.empty:
        rows = [
            (
                str(row.name),
                f"score {_score(row.score_last)} → {_score(row.score_this)}",
                account_link(app_url, row.Index),
            )
            for row in contents.entered_at_risk.itertuples()
        ]
        sections.append(("Accounts that entered the at-risk band", rows, f"{app_url}/weekly"))
    if not contents.requests_due.empty:
        rows = [
            (str(row.prospect), f"needed by {_day(row.needed_by)}", f"{app_url}/references")
            for row in contents.requests_due.itertuples()
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
