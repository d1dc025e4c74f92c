"""Item pipelines: extract the article from each page, then write every outcome to the store."""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from w3lib.url import canonicalize_url

from crawler.extraction import extract_page
from crawler.items import ArticleGone, ArticleNotModified, ArticlePage, FetchFailure
from storage import open_db
from storage.articles import FetchedArticle, record_gone, record_not_modified, record_page
from storage.runs import finish_run, record_fetch_error, start_run

# How a Scrapy close reason maps to a run status operators read.
RUN_STATUS = {"finished": "ok", "closespider_timeout": "timeout", "shutdown": "stopped", "cancelled": "stopped"}


class ExtractionPipeline:
    """Runs the extractor on each article page; a page that cannot be extracted is a failure."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePage):
            return item
        try:
            item.extracted = extract_page(item.body, item.url, declared_encoding=item.encoding).to_dict()
        except Exception as exc:  # a broken page must not stop the crawl; it is logged in the run
            self.crawler.stats.inc_value("govwatch/extraction_failed")
            return FetchFailure(item.url, item.source, f"extraction failed: {type(exc).__name__}: {exc}")
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
        return cls(
            crawler,
            crawler.settings["GOVWATCH_DB"],
            int(run_id) if run_id else None,
            crawler.settings.get("GOVWATCH_TRIGGER", "scrapy"),
        )

    def open_spider(self) -> None:
        self.db = open_db(self.db_path)
        if self.run_id is None:
            self.run_id = start_run(self.db, self.crawler.spider.source_name, trigger=self.trigger)
        self.crawler.stats.set_value("govwatch/run_id", self.run_id)

    def close_spider(self) -> None:
        stats = self.crawler.stats
        reason = stats.get_value("finish_reason") or "finished"
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
            outcome = record_gone(self.db, self.run_id, item.url, item.http_status)
        elif isinstance(item, FetchFailure):
            record_fetch_error(self.db, self.run_id, item.source, item.url, item.reason, item.http_status)
            outcome = "error"
        else:
            raise DropItem(f"unknown item type {type(item).__name__}")
        stats.inc_value(f"govwatch/articles/{outcome}")
        return item


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
