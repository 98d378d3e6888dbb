import datetime as dt
import html
import re

import altair as alt
import numpy as np
import pandas as pd
import pytest

from core import weekly
from ui import weekly_report
from ui.report import Section, html_report

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def bar_chart(labels: list[str]) -> alt.Chart:
    frame = pd.DataFrame({"label": labels, "count": range(1, len(labels) + 1)})
    return alt.Chart(frame).mark_bar().encode(x="count:Q", y="label:N")


def clipped_line(domain_start: float) -> alt.Chart:
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
    return (
        alt.Chart(frame)
        .mark_line(clip=True)
        .encode(x=alt.X("x:Q", scale=alt.Scale(domain=[domain_start, 3])), y="y:Q")
    )


def assert_self_contained(document: str) -> None:
    lowered = document.lower()
    assert "<script" not in lowered
    assert "<link" not in lowered
    assert "<img" not in lowered
    # The only URLs allowed are the namespace declarations vl_convert writes on <svg>.
    assert "http" not in re.sub(r'xmlns(:\w+)?="[^"]*"', "", lowered)


def test_document_has_head_title_and_section_titles():
    document = html_report("Weekly review", "Generated 2026-01-05", [Section("Renewals"), Section("Tickets")])
    assert document.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in document
    assert "<title>Weekly review</title>" in document
    assert "Generated 2026-01-05" in document
    assert "<h2>Renewals</h2>" in document and "<h2>Tickets</h2>" in document
    assert "@media print" in document
    assert_self_contained(document)


def test_table_values_are_formatted_readably():
    frame = pd.DataFrame(
        {
            "accounts": [12345, 7],
            "score": [3.14159, np.nan],
            "arr": [2.0, -0.04],
            "renewal": pd.to_datetime(["2026-01-31 13:45", None]),
            "owner": ["Amy", None],
        }
    )
    document = html_report("Report", "", [Section("Numbers", table=frame)])
    for cell in ['"num">12,345<', '"num">7<', '"num">3.1<', '"num">2<', '"num">0<', ">31 Jan 2026<", ">Amy<"]:
        assert cell in document
    assert document.count(">—<") == 3
    assert '<th class="num">accounts</th>' in document and "<th>owner</th>" in document


def test_text_becomes_paragraphs():
    document = html_report("Report", "", [Section("Notes", text="First line\nsecond line\n\nNew paragraph")])
    assert "<p>First line<br>second line</p>" in document
    assert "<p>New paragraph</p>" in document


def test_empty_table_says_none():
    document = html_report("Report", "", [Section("Escalations", table=pd.DataFrame({"account": []}))])
    assert '<p class="empty">None.</p>' in document
    assert "<table" not in document


def test_long_table_is_capped_with_a_note():
    document = html_report("Report", "", [Section("All", table=pd.DataFrame({"n": range(1250)}))])
    assert document.count("<tr>") == 201  # the header row and 200 data rows
    assert "… and 1,050 more rows (see the CSV export)" in document


def test_hostile_text_is_escaped_everywhere():
    for hostile in HOSTILE:
        section = Section(
            hostile, text=hostile, table=pd.DataFrame({hostile: [hostile]}), chart=bar_chart([hostile, "b"])
        )
        document = html_report(hostile, hostile, [section])
        assert_self_contained(document)
        shown = html.escape(hostile)
        for place in ["title", "h1", 'p class="subtitle"', "h2", "p", "th", "td"]:
            assert f"<{place}>{shown}</{place.split()[0]}>" in document


def test_chart_section_is_inline_svg():
    document = html_report("Report", "", [Section("Volume", chart=bar_chart(["a", "b", "c"]))])
    assert '<figure class="chart"><svg' in document
    assert ">a</text>" in document
    assert_self_contained(document)


def test_chart_with_script_label_yields_no_script_tag():
    document = html_report("Report", "", [Section("Volume", chart=bar_chart(["<script>alert(1)</script>"]))])
    assert "<script" not in document.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document


def test_svg_ids_are_unique_across_charts():
    sections = [Section("One", chart=clipped_line(1.5)), Section("Two", chart=clipped_line(2))]
    ids = re.findall(r'\sid="([^"]+)"', html_report("Report", "", sections))
    assert ids and len(ids) == len(set(ids))


def test_chart_with_remote_data_is_refused():
    with pytest.raises(ValueError, match="not allowed"):
        html_report(
            "Report", "", [Section("Remote", chart=alt.Chart("https://example.com/d.csv").mark_bar())]
        )


def test_chart_with_remote_image_is_refused():
    frame = pd.DataFrame({"x": [1], "url": ["https://example.com/a.png"]})
    chart = alt.Chart(frame).mark_image(width=20, height=20).encode(x="x:Q", url="url:N")
    with pytest.raises(ValueError, match="external resource"):
        html_report("Report", "", [Section("Image", chart=chart)])


# Account names as typed, with quotes, an attribute-looking href and id, and a url(#…) reference.
TRICKY_NAMES = ['Acme <a href="javascript:alert(1)">', 'Beta" id="clip1', "Gamma url(#clip1) & 'Co'"]


def test_chart_labels_that_look_like_links_or_ids_render_escaped():
    document = html_report("Report", "", [Section("Drops", chart=bar_chart(TRICKY_NAMES))])
    assert_self_contained(document)
    assert "<a " not in document
    for name in TRICKY_NAMES:
        # Each label is the SVG's text, escaped, and its ids and references are not renamed.
        assert f">{html.escape(name, quote=False)}</text>" in document


def test_weekly_review_with_a_link_like_account_name_downloads():
    name = 'Acme href="javascript:alert(1)" Ltd'
    summary = pd.DataFrame(
        {
            "section": ["Health"],
            "measure": ["Accounts at risk"],
            "last_week": [3.0],
            "this_week": [4.0],
            "change": [1.0],
        }
    )
    drops = pd.DataFrame(
        {"name": [name, "Beta"], "change": [-12.5, -4.0], "dimensions": ["usage", "support"]}
    )
    lists = {attribute: pd.DataFrame() for area in weekly_report.LISTS.values() for attribute, _, _ in area}
    review = weekly.WeeklyReview(
        week=dt.date(2026, 1, 5), summary=summary, **(lists | {"biggest_drops": drops})
    )
    document = weekly_report.html(review, dt.datetime(2026, 1, 12, 9, 0))
    assert_self_contained(document)
    assert f">{html.escape(name, quote=False)}</text>" in document  # the chart's label
    assert f"<td>{html.escape(name)}</td>" in document  # the table's cell
