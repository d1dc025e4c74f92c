"""Extraction in the worker pool gives the store exactly what extraction in the crawl process does.

The demo crawls of the other tests are too small to start the pool (it starts after
GOVWATCH_EXTRACTION_POOL_AFTER pages), so these crawls start it at the first page and
compare, row for row, with crawls that extract in the crawl process.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from crawler.extraction_pool import Extracted, ExtractionPool, extract_for_store
from monitor.config import load_sources, source_as_record
from monitor.crawls import run_crawls
from storage import open_db
from storage.sources import sync_sources
from tests.conftest import DEMO_SOURCES, PROJECT_ROOT

IN_PROCESS = {"GOVWATCH_EXTRACTION_WORKERS": 0}
POOLED = {"GOVWATCH_EXTRACTION_WORKERS": 2, "GOVWATCH_EXTRACTION_POOL_AFTER": 0}
_STAT = re.compile(r"'govwatch/extracted_in_pool': (\d+)")


def crawl_demo(db_path: Path, base_url: str, settings: dict[str, Any]) -> list[dict[str, Any]]:
    sources = [s for s in load_sources(PROJECT_ROOT / "sources.yaml", demo_url=base_url) if s.name in DEMO_SOURCES]
    db = open_db(db_path)
    try:
        sync_sources(db, [source_as_record(s) for s in sources])
    finally:
        db.close()
    runs = run_crawls(db_path, DEMO_SOURCES, trigger="test", extra_settings=settings)
    assert [r["status"] for r in runs] == ["ok"] * len(DEMO_SOURCES), runs
    return runs


def stored(db_path: Path) -> dict[str, Any]:
    """What a reader of the store sees, without ids, times or raw bytes (the demo pages carry a hit
    counter, so no two fetches are byte-identical)."""
    conn = sqlite3.connect(db_path)
    try:
        articles = conn.execute(
            "select url, source, title, text, published, author, origin, publisher, doc_no, index_no, metadata,"
            " attachments, content_hash, status, version_count from articles order by url").fetchall()
        versions = conn.execute(
            "select a.url, v.version, v.content_hash, b.size > 0, length(v.raw_sha256)"
            " from article_versions v join articles a on a.id = v.article_id"
            " join raw_bodies b on b.sha256 = v.raw_sha256 order by a.url, v.version").fetchall()
        events = conn.execute("select kind, count(*) from events group by kind order by kind").fetchall()
        # The index is contentless: compare what it holds, every (token, column, offset) of every article.
        conn.execute("create virtual table temp.fts_instances using fts5vocab(main, articles_fts, 'instance')")
        search = conn.execute("select a.url, i.term, i.col, i.offset from temp.fts_instances i"
                              " join articles a on a.id = i.doc order by a.url, i.col, i.offset").fetchall()
        counters = conn.execute("select source, articles_new, articles_unchanged, errors from crawl_runs"
                                " order by source").fetchall()
    finally:
        conn.close()
    return {"articles": articles, "versions": versions, "events": events, "search": search, "counters": counters}


def pooled_pages(runs: list[dict[str, Any]]) -> int:
    return sum(int(m.group(1)) for r in runs if (m := _STAT.search(r.get("log_tail") or "")))


@pytest.mark.slow
def test_pooled_extraction_stores_what_in_process_extraction_stores(demo_site, tmp_path):
    baseline_runs = crawl_demo(tmp_path / "in-process.db", demo_site.base_url, IN_PROCESS)
    pooled_runs = crawl_demo(tmp_path / "pool.db", demo_site.base_url, POOLED)
    baseline = stored(tmp_path / "in-process.db")

    assert pooled_pages(baseline_runs) == 0
    new_articles = sum(r["articles_new"] for r in pooled_runs)
    assert new_articles == len(baseline["articles"]) > 40
    # Pages that arrive while the workers warm up are extracted in the crawl process: no page waits.
    # The pool was used (how many pages it took depends on how fast its workers start on a busy
    # machine: pages that arrive first are extracted in the crawl process meanwhile).
    assert 0 < pooled_pages(pooled_runs) <= new_articles
    assert stored(tmp_path / "pool.db") == baseline

    # The unchanged re-crawl through the pool: every article 304 or unchanged, nothing rewritten.
    again = run_crawls(tmp_path / "pool.db", DEMO_SOURCES, trigger="test", extra_settings=POOLED)
    assert sum(r["articles_new"] + r["articles_changed"] for r in again) == 0
    after = stored(tmp_path / "pool.db")
    assert (after["articles"], after["versions"], after["events"], after["search"]) == \
        (baseline["articles"], baseline["versions"], baseline["events"], baseline["search"])


ARTICLE = ("<html><head><meta charset='{charset}'><title>关于做好乡村振兴工作的通知</title></head><body>"
           "<h1>关于做好乡村振兴工作的通知</h1><p>" + "各乡镇人民政府：请认真贯彻落实乡村振兴战略，确保各项任务按时完成。" * 8
           + "</p></body></html>")
SCREENED = {  # name → (body, declared charset, what the screening must say)
    "article": (ARTICLE.format(charset="utf-8").encode(), "utf-8", {"encoding": "utf-8"}),
    "block page": ("<html><head><title>访问被拒绝</title></head><body><h1>访问被拒绝</h1>"
                   "<p>您的访问请求被网站安全防护拦截。</p></body></html>".encode(), "utf-8",
                   {"blocked": "block page: 访问被拒绝"}),
    "soft 404": ("<html><head><title>提示</title></head><body><p>对不起，您访问的页面不存在或已被删除！</p>"
                 "</body></html>".encode(), "utf-8", {"soft_404": "soft 404: 页面不存在"}),
    "GBK labelled UTF-8": (ARTICLE.format(charset="utf-8").encode("gbk"), "utf-8",
                           {"encoding": "gb18030",
                            "charset_note": "charset lie: declared utf-8, decoded as gb18030 (article kept)"}),
}


def test_pages_are_screened_in_the_workers_as_in_the_crawl_process():
    """Block pages, soft 404s and charset lies are judged where pages are extracted: a worker
    must judge them exactly as the crawl process does (small crawls never start the pool)."""
    pool = ExtractionPool(workers=1, start_after=0)

    async def through_pool() -> dict[str, Extracted]:
        while not pool.ready():
            await asyncio.sleep(0.05)
        return {name: await pool.extract(body, "http://127.0.0.1/gov/t20230630_1.html", "utf-8", (), declared)
                for name, (body, declared, _) in SCREENED.items()}

    try:
        pooled = asyncio.run(asyncio.wait_for(through_pool(), timeout=60))
    finally:
        pool.close()
    for name, (body, declared, expected) in SCREENED.items():
        here = extract_for_store(body, "http://127.0.0.1/gov/t20230630_1.html", "utf-8", (), declared)
        assert pooled[name] == here, name
        screening = here.screening
        for key, value in expected.items():
            assert getattr(screening, key) == value, (name, key)
        if screening.is_article:
            assert "乡村振兴" in here.fields["text"] and here.prepared is not None
        else:
            assert here.prepared is None


def test_pool_starts_when_new_articles_are_scheduled_not_when_known_ones_are():
    """A first crawl starts its workers while its first pages are still being fetched; a re-check
    of articles we hold (mostly 304s, nothing to extract) never starts them."""
    from scrapy import Request

    from crawler.pipelines import ExtractionPipeline

    pool = ExtractionPool(workers=1, start_after=2)
    pipeline = ExtractionPipeline(crawler=None, pool=pool)  # request_scheduled needs no crawler
    try:
        for n in range(10):
            pipeline.request_scheduled(Request(f"http://127.0.0.1/gov/known_{n}.html",
                                               meta={"govwatch_article": True, "govwatch_new_article": False}))
        pipeline.request_scheduled(Request("http://127.0.0.1/gov/index_1.html"))  # a list page
        for _ in range(5):  # one new article linked from five list pages: the duplicate filter drops four
            pipeline.request_scheduled(Request("http://127.0.0.1/gov/new_0.html",
                                               meta={"govwatch_article": True, "govwatch_new_article": True}))
        assert not pool.started and pool.seen == 0 and pool.expected == 1
        for n in range(3):
            pipeline.request_scheduled(Request(f"http://127.0.0.1/gov/new_{n}.html",
                                               meta={"govwatch_article": True, "govwatch_new_article": True}))
        assert pool.started and pool.expected == 3 and pool.seen == 0
    finally:
        pool.close()
