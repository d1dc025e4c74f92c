"""Sending a rendered digest: one `Reporter` kind per channel, and the idempotent send loop.

A subscription's `channels` are strings: `email` (SMTP to its recipients), `file://DIR`
(write each of its formats under DIR/<subscription>/; a relative DIR is read from the
subscriptions file's folder) or any other URL Apprise understands (`wecombot://…`,
`dingtalk://…`, `feishu://…`, `json://host:port/path`, …). `${NAME}` in a channel is
replaced by the environment variable NAME when sending, so tokens stay out of the file.

Every send is logged in `digest_deliveries` under a channel key that holds no secret (the
database is published with Datasette). A (subscription, period, channel) already "sent" is
skipped unless forced; a failing channel is tried `retry.attempts` times with doubling
waits, then left "failed" with its error — the next run tries it again.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import ClassVar

import sqlite_utils

from monitor.digest.channels import ENV_REFERENCE, channel_kind
from monitor.digest.chat import chat_message, limit_for
from monitor.digest.contents import Digest
from monitor.digest.registry import Registered
from monitor.digest.renderers import Renderer, render
from monitor.digest.subscriptions import DigestSettings, is_loopback
from storage.digest_queries import delivery, record_delivery_attempt

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """A channel refused or could not take the digest; the message is kept in `digest_deliveries`."""


class RenderedDigest:
    """A digest and its documents, each format rendered once however many channels want it."""

    def __init__(self, digest: Digest) -> None:
        self.digest = digest
        self._documents: dict[str, str] = {}

    def __getitem__(self, kind: str) -> str:
        if kind not in self._documents:
            self._documents[kind] = render(kind, self.digest)
        return self._documents[kind]


class Reporter(Registered):
    """A delivery channel of one kind (monitor/digest/channels.py says which channel strings are
    which kind); `key` names it without secrets."""

    __kinds__: ClassVar[dict[str, type[Reporter]]] = {}

    def __init__(self, channel: str, settings: DigestSettings) -> None:
        self.channel, self.settings = channel, settings

    @classmethod
    def accepts(cls, channel: str) -> bool:
        try:
            return channel_kind(channel) == cls.__kind__
        except ValueError:
            return False

    @property
    def key(self) -> str:
        return self.__kind__ or "?"

    def send(self, rendered: RenderedDigest) -> str:
        """Deliver, or raise; return where it went, for the log."""
        raise NotImplementedError


class EmailReporter(Reporter):
    """Mail to the subscription's recipients: multipart/alternative, text/markdown then HTML, UTF-8 subject."""

    __kind__ = "email"

    def send(self, rendered: RenderedDigest) -> str:
        smtp = self.settings.smtp
        if smtp.username and smtp.security == "none" and not is_loopback(smtp.host):
            raise DeliveryError(f"refusing to send the SMTP password in clear to {smtp.host} (security: none)")
        digest = rendered.digest
        message = EmailMessage()
        message["Subject"], message["From"] = digest.subject, self.settings.sender
        message["To"] = ", ".join(digest.subscription.recipients)
        message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain="govwatch")
        message.set_content(rendered["markdown"], subtype="markdown", charset="utf-8")
        message.add_alternative(rendered["html"], subtype="html", charset="utf-8")
        context = ssl.create_default_context(cafile=smtp.ca_file)  # verifies the certificate and host name
        if smtp.security == "ssl":
            connection = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_s, context=context)
        else:
            connection = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
        with connection as server:
            if smtp.security == "starttls":
                server.starttls(context=context)  # a server without STARTTLS fails here, never downgrades
            if smtp.username:
                _login(server, smtp.username, _secret(smtp.password_env))
            server.send_message(message, from_addr=parseaddr(self.settings.sender)[1],
                                to_addrs=digest.subscription.recipients)
        return f"smtp://{smtp.host}:{smtp.port} → {', '.join(digest.subscription.recipients)}"


class AppriseReporter(Reporter):
    """A chat or webhook channel through Apprise: a summary within the channel's size cap (monitor.digest.chat)."""

    __kind__ = "apprise"

    @property
    def key(self) -> str:  # the URL holds tokens: keep its scheme and a hash
        scheme = self.channel.split("://", 1)[0]
        return f"apprise:{scheme}:{hashlib.sha256(self.channel.encode()).hexdigest()[:12]}"

    def send(self, rendered: RenderedDigest) -> str:
        import apprise

        notifier = apprise.Apprise()
        if not notifier.add(_expand(self.channel)):
            raise DeliveryError(f"Apprise does not understand the channel URL ({self.key})")
        # A short summary that fits the channel's cap, with the link to the whole digest; the
        # title goes in the body (WeCom has no title field and Apprise would prepend it unmeasured).
        body = chat_message(rendered.digest, limit_for(self.channel))
        if not notifier.notify(title="", body=body, body_format=apprise.NotifyFormat.MARKDOWN):
            raise DeliveryError(f"Apprise could not deliver to {self.key} (see the log for the service's answer)")
        return self.key


class FileReporter(Reporter):
    """A file drop: each format the subscription receives, as DIR/<subscription>/<day>.<ext>."""

    __kind__ = "file"

    @property
    def key(self) -> str:
        return f"file:{self.channel.removeprefix('file://')}"

    def send(self, rendered: RenderedDigest) -> str:
        folder = self.settings.base_dir / _expand(self.channel.removeprefix("file://"))
        paths = write_documents(rendered, folder)
        return ", ".join(str(p) for p in paths)


def write_documents(rendered: RenderedDigest, folder: Path) -> list[Path]:
    """Write the subscription's formats under folder/<subscription>/; return the paths.

    The newest day is also written as latest.<ext>, so a feed reader subscribes once to
    <subscription>/latest.atom instead of to a file name that changes every day.
    """
    digest = rendered.digest
    target = folder / digest.subscription.name
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in digest.subscription.formats:
        path = target / f"{digest.period.slug}.{Renderer.__kinds__[kind].extension}"
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(rendered[kind], encoding="utf-8")
        temporary.replace(path)  # readers never see half a file
        paths.append(path)
    if _newest(target, digest.period.end_iso):
        for kind in digest.subscription.formats:
            latest = target / f"latest.{Renderer.__kinds__[kind].extension}"
            temporary = latest.with_suffix(latest.suffix + ".tmp")
            temporary.write_text(rendered[kind], encoding="utf-8")
            temporary.replace(latest)  # a stable address: feed readers subscribe to latest.atom
            paths.append(latest)
        (target / LATEST_MARK).write_text(digest.period.end_iso, encoding="utf-8")
    return paths


LATEST_MARK = ".latest-end"  # the end (UTC ISO) of the period latest.* holds


def _newest(target: Path, end_iso: str) -> bool:
    """Whether a period ending at `end_iso` is at least as new as the one latest.* holds
    (re-writing an old day's digest must not turn latest.atom back in time)."""
    try:
        return end_iso >= (target / LATEST_MARK).read_text(encoding="utf-8").strip()
    except OSError:
        return True


def reporter_class(channel: str) -> type[Reporter]:
    """The reporter of the channel's kind; ValueError for a channel no reporter takes."""
    kind = channel_kind(channel)
    if kind not in Reporter.__kinds__:
        raise ValueError(f"no reporter for {kind} channels ({channel!r})")
    return Reporter.__kinds__[kind]


@dataclass
class DeliveryResult:
    subscription: str
    period: str
    channel: str
    status: str  # sent, skipped, failed
    detail: str


def deliver(
    db: sqlite_utils.Database, rendered: RenderedDigest, settings: DigestSettings, *, force: bool = False,
    only: set[str] | None = None, sleep: Callable[[float], None] = time.sleep,
) -> list[DeliveryResult]:
    """Send through each of the subscription's channels (or those whose key is in `only`), once."""
    digest = rendered.digest
    name, period = digest.subscription.name, digest.period.key
    results = []
    for channel in digest.subscription.channels:
        reporter = reporter_class(channel)(channel, settings)
        if only is not None and reporter.key not in only:
            continue
        previous = delivery(db, name, period, reporter.key)
        if previous and previous["status"] == "sent" and not force:
            results.append(DeliveryResult(name, period, reporter.key, "skipped", f"already sent {previous['sent_at']}"))
            continue
        results.append(_send_with_retries(db, reporter, rendered, settings, sleep))
    return results


def _send_with_retries(db: sqlite_utils.Database, reporter: Reporter, rendered: RenderedDigest,
                       settings: DigestSettings, sleep: Callable[[float], None]) -> DeliveryResult:
    name, period = rendered.digest.subscription.name, rendered.digest.period.key
    error = ""
    for attempt in range(settings.retry.attempts):
        if attempt:
            sleep(settings.retry.backoff_s * 2 ** (attempt - 1))
        try:
            where = reporter.send(rendered)
        except Exception as exc:  # noqa: BLE001 — any failure is recorded, never lost; the next run retries it
            error = f"{type(exc).__name__}: {exc}"
            log.warning("digest %s %s via %s failed (try %d): %s", name, period, reporter.key, attempt + 1, error)
            record_delivery_attempt(db, name, period, reporter.key, ok=False, error=error)
            continue
        record_delivery_attempt(db, name, period, reporter.key, ok=True)
        return DeliveryResult(name, period, reporter.key, "sent", where)
    return DeliveryResult(name, period, reporter.key, "failed", error)


def _expand(text: str) -> str:
    return ENV_REFERENCE.sub(lambda m: _secret(m.group(1)), text)


def _login(server: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; with AUTH PLAIN in UTF-8 (RFC 4616) when the credentials are not ASCII.

    Why not always `server.login`: smtplib encodes every mechanism's answer as ASCII, so a
    password such as 值班-2026 failed with a UnicodeEncodeError before anything was sent. ASCII
    credentials keep smtplib's own choice of mechanism (CRAM-MD5 first, when offered).
    """
    if (username + password).isascii():
        server.login(username, password)
        return
    server.ehlo_or_helo_if_needed()
    offered = server.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" not in offered:
        raise DeliveryError(f"the SMTP server offers no AUTH PLAIN ({' '.join(offered) or 'no AUTH'}), the only way "
                            "to send a user name or password that is not ASCII")
    token = base64.b64encode(b"\0" + username.encode("utf-8") + b"\0" + password.encode("utf-8")).decode("ascii")
    code, answer = server.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def _secret(variable: str | None) -> str:
    if not variable:
        raise DeliveryError("SMTP username is set but smtp.password_env is not")
    value = os.environ.get(variable)
    if value is None:
        raise DeliveryError(f"environment variable {variable} is not set")
    return value
