"""`govwatch run`: the long-running service that crawls each source on its schedule.

Schedules live in the database (synced from sources.yaml, changed by operators), so the
service reconciles its APScheduler jobs with the database every few seconds instead of
keeping a job store of its own: an operator's change takes effect within one poll and
survives a restart. Crawls run as child processes (monitor.crawls), one at a time per
source, each with its time limit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import DEFAULT_DEMO_URL, ConfigError, load_sources, source_as_record
from monitor.copies import minhash_class
from monitor.crawls import CrawlJob, finish_runs, start_crawl, wait_for_crawl, warm_up
from monitor.malloc_arenas import give_back_free_memory, limit_malloc_arenas, stop_signals_handled
from monitor.run_end import record_source_health
from monitor.schedules import DEFAULT_TIMEZONE, parse_schedule
from storage import open_db
from storage.control import (
    record_next_runs,
    service_heartbeat,
    service_started,
    take_run_requests,
)
from storage.database import hold_store_open
from storage.runs import last_run, mark_abandoned_runs
from storage.sources import get_source, sync_sources

log = logging.getLogger("govwatch.service")
HEALTH_REFRESH_S = 60.0
ANNOTATE_EVERY_S = 30.0
ANNOTATE_BATCH = 100  # new or changed articles


@dataclass
class ServiceOptions:
    """How the service behaves; the defaults suit a real deployment."""

    poll_s: float = 2.0
    parallel: int = 2
    grace_s: int = 3600  # a run missed while the service was down is made up if this recent
    stop_bound_s: float = 20.0  # on SIGTERM, crawls get this long to stop before being killed
    kill_grace_s: float = 30.0  # beyond a source's own time limit
    demo_url: str = DEFAULT_DEMO_URL
    redis_url: str | None = None  # distributed mode (monitor/distributed.py)
    # (func, trigger, id, args): jobs beside the crawls, such as the daily digest
    extra_jobs: list[tuple[Callable[..., Any], Any, str, list[Any]]] = field(default_factory=list)


class CrawlService:
    """Keeps one APScheduler job per enabled, unpaused source, in step with the database."""

    def __init__(self, db_path: str | Path, config_path: str | Path, options: ServiceOptions | None = None) -> None:
        self.db_path = str(db_path)
        self.config_path = Path(config_path)
        self.options = options or ServiceOptions()
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(self.options.parallel + 2)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": self.options.grace_s},
            timezone=DEFAULT_TIMEZONE,
        )
        self.stopping = threading.Event()
        self.job_specs: dict[str, tuple[str, str]] = {}
        self.locks: dict[str, threading.Lock] = {}
        self.slots = threading.BoundedSemaphore(self.options.parallel)
        self.running: dict[str, CrawlJob] = {}
        self.annotating = threading.Lock()
        self.store_writer: threading.Thread | None = None
        self.config_mtime: float | None = None
        self.service_id: int | None = None
        self.health_at = 0.0  # monotonic time of the last all-sources health update
        self.waiting = 0  # crawls waiting for a slot
        self.waiting_lock = threading.Lock()
        self.runs_to_finish: list[int] = []  # closed runs whose ending (monitor/run_end.py) is still due
        self.annotation_pending = 0  # new and changed articles among them
        self.pending_lock = threading.Lock()
        self.annotated_at = time.monotonic()
        self.keeper: Any = None  # see keep_store_open()

    # -- life cycle ---------------------------------------------------------------------
    def keep_store_open(self) -> None:
        """Hold one idle connection to the store for the service's life.

        Why: in WAL mode the close of the *last* connection to a database checkpoints it and
        removes the WAL. With short-lived crawl processes and a service that opens a connection per
        step, every few closes was the last one: ~6 ms of CPU in the service per crawl
        (bench/recheck_one.py, bench/README.md "Warm crawls"). An idle connection holds no
        snapshot, so SQLite's automatic checkpoints (every 1,000 pages) still bound the WAL. It
        must have read once to count (storage.database.hold_store_open).
        """
        if self.keeper is None:  # the store exists and is in WAL mode: open_db has run
            self.keeper = hold_store_open(self.db_path)  # stop() may close it from another thread

    def start(self) -> None:
        db = open_db(self.db_path)
        try:
            if not self.options.redis_url:  # distributed runs belong to the workers, not to a pid here
                mark_abandoned_runs(db)
            self.service_id = service_started(db)
        finally:
            db.close()
        self.keep_store_open()
        self.reload_config(initial=True)
        self.update_health()
        if self.options.redis_url:
            from monitor.distributed import start_store_writer_thread

            self.store_writer = start_store_writer_thread(self.options.redis_url, self.db_path, self.stopping)
        for func, trigger, job_id, args in self.options.extra_jobs:
            self.scheduler.add_job(func, trigger, args=args, id=job_id, replace_existing=True)
        if not self.options.redis_url:  # distributed crawls run in the workers
            warm_up()  # the fork server's imports now, not in the first crawl's time
        self.scheduler.start()
        self.reconcile()
        log.info("govwatch service started (db %s, config %s)", self.db_path, self.config_path)

    def run_forever(self) -> None:
        """Start, then reconcile every poll until SIGTERM/SIGINT; then stop cleanly."""
        limit_malloc_arenas()  # before any thread starts: see monitor/malloc_arenas.py
        minhash_class()  # copy detection's libraries loaded now, not in the first annotation
        stop_signals_handled(lambda *_: self.stopping.set())  # and one that came during the start-up
        self.start()
        while not self.stopping.wait(self.options.poll_s):
            try:
                self.reconcile()
            except Exception:  # one bad poll (a locked database, say) must not end the service
                log.exception("reconcile failed; retrying at the next poll")
        self.stop()

    def stop(self) -> None:
        """Stop scheduling, let running crawls end within the bound, close the books."""
        self.stopping.set()
        log.info("stopping: %d crawl(s) running", len(self.running))
        self.scheduler.shutdown(wait=True)  # job threads see `stopping` and end their crawls
        self.annotate()  # what the last crawls stored, if a poll has not caught up on it yet
        if self.store_writer:
            self.store_writer.join(timeout=self.options.stop_bound_s)
        db = open_db(self.db_path)
        try:
            service_heartbeat(db, self.service_id, stopped=True, message="stopped")
        finally:
            db.close()
        if self.keeper is not None:
            self.keeper.close()  # last of ours: the checkpoint happens here, once
            self.keeper = None

    # -- keeping jobs in step with the database ------------------------------------------
    def reload_config(self, initial: bool = False) -> None:
        """Pick up sources.yaml edits; an invalid file is refused and the old config kept."""
        try:
            mtime = self.config_path.stat().st_mtime
        except OSError as exc:
            log.error("cannot read %s: %s; keeping the sources already in the database", self.config_path, exc)
            return
        if mtime == self.config_mtime:
            return
        self.config_mtime = mtime
        try:
            sources = load_sources(self.config_path, demo_url=self.options.demo_url)
        except ConfigError as exc:
            if initial:
                raise
            log.error("refused the edited sources file: %s; keeping the previous configuration", exc)
            return
        db = open_db(self.db_path)
        try:
            sync_sources(db, [source_as_record(s) for s in sources])
        finally:
            db.close()
        log.info("loaded %d sources from %s", len(sources), self.config_path)

    def reconcile(self) -> None:
        self.reload_config()
        db = open_db(self.db_path)
        try:
            rows = list(db.query("select name, schedule, timezone, enabled, paused, config from sources"))
            wanted = {r["name"]: r for r in rows if r["enabled"] and not r["paused"]}
            for name in list(self.job_specs):
                if name not in wanted:
                    self._remove_job(name)
            for name, row in wanted.items():
                spec = (row["schedule"] or "", row["timezone"] or DEFAULT_TIMEZONE)
                if self.job_specs.get(name) != spec:
                    self._schedule(db, name, spec)
            for request in take_run_requests(db):
                self.run_now(request["source"], trigger=f"request:{request['requested_by']}")
            record_next_runs(db, {name: _iso(job.next_run_time) for name in wanted
                                  if (job := self.scheduler.get_job(name)) is not None})
            service_heartbeat(db, self.service_id)
        finally:
            db.close()
        if time.monotonic() - self.health_at > HEALTH_REFRESH_S:
            self.update_health()
        self.annotate()

    def _schedule(self, db: Any, name: str, spec: tuple[str, str]) -> None:
        schedule, tz = spec
        try:
            trigger = parse_schedule(schedule, tz)
        except ValueError as exc:
            log.error("source %s: schedule %r refused: %s", name, schedule, exc)
            self.job_specs[name] = spec
            return
        first = name not in self.job_specs
        next_run = self._first_run_time(db, name, trigger) if first else None
        kwargs = {"next_run_time": next_run} if next_run else {}
        self.scheduler.add_job(self.crawl_source, trigger, args=[name, "schedule"], id=name, name=f"crawl {name}",
                               replace_existing=True, **kwargs)
        self.job_specs[name] = spec
        log.info("source %s scheduled: %s (%s)", name, schedule, tz)

    def _first_run_time(self, db: Any, name: str, trigger: Any) -> datetime | None:
        """When a source's job first fires: a run missed while we were down, coalesced into one."""
        now = datetime.now(UTC)
        last = last_run(db, name)
        if last is None:
            return now  # never crawled: start now rather than wait a whole period
        started = datetime.fromisoformat(last["started_at"])
        if isinstance(trigger, IntervalTrigger):
            due = started + trigger.interval
            return max(due, now) if now - due <= timedelta(seconds=self.options.grace_s) else None
        missed = trigger.get_next_fire_time(None, started + timedelta(seconds=1))
        if missed and missed <= now and now - missed <= timedelta(seconds=self.options.grace_s):
            return now
        return None

    def enqueue_distributed(self, name: str, trigger: str) -> None:
        """Distributed mode: hand the crawl to the workers; the store writer closes its run."""
        from monitor.distributed import RunInProgress, enqueue_crawl

        try:
            run_id = enqueue_crawl(self.options.redis_url, self.db_path, name, trigger=trigger)
        except RunInProgress as exc:
            log.warning("source %s: skipped a %s run, %s", name, trigger, exc)
            return
        log.info("source %s: run %s queued for the workers", name, run_id)
        return

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the `parallel` crawl slots; while waiting for it a crawl counts in `waiting`
        (annotate() asks whether any crawl is still to come)."""
        with self.waiting_lock:
            self.waiting += 1
        try:
            self.slots.acquire()
        finally:
            with self.waiting_lock:
                self.waiting -= 1
        try:
            yield
        finally:
            self.slots.release()

    @property
    def annotation_due(self) -> bool:
        return bool(self.runs_to_finish)

    def annotate(self, run: dict[str, Any] | None = None, stored: int = 0) -> None:
        """The ending of closed runs (monitor.crawls.finish_runs: diffs, copy links, body
        compaction, their sources' health) for what the crawls stored (`run` just ended, with
        `stored` new and changed articles): once the crawls in hand are done, or ANNOTATE_BATCH
        articles or ANNOTATE_EVERY_S after the last time.

        Why not after every crawl: it scans the store (unsigned articles, plain bodies per source),
        so at hundreds of sources it cost more CPU than each warm crawl it followed, O(sources²)
        a round (bench/many_sources.py). Why not only when idle: copy detection holds memory per
        article it signs (1,000 at once peaked at +525 MB), so a first round's batch is bounded.
        A crawl that ends with none running or waiting, and the poll, catch up on what was left.
        """
        with self.pending_lock:
            if run is not None:
                self.runs_to_finish.append(run["id"])
                self.annotation_pending += stored
            idle = not self.running and not self.waiting
            if not self.runs_to_finish or not (idle or self.annotation_pending >= ANNOTATE_BATCH
                                               or time.monotonic() - self.annotated_at > ANNOTATE_EVERY_S):
                return
            run_ids, self.runs_to_finish = self.runs_to_finish, []
            self.annotation_pending = 0
            self.annotated_at = time.monotonic()
        with self.annotating:  # one at a time, so two crawls ending together never link a copy twice
            finish_runs(self.db_path, run_ids)
            give_back_free_memory()  # the batch's working set, which malloc would keep (monitor/malloc_arenas.py)

    def update_health(self, source: str | None = None) -> None:
        """Recompute one source's health flags (after its run, so they follow the runs), or every
        source's (at start, and every HEALTH_REFRESH_S: "silent" flags grow with time alone).

        Why not every source after every run: that is O(sources) per crawl, and at 300 sources
        it cost more CPU than the warm crawl itself (bench/many_sources.py).
        """
        db = open_db(self.db_path)
        try:
            record_source_health(db, None if source is None else [source])
        finally:
            db.close()
        if source is None:
            self.health_at = time.monotonic()
            give_back_free_memory()

    def _remove_job(self, name: str) -> None:
        if self.scheduler.get_job(name):
            self.scheduler.remove_job(name)
        self.job_specs.pop(name, None)
        log.info("source %s unscheduled (paused or disabled)", name)

    def run_now(self, name: str, trigger: str = "request") -> None:
        self.scheduler.add_job(self.crawl_source, args=[name, trigger], id=f"now:{name}:{datetime.now().timestamp()}",
                               name=f"crawl {name} now")

    # -- one crawl ---------------------------------------------------------------------
    def crawl_source(self, name: str, trigger: str) -> dict[str, Any] | None:
        """Crawl one source in a child process; never two of the same source at once."""
        lock = self.locks.setdefault(name, threading.Lock())
        if not lock.acquire(blocking=False):
            log.warning("source %s: skipped a %s run, the previous one is still running", name, trigger)
            return None
        try:
            if self.options.redis_url:
                return self.enqueue_distributed(name, trigger)
            with self.slot():
                if self.stopping.is_set():
                    return None
                db = open_db(self.db_path)
                try:
                    config = get_source(db, name)
                finally:
                    db.close()
                job = start_crawl(self.db_path, name, trigger=trigger, time_limit_s=config.get("time_limit_s", 1800),
                                  kill_grace_s=self.options.kill_grace_s, parallel_crawls=self.options.parallel)
                self.running[name] = job
                try:
                    run = wait_for_crawl(self.db_path, job, stop_requested=self.stopping.is_set,
                                         stop_bound_s=self.options.stop_bound_s)
                finally:
                    self.running.pop(name, None)
                self.annotate(run, stored=(run.get("articles_new") or 0) + (run.get("articles_changed") or 0))
                log.info("source %s: run %s %s (%s new, %s errors)", name, run["id"], run["status"],
                         run["articles_new"], run["errors"])
                self.update_health(name)
                return run
        except Exception:
            log.exception("source %s: the crawl could not be run", name)
            return None
        finally:
            lock.release()


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None
