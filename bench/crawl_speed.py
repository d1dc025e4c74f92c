"""govwatch end to end: real `govwatch crawl` runs against the nginx site, into real databases.

Why through `monitor.crawls`: the figure that matters is what an operator gets — a `scrapy
crawl source` child process that fetches, extracts, compares and stores — so the benchmark
starts crawls exactly as `govwatch crawl` does (`start_crawl` / `finish_crawl`), only reading
that one process's CPU time and peak RSS as it ends (`wait_with_usage`: os.wait4 of a spawned
crawl, the fork server's wait4 of a forked one).

Also here: pre-filling a database with synthetic articles (the growth runs), and the same
crawl under cProfile for the profile report.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.nginx import Nginx
from demo.content import Corpus
from monitor.config import SourceConfig, source_as_record
from monitor.crawl_processes import wait_with_usage
from monitor.crawls import CrawlJob, _pythonpath, crawl_command, finish_crawl, start_crawl, warm_up
from monitor.locations import PROJECT_ROOT
from storage import open_db
from storage.articles import FetchedArticle, record_page
from storage.runs import start_run
from storage.sources import sync_sources
from storage.transactions import writing

TIME_LIMIT_S = 4 * 3600  # the 100,000-page scale crawl takes ~25 min on 2 cores
# Local server, no throttling: the crawl runs as fast as govwatch can go. 8 connections is
# what the demo sources use; more only queues more responses in front of the CPU-bound pipeline.
POLITENESS = {"autothrottle": False, "download_delay": 0, "concurrent_requests": 8, "obey_robots": True}
PREFILL_SOURCE = "bench-archive"
_STAT = re.compile(r"'(elapsed_time_seconds|item_scraped_count|downloader/response_count|"
                   r"downloader/response_bytes|response_received_count|govwatch/extraction_worker_cpu_s|govwatch/extraction_worker_rss_kb|govwatch/extraction_workers|"
                   r"govwatch/crawl_peak_rss_kb)': ([\d.]+)")


@dataclass
class CrawlFigures:
    """One crawl process: what it fetched, how long it took and what it cost."""

    source: str
    status: str
    articles: int                # article URLs answered (200 + 304 + 404) and stored
    responses: int               # every response nginx sent (lists, robots.txt, articles)
    wall_s: float                # child process start to exit (imports and DB open included)
    crawl_s: float               # Scrapy's own elapsed_time_seconds (engine start to close)
    cpu_s: float                 # user + system CPU of the child (+ its extraction workers, if any)
    peak_rss_mb: float           # the crawl process's peak RSS + each extraction worker's (they run at once)
    bytes_sent: int              # bytes on the wire, from nginx's access log
    by_status: dict[int, int] = field(default_factory=dict)
    crawl_rss_mb: float = 0.0    # the crawl process alone (its VmHWM, reported in its stats)
    extraction_workers: int = 0  # pool workers that extracted pages
    worker_cpu_s: float = 0.0    # the part of cpu_s spent in those workers
    loadavg: float = 0.0         # 1-minute load average at the end: timings on a busy machine are slower
    run: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.articles / self.wall_s if self.wall_s else 0.0

    @property
    def crawl_pages_per_s(self) -> float:
        return self.articles / self.crawl_s if self.crawl_s else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu_s / self.articles if self.articles else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("run")
        data["by_status"] = {str(k): v for k, v in self.by_status.items()}
        data.update(pages_per_s=self.pages_per_s, crawl_pages_per_s=self.crawl_pages_per_s,
                    cpu_ms_per_page=self.cpu_ms_per_page)
        return data


def source_record(name: str, base_url: str, start_path: str, max_list_pages: int = 1000) -> dict[str, Any]:
    """A validated sources.yaml entry for one list section of the bench site."""
    config = SourceConfig.model_validate({
        "name": name, "title": f"bench site {start_path}", "kind": "gov",
        "start_urls": [base_url + start_path], "allow_paths": ["/gov/"],
        "max_list_pages": max_list_pages, "time_limit_s": TIME_LIMIT_S, "politeness": POLITENESS,
        "schedule": "every 6h",
    })
    return source_as_record(config)


def prepare_db(db_path: Path, records: Sequence[dict[str, Any]]) -> None:
    """Create (or open) the database and sync the sources into it, as `govwatch crawl` does."""
    db = open_db(db_path)
    try:
        sync_sources(db, list(records))
    finally:
        db.close()


def crawl(
    db_path: Path, source: str, server: Nginx, *, extra_settings: dict[str, Any] | None = None,
    profile_to: Path | None = None,
) -> CrawlFigures:
    """Run one crawl of `source` to completion and measure it."""
    warm_up()  # a service starts its fork server once per life (~1 s CPU): not any one crawl's cost
    offset = server.log_offset()
    started = time.monotonic()
    if profile_to is None:
        job = start_crawl(db_path, source, trigger="bench", time_limit_s=TIME_LIMIT_S, extra_settings=extra_settings)
    else:
        job = _start_profiled(db_path, source, extra_settings, profile_to)
    usage = wait_with_usage(job.process)
    wall = time.monotonic() - started
    log = job.log_path.read_text(encoding="utf-8", errors="replace")
    run = finish_crawl(db_path, job)
    stats = {k: float(v) for k, v in _STAT.findall(log)}
    traffic = server.traffic_since(offset)
    articles = run["articles_new"] + run["articles_changed"] + run["articles_unchanged"] + run["articles_withdrawn"]
    # The crawl's own VmHWM: wait4's ru_maxrss carries this (bench) process's RSS across the
    # child's exec, and the scale run's 100,000-page site list alone is ~400 MB of it.
    own_rss_kb = stats.get("govwatch/crawl_peak_rss_kb", usage.maxrss_kb)
    if run["status"] != "ok":
        raise RuntimeError(f"bench crawl of {source} ended {run['status']}: {run.get('message')}\n{log[-3000:]}")
    return CrawlFigures(
        source=source, status=run["status"], articles=articles, responses=traffic.requests,
        wall_s=wall, crawl_s=stats.get("elapsed_time_seconds", wall),
        cpu_s=usage.cpu_s + stats.get("govwatch/extraction_worker_cpu_s", 0.0),
        peak_rss_mb=(own_rss_kb + stats.get("govwatch/extraction_worker_rss_kb", 0.0)) / 1024,
        crawl_rss_mb=own_rss_kb / 1024, extraction_workers=int(stats.get("govwatch/extraction_workers", 0)),
        worker_cpu_s=stats.get("govwatch/extraction_worker_cpu_s", 0.0),
        bytes_sent=traffic.bytes_sent, by_status=traffic.by_status, loadavg=os.getloadavg()[0], run=run,
    )


def _start_profiled(db_path: Path, source: str, extra: dict[str, Any] | None, profile_to: Path) -> CrawlJob:
    """start_crawl, with the child run under `python -m cProfile -o profile_to`."""
    db = open_db(db_path)
    try:
        run_id = start_run(db, source, trigger="bench-profile")
    finally:
        db.close()
    command = crawl_command(db_path, source, run_id, extra)
    # Scrapy's own entry point: `python -m crawler` ends with os._exit, before cProfile writes.
    command[1:3] = ["-m", "cProfile", "-o", str(profile_to), "-m", "scrapy"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": _pythonpath()}
    with tempfile.NamedTemporaryFile(prefix=f"govwatch-bench-{source}-", suffix=".log", delete=False) as log_file:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    now = time.monotonic()
    return CrawlJob(source, run_id, process, Path(log_file.name), now, now + TIME_LIMIT_S)


# --- database growth ---------------------------------------------------------------------------


def prefill(db_path: Path, count: int, bodies: Sequence[bytes], *, batch: int = 2000, seed: int = 7) -> float:
    """Add `count` synthetic articles to the store through `record_page`; return seconds taken.

    Rows go through the store's own writer (versions, events, search index: everything a
    real article leaves behind), `batch` of them per transaction so 100,000 take a minute,
    not a quarter of an hour of per-row commits. They belong to their own source, so the
    crawl under test neither re-checks them nor sees them as its own.
    """
    started = time.monotonic()
    corpus = Corpus(seed)
    rng = random.Random(seed)
    db = open_db(db_path)
    try:
        sync_sources(db, [{"name": PREFILL_SOURCE, "kind": "gov", "title": "pre-filled archive", "enabled": False}])
        have = db.execute("select count(*) from articles where source = ?", [PREFILL_SOURCE]).fetchone()[0]
        run_id = start_run(db, PREFILL_SOURCE, trigger="bench-prefill")
        for first in range(have, have + count, batch):
            with writing(db):
                for n in range(first, min(first + batch, have + count)):
                    record_page(db, run_id, _synthetic(n, corpus, rng, bodies))
    finally:
        db.close()
    return time.monotonic() - started


def _synthetic(n: int, corpus: Corpus, rng: random.Random, bodies: Sequence[bytes]) -> FetchedArticle:
    day = 18000 + n // 40
    date = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
    text = "\n".join(corpus.rng.sample(corpus.sentences, rng.randint(12, 20)))
    url = f"http://archive.example.gov.cn/gov/{date[:4]}/{date[5:7]}/t{date.replace('-', '')}_{2000000 + n}.html"
    return FetchedArticle(
        url=url, source=PREFILL_SOURCE, body=bodies[n % len(bodies)], fetched_at="2023-06-30T00:00:00+00:00",
        headers={"etag": f'W/"{n:x}-2c00"', "last-modified": "Fri, 30 Jun 2023 01:00:00 GMT"},
        title=f"{corpus.s['gov_titles'][n % len(corpus.s['gov_titles'])]}（{n}）", text=f"{n} {text}",
        published=date, publisher="永州市乡村振兴局", metadata={"分类": "通知公告"},
    )


def copy_db(source: Path, target: Path) -> None:
    """A consistent copy of a WAL database (sqlite's backup API, not a file copy)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def held_articles(db_path: Path) -> int:
    db = open_db(db_path)
    try:
        return int(db.execute("select count(*) from articles").fetchone()[0])
    finally:
        db.close()


def settings_arg(value: dict[str, Any]) -> str:
    """A dict setting for `-s NAME=…` (Scrapy reads a JSON string into a dict setting)."""
    return json.dumps(value)
