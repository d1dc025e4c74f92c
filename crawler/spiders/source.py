"""The one generic spider: a configured source's list pages → its article pages.

Everything site-specific (start URLs, which links are articles, how lists paginate, how
polite to be) comes from the source's row in the database, synced from sources.yaml.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import ArticleGone, ArticleNotModified, ArticlePage, FetchFailure
from storage import open_db
from storage.articles import known_article_urls
from storage.sources import get_source
from storage.transactions import utc_now

# Statuses an article callback wants to see rather than have filtered out.
ARTICLE_STATUSES = [304, 404, 410]


class SourceSpider(scrapy.Spider):
    """`scrapy crawl source -a source=NAME` (the source must be in the database)."""

    name = "source"

    def __init__(self, source: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not source:
            raise ValueError("the source spider needs a source name: scrapy crawl source -a source=NAME")
        self.source_name = source
        self.config: dict[str, Any] = {}
        self.requested_articles: set[str] = set()
        self.recheck_scheduled = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        db = open_db(crawler.settings["GOVWATCH_DB"])
        try:
            spider.configure(get_source(db, spider.source_name))
            spider.known_urls = known_article_urls(db, spider.source_name)
        finally:
            db.close()
        spider.apply_politeness(crawler)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    def configure(self, config: dict[str, Any]) -> None:
        self.config = config
        self.allowed_domains = list(config["allowed_domains"])
        self.allow_paths = tuple(config.get("allow_paths") or ())
        self.article_links = LinkExtractor(
            allow=config["article_pattern"],
            restrict_xpaths=config.get("article_xpath") or (),
            unique=True,
        )
        self.list_links = LinkExtractor(allow=config["list_pattern"], unique=True)
        self.article_re = re.compile(config["article_pattern"])

    def apply_politeness(self, crawler: Crawler) -> None:
        """Per-source throttling, set before the crawler freezes its settings."""
        polite = self.config.get("politeness") or {}
        overrides = {
            "AUTOTHROTTLE_ENABLED": polite.get("autothrottle", True),
            "DOWNLOAD_DELAY": polite.get("download_delay", 1.0),
            "CONCURRENT_REQUESTS_PER_DOMAIN": polite.get("concurrent_requests", 4),
            "ROBOTSTXT_OBEY": polite.get("obey_robots", True),
            "CLOSESPIDER_TIMEOUT": self.config.get("time_limit_s", 1800),
        }
        for key, value in overrides.items():
            crawler.settings.set(key, value, priority="spider")

    async def start(self) -> AsyncIterator[Any]:
        for url in self.config["start_urls"]:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.failed, cb_kwargs={"depth": 1})

    def in_scope(self, url: str) -> bool:
        """Inside the allowed domains (and path prefixes, if any).

        Checked here rather than with LinkExtractor(allow_domains=…), which compares the
        netloc and so never matches a host with a port, such as the local demo's.
        """
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            return False
        return not self.allow_paths or parts.path.startswith(self.allow_paths)

    def parse_list(self, response: Response, depth: int) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            yield FetchFailure(response.url, self.source_name, f"list page is not HTML ({_content_type(response)})")
            return
        for link in self.article_links.extract_links(response):
            if self.in_scope(link.url):
                yield self.article_request(link.url)
        if depth < self.config.get("max_list_pages", 10):
            for link in self.list_links.extract_links(response):
                if self.in_scope(link.url) and not self.article_re.search(link.url):
                    yield response.follow(link.url, callback=self.parse_list, errback=self.failed,
                                          cb_kwargs={"depth": depth + 1})

    def article_request(self, url: str) -> scrapy.Request:
        self.requested_articles.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.failed,
            meta={"handle_httpstatus_list": ARTICLE_STATUSES, "govwatch_article": True},
        )

    def parse_article(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            yield ArticleNotModified(response.url, self.source_name)
        elif response.status in (404, 410):
            yield ArticleGone(response.url, self.source_name, response.status)
        elif not isinstance(response, TextResponse):
            yield FetchFailure(response.url, self.source_name,
                               f"article is not HTML ({_content_type(response)})", response.status)
        else:
            yield ArticlePage(
                url=response.url,
                source=self.source_name,
                body=response.body,
                http_status=response.status,
                headers=_headers(response),
                encoding=response.encoding,
                fetched_at=utc_now(),
            )

    def on_idle(self) -> None:
        """Once the lists are done, re-check articles we hold that the lists no longer show.

        That is how a withdrawn article (gone from the list, 404 on its URL) is noticed.
        """
        if self.recheck_scheduled:
            return
        self.recheck_scheduled = True
        missing = [u for u in getattr(self, "known_urls", []) if u not in self.requested_articles]
        if not missing:
            return
        for url in missing:
            self.crawler.engine.crawl(self.article_request(url))
        raise DontCloseSpider

    def failed(self, failure: Failure) -> Iterator[FetchFailure]:
        request = failure.request  # type: ignore[attr-defined]
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        self.logger.warning("fetch failed: %s: %s", request.url, reason)
        yield FetchFailure(request.url, self.source_name, reason, status)


def _headers(response: Response) -> dict[str, str]:
    return {
        key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }


def _content_type(response: Response) -> str:
    return (response.headers.get("Content-Type") or b"no content type").decode("latin-1")
