"""The weekly review's lists, titled, for the page and for the self-contained HTML report."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from core import health, pipeline, weekly
from ui import charts
from ui.report import Section, html_report

# Each detail list of the review with the sentence that says what it holds.
LISTS = (
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
    ("new_advocates", "New advocates", "Contacts who entered the advocate program this week."),
    ("stage_moves", "Stage moves", "Advocates who moved to another stage this week."),
    ("assets_published", "Assets published", "Approved assets published this week."),
    ("assets_gone_stale", "Assets gone stale", "Assets that turned stale this week, with why."),
    ("requests_fulfilled", "Reference requests fulfilled", "Requests fulfilled this week."),
    (
        "requests_overdue",
        "Reference requests overdue at week end",
        "Open past their needed-by time; most overdue first.",
    ),
)


COLUMN_LABELS = {
    "arr": "ARR",
    "score_last": "Score last week",
    "score_this": "Score this week",
    "band_last": "Band last week",
    "top_reason": "Top reason",
    "last_week": "Last week",
    "this_week": "This week",
    "asset_type": "Type",
    "stale_reasons": "Why stale",
}
BAND_COLUMNS = ("band_last",)
STAGE_COLUMNS = ("from_stage", "to_stage")


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A review list as people read it: ids dropped, bands and stages in words, column names in words."""
    shown = frame.reset_index(drop=True).drop(columns=["advocate_id"], errors="ignore")
    for column in BAND_COLUMNS:
        if column in shown:
            shown[column] = shown[column].map(health.BAND_LABELS)
    for column in STAGE_COLUMNS:
        if column in shown:
            shown[column] = shown[column].map(pipeline.STAGE_LABELS)
    return shown.rename(columns=lambda name: COLUMN_LABELS.get(name, name.replace("_", " ").capitalize()))


def title(week: dt.date) -> str:
    return f"Weekly review — week of {week:%d %b %Y}"


def period(week: dt.date) -> str:
    return f"{week:%a %d %b} – {week + dt.timedelta(days=6):%a %d %b %Y}, compared with the week before"


def html(review: weekly.WeeklyReview, generated_at: dt.datetime) -> str:
    """The whole review as one HTML document with its charts inline (opens offline, prints cleanly)."""
    sections = [
        Section(
            "This week against last week", table=review.summary, chart=charts.week_comparison(review.summary)
        ),
    ]
    for attribute, heading, text in LISTS:
        frame: pd.DataFrame = getattr(review, attribute)
        chart = (
            charts.score_drops(review.biggest_drops) if attribute == "biggest_drops" and len(frame) else None
        )
        sections.append(Section(f"{heading} ({len(frame):,})", text=text, table=readable(frame), chart=chart))
    return html_report(
        title(review.week), f"{period(review.week)}. Generated {generated_at:%d %b %Y %H:%M}.", sections
    )
