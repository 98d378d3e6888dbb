"""The weekly review report, as on the Weekly review page, e-mailed to the distribution list."""

from __future__ import annotations

import datetime as dt

from core import weekly
from core.digests import Message
from db import kpis, profiles, queries, references
from ui import weekly_report


def review(engine, week: dt.date) -> weekly.WeeklyReview:
    """The review of week against the week before, from the same reads as the Weekly review page."""
    settings = queries.load_settings(engine)
    start, end = week - dt.timedelta(days=7), week + dt.timedelta(days=6)
    return weekly.review(
        week,
        queries.snapshot_sub_scores(engine, week),
        queries.snapshot_sub_scores(engine, week - dt.timedelta(days=7)),
        kpis.account_names(engine),
        kpis.surveys_between(engine, start, end),
        kpis.stage_changes_between(engine, start, end),
        kpis.outreach_between(engine, start, end),
        kpis.assets_changing(engine, start, end, settings["asset_max_age_years"], week),
        references.requests(engine),
        kpis.referrals(engine),
        kpis.purchases_between(engine, start, end),
        settings,
        profiles.load_profiles(engine),
    )


def message(
    review: weekly.WeeklyReview, app_url: str, generated_at: dt.datetime
) -> tuple[Message, tuple[str, bytes]]:
    """The e-mail: the summary as text and HTML, the whole report attached as its HTML file."""
    summary = weekly_report.readable_summary(review.summary)
    lines = [
        f"{row['Measure']}: {row['Last week']} → {row['This week']} ({row['Change']})"
        for _, row in summary.iterrows()
    ]
    link = f"{app_url.rstrip('/')}/weekly"
    text = "\n".join([weekly_report.period(review.week), "", *lines, "", f"The whole review: {link}"])
    html = (
        f"<!DOCTYPE html><html><body><p>{weekly_report.period(review.week)}</p>"
        f"{summary.drop(columns='Area').to_html(index=False)}"
        f'<p>The whole review is attached, and in the app: <a href="{link}">{link}</a></p></body></html>'
    )
    subject = weekly_report.title(review.week)
    report = weekly_report.html(review, generated_at).encode()
    return Message(subject, html, text), (f"weekly-review-{review.week}.html", report)
