"""Fetch each stored article's attachments in the same crawl, read them in workers, store them.

`AttachmentPipeline` comes after the store's pipeline (crawler/settings.py). For every article
page it sees it asks for the page's attachments; for every 304 article it asks again for the
attachments already stored, with their ETag / Last-Modified, since a 附件 is often replaced
under an unchanged page. The requests go through the crawl's own downloader: the source's
robots.txt, delays, concurrency and back-off apply, and only URLs on the source's site (its
hosts and ports, `SourceSpider.on_site`) are asked for. A file over GOVWATCH_ATTACHMENT_MAX_BYTES
(default 30 MB) is stopped as soon as its headers (or its bytes) say so and recorded with its
size as `too_large`; it is never cut and read in part. With GOVWATCH_ATTACHMENTS_READ=False the
files are still fetched, hashed and kept, their text not read (status `not_read`): the baseline
issue 23 measures the cost of reading against (bench/attachments.py).

The callback reads the file in worker processes (pool.py) and returns a
storage.outcomes.AttachmentFetched, which the store's pipeline writes with every other outcome
(storage.outcome_writer.record_outcome → storage.attachments.record_attachment_outcome): one
writer, and distributed mode's store writer can take the same record.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from crawler.crawl_store import crawl_store
from crawler.recheck import RecheckPolicy, attachment_due
from crawler.response_checks import failure_reason, tries_note
from storage.articles import article_by_url
from storage.attachments import article_attachments, attachment_validators
from storage.outcomes import ArticleNotModified, AttachmentFetched, FetchedArticle
from storage.raw_bodies import compress_plain
from storage.transactions import utc_now

from . import NOT_READ, AttachmentReading, ReadLimits
from .pool import AttachmentReaders
from .reading import read_again
from .same_bytes import ReadingsBySha
from .sniff import sniff

log = logging.getLogger(__name__)

META = "govwatch_attachment"
MAX_PER_ARTICLE = 30  # a page listing more "attachments" is a file index, not a notice
# After the article pages (10), before list pages (0). At 15 the files came with the pages: with
# readers at the crawl's priority the bench ratio fell from 0.75 to 0.48, at nice 19 (pool.py; now 10)
# it still came out lower than at 5 (0.72 against 0.77, six alternating rounds).
ATTACHMENT_PRIORITY = 5

UNDECLARED = "undeclared"  # meta["too_large"] of a file cut off by its bytes, not its Content-Length


class AttachmentFetcher:
    """What both ways of crawling share: the attachment's request, its size limit, and the
    outcome its response or failure gives. No SQLite here, so a distributed worker
    (crawler/attachments/distributed.py) uses it as the single-machine pipeline does.

    `readers` None: the files are fetched, hashed and kept, their text not read
    (GOVWATCH_ATTACHMENTS_READ=False, the issue's "without text extraction" baseline).
    """

    def __init__(self, crawler: Crawler, max_bytes: int, readers: AttachmentReaders | None) -> None:
        self.crawler = crawler
        self.max_bytes = max_bytes
        self.readers = readers
        self.received: dict[int, int] = {}  # id(request) → body bytes so far
        self.same_bytes = ReadingsBySha()  # a file linked from several articles is read once

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """The fetcher the settings ask for; NotConfigured when attachments are switched off."""
        settings = crawler.settings
        if not settings.getbool("GOVWATCH_ATTACHMENTS_ENABLED", True):
            raise NotConfigured("attachments switched off (GOVWATCH_ATTACHMENTS_ENABLED)")
        max_bytes = settings.getint("GOVWATCH_ATTACHMENT_MAX_BYTES", 30 * 1024 * 1024)
        readers = None
        if settings.getbool("GOVWATCH_ATTACHMENTS_READ", True):
            cpu_seconds = settings.getfloat("GOVWATCH_ATTACHMENT_READ_TIMEOUT", 30.0)
            limits = ReadLimits(max_bytes=max_bytes, max_seconds=cpu_seconds,
                                max_wall_seconds=max(ReadLimits.max_wall_seconds, 10 * cpu_seconds))
            readers = AttachmentReaders(settings.getint("GOVWATCH_ATTACHMENT_WORKERS", 1), limits)
        fetcher = cls(crawler, max_bytes, readers)
        crawler.signals.connect(fetcher.headers_received, signal=signals.headers_received)
        crawler.signals.connect(fetcher.bytes_received, signal=signals.bytes_received)
        return fetcher

    def request(self, article_url: str, url: str, name: str | None, kind: str | None,
                validators: dict[str, str] | None, *, callback: Any, errback: Any,
                meta: dict[str, Any] | None = None, warm: bool = True) -> Request:
        """The conditional GET of one attachment (validators: its stored ETag / Last-Modified).

        `warm` starts the readers now, so their start-up overlaps the download. Not for a 304
        article's files: an unchanged re-check mostly gets 304s (or the same 404s) and nothing to
        read, and starting the readers there cost each 20-article re-check ~0.8 s of CPU in
        processes outside the crawl's own (bench/README.md, "Warm crawls"); a file that does come
        back is read by `outcome()`, which starts them then."""
        validators = validators or {}
        # bytes with this SHA-256 need no reading: the store holds what reading them gives
        settled = self.readers is None or not read_again(validators.get("status"), validators.get("reason"))
        known_sha256 = validators.get("sha256") if settled else None
        headers = {}
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        self.crawler.stats.inc_value("govwatch/attachments/requested")
        if warm and self.readers is not None:
            self.readers.start()
        return Request(
            url, callback=callback, errback=errback, headers=headers,
            priority=ATTACHMENT_PRIORITY, dont_filter=True,  # the same file under two articles is two rows
            meta={**(meta or {}), META: {"article_url": article_url, "name": name, "type": kind,
                                         "known_sha256": known_sha256},
                  "handle_httpstatus_list": [304, 404, 410],
                  # the page limit (DOWNLOAD_MAXSIZE) is for pages; ours is checked in the signals below
                  "download_maxsize": self.max_bytes + 1024 * 1024},
        )

    def close(self) -> None:
        if self.readers is not None:
            self.crawler.stats.set_value("govwatch/attachments/reader_cpu_s", round(self.readers.cpu_s, 3))
            self.crawler.stats.set_value("govwatch/attachments/reader_start_cpu_s", round(self.readers.start_cpu_s, 3))
            self.crawler.stats.set_value("govwatch/attachments/reused_readings", self.same_bytes.reused)
            # 0 on an unchanged re-check: its files answer 304 and nothing is read (see `request`)
            self.crawler.stats.set_value("govwatch/attachments/readers_started",
                                         int(self.readers.executor is not None))
            self.readers.close()

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

    async def outcome(self, response: Response, source: str) -> AttachmentFetched:
        """What the attachment's response gave, its file read in a worker (or kept unread)."""
        meta = response.meta[META]
        self.received.pop(id(response.request), None)
        base = {"article_url": meta["article_url"], "source": source, "url": response.request.url,
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
        elif (sha256 := hashlib.sha256(response.body).hexdigest()) == meta.get("known_sha256"):
            # A 200 with the file we hold (a server without ETag / Last-Modified): as good as a 304.
            self.crawler.stats.inc_value("govwatch/attachments/same_file")
            outcome = AttachmentFetched(**base, status="not_modified", etag=_header(response, "ETag"),
                                        last_modified=_header(response, "Last-Modified"))
        else:
            body = response.body
            if self.readers is None:
                reading = AttachmentReading(NOT_READ, sniff(body), None,
                                            "text not read (GOVWATCH_ATTACHMENTS_READ is off)")
            else:
                readers = self.readers
                reading = await self.same_bytes.reading(sha256, meta["type"], lambda: readers.read(body, meta["type"]))
            # zstd in the reactor's thread pool (it releases the GIL): ~1 ms for 0.7 MB, ~40 ms for
            # a 30 MB file. Not asyncio.to_thread: its executor's idle thread would keep the crawl
            # process from exiting (crawler/__main__.py joins threads before the exit hooks run).
            compressed = await maybe_deferred_to_future(deferToThread(compress_plain, body))
            outcome = AttachmentFetched(
                **base, status=reading.status, file_kind=reading.kind, size=len(body), body=compressed,
                sha256=sha256, text=reading.text, reason=reading.reason,
                etag=_header(response, "ETag"), last_modified=_header(response, "Last-Modified"))
        self.crawler.stats.inc_value(f"govwatch/attachments/{outcome.status}")
        return outcome

    def failure_outcome(self, failure: Failure, source: str) -> AttachmentFetched:
        """The outcome of a request that failed for good (after its retries)."""
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
        return AttachmentFetched(article_url=meta["article_url"], source=source, url=request.url,
                                 name=meta["name"], type=meta["type"], http_status=status, status="fetch_failed",
                                 reason=reason, fetched_at=utc_now())


class AttachmentPipeline:
    """Asks for the attachments of stored articles and returns what each gave as an outcome."""

    def __init__(self, crawler: Crawler, fetcher: AttachmentFetcher) -> None:
        self.crawler = crawler
        self.fetcher = fetcher
        self.db: Any = None
        self.scheduled: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, AttachmentFetcher.from_crawler(crawler))

    def open_spider(self) -> None:
        self.db = crawl_store(self.crawler)

    def close_spider(self) -> None:
        self.fetcher.close()

    # -- scheduling -------------------------------------------------------------------------

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedArticle):
            links = (item.attachments or [])[:MAX_PER_ARTICLE]
            # an article we already hold: its stored files are asked for conditionally
            article = article_by_url(self.db, item.url) if links else None
            for link in links:
                self.schedule(item.url, link.get("url"), link.get("name"), link.get("type"),
                              article["id"] if article else None)
        elif isinstance(item, ArticleNotModified):
            article = article_by_url(self.db, item.url)
            now, policy = datetime.now(UTC), getattr(self.crawler.spider, "policy", None) or RecheckPolicy()
            for row in article_attachments(self.db, article["id"]) if article else []:
                if not attachment_due(row, now, policy):  # a dead link, asked for less often
                    self.crawler.stats.inc_value("govwatch/attachments/dead_link_not_due")
                    continue
                self.schedule(item.url, row["url"], row["name"], row["type"], article["id"], warm=False)
        return item

    def schedule(self, article_url: str, url: str | None, name: str | None, kind: str | None,
                 article_id: int | None = None, *, warm: bool = True) -> None:
        spider = self.crawler.spider
        if not url or (article_url, url) in self.scheduled:
            return
        if not spider.on_site(url):
            self.crawler.stats.inc_value("govwatch/attachments/off_site")
            return
        self.scheduled.add((article_url, url))
        validators = attachment_validators(self.db, article_id, url) if article_id is not None else None
        self.crawler.engine.crawl(self.fetcher.request(article_url, url, name, kind, validators, warm=warm,
                                                       callback=self.parse_attachment, errback=self.failed))

    # -- outcomes -----------------------------------------------------------------------------

    async def parse_attachment(self, response: Response) -> AttachmentFetched:
        """The attachment's outcome, which the store's pipeline writes in its batch with the pages
        (storage.outcome_writer.record_outcome: its article was queued there before it)."""
        return await self.fetcher.outcome(response, self.source)

    def failed(self, failure: Failure) -> AttachmentFetched:
        return self.fetcher.failure_outcome(failure, self.source)

    @property
    def source(self) -> str:
        return getattr(self.crawler.spider, "source_name", "")


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
