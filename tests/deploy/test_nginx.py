"""The sample nginx site (deploy/nginx.conf) read as text: what it blocks, the headers and cookie flags it
sets, and the inline-script hashes its CSP allows, recomputed from the installed packages."""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
from pathlib import Path

import extra_streamlit_components
import pytest
import streamlit

from ui.auth import COOKIE_NAME

ROOT = Path(__file__).resolve().parents[2]
# Without comments, so a commented-out directive counts as absent.
SITE = re.sub(r"#[^\n]*", "", (ROOT / "deploy" / "nginx.conf").read_text())


def block(header: str) -> str:
    """The body of the block that opens with header, e.g. 'location = /_stcore/stream'."""
    start = SITE.index(header + " {") + len(header) + 2
    depth, end = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(SITE[end], 0)
        end += 1
    return SITE[start : end - 1]


def directives(body: str) -> list[str]:
    """The body's directives with their whitespace collapsed, nested blocks included."""
    return [" ".join(part.split()) for part in re.split(r"[;{}]", body) if part.strip()]


def https_server() -> str:
    return next(body for body in re.split(r"\nserver \{", SITE) if "listen 443 ssl" in body)


def inline_script_hashes(html_file: Path) -> set[str]:
    scripts = re.findall(r"<script>(.*?)</script>", html_file.read_text(), re.DOTALL)
    return {base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() for script in scripts}


def header(name: str) -> str:
    match = re.search(rf"add_header {name} (\"[^\"]*\"|\S+) always;", https_server())
    assert match, f"{name} is not set on every response"
    return match.group(1).strip('"')


@pytest.mark.parametrize(
    "path",
    ["/_stcore/metrics", "/_stcore/script-health-check", "/_stcore/agent/interact", "/_stcore/agent/mcp"],
)
def test_internal_endpoints_are_blocked(path):
    blocked = re.search(r"location ~\* (\S+) \{\s*return 404;\s*\}", SITE)
    assert blocked and re.search(blocked.group(1), path, re.IGNORECASE)
    assert "return 404" in directives(block("location ^~ /app/static/"))


@pytest.mark.parametrize("path", ["/_stcore/health", "/_stcore/host-config", "/_stcore/stream", "/media/x"])
def test_what_the_browser_needs_is_not_blocked(path):
    blocked = re.search(r"location ~\* (\S+) \{\s*return 404;\s*\}", SITE)
    assert not re.search(blocked.group(1), path, re.IGNORECASE)


def test_websocket_is_proxied_with_its_upgrade():
    stream = directives(block("location = /_stcore/stream"))
    assert "proxy_set_header Upgrade $http_upgrade" in stream
    assert "proxy_set_header Connection $connection_upgrade" in stream
    assert "proxy_pass http://advocacy" in stream
    assert "proxy_http_version 1.1" in directives(https_server())


def test_uploads_and_downloads_need_a_login_cookie():
    assert f"$cookie_{COOKIE_NAME}$cookie__streamlit_user" in SITE
    uploads = directives(block("location ^~ /_stcore/upload_file/"))
    media = directives(block("location ^~ /media/"))
    for body in (uploads, media):
        assert body[:2] == ["if ($no_login_cookie)", "return 403"]
    assert "valid_referers server_names" in media and "if ($invalid_referer)" in media


def test_upload_body_limit_matches_streamlits():
    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    uploads = directives(block("location ^~ /_stcore/upload_file/"))
    assert f"client_max_body_size {limit + 1}m" in uploads  # 1 MiB for the multipart framing
    assert any(line.startswith("limit_req zone=advocacy_uploads") for line in uploads)


def test_security_headers_are_set_on_every_response():
    assert header("Strict-Transport-Security").startswith("max-age=31536000")
    assert header("X-Frame-Options") == "SAMEORIGIN"
    assert header("X-Content-Type-Options") == "nosniff"
    assert header("Referrer-Policy") == "same-origin"
    policy = dict(part.strip().split(" ", 1) for part in header("Content-Security-Policy").split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-eval" not in policy["script-src"] and "unsafe-inline" not in policy["script-src"]
    # A location that adds a header of its own drops every header set on the server.
    assert not any("add_header" in block(location) for location in re.findall(r"(location [^{]+?) \{", SITE))


def test_csp_allows_exactly_the_inline_scripts_of_the_installed_frontends():
    script_src = dict(part.strip().split(" ", 1) for part in header("Content-Security-Policy").split(";"))[
        "script-src"
    ]
    allowed = set(re.findall(r"'sha256-([^']+)'", script_src))
    index = Path(streamlit.__file__).parent / "static" / "index.html"
    cookie_component = (
        Path(extra_streamlit_components.__file__).parent
        / "CookieManager"
        / "frontend"
        / "build"
        / "index.html"
    )
    assert allowed == inline_script_hashes(index) | inline_script_hashes(cookie_component)


def test_cookie_flags_keep_the_xsrf_token_readable_and_the_rest_http_only():
    flags = [line for line in directives(https_server()) if line.startswith("proxy_cookie_flags")]
    # nginx uses the first directive whose cookie name matches.
    assert flags == [
        "proxy_cookie_flags _streamlit_xsrf secure samesite=lax",
        "proxy_cookie_flags ~ secure httponly samesite=lax",
    ]


def test_plain_http_only_redirects():
    plain = next(body for body in re.split(r"\nserver \{", SITE) if "listen 80;" in body)
    assert "return 301 https://$host$request_uri" in directives(plain)
    assert "proxy_pass" not in plain
