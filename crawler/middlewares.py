"""Downloader middlewares of govwatch."""

from __future__ import annotations

from typing import Any, Self
from urllib.parse import urljoin

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawler.crawl_store import crawl_store
from crawler.url_scope import MAX_URL_LENGTH, matchable
from storage.articles import conditional_get_validators


class ConditionalGetMiddleware:
    """Adds If-None-Match / If-Modified-Since to article requests we already hold, and to list
    pages whose last full fetch the spider kept (it puts their validators in the request's meta).

    An unchanged page then costs a 304 with no body, which is most of what a re-crawl
    fetches. The articles' validators are read once per crawl from the store.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.validators: dict[str, dict[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("GOVWATCH_CONDITIONAL_GET", True):
            raise NotConfigured
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        source = getattr(spider, "source_name", None)
        if source is None:
            return
        self.validators = conditional_get_validators(crawl_store(self.crawler), source)
        spider.crawler.stats.set_value("govwatch/validators_known", len(self.validators))

    def process_request(self, request: Request) -> None:
        if request.meta.get("govwatch_article"):
            known = self.validators.get(request.url)
        else:
            known = request.meta.get("govwatch_list_validators")
        if known:
            if known.get("etag"):
                request.headers.setdefault("If-None-Match", known["etag"])
            if known.get("last_modified"):
                request.headers.setdefault("If-Modified-Since", known["last_modified"])


REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class RedirectRefused(IgnoreRequest):
    """A redirect govwatch does not follow; its message is the reason kept in `fetch_errors`."""


def source_rules(spider: Any, request: Request) -> Any:
    """The source spider whose site rules (`on_site`, `in_scope`) a request follows: the spider
    itself, or, in a distributed worker (which serves many sources), the one its `site_rules`
    gives for the request (its run's). Without this a worker had no `on_site`, so the checks
    below let every request through."""
    site_rules = getattr(spider, "site_rules", None)
    return site_rules(request) if site_rules is not None else spider


class ScopedRedirectMiddleware:
    """Refuses redirects of list pages to another site or around a loop, before Scrapy follows them.

    RedirectMiddleware (600) would follow a redirect to another port of the same host (Scrapy's
    OffsiteMiddleware compares host names only), and a loop ends in a silently dropped
    duplicate request. Sitting at 610, this sees the redirect first and fails the request with
    a reason instead. Article requests handle their redirects in the spider.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in REDIRECT_STATUSES or response.status in request.meta.get("handle_httpstatus_list", ()):
            return response
        location = response.headers.get("Location")
        on_site = getattr(source_rules(self.crawler.spider, request), "on_site", None)
        if not location or on_site is None or request.url.endswith("/robots.txt"):
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            raise RedirectRefused("redirect loop: " + " → ".join([*chain, target]))
        if not on_site(target):
            self.crawler.stats.inc_value("govwatch/offsite_redirects")
            raise RedirectRefused(f"redirect to another site: {target}")
        return response


class OutOfScope(IgnoreRequest):
    """A request off the source's site; its message is the reason kept in `fetch_errors`."""


class OnSiteRequestMiddleware:
    """Refuses every request off the source's site (host and port) or too long to be a page's URL.

    Whatever produced the request (a list link, a redirect hop, a meta refresh, a re-check of a
    stored URL), a crawled page must not make govwatch fetch another service, such as one on
    another port of 127.0.0.1 (SSRF). One check at the door, first of the downloader
    middlewares (50), before robots.txt is even asked for.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        on_site = getattr(source_rules(self.crawler.spider, request), "on_site", None)
        if on_site is None:
            return
        if not matchable(request.url):
            self.crawler.stats.inc_value("govwatch/off_scope_requests")
            raise OutOfScope(f"URL longer than {MAX_URL_LENGTH} characters: {request.url[:200]}…")
        if not on_site(request.url):
            self.crawler.stats.inc_value("govwatch/off_scope_requests")
            raise OutOfScope(f"request to another site refused: {request.url}")


# A meta refresh must name itself in its tag; Scrapy looks for one in the first 4,096 characters,
# which are at most 16 KB of UTF-8 (4 bytes a character at worst).
_REFRESH_WINDOW_BYTES = 4 * 4096


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware, which first looks for the word "refresh" in the raw bytes.

    Why: Scrapy's check decodes the whole body (`response.text`) of every HTML response to read
    its first 4,096 characters; in a crawl that extracts pages in worker processes that decode
    is done for nothing on nearly every page (~2 % of the crawl process's CPU). A page without
    the word cannot hold the tag, so it is passed on untouched; any other page, and any body
    in UTF-16/32 (whose ASCII is interleaved with NULs), goes through Scrapy's own check.

    A refresh target outside the source's scope (the spider's `in_scope`: its hosts, ports and
    paths) is refused like an off-site 3xx: Scrapy's own middleware follows it anywhere.
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:
        head = response.body[:_REFRESH_WINDOW_BYTES]
        if b"refresh" not in head.lower() and b"\x00" not in head[:256]:
            return response
        result = super().process_response(request, response)
        spider = getattr(getattr(self, "crawler", None), "spider", None)
        in_scope = getattr(source_rules(spider, request), "in_scope", None)
        if isinstance(result, Request) and in_scope is not None and not in_scope(result.url):
            self.crawler.stats.inc_value("govwatch/offsite_redirects")
            raise RedirectRefused(f"meta refresh to outside the source's scope: {result.url}")
        return result
