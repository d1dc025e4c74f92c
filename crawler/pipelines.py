"""Item pipelines: extract the article from each page, then write every outcome to the store."""

from __future__ import annotations

import re
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from w3lib.url import canonicalize_url

from crawler.extraction import extract_page
from crawler.items import ArticleGone, ArticleNotModified, ArticlePage, FetchFailure, ListPageFetched
from storage import open_db
from storage.articles import FetchedArticle, record_gone, record_not_modified, record_page
from storage.list_pages import record_list_fetch
from storage.runs import finish_run, record_fetch_error, start_run

# How a Scrapy close reason maps to a run status operators read.
RUN_STATUS = {"finished": "ok", "closespider_timeout": "timeout", "shutdown": "stopped", "cancelled": "stopped"}


class ExtractionPipeline:
    """Runs the extractor on each article page; a page that cannot be extracted is a failure."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._ignore: list[re.Pattern[str]] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def ignore_patterns(self) -> list[re.Pattern[str]]:
        """The source's `ignore_patterns`, compiled once per crawl."""
        if self._ignore is None:
            config = getattr(self.crawler.spider, "config", None) or {}
            self._ignore = [re.compile(p) for p in config.get("ignore_patterns") or ()]
        return self._ignore

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePage):
            return item
        try:
            item.extracted = extract_page(item.body, item.url, declared_encoding=item.encoding).to_dict()
        except Exception as exc:  # a broken page must not stop the crawl; it is logged in the run
            self.crawler.stats.inc_value("govwatch/extraction_failed")
            return FetchFailure(item.url, item.source, f"extraction failed: {type(exc).__name__}: {exc}")
        if self.ignore_patterns():
            item.extracted["text"] = strip_ignored(item.extracted.get("text") or "", self.ignore_patterns())
        if not (item.extracted.get("text") or "").strip():
            self.crawler.stats.inc_value("govwatch/empty_text")
            return FetchFailure(item.url, item.source, "no article text found on the page", item.http_status)
        return item


class StoragePipeline:
    """Writes each item to the SQLite store, one transaction per item, inside one crawl run.

    Modelled on the MongoPipeline of Scrapy's docs: settings to the constructor, open in
    open_spider, close in close_spider.
    """

    def __init__(self, crawler: Crawler, db_path: str, run_id: int | None, trigger: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.run_id = run_id
        self.trigger = trigger
        self.db = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run_id = crawler.settings.get("GOVWATCH_RUN_ID")
        pipeline = cls(
            crawler,
            crawler.settings["GOVWATCH_DB"],
            int(run_id) if run_id else None,
            crawler.settings.get("GOVWATCH_TRIGGER", "scrapy"),
        )
        # The close reason (finished, closespider_timeout, shutdown) is only known to the
        # spider_closed signal, which fires after the pipelines' close_spider.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.db = open_db(self.db_path)
        if self.run_id is None:
            self.run_id = start_run(self.db, self.crawler.spider.source_name, trigger=self.trigger)
        self.crawler.stats.set_value("govwatch/run_id", self.run_id)

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats
        status = RUN_STATUS.get(reason, reason)
        pages = stats.get_value("downloader/response_count", 0)
        if status == "ok" and pages == 0:
            status = "failed"
        finish_run(
            self.db,
            self.run_id,
            status,
            message=None if status == "ok" else f"crawl ended: {reason}",
            pages_fetched=pages,
            bytes_downloaded=stats.get_value("downloader/response_bytes", 0),
        )
        self.db.close()

    def process_item(self, item: Any) -> Any:
        stats = self.crawler.stats
        if isinstance(item, ArticlePage):
            outcome = record_page(self.db, self.run_id, _to_store(item))
        elif isinstance(item, ArticleNotModified):
            outcome = record_not_modified(self.db, self.run_id, item.url)
        elif isinstance(item, ArticleGone):
            outcome = record_gone(self.db, self.run_id, item.url, item.http_status, item.reason)
        elif isinstance(item, ListPageFetched):
            record_list_fetch(self.db, item.source, item.url, item.new_links, item.next_due)
            return item
        elif isinstance(item, FetchFailure):
            record_fetch_error(self.db, self.run_id, item.source, item.url, item.reason, item.http_status)
            outcome = "error"
        else:
            raise DropItem(f"unknown item type {type(item).__name__}")
        stats.inc_value(f"govwatch/articles/{outcome}")
        return item


def strip_ignored(text: str, patterns: list[re.Pattern[str]]) -> str:
    """The text without what the source's ignore patterns match (lines left empty are dropped)."""
    for pattern in patterns:
        text = pattern.sub("", text)
    return "\n".join(line for line in text.split("\n") if line.strip())


def _to_store(item: ArticlePage) -> FetchedArticle:
    """Map the extractor's fields onto the store's article columns."""
    found = item.extracted or {}
    metadata = dict(found.get("metadata") or {})
    for key in ("category", "language"):
        if found.get(key):
            metadata.setdefault(key, found[key])
    return FetchedArticle(
        url=item.url,
        source=item.source,
        body=item.body,
        http_status=item.http_status,
        headers=item.headers,
        encoding=item.encoding,
        fetched_at=item.fetched_at,
        canonical_url=canonicalize_url(item.url),
        title=found.get("title"),
        text=found.get("text") or "",
        published=found.get("date"),
        author=found.get("author"),
        origin=found.get("source"),
        publisher=found.get("publisher"),
        doc_no=found.get("doc_no"),
        index_no=found.get("index_no"),
        metadata=metadata,
        attachments=list(found.get("attachments") or []),
    )
