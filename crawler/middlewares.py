"""Downloader middlewares of govwatch."""

from __future__ import annotations

from typing import Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from storage import open_db
from storage.articles import conditional_get_validators


class ConditionalGetMiddleware:
    """Adds If-None-Match / If-Modified-Since to article requests we already hold.

    An unchanged page then costs a 304 with no body, which is most of what a re-crawl
    fetches. The validators are read once per crawl from the store.
    """

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.validators: dict[str, dict[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("GOVWATCH_CONDITIONAL_GET", True):
            raise NotConfigured
        middleware = cls(crawler.settings["GOVWATCH_DB"])
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        source = getattr(spider, "source_name", None)
        if source is None:
            return
        db = open_db(self.db_path)
        try:
            self.validators = conditional_get_validators(db, source)
        finally:
            db.close()
        spider.crawler.stats.set_value("govwatch/validators_known", len(self.validators))

    def process_request(self, request: Request) -> None:
        if not request.meta.get("govwatch_article"):
            return None
        known = self.validators.get(request.url)
        if known:
            if known.get("etag"):
                request.headers.setdefault("If-None-Match", known["etag"])
            if known.get("last_modified"):
                request.headers.setdefault("If-Modified-Since", known["last_modified"])
        return None
