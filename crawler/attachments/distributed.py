"""Attachments in distributed mode: a worker asks for them, reads them and streams the outcome.

The single-machine `AttachmentPipeline` looks up what the store holds in SQLite; a worker never
opens SQLite, so `RunAttachmentPipeline` takes the same facts from the run's context
(`RunContext.attachments`: each stored article's files with their ETag / Last-Modified, put in
Redis by monitor/distributed.enqueue_crawl). Requests, size limit, reading and the outcome are
the shared `AttachmentFetcher`'s, so both modes record the same `AttachmentFetched`, which the
store writer hands to storage.outcome_writer.record_outcome like every other entry.

Ordering: the pipeline sits after RedisItemPipeline, so an article's entry is in the stream
before any request for its files is queued (the writer must store the article before its
attachments), and before the article's RequestDone (CONCURRENT_ITEMS = 1), so the run's count
of outstanding requests includes the files: the run cannot end before they are stored.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.distributed import RequestDone, RunItem
from storage.outcomes import ArticleNotModified, FetchedArticle, FetchFailure

from .fetching import MAX_PER_ARTICLE, AttachmentFetcher

log = logging.getLogger(__name__)

# (run, article, file) pairs remembered per worker against asking twice; a long-lived worker
# forgets the oldest (a repeat then costs one request, never a wrong row).
SCHEDULED_MEMORY = 100_000


class RunAttachmentPipeline:
    """Asks for the attachments of each run's articles; `WorkerSpider` hands the responses back."""

    def __init__(self, crawler: Crawler, fetcher: AttachmentFetcher) -> None:
        self.crawler = crawler
        self.fetcher = fetcher
        self.scheduled: OrderedDict[tuple[int, str, str], None] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, AttachmentFetcher.from_crawler(crawler))

    def open_spider(self) -> None:
        self.crawler.spider.attachments = self  # the spider's callbacks, by name, come back here

    def close_spider(self) -> None:
        self.fetcher.close()

    # -- scheduling -------------------------------------------------------------------------

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RunItem) or not isinstance(item.item, FetchedArticle | ArticleNotModified):
            return item
        ctx = self.crawler.spider.context(item.run_id)
        if ctx is None:
            return item
        article = item.item
        stored = {row["url"]: row for row in getattr(ctx, "attachments", {}).get(article.url, [])}
        if isinstance(article, FetchedArticle):
            for link in (article.attachments or [])[:MAX_PER_ARTICLE]:
                self.schedule(item.run_id, ctx, article.url, link.get("url"), link.get("name"), link.get("type"),
                              stored.get(link.get("url") or ""))
        else:  # a 304 article: its stored files are asked for again, conditionally
            for row in stored.values():
                self.schedule(item.run_id, ctx, article.url, row["url"], row.get("name"), row.get("type"), row,
                              warm=False)
        return item

    def schedule(self, run_id: int, ctx: Any, article_url: str, url: str | None, name: str | None,
                 kind: str | None, validators: dict[str, str] | None, *, warm: bool = True) -> None:
        key = (run_id, article_url, url or "")
        if not url or key in self.scheduled:
            return
        if not ctx.on_site(url):
            self.crawler.stats.inc_value("govwatch/attachments/off_site")
            return
        self.scheduled[key] = None
        if len(self.scheduled) > SCHEDULED_MEMORY:
            self.scheduled.popitem(last=False)
        spider = self.crawler.spider
        self.crawler.engine.crawl(self.fetcher.request(
            article_url, url, name, kind, validators, warm=warm, callback=spider.parse_attachment,
            errback=spider.attachment_failed, meta={**ctx.request_meta, "govwatch_run": run_id}))

    # -- outcomes (called by WorkerSpider.parse_attachment / attachment_failed) -------------------

    async def parse(self, response: Response) -> AsyncIterator[Any]:
        """The attachment's outcome as the run's item, then its RequestDone (always: a failure
        here must not keep the run's count of outstanding requests from reaching zero)."""
        spider = self.crawler.spider
        spider.last_work = time.monotonic()
        run_id = int(response.meta["govwatch_run"])
        ctx = spider.context(run_id)
        if ctx is not None:
            try:
                yield RunItem(run_id, await self.fetcher.outcome(response, ctx.source_name))
            except Exception as exc:
                log.exception("run %s: attachment %s failed", run_id, response.url)
                yield RunItem(run_id, FetchFailure(response.url, ctx.source_name,
                                                   f"attachment failed: {type(exc).__name__}: {exc}"))
        yield RequestDone(run_id, response.meta.get("govwatch_lease"), size=len(response.body))

    def failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        run_id = int(request.meta["govwatch_run"])
        ctx = self.crawler.spider.context(run_id)
        if ctx is not None:
            yield RunItem(run_id, self.fetcher.failure_outcome(failure, ctx.source_name))
        yield RequestDone(run_id, request.meta.get("govwatch_lease"))
