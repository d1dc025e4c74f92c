"""Item pipelines: extract the article from each page, then write every outcome to the store."""

from __future__ import annotations

import re
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from w3lib.url import canonicalize_url

from crawler.block_pages import shared_share
from crawler.extraction import extract_page
from crawler.items import ArticleGone, ArticleNotModified, ArticlePage, FetchFailure, ListPageFetched
from storage import open_db
from storage.articles import FetchedArticle, current_text, record_gone, record_not_modified, record_page
from storage.list_pages import record_list_fetch
from storage.runs import finish_run, record_fetch_error, start_run

# How a Scrapy close reason maps to a run status operators read.
RUN_STATUS = {"finished": "ok", "closespider_timeout": "timeout", "shutdown": "stopped", "cancelled": "stopped",
              "parent_gone": "killed"}
RUN_MESSAGES = {"parent_gone": "the govwatch process that started this crawl ended (killed?); the crawl stopped"}
# A page titled like an error ("系统提示") whose text shares less than this with the article we
# hold is an error page in the site's template, not a new version of the article.
ERROR_PAGE_MAX_SHARED = 0.2
# Checks in a row that must find an article gone before its withdrawal is reported (per source:
# confirm_withdrawal_checks; sources synced before the setting existed get this).
DEFAULT_CONFIRM_CHECKS = 2


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

    Each item is its own transaction, so a crawl killed at any point leaves every article
    whole. List-page visits are the exception: they are kept in memory and written when the
    crawl closes, because a visit recorded before its article links were stored would make
    the next crawl skip that page (it shows "nothing new") and lose those articles.
    """

    def __init__(self, crawler: Crawler, db_path: str, run_id: int | None, trigger: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.run_id = run_id
        self.trigger = trigger
        self.db = None
        self.list_visits: list[ListPageFetched] = []

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
        self.write_list_visits(complete=reason == "finished")
        message = RUN_MESSAGES.get(reason, f"crawl ended: {reason}")
        finish_run(
            self.db,
            self.run_id,
            status,
            message=None if status == "ok" else message,
            pages_fetched=pages,
            bytes_downloaded=stats.get_value("downloader/response_bytes", 0),
        )
        self.db.close()

    def write_list_visits(self, complete: bool) -> None:
        """Keep the crawl's list-page visits; after an incomplete crawl only those that showed
        nothing new (the articles linked from the others may not all have been fetched)."""
        for visit in self.list_visits:
            if complete or not visit.new_links:
                record_list_fetch(self.db, visit.source, visit.url, visit.new_links, visit.next_due)
        self.list_visits.clear()

    def is_error_page(self, item: ArticlePage) -> bool:
        """Titled like an error, and sharing almost nothing with the article we hold."""
        if not item.error_title:
            return False
        held = current_text(self.db, item.url)
        return held is not None and shared_share((item.extracted or {}).get("text") or "", held) < ERROR_PAGE_MAX_SHARED

    def confirm_checks(self) -> int:
        config = getattr(self.crawler.spider, "config", None) or {}
        return int(config.get("confirm_withdrawal_checks", DEFAULT_CONFIRM_CHECKS))

    def process_item(self, item: Any) -> Any:
        stats = self.crawler.stats
        if isinstance(item, ArticlePage) and self.is_error_page(item):
            return self.process_item(ArticleGone(item.url, item.source, item.http_status,
                                                 f"error page: {item.error_title}"))
        if isinstance(item, ArticlePage):
            outcome = record_page(self.db, self.run_id, _to_store(item))
        elif isinstance(item, ArticleNotModified):
            outcome = record_not_modified(self.db, self.run_id, item.url)
        elif isinstance(item, ArticleGone):
            outcome = record_gone(self.db, self.run_id, item.url, item.http_status, item.reason,
                                  confirm_checks=self.confirm_checks())
            detail = item.reason or f"HTTP {item.http_status}"
            if outcome == "suspected":
                record_fetch_error(self.db, self.run_id, item.source, item.url,
                                   f"{detail}: withdrawal suspected, reported if the next check sees it too",
                                   item.http_status)
            elif outcome == "unknown":  # listed, but gone before we stored it
                record_fetch_error(self.db, self.run_id, item.source, item.url, detail, item.http_status)
        elif isinstance(item, ListPageFetched):
            self.list_visits.append(item)
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
