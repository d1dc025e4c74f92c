"""Scrapy's robots.txt middleware, with each host's rules read again once they are a day old.

Why: Scrapy keeps the parsed robots.txt of a host for the life of the crawler. A crawl process
of one source lives minutes, so that is right there; a distributed worker (crawler/distributed.py)
lives for months and would obey the robots.txt it read on its first day forever: a site that
later disallows a path, or asks for a Crawl-delay, would never be heard. RFC 9309 §2.4: a
crawler SHOULD NOT use a cached robots.txt for more than 24 hours. A host whose robots.txt could
not be fetched (Scrapy then allows everything) is asked again after the same time.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

MAX_AGE_S = 24 * 3600.0


class ExpiringRobotsTxtMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware whose per-host rules expire after GOVWATCH_ROBOTSTXT_MAX_AGE_S."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_age_s = crawler.settings.getfloat("GOVWATCH_ROBOTSTXT_MAX_AGE_S", MAX_AGE_S)
        self.asked_at: dict[str, float] = {}  # host (netloc) → when its robots.txt was asked for

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        now = time.monotonic()
        held = self._parsers.get(netloc)
        if netloc in self._parsers and not isinstance(held, Deferred) and \
                now - self.asked_at.get(netloc, now) >= self.max_age_s:
            del self._parsers[netloc]  # Scrapy's own path asks for it again
            self.crawler.stats.inc_value("govwatch/robotstxt_expired")
        if netloc not in self._parsers:
            self.asked_at[netloc] = now
        return await super().robot_parser(request)
