"""Fewer garbage collections in the crawl process.

Why: CPython runs a young-generation collection every 700 net allocations, and a crawl
allocates a great many short-lived objects per page (requests, responses, Deferreds and
coroutines, item dicts); every tenth young collection also walks the middle generation, and
full collections walk everything alive (modules, settings, the set of known URLs). The crawl
process makes little cyclic garbage, so collecting that often buys nothing: with a young
threshold of 50,000 and the start-up state frozen out of collections it spent ~0.5 ms (~6 %)
less CPU per page in interleaved A/B crawls of 3,000 light pages (bench/README.md), for
~9 MB more peak RSS.

Not in the extraction workers: there a page's lxml tree is often held by a reference cycle
(trafilatura's and lxml's proxies), so it is freed only by a collection, and the same setting
let each worker's RSS grow from ~40 to ~340 MB on the bench's mix of 100 KB pages.
"""

from __future__ import annotations

import gc
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

YOUNG_THRESHOLD = 50_000
# Middle and old generations: collected every 20 young, and every 100 middle, collections.
OLDER_THRESHOLDS = (20, 100)


def collect_less(young_threshold: int = YOUNG_THRESHOLD, freeze: bool = True) -> None:
    """Raise the collection thresholds and keep everything alive now out of later collections.

    Call once start-up is done: what exists then (modules, settings, compiled rules) lives
    as long as the process, so walking it again in every full collection is wasted. Start-up's
    own garbage is collected first, or it would be frozen with the rest.

    `freeze=False` in a process that runs one crawl after another (crawler/crawl_worker.py):
    there a crawl's start-up state (its Crawler, spider, settings, all held in reference
    cycles) dies with the crawl, and frozen it would never be collected.
    """
    if freeze:
        gc.collect()
        gc.freeze()
    gc.set_threshold(young_threshold, *OLDER_THRESHOLDS)


class GcTuningExtension:
    """collect_less() once the spider is open (GOVWATCH_GC_THRESHOLD; 0 keeps Python's defaults);
    without the freeze in a reused crawl process (GOVWATCH_REUSED_PROCESS)."""

    def __init__(self, threshold: int, freeze: bool = True) -> None:
        self.threshold = threshold
        self.freeze = freeze

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        threshold = crawler.settings.getint("GOVWATCH_GC_THRESHOLD", YOUNG_THRESHOLD)
        if threshold <= 0:
            raise NotConfigured
        extension = cls(threshold, freeze=not crawler.settings.getbool("GOVWATCH_REUSED_PROCESS"))
        # The spider's own start-up state (known URLs, list-page stats) is loaded by then.
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self) -> None:
        collect_less(self.threshold, self.freeze)
