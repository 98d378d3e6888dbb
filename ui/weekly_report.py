"""The weekly review's lists, titled, for the page and for the self-contained HTML report."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd

from core import assets, health, pipeline, references, weekly
from ui import charts, numbers
from ui.report import Section, html_report

# Each detail list of the review with the sentence that says what it holds, by area (the page's tabs).
LISTS = {
    "Accounts": (
        (
            "entered_at_risk",
            "Entered the at-risk band",
            "Healthy or watch last week, at risk now; biggest ARR first.",
        ),
        (
            "biggest_drops",
            "Biggest score drops",
            "Accounts whose score fell most, with the dimensions that fell.",
        ),
        ("promoters", "New promoters", "NPS answers of 9–10 this week."),
        ("detractors", "New detractors", "NPS answers of 0–6 this week."),
    ),
    "Advocates": (
        ("new_advocates", "New advocates", "Contacts who entered the advocate program this week."),
        ("stage_moves", "Stage moves", "Advocates who moved to another stage this week."),
    ),
    "Assets and references": (
        ("assets_published", "Assets published", "Approved assets published this week."),
        ("assets_gone_stale", "Assets gone stale", "Assets that turned stale this week, with why."),
        ("requests_fulfilled", "Reference requests fulfilled", "Requests fulfilled this week."),
        (
            "requests_overdue",
            "Reference requests overdue at week end",
            "Open past their needed-by time; most overdue first.",
        ),
    ),
}


COLUMN_LABELS = {
    "name": "Account",
    "arr": "ARR",
    "score_last": "Score last week",
    "score_this": "Score this week",
    "band_last": "Band last week",
    "top_reason": "Top reason",
    "reasons": "Dimensions that fell",
    "score": "Score (0–10)",
    "responded_on": "Answered",
    "from_stage": "From",
    "to_stage": "To",
    "changed_at": "Moved on",
    "asset_type": "Type",
    "approval_status": "Approval",
    "published_on": "Published",
    "review_by": "Review by",
    "stale_reasons": "Why stale",
    "requested_at": "Requested",
    "needed_by": "Needed by",
    "fulfilled_at": "Fulfilled",
    "days_overdue": "Days overdue",
}
SUMMARY_LABELS = {
    "section": "Area",
    "measure": "Measure",
    "last_week": "Last week",
    "this_week": "This week",
    "change": "Change",
}
# Summary measures counted in dollars; every other one is a count.
MONEY_MEASURES = ("Purchase revenue",)
DATE_COLUMNS = (
    "responded_on",
    "changed_at",
    "published_on",
    "review_by",
    "requested_at",
    "needed_by",
    "fulfilled_at",
)
WORDS = {
    "band_last": health.BAND_LABELS,
    "from_stage": pipeline.STAGE_LABELS,
    "to_stage": pipeline.STAGE_LABELS,
    "asset_type": assets.TYPE_LABELS,
    "status": references.STATUS_LABELS,
    "approval_status": {},
    "kind": {},
}
NUMBER_FORMATS = {
    "arr": numbers.amount,
    "score_last": numbers.count,
    "score_this": numbers.count,
    "change": lambda value: numbers.signed(value, 1),
    "score": numbers.count,
    "days_overdue": lambda value: numbers.count(value // 1),
}


# Who, then by how much and why, ahead of the other columns: on a 1280 px projector the reason is on screen.
LEADING = ("name", "change", "reasons", "top_reason", "title", "stale_reasons")


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A review list as people read it: ids and stale flags dropped, the reason next to the name, every value as
    text ("—" for nothing), codes and column names in words."""
    shown = frame.reset_index(drop=True).drop(columns=["advocate_id", *assets.FLAGS], errors="ignore")
    leading = [column for column in LEADING if column in shown]
    shown = shown[leading + [column for column in shown.columns if column not in leading]]
    for column in shown.columns:
        if column in WORDS:
            cells = shown[column].map(lambda value, words=WORDS[column]: numbers.label(value, words))
        elif column in DATE_COLUMNS:
            cells = shown[column].map(numbers.day)
        elif column in NUMBER_FORMATS:
            cells = shown[column].map(NUMBER_FORMATS[column])
        else:
            cells = shown[column].map(numbers.text)
        shown[column] = cells.astype(object)
    return shown.rename(columns=lambda name: COLUMN_LABELS.get(name, name.replace("_", " ").capitalize()))


def readable_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as people read it: counts as whole numbers, revenue in compact dollars ($1.3M), "—" for unknown."""
    money = summary["measure"].isin(MONEY_MEASURES)
    shown = summary[["section", "measure"]].copy()
    for column in ("last_week", "this_week"):
        shown[column] = [
            numbers.money(value) if is_money and value == value else numbers.count(value)
            for value, is_money in zip(summary[column], money, strict=True)
        ]
    shown["change"] = [
        numbers.signed_money(value) if is_money else numbers.signed(value)
        for value, is_money in zip(summary["change"], money, strict=True)
    ]
    return shown.rename(columns=SUMMARY_LABELS)


def title(week: dt.date) -> str:
    return f"Weekly review — week of {numbers.day(week)}"


def period(week: dt.date) -> str:
    end = week + dt.timedelta(days=6)
    return f"{week:%a} {week.day} {week:%b} – {end:%a} {numbers.day(end)}, compared with the week before"


def html(review: weekly.WeeklyReview, generated_at: dt.datetime) -> str:
    """The whole review as one HTML document with its charts inline (opens offline, prints cleanly)."""
    sections = [
        Section(
            "This week against last week",
            table=readable_summary(review.summary),
            chart=charts.week_comparison(review.summary),
        ),
    ]
    for attribute, heading, text in itertools.chain.from_iterable(LISTS.values()):
        frame: pd.DataFrame = getattr(review, attribute)
        chart = (
            charts.score_drops(review.biggest_drops) if attribute == "biggest_drops" and len(frame) else None
        )
        sections.append(Section(f"{heading} ({len(frame):,})", text=text, table=readable(frame), chart=chart))
    return html_report(
        title(review.week),
        f"{period(review.week)}. Generated {numbers.day(generated_at)} {generated_at:%H:%M}.",
        sections,
    )


def summary_halves(summary: pd.DataFrame) -> tuple[pd.Index, pd.Index]:
    """The summary's rows in two halves that keep each area whole, split at the area boundary nearest the middle."""
    boundaries = [
        i for i in range(1, len(summary)) if summary["section"].iat[i] != summary["section"].iat[i - 1]
    ]
    split = min(boundaries, key=lambda i: abs(2 * i - len(summary)), default=len(summary))
    return summary.index[:split], summary.index[split:]
