import pytest

from core.links import is_allowed_link


@pytest.mark.parametrize(
    "url",
    [
        "https://assets.example.com/case-studies/acme-1",
        "http://example.com",
        "HTTPS://Example.com/Path?q=1#top",
        "https://[2001:db8::1]:8443/x",
        "https://bücher.example/ü",
        "mailto:marketing@example.com",
        "MAILTO:a@example.com?subject=Case%20study",
    ],
)
def test_web_and_mail_links_are_allowed(url):
    assert is_allowed_link(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "javascript://example.com/%0Aalert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        " javascript:alert(1)",
        "https://example.com/\x7f",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.com/a",
        "//evil.example.com/x",
        "/media/abc",
        "www.example.com",
        "https:example.com",
        "https://",
        "https:///path",
        "http://:80/",
        "http://[::1",
        "mailto:",
        "",
    ],
)
def test_scripts_inline_data_and_relative_links_are_refused(url):
    assert not is_allowed_link(url)
