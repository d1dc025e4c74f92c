"""Item pipelines: extract the article from each page, then write every outcome to the store."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from twisted.internet import task
from w3lib.url import canonicalize_url

from crawler.cores import default_workers
from crawler.crawl_store import crawl_store
from crawler.extraction_pool import Extracted, ExtractionPool, extract_for_store, peak_rss_kb
from crawler.items import ArticlePage
from crawler.pool_server import warm_forkserver_pid
from crawler.signals import outcome_noted
from storage.outcome_writer import record_outcome
from storage.outcomes import (
    OUTCOME_TYPES,
    ArticleGone,
    ArticleLinksSeen,
    AttachmentFetched,
    FetchedArticle,
    FetchFailure,
    ListPageFetched,
    ListProfileLearned,
    RobotsTxtFetched,
)
from storage.runs import articles_stored, close_run, get_run, run_outcome, start_run
from storage.transactions import batch, writing

log = logging.getLogger(__name__)

# How a Scrapy close reason maps to a run status operators read.
RUN_STATUS = {"finished": "ok", "closespider_timeout": "timeout", "shutdown": "stopped", "cancelled": "stopped",
              "parent_gone": "killed"}
RUN_MESSAGES = {"parent_gone": "the govwatch process that started this crawl ended (killed?); the crawl stopped"}


class ExtractionPipeline:
    """Screens and extracts each article page (block page, soft 404, charset: crawler/screening.py);
    a page that cannot be extracted is a failure.

    Large crawls extract in a pool of worker processes (crawler/extraction_pool.py), started
    once more than GOVWATCH_EXTRACTION_POOL_AFTER new articles are scheduled (or pages
    extracted); GOVWATCH_EXTRACTION_WORKERS = 0 keeps every page in the crawl process.
    """

    def __init__(self, crawler: Crawler, pool: ExtractionPool | None = None) -> None:
        self.crawler = crawler
        self.pool = pool
        self._ignore: tuple[str, ...] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        workers = settings.get("GOVWATCH_EXTRACTION_WORKERS")
        workers = default_workers() if workers in (None, "", "auto") else int(workers)
        pool = ExtractionPool(workers, settings.getint("GOVWATCH_EXTRACTION_POOL_AFTER", 20)) if workers > 0 else None
        pipeline = cls(crawler, pool)
        crawler.signals.connect(pipeline.engine_stopped, signal=signals.engine_stopped)
        if pool is not None:
            crawler.signals.connect(pipeline.request_scheduled, signal=signals.request_scheduled)
        return pipeline

    def request_scheduled(self, request: Any) -> None:
        """Start the pool as soon as enough new articles are on their way, not once they are extracted."""
        if self.pool is not None and not self.pool.started and request.meta.get("govwatch_new_article"):
            self.pool.expect_new_article(request.url)

    def close_spider(self) -> None:
        # The crawl's work is done: this is its peak (for operators' logs and bench/).
        self.crawler.stats.set_value("govwatch/crawl_peak_rss_kb", peak_rss_kb())
        # 1: this crawl's pools forked their workers from a warm copy of it (a forked first crawl)
        self.crawler.stats.set_value("govwatch/warm_pool_forkserver", int(warm_forkserver_pid() is not None))
        if self.pool is not None:
            stats = self.crawler.stats
            stats.set_value("govwatch/extraction_workers", len(self.pool.peak_rss_kb))
            stats.set_value("govwatch/extraction_worker_cpu_s", round(self.pool.cpu_s, 3))
            stats.set_value("govwatch/extraction_worker_rss_kb", sum(self.pool.peak_rss_kb.values()))
            self.pool.close()

    def engine_stopped(self) -> None:
        """The low-confidence count as the crawl's last log line: the stats dump (40+ lines) comes
        after close_spider and would push it out of the log tail the run keeps (monitor/crawls.py)."""
        low = self.crawler.stats.get_value("govwatch/low_confidence", 0)
        if low:  # a source whose template extraction no longer fits shows here
            log.warning("govwatch: %d article(s) extracted with low confidence (articles.low_confidence = 1)", low)
        textless = self.crawler.stats.get_value("govwatch/stored_without_text", 0)
        if textless:
            log.warning("govwatch: %d article(s) stored without text: image- or attachment-only pages "
                        "(articles.body_method = 'none')", textless)

    def ignore_patterns(self) -> tuple[str, ...]:
        """The source's `ignore_patterns` (regular expressions, checked when the config loads)."""
        if self._ignore is None:
            config = getattr(self.crawler.spider, "config", None) or {}
            self._ignore = tuple(config.get("ignore_patterns") or ())
        return self._ignore

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePage):
            return item
        if self.pool is None or not self.pool.ready():
            return self.extract_here(item)
        try:
            extracted = await self.pool.extract(item.body, item.url, item.encoding, self.ignore_patterns(),
                                                item.declared_charset, item.list_anchor, item.list_date)
        except Exception as exc:  # noqa: BLE001 - as in extract_here; a dead worker is reported on this page alone
            return self.failed(item, exc)
        self.crawler.stats.inc_value("govwatch/extracted_in_pool")
        return self.accept(item, extracted)

    def extract_here(self, item: ArticlePage) -> FetchedArticle | ArticleGone | FetchFailure:
        """Extract in this process."""
        try:
            extracted = extract_for_store(item.body, item.url, item.encoding, self.ignore_patterns(),
                                          item.declared_charset, item.list_anchor, item.list_date)
        except Exception as exc:  # noqa: BLE001 - a broken page must not stop the crawl; it is logged in the run
            return self.failed(item, exc)
        return self.accept(item, extracted)

    def failed(self, item: ArticlePage, exc: BaseException) -> FetchFailure:
        self.crawler.stats.inc_value("govwatch/extraction_failed")
        return FetchFailure(item.url, item.source, f"extraction failed: {type(exc).__name__}: {exc}")

    def accept(self, item: ArticlePage, extracted: Extracted) -> FetchedArticle | ArticleGone | FetchFailure:
        """The page as the store's outcome: the article with its extracted fields; a failure for a
        block page or when no text is left; a soft 404 is the article gone (a suspected
        withdrawal, never a new version of it)."""
        screening = extracted.screening
        # Outcomes are kept against the URL the spider asked for, even after a redirect to a sibling.
        asked = item.asked_url or item.url
        if screening.blocked:
            return FetchFailure(asked, item.source, screening.blocked, item.http_status)
        if screening.soft_404:
            return ArticleGone(asked, item.source, item.http_status, screening.soft_404)
        if extracted.prepared is None:
            self.crawler.stats.inc_value("govwatch/empty_text")
            return FetchFailure(item.url, item.source, "no article text found on the page", item.http_status)
        if extracted.fields["low_confidence"]:
            self.crawler.stats.inc_value("govwatch/low_confidence")
        if not extracted.fields["text"]:
            self.crawler.stats.inc_value("govwatch/stored_without_text")
        return FetchedArticle(
            url=item.url, source=item.source, body=item.body, http_status=item.http_status, headers=item.headers,
            encoding=screening.encoding, fetched_at=item.fetched_at, canonical_url=canonicalize_url(item.url),
            **extracted.fields, prepared=extracted.prepared, list_anchor=item.list_anchor,
            list_date=item.list_date,
            error_title=screening.error_title, charset_note=screening.charset_note)


class StoragePipeline:
    """Writes every outcome to the SQLite store, in batched transactions, inside one crawl run.

    It only batches: what each outcome does to the store is storage.outcome_writer.record_outcome,
    the same function distributed mode's store writer calls.

    Modelled on the MongoPipeline of Scrapy's docs: settings to the constructor, open in
    open_spider, close in close_spider.

    Items wait in memory until GOVWATCH_STORE_BATCH of them are due or the oldest has waited
    GOVWATCH_STORE_BATCH_S seconds (a timer and spider_idle flush the rest), then go in one
    BEGIN IMMEDIATE transaction; if any item fails, the batch is rolled back and written again
    with each item in its own savepoint, so one bad item is rolled back and logged alone. The
    write lock is held for one short burst per batch instead of once per page. A crawl killed
    mid-batch loses only the unwritten items, never half of one; the next crawl fetches them
    again, as it would any page it has not stored.

    List-page visits are written when the crawl closes, after the last batch, because a
    visit recorded before its article links were stored would make the next crawl skip that
    page (it shows "nothing new") and lose those articles.
    """

    def __init__(self, crawler: Crawler, run_id: int | None, trigger: str,
                 batch_size: int = 50, batch_seconds: float = 1.0) -> None:
        self.crawler = crawler
        self.run_id = run_id
        self.trigger = trigger
        self.db = None
        self.list_visits: list[ListPageFetched] = []
        self.batch_size = max(1, batch_size)
        self.batch_seconds = batch_seconds
        self.pending: list[Any] = []
        self.oldest_pending = 0.0
        self.timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run_id = crawler.settings.get("GOVWATCH_RUN_ID")
        pipeline = cls(
            crawler,
            int(run_id) if run_id else None,
            crawler.settings.get("GOVWATCH_TRIGGER", "scrapy"),
            batch_size=crawler.settings.getint("GOVWATCH_STORE_BATCH", 50),
            batch_seconds=crawler.settings.getfloat("GOVWATCH_STORE_BATCH_S", 1.0),
        )
        # The close reason (finished, closespider_timeout, shutdown) is only known to the
        # spider_closed signal, which fires after the pipelines' close_spider.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.flush, signal=signals.spider_idle)
        crawler.signals.connect(pipeline.note_outcome, signal=outcome_noted)
        return pipeline

    def open_spider(self) -> None:
        self.db = crawl_store(self.crawler)
        if self.run_id is None:
            self.run_id = start_run(self.db, self.crawler.spider.source_name, trigger=self.trigger)
        self.crawler.stats.set_value("govwatch/run_id", self.run_id)
        if self.batch_size > 1:
            self.timer = task.LoopingCall(self.flush_if_old)
            self.timer.start(self.batch_seconds, now=False)

    def close_spider(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.flush()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, OUTCOME_TYPES):
            raise DropItem(f"unknown item type {type(item).__name__}")
        if not self.pending:
            self.oldest_pending = time.monotonic()
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()
        else:
            self.flush_if_old()
        return item

    def note_outcome(self, outcome: Any) -> None:
        """An outcome from a component that yields no items (crawler.signals.outcome_noted)."""
        if self.db is not None:
            self.process_item(outcome)

    def flush_if_old(self) -> None:
        if self.pending and time.monotonic() - self.oldest_pending >= self.batch_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the waiting items in one transaction (kept for the next flush if it cannot commit)."""
        pending, self.pending = self.pending, []
        if not pending or self.db is None:
            return
        try:
            self.write_batch(pending)
        except sqlite3.OperationalError:  # no write lock within the busy timeout, disk full…
            log.exception("could not write a batch of %d items; kept for the next try", len(pending))
            self.crawler.stats.inc_value("govwatch/store_batch_retried")
            self.pending = pending + self.pending
            return
        self.crawler.stats.inc_value("govwatch/store_batches")

    def write_batch(self, pending: list[Any]) -> None:
        """All items in one transaction; if any fails, the batch again with a savepoint per item.

        Savepoints cost more than the writes of a page, so the batch first goes without them
        (storage.transactions.batch); stats and list visits are counted only once committed.
        """
        try:
            with batch(self.db):
                outcomes = [self.store_or_raise(item) for item in pending]
        except _ItemFailed:  # rolled back whole; the careful pass names the item and keeps the rest
            self.crawler.stats.inc_value("govwatch/store_batch_replayed")
            outcomes = self.write_each(pending)
        for item, outcome in zip(pending, outcomes):
            self.counted(item, outcome)

    def store_or_raise(self, item: Any) -> str | None:
        """store(), with an item's own failure told apart from the transaction's (BEGIN, COMMIT:
        lock timeout, disk full), which `flush` handles by keeping the batch for later."""
        try:
            return self.store(item)
        except Exception as exc:
            raise _ItemFailed from exc

    def write_each(self, pending: list[Any]) -> list[str | None]:
        """One transaction, one savepoint per item: a bad item is rolled back and logged alone."""
        outcomes: list[str | None] = []
        with writing(self.db):
            for item in pending:
                try:
                    with self.db.atomic():
                        outcomes.append(self.store(item))
                except Exception as exc:  # one bad item must not lose the batch; it is kept in the run log
                    log.exception("could not store %s", getattr(item, "url", item))
                    self.crawler.stats.inc_value("govwatch/store_failed")
                    if not hasattr(item, "url"):  # not a page's (a robots.txt): nothing to report on
                        outcomes.append(None)
                        continue
                    failure = FetchFailure(item.url, item.source, f"store failed: {type(exc).__name__}: {exc}",
                                           getattr(item, "http_status", None))
                    record_outcome(self.db, self.run_id, failure, self.source_config())
                    outcomes.append(None)
        return outcomes

    def counted(self, item: Any, outcome: str | None) -> None:
        """A committed item's outcome in the crawl's stats (and a list visit kept for the close)."""
        if isinstance(item, ListPageFetched):
            self.list_visits.append(item)
        elif isinstance(item, ListProfileLearned):
            self.crawler.stats.inc_value(f"govwatch/list_profile/{outcome}")
        elif isinstance(item, ArticleLinksSeen):
            self.crawler.stats.inc_value("govwatch/links_noted", len(item.urls))
        elif isinstance(item, AttachmentFetched):
            self.crawler.stats.inc_value(f"govwatch/attachments/stored_{outcome}")
        elif isinstance(item, RobotsTxtFetched):
            self.crawler.stats.inc_value(f"govwatch/robotstxt/{outcome}")
        elif outcome is not None:
            self.crawler.stats.inc_value(f"govwatch/articles/{outcome}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats
        pages = stats.get_value("downloader/response_count", 0)
        self.flush()
        if self.pending:  # the write lock did not come within the busy timeout: one more wait
            self.flush()
        unwritten = len(self.pending)
        if unwritten:  # the visits are not kept either: the store would not take them
            self.list_visits.clear()
            log.error("run %s: %d outcome(s) could not be written and are lost to this run", self.run_id, unwritten)
            stats.set_value("govwatch/store_unwritten", unwritten)
        else:
            self.write_list_visits(complete=reason == "finished")
        # The one place a crawl's outcome is judged (storage.runs.run_outcome); the spider
        # keeps what happened to its start pages.
        ended = RUN_STATUS.get(reason, reason)
        run = get_run(self.db, self.run_id)
        status, message = run_outcome(
            ended,
            pages_fetched=pages,
            article_pages=stats.get_value("govwatch/article_pages", 0),
            articles_stored=articles_stored(run),
            new_article_pages=stats.get_value("govwatch/new_article_pages", 0),
            articles_new=run.get("articles_new") or 0,
            start_urls=list((getattr(spider, "config", None) or {}).get("start_urls") or []),
            start_failures=dict(getattr(spider, "start_failures", {})),
            starts_without_links=list(getattr(spider, "starts_without_links", [])),
            notes=list(getattr(spider, "run_notes", [])),
            page_errors=stats.get_value("spider_exceptions/count", 0),
            unwritten=unwritten,
        )
        if ended != "ok":  # stopped, timed out, killed: the close reason is the message
            message = RUN_MESSAGES.get(reason, f"crawl ended: {reason}")
        if status != "ok":
            log.warning("run %s %s: %s", self.run_id, status, message)
        close_run(
            self.db,
            self.run_id,
            status,
            message=message,
            pages_fetched=pages,
            bytes_downloaded=stats.get_value("downloader/response_bytes", 0),
        )

    def write_list_visits(self, complete: bool) -> None:
        """Keep the crawl's list-page visits; after an incomplete crawl only those that showed
        nothing new (the articles linked from the others may not all have been fetched)."""
        for visit in self.list_visits:
            if complete or not visit.new_links:
                record_outcome(self.db, self.run_id, visit, self.source_config())
        self.list_visits.clear()

    def source_config(self) -> dict[str, Any]:
        """The source's config as the spider read it (its confirm_withdrawal_checks)."""
        return getattr(self.crawler.spider, "config", None) or {}

    def store(self, item: Any) -> str | None:
        """Write one outcome (inside the batch's transaction); what it was (new, unchanged, …).

        Nothing outside the database changes here: a batch rolled back is written again.
        """
        if isinstance(item, ListPageFetched):
            return None  # kept in memory once committed, written at the close (see the class)
        return record_outcome(self.db, self.run_id, item, self.source_config())


class _ItemFailed(Exception):
    """An item could not be written inside a batch (its cause is chained)."""
