"""Where SMTP, the app's address, the distribution list and team webhooks come from: the environment first,
then .streamlit/secrets.toml; never the settings table."""

from __future__ import annotations

import pytest

from db import mail

SECRETS = """
[smtp]
host = "smtp.example.com"
port = 2525
sender = "dashboard@example.com"
username = "mailer"
password = "s3cret"

[digests]
app_url = "https://advocacy.example.com/"
weekly_review_to = ["leads@example.com", " cs@example.com "]

[digests.webhooks]
marketing = "https://hooks.slack.example/T1/B2/x"
"""


def test_the_secrets_file_configures_delivery(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text(SECRETS)
    delivery = mail.configured({}, path)
    assert delivery.smtp == mail.SmtpSettings(
        "smtp.example.com", 2525, "starttls", "dashboard@example.com", "mailer", "s3cret"
    )
    # The password never shows in a log line or an error that prints the settings.
    assert "s3cret" not in repr(delivery.smtp)
    assert delivery.app_url == "https://advocacy.example.com"
    assert delivery.weekly_review_to == ("leads@example.com", "cs@example.com")
    assert delivery.webhooks == {"marketing": "https://hooks.slack.example/T1/B2/x"}


def test_the_environment_wins_over_the_file(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text(SECRETS)
    environ = {
        "SMTP_HOST": "relay.internal",
        "SMTP_TLS": "ssl",
        "SMTP_PORT": "",
        "WEEKLY_REVIEW_TO": "a@example.com,b@example.com",
        "DIGEST_WEBHOOK_SALES": "https://teams.example/webhook",
    }
    delivery = mail.configured(environ, path)
    # An empty variable counts as unset: the file's port stays.
    assert (delivery.smtp.host, delivery.smtp.port, delivery.smtp.tls) == ("relay.internal", 2525, "ssl")
    assert delivery.weekly_review_to == ("a@example.com", "b@example.com")
    assert delivery.webhooks == {
        "marketing": "https://hooks.slack.example/T1/B2/x",
        "sales": "https://teams.example/webhook",
    }


def test_without_a_host_there_is_no_smtp_and_a_bad_tls_mode_is_named(tmp_path):
    missing = tmp_path / "none.toml"
    delivery = mail.configured({}, missing)
    assert delivery.smtp is None and delivery.app_url == "http://localhost:8501"
    assert delivery.weekly_review_to == () and delivery.webhooks == {}
    assert mail.configured({"SMTP_HOST": "relay", "SMTP_TLS": "ssl"}, missing).smtp.port == 465
    assert mail.configured({"SMTP_HOST": "relay"}, missing).smtp.sender == "advocacy-dashboard@relay"
    with pytest.raises(mail.NotConfigured, match="SMTP TLS mode 'tls1.3' is not one of starttls, ssl, none"):
        mail.configured({"SMTP_HOST": "relay", "SMTP_TLS": "TLS1.3"}, missing)
