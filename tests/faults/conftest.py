"""Fixtures of the fault tests: the fault site on 127.0.0.1, its sources file, and crawls of it,
on one machine (`govwatch crawl`) or distributed (a worker process and the store writer over a
real redis-server): `crawl_mode` runs a test module's story in both."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import govwatch
from tests.distributed.cluster import NO_REDIS, Cluster, redis_server
from tests.faults.server import FaultSite

# Small timeouts and back-off so the faults cost seconds, not the real defaults' minutes.
FAST_POLITENESS = {"autothrottle": False, "download_delay": 0, "concurrent_requests": 16, "obey_robots": False,
                   "download_timeout": 2, "backoff_max_delay": 0.5}


def write_sources(path: Path, site: FaultSite, name: str = "faults", **fields: Any) -> Path:
    """A sources file with one source crawling the fault site (fields override the defaults)."""
    source = {"name": name, "kind": "gov", "start_urls": [site.start_url], "allow_paths": ["/gov/"],
              "schedule": "every 1h", "time_limit_s": 120, "confirm_withdrawal_checks": 2,
              "politeness": {**FAST_POLITENESS, **fields.pop("politeness", {})}, **fields}
    path.write_text(json.dumps({"sources": [source]}, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return path


def crawl(db_path: Path, config: Path, *names: str, check: bool = False):
    return govwatch("crawl", "--db", str(db_path), "--config", str(config), *(names or ("faults",)), check=check)


# A worker serves every source at once, so the per-source back-off ceiling of a sources file
# (politeness.backoff_max_delay) does not reach it: it takes the worker's own setting. The
# fault site's 429/503s would otherwise slow its one host to the 60 s default ceiling and
# the day's crawl would end at its time limit.
WORKER_SETTINGS = {"GOVWATCH_BACKOFF_MAX_DELAY": FAST_POLITENESS["backoff_max_delay"]}


class SingleMachine:
    """`govwatch crawl`: each source in its own Scrapy process, written by StoragePipeline."""

    name = "single"

    def crawl(self, db_path: Path, config: Path, *names: str) -> subprocess.CompletedProcess[str]:
        return crawl(db_path, config, *names)

    def close(self) -> None:
        pass


class Distributed:
    """The same crawl through distributed mode: the sources synced from `config` as `govwatch
    crawl` does, each run queued in Redis, crawled by a worker process and written by the store
    writer; returns when every run is closed (the workers' logs as its output)."""

    name = "distributed"

    def __init__(self, redis_url: str, log_dir: Path) -> None:
        self.redis_url = redis_url
        self.log_dir = log_dir
        self.clusters: dict[Path, Cluster] = {}

    def cluster(self, db_path: Path) -> Cluster:
        if db_path not in self.clusters:
            cluster = Cluster(self.redis_url, db_path, self.log_dir)
            cluster.start_writer()
            cluster.start_worker(f"faults-{len(self.clusters)}", **WORKER_SETTINGS)
            self.clusters[db_path] = cluster
        return self.clusters[db_path]

    def crawl(self, db_path: Path, config: Path, *names: str) -> subprocess.CompletedProcess[str]:
        from monitor.config import load_sources, source_as_record
        from monitor.distributed import enqueue_crawl
        from storage import open_db
        from storage.sources import sync_sources

        db = open_db(db_path)
        try:
            sync_sources(db, [source_as_record(s) for s in load_sources(config)])
        finally:
            db.close()
        cluster = self.cluster(db_path)
        run_ids = [enqueue_crawl(self.redis_url, db_path, name) for name in names or ("faults",)]
        cluster.wait_for_runs(run_ids, timeout=180)
        self.wait_until_forgotten(run_ids)
        return subprocess.CompletedProcess(["distributed", *names], 0, cluster.logs(), "")

    def wait_until_forgotten(self, run_ids: list[int], timeout: float = 30) -> None:
        """The writer commits a run's row, then ends the run and drops its Redis keys: until it
        has, the source's next run would be refused as still in progress."""
        import redis

        from crawler.frontier import Keys

        server, keys = redis.Redis.from_url(self.redis_url), Keys()
        deadline = time.monotonic() + timeout
        while any(server.exists(keys.run(run_id, "context")) for run_id in run_ids):
            assert time.monotonic() < deadline, f"runs {run_ids} closed but never ended by the store writer"
            time.sleep(0.05)

    def close(self) -> None:
        for cluster in self.clusters.values():
            cluster.shutdown()


@pytest.fixture(scope="module", params=["single", "distributed"])
def crawl_mode(request, tmp_path_factory) -> Iterator[SingleMachine | Distributed]:
    """How the module's crawls run: on one machine, then distributed (skipped without redis-server)."""
    if request.param == "single":
        yield SingleMachine()
        return
    if NO_REDIS:
        pytest.skip(NO_REDIS)
    with ExitStack() as stack:
        url = stack.enter_context(redis_server(tmp_path_factory.mktemp("redis")))
        mode = Distributed(url, tmp_path_factory.mktemp("workers"))
        stack.callback(mode.close)
        yield mode


def rows(db_path: Path, sql: str, params: list[Any] | tuple = ()) -> list[dict[str, Any]]:
    """Read with plain sqlite3 (no migrations, no writes), as a reader beside the crawler would."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """What the store holds about articles: compared before and after a crawl of faults."""
    return {
        "articles": [tuple(r.values()) for r in rows(db_path, "select url, title, text, content_hash, status,"
                                                                " version_count, current_version_id from articles order by url")],
        "versions": [tuple(r.values()) for r in rows(db_path, "select id, article_id, version, content_hash, raw_sha256"
                                                                " from article_versions order by id")],
        "events": [tuple(r.values()) for r in rows(db_path, "select id, article_id, kind from events order by id")],
    }


@pytest.fixture
def fault_site() -> Iterator[FaultSite]:
    site = FaultSite(articles=8)
    site.start()
    yield site
    site.stop()
