"""The mailer over TLS: STARTTLS and TLS from the first byte against a real SMTP server on 127.0.0.1 with a
self-signed certificate, trusted through the CA file setting (SMTP_CA_FILE) and refused without it."""

from __future__ import annotations

import smtplib
import ssl

import pytest

from db import mail
from tests.mail_servers import self_signed, smtp_server

MESSAGE = mail.Message("Over TLS", "<p>Hi</p>", "Hi")


@pytest.fixture
def certificate(tmp_path):
    return self_signed(tmp_path)


def send(inbox, tls: str, ca_file: str) -> None:
    settings = mail.SmtpSettings(inbox.host, inbox.port, tls, "d@example.com", ca_file=ca_file)
    with mail.mailer(mail.Destinations(settings, "http://app", (), {})) as sender:
        sender.send(("amy@example.com",), MESSAGE)


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_the_mailer_sends_over_tls_to_a_server_it_trusts(certificate, tls):
    with smtp_server(tls=tls, certificate=certificate) as inbox:
        send(inbox, tls, str(certificate[0]))
        # Without the CA file the system's trust store does not know the certificate: nothing is sent.
        with pytest.raises(ssl.SSLCertVerificationError, match="self-signed certificate"):
            send(inbox, tls, "")
    assert [m["Subject"] for m in inbox.messages] == ["Over TLS"]


def test_a_server_that_requires_starttls_refuses_mail_in_the_clear(certificate):
    refused = pytest.raises(smtplib.SMTPSenderRefused, match="530")
    with smtp_server(tls="starttls", certificate=certificate) as inbox, refused:
        send(inbox, "none", "")
    assert inbox.messages == []


def test_the_ca_file_comes_from_the_environment_or_the_secrets_file(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text('[smtp]\nhost = "relay"\nca_file = "/etc/ssl/relay.pem"\n')
    assert mail.configured({}, path).smtp.ca_file == "/etc/ssl/relay.pem"
    assert mail.configured({"SMTP_CA_FILE": "/run/ca.pem"}, path).smtp.ca_file == "/run/ca.pem"
