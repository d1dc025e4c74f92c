"""Distributed crawling for real: redis-server, two worker processes, the store writer, the demo site.

The claims under test: every demo article is stored exactly once (one row, one `new` event)
when two workers share the frontier, and still when one of them is SIGKILLed mid-crawl —
its leased requests come back to the frontier once its heartbeat expires.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import DEMO_SOURCES, PROJECT_ROOT
from tests.distributed.cluster import NO_REDIS, Cluster, redis_server

pytestmark = [pytest.mark.long, pytest.mark.slow, pytest.mark.skipif(bool(NO_REDIS), reason=NO_REDIS)]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A throw-away redis-server on 127.0.0.1, no persistence."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def clean_redis(redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    return redis_url


def sync_demo_sources(db_path: Path, base_url: str, politeness: dict | None = None) -> None:
    from monitor.config import load_sources, source_as_record
    from storage import open_db
    from storage.sources import sync_sources

    records = [source_as_record(s) for s in load_sources(PROJECT_ROOT / "sources.yaml", demo_url=base_url)
               if s.name in DEMO_SOURCES]
    for record in records:
        if politeness:
            record["politeness"] = {**record["politeness"], **politeness}
    db = open_db(db_path)
    try:
        sync_sources(db, records)
    finally:
        db.close()


@pytest.fixture
def cluster(clean_redis, tmp_path):
    c = Cluster(clean_redis, tmp_path / "govwatch.db", tmp_path)
    yield c
    c.shutdown()


def enqueue_demo(cluster: Cluster) -> list[int]:
    from monitor.distributed import enqueue_crawl

    return [enqueue_crawl(cluster.redis_url, cluster.db_path, name) for name in DEMO_SOURCES]


def assert_stored_once(db_path: Path, site) -> None:
    """Every live demo article stored once, under the right source, with exactly one `new` event."""
    from storage import open_db

    expected = Counter(f"demo-{a['source']}" for a in site.catalogue())
    db = open_db(db_path)
    try:
        stored = Counter({r["source"]: r["n"] for r in db.query("select source, count(*) n from articles group by source")})
        urls = [r["url"] for r in db.query("select url from articles")]
        new_events = Counter(r["article_id"] for r in db.query("select article_id from events where kind = 'new'"))
        article_ids = {r["id"] for r in db.query("select id from articles")}
    finally:
        db.close()
    assert stored == expected
    assert len(urls) == len(set(urls)) == sum(expected.values())
    assert set(new_events) == article_ids and set(new_events.values()) == {1}
    catalogue_urls = {a["url"] for a in site.catalogue()}
    assert set(urls) == catalogue_urls


def test_two_workers_store_every_article_once(cluster, demo_site):
    sync_demo_sources(cluster.db_path, demo_site.base_url)
    cluster.start_writer()
    for worker in ("w1", "w2"):
        cluster.start_worker(worker)
    runs = cluster.wait_for_runs(enqueue_demo(cluster), timeout=40)

    assert {r["status"] for r in runs} == {"ok"}, cluster.logs()
    assert_stored_once(cluster.db_path, demo_site)
    assert sum(r["articles_new"] for r in runs) == len(demo_site.catalogue())
    assert all(r["pages_fetched"] > 0 for r in runs)

    # A re-crawl is not filtered by the first one's duplicate filter: articles are checked
    # again (304s, from the validators sent in the run's context) and nothing is new.
    again = cluster.wait_for_runs(enqueue_demo(cluster), timeout=30)
    assert {r["status"] for r in again} == {"ok"}, cluster.logs()
    assert sum(r["articles_new"] for r in again) == 0
    assert all(r["pages_fetched"] > 0 and r["not_modified"] > 0 for r in again)
    assert_stored_once(cluster.db_path, demo_site)


def test_a_killed_worker_loses_nothing(cluster, demo_site):
    import redis

    from crawler.frontier import Keys

    # One request at a time per host, 0.15 s apart, so the crawl lasts long enough to kill into.
    sync_demo_sources(cluster.db_path, demo_site.base_url, {"download_delay": 0.15, "concurrent_requests": 1})
    cluster.start_writer()
    victim = cluster.start_worker("victim")
    cluster.start_worker("survivor")
    run_ids = enqueue_demo(cluster)

    server, keys = redis.Redis.from_url(cluster.redis_url), Keys()
    deadline = time.monotonic() + 20
    held = 0
    while not held:
        assert time.monotonic() < deadline, "the victim never took a request:\n" + cluster.logs()
        time.sleep(0.05)
        if not (server.hlen(keys.leases("victim")) and server.hget(keys.run(run_ids[0], "stats"), "pages")):
            continue
        # Frozen before its leases are counted: a victim that finished its last leased request
        # between the count and the kill had nothing left to lose, and the test read that as a loss.
        victim.send_signal(signal.SIGSTOP)
        held = server.hlen(keys.leases("victim"))
        if not held:
            victim.send_signal(signal.SIGCONT)
    victim.send_signal(signal.SIGKILL)
    victim.wait()

    runs = cluster.wait_for_runs(run_ids, timeout=45)
    assert held >= 1
    assert not server.exists(keys.leases("victim"))  # handed back by the survivor or the writer
    assert int(server.get(f"{keys.prefix}:requeued") or 0) >= 1
    assert {r["status"] for r in runs} == {"ok"}, cluster.logs()
    assert_stored_once(cluster.db_path, demo_site)


def test_nothing_imports_redis_in_single_machine_mode():
    import subprocess
    import sys

    code = ("import sys, monitor.cli, monitor.distributed_cli, monitor.service, crawler.pipelines; "
            "sys.exit('redis' in sys.modules or 'scrapy_redis' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=False).returncode == 0


def test_a_writer_killed_after_its_commit_writes_each_page_once(clean_redis, demo_site, tmp_path):
    """Committed but not acknowledged: the entries come back, and the stored offset skips them."""
    import redis

    from crawler.distributed import item_message
    from crawler.frontier import STREAM_GROUP, Keys
    from monitor.distributed import StoreWriter, enqueue_crawl
    from storage import open_db
    from storage.outcomes import FetchedArticle

    db_path = tmp_path / "govwatch.db"
    sync_demo_sources(db_path, demo_site.base_url)
    run_id = enqueue_crawl(clean_redis, db_path, "demo-gov")
    server, keys = redis.Redis.from_url(clean_redis), Keys()
    for i in range(3):
        page = FetchedArticle(url=f"{demo_site.base_url}/gov/2021/01/t20210101_{i}.html", source="demo-gov",
                              body=f"<p>第{i}篇</p>".encode(), title=f"标题{i}", text=f"第{i}篇正文")
        server.xadd(keys.items, item_message(run_id, page))

    class Killed(Exception):
        pass

    def killed_before_ack(*args, **kwargs):
        raise Killed

    first = StoreWriter(clean_redis, db_path, block_ms=100)
    first.server.pipeline = killed_before_ack  # the XACK never happens
    with pytest.raises(Killed):
        first.run(until=lambda: True)
    assert server.xpending(keys.items, STREAM_GROUP)["pending"] == 3

    StoreWriter(clean_redis, db_path, block_ms=100).run(until=lambda: True)
    assert server.xpending(keys.items, STREAM_GROUP)["pending"] == 0
    db = open_db(db_path)
    try:
        assert db.execute("select count(*) from articles").fetchone()[0] == 3
        assert db.execute("select count(*) from events where kind = 'new'").fetchone()[0] == 3
        run = db["crawl_runs"].get(run_id)
        assert (run["articles_new"], run["articles_unchanged"]) == (3, 0)  # not applied a second time
    finally:
        db.close()


def test_the_scheduler_service_drives_the_workers(clean_redis, demo_site, tmp_path):
    """`govwatch run --redis-url`: the service enqueues due sources and writes what two workers crawl."""
    import sys

    from tests.monitor.test_service import runs as runs_of
    from tests.monitor.test_service import wait_for

    config = tmp_path / "sources.yaml"
    config.write_text((PROJECT_ROOT / "sources.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    cluster = Cluster(clean_redis, tmp_path / "govwatch.db", tmp_path)
    service = subprocess.Popen(
        [sys.executable, "-m", "monitor", "run", "--db", str(cluster.db_path), "--config", str(config),
         "--demo-url", demo_site.base_url, "--poll", "0.5", "--redis-url", clean_redis,
         "--subscriptions", str(tmp_path / "none.yaml")],
        cwd=PROJECT_ROOT, stdout=open(tmp_path / "service.log", "wb"),  # noqa: SIM115 - the service owns it until it exits
        stderr=subprocess.STDOUT)
    try:
        for worker in ("w1", "w2"):
            cluster.start_worker(worker)

        def all_closed() -> bool:
            found = [runs_of(cluster.db_path, name) for name in DEMO_SOURCES]
            return all(r and r[0]["status"] != "running" for r in found)

        wait_for(all_closed, 60, "the four demo runs queued by the service to close")
        assert {runs_of(cluster.db_path, name)[0]["status"] for name in DEMO_SOURCES} == {"ok"}, cluster.logs()
        assert_stored_once(cluster.db_path, demo_site)
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=60)
        cluster.shutdown()
    assert service.returncode == 0, (tmp_path / "service.log").read_text(errors="replace")[-3000:]
