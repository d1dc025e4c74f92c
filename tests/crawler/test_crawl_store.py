"""The crawl's one store connection: shared by its components, closed when the engine stops."""

from __future__ import annotations

import sqlite3

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
