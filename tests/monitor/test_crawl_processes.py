"""Warm crawls: crawls forked from the fork server keep what a child process gives.

A forked crawl is the server's child, not ours; these tests hold that the monitor still sees
it end with its status and CPU, can kill it, that a crash ends only that crawl, that a dead
server is replaced, and that a dead monitor stops its crawls and its server. (The hung-crawl,
kill -9 and time-limit tests of tests/monitor/test_service.py and tests/faults/test_crash.py run
forked crawls too, since fork is the default.)
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.parent_watch import ParentWatchExtension
from monitor.config import load_sources, source_as_record
from monitor.crawl_processes import ForkedCrawl, StartMethodError, fork_server, launch, start_method
from monitor.crawls import (
    PROJECT_ROOT,
    CrawlJob,
    _pythonpath,
    crawl_env,
    finish_crawl,
    run_crawls,
    start_crawl,
    wait_for_crawl,
)
from storage import open_db
from storage.sources import sync_sources
from tests.faults.conftest import rows, write_sources
from tests.faults.server import FaultSite
from tests.monitor.test_service import HangingServer, write_config


def prepare(tmp_path: Path, site: FaultSite) -> Path:
    db_path = tmp_path / "govwatch.db"
    db = open_db(db_path)
    sync_sources(db, [source_as_record(s) for s in load_sources(write_sources(tmp_path / "sources.yaml", site))])
    db.close()
    return db_path


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


@pytest.mark.slow
def test_forked_crawls_report_status_and_cpu_and_share_one_warm_server(tmp_path, monkeypatch):
    # A fork server of this test's own (they are kept per PYTHONPATH), so closing it at the end
    # cannot wait on, or cut the lifeline of, crawls that other tests in this process started.
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    with FaultSite(articles=8) as site:
        db_path = prepare(tmp_path, site)
        first = start_crawl(db_path, "faults", start="fork")
        assert isinstance(first.process, ForkedCrawl)
        server = parent_of(first.process.pid)
        assert server != os.getpid()  # the server's child, not ours
        first.process.wait(timeout=120)
        assert first.process.returncode == 0 and first.process.usage.cpu_s > 0
        assert finish_crawl(db_path, first)["status"] == "ok"

        assert gone(first.process.pid)  # a first crawl's process exits: its memory is returned

        again = start_crawl(db_path, "faults", start="fork")
        assert parent_of(again.process.pid) == server  # the same server forks the next one
        again.process.wait(timeout=120)
        assert again.process.usage.cpu_s > 0
        run = finish_crawl(db_path, again)
        assert run["status"] == "ok" and run["articles_new"] == 0
        assert run["not_modified"] + run["articles_unchanged"] == 8

        # A re-check's process (crawler/crawl_worker.py) waits for the next re-check, and runs it.
        assert not gone(again.process.pid)
        third = start_crawl(db_path, "faults", start="fork")
        assert third.process.pid == again.process.pid
        third.process.wait(timeout=120)
        assert third.process.returncode == 0 and third.process.usage.cpu_s > 0
        run = finish_crawl(db_path, third)
        assert run["status"] == "ok" and run["not_modified"] + run["articles_unchanged"] == 8
        assert run["log_tail"].count("Spider closed (finished)") == 1  # its own log, not the process's

        fork_server(PROJECT_ROOT, crawl_env()).close(timeout=60)  # the monitor leaves: the idle process ends
        wait_for(lambda: gone(third.process.pid), 30, "the reused process to end")
        wait_for(lambda: gone(server), 30, "its server to end")


@pytest.mark.slow
def test_a_crawl_that_crashes_ends_only_itself(tmp_path):
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": _pythonpath()}
    log = tmp_path / "crash.log"
    crashed = launch(["crawl", "no_such_spider"], env=env, cwd=PROJECT_ROOT, log_path=log, method="fork")
    assert crashed.wait(timeout=60) != 0
    assert "no_such_spider" in log.read_text(encoding="utf-8")
    with FaultSite(articles=4) as site:
        db_path = prepare(tmp_path, site)
        job = start_crawl(db_path, "faults", start="fork")
        assert parent_of(job.process.pid) != os.getpid()
        job.process.wait(timeout=120)
        assert finish_crawl(db_path, job)["status"] == "ok"


@pytest.mark.slow
def test_a_hung_forked_crawl_is_killed_through_its_handle(tmp_path):
    with FaultSite(articles=4) as site:
        for path in site.article_paths:
            site.set_fault(path, "slow", delay=30)
        db_path = prepare(tmp_path, site)
        job = start_crawl(db_path, "faults", start="fork", time_limit_s=1, kill_grace_s=0)
        wait_for(lambda: all(site.hits.get(p) for p in site.article_paths), 30, "the articles requested")
        wait_for(lambda: time.monotonic() > job.deadline, 10, "the time limit")
        assert job.process.poll() is None  # hung on the slow pages
        assert job.enforce_time_limit()
        assert job.process.returncode == -signal.SIGKILL
        run = finish_crawl(db_path, job)
        assert run["status"] == "timeout" and "time limit" in run["message"]


def recheck_worker(db_path: Path) -> int:
    """A first crawl, then one re-check: the pid of the reused process that ran the re-check."""
    for _ in range(2):
        job = start_crawl(db_path, "faults", start="fork")
        job.process.wait(timeout=120)
        assert finish_crawl(db_path, job)["status"] == "ok"
    return job.process.pid


def slow_recheck(site: FaultSite, db_path: Path, delay: float, **options: float) -> tuple[int, CrawlJob]:
    """A re-check whose articles answer after `delay` s, running (and fetching) in the reused
    process of the re-check before it: that process's pid and the job."""
    worker = recheck_worker(db_path)
    for path in site.article_paths:
        site.set_fault(path, "slow", delay=delay)
    site.hits.clear()
    job = start_crawl(db_path, "faults", start="fork", **options)
    assert job.process.pid == worker  # the slow re-check runs in the reused process
    wait_for(lambda: any(site.hits.get(p) for p in site.article_paths), 30, "the articles requested")
    return worker, job


@pytest.mark.slow
def test_a_hung_recheck_kills_only_its_reused_process_and_the_next_gets_a_new_one(tmp_path):
    with FaultSite(articles=4) as site:
        db_path = prepare(tmp_path, site)
        worker, job = slow_recheck(site, db_path, 30, time_limit_s=1, kill_grace_s=0)
        wait_for(lambda: time.monotonic() > job.deadline, 10, "the time limit")
        assert job.enforce_time_limit()
        assert job.process.returncode == -signal.SIGKILL
        assert finish_crawl(db_path, job)["status"] == "timeout"
        wait_for(lambda: gone(worker), 10, "the killed process to be reaped")

        site.clear_faults()
        again = start_crawl(db_path, "faults", start="fork")
        assert again.process.pid != worker
        again.process.wait(timeout=120)
        assert again.process.returncode == 0 and finish_crawl(db_path, again)["status"] == "ok"


@pytest.mark.slow
def test_a_stopped_recheck_closes_cleanly_and_its_process_ends(tmp_path):
    with FaultSite(articles=6) as site:
        db_path = prepare(tmp_path, site)
        worker, job = slow_recheck(site, db_path, 3)
        run = wait_for_crawl(db_path, job, stop_requested=lambda: True, stop_bound_s=60)
        assert run["status"] == "stopped", run  # SIGTERM: Scrapy closed the spider, as in a process of its own
        assert job.process.returncode == 0
        wait_for(lambda: gone(worker), 30, "the stopped crawl's process to end")


@pytest.mark.slow
@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_a_crawl_stopped_before_it_begins_is_stopped_not_failed(tmp_path, start):
    """The service stopping as a crawl starts: the SIGTERM lands before Scrapy has opened the
    spider (or before a reused process has begun the crawl), so the crawl cannot record
    "stopped" itself. The run must say "stopped" all the same: "failed" or "killed" would count
    against the source's health for the service's own shutdown."""
    with FaultSite(articles=3) as site:
        db_path = prepare(tmp_path, site)
        for attempt in range(2):  # a first crawl, then a re-check (a reused process when forked)
            job = start_crawl(db_path, "faults", start=start)
            run = wait_for_crawl(db_path, job, stop_requested=lambda: True, stop_bound_s=60)
            assert run["status"] == "stopped", (attempt, run)
            assert job.kill_reason is None


@pytest.mark.slow
def test_reused_processes_follow_their_environment(tmp_path, monkeypatch):
    """A re-check asked for with another environment (here: reuse switched off) gets a process of its own."""
    with FaultSite(articles=3) as site:
        db_path = prepare(tmp_path, site)
        worker = recheck_worker(db_path)
        monkeypatch.setenv("GOVWATCH_CRAWL_REUSE", "0")
        job = start_crawl(db_path, "faults", start="fork")
        assert job.process.pid != worker
        job.process.wait(timeout=120)
        assert finish_crawl(db_path, job)["status"] == "ok"
        wait_for(lambda: gone(job.process.pid), 10, "the one-shot crawl to exit")
        assert not gone(worker)  # still waiting for a re-check of its own environment


@pytest.mark.slow
def test_a_dead_fork_server_is_replaced_and_its_crawl_still_watched(tmp_path):
    with FaultSite(articles=6) as site:
        for path in site.article_paths:
            site.set_fault(path, "slow", delay=1)
        db_path = prepare(tmp_path, site)
        job = start_crawl(db_path, "faults", start="fork")
        server = parent_of(job.process.pid)
        os.kill(server, signal.SIGKILL)
        wait_for(lambda: gone(server), 10, "the server to die")
        assert job.process.poll() is None  # the crawl goes on, nobody's child now
        job.process.wait(timeout=120)  # and its end is still seen (through its pidfd)
        assert finish_crawl(db_path, job)["status"] == "ok"
        site.clear_faults()
        again = start_crawl(db_path, "faults", start="fork")
        assert parent_of(again.process.pid) not in (server, os.getpid())  # a new server
        again.process.wait(timeout=120)
        assert finish_crawl(db_path, again)["status"] == "ok"


MONITOR = """\
import sys, time
from monitor.crawls import start_crawl
job = start_crawl(sys.argv[1], "faults", start="fork")
print(job.process.pid, job.run_id, flush=True)
time.sleep(600)
"""


@pytest.mark.slow
def test_a_dead_monitor_stops_its_forked_crawl_and_its_server(tmp_path):
    with FaultSite(articles=8) as site:
        for path in site.article_paths:
            site.set_fault(path, "slow", delay=2)
        db_path = prepare(tmp_path, site)
        monitor = subprocess.Popen([sys.executable, "-c", MONITOR, str(db_path)], cwd=PROJECT_ROOT,
                                   env={**os.environ, "PYTHONPATH": _pythonpath()}, stdout=subprocess.PIPE, text=True)
        assert monitor.stdout is not None
        crawl_pid, run_id = (int(v) for v in monitor.stdout.readline().split())
        server = parent_of(crawl_pid)
        folder = Path(Path(f"/proc/{server}/cmdline").read_bytes().split(b"\0")[-2].decode()).parent
        assert folder.name.startswith("govwatch-forkserver-") and folder.exists()
        wait_for(lambda: any(site.hits.get(p) for p in site.article_paths), 60, "the crawl fetching")
        monitor.kill()
        monitor.wait()
        wait_for(lambda: gone(crawl_pid) and gone(server), 30, "the crawl and its server to end")
        [run] = rows(db_path, "select status, message from crawl_runs where id = ?", [run_id])
        assert run["status"] == "killed" and "ended" in run["message"], run
        assert not folder.exists()  # the server removed its socket's folder as it left


def test_the_lifeline_tells_a_crawl_its_monitor_is_gone():
    read_end, write_end = os.pipe()
    try:
        watch = ParentWatchExtension(crawler=None, parent_pid=os.getpid(), interval=1.0, lifeline_fd=read_end)
        assert watch.parent_alive()
        os.close(write_end)
        write_end = -1
        assert not watch.parent_alive()
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)


@pytest.mark.slow
def test_a_bad_start_method_is_one_line_and_exit_2(tmp_path):
    with pytest.raises(StartMethodError, match="fork, spawn"):
        start_method("vfork")
    assert start_method("SPAWN") == "spawn"
    result = subprocess.run([sys.executable, "-m", "monitor", "sources", "list", "--db", str(tmp_path / "x.db")],
                            check=False, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "GOVWATCH_CRAWL_START": "vfork"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["Error: GOVWATCH_CRAWL_START='vfork': use one of fork, spawn"]


def test_a_bad_reuse_switch_is_one_line_and_exit_2(tmp_path):
    result = subprocess.run([sys.executable, "-m", "monitor", "sources", "list", "--db", str(tmp_path / "x.db")],
                            check=False, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "GOVWATCH_CRAWL_REUSE": "maybe"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["Error: GOVWATCH_CRAWL_REUSE='maybe': use 1 or 0"]
    assert not (tmp_path / "x.db").exists()  # nothing was done


def test_the_fork_server_refuses_a_malformed_request(tmp_path):
    """Its socket is private (0700 folder), but a request is still checked before anything forks."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": _pythonpath()}
    server = fork_server(PROJECT_ROOT, env)
    server.ensure_running()
    assert os.stat(Path(server.socket_path).parent).st_mode & 0o077 == 0

    with socket.socket(socket.AF_UNIX) as conn:
        conn.connect(server.socket_path)
        conn.sendall(b'{"args": "crawl"}\n')
        assert select.select([conn], [], [], 30)[0]
        assert b"bad request" in conn.recv(4096)
    assert server.process is not None and server.process.poll() is None  # still serving



@pytest.mark.slow
@pytest.mark.long
@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_a_slot_freed_by_a_later_crawl_is_used_before_the_first_crawl_ends(tmp_path, fresh_demo_site, monkeypatch,
                                                                            start):
    """`govwatch crawl` of many sources: with two slots and a first crawl that hangs, the other
    sources go through the second slot one after another while it hangs. Waiting on the first
    crawl only, each of them waited for it (or for the poll's end): nothing ran beside it."""
    monkeypatch.setenv("GOVWATCH_CRAWL_START", start)
    hang = HangingServer()
    try:
        config = tmp_path / "sources.yaml"
        write_config(config, fresh_demo_site.base_url, hang.port)  # demo-gov, demo-news, and "hung"
        # The hung crawl's own limits far beyond any load's: it ends when the site is released below.
        config.write_text(config.read_text(encoding="utf-8").replace("time_limit_s: 10", "time_limit_s: 300")
                          .replace("download_timeout: 8", "download_timeout: 300"), encoding="utf-8")
        db_path = tmp_path / "govwatch.db"
        db = open_db(db_path)
        sync_sources(db, [source_as_record(s) for s in load_sources(config)])
        db.close()

        def release_the_hung_site_once_both_are_done(_running, finished):
            if {r["source"] for r in finished} >= {"demo-gov", "demo-news"}:
                hang.close()  # the hung crawl then fails at once: its limits no longer race the load

        # A poll far beyond the hung crawl's time limit: only a crawl's end (or that limit) wakes the loop.
        runs = run_crawls(db_path, ["hung", "demo-gov", "demo-news"], parallel=2, poll_s=600,
                          time_limits={"hung": 300}, on_tick=release_the_hung_site_once_both_are_done)
    finally:
        hang.close()
    assert [(r["source"], r["status"]) for r in runs][:2] == [("demo-gov", "ok"), ("demo-news", "ok")]
    assert (runs[2]["source"], runs[2]["status"]) == ("hung", "failed")  # released, not timed out
