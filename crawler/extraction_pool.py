"""extract_page in worker processes, so a crawl uses every core.

A Scrapy crawl is one process and its reactor one core; extraction is most of the CPU a new
page costs (bench/README.md). With extraction in a pool, the reactor fetches, parses list
pages and writes to the store while the workers extract: both cores busy, one crawl.

The pool is started once a crawl has scheduled more than `start_after` requests for articles it
does not hold (or has extracted that many pages in its own process: changed articles), and
used only once every worker is warm, so small crawls (tests, the demo, re-checks that are
mostly 304s) never pay for starting it and no page waits for a worker to boot. Counting
scheduled requests starts the workers while the first pages are still being fetched: on a
first crawl the pool is warm about a second earlier than when counting extracted pages.

Workers come from a forkserver that has imported the extractor once: a fork of the crawl
process itself would copy a running reactor and its threads (and their locks). In a crawl forked
from the fork server that forkserver is a copy of the crawl made before Scrapy started
(crawler/pool_server.py), with everything already imported and warm; in a spawned crawl it is
multiprocessing's own, a new Python that imports the preload list below.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import re
import resource
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from crawler.orphan_guard import exit_with_process
from crawler.screening import Screening, screen_article
from storage.prepared import PreparedContent, prepare_content

log = logging.getLogger(__name__)

# A pool that broke this many times (a worker killed by the OOM killer, a crash in lxml) is
# not started again: the rest of the crawl extracts in its own process.
MAX_RESTARTS = 3

_cpu_reported = 0.0  # in a worker: process CPU already reported with earlier results


def extract_for_store(body: bytes, url: str, encoding: str | None, ignore: tuple[str, ...] = (),
                      declared: str | None = None, anchor: str | None = None,
                      list_date: str | None = None) -> Extracted:
    """Everything a page costs before its SQL: the screening (block page, soft 404, charset),
    extraction, the source's ignore patterns, and the store's own CPU work (fingerprint, gzip,
    search tokens). The same in a worker and in the crawl process.

    `encoding`: what the crawler would decode with; `declared`: the charset the response
    claimed, checked for the GBK/UTF-8 lies (crawler/screening.py); `anchor`: the list page's
    link text for this article, which the title choice may prefer (crawler/extraction), and
    `list_date` the date it showed beside it, a date source when the page gives none of its own.
    The fields come back under the store's names (storage.outcomes.CONTENT_FIELDS).
    """
    from crawler.extraction import extract_page
    from crawler.extraction.fallback import NO_TEXT

    screening = screen_article(body, declared, encoding)
    if not screening.is_article:
        return Extracted({}, None, screening)
    fields = content_fields(extract_page(body, url, declared_encoding=screening.encoding, anchor=anchor,
                                         list_date=list_date).to_dict())
    if ignore:
        fields["text"] = strip_ignored(fields["text"], [re.compile(p) for p in ignore])
    if not fields["text"].strip():
        if not is_textless_article(fields, body, screening.encoding, anchor):
            return Extracted(fields, None, screening)
        fields.update(text="", body_method=NO_TEXT, confidence=0.0, low_confidence=True)
    return Extracted(fields, prepare_content(fields, body), screening)


def content_fields(found: dict[str, Any]) -> dict[str, Any]:
    """The extractor's fields (crawler.extraction.ExtractedPage) under the store's column names
    (storage.outcomes.CONTENT_FIELDS): `date` is `published`, `source` (来源) is `origin`, and
    the category and language go into the metadata.

    The one place the two vocabularies meet: the extractor keeps the names of the gold files it
    is scored on (truth.jsonl: date, source), the store the names of its columns.
    """
    metadata = dict(found.get("metadata") or {})
    for key in ("category", "language"):
        if found.get(key):
            metadata.setdefault(key, found[key])
    return {
        "title": found.get("title"),
        "text": found.get("text") or "",
        "published": found.get("date"),
        "author": found.get("author"),
        "origin": found.get("source"),
        "publisher": found.get("publisher"),
        "doc_no": found.get("doc_no"),
        "index_no": found.get("index_no"),
        "metadata": metadata,
        "attachments": list(found.get("attachments") or []),
        "body_method": found.get("body_method"),
        "confidence": found.get("confidence"),
        "low_confidence": bool(found.get("low_confidence")),
    }


def is_textless_article(fields: dict[str, Any], body: bytes, encoding: str | None, anchor: str | None) -> bool:
    """A page with no body text that is still the article its list named, so it is stored.

    Government notices are often an image of the document or a line of 附件 whose file the
    site serves elsewhere; refusing them hid new (and withdrawn) notices from the digest
    (realsites-dev: 66 of 637 start-linked articles). A page counts when it lists attachments
    or shows the headline the list linked it with; anything else with no text (an error page,
    a placeholder) is still refused. Parsed again here: this is the rare empty-text case.
    """
    if fields.get("attachments"):
        return True
    if not (anchor and anchor.strip()):
        return False
    import lxml.html

    from crawler.extraction import decode_html
    from crawler.extraction.decode import whole_document
    from crawler.extraction.title import shows_listed_headline

    try:
        root = lxml.html.fromstring(whole_document(decode_html(body, encoding)))
    except (ValueError, lxml.etree.ParserError):
        return False
    return shows_listed_headline(root, anchor)


def strip_ignored(text: str, patterns: list[re.Pattern[str]]) -> str:
    """The text without what the source's ignore patterns match (lines left empty are dropped)."""
    for pattern in patterns:
        text = pattern.sub("", text)
    return "\n".join(line for line in text.split("\n") if line.strip())


@dataclass
class Extracted:
    """A page's screening, its extracted fields (the store's names: storage.outcomes.CONTENT_FIELDS),
    and the store's pre-computed part (None when there is no text, or the page is not the article)."""

    fields: dict[str, Any]
    prepared: PreparedContent | None
    screening: Screening


def extract_in_worker(body: bytes, url: str, encoding: str | None, ignore: tuple[str, ...] = (),
                      declared: str | None = None, anchor: str | None = None,
                      list_date: str | None = None) -> tuple[Extracted, WorkerUsage]:
    """`extract_for_store`, and the worker's CPU since its last result and peak RSS (a crawl's
    rusage never sees pool workers, so they report their own: start-up and IPC included)."""
    global _cpu_reported
    extracted = extract_for_store(body, url, encoding, ignore, declared, anchor, list_date)
    now = time.process_time()
    spent, _cpu_reported = now - _cpu_reported, now
    # A worker is forked, never exec'd: its ru_maxrss is its own peak (one syscall, no /proc read per page).
    return extracted, WorkerUsage(os.getpid(), spent, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


@dataclass
class WorkerUsage:
    """What one result cost its worker: CPU seconds since the last result, peak RSS so far (KB)."""

    pid: int
    cpu_s: float
    peak_rss_kb: int


def _warm() -> WorkerUsage:
    """Load the extractor's rules and trafilatura's lazy parts before the first real page."""
    _, usage = extract_in_worker(b"<html><body><h1>warm</h1><p>warm up the extractor</p></body></html>",
                                 "http://localhost/warm.html", "utf-8")
    return usage


def peak_rss_kb() -> int:
    """This process's own peak resident memory (KB): VmHWM of its address space.

    Not getrusage's ru_maxrss: Linux carries the high-water mark across exec, so a process
    started by a big parent (fork/vfork, then exec) reports the parent's RSS as its own peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class ExtractionPool:
    """A lazily started ProcessPoolExecutor for `extract_page`, with its own readiness."""

    def __init__(self, workers: int, start_after: int) -> None:
        self.workers = workers
        self.start_after = start_after
        self.seen = 0
        self.expected = 0  # articles we do not hold that requests were scheduled for (each URL once)
        self._expected_urls: set[str] = set()
        self.restarts = 0
        self.executor: ProcessPoolExecutor | None = None
        self.warming: list[Future[WorkerUsage]] = []
        self.cpu_s = 0.0  # every worker's CPU, as reported with results
        self.peak_rss_kb: dict[int, int] = {}  # worker pid → its peak RSS

    def expect_new_article(self, url: str) -> None:
        """Count one article we do not hold that a request was scheduled for: its page will need
        extracting. Each URL once: the same article is scheduled again from other list pages and
        Scrapy's duplicate filter drops it after this signal (the demo's 14-article column was
        counted as 21 and started a pool that never extracted a page)."""
        if self.executor is not None or url in self._expected_urls:
            return
        self._expected_urls.add(url)
        self.expected += 1
        if self.expected > self.start_after and self.restarts < MAX_RESTARTS:
            self._start()
            self._expected_urls.clear()  # counted only until the pool starts

    @property
    def started(self) -> bool:
        return self.executor is not None

    def ready(self) -> bool:
        """Count one page; start the pool when due; True once every worker is warm."""
        self.seen += 1
        if self.executor is None:
            if self.seen > self.start_after and self.restarts < MAX_RESTARTS:
                self._start()
            return False
        if self.warming:
            if not all(f.done() for f in self.warming):
                return False
            for f in self.warming:
                try:
                    self.account(f.result())
                except BrokenProcessPool:
                    self._broken("while warming up")
                    return False
            self.warming = []
        return True

    async def extract(self, body: bytes, url: str, encoding: str | None, ignore: tuple[str, ...] = (),
                      declared: str | None = None, anchor: str | None = None,
                      list_date: str | None = None) -> Extracted:
        """Extract in a worker; raises BrokenProcessPool if the worker died (the pool is restarted)."""
        assert self.executor is not None
        try:
            extracted, usage = await asyncio.wrap_future(
                self.executor.submit(extract_in_worker, body, url, encoding, ignore, declared, anchor, list_date))
        except BrokenProcessPool:
            self._broken(f"extracting {url}")
            raise
        self.account(usage)
        return extracted

    def account(self, usage: WorkerUsage) -> None:
        self.cpu_s += usage.cpu_s
        self.peak_rss_kb[usage.pid] = max(usage.peak_rss_kb, self.peak_rss_kb.get(usage.pid, 0))

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def _start(self) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["crawler.extraction", "crawler.extraction_pool", "crawler.screening"])
        # initializer: workers end with this crawl, even when it is killed -9 (crawler/orphan_guard.py)
        self.executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=exit_with_process,
                                            initargs=(os.getpid(),))
        # One warm-up task per worker: with forkserver, each submit spawns a worker until all are up.
        self.warming = [self.executor.submit(_warm) for _ in range(self.workers)]
        log.info("extraction pool: %d worker(s) started (%d new articles scheduled, %d pages extracted)",
                 self.workers, self.expected, self.seen)

    def _broken(self, doing: str) -> None:
        self.restarts += 1
        log.error("extraction pool broke %s (a worker died); %s", doing,
                  "restarting it" if self.restarts < MAX_RESTARTS else "extracting in the crawl process from now on")
        executor, self.executor, self.warming = self.executor, None, []
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
