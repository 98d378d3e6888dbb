"""Sending: e-mail over SMTP and chat messages to Slack or Teams incoming webhooks.

Where to send and how to log in comes from environment variables, else `.streamlit/secrets.toml` — never from
the settings table, which every admin can read and the CSV export writes out:

| environment | secrets.toml | |
|---|---|---|
| SMTP_HOST, SMTP_PORT | [smtp] host, port | the SMTP server (port 587 by default) |
| SMTP_TLS | [smtp] tls | starttls (default), ssl or none |
| SMTP_CA_FILE | [smtp] ca_file | a PEM file of the certificates to trust for TLS (default: the system's) |
| SMTP_SENDER | [smtp] sender | the From address |
| SMTP_USERNAME, SMTP_PASSWORD | [smtp] username, password | log in when set |
| APP_URL | [digests] app_url | where links in messages point (default http://localhost:8501) |
| WEEKLY_REVIEW_TO | [digests] weekly_review_to | the weekly review's distribution list (comma-separated) |
| DIGEST_WEBHOOK_<ROLE> | [digests.webhooks] <role> | a team's incoming webhook, e.g. DIGEST_WEBHOOK_MARKETING |
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import httpx

from core import roles
from core.digests import Message
from db.engine import ROOT

SECRETS = ROOT / ".streamlit" / "secrets.toml"
TLS_MODES = ("starttls", "ssl", "none")
TIMEOUT_SECONDS = 30


class NotConfigured(RuntimeError):
    """No SMTP server (or no webhook) is configured: nothing is sent and nothing is claimed."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    sender: str
    username: str = ""
    password: str = field(default="", repr=False)
    ca_file: str = ""


@dataclass(frozen=True)
class Destinations:
    """Where messages go: the SMTP server (None when not configured), the app's address for links, the
    weekly review's distribution list and each team's (role's) webhook."""

    smtp: SmtpSettings | None
    app_url: str
    weekly_review_to: tuple[str, ...]
    webhooks: Mapping[str, str]


def _secrets(path: Path) -> dict:
    if not path.is_file():
        return {}
    with path.open("rb") as file:
        return tomllib.load(file)


def configured(environ: Mapping[str, str] | None = None, secrets_path: Path = SECRETS) -> Destinations:
    """The delivery settings: each value from its environment variable when set, else from the secrets file."""
    environ = os.environ if environ is None else environ
    secrets = _secrets(secrets_path)
    smtp_file, digests_file = secrets.get("smtp", {}), secrets.get("digests", {})

    def value(variable: str, section: dict, key: str, default: str = "") -> str:
        return str(environ.get(variable) or section.get(key) or default).strip()

    host = value("SMTP_HOST", smtp_file, "host")
    tls = value("SMTP_TLS", smtp_file, "tls", "starttls").lower()
    if tls not in TLS_MODES:
        raise NotConfigured(f"SMTP TLS mode '{tls}' is not one of {', '.join(TLS_MODES)}.")
    smtp = (
        SmtpSettings(
            host=host,
            port=int(value("SMTP_PORT", smtp_file, "port", "465" if tls == "ssl" else "587")),
            tls=tls,
            sender=value("SMTP_SENDER", smtp_file, "sender", f"advocacy-dashboard@{host}"),
            username=value("SMTP_USERNAME", smtp_file, "username"),
            password=value("SMTP_PASSWORD", smtp_file, "password"),
            ca_file=value("SMTP_CA_FILE", smtp_file, "ca_file"),
        )
        if host
        else None
    )
    listed = environ.get("WEEKLY_REVIEW_TO")
    addresses = listed.split(",") if listed else digests_file.get("weekly_review_to", [])
    hooks_file = digests_file.get("webhooks", {})
    webhooks = {
        role: url
        for role in roles.ROLES
        if (url := value(f"DIGEST_WEBHOOK_{role.upper()}", hooks_file, role))
    }
    return Destinations(
        smtp=smtp,
        app_url=value("APP_URL", digests_file, "app_url", "http://localhost:8501").rstrip("/"),
        weekly_review_to=tuple(address.strip() for address in addresses if address.strip()),
        webhooks=webhooks,
    )


def email(
    sender: str, to: tuple[str, ...], message: Message, attachment: tuple[str, bytes] | None = None
) -> EmailMessage:
    """The message as an e-mail with its own Message-ID: plain text with an HTML alternative, and an optional
    HTML file attached."""
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = message.subject, sender, ", ".join(to)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    if attachment is not None:
        name, content = attachment
        mail.add_attachment(content, maintype="text", subtype="html", filename=name)
    return mail


class Mailer:
    """One SMTP connection for many messages; opened on the first send, reopened after the server drops it."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        trusted = ssl.create_default_context(cafile=s.ca_file or None)
        if s.tls == "ssl":
            connection = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_SECONDS, context=trusted)
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
            if s.tls == "starttls":
                connection.starttls(context=trusted)
        if s.username:
            connection.login(s.username, s.password)
        return connection

    def _open(self) -> smtplib.SMTP:
        """The connection, checked with NOOP when kept from an earlier message: one the server dropped while
        idle is opened again before anything of the next message is sent."""
        if self._connection is not None:
            try:
                self._connection.noop()
            except (smtplib.SMTPServerDisconnected, OSError):
                self._connection = None
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    def send(
        self,
        to: tuple[str, ...],
        message: Message,
        attachment: tuple[str, bytes] | None = None,
        handing: Callable[[str], None] | None = None,
    ) -> None:
        """Hand one message to the SMTP server, never twice: any refusal or network error raises (the caller
        retries a refusal). handing(message_id), when given, runs once the connection is open, right before
        the message leaves: from then on the ledger counts the send in doubt until it is marked sent."""
        mail = email(self.settings.sender, to, message, attachment)
        connection = self._open()
        if handing is not None:
            handing(mail["Message-ID"])
        connection.send_message(mail)

    def close(self) -> None:
        if self._connection is not None:
            with suppress(smtplib.SMTPException, OSError):
                self._connection.quit()
            self._connection = None


@contextmanager
def mailer(delivery: Destinations) -> Iterator[Mailer]:
    if delivery.smtp is None:
        raise NotConfigured(
            "No SMTP server is configured (SMTP_HOST or [smtp] host in .streamlit/secrets.toml)."
        )
    sender = Mailer(delivery.smtp)
    try:
        yield sender
    finally:
        sender.close()


def post_webhook(url: str, text: str) -> None:
    """Post text to a Slack or Teams incoming webhook (both take {"text": …}); a non-2xx answer raises."""
    response = httpx.post(url, json={"text": text}, timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
