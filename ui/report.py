"""A self-contained HTML report: escaped text, formatted tables and inline SVG charts, with no scripts."""

from __future__ import annotations

import datetime as dt
import numbers
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from ui import numbers as ui_numbers

MAX_ROWS = 200
MISSING = "—"
EMPTY_TABLE = "None."

CSS = """
body {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #111827; line-height: 1.5; max-width: 64rem; margin: 2rem auto; padding: 0 1rem;
}
h1 { margin-bottom: 0.25rem; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid #e5e7eb; padding-bottom: 0.25rem; }
.subtitle { color: #6b7280; margin-top: 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; border-bottom: 1px solid #e5e7eb; }
th { background: #f3f4f6; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #f9fafb; }
.note, .empty { color: #6b7280; font-style: italic; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
@media print {
  body { margin: 0; max-width: none; }
  .table-wrap { overflow: visible; }
  tr, figure { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  h2 { break-after: avoid; page-break-after: avoid; }
  th, tbody tr:nth-child(even) { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""

# Serialise vl_convert's SVG elements without a namespace prefix, as inline SVG in HTML expects.
ET.register_namespace("", "http://www.w3.org/2000/svg")
# A clip path or gradient reference: the whole of a clip-path, fill or stroke attribute's value.
LOCAL_URL = re.compile(r"url\(#(.+)\)")
# A number already formatted for people (+$1,200, −3, 80.5%): right-aligned like a number.
FORMATTED_NUMBER = re.compile(r"[+−-]?\$?[\d,]+(\.\d+)?[%×]?")


@dataclass(frozen=True)
class Section:
    """One titled part of the report: a paragraph, then a chart, then a table, each optional."""

    title: str
    text: str = ""
    table: pd.DataFrame | None = None
    chart: alt.TopLevelMixin | None = None


def html_report(title: str, subtitle: str, sections: list[Section]) -> str:
    """The whole report as one HTML document that opens offline with no JavaScript."""
    body = "\n".join(_section(section, f"chart{number}-") for number, section in enumerate(sections, 1))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<h1>{escape(title)}</h1>\n<p class="subtitle">{escape(subtitle)}</p>\n'
        f"{body}\n</body>\n</html>\n"
    )


def _section(section: Section, id_prefix: str) -> str:
    """One section's heading and whichever of text, chart and table it has."""
    parts = [f"<h2>{escape(section.title)}</h2>", _paragraphs(section.text)]
    if section.chart is not None:
        parts.append(_chart(section.chart, id_prefix))
    if section.table is not None:
        parts.append(_table(section.table))
    return "<section>\n" + "\n".join(part for part in parts if part) + "\n</section>"


def _paragraphs(text: str) -> str:
    """Plain text as paragraphs split on blank lines, keeping single line breaks."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return "\n".join(f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in blocks)


def _chart(chart: alt.TopLevelMixin, id_prefix: str) -> str:
    """The chart rendered to inline SVG, refusing anything that would load from the network."""
    # An empty allow-list makes vl_convert fail on URL data instead of fetching it.
    svg = ET.fromstring(vl_convert.vegalite_to_svg(chart.to_dict(), allowed_base_urls=[]))
    # Attributes, not the SVG's text: labels are user text (account names) and may read href="… or id="….
    for element in svg.iter():
        for name, value in list(element.attrib.items()):
            element.set(name, _local_reference(name, value, id_prefix))
    # Serialising escapes every label's < and & again, so user text stays text.
    return f'<figure class="chart">{ET.tostring(svg, encoding="unicode")}</figure>'


def _local_reference(name: str, value: str, prefix: str) -> str:
    """An SVG attribute's value with its id, or its reference to one, renamed unique within the page.

    vl_convert numbers clip paths and gradients from 1 in every SVG; inline in one page they would collide.
    """
    if name == "id":
        return prefix + value
    if name.rpartition("}")[2] == "href":  # href and xlink:href
        if not value.startswith("#"):
            raise ValueError(
                "The chart links to an external resource (e.g. an image mark); embed it instead."
            )
        return f"#{prefix}{value[1:]}"
    local = LOCAL_URL.fullmatch(value)
    return f"url(#{prefix}{local.group(1)})" if local else value


def _table(frame: pd.DataFrame) -> str:
    """The frame's columns and first rows (not its index) as an HTML table, or 'None.' when empty."""
    if frame.empty:
        return f'<p class="empty">{EMPTY_TABLE}</p>'
    shown = frame.iloc[:MAX_ROWS]
    numeric = [_is_numeric_column(shown.iloc[:, i]) for i in range(shown.shape[1])]
    head = "".join(_cell("th", str(name), num) for name, num in zip(shown.columns, numeric, strict=True))
    rows = "\n".join(
        "<tr>" + "".join(_cell("td", _format(value), num) for value, num in zip(row, numeric, strict=True))
        for row in shown.itertuples(index=False, name=None)
    )
    table = f'<div class="table-wrap"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table></div>'
    return table + _more_rows_note(len(frame) - len(shown))


def _cell(tag: str, text: str, numeric: bool) -> str:
    """One escaped table cell, right-aligned when its column holds numbers."""
    css_class = ' class="num"' if numeric else ""
    return f"<{tag}{css_class}>{escape(text)}</{tag}>"


def _more_rows_note(hidden: int) -> str:
    """A pointer to the CSV export for the rows the table leaves out."""
    if hidden <= 0:
        return ""
    return f'\n<p class="note">… and {hidden:,} more row{"" if hidden == 1 else "s"} (see the CSV export)</p>'


def _is_numeric_column(column: pd.Series) -> bool:
    """Whether every present value in the column is a number, or a number formatted as text."""
    present = column.dropna()
    present = present[present != MISSING]
    return not present.empty and all(
        _is_number(value) or (isinstance(value, str) and FORMATTED_NUMBER.fullmatch(value))
        for value in present
    )


def _is_number(value: object) -> bool:
    """A real number, not a boolean."""
    return isinstance(value, numbers.Number) and not isinstance(value, bool | np.bool_ | complex)


def _is_missing(value: object) -> bool:
    """None, NaN, NaT or NA; never true for containers."""
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def _format(value: object) -> str:
    """A cell value as readable text: 12,345 / 3.1 / 31 Jan 2026 / '—' for missing."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, dt.date):
        return ui_numbers.day(value)
    if _is_number(value) and isinstance(value, numbers.Integral):
        return f"{value:,}"
    if _is_number(value):
        # Adding 0.0 turns a rounded -0.0 into 0.0 so tiny negatives do not print as "-0".
        return f"{round(float(value), 1) + 0.0:,.1f}".removesuffix(".0")
    return str(value)
