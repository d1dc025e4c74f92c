"""Reading and validating `sources.yaml`, once, at the edge.

Every problem is reported as one `ConfigError` whose message names the file, the source
and the field, so an operator can fix the line without reading a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler.recheck import parse_duration
from monitor.locations import DEFAULT_DEMO_URL
from monitor.schedules import DEFAULT_TIMEZONE, parse_schedule
from storage.defaults import DEFAULT_CONFIRM_CHECKS
from storage.source_names import SOURCE_NAME_PATTERN

# TRS (拓尔思) sites, the most common CMS of Chinese government portals, name articles
# t<YYYYMMDD>_<id>.html under /YYYY/MM/ or /YYYYMM/; newspapers use content_<id>.htm.
# Written so that no input can make them backtrack (issue 19): possessive quantifiers, and
# the "3 digits somewhere in the last segment" test as a lookahead that stops at the first
# run, so each start position costs one pass. The old `[\w/-]*\d{3,}[\w-]*` tried every
# split of a long digit run: 22.8 s of CPU for a 12 KB list page of crafted links.
DEFAULT_ARTICLE_PATTERN = (
    r"/t\d{8}_\d++\.s?html?$"
    r"|/content_\d++\.s?html?$"
    r"|/\d{8}_\d++\.s?html?$"
    r"|/(?:art|article|news|detail)/(?:[\w-]*+/)*+(?=[\w-]*?\d{3})[\w-]*+\.s?html?$"
)
DEFAULT_LIST_PATTERN = r"/index_\d+\.s?html?$|/list_\d+\.s?html?$|/node_\d+\.s?html?$|[?&]page=\d+"


_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")
_DOMAIN = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")


class ConfigError(ValueError):
    """A configuration problem, described for the person who edits the file."""


class Politeness(BaseModel):
    """How hard we may hit a site. Real sites get AutoThrottle; the local demo need not."""

    model_config = ConfigDict(extra="forbid")
    autothrottle: bool = True
    download_delay: float = Field(default=1.0, ge=0)
    concurrent_requests: int = Field(default=4, ge=1, le=64)
    download_timeout: float = Field(default=30, gt=0, le=600)
    obey_robots: bool = True
    # robots.txt `Crawl-delay` becomes the least delay between requests to that host.
    honour_crawl_delay: bool = True
    # After a 429/503 or a connection error, the delay for that host is multiplied by this,
    # up to backoff_max_delay seconds; successes bring it back down step by step.
    backoff_factor: float = Field(default=2.0, ge=1.0, le=10.0)
    backoff_max_delay: float = Field(default=60.0, ge=0)


class Recheck(BaseModel):
    """How often known pages are fetched again (durations: "0", "30m", "6h", "7d").

    An article is re-checked every `recent_every` while it is younger than `recent_days` (by
    its published date or when we first saw it, whichever is later), every `middle_every`
    until `middle_days`, then every `old_every`. A list page that keeps showing nothing new is
    visited at intervals doubling from `list_min_every` to `list_max_every`; start URLs always.
    An attachment whose link answered 404 or 410 is asked for again at intervals doubling from
    `dead_file_min_every` to `dead_file_max_every` (crawler/recheck.py).
    """

    model_config = ConfigDict(extra="forbid")
    recent_days: float = Field(default=7, ge=0)
    recent_every: str = "0"
    middle_days: float = Field(default=60, ge=0)
    middle_every: str = "1d"
    old_every: str = "7d"
    list_min_every: str = "6h"
    list_max_every: str = "7d"
    dead_file_min_every: str = "1d"
    dead_file_max_every: str = "30d"

    @field_validator("recent_every", "middle_every", "old_every", "list_min_every", "list_max_every",
                     "dead_file_min_every", "dead_file_max_every")
    @classmethod
    def _duration_parses(cls, spec: str) -> str:
        parse_duration(spec)  # raises ValueError naming the accepted forms
        return spec


class SourceConfig(BaseModel):
    """One site (or one section of a site) to crawl; every field is documented in the README."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=rf"^{SOURCE_NAME_PATTERN}$", max_length=64)
    title: str | None = None
    kind: Literal["gov", "paper", "news", "mirror", "generic"] = "generic"
    start_urls: list[str] = Field(min_length=1)
    allowed_domains: list[str] = Field(default_factory=list)
    allow_paths: list[str] = Field(default_factory=list)
    # Overrides of the list detector (crawler/listing), which finds the articles without them:
    # only links matching the pattern (inside the XPath) are articles. DEFAULT_ARTICLE_PATTERN
    # above (TRS and e-paper URL shapes) is no longer the default, only a ready-made opt-in.
    article_pattern: str | None = None
    article_xpath: str | None = None
    list_pattern: str = DEFAULT_LIST_PATTERN
    max_list_pages: int = Field(default=10, ge=1, le=100_000)  # a first crawl of a whole archive may need thousands
    schedule: str = "every 6h"
    timezone: str = DEFAULT_TIMEZONE
    enabled: bool = True
    time_limit_s: int = Field(default=1800, ge=10)
    politeness: Politeness = Field(default_factory=Politeness)
    recheck: Recheck = Field(default_factory=Recheck)
    # Regexes removed from an article's text before it is stored and compared, for noise the
    # extractor keeps (a "本文已被浏览 N 次" line, a date stamp inside the body).
    ignore_patterns: list[str] = Field(default_factory=list)
    # Checks in a row (each in its own crawl) that must find an article gone (404/410, an error
    # page, a redirect away) before it is reported withdrawn: sites answer 404 for a while
    # during maintenance or while their CMS republishes. 1 reports it at the first sighting.
    confirm_withdrawal_checks: int = Field(default=DEFAULT_CONFIRM_CHECKS, ge=1, le=10)
    notes: str | None = None

    @field_validator("start_urls")
    @classmethod
    def _urls_are_http(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if _CONTROL_OR_SPACE.search(url):
                # a browser or Scrapy would strip or encode these; the URL fetched would not be the one written
                raise ValueError(f"{url!r} holds a space, newline or control character; write the URL on one line")
            if not re.match(r"^https?://[^/\s]+", url):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return urls

    @field_validator("allowed_domains")
    @classmethod
    def _domains_are_hosts(cls, domains: list[str]) -> list[str]:
        for domain in domains:
            # "" would match every host through the subdomain rule (host.endswith("." + ""))
            if not isinstance(domain, str) or not _DOMAIN.fullmatch(domain):
                raise ValueError(f"{domain!r} is not a host name; write one such as www.gov.cn (no scheme, port or path)")
        return domains

    @field_validator("article_pattern", "list_pattern")
    @classmethod
    def _regex_compiles(cls, pattern: str | None) -> str | None:
        if pattern is None:  # article_pattern not set: the list detector finds the articles
            return pattern
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return pattern

    @field_validator("ignore_patterns")
    @classmethod
    def _regexes_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from None
        return patterns

    @field_validator("schedule")
    @classmethod
    def _schedule_parses(cls, spec: str) -> str:
        parse_schedule(spec)  # raises ValueError with the reason
        return spec

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        return check_timezone(name)

    def resolved_domains(self) -> list[str]:
        """allowed_domains, or the hosts of the start URLs when none are given."""
        if self.allowed_domains:
            return self.allowed_domains
        return sorted({re.sub(r"^https?://([^/:]+).*$", r"\1", u) for u in self.start_urls})


def load_sources(path: str | Path, *, demo_url: str = DEFAULT_DEMO_URL) -> list[SourceConfig]:
    """Read and validate the sources file; `{demo}` in URLs is the local demo site's address."""
    document = read_yaml_mapping(path, "sources", "at the top")
    defaults = document.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError(f"{path}: 'defaults' must be a mapping")

    def build(entry: dict[str, Any], where: str) -> SourceConfig:
        merged = {**defaults, **entry}
        for block in ("politeness", "recheck"):
            if isinstance(merged.get(block), dict) and isinstance(defaults.get(block), dict):
                merged[block] = {**defaults[block], **entry.get(block, {})}
        if isinstance(merged.get("start_urls"), str):
            raise ConfigError(f"{where}: field 'start_urls': expected a list of URLs, "
                              f"such as [\"{merged['start_urls']}\"]")
        merged["start_urls"] = [_expand(u, demo_url) for u in merged.get("start_urls") or []]
        return SourceConfig.model_validate(merged)

    return validated_list(path, document["sources"], "source", build)


def read_yaml_mapping(path: str | Path, list_key: str, where: str = "", *, required: bool = True) -> dict[str, Any]:
    """The YAML file at `path` as a mapping holding a `list_key:` list (which may be left out
    when not `required`); ConfigError naming the file otherwise (missing, unreadable, not YAML,
    the wrong shape). The sources file and the subscriptions file are both read here."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get(list_key, None if required else []), list):
        raise ConfigError(f"{path}: expected a mapping with a '{list_key}:' list{' ' + where if where else ''}")
    return document


class _Named(Protocol):
    name: str


Named = TypeVar("Named", bound=_Named)


def validated_list(path: str | Path, entries: list[Any], kind: str, build: Callable[[dict[str, Any], str], Named],
                   describe: Callable[[ValidationError], str] | None = None) -> list[Named]:
    """Each entry of a config list built by `build(entry, where)`, with the error of the first bad
    one naming the file, the entry (by name, else position) and the field; names must be unique."""
    describe = describe or describe_validation_error
    built: list[Named] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        label = entry.get("name") if isinstance(entry, dict) else None
        where = f"{path}: {kind} {label!r}" if label else f"{path}: {kind} #{position}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a mapping of fields, got {type(entry).__name__}")
        try:
            item = build(entry, where)
        except ValidationError as exc:
            raise ConfigError(f"{where}: {describe(exc)}") from None
        if item.name in seen:
            raise ConfigError(f"{where}: field 'name': duplicate {kind} name {item.name!r}")
        seen.add(item.name)
        built.append(item)
    return built


def parse_source_snippet(text: str, *, origin: str = "snippet", demo_url: str = DEFAULT_DEMO_URL) -> SourceConfig:
    """Validate one source given as a YAML mapping (for `govwatch sources add`)."""
    try:
        entry = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from None
    if not isinstance(entry, dict):
        raise ConfigError(f"{origin}: expected a mapping of source fields")
    if isinstance(entry.get("start_urls"), str):
        raise ConfigError(f"{origin}: source {entry.get('name')!r}: field 'start_urls': expected a list of URLs, "
                          f"such as [\"{entry['start_urls']}\"]")
    entry["start_urls"] = [_expand(u, demo_url) for u in entry.get("start_urls") or []]
    try:
        return SourceConfig.model_validate(entry)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: source {entry.get('name')!r}: {describe_validation_error(exc)}") from None


def source_as_record(source: SourceConfig) -> dict[str, Any]:
    """The plain dict the store keeps (and the spider reads back)."""
    record = source.model_dump()
    record["allowed_domains"] = source.resolved_domains()
    return record


def _expand(url: Any, demo_url: str) -> Any:
    return url.replace("{demo}", demo_url.rstrip("/")) if isinstance(url, str) else url


def describe_validation_error(exc: ValidationError, spelling_reference: str = "the README") -> str:
    """pydantic's errors as one line an editor of the file can act on: field, then the reason."""
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown field (check its spelling against {spelling_reference})"
        parts.append(f"field {field!r}: {message}" if field else message)
    return "; ".join(parts)


def check_timezone(name: str) -> str:
    """An IANA time zone name, or a ValueError that says what is expected."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as {DEFAULT_TIMEZONE})") from None
    return name
