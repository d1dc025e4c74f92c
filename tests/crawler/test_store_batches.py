"""StoragePipeline's batched writes: one transaction per batch, a bad item rolled back alone,
a batch that cannot commit kept for the next flush.

The pipeline runs on a real SQLite file with a Scrapy crawler object (stats, settings); the
pages are extracted by the real extractor.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from crawler.extraction_pool import extract_for_store
from crawler.pipelines import StoragePipeline
from storage import open_db
from storage.outcomes import FetchedArticle, FetchFailure, ListPageFetched
from storage.sources import sync_sources

SOURCE = "batch-test"


def page(n: int, source: str = SOURCE) -> FetchedArticle:
    url = f"http://127.0.0.1/articles/{n}.html"
    body = (f"<html><head><title>第{n}号通知</title></head><body><h1>第{n}号通知</h1>"
            f"<p>关于做好乡村振兴第{n}项重点工作的通知，请各乡镇认真贯彻落实，确保各项任务按时完成。</p>"
            "</body></html>").encode()
    extracted = extract_for_store(body, url, "utf-8")
    return FetchedArticle(url, source, body, headers={"etag": f'"{n}"'}, **extracted.fields,
                          prepared=extracted.prepared)


@pytest.fixture
def pipeline(tmp_path: Path):
    db_path = tmp_path / "store.db"
    db = open_db(db_path)
    sync_sources(db, [{"name": SOURCE, "url": "http://127.0.0.1/", "kind": "list"}])
    db.close()
    crawler = get_crawler(settings_dict={"GOVWATCH_DB": str(db_path), "GOVWATCH_STORE_BATCH": 50})
    crawler.spider = SimpleNamespace(source_name=SOURCE, config={})
    pipeline = StoragePipeline.from_crawler(crawler)
    pipeline.open_spider()
    statements: list[str] = []
    pipeline.db.conn.set_trace_callback(statements.append)
    pipeline.statements = statements
    yield pipeline
    if pipeline.timer is not None and pipeline.timer.running:
        pipeline.timer.stop()
    pipeline.db.close()


def stored_urls(pipeline: StoragePipeline) -> list[str]:
    conn = sqlite3.connect(pipeline.crawler.settings["GOVWATCH_DB"])
    try:
        return [r[0] for r in conn.execute("select url from articles order by id")]
    finally:
        conn.close()


def fetch_errors(pipeline: StoragePipeline) -> list[tuple[str, str]]:
    conn = sqlite3.connect(pipeline.crawler.settings["GOVWATCH_DB"])
    try:
        return conn.execute("select url, reason from fetch_errors order by id").fetchall()
    finally:
        conn.close()


def stat(pipeline: StoragePipeline, key: str) -> Any:
    return pipeline.crawler.stats.get_value(key)


def test_a_batch_is_one_transaction_without_savepoints(pipeline):
    items = [page(n) for n in range(5)]
    for item in items:
        pipeline.process_item(item)
    assert stored_urls(pipeline) == []  # not yet due: 5 of 50, and not a second old
    pipeline.flush()
    assert stored_urls(pipeline) == [i.url for i in items]
    begins = [s for s in pipeline.statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE"]
    assert not [s for s in pipeline.statements if "SAVEPOINT" in s.upper()]
    assert stat(pipeline, "govwatch/articles/new") == 5
    assert stat(pipeline, "govwatch/store_batch_replayed") is None


def test_a_bad_item_is_rolled_back_alone_and_logged(pipeline):
    # The middle page names a source the store does not hold (removed while the crawl ran):
    # its insert breaks the foreign key, the rest of the batch must still be stored.
    items = [page(1), page(2, source="removed-source"), page(3)]
    failure = FetchFailure("http://127.0.0.1/broken.html", SOURCE, "HTTP 500", 500)
    visit = ListPageFetched("http://127.0.0.1/list.html", SOURCE, new_links=3)
    for item in [*items, failure, visit]:
        pipeline.process_item(item)
    pipeline.flush()
    assert stored_urls(pipeline) == [items[0].url, items[2].url]
    (bad_url, bad_reason), failed = fetch_errors(pipeline)
    assert bad_url == items[1].url and bad_reason.startswith("store failed: IntegrityError")
    assert failed == (failure.url, "HTTP 500")
    # Counted once, after the commit: the rolled-back first attempt left nothing behind.
    assert stat(pipeline, "govwatch/store_batch_replayed") == 1
    assert stat(pipeline, "govwatch/articles/new") == 2
    assert stat(pipeline, "govwatch/articles/error") == 1
    assert stat(pipeline, "govwatch/store_failed") == 1
    assert pipeline.list_visits == [visit]
    conn = sqlite3.connect(pipeline.crawler.settings["GOVWATCH_DB"])
    try:
        events = conn.execute("select count(*) from events where kind = 'new'").fetchone()[0]
        versions = conn.execute("select count(*) from article_versions").fetchone()[0]
        run = conn.execute("select articles_new, errors from crawl_runs where id = ?", [pipeline.run_id]).fetchone()
    finally:
        conn.close()
    assert (events, versions) == (2, 2)
    assert run == (2, 2)  # the 500 and the store failure; nothing counted twice by the replay


def test_a_batch_that_cannot_take_the_lock_is_kept_for_the_next_flush(pipeline):
    pipeline.db.execute("PRAGMA busy_timeout = 100")
    items = [page(n) for n in range(3)]
    visit = ListPageFetched("http://127.0.0.1/list.html", SOURCE, new_links=3)
    other = sqlite3.connect(pipeline.crawler.settings["GOVWATCH_DB"], isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock past our busy timeout
        for item in [*items, visit]:
            pipeline.process_item(item)
        pipeline.flush()
        assert pipeline.pending == [*items, visit]
        assert pipeline.list_visits == []
        assert stat(pipeline, "govwatch/store_batch_retried") == 1
        other.execute("COMMIT")
    finally:
        other.close()
    pipeline.flush()
    assert pipeline.pending == []
    assert stored_urls(pipeline) == [i.url for i in items]
    assert pipeline.list_visits == [visit]
    assert stat(pipeline, "govwatch/articles/new") == 3


def test_a_batch_still_unwritten_when_the_crawl_closes_degrades_the_run(pipeline, monkeypatch):
    """Two tries at the close; what is still unwritten is counted, logged and named in the run's
    message (a run that lost outcomes is never "ok"), and no list visit is kept for it."""
    pipeline.db.execute("PRAGMA busy_timeout = 100")
    items = [page(n) for n in range(3)]
    other = sqlite3.connect(pipeline.crawler.settings["GOVWATCH_DB"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # held through both of the close's tries
    tries = []
    flush = pipeline.flush

    def flush_then_release() -> None:
        flush()
        tries.append(len(pipeline.pending))
        if len(tries) == 2:
            other.execute("COMMIT")  # so the run itself can be closed

    try:
        for item in items:
            pipeline.process_item(item)
        pipeline.process_item(ListPageFetched("http://127.0.0.1/list.html", SOURCE, new_links=3))
        monkeypatch.setattr(pipeline, "flush", flush_then_release)
        pipeline.crawler.stats.set_value("downloader/response_count", 4)
        pipeline.crawler.stats.set_value("govwatch/article_pages", 3)
        pipeline.spider_closed(pipeline.crawler.spider, "finished")
    finally:
        other.close()
    assert tries == [4, 4]
    assert stat(pipeline, "govwatch/store_unwritten") == 4
    conn = sqlite3.connect(pipeline.crawler.settings["GOVWATCH_DB"])
    try:
        status, message = conn.execute("select status, message from crawl_runs").fetchone()
        assert conn.execute("select count(*) from list_pages").fetchone()[0] == 0
    finally:
        conn.close()
    assert status == "failed" and "4 outcome(s) could not be written" in message
    assert stored_urls(pipeline) == []
