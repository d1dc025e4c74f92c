"""Per-host politeness beyond Scrapy's defaults: robots.txt Crawl-delay, and backing off on errors.

Scrapy parses Crawl-delay (RobotParser.crawl_delay, 2.18+) but never applies it; these two
downloader middlewares keep each host's download slot at least that slow, and slow it further
while the host answers 429/503 or drops connections. Both work on the slot's `delay`, which is
what AutoThrottle adjusts too, so they re-assert their floor on every request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object

# Responses that mean "you are going too fast" rather than "this page is broken".
SLOW_DOWN_STATUSES = {429, 503}


def _slot_key(crawler: Crawler, request: Request) -> str:
    """The download slot a request goes through (set in meta only once it reaches the downloader)."""
    return request.meta.get("download_slot") or crawler.engine.downloader.get_slot_key(request)


def _slot(crawler: Crawler, request: Request):
    return crawler.engine.downloader.slots.get(_slot_key(crawler, request))


def _keep_at_least(crawler: Crawler, request: Request, delay: float):
    """Raise the request's download slot to at least `delay` (AutoThrottle may have lowered it);
    return the slot, None if it has none yet."""
    slot = _slot(crawler, request)
    if slot is not None and slot.delay < delay:
        slot.delay = delay
    return slot


class CrawlDelayMiddleware:
    """Honours robots.txt `Crawl-delay` for our user agent as the least delay per host."""

    def __init__(self, crawler: Crawler, user_agent: str) -> None:
        self.crawler = crawler
        self.user_agent = user_agent
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("GOVWATCH_CRAWL_DELAY_ENABLED", True):
            raise NotConfigured
        user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings["USER_AGENT"]
        middleware = cls(crawler, user_agent)
        crawler.signals.connect(middleware.robots_parsed, signal=signals.robots_parsed)
        return middleware

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if delay:
            host = urlparse_cached(request).hostname or ""
            self.delays[host] = float(delay)
            self.crawler.stats.max_value("govwatch/crawl_delay", float(delay))

    def process_request(self, request: Request) -> None:
        delay = self.delays.get(urlparse_cached(request).hostname or "")
        if delay:
            _keep_at_least(self.crawler, request, delay)


class BackoffMiddleware:
    """Multiplies a host's delay after 429/503 or a connection error; decays it on success."""

    def __init__(self, crawler: Crawler, factor: float, max_delay: float, base_delay: float,
                 host_errors: tuple[type[BaseException], ...] = (OSError,),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.crawler = crawler
        self.clock = clock
        self.factor = factor
        self.max_delay = max_delay
        self.base_delay = base_delay
        self.host_errors = host_errors
        self.backoff: dict[str, float] = {}  # slot key → extra delay currently imposed
        self.jitter: dict[str, float] = {}  # slot key → its random spread, while a Retry-After holds
        self.held_until: dict[str, float] = {}  # slot key → monotonic time its Retry-After ends

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        factor = crawler.settings.getfloat("GOVWATCH_BACKOFF_FACTOR", 2.0)
        if factor <= 1.0:
            raise NotConfigured
        # What says the host is struggling: the network errors Scrapy retries (RETRY_EXCEPTIONS:
        # refused, reset, timed out, DNS). Not an IgnoreRequest: a URL robots.txt forbids, or one
        # our scope refuses, never reached the host, and backing off on each made a crawl whose
        # list shows a few disallowed links wait up to backoff_max_delay between all its pages.
        errors = tuple(load_object(path) for path in crawler.settings.getlist("RETRY_EXCEPTIONS"))
        return cls(crawler, factor, crawler.settings.getfloat("GOVWATCH_BACKOFF_MAX_DELAY", 60.0),
                   crawler.settings.getfloat("DOWNLOAD_DELAY", 0.0), errors)

    def process_request(self, request: Request) -> None:
        floor = self.backoff.get(_slot_key(self.crawler, request))
        if floor:
            _keep_at_least(self.crawler, request, floor)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in SLOW_DOWN_STATUSES:
            retry_after = _retry_after(response)
            self._slow_down(request, retry_after)
        else:
            self._recover(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, self.host_errors) and not isinstance(exception, IgnoreRequest):
            self._slow_down(request)

    def _slow_down(self, request: Request, at_least: float | None = None) -> None:
        """Raise the host's delay; a Retry-After (capped at backoff_max_delay) is a floor.

        Scrapy's RetryMiddleware does not read Retry-After; the retried request goes through
        this host's slot, so raising the slot's delay is what makes it wait. The slot's
        random spread (jitter, ±50 %) is switched off meanwhile, so the wait is never shorter.
        """
        key = _slot_key(self.crawler, request)
        current = self.backoff.get(key) or max(self.base_delay, 0.5)
        delay = min(max(current * self.factor, at_least or 0), self.max_delay)
        self.backoff[key] = delay
        slot = _keep_at_least(self.crawler, request, delay)
        if slot is not None and at_least and getattr(slot, "jitter", 0):
            self.jitter.setdefault(key, slot.jitter)
            slot.jitter = 0.0
        self.crawler.stats.inc_value("govwatch/backoff")
        self.crawler.stats.max_value("govwatch/backoff_delay", delay)
        if at_least:
            held = self.clock() + min(at_least, self.max_delay)
            self.held_until[key] = max(self.held_until.get(key, 0.0), held)
            self.crawler.stats.max_value("govwatch/retry_after", min(at_least, self.max_delay))

    def _recover(self, request: Request) -> None:
        """Lower the host's delay a step after a success, unless a Retry-After still holds: a host
        that asked one URL to wait 120 s answering another URL well does not shorten that wait.
        It did: the success halved the delay (and AutoThrottle, which sees the response first,
        lowered it too), and a retry queued after it came back early."""
        key = _slot_key(self.crawler, request)
        if self.held_until.get(key, 0.0) > self.clock():
            _keep_at_least(self.crawler, request, self.backoff[key])
            return
        self.held_until.pop(key, None)
        if key in self.backoff:
            lowered = self.backoff[key] / self.factor
            if lowered <= self.base_delay:
                del self.backoff[key]
                lowered = self.base_delay
            else:
                self.backoff[key] = lowered
            slot = _slot(self.crawler, request)
            if slot is not None:
                slot.delay = max(lowered, self.base_delay)
                if key not in self.backoff and key in self.jitter:
                    slot.jitter = self.jitter.pop(key)


def _retry_after(response: Response) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    value = (response.headers.get("Retry-After") or b"").decode("latin-1").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
