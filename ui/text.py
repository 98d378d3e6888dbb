"""User-typed text on screen: shown as typed, never reordered, and in markdown never as formatting, links or icons."""

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
# Unicode's bidi controls (overrides, embeddings, isolates, marks) reorder the text around them:
# "Mallory\u202etxt.exe" reads as "Malloryexe.txt". Right-to-left letters themselves are left alone.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(value: object) -> str:
    """value as text with each bidi control shown as U+FFFD, the replacement character: nothing can reorder it."""
    return _BIDI_CONTROLS.sub("\ufffd", str(value))


def literal(value: object) -> str:
    """value as text that st.markdown, st.caption, st.error, st.toast … show exactly as typed."""
    escaped = _INLINE.sub(r"\\\1", visible(value))
    escaped = _BLOCK.sub(r"\1\\\2", escaped)
    escaped = _NUMBERED.sub(r"\1\\\2", escaped)
    return _SHORTCODE_COLON.sub(":\u200b", escaped)
