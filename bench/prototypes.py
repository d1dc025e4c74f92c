"""Bench-local prototypes of the speed-ups the profile points at, to measure before adopting them.

Nothing in crawler/ uses these; `python -m bench.profile_crawl --variants` switches them on
with `-s` settings on a real crawl and compares. Each is the smallest change that shows the
effect, written so the lead can move it into crawler/ as it is:

- `CompressedBodyMiddleware`: a gzip body is not text. Scrapy makes the still-compressed
  response an HtmlResponse (Content-Type text/html), and HttpCompressionMiddleware's
  `response.replace(body=…)` reads `.encoding` of it first — with no charset in the header
  that runs charset_normalizer over the compressed bytes (and logs ~100 debug records per
  page doing so). Handing HttpCompressionMiddleware a plain `Response` skips all of it; the
  decompressed HtmlResponse then reads its charset from `<meta>` as usual.
- `PooledExtractionPipeline`: `extract_page` in a `ProcessPoolExecutor`, awaited from an
  `async def process_item`, so the reactor keeps fetching and storing while workers extract.
- `BatchedStoragePipeline`: N items per write transaction instead of one BEGIN/COMMIT each.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Self

from scrapy.crawler import Crawler

from crawler.items import ArticlePage, FetchFailure
from crawler.pipelines import ExtractionPipeline, StoragePipeline
from storage.transactions import writing

# The order number for DOWNLOADER_MIDDLEWARES: process_response runs from high to low, so
# anything above HttpCompressionMiddleware (590) and below DownloaderStats (850) sees the
# response first (and DownloaderStats still counts the compressed bytes on the wire).
COMPRESSED_BODY_ORDER = 595


# Adopted: crawler/compression.py (kept importable here for older bench commands).
from crawler.compression import CompressedBodyMiddleware  # noqa: E402,F401


def _extract(body: bytes, url: str, encoding: str | None) -> tuple[dict[str, Any], float]:
    """The extraction, and the worker CPU it took (wait4 on the crawl never sees pool workers)."""
    from crawler.extraction import extract_page

    started = time.process_time()
    extracted = extract_page(body, url, declared_encoding=encoding).to_dict()
    return extracted, time.process_time() - started


def _warm() -> None:
    """Import the extractor (and load its rules) once per worker, not on the first page."""
    from crawler.extraction import extract_page

    extract_page(b"<html><body><p>warm</p></body></html>", "http://localhost/")


class PooledExtractionPipeline(ExtractionPipeline):
    """ExtractionPipeline with `extract_page` run in BENCH_EXTRACTION_WORKERS processes (default: cores)."""

    def __init__(self, crawler: Crawler, workers: int) -> None:
        super().__init__(crawler)
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings.getint("BENCH_EXTRACTION_WORKERS", os.cpu_count() or 1))

    def open_spider(self) -> None:
        # forkserver: no fork of a process running a reactor and its threads.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["crawler.extraction"])
        self.pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticlePage):
            return item
        loop = asyncio.get_running_loop()
        try:
            item.extracted, cpu_s = await loop.run_in_executor(self.pool, _extract, item.body, item.url, item.encoding)
            self.crawler.stats.inc_value("bench/worker_cpu_s", cpu_s)
        except Exception as exc:  # noqa: BLE001 — as ExtractionPipeline: a broken page is a failure, not a crash
            self.crawler.stats.inc_value("govwatch/extraction_failed")
            return FetchFailure(item.url, item.source, f"extraction failed: {type(exc).__name__}: {exc}")
        if not (item.extracted.get("text") or "").strip():
            self.crawler.stats.inc_value("govwatch/empty_text")
            return FetchFailure(item.url, item.source, "no article text found on the page", item.http_status)
        return item


class BatchedStoragePipeline(StoragePipeline):
    """StoragePipeline writing BENCH_STORAGE_BATCH items per transaction (flushed at close).

    Each item keeps its own savepoint (`writing` nests), so one bad item still rolls back
    alone; what is saved is the BEGIN IMMEDIATE/COMMIT pair and the WAL frame writes per item.
    A real version would also flush on `spider_idle` and on a timer, so a slow crawl's rows do
    not wait in memory.
    """

    def __init__(self, *args: Any, batch: int = 50, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch = batch
        self.pending: list[Any] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = super().from_crawler(crawler)
        pipeline.batch = crawler.settings.getint("BENCH_STORAGE_BATCH", 50)
        pipeline.pending = []
        return pipeline

    def process_item(self, item: Any) -> Any:
        self.pending.append(item)
        if len(self.pending) >= self.batch:
            self.flush()
        return item

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if pending:
            with writing(self.db):
                for item in pending:
                    super().process_item(item)

    def close_spider(self) -> None:
        self.flush()
        finish = getattr(super(), "close_spider", None)  # newer StoragePipelines close the run on spider_closed
        if finish is not None:
            finish()
