"""Which links the app stores and shows: web pages and e-mail addresses, never scripts or inline data."""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
PROBLEM = "not a web link (http:// or https:// and a host) or a mailto: address"


def is_allowed_link(url: str) -> bool:
    """Whether url is an absolute http(s) link with a host, or a mailto: link.

    Anything else is refused: javascript:, data:, vbscript:, file: and relative links. So is any
    whitespace or control character, because browsers drop tabs and line breaks inside a URL and strip
    leading controls, which turns "java\\tscript:" or "\\x01javascript:" into a script.
    """
    if not url or any(character <= " " or character == "\x7f" for character in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    if parts.scheme in WEB_SCHEMES:
        return bool(host)
    return parts.scheme == "mailto" and bool(parts.path)
