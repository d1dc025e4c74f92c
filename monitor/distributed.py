"""Distributed mode: the scheduler enqueues runs into Redis, workers crawl, ONE writer stores.

Switched on by a Redis address ($GOVWATCH_REDIS_URL or `--redis-url`); without one govwatch
runs each crawl in a child process as before and never imports redis. The parts:

- `enqueue_crawl` (called by the service instead of starting a child process): opens the
  run row, puts the source's context (config, articles held, list page stats, validators)
  and a seed request into Redis; returns the run id.
- `govwatch worker` (`worker_command`): a Scrapy process on any machine (crawler/distributed.py).
- `StoreWriter` (`govwatch store-writer`, or a thread of `govwatch run`): reads the item
  stream through a consumer group, writes each batch in one SQLite transaction together with
  the last entry id applied, then XACKs and deletes the entries. It closes a run when the
  run's end marker arrives (its outstanding-request count reached zero), or at its time
  limit, then ends it as `govwatch crawl` does (monitor/run_end.finish_run: diffs, copy
  links, bodies, source health).

What survives what (details in crawler/frontier.py):

- a worker killed mid-page: its leases expire with its heartbeat and go back to the frontier;
  the run's count never dropped for them, so the run cannot end without them;
- the writer killed mid-batch: nothing was acknowledged, the batch is delivered again; killed
  after its commit, the batch is delivered again and skipped (storage/stream_offsets.py);
- Redis lost: runs in progress are lost (they are re-crawled on schedule); the store is not.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from crawler.frontier import DEFAULT_PREFIX, STREAM_GROUP, Frontier, Keys, seed_request
from monitor.crawls import _pythonpath
from monitor.locations import PROJECT_ROOT
from monitor.run_end import finish_run
from storage import open_db
from storage.articles import conditional_get_validators, known_articles
from storage.attachments import source_attachments
from storage.list_pages import list_page_stats
from storage.list_profiles import source_profiles
from storage.outcome_writer import record_outcome
from storage.outcomes import decode_outcome
from storage.runs import (
    articles_stored,
    close_run,
    get_run,
    run_outcome,
    start_failures_logged,
    start_run,
)
from storage.sources import get_source
from storage.stream_offsets import applied_offset, entry_after, record_offset
from storage.transactions import writing
from storage.unfetched_links import owed_links

log = logging.getLogger("govwatch.distributed")

REDIS_URL_ENV = "GOVWATCH_REDIS_URL"
# Per-run keys outlive the run's time limit by this much, then Redis drops them on its own.
RUN_KEY_MARGIN_S = 3600


class RunInProgress(RuntimeError):
    """The source's previous run is still being crawled; like the single-machine lock, skip."""

    def __init__(self, source: str, run_id: int) -> None:
        super().__init__(f"source {source}: run {run_id} is still in progress")
        self.run_id = run_id


def redis_url_from_env() -> str | None:
    """The Redis address that switches distributed mode on, if any."""
    return os.environ.get(REDIS_URL_ENV) or None


def connect(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)


# --- the scheduler side ---------------------------------------------------------------------
def enqueue_crawl(redis_url: str, db_path: str | Path, source: str, *, trigger: str = "distributed",
                  prefix: str = DEFAULT_PREFIX) -> int:
    """Open a run for `source` and hand it to the workers; return the run id."""
    server = connect(redis_url)
    keys = Keys(prefix)
    active = server.get(keys.source_run(source))
    if active and server.exists(keys.run(int(active), "context")):
        raise RunInProgress(source, int(active))
    db = open_db(db_path)
    try:
        config = get_source(db, source)
        run_id = start_run(db, source, trigger=trigger)
        context = {
            "run": run_id,
            "config": config,
            "started": datetime.now(UTC).isoformat(),
            "known": known_articles(db, source),
            "owed": owed_links(db, source),  # links seen and never stored (storage/unfetched_links.py)
            "list_stats": list_page_stats(db, source),
            "list_profiles": source_profiles(db, source),
            "validators": conditional_get_validators(db, source),
            # the stored files of its articles, to re-check them conditionally (a worker has no SQLite)
            "attachments": source_attachments(db, source),
        }
    finally:
        db.close()
    time_limit = int(config.get("time_limit_s", 1800))
    ttl = time_limit + RUN_KEY_MARGIN_S
    with server.pipeline(transaction=True) as pipe:
        pipe.set(keys.run(run_id, "context"), json.dumps(context, ensure_ascii=False, default=str), ex=ttl)
        pipe.set(keys.run(run_id, "pending"), 1, ex=ttl)  # the seed
        pipe.zadd(keys.run(run_id, "frontier"), {seed_request(run_id): -10})
        pipe.expire(keys.run(run_id, "frontier"), ttl)
        pipe.zadd(keys.deadlines, {str(run_id): time.time() + time_limit})
        pipe.set(keys.source_run(source), run_id, ex=ttl)
        pipe.rpush(keys.ring, run_id)
        pipe.execute()
    log.info("source %s: run %d queued for the workers", source, run_id)
    return run_id


# --- workers ----------------------------------------------------------------------------------
def worker_command(redis_url: str, *, concurrency: int | None = None, lease_ttl_s: float | None = None,
                   exit_idle_s: float | None = None, log_level: str = "INFO",
                   extra_settings: dict[str, Any] | None = None) -> list[str]:
    """The `scrapy crawl govwatch-worker` command line of one worker."""
    settings: dict[str, Any] = {"REDIS_URL": redis_url, "LOG_LEVEL": log_level}
    if concurrency:
        settings["CONCURRENT_REQUESTS"] = concurrency
    if lease_ttl_s:
        settings["GOVWATCH_LEASE_TTL_S"] = lease_ttl_s
    if exit_idle_s:
        settings["GOVWATCH_WORKER_EXIT_IDLE_S"] = exit_idle_s
    settings.update(extra_settings or {})
    command = [sys.executable, "-m", "crawler", "crawl", "govwatch-worker"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    return command


def worker_env() -> dict[str, str]:
    """The environment of a worker: the distributed settings module, the project importable."""
    return {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings_distributed", "PYTHONPATH": _pythonpath()}


def exec_worker(command: list[str]) -> None:
    """Become the worker process (signals then go straight to Scrapy, which stops cleanly)."""
    os.chdir(PROJECT_ROOT)
    os.execve(command[0], command, worker_env())


# --- the store writer -------------------------------------------------------------------------
class StoreWriter:
    """The one process that writes what the workers crawled into SQLite."""

    def __init__(self, redis_url: str, db_path: str | Path, *, prefix: str = DEFAULT_PREFIX, batch: int = 200,
                 block_ms: int = 1000, consumer: str = "writer", housekeeping_s: float = 2.0,
                 lock_ttl_s: int = 30) -> None:
        self.server = connect(redis_url)
        self.keys = Keys(prefix)
        self.db_path = str(db_path)
        self.batch = batch
        self.block_ms = block_ms
        self.consumer = consumer
        self.housekeeping_s = housekeeping_s
        self.lock_ttl_s = lock_ttl_s
        self.token = f"{os.getpid()}-{time.time()}"
        self.written = 0
        self.closed_runs: list[dict[str, Any]] = []
        self.frontier = Frontier(self.server, prefix)

    def run(self, stop: threading.Event | None = None, *, until: Callable[[], bool] | None = None) -> None:
        """Write until `stop` is set (or `until()` is true after a batch)."""
        stop = stop or threading.Event()
        self.take_lock(wait_s=self.lock_ttl_s + 5)  # a restarted writer waits out its predecessor's lock
        self.ensure_group()
        db = open_db(self.db_path)
        last_housekeeping = 0.0
        backlog = True  # first our own entries delivered before a crash, then new ones
        try:
            while not stop.is_set():
                if time.monotonic() - last_housekeeping > self.housekeeping_s:
                    self.keep_lock()
                    self.housekeeping(db)
                    last_housekeeping = time.monotonic()
                entries = self.read(backlog)
                if backlog and not entries:
                    backlog = False
                    continue
                if entries:
                    self.apply(db, entries)
                if until is not None and until():
                    break
        finally:
            db.close()
            if self.server.get(self.keys.writer_lock) == self.token.encode():
                self.server.delete(self.keys.writer_lock)

    # -- Redis side ---------------------------------------------------------------------------
    def take_lock(self, wait_s: float = 0) -> None:
        """One writer at a time: a second one would reorder a run's entries and its end."""
        deadline = time.monotonic() + wait_s
        while not self.server.set(self.keys.writer_lock, self.token, nx=True, ex=self.lock_ttl_s):
            if time.monotonic() >= deadline:
                raise RuntimeError(f"another store writer holds {self.keys.writer_lock}; only one may run")
            time.sleep(1)

    def keep_lock(self) -> None:
        if self.server.get(self.keys.writer_lock) != self.token.encode():
            raise RuntimeError("the store writer lost its lock; stopping so that only one writer runs")
        self.server.expire(self.keys.writer_lock, self.lock_ttl_s)

    def ensure_group(self) -> None:
        try:
            self.server.xgroup_create(self.keys.items, STREAM_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def read(self, backlog: bool) -> list[tuple[str, dict[bytes, bytes]]]:
        """The next entries: first those delivered before a crash and never acknowledged, then new ones."""
        if not backlog:
            got = self.server.xreadgroup(STREAM_GROUP, self.consumer, {self.keys.items: ">"}, count=self.batch,
                                         block=self.block_ms)
            return [(e[0].decode(), e[1]) for e in (got[0][1] if got else [])]
        # A writer that died under another consumer name left its entries pending there.
        self.server.xautoclaim(self.keys.items, STREAM_GROUP, self.consumer, 0, count=self.batch)
        while True:
            got = self.server.xreadgroup(STREAM_GROUP, self.consumer, {self.keys.items: "0"}, count=self.batch)
            entries = got[0][1] if got else []
            gone = [e[0] for e in entries if not e[1]]  # deleted from the stream while pending
            if gone:
                self.server.xack(self.keys.items, STREAM_GROUP, *gone)
            kept = [(e[0].decode(), e[1]) for e in entries if e[1]]
            if kept or not entries:
                return kept

    def housekeeping(self, db: Any) -> None:
        """Hand back the leases of dead workers; close runs past their time limit."""
        moved = self.frontier.requeue_dead()
        if moved:
            log.warning("re-queued %d request(s) of dead workers", moved)
        for raw in self.server.zrangebyscore(self.keys.deadlines, "-inf", time.time()):
            run_id = int(raw)
            log.warning("run %d: time limit reached; closing it and dropping its queued requests", run_id)
            with writing(db):
                self.end_run(db, run_id, timed_out=True)
            self.forget_run(run_id)
            self.after_runs(db, [run_id])

    # -- SQLite side ---------------------------------------------------------------------------
    def apply(self, db: Any, entries: list[tuple[str, dict[bytes, bytes]]]) -> None:
        """Write a batch in one transaction, with its last id; acknowledge only after the commit."""
        offset = applied_offset(db, self.keys.items)
        ended: list[int] = []
        with writing(db):
            for entry_id, fields in entries:
                kind = fields[b"kind"].decode()
                run_id = int(fields[b"run"])
                if kind == "run_end":
                    ended.append(run_id)
                if not entry_after(entry_id, offset):
                    continue  # applied before a crash, not yet acknowledged
                if kind == "run_end":
                    self.end_run(db, run_id)
                else:
                    apply_entry(db, run_id, kind, fields[b"data"], fields.get(b"body", b""))
                    self.written += 1
            record_offset(db, self.keys.items, entries[-1][0])
        ids = [e[0] for e in entries]
        with self.server.pipeline(transaction=True) as pipe:
            pipe.xack(self.keys.items, STREAM_GROUP, *ids)
            pipe.xdel(self.keys.items, *ids)  # page bodies should not stay in Redis memory
            pipe.execute()
        for run_id in ended:
            self.forget_run(run_id)
        if ended:
            self.after_runs(db, ended)

    def end_run(self, db: Any, run_id: int, timed_out: bool = False) -> None:
        """Finish the run row (inside the caller's transaction) with the workers' page counts."""
        if not self.server.exists(self.keys.run(run_id, "context")):
            return  # closed already (a late duplicate end, or a time limit)
        stats = {k.decode(): int(v) for k, v in self.server.hgetall(self.keys.run(run_id, "stats")).items()}
        pages = stats.get("pages", 0)
        context = self.server.get(self.keys.run(run_id, "context"))
        start_urls = list(json.loads(context)["config"].get("start_urls") or []) if context else []
        # The rule is storage.runs.run_outcome, as for a crawl on one machine; what the workers'
        # spiders saw of the pages is not here, so it is judged on the run's counts and log.
        status, message = run_outcome(
            "timeout" if timed_out else "ok", pages_fetched=pages, article_pages=0,
            articles_stored=articles_stored(get_run(db, run_id)), start_urls=start_urls,
            start_failures=start_failures_logged(db, run_id, start_urls), starts_without_links=[])
        if timed_out:
            message = "time limit reached before the workers finished"
        close_run(db, run_id, status, message=message, pages_fetched=pages, bytes_downloaded=stats.get("bytes", 0))
        self.closed_runs.append({"id": run_id, "status": status, "pages": pages})

    def forget_run(self, run_id: int) -> None:
        """Drop a closed run's keys: late requests of it are then discarded by the workers."""
        context = self.server.get(self.keys.run(run_id, "context"))
        source = json.loads(context)["config"]["name"] if context else None
        with self.server.pipeline(transaction=True) as pipe:
            pipe.delete(*self.keys.run_parts(run_id))
            pipe.lrem(self.keys.ring, 0, run_id)
            pipe.zrem(self.keys.deadlines, str(run_id))
            pipe.execute()
        if source and self.server.get(self.keys.source_run(source)) == str(run_id).encode():
            self.server.delete(self.keys.source_run(source))

    def after_runs(self, db: Any, run_ids: list[int]) -> None:
        """The one ending of closed runs, as `govwatch crawl` does it (monitor/run_end.py)."""
        for run_id in run_ids:
            finish_run(db, run_id)


def apply_entry(db: Any, run_id: int, kind: str, data: str | bytes, body: bytes) -> str:
    """Write one stream entry: decode it and hand it to the store's one writer (the same
    record_outcome the Scrapy pipeline calls on one machine)."""
    return record_outcome(db, run_id, decode_outcome(kind, data, body))


def start_store_writer_thread(redis_url: str, db_path: str | Path, stop: threading.Event) -> threading.Thread:
    """The store writer inside `govwatch run` (distributed mode): a thread that ends with `stop`.

    A writer that fails (Redis unreachable, say) is restarted after a pause; it picks up
    where it stopped, as a restarted process would.
    """

    def loop() -> None:
        while not stop.is_set():
            try:
                StoreWriter(redis_url, db_path).run(stop)
            except Exception:
                log.exception("store writer failed; restarting in 5 s")
                stop.wait(5)

    thread = threading.Thread(target=loop, name="govwatch-store-writer", daemon=True)
    thread.start()
    return thread
