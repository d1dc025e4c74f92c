"""The crawl's one connection to the store, shared by the spider, the middlewares and the pipelines.

Why one: every connection to the store reads and parses its whole schema on its first statement
(~1 ms of CPU here, with the search index's tables and triggers), the first one also checks the
migrations, and the spider, the conditional-GET middleware, the storage pipeline and the
attachment pipeline each opened their own: four opens and four closes for a re-check of twenty
unchanged articles that costs ~0.2 s in all (bench/README.md, "Where a re-check's CPU went").

Sharing is safe because all of them use it on the reactor thread, one call at a time, and only
the storage pipeline writes (storage.outcome_writer, the one writer). It is opened, and the
store migrated, by whichever component asks first, and closed once the engine has stopped,
after every pipeline's close and every `spider_closed` handler.
"""

from __future__ import annotations

import sqlite_utils
from scrapy import signals
from scrapy.crawler import Crawler

from storage import open_db

_ATTRIBUTE = "govwatch_store"


def crawl_store(crawler: Crawler) -> sqlite_utils.Database:
    """The store named by the crawl's GOVWATCH_DB, opened on the first call of this crawl."""
    held = getattr(crawler, _ATTRIBUTE, None)
    if held is None:
        held = _CrawlStore(crawler, open_db(crawler.settings["GOVWATCH_DB"]))
        setattr(crawler, _ATTRIBUTE, held)
        # Connected weakly, to a method of an object the crawler holds: PyDispatcher keeps a
        # strong receiver in a module-level table keyed by the sender, so a closure over the
        # crawler (weak=False) kept every Crawler, its engine, spider and store alive for the
        # life of the process. A reused crawl process (crawler/crawl_worker.py) then held ~1,000
        # more objects after each crawl, and its collections grew by ~1.3 ms a crawl.
        crawler.signals.connect(held.close, signal=signals.engine_stopped)
    return held.db


class _CrawlStore:
    """One crawl's connection, and its closing when the engine has stopped."""

    def __init__(self, crawler: Crawler, db: sqlite_utils.Database) -> None:
        self.crawler = crawler
        self.db = db

    def close(self) -> None:
        if getattr(self.crawler, _ATTRIBUTE, None) is self:
            delattr(self.crawler, _ATTRIBUTE)
        self.db.close()
