"""User-typed text inside Streamlit markdown: shown as typed, never as formatting, links or icons."""

from __future__ import annotations

import re

# Characters that format, link or embed wherever they stand (emphasis, code, links and images,
# strikethrough, tables, LaTeX, entities, HTML and autolinks); backslashed, each shows as itself.
_INLINE = re.compile(r"([\\`*_\[\]<>~|$&])")
# Block markers act only at the start of a line: headings, quotes, lists, setext underlines.
_BLOCK = re.compile(r"^([ \t]*)([#>+=-])", re.MULTILINE)
_NUMBERED = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)
# Streamlit turns :material/name:, :smile: and http:// into icons, emoji and links even after a
# backslash; a zero-width space after such a colon breaks the pattern and stays invisible.
_SHORTCODE_COLON = re.compile(r":(?=\S)")


def literal(value: object) -> str:
    """value as text that st.markdown, st.caption, st.error, st.toast … show exactly as typed."""
    escaped = _INLINE.sub(r"\\\1", str(value))
    escaped = _BLOCK.sub(r"\1\\\2", escaped)
    escaped = _NUMBERED.sub(r"\1\\\2", escaped)
    return _SHORTCODE_COLON.sub(":\u200b", escaped)
