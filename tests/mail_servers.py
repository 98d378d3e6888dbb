"""A real SMTP server (aiosmtpd) and a webhook receiver (http.server), both on 127.0.0.1, for the tests."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Inbox:
    """What the SMTP server accepted; refuse holds SMTP answers to give the next messages instead; drop is how
    many of the next messages it keeps but hangs up on before it answers (the client cannot know they arrived)."""

    host: str
    port: int
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)
    drop: int = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        if self.refuse:
            return self.refuse.pop(0)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        if self.drop:
            self.drop -= 1
            server.transport.close()
        return "250 Message accepted for delivery"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key, valid for a day: (certificate, key) PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@contextmanager
def smtp_server(
    login: tuple[str, str] | None = None, tls: str = "none", certificate: tuple[Path, Path] | None = None
) -> Iterator[Inbox]:
    """The server; given login (username, password), it accepts mail only after that login (AUTH without TLS,
    as a relay on the same host may). tls "starttls" requires STARTTLS before mail, "ssl" speaks TLS from the
    first byte, both with certificate (self_signed's files)."""
    inbox = Inbox("127.0.0.1", free_port())
    options: dict[str, object] = {}
    if login is not None:

        def authenticator(server, session, envelope, mechanism, auth_data):
            accepted = (auth_data.login.decode(), auth_data.password.decode()) == login
            return AuthResult(success=accepted)

        options = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    if tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        options |= (
            dict(tls_context=context, require_starttls=True)
            if tls == "starttls"
            else dict(ssl_context=context)
        )
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass
class Hook:
    url: str
    posts: list[dict] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@contextmanager
def webhook_server() -> Iterator[Hook]:
    """Records every JSON post; answers the next of hook.statuses, else 200."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    hook = Hook(f"http://127.0.0.1:{server.server_address[1]}/hooks/team")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's hook name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = hook.statuses.pop(0) if hook.statuses else 200
            if status == 200:
                hook.posts.append(json.loads(body))
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
