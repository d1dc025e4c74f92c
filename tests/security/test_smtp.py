"""Issue 19 item 5: the SMTP password reaches only a verified server.

A real aiosmtpd with a self-signed certificate (made here with `cryptography`) stands for a
server in the middle: over `ssl` and `starttls` govwatch must refuse it (and never log in)
unless its certificate is trusted through `ca_file`; over `security: none` a username is
refused unless the server is this machine."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from monitor.config import ConfigError
from monitor.digest.delivery import DeliveryError, EmailReporter
from monitor.digest.subscriptions import SmtpSettings, load_subscriptions
from tests.monitor.digest_history import write_config, write_history
from tests.monitor.test_digest_delivery import Collector, free_port, send

PASSWORD_ENV = "GOVWATCH_TEST_SMTP_PASSWORD"
PASSWORD = "s3cret-do-not-leak"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key: what an attacker's server would present."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Eavesdropper(Collector):
    """Keeps the envelopes and every login it is given (what a hostile server would capture)."""

    def __init__(self) -> None:
        super().__init__()
        self.logins: list[tuple[bytes, bytes]] = []

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)


@pytest.fixture
def certificate(tmp_path):
    return self_signed(tmp_path)


@pytest.fixture
def tls_server(certificate, request):
    """aiosmtpd over implicit TLS (`ssl`) or with STARTTLS required (`starttls`)."""
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Eavesdropper()
    mode = request.param
    options = {"ssl_context": context} if mode == "ssl" else {"tls_context": context, "require_starttls": True}
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), authenticator=handler.authenticate,
                            auth_require_tls=False, **options)
    controller.start()
    yield mode, controller.port, handler
    controller.stop()


def configure(tmp_path, **smtp):
    path = write_config(tmp_path / "subscriptions.yaml",
                        smtp={"host": "127.0.0.1", "timeout_s": 5, "username": "govwatch", "password_env": PASSWORD_ENV,
                              **smtp},
                        subscriptions=[{"name": "rural", "title": "乡村振兴", "recipients": ["duty@example.org"],
                                        "formats": ["html", "markdown"], "channels": ["email"]}])
    return load_subscriptions(path)


@pytest.mark.parametrize("tls_server", ["ssl", "starttls"], indirect=True)
def test_self_signed_server_gets_no_password(tls_server, tmp_path, monkeypatch):
    mode, port, server = tls_server
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    [result] = send(write_history(tmp_path / "govwatch.db"), configure(tmp_path, port=port, security=mode))
    assert result.status == "failed" and "CERTIFICATE_VERIFY_FAILED" in result.detail
    assert server.logins == [] and server.envelopes == []


@pytest.mark.parametrize("tls_server", ["ssl", "starttls"], indirect=True)
def test_a_private_ca_is_trusted_when_configured(tls_server, certificate, tmp_path, monkeypatch):
    mode, port, server = tls_server
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    settings = configure(tmp_path, port=port, security=mode, ca_file=str(certificate[0]))
    [result] = send(write_history(tmp_path / "govwatch.db"), settings)
    assert result.status == "sent", result.detail
    assert server.logins == [(b"govwatch", PASSWORD.encode())] and len(server.envelopes) == 1


def test_clear_text_login_is_refused_unless_loopback(tmp_path):
    with pytest.raises(ConfigError, match="in clear"):
        configure(tmp_path, host="smtp.example.org", port=25, security="none")
    assert configure(tmp_path, host="localhost", port=25, security="none").smtp.username == "govwatch"
    # and at send time, for settings that did not come through the file
    settings = configure(tmp_path, port=25, security="none")
    settings.smtp = SmtpSettings.model_construct(**{**settings.smtp.model_dump(), "host": "203.0.113.5"})
    with pytest.raises(DeliveryError, match="in clear"):
        EmailReporter("email", settings).send(None)


@pytest.mark.parametrize("tls_server", ["starttls"], indirect=True)
def test_a_password_with_chinese_characters_logs_in(tls_server, certificate, tmp_path, monkeypatch):
    """smtplib's login encodes the credentials as ASCII (UnicodeEncodeError on 密码); AUTH PLAIN
    carries UTF-8 (RFC 4616), and mail providers accept such passwords."""
    mode, port, server = tls_server
    password = "乡村振兴-密码-2026"
    monkeypatch.setenv(PASSWORD_ENV, password)
    settings = configure(tmp_path, port=port, security=mode, ca_file=str(certificate[0]), username="值班员@example.org")
    [result] = send(write_history(tmp_path / "govwatch.db"), settings)
    assert result.status == "sent", result.detail
    assert server.logins == [("值班员@example.org".encode(), password.encode())] and len(server.envelopes) == 1
