"""The real app behind deploy/nginx.conf (TLS with a throw-away certificate): what the proxy blocks, the
headers and cookie flags it sets, and that logging in, the charts and a download still work in Chromium."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, free_port, log_in

pytestmark = pytest.mark.e2e

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None


# The test's certificate is self-signed; redirects are answers to check, not to follow.
OPENER = urllib.request.build_opener(
    KeepRedirects, urllib.request.HTTPSHandler(context=ssl._create_unverified_context())
)


@dataclass
class Proxy:
    url: str
    plain_url: str


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET with no cookies, whatever the status."""
    try:
        with OPENER.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def answers(url: str) -> bool:
    try:
        return fetch(url)[0] == 200
    except OSError:
        return False


def site_for_test(app_port: int, https_port: int, http_port: int, folder: Path) -> str:
    """deploy/nginx.conf with only its addresses, host name and certificate changed."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for sample, local in [
        ("server 127.0.0.1:8501;", f"server 127.0.0.1:{app_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("/etc/ssl/certs/dashboard.example.com.pem", str(folder / "cert.pem")),
        ("/etc/ssl/private/dashboard.example.com.key", str(folder / "key.pem")),
    ]:
        assert site.count(sample) == 1, sample
        site = site.replace(sample, local)
    return site.replace("server_name dashboard.example.com;", "server_name localhost;")


@pytest.fixture(scope="module")
def proxy(demo_server, tmp_path_factory) -> Iterator[Proxy]:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed")
    folder = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True,
        capture_output=True,
    )
    https_port, http_port = free_port(), free_port()
    app_port = int(demo_server.url.rsplit(":", 1)[1])
    (folder / "site.conf").write_text(site_for_test(app_port, https_port, http_port, folder))
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nuser root;\nevents {{}}\n"
        f"http {{\n  access_log off;\n"
        # Every temporary folder in the test's folder, so nginx needs no write access elsewhere.
        + "".join(
            f"  {kind}_temp_path {folder}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {folder}/site.conf;\n}}\n"
    )
    nginx = subprocess.Popen(
        [NGINX, "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(folder / "nginx.conf")]
        + ["-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    url = f"https://localhost:{https_port}"
    try:
        deadline = time.monotonic() + 20
        while not answers(f"{url}/_stcore/health"):
            if nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {nginx.stderr.read().decode()}")
            time.sleep(0.2)
        yield Proxy(url, f"http://localhost:{http_port}")
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)


@pytest.mark.parametrize(
    "path",
    [
        "/_stcore/metrics",
        "/_stcore/METRICS",
        "/_stcore/%6detrics",
        "//_stcore/metrics",
        "/_stcore/metrics?families=session_events",
        "/_stcore/agent/openapi.json",
        "/app/static/x.png",
    ],
)
def test_internal_endpoints_answer_404_through_the_proxy(proxy, path):
    status, _, body = fetch(proxy.url + path)
    assert status == 404
    assert b"session" not in body


def test_media_and_uploads_need_a_login_cookie(proxy):
    assert fetch(f"{proxy.url}/media/0123456789abcdef.csv")[0] == 403
    assert fetch(f"{proxy.url}/_stcore/upload_file/session/file")[0] == 403


def test_every_response_carries_the_security_headers(proxy):
    _, headers, _ = fetch(proxy.url + "/")
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_plain_http_only_redirects_to_https(proxy):
    status, headers, _ = fetch(f"{proxy.plain_url}/_stcore/health")
    assert status == 301
    assert headers["Location"] == "https://localhost/_stcore/health"


def test_login_charts_and_a_download_work_under_the_proxy(proxy, browser):
    context = browser.new_context(ignore_https_errors=True, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security" in message.text else None,
    )
    log_in(page, proxy.url, "mark")
    page.get_by_test_id("stSidebar").get_by_text("Weekly review").click()
    expect(page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Summary (CSV)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"\xef\xbb\xbf")
    # The same link without the session's cookies is refused.
    assert fetch(download.value.url)[0] == 403
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert cookies["_streamlit_xsrf"]["secure"] and not cookies["_streamlit_xsrf"]["httpOnly"]
    assert cookies["advocacy_session"]["sameSite"] == "Strict"
    page.reload()  # the login cookie, written by the cookie component under this CSP, survives it
    expect(page.locator("h1")).to_have_text("Weekly review")
    # app.py's page_icon (:material/favorite:) makes Streamlit fetch the favicon from Google's font server.
    refused = [message for message in refused if "fonts.gstatic.com" not in message]
    assert not refused, "\n".join(refused)
    context.close()
