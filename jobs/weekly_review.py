"""The weekly review report, as on the Weekly review page, e-mailed to the distribution list."""

from __future__ import annotations

import datetime as dt

from core import weekly
from core.digests import Message
from db.reads import accounts as account_reads
from db.reads import advocates as advocate_reads
from db.reads import assets as asset_reads
from db.reads import purchases as purchase_reads
from db.reads import settings as settings_reads
from ui import weekly_report


def review(engine, week: dt.date) -> weekly.WeeklyReview:
    """The review of week against the week before, from the same reads as the Weekly review page."""
    settings = settings_reads.load_settings(engine)
    start, end = week - dt.timedelta(days=7), week + dt.timedelta(days=6)
    return weekly.review(
        week,
        account_reads.snapshot_sub_scores(engine, week),
        account_reads.snapshot_sub_scores(engine, week - dt.timedelta(days=7)),
        account_reads.account_names(engine),
        account_reads.surveys_between(engine, start, end),
        advocate_reads.stage_changes_between(engine, start, end),
        advocate_reads.outreach_between(engine, start, end),
        asset_reads.assets_changing(engine, start, end, settings["asset_max_age_years"], week),
        asset_reads.requests(engine),
        purchase_reads.referrals(engine),
        purchase_reads.purchases_between(engine, start, end),
        settings,
        settings_reads.load_profiles(engine),
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
