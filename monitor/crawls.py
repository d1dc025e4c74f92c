"""Running crawls: each source in its own `scrapy crawl` process.

The monitor never imports the Twisted reactor; a crawl that crashes or hangs only ends
its own process, and its run is closed here with the reason and the log tail. The process is
forked from a warm fork server, or spawned (monitor/crawl_processes.py).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.cores import default_workers
from monitor import run_end
from monitor.crawl_processes import CrawlProcess, fork_server, launch, start_method, wait_for_any
from monitor.locations import PACKAGE_ROOT, PROJECT_ROOT
from storage import open_db
from storage.articles import holds_articles
from storage.runs import RUN_NOTE_MARK, close_run, get_run, start_run

# Enough for Scrapy's whole stats dump (~60 lines, one per stat, sorted by name) and the lines
# after it: at 40, each new stat pushed an earlier one out of the tail (the readers' CPU fell out
# when govwatch/warm_pool_forkserver came in, and bench.attachments read it as 0).
LOG_TAIL_LINES = 90
# Seconds a crawl gets beyond its own time limit (CLOSESPIDER_TIMEOUT) before it is killed.
KILL_GRACE_S = 30


@dataclass
class CrawlJob:
    """One source's crawl in flight."""

    source: str
    run_id: int
    process: CrawlProcess
    log_path: Path
    started: float
    deadline: float
    kill_reason: str | None = None
    stop_sent: bool = False  # asked to stop (SIGTERM) because the service is stopping

    def enforce_time_limit(self) -> bool:
        """Kill the crawl if it has outlived its time limit and grace; True if it was killed now."""
        if self.process.poll() is None and time.monotonic() > self.deadline:
            self.kill(f"killed: still running {self.deadline - self.started:.0f} s after start, past its time limit")
            return True
        return False

    def kill(self, reason: str) -> None:
        """SIGKILL the crawl; its run is closed by `finish_crawl` with `reason`."""
        self.kill_reason = reason
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def crawl_command(db_path: str | Path, source: str, run_id: int, extra_settings: dict[str, Any] | None = None) -> list[str]:
    """The `scrapy crawl` command line for one source's run."""
    return [sys.executable, "-m", "crawler", *crawl_args(db_path, source, run_id, extra_settings)]


def crawl_args(db_path: str | Path, source: str, run_id: int, extra_settings: dict[str, Any] | None = None) -> list[str]:
    """The arguments of `scrapy` for one source's run (what follows `python -m crawler`)."""
    command = [
        "crawl", "source",
        "-a", f"source={source}",
        "-s", f"GOVWATCH_DB={Path(db_path).resolve()}",
        "-s", f"GOVWATCH_RUN_ID={run_id}",
    ]
    for key, value in (extra_settings or {}).items():
        command += ["-s", f"{key}={value}"]
    return command


def start_crawl(
    db_path: str | Path, source: str, *, trigger: str = "cli", time_limit_s: int = 1800,
    extra_settings: dict[str, Any] | None = None, kill_grace_s: float = KILL_GRACE_S,
    parallel_crawls: int = 1, start: str | None = None,
) -> CrawlJob:
    """Open a run for `source` and start its crawl process.

    `parallel_crawls`: how many crawls share the machine, so their extraction pools share
    the cores instead of each taking all of them. `start`: "fork" or "spawn"
    (monitor/crawl_processes.py; default $GOVWATCH_CRAWL_START, else fork).
    """
    extra_settings = {"GOVWATCH_EXTRACTION_WORKERS": default_workers(parallel_crawls), **(extra_settings or {})}
    db = open_db(db_path)
    try:
        run_id = start_run(db, source, trigger=trigger)
        first_crawl = not holds_articles(db, source)
    finally:
        db.close()
    # Not a `with`: the file outlives this function (the crawl writes it; finish_crawl reads and removes it).
    log_file = tempfile.NamedTemporaryFile(prefix=f"govwatch-{source}-", suffix=".log", delete=False)  # noqa: SIM115
    log_file.close()
    # A first crawl extracts every article and reads every attachment: its pools' workers are
    # worth a warm forkserver (crawler/pool_server.py); a re-check seldom starts a pool.
    process = launch(crawl_args(db_path, source, run_id, extra_settings), env=crawl_env(), cwd=PROJECT_ROOT,
                     log_path=log_file.name, method=start, warm_pools=first_crawl)
    now = time.monotonic()
    return CrawlJob(source, run_id, process, Path(log_file.name), now, now + time_limit_s + kill_grace_s)


def crawl_env() -> dict[str, str]:
    """The environment a crawl process gets: ours, with Scrapy's settings module and the project on the path."""
    return {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": _pythonpath()}


def warm_up(start: str | None = None) -> None:
    """Start the fork server now, so the first crawl does not wait for its imports (a no-op for
    spawn); if it cannot start, crawls are spawned and the reason is logged then."""
    if start_method(start) == "fork":
        try:
            fork_server(PROJECT_ROOT, crawl_env()).ensure_running()
        except (OSError, RuntimeError) as exc:
            logging.getLogger(__name__).error("crawl fork server did not start (%s); crawls will be spawned", exc)


def finish_crawl(db_path: str | Path, job: CrawlJob) -> dict[str, Any]:
    """Close the run of a crawl process that has ended (or was killed); return the run row."""
    tail = _tail(job.log_path)
    db = open_db(db_path)
    try:
        run = get_run(db, job.run_id)
        if job.kill_reason:
            close_run(db, job.run_id, "timeout" if "time limit" in job.kill_reason else "killed",
                       message=job.kill_reason, log_tail=tail)
        elif run["status"] == "running" and job.stop_sent and job.process.returncode in (0, 1, -signal.SIGTERM):
            # The stop came before Scrapy could close the spider itself (before it opened it, or
            # in a reused process between two crawls): a stop, not a failure of the source.
            close_run(db, job.run_id, "stopped", message="stopped before the crawl had begun: the service was stopping",
                       log_tail=tail)
        elif run["status"] == "running" and (job.process.returncode or 0) < 0:
            close_run(db, job.run_id, "killed", message=f"crawl process killed by signal {-job.process.returncode}",
                       log_tail=tail)
        elif run["status"] == "running":
            code = job.process.returncode
            close_run(db, job.run_id, "failed", message=f"crawl process exited with code {code} before closing its run",
                       log_tail=tail)
        else:
            close_run(db, job.run_id, run["status"], log_tail=tail)
        run = get_run(db, job.run_id)
    finally:
        db.close()
    job.log_path.unlink(missing_ok=True)
    run["seconds"] = round(time.monotonic() - job.started, 2)
    return run


def run_crawls(
    db_path: str | Path,
    sources: Sequence[str],
    *,
    trigger: str = "cli",
    parallel: int = 2,
    time_limits: dict[str, int] | None = None,
    extra_settings: dict[str, Any] | None = None,
    on_tick: Callable[[list[CrawlJob], list[dict[str, Any]]], None] | None = None,
    poll_s: float = 0.25,
    start: str | None = None,
) -> list[dict[str, Any]]:
    """Crawl `sources`, at most `parallel` at once; return each finished run's row.

    `start`: how the crawl processes start, as for start_crawl.
    """
    waiting = list(sources)
    running: list[CrawlJob] = []
    finished: list[dict[str, Any]] = []
    while waiting or running:
        for job in list(running):  # ended crawls first: the slots they free are filled at once
            job.enforce_time_limit()
            if job.process.poll() is not None:
                running.remove(job)
                finished.append(finish_crawl(db_path, job))
        while waiting and len(running) < parallel:
            name = waiting.pop(0)
            limit = (time_limits or {}).get(name, 1800)
            running.append(start_crawl(db_path, name, trigger=trigger, time_limit_s=limit, extra_settings=extra_settings,
                                       parallel_crawls=min(parallel, len(sources)), start=start))
        if on_tick:
            on_tick(running, finished)
        if running:  # until a crawl ends, the nearest time limit, or the next tick
            nearest = min(job.deadline for job in running) - time.monotonic()
            wait_for_any([job.process for job in running], min(poll_s, max(0.0, nearest) + 0.01))
    if finished:
        finish_runs(db_path, [run["id"] for run in finished])
    return finished


def finish_runs(db_path: str | Path, run_ids: Sequence[int]) -> None:
    """The one ending of closed runs (monitor/run_end.py: diffs, copy links, bodies, health),
    after the crawls of a batch, so no crawl still running competes with it for the store."""
    db = open_db(db_path)
    try:
        run_end.finish_runs(db, run_ids)
    finally:
        db.close()


def wait_for_crawl(db_path: str | Path, job: CrawlJob, *, stop_requested: Callable[[], bool] = lambda: False,
                   stop_bound_s: float = 20, poll_s: float = 0.25) -> dict[str, Any]:
    """Wait for one crawl, enforcing its time limit; on a stop request, end it within a bound.

    A stop first sends SIGTERM (Scrapy then closes the spider cleanly and its run is
    "stopped"); a crawl still alive `stop_bound_s` later is killed.
    """
    terminate_at: float | None = None
    while job.process.poll() is None:
        now = time.monotonic()
        if job.enforce_time_limit():
            break
        if stop_requested() and terminate_at is None:
            job.stop_sent = True
            job.process.terminate()
            terminate_at = now
        if terminate_at is not None and now - terminate_at > stop_bound_s:
            job.kill(f"killed: did not stop within {stop_bound_s:.0f} s of the service stopping")
            break
        _wait_a_little(job, poll_s)
    return finish_crawl(db_path, job)


def _wait_a_little(job: CrawlJob, seconds: float) -> None:
    """Up to `seconds` for the crawl to end, returning as soon as it does.

    Why not sleep: a warm re-check of a small source takes ~0.15 s, so a fixed 0.25 s sleep
    would more than double each crawl's slot in the service (bench/many_sources.py).
    """
    try:
        job.process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The log's last lines, then (always at the end) its run notes: an unsupported pager, a list
    learned again.

    Why the notes are added: Scrapy dumps its stats (~50 lines) after the spider has closed,
    so a note logged during the crawl would otherwise fall out of the tail operators read.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    all_lines = text.splitlines()
    notes = [line for line in all_lines if RUN_NOTE_MARK in line][-lines:]
    tail = [line for line in all_lines[-lines:] if RUN_NOTE_MARK not in line]
    return "\n".join([*tail, *notes])


def _pythonpath() -> str:
    existing = os.environ.get("PYTHONPATH")
    return f"{PACKAGE_ROOT}{os.pathsep}{existing}" if existing else str(PACKAGE_ROOT)
