"""Crash safety: SIGKILL at random points, of a crawl and of the service, and reading while writing.

A crawl killed at any moment must leave a database that passes integrity_check and holds no
half-written version, and the next crawls must end with exactly the events a clean history
has: nothing lost, nothing twice. The service killed mid-crawl must not leave an orphan crawl
or a run marked "running", and must crawl again when restarted. Datasette reading while a
crawl writes must never fail.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from monitor.config import load_sources, source_as_record
from monitor.crawls import finish_crawl, run_crawls, start_crawl
from storage import open_db
from storage.sources import sync_sources
from tests.conftest import PROJECT_ROOT
from tests.datasette.test_publish import make_datasette
from tests.faults.conftest import rows, write_sources
from tests.faults.server import FaultSite
from tests.monitor.test_changes import assert_consistent

pytestmark = [pytest.mark.long, pytest.mark.slow, pytest.mark.timeout(300)]
KILLS_PER_DAY = 11  # two days: 22 kills
SERVICE_KILL_ARTICLES = 30  # slow pages: the crawl must outlive its first committed batch by seconds


def prepare(db_path: Path, config: Path) -> None:
    db = open_db(db_path)
    sync_sources(db, [source_as_record(s) for s in load_sources(config)])
    db.close()


def second_day(site: FaultSite) -> None:
    """New notices, edits, a withdrawal by 404 and one by redirect: one event of each kind."""
    site.publish(3)
    for path in site.article_paths[:3]:
        site.edit(path, append="根据工作需要，现将有关事项补充通知如下。")
    site.set_fault(site.article_paths[3], "not_found")
    site.set_fault(site.article_paths[4], "redirect_home")


def events(db_path: Path) -> Counter:
    return Counter(r["kind"] for r in rows(db_path, "select kind from events"))


def writes(db_path: Path, run_id: int) -> int:
    """What a run has written so far: each write also counts in its run's counters."""
    [run] = rows(db_path, "select not_modified + articles_new + articles_changed + articles_unchanged"
                          " + articles_withdrawn + errors as n from crawl_runs where id = ?", [run_id])
    return run["n"]


def check_store(db_path: Path) -> None:
    db = open_db(db_path)
    try:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert_consistent(db)
        duplicated = list(db.query("select article_id, kind, version_id, count(*) n from events"
                                   " where kind in ('new', 'changed') group by 1, 2, 3 having n > 1"))
        assert duplicated == []
    finally:
        db.close()


def test_kill_9_at_random_points_loses_and_duplicates_nothing(tmp_path):
    rng = random.Random(9)
    with FaultSite(articles=24) as clean_site, FaultSite(articles=24) as site:
        # The reference: the same two days, never interrupted.
        clean_db, clean_config = tmp_path / "clean.db", write_sources(tmp_path / "clean.yaml", clean_site,
                                                                      confirm_withdrawal_checks=1)
        prepare(clean_db, clean_config)
        [day1] = run_crawls(clean_db, ["faults"])
        second_day(clean_site)
        [day2] = run_crawls(clean_db, ["faults"])
        assert day1["status"] == day2["status"] == "ok"
        clean = events(clean_db)
        assert clean == {"new": 27, "changed": 3, "withdrawn": 2}
        span = max(day1["seconds"], day2["seconds"]) * 0.9

        db_path, config = tmp_path / "killed.db", write_sources(tmp_path / "killed.yaml", site,
                                                                confirm_withdrawal_checks=1)
        prepare(db_path, config)
        kills = mid_write = 0
        after_write = 0.6  # how long after its first write a kill may land
        for day in ("day1", "day2"):
            if day == "day2":
                second_day(site)
            day_kills = attempt = 0
            # A crawl that ends before its kill is not a kill: start another one, and aim earlier
            # from then on. The clean crawls' length is only a guess at the killed ones' (it
            # varies with the machine's load), so a fixed count of attempts missed kills on a
            # busy machine.
            while day_kills < KILLS_PER_DAY and attempt < 2 * KILLS_PER_DAY:
                attempt += 1
                # Slow enough, and committing often enough, that most kills land between two batches.
                job = start_crawl(db_path, "faults", extra_settings={"DOWNLOAD_DELAY": 0.05,
                                                                     "GOVWATCH_STORE_BATCH_S": 0.25})
                started = time.monotonic()
                if attempt % 2:  # at a random moment after it started writing
                    deadline = started + 30
                    while job.process.poll() is None and not writes(db_path, job.run_id) \
                            and time.monotonic() < deadline:
                        time.sleep(0.02)
                    time.sleep(rng.uniform(0, after_write))
                else:  # at any moment, start-up included
                    time.sleep(rng.uniform(0.2, span))
                if job.process.poll() is None:
                    job.process.kill()  # SIGKILL: no cleanup of any kind
                    job.process.wait()
                    day_kills += 1
                    mid_write += writes(db_path, job.run_id) > 0
                elif attempt % 2:
                    after_write /= 2
                else:
                    span = max(0.3, 0.8 * (time.monotonic() - started))
                finish_crawl(db_path, job)
                check_store(db_path)
            kills += day_kills
            [run] = run_crawls(db_path, ["faults"])  # the day completes
            assert run["status"] == "ok"
            check_store(db_path)
        assert kills == 2 * KILLS_PER_DAY and mid_write >= 10, (kills, mid_write)
        assert events(db_path) == clean
        assert rows(db_path, "select count(*) n from crawl_runs where status = 'running'") == [{"n": 0}]


def test_a_crawl_killed_between_a_list_page_and_its_articles_loses_none(tmp_path):
    """The visit of list page 2 must not be kept when the crawl dies before its articles are
    stored: the next crawl, finding nothing new on page 1, would skip page 2 for hours."""
    with FaultSite(articles=15) as site:  # page 1: the 10 newest; page 2: the 5 oldest
        oldest = site.article_paths[:5]
        for path in oldest:
            site.set_fault(path, "slow", delay=30)
        db_path, config = tmp_path / "govwatch.db", write_sources(tmp_path / "sources.yaml", site)
        prepare(db_path, config)
        job = start_crawl(db_path, "faults")
        wait_for(lambda: rows(db_path, "select count(*) n from articles")[0]["n"] == 10, 60, "page 1's articles")
        wait_for(lambda: all(site.hits.get(p) for p in oldest), 10, "page 2's articles requested")
        job.process.kill()
        job.process.wait()
        finish_crawl(db_path, job)
        site.clear_faults()
        [run] = run_crawls(db_path, ["faults"])
        assert run["status"] == "ok"
        assert rows(db_path, "select count(*) n from articles") == [{"n": 15}]


# -- the service ------------------------------------------------------------------------------------

def start_service(db_path: Path, config: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "run", "--db", str(db_path), "--config", str(config), "--poll", "0.5",
         "--subscriptions", str(log.parent / "no-subscriptions.yaml")],
        cwd=PROJECT_ROOT, stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def crawling(db_path: Path):
    """The running run, once it has stored an article."""
    if not db_path.exists():
        return None
    try:
        running = rows(db_path, "select id from crawl_runs where status = 'running'")
        stored = rows(db_path, "select count(*) n from articles")[0]["n"]
    except sqlite3.OperationalError:
        return None
    return running[0]["id"] if running and stored else None


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return True


def run_status(db_path: Path, run_id: int) -> dict:
    return rows(db_path, "select status, message from crawl_runs where id = ?", [run_id])[0]


def test_kill_9_of_the_service_mid_crawl(tmp_path):
    with FaultSite(articles=SERVICE_KILL_ARTICLES) as site:
        # Enough slow pages that the crawl is still running well after its first batch of
        # articles is committed (the storage pipeline writes up to a second after a page).
        for path in site.article_paths:
            site.set_fault(path, "slow", delay=0.6)
        db_path, log = tmp_path / "govwatch.db", tmp_path / "service.log"
        config = write_sources(tmp_path / "sources.yaml", site, schedule="every 2s",
                               politeness={"concurrent_requests": 1})

        # 1. The service alone is killed: its crawl notices, stops and records itself "killed".
        service = start_service(db_path, config, log)
        run_id = wait_for(lambda: crawling(db_path), 60, "a crawl storing articles")
        crawl_pids = children(service.pid)
        assert crawl_pids
        service.kill()
        service.wait()
        wait_for(lambda: all(gone(pid) for pid in crawl_pids), 20, "the orphaned crawl to stop")
        first = run_status(db_path, run_id)
        assert first["status"] == "killed" and "ended" in first["message"], first
        check_store(db_path)

        # 2. Restarted, it crawls again; then the service and its crawl are killed together.
        service = start_service(db_path, config, log)
        second_id = wait_for(lambda: (r := crawling(db_path)) and r > run_id and r, 60, "a new crawl")
        os.killpg(service.pid, signal.SIGKILL)
        service.wait()
        assert run_status(db_path, second_id)["status"] == "running"  # nobody was left to close it

        # 3. The next start marks that run killed and crawls again to the end.
        service = start_service(db_path, config, log)
        try:
            wait_for(lambda: run_status(db_path, second_id)["status"] == "killed", 30, "the abandoned run marked")
            wait_for(lambda: rows(db_path, "select id from crawl_runs where id > ? and status = 'ok'", [second_id]),
                     90, "a complete crawl after the restart")
        finally:
            service.send_signal(signal.SIGTERM)
            service.wait(timeout=60)
        assert run_status(db_path, second_id)["message"] == "the crawl process ended without closing its run"
        check_store(db_path)
        assert rows(db_path, "select count(*) n from crawl_runs where status = 'running'") == [{"n": 0}]
        assert rows(db_path, "select count(*) n from events where kind = 'new'") == [{"n": SERVICE_KILL_ARTICLES}]


# -- reading while a crawl writes -------------------------------------------------------------------

QUERIES = [
    "/govwatch/articles.json?_size=5&_sort_desc=id",
    "/govwatch/events.json?_facet=kind",
    "/govwatch/crawl_runs.json",
    "/govwatch/versions.json?_size=3",
    "/govwatch.json?sql=select+count(*)+from+article_versions",
    "/govwatch/articles.json?_search=乡村振兴",
    "/govwatch/fetch_errors.json",
]


async def test_datasette_reads_while_a_crawl_writes(tmp_path):
    with FaultSite(articles=24) as site:
        db_path = tmp_path / "govwatch.db"
        config = write_sources(tmp_path / "sources.yaml", site)
        prepare(db_path, config)
        ds = make_datasette(db_path)  # as `govwatch serve` configures it
        await ds.invoke_startup()
        failures, answered = [], 0
        for _ in range(2):  # a first crawl (all new), then a re-crawl (all re-checked)
            job = start_crawl(db_path, "faults", extra_settings={"DOWNLOAD_DELAY": 0.02})
            while job.process.poll() is None:
                for path in QUERIES:
                    response = await ds.client.get(path)
                    answered += 1
                    if response.status_code != 200:
                        failures.append((path, response.status_code, response.text[:300]))
                await asyncio.sleep(0)
            assert finish_crawl(db_path, job)["status"] == "ok"
        assert failures == []
        assert answered > 50
        assert rows(db_path, "select count(*) n from articles") == [{"n": 24}]
