"""The one generic spider: a configured source's list pages → its article pages.

Everything site-specific (start URLs, which links are articles, how lists paginate, how
polite to be, how often known pages are re-checked) comes from the source's row in the
database, synced from sources.yaml. Re-checks are cheap: articles go out with conditional GET
(crawler/middlewares.py), only the ones due under crawler/recheck.py are re-checked, and deep
list pages that keep showing nothing new are visited less often.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.block_pages import block_reason
from crawler.items import ArticleGone, ArticleNotModified, ArticlePage, FetchFailure, ListPageFetched
from crawler.recheck import RecheckPolicy, due_articles, list_next_due, list_page_due
from storage import open_db
from storage.articles import known_articles
from storage.list_pages import list_page_stats
from storage.sources import get_source
from storage.transactions import utc_now

# Statuses an article callback wants to see rather than have filtered out: a redirect is
# judged here (moved to another article, or sent away to a list or home page = withdrawn).
REDIRECT_STATUSES = [301, 302, 303, 307, 308]
ARTICLE_STATUSES = [304, 404, 410, *REDIRECT_STATUSES]


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
        self.known_urls: set[str] = set()
        self.due_urls: list[str] = []
        self.list_stats: dict[str, dict[str, Any]] = {}
        self.started = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        db = open_db(crawler.settings["GOVWATCH_DB"])
        try:
            spider.configure(get_source(db, spider.source_name))
            known = known_articles(db, spider.source_name)
            spider.list_stats = list_page_stats(db, spider.source_name)
        finally:
            db.close()
        spider.known_urls = {a["url"] for a in known}
        spider.due_urls = due_articles(known, spider.started, spider.policy)
        spider.recheck_skipped = len(known) - len(spider.due_urls)
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
        self.policy = RecheckPolicy.from_config(config.get("recheck"))

    def apply_politeness(self, crawler: Crawler) -> None:
        """Per-source throttling, set before the crawler freezes its settings."""
        polite = self.config.get("politeness") or {}
        overrides = {
            "AUTOTHROTTLE_ENABLED": polite.get("autothrottle", True),
            "DOWNLOAD_DELAY": polite.get("download_delay", 1.0),
            "CONCURRENT_REQUESTS_PER_DOMAIN": polite.get("concurrent_requests", 4),
            "ROBOTSTXT_OBEY": polite.get("obey_robots", True),
            "GOVWATCH_CRAWL_DELAY_ENABLED": polite.get("honour_crawl_delay", True),
            "GOVWATCH_BACKOFF_FACTOR": polite.get("backoff_factor", 2.0),
            "GOVWATCH_BACKOFF_MAX_DELAY": polite.get("backoff_max_delay", 60.0),
            "DOWNLOAD_TIMEOUT": polite.get("download_timeout", 30),
            "CLOSESPIDER_TIMEOUT": self.config.get("time_limit_s", 1800),
        }
        for key, value in overrides.items():
            crawler.settings.set(key, value, priority="spider")

    async def start(self) -> AsyncIterator[Any]:
        self.crawler.stats.set_value("govwatch/recheck_due", len(self.due_urls))
        self.crawler.stats.set_value("govwatch/recheck_skipped", getattr(self, "recheck_skipped", 0))
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
        blocked = block_reason(response.text)
        if blocked:
            yield FetchFailure(response.url, self.source_name, blocked, response.status)
            return
        new_links = 0
        for link in self.article_links.extract_links(response):
            if self.in_scope(link.url):
                new_links += link.url not in self.known_urls
                yield self.article_request(link.url)
        yield self.list_visit(response.url, new_links)
        if depth < self.config.get("max_list_pages", 10):
            for link in self.list_links.extract_links(response):
                if not self.in_scope(link.url) or self.article_re.search(link.url):
                    continue
                # Deeper pages are followed while this one shows new articles (they may have
                # pushed others down), otherwise only when their own next visit is due.
                if new_links or list_page_due(self.list_stats.get(link.url), self.started):
                    yield response.follow(link.url, callback=self.parse_list, errback=self.failed,
                                          cb_kwargs={"depth": depth + 1})
                else:
                    self.crawler.stats.inc_value("govwatch/list_pages_skipped")

    def list_visit(self, url: str, new_links: int) -> ListPageFetched:
        """What the store keeps about this visit, with the page's next due time."""
        idle = 0 if new_links else (self.list_stats.get(url) or {}).get("idle_streak", 0) + 1
        return ListPageFetched(url, self.source_name, new_links, list_next_due(idle, self.started, self.policy))

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
        elif response.status in REDIRECT_STATUSES:
            yield from self.article_redirect(response)
        elif not isinstance(response, TextResponse):
            yield FetchFailure(response.url, self.source_name,
                               f"article is not HTML ({_content_type(response)})", response.status)
        elif blocked := block_reason(response.text):
            yield FetchFailure(response.url, self.source_name, blocked, response.status)
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

    def article_redirect(self, response: Response) -> Iterator[Any]:
        """Redirected to another article: follow it. Sent anywhere else: the article is gone.

        Many CMSs "withdraw" a page by redirecting it to the section or home page.
        """
        location = (response.headers.get("Location") or b"").decode("latin-1")
        target = urljoin(response.url, location)
        if location and target != response.url and self.article_re.search(target) and self.in_scope(target):
            yield self.article_request(target)
        else:
            yield ArticleGone(response.url, self.source_name, response.status,
                              f"HTTP {response.status}: redirects to {target or 'nowhere'}")

    def on_idle(self) -> None:
        """Once the lists are done, re-check the articles due that the lists did not show.

        That is how a withdrawn article (gone from the list, 404 on its URL) is noticed.
        """
        if self.recheck_scheduled:
            return
        self.recheck_scheduled = True
        missing = [u for u in self.due_urls if u not in self.requested_articles]
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
