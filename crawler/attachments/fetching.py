"""Fetch each stored article's attachments in the same crawl, read them in workers, store them.

`AttachmentPipeline` comes after the store's pipeline (crawler/settings.py). For every article
page it sees it asks for the page's attachments; for every 304 article it asks again for the
attachments already stored, with their ETag / Last-Modified, since a 附件 is often replaced
under an unchanged page. The requests go through the crawl's own downloader: the source's
robots.txt, delays, concurrency and back-off apply, and only URLs on the source's site (its
hosts and ports, `SourceSpider.on_site`) are asked for. A file over GOVWATCH_ATTACHMENT_MAX_BYTES
(default 30 MB) is stopped as soon as its headers (or its bytes) say so and recorded with its
size as `too_large`; it is never cut and read in part.

The callback reads the file in worker processes (pool.py) and returns a
storage.outcomes.AttachmentFetched, which the store's pipeline writes with every other outcome
(storage.outcome_writer.record_outcome → storage.attachments.record_attachment_outcome): one
writer, and distributed mode's store writer can take the same record.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.response_checks import failure_reason, tries_note
from storage import open_db
from storage.articles import article_by_url
from storage.attachments import article_attachments, attachment_validators
from storage.outcomes import ArticleNotModified, AttachmentFetched, FetchedArticle
from storage.transactions import utc_now

from . import ReadLimits
from .pool import AttachmentReaders

log = logging.getLogger(__name__)

META = "govwatch_attachment"
MAX_PER_ARTICLE = 30  # a page listing more "attachments" is a file index, not a notice
ATTACHMENT_PRIORITY = 5  # after the article pages (10), before list pages (0): at 15 (read while pages are still extracted) the bench ratio fell from 0.75 to 0.48

UNDECLARED = "undeclared"  # meta["too_large"] of a file cut off by its bytes, not its Content-Length


class AttachmentPipeline:
    """Asks for the attachments of stored articles and returns what each gave as an outcome."""

    def __init__(self, crawler: Crawler, db_path: str, max_bytes: int, readers: AttachmentReaders) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.max_bytes = max_bytes
        self.readers = readers
        self.db: Any = None
        self.scheduled: set[tuple[str, str]] = set()
        self.received: dict[int, int] = {}  # id(request) → body bytes so far

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("GOVWATCH_ATTACHMENTS_ENABLED", True):
            raise NotConfigured("attachments switched off (GOVWATCH_ATTACHMENTS_ENABLED)")
        max_bytes = settings.getint("GOVWATCH_ATTACHMENT_MAX_BYTES", 30 * 1024 * 1024)
        limits = ReadLimits(max_bytes=max_bytes,
                            max_seconds=settings.getfloat("GOVWATCH_ATTACHMENT_READ_TIMEOUT", 30.0))
        readers = AttachmentReaders(settings.getint("GOVWATCH_ATTACHMENT_WORKERS", 1), limits)
        pipeline = cls(crawler, settings["GOVWATCH_DB"], max_bytes, readers)
        crawler.signals.connect(pipeline.headers_received, signal=signals.headers_received)
        crawler.signals.connect(pipeline.bytes_received, signal=signals.bytes_received)
        return pipeline

    def open_spider(self) -> None:
        self.db = open_db(self.db_path)

    def close_spider(self) -> None:
        self.crawler.stats.set_value("govwatch/attachments/reader_cpu_s", round(self.readers.cpu_s, 3))
        # 0 on an unchanged re-check: its files answer 304 and nothing is read (see `schedule`)
        self.crawler.stats.set_value("govwatch/attachments/readers_started", int(self.readers.executor is not None))
        self.readers.close()
        if self.db is not None:
            self.db.close()

    # -- scheduling -------------------------------------------------------------------------

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedArticle):
            links = (item.attachments or [])[:MAX_PER_ARTICLE]
            # an article we already hold: its stored files are asked for conditionally
            article = article_by_url(self.db, item.url) if links else None
            for link in links:
                self.schedule(item.url, link.get("url"), link.get("name"), link.get("type"),
                              article["id"] if article else None, warm=True)
        elif isinstance(item, ArticleNotModified):
            article = article_by_url(self.db, item.url)
            for row in article_attachments(self.db, article["id"]) if article else []:
                self.schedule(item.url, row["url"], row["name"], row["type"], article["id"], warm=False)
        return item

    def schedule(self, article_url: str, url: str | None, name: str | None, kind: str | None,
                 article_id: int | None = None, *, warm: bool = True) -> None:
        """Ask for one attachment; `warm` starts the readers now, so their start-up overlaps the
        download. Not for a 304 article's files: an unchanged re-check mostly gets 304s (or the
        same 404s) and nothing to read, and starting the readers there cost each 20-article
        re-check ~0.8 s of CPU in processes outside the crawl's own (bench/README.md, "Warm
        crawls"); a file that does come back is read by `read()`, which starts them then."""
        spider = self.crawler.spider
        if not url or (article_url, url) in self.scheduled:
            return
        stats = self.crawler.stats
        if not spider.on_site(url):
            stats.inc_value("govwatch/attachments/off_site")
            return
        self.scheduled.add((article_url, url))
        headers = {}
        if article_id is not None:
            validators = attachment_validators(self.db, article_id, url)
            if validators.get("etag"):
                headers["If-None-Match"] = validators["etag"]
            if validators.get("last_modified"):
                headers["If-Modified-Since"] = validators["last_modified"]
        stats.inc_value("govwatch/attachments/requested")
        if warm:
            self.readers.start()
        self.crawler.engine.crawl(Request(
            url, callback=self.parse_attachment, errback=self.failed, headers=headers,
            priority=ATTACHMENT_PRIORITY, dont_filter=True,  # the same file under two articles is two rows
            meta={META: {"article_url": article_url, "name": name, "type": kind},
                  "handle_httpstatus_list": [304, 404, 410],
                  # the page limit (DOWNLOAD_MAXSIZE) is for pages; ours is checked in the signals below
                  "download_maxsize": self.max_bytes + 1024 * 1024},
        ))

    # -- size limit ---------------------------------------------------------------------------

    def headers_received(self, headers: Any, body_length: int, request: Request, spider: Any) -> None:
        """Stop a file whose Content-Length is over the limit before its body is downloaded."""
        meta = request.meta.get(META)
        try:
            expected = int(body_length)
        except (TypeError, ValueError):
            expected = -1  # unknown (chunked): bytes_received keeps count
        if meta is not None and expected > self.max_bytes:
            meta["too_large"] = expected
            raise StopDownload(fail=False)

    def bytes_received(self, data: bytes, request: Request, spider: Any) -> None:
        """Stop a file without (or with a lying) Content-Length once its bytes pass the limit."""
        meta = request.meta.get(META)
        if meta is None:
            return
        key = id(request)
        self.received[key] = self.received.get(key, 0) + len(data)
        if self.received[key] > self.max_bytes:
            # Where the stream is cut depends on how its chunks arrived, so the count is no size
            # to store: two checks of the same file would differ and look like a new version.
            meta["too_large"] = UNDECLARED
            raise StopDownload(fail=False)

    # -- outcomes -----------------------------------------------------------------------------

    async def parse_attachment(self, response: Response) -> AttachmentFetched:
        """The attachment's outcome, which the store's pipeline writes in its batch with the pages
        (storage.outcome_writer.record_outcome: its article was queued there before it)."""
        meta = response.meta[META]
        self.received.pop(id(response.request), None)
        base = {"article_url": meta["article_url"], "source": self.source, "url": response.request.url,
                "name": meta["name"], "type": meta["type"], "http_status": response.status, "fetched_at": utc_now()}
        if response.status == 304:
            outcome = AttachmentFetched(**base, status="not_modified")
        elif meta.get("too_large") == UNDECLARED:
            outcome = AttachmentFetched(**base, status="too_large", reason=(
                f"over the {self.max_bytes}-byte attachment limit (its size was not declared): not fetched"))
        elif meta.get("too_large"):
            outcome = AttachmentFetched(**base, status="too_large", size=meta["too_large"], reason=(
                f"{meta['too_large']} bytes, over the {self.max_bytes}-byte attachment limit: not fetched"))
        elif response.status in (404, 410):
            outcome = AttachmentFetched(**base, status="fetch_failed", reason=f"HTTP {response.status}")
        else:
            body = response.body
            reading, compressed = await self.readers.read(body, meta["type"])
            outcome = AttachmentFetched(
                **base, status=reading.status, file_kind=reading.kind, size=len(body), body=compressed or b"",
                sha256=hashlib.sha256(body).hexdigest(), text=reading.text, reason=reading.reason,
                etag=_header(response, "ETag"), last_modified=_header(response, "Last-Modified"))
        self.crawler.stats.inc_value(f"govwatch/attachments/{outcome.status}")
        return outcome

    def failed(self, failure: Failure) -> AttachmentFetched:
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta[META]
        self.received.pop(id(request), None)
        tries = request.meta.get("retry_times", 0) + 1
        response = getattr(failure.value, "response", None)
        status = getattr(response, "status", None)
        reason = (f"HTTP {status}{tries_note(tries)}" if status else
                  failure_reason(failure.value, tries=tries, timeout=self.crawler.settings.getfloat("DOWNLOAD_TIMEOUT"),
                                 max_size=self.max_bytes))
        self.crawler.stats.inc_value("govwatch/attachments/fetch_failed")
        return AttachmentFetched(article_url=meta["article_url"], source=self.source, url=request.url,
                                 name=meta["name"], type=meta["type"], http_status=status, status="fetch_failed",
                                 reason=reason, fetched_at=utc_now())

    @property
    def source(self) -> str:
        return getattr(self.crawler.spider, "source_name", "")


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
