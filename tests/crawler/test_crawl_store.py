"""The crawl's one store connection: shared by its components, closed when the engine stops."""

from __future__ import annotations

import gc
import sqlite3
import weakref

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler.crawl_store import crawl_store


def test_components_share_one_connection_until_the_engine_stops(tmp_path):
    crawler = get_crawler(settings_dict={"GOVWATCH_DB": str(tmp_path / "store.db")})
    db = crawl_store(crawler)
    assert crawl_store(crawler) is db  # the spider, the middleware and the pipelines get the same one
    assert "articles" in db.table_names()  # opened through open_db: created and migrated

    crawler.signals.send_catch_log(signal=signals.engine_stopped)
    with pytest.raises(sqlite3.ProgrammingError):  # closed
        db.execute("select 1")
    again = crawl_store(crawler)  # a later use (a test driving components by hand) opens a new one
    assert again is not db and again.execute("select 1").fetchone() == (1,)
    again.close()


def test_a_closed_crawl_store_does_not_keep_its_crawler_alive(tmp_path):
    """A reused crawl process runs crawl after crawl: a receiver PyDispatcher holds strongly
    kept every Crawler (engine, spider, store) alive, ~1,000 objects more after each crawl."""
    # MemoryUsage off: on this never-started crawler its engine_stopped raises, and the logged
    # traceback's frames would hold the crawler.
    crawler = get_crawler(settings_dict={"GOVWATCH_DB": str(tmp_path / "store.db"), "MEMUSAGE_ENABLED": False})
    db = crawl_store(crawler)
    crawler.signals.send_catch_log(signal=signals.engine_stopped)
    with pytest.raises(sqlite3.ProgrammingError):  # closed by its engine_stopped
        db.execute("select 1")
    gone = weakref.ref(crawler)
    del crawler
    gc.collect()
    assert gone() is None
