"""Scrapy's robots.txt middleware, with each host's rules kept across crawls for a day, and read
again once a day old.

Why, both ways (RFC 9309 §2.4: a crawler SHOULD NOT use a cached robots.txt for more than 24
hours, and may use it that long):

- Scrapy keeps the parsed robots.txt of a host for the life of the crawler. A distributed worker
  (crawler/distributed.py) lives for months and would obey the robots.txt it read on its first
  day forever: a site that later disallows a path, or asks for a Crawl-delay, would never be
  heard. So rules older than GOVWATCH_ROBOTSTXT_MAX_AGE_S are asked for again.
- A crawl of one source lives seconds to minutes, and there is one per source per schedule: each
  asked every host for robots.txt again, one request per crawl for the site and ~2 % of an
  unchanged re-check's CPU. So each robots.txt fetched is stored (storage/robots_txt.py, sent to
  the StoragePipeline as an outcome, crawler.signals.outcome_noted) and a later crawl whose spider
  found it there, younger than the same max age (`stored_robots_txt`), parses that instead.

What is kept is what a crawler may reuse: the rules of a 2xx, and "no rules" for a 4xx (RFC 9309
§2.3.1.3: everything allowed; its error page is not kept). A 5xx or a failed fetch is not kept,
so the next crawl asks again. Meanwhile the crawl obeys the rules last stored, if they are less
than UNREACHABLE_KEEP_S old (RFC 9309 §2.4 allows a cached copy for about 30 days): Scrapy alone
reads a 5xx's error page as the rules and a failed fetch as "allow everything", so a site whose
robots.txt is down for a day had every path it disallows crawled. With nothing stored, that stays
Scrapy's behaviour (RFC 9309 says to assume "disallow all", but government WAFs answer odd
statuses on /robots.txt often enough that a source would yield nothing).
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler.signals import outcome_noted
from storage.outcomes import RobotsTxtFetched
from storage.robots_txt import MAX_BODY_BYTES, UNREACHABLE_KEEP_S, StoredRobotsTxt, keepable
from storage.transactions import utc_now

MAX_AGE_S = 24 * 3600.0


class ExpiringRobotsTxtMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware whose per-host rules expire after GOVWATCH_ROBOTSTXT_MAX_AGE_S, and
    which reuses the spider's `stored_robots_txt` instead of asking while they are younger."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_age_s = crawler.settings.getfloat("GOVWATCH_ROBOTSTXT_MAX_AGE_S", MAX_AGE_S)
        self.asked_at: dict[str, float] = {}  # host (netloc) → when the rules in use were fetched (monotonic)
        # host → the last rules it served (stored by an earlier crawl, or fetched by this one),
        # obeyed while asking again fails
        self.last_served: dict[str, StoredRobotsTxt] = {}

    async def robot_parser(self, request: Request) -> Any:
        url = urlparse_cached(request)
        netloc = url.netloc
        now = time.monotonic()
        held = self._parsers.get(netloc)
        if isinstance(held, Deferred):  # being fetched: wait for it without taking it from the others
            return await self.wait_for(held)
        if netloc in self._parsers and now - self.asked_at.get(netloc, now) >= self.max_age_s:
            del self._parsers[netloc]  # Scrapy's own path asks for it again
            self.crawler.stats.inc_value("govwatch/robotstxt_expired")
        if netloc not in self._parsers:
            stored = self.stored_rules(f"{url.scheme}://{netloc}", netloc)
            if stored is not None:
                self.asked_at[netloc] = now - max(0.0, stored.age_s())
                self._stats.inc_value("govwatch/robotstxt_reused")
                return self.install(netloc, stored.body, request)
            self.asked_at[netloc] = now
        return await super().robot_parser(request)

    @staticmethod
    async def wait_for(fetching: Deferred) -> Any:
        """The parser a robots.txt being fetched will give, for one more waiting request.

        Why not Scrapy's `await maybe_deferred_to_future(fetching)`: under the asyncio reactor that
        is Deferred.asFuture, whose callback returns None down the Deferred's chain, so only the
        first request waiting for a host's robots.txt got the parser and every other got None,
        "no robots.txt": they were all allowed. A source's other start pages on the same host went
        out unchecked so, and so did every request made while an expired robots.txt was fetched
        again (a long-lived worker, every day). Each waiter gets a Deferred of its own, and the
        result is passed on down the chain.
        """
        mine: Deferred = Deferred()

        def pass_on(parser: Any) -> Any:
            mine.callback(parser)
            return parser

        fetching.addCallback(pass_on)
        return await maybe_deferred_to_future(mine)

    def stored_rules(self, origin: str, netloc: str) -> StoredRobotsTxt | None:
        """The origin's robots.txt an earlier crawl stored, if still young enough (used once: when
        it expires during this crawl, the host is asked). Older, it is what the host last served."""
        stored = getattr(self.crawler.spider, "stored_robots_txt", None) or {}
        held = stored.pop(origin, None)
        if held is None:
            return None
        self.last_served[netloc] = held
        return held if held.age_s() < self.max_age_s else None

    def fallback(self, netloc: str) -> StoredRobotsTxt | None:
        """The rules `netloc` last served, if young enough to obey while it fails to serve them."""
        known = self.last_served.get(netloc)
        return known if known is not None and known.age_s() < UNREACHABLE_KEEP_S else None

    def install(self, netloc: str, body: bytes, request: Request) -> Any:
        """`netloc`'s rules from a body we hold (stored, or last served), parsed as Scrapy parses a
        fetched one, robots_parsed's listeners (the Crawl-delay among them) told, without a request.
        Synchronous, so no other request sees the host half set up; a Deferred that requests are
        waiting on gets the parser too."""
        parser = build_from_crawler(self._parserimpl, self.crawler, body)
        self.crawler.signals.send_catch_log(signal=signals.robots_parsed, robotparser=parser, request=request)
        waiting = self._parsers.get(netloc)
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)
        return parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        fallback = self.fallback(netloc)
        if response.status >= 500 and fallback is not None:  # not its error page: the rules we know
            self._stats.inc_value("govwatch/robotstxt_unreachable_stored_used")
            response = response.replace(body=fallback.body)
        await super()._parse_robots(response, netloc, request)
        if keepable(response.status):
            url = urlparse_cached(request)
            body = response.body[:MAX_BODY_BYTES] if response.status < 300 else b""
            served = StoredRobotsTxt(f"{url.scheme}://{netloc}", response.status, body, utc_now())
            self.last_served[netloc] = served
            outcome = RobotsTxtFetched(served.origin, getattr(self.crawler.spider, "source_name", ""),
                                       served.http_status, served.fetched_at, served.body)
            self.crawler.signals.send_catch_log(signal=outcome_noted, outcome=outcome)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        """A failed fetch (after its retries): the stored rules if there are any, else Scrapy's
        "allow everything"."""
        fallback = self.fallback(netloc)
        waiting = self._parsers.get(netloc)
        if fallback is None or not isinstance(waiting, Deferred):
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value("govwatch/robotstxt_unreachable_stored_used")
        self.install(netloc, fallback.body, Request(f"{fallback.origin}/robots.txt"))
