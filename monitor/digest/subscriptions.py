"""Reading and validating `subscriptions.yaml`, once, at the edge.

Who receives which digest, filtered how, delivered where; plus the SMTP server, the sender
and the Datasette address the digest links to. Every problem is one `ConfigError` naming
the file, the subscription and the field, like `monitor.config` does for sources.

Keywords are matched as substrings of the NFKC-normalised, case-folded title and text
(see `monitor.digest.keywords`): Chinese has no spaces between words, so a word list
cannot be matched on word boundaries.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from monitor.config import ConfigError, check_timezone, describe_validation_error, read_yaml_mapping, validated_list
from monitor.digest.channels import check_channel
from monitor.schedules import DEFAULT_TIMEZONE

FORMATS = ("html", "markdown", "atom")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


class SmtpSettings(BaseModel):
    """The mail server. The password is never in the file: `password_env` names the variable holding it.

    `ssl` and `starttls` verify the server's certificate against the system's CAs; a server with a
    certificate from a private CA needs `ca_file: /path/to/ca.pem` (that CA is then trusted instead).
    A username (so a password) is refused over `security: none` unless the host is this machine.
    """

    model_config = ConfigDict(extra="forbid")
    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "none"
    username: str | None = None
    password_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    timeout_s: float = Field(default=30, gt=0)
    ca_file: str | None = None

    @model_validator(mode="after")
    def _no_password_in_clear(self) -> SmtpSettings:
        if self.username and self.security == "none" and not is_loopback(self.host):
            raise ValueError(f"a username (and so a password) would be sent in clear to {self.host}: "
                             "use 'security: starttls' or 'ssl'")
        return self

    @model_validator(mode="before")
    @classmethod
    def _no_password_in_file(cls, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            raise ValueError("'password' must not be written in the file: put it in an environment variable "
                             "and name that variable in 'password_env'")
        return data


def is_loopback(host: str) -> bool:
    """This machine: `localhost` or a loopback address (the only place a clear-text login stays)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class RetrySettings(BaseModel):
    """How hard to try a failing channel: `attempts` per run, waiting backoff_s, 2×, 4×… between them."""

    model_config = ConfigDict(extra="forbid")
    attempts: int = Field(default=3, ge=1, le=10)
    backoff_s: float = Field(default=5.0, ge=0, le=600)
    max_total_attempts: int = Field(default=20, ge=1)  # over all runs; then a person has to look
    retry_days: int = Field(default=7, ge=0, le=90)  # failed days this far back are retried by the daily job


class Keywords(BaseModel):
    """An item is kept if it contains any `include` word (or there are none) and no `exclude` word."""

    model_config = ConfigDict(extra="forbid")
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)

    @field_validator("include", "exclude")
    @classmethod
    def _no_blank_words(cls, words: list[str]) -> list[str]:
        if any(not str(w).strip() for w in words):
            raise ValueError("keywords must not be empty strings")
        return [str(w).strip() for w in words]


class Subscription(BaseModel):
    """One digest: its readers, what it follows, and where it goes."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    title: str | None = None
    recipients: list[str] = Field(default_factory=list)
    sources: Literal["all"] | list[str] = "all"
    keywords: Keywords = Field(default_factory=Keywords)
    formats: list[Literal["html", "markdown", "atom"]] = Field(default_factory=lambda: ["html", "markdown"])
    channels: list[str] = Field(default_factory=list)

    @field_validator("recipients")
    @classmethod
    def _addresses(cls, recipients: list[str]) -> list[str]:
        for address in recipients:
            if not _EMAIL.match(address):
                raise ValueError(f"{address!r} is not an email address (write the bare address: name@example.org)")
        return recipients

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, channels: list[str]) -> list[str]:
        for channel in channels:
            check_channel(channel)  # raises ValueError naming the problem
        return channels

    @model_validator(mode="after")
    def _email_needs_recipients(self) -> Subscription:
        if "email" in self.channels and not self.recipients:
            raise ValueError("channel 'email' needs at least one address in 'recipients'")
        return self

    def follows(self, source: str) -> bool:
        return self.sources == "all" or source in self.sources


class DigestSettings(BaseModel):
    """The whole `subscriptions.yaml`."""

    model_config = ConfigDict(extra="forbid")
    datasette_url: str = "http://127.0.0.1:8001/govwatch"  # the database's page; its site serves /-/article/ID
    # Where the file drop is published on the web (optional): chat messages link to
    # <digest_url>/<subscription>/<day>.html, and feed readers follow <subscription>/latest.atom.
    digest_url: str | None = None
    timezone: str = DEFAULT_TIMEZONE  # a digest day runs 00:00–24:00 here
    digest_time: str = Field(default="07:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    sender: str = "govwatch <govwatch@localhost>"
    tag_authority: str = Field(default="govwatch", pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*$")  # of Atom tag: ids
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    subscriptions: list[Subscription] = Field(default_factory=list)
    _base_dir: Path = PrivateAttr(default=Path("."))

    @field_validator("datasette_url", "digest_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        return check_timezone(name)

    @property
    def base_dir(self) -> Path:
        """The directory of the file: relative `file://` drops are resolved against it."""
        return self._base_dir

    def subscription(self, name: str) -> Subscription:
        for subscription in self.subscriptions:
            if subscription.name == name:
                return subscription
        known = ", ".join(s.name for s in self.subscriptions) or "none"
        raise ConfigError(f"unknown subscription {name!r}; configured: {known}")


def load_subscriptions(path: str | Path) -> DigestSettings:
    """Read and validate the subscriptions file."""
    path = Path(path)
    document = read_yaml_mapping(path, "subscriptions", required=False)
    entries = document.pop("subscriptions", None) or []
    try:
        settings = DigestSettings.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from None
    settings.subscriptions += validated_list(path, entries, "subscription",
                                             lambda entry, _where: Subscription.model_validate(entry), _describe)
    settings._base_dir = path.resolve().parent
    return settings


def check_sources_exist(settings: DigestSettings, known: set[str], path: str | Path) -> None:
    """Refuse subscriptions that follow a source the database has never heard of (a typo, usually)."""
    for subscription in settings.subscriptions:
        if subscription.sources == "all":
            continue
        unknown = [s for s in subscription.sources if s not in known]
        if unknown:
            raise ConfigError(f"{path}: subscription {subscription.name!r}: field 'sources': unknown source(s) "
                              f"{', '.join(unknown)}; known: {', '.join(sorted(known)) or 'none'}")


def _describe(exc: ValidationError) -> str:
    return describe_validation_error(exc, "the example subscriptions.yaml")
