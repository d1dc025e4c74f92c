"""`python -m bench.soak [--sources 50 --days 30 --minutes 13.5]`: weeks of service, sped up, with faults.

The real `govwatch run` service crawls N local fault sites (tests/faults/server.py, one per
source, each with its own articles), each source on its own schedule. Time is simulated: a
simulated day lasts `minutes * 60 / days` real seconds, and a source crawled every 6, 12 or 24
simulated hours (staggered by source) is scheduled "every <that many real seconds>". A driver
plays the sites' side on the simulated clock: it publishes, edits and withdraws articles at
per-day rates, switches random pages to one-shot faults (5xx, timeouts, connection resets),
kill -9s running crawls, and kill -9s the service itself (then starts it again, as systemd would).

Every change the driver makes goes in a truth log. An article is edited or withdrawn only once
govwatch has recorded everything that happened to it before (its events in the store match the
log), so each logged change is observable by some later crawl and must be recorded exactly once.
At the end the faults stop, the service is stopped with SIGTERM, every source is crawled once
more, and the store is checked: every logged event once (new, changed, withdrawn per URL), no
run left `running`, `PRAGMA integrity_check` ok, and the service's memory flat: the Theil–Sen
slope of its RSS over each service life long enough to judge, after its start-up (imports, the
fork server, the first round of crawls and the first annotation batch), stays within
`flat_mb` over the life. Theil–Sen (the median of pairwise slopes), not least squares, because
an annotation batch allocates for a few seconds and gives the memory back: a least-squares line
through a short life bends toward such a spike, the median does not.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.faults.server import FaultSite, corpus, make_docs

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "soak.json"
PERIODS_H = (6, 12, 24)
SOAK_MARK = "GOVWATCH_SOAK_STORE"
FAST_POLITENESS = {"autothrottle": False, "download_delay": 0, "concurrent_requests": 8, "obey_robots": False,
                   "download_timeout": 2, "backoff_max_delay": 0.5}
FAULT_KINDS = (("status", {"status": 503}), ("status", {"status": 500}), ("timeout", {"hold": 3}), ("reset", {}))


# A service's memory is judged after its start-up and only over a life long enough to show a
# trend. Start-up is not only imports: the first crawl of every source, the first annotation
# batch (copy detection's numpy/scipy working set) and the first all-sources health refresh
# (monitor/service.py HEALTH_REFRESH_S) each allocate once and keep what malloc holds.
MEMORY_SETTLE_S = 60.0
MEMORY_MIN_LIFE_S = 60.0


class SoakSite(FaultSite):
    """A fault site whose notices are its own: numbered from `offset`, their sentences dealt at
    random from the corpus, so no two articles are near-copies (the copy detector would rightly
    record a "republished" event the truth log does not have)."""

    def __init__(self, offset: int, articles: int) -> None:
        super().__init__(articles=0)
        self.offset = offset
        self.publish(articles)

    def publish(self, count: int = 1) -> list[str]:
        sentences = [s + "。" for p in corpus()["paragraphs"] for s in p.split("。") if len(s) > 8]
        with self.lock:
            new = make_docs(count, start=self.offset + len(self.docs))
            for doc in new:
                rng = random.Random(doc.path + str(self.offset))
                doc.paragraphs = doc.paragraphs[:1] + ["".join(rng.sample(sentences, 3)) for _ in range(4)]
            self.docs.update({d.path: d for d in new})
        return [d.path for d in new]


@dataclass
class Rates:
    """Changes per source per simulated day."""

    publish: float = 3.0
    edit: float = 1.0
    withdraw: float = 0.3
    faults: float = 6.0  # one-shot faults switched on
    crawl_kills: float = 0.0  # per simulated day, over all sources
    service_kills: float = 0.0


@dataclass
class Soak:
    workdir: Path
    sources: int
    days: float
    seconds: float
    rates: Rates = field(default_factory=Rates)
    seed: int = 24
    # kill -9 the service at these fractions of the run instead of at random (the short version)
    service_kill_at: tuple[float, ...] | None = None
    # how a service life's memory is judged (memory_slope): the short version's lives are seconds long
    memory_settle_s: float = MEMORY_SETTLE_S
    memory_min_life_s: float = MEMORY_MIN_LIFE_S
    truth: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.db_path = self.workdir / "soak.db"
        self.config = self.workdir / "sources.yaml"
        self.log_path = self.workdir / "service.log"
        self.sim_per_real = self.days * 86400 / self.seconds
        self.sites = [SoakSite(offset=(k + 1) * 100000, articles=3).start() for k in range(self.sources)]
        self.names = [f"s{k:02d}" for k in range(self.sources)]
        self.withdrawn: set[tuple[str, str]] = set()
        self.service: subprocess.Popen | None = None
        self.memory: list[list[tuple[float, float]]] = []  # per service lifetime: (t, RSS MB)
        self.counts = Counter()
        for name, site in zip(self.names, self.sites, strict=True):
            for path in site.article_paths:
                self.truth.append({"source": name, "url": site.url(path), "kind": "new"})

    # -- the service -----------------------------------------------------------------------------
    def write_config(self) -> None:
        sources = []
        for k, (name, site) in enumerate(zip(self.names, self.sites, strict=True)):
            period_real = max(1, round(PERIODS_H[k % len(PERIODS_H)] * 3600 / self.sim_per_real))
            sources.append({"name": name, "kind": "gov", "start_urls": [site.start_url], "allow_paths": ["/gov/"],
                            "schedule": f"every {period_real}s", "time_limit_s": 60, "confirm_withdrawal_checks": 1,
                            "politeness": FAST_POLITENESS})
        self.config.write_text(json.dumps({"sources": sources}), encoding="utf-8")  # JSON is YAML

    def start_service(self) -> None:
        log = self.log_path.open("ab")
        self.service = subprocess.Popen(
            [sys.executable, "-m", "monitor", "run", "--db", str(self.db_path), "--config", str(self.config),
             "--poll", "0.5", "--parallel", "2", "--subscriptions", str(self.workdir / "no-digests.yaml")],
            cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, env=self.marked_env())
        log.close()
        self.memory.append([])

    def sample_memory(self, started: float) -> None:
        if self.service is None or self.service.poll() is not None:
            return
        try:
            status = Path(f"/proc/{self.service.pid}/status").read_text()
        except OSError:
            return
        rss_kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), None)
        if rss_kb is not None:  # None: it is exiting (a zombie has no RSS)
            self.memory[-1].append((time.monotonic() - started, rss_kb / 1024))

    # -- the sites' side, on the simulated clock --------------------------------------------------
    def recorded(self) -> Counter:
        """(url, kind) → events the store holds, read as any reader beside the service would."""
        try:
            conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
            try:
                return Counter(conn.execute("select a.url, e.kind from events e join articles a on a.id = e.article_id"
                                            ).fetchall())
            finally:
                conn.close()
        except sqlite3.Error:
            return Counter()

    def settled(self, url: str, recorded: Counter) -> bool:
        """Everything the log says happened to `url` is in the store (so a new change is observable)."""
        logged = Counter((e["url"], e["kind"]) for e in self.truth if e["url"] == url)
        return all(recorded[key] == n for key, n in logged.items())

    def step(self, sim_seconds: float) -> None:
        days = sim_seconds / 86400
        recorded = self.recorded()
        for name, site in zip(self.names, self.sites, strict=True):
            for path in site.publish(self._draws(self.rates.publish * days)):
                self._log(name, site.url(path), "new")
            live = [p for p in site.article_paths if (name, p) not in self.withdrawn]
            for _ in range(self._draws(self.rates.edit * days)):
                path = self.rng.choice(live)
                if self.settled(site.url(path), recorded):
                    site.edit(path, f"（第{self.rng.randrange(10**6)}次更新：补充说明。）")
                    self._log(name, site.url(path), "changed")  # pending now: `settled` says no until recorded
            for _ in range(self._draws(self.rates.withdraw * days)):
                path = self.rng.choice(live)
                if len(live) > 2 and self.settled(site.url(path), recorded) and (name, path) not in self.withdrawn:
                    site.set_fault(path, "gone")
                    self.withdrawn.add((name, path))
                    self._log(name, site.url(path), "withdrawn")
            for _ in range(self._draws(self.rates.faults * days)):
                path = self.rng.choice([*live, *site.list_paths()[:1]])
                kind, options = self.rng.choice(FAULT_KINDS)
                site.set_fault(path, kind, times=1, **options)
                self.counts[f"fault {kind}"] += 1
        for _ in range(self._draws(self.rates.crawl_kills * days)):
            self.kill_a_crawl()

    def _draws(self, expected: float) -> int:
        """Poisson-ish: the whole part, plus one with the probability of the rest."""
        whole = int(expected)
        return whole + (self.rng.random() < expected - whole)

    def _log(self, source: str, url: str, kind: str) -> None:
        self.truth.append({"source": source, "url": url, "kind": kind})
        self.counts[f"truth {kind}"] += 1

    def kill_a_crawl(self) -> None:
        """kill -9 one crawl process of the service: its children, or its fork server's (crawls are
        forked from it, monitor/crawl_processes.py); not the fork server itself."""
        pids = crawl_processes(self.service.pid) if self.service is not None and self.service.poll() is None else []
        if pids:
            try:
                os.kill(self.rng.choice(pids), signal.SIGKILL)
                self.counts["kill -9 crawl"] += 1
            except (ProcessLookupError, PermissionError):
                pass

    def kill_service(self) -> None:
        assert self.service is not None
        self.service.kill()
        self.service.wait()
        self.counts["kill -9 service"] += 1
        self.start_service()

    # -- the whole soak ---------------------------------------------------------------------------
    def run(self, say: Any = print) -> dict[str, Any]:
        self.write_config()
        started = time.monotonic()
        self.start_service()
        # The first life of the service is kept whole for 40 % of the run: the memory trend is read there.
        planned = [started + f * self.seconds for f in self.service_kill_at or ()]
        next_service_kill = planned.pop(0) if planned else (
            None if self.service_kill_at is not None else self._next_kill(started + 0.4 * self.seconds))
        last = started
        try:
            while (now := time.monotonic()) - started < self.seconds:
                self.step((now - last) * self.sim_per_real)
                last = now
                self.sample_memory(started)
                if next_service_kill is not None and now >= next_service_kill:
                    self.kill_service()
                    next_service_kill = planned.pop(0) if planned else (
                        None if self.service_kill_at is not None else self._next_kill(now))
                if self.service is not None and self.service.poll() is not None:  # it died on its own
                    self.counts["service exited by itself"] += 1
                    self.start_service()
                time.sleep(0.5)
            say(f"simulated {self.days:g} days in {time.monotonic() - started:.0f} s; stopping the service")
        finally:
            phases: dict[str, float] = {}
            lap = _lap_timer(phases, started)
            lap("simulated_s")
            for site in self.sites:
                site.clear_faults()
            for name, site in zip(self.names, self.sites, strict=True):
                for source, path in self.withdrawn:
                    if source == name:
                        site.set_fault(path, "gone")
            if self.service is not None and self.service.poll() is None:
                self.service.send_signal(signal.SIGTERM)
                try:
                    self.service.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    self.service.kill()
        stopped_rc = self.service.returncode if self.service else None
        lap("service_stop_s")
        # Four at once (the service runs two): the catch-up is the check's tool, not the service
        # under test, and at two it took ~74 s of the 15-minute bound.
        catch_up = subprocess.run(
            [sys.executable, "-m", "monitor", "crawl", "--db", str(self.db_path), "--config", str(self.config),
             "--parallel", "4"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False, env=self.marked_env())
        (self.workdir / "catch_up.log").write_text(catch_up.stdout + catch_up.stderr, encoding="utf-8")
        for site in self.sites:
            site.stop()
        lap("catch_up_crawl_s")
        left_behind = self.processes_left_behind()
        lap("left_behind_wait_s")
        return {**self.check(stopped_rc, catch_up.returncode, time.monotonic() - started),
                "phases": {k: round(v, 1) for k, v in phases.items()}, "processes_left_behind": len(left_behind)}

    def marked_env(self) -> dict[str, str]:
        """The environment of everything this soak starts, with a mark every descendant inherits
        (crawls, their pools' forkservers and workers), so what outlives them can be found."""
        return {**os.environ, SOAK_MARK: str(self.db_path)}

    def processes_left_behind(self, wait_s: float = 15.0) -> list[int]:
        """Processes of this soak still alive after the service stopped and the last crawl ended
        (a killed crawl's pool workers waited forever before crawler/orphan_guard.py)."""
        mark = f"{SOAK_MARK}={self.db_path}".encode()
        deadline = time.monotonic() + wait_s
        while True:
            left = []
            for environ in Path("/proc").glob("[0-9]*/environ"):
                try:
                    if mark in environ.read_bytes().split(b"\0"):
                        left.append(int(environ.parent.name))
                except OSError:
                    continue
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        for pid in left:  # measured; now out of the way
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return left

    def _next_kill(self, now: float) -> float | None:
        per_real_s = self.rates.service_kills * self.sim_per_real / 86400
        return now + self.rng.expovariate(per_real_s) if per_real_s > 0 else None

    def check(self, stopped_rc: int | None, catch_up_rc: int, seconds: float) -> dict[str, Any]:
        recorded = self.recorded()
        logged = Counter((e["url"], e["kind"]) for e in self.truth)
        missing = {f"{url} {kind}": n - recorded[(url, kind)] for (url, kind), n in logged.items()
                   if recorded[(url, kind)] < n}
        extra = {f"{url} {kind}": n - logged[(url, kind)] for (url, kind), n in recorded.items()
                 if n > logged[(url, kind)]}
        conn = sqlite3.connect(self.db_path)
        conn.row_factory = sqlite3.Row
        diagnosis = self.diagnose(conn, missing) if missing else {}
        running = conn.execute("select count(*) from crawl_runs where status = 'running'").fetchone()[0]
        integrity = conn.execute("pragma integrity_check").fetchone()[0]
        runs = dict(conn.execute("select status, count(*) from crawl_runs group by status").fetchall())
        conn.close()
        lives = [(slope, series[-1][0] - series[0][0] - self.memory_settle_s) for series in self.memory
                 if (slope := memory_slope(series, self.memory_settle_s, self.memory_min_life_s)) is not None]
        longest = max(self.memory, key=len) if self.memory else []
        return {
            "params": {"sources": self.sources, "days": self.days, "seconds": self.seconds, "seed": self.seed,
                       "rates_per_source_day": self.rates.__dict__},
            "seconds": seconds, "counts": dict(self.counts), "runs_by_status": runs,
            "truth_events": sum(logged.values()), "recorded_events": sum(recorded.values()),
            "missing": missing, "missing_diagnosis": diagnosis, "duplicated_or_unexpected": extra,
            "runs_left_running": running,
            "integrity_check": integrity, "service_stop_exit": stopped_rc, "catch_up_crawl_exit": catch_up_rc,
            "memory_mb_per_hour": [slope for slope, _ in lives],
            # The trend over each judged life: what the slope says it grew by from start to end.
            "memory_trend_mb": [slope * seconds / 3600 for slope, seconds in lives],
            "memory_longest_life": {"samples": len(longest), "first_mb": longest[0][1] if longest else None,
                                    "last_mb": longest[-1][1] if longest else None,
                                    "max_mb": max((m for _, m in longest), default=None)},
        }

    def diagnose(self, conn: sqlite3.Connection, missing: dict[str, int]) -> dict[str, Any]:
        """What the store and the logs say about each missing event's article and its source's last
        runs: enough to tell "never fetched" from "fetched, not recorded" after the fact."""
        urls = sorted({key.rsplit(" ", 1)[0] for key in missing})
        source_of = {e["url"]: e["source"] for e in self.truth}
        logs = {name: path.read_text(encoding="utf-8", errors="replace")
                for name, path in (("service", self.log_path), ("catch_up", self.workdir / "catch_up.log"))
                if path.exists()}
        articles = {}
        for url in urls:
            row = conn.execute("select id, status, first_seen, last_checked, version_count from articles"
                               " where url = ?", [url]).fetchone()
            events = [tuple(e) for e in conn.execute("select kind, at, run_id from events where article_id = ?",
                                                     [row["id"]])] if row else []
            site = self.sites[self.names.index(source_of[url])]
            errors = [tuple(e) for e in conn.execute("select run_id, reason from fetch_errors where url = ? order by id",
                                                     [url])]
            articles[url] = {"source": source_of[url], "stored": dict(row) if row else None, "events": events,
                             "fetch_errors": errors,
                             "log_lines": {name: text.count(url) for name, text in logs.items()},
                             "site_hits": len(site.hits.get(urlsplit(url).path, []))}
        runs = {}
        for source in sorted({source_of[url] for url in urls}):
            runs[source] = [dict(r) for r in conn.execute(
                "select id, trigger, started_at, finished_at, status, pages_fetched, articles_new, errors, message"
                " from crawl_runs where source = ? order by id desc limit 12", [source])]
        return {"articles": articles, "last_runs": runs}


def crawl_processes(service_pid: int) -> list[int]:
    """The service's crawl processes: spawned ones are its children, forked ones its fork server's."""
    found = []
    for pid in children(service_pid):
        try:
            forks = b"crawler.fork_server" in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        found += children(pid) if forks else [pid]
    return found


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: the standard library has no call for it)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def memory_slope(series: list[tuple[float, float]], settle_s: float = MEMORY_SETTLE_S,
                 min_life_s: float = MEMORY_MIN_LIFE_S) -> float | None:
    """Theil–Sen slope of RSS over time, in MB per hour, after start-up; None for a short life."""
    if not series:
        return None
    kept = [(t, m) for t, m in series if t >= series[0][0] + settle_s]
    if len(kept) < 5 or kept[-1][0] - kept[0][0] < min_life_s:
        return None
    from scipy.stats import theilslopes  # scipy is installed for datasketch; only the soak needs it here

    return float(theilslopes([m for _, m in kept], [t for t, _ in kept]).slope) * 3600


def verdict(results: dict[str, Any], flat_mb: float = 8.0) -> list[str]:
    """What failed, in words (empty when the soak passed)."""
    problems = []
    if results["missing"]:
        problems.append(f"{len(results['missing'])} logged event(s) missing from the store")
    if results["duplicated_or_unexpected"]:
        problems.append(f"{len(results['duplicated_or_unexpected'])} event(s) recorded more often than logged")
    if results["runs_left_running"]:
        problems.append(f"{results['runs_left_running']} run(s) left running")
    if results.get("processes_left_behind"):
        problems.append(f"{results['processes_left_behind']} process(es) outlived the service and the last crawl")
    if results["integrity_check"] != "ok":
        problems.append(f"integrity_check: {results['integrity_check']}")
    if not results["memory_trend_mb"]:
        problems.append("no service life was long enough to judge its memory")
    steep = [round(t, 1) for t in results["memory_trend_mb"] if t > flat_mb]
    if steep:
        problems.append(f"service memory not flat: grew {steep} MB over a life (limit {flat_mb} MB)")
    return problems


def _lap_timer(phases: dict[str, float], since: float) -> Any:
    """A function that records, under its name, the seconds since the previous lap (or `since`)."""
    mark = [since]

    def lap(name: str) -> None:
        now = time.monotonic()
        phases[name], mark[0] = now - mark[0], now

    return lap


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--days", type=float, default=30, help="Simulated days.")
    parser.add_argument("--minutes", type=float, default=13.5,
                        help="Real minutes they take (13.5: with start-up and the final crawl, the whole soak in under 15).")
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--keep", type=Path, default=None,
                        help="Keep the store, sources file and service log in this (new) folder, to look into a failure.")
    args = parser.parse_args(argv)
    if args.sources < 1 or args.days <= 0 or args.minutes <= 0:
        parser.error("--sources, --days and --minutes must be positive")
    rates = Rates(crawl_kills=0.2 * args.sources, service_kills=1.0)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=False)
    # A failing soak's folder is kept whatever --keep says: the failure may not come back.
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="govwatch-soak-"))
    began = time.monotonic()  # the whole command: the sites' start-up and the checks included
    soak = Soak(workdir, args.sources, args.days, args.minutes * 60, rates=rates, seed=args.seed)
    results = soak.run()
    results["command_seconds"] = round(time.monotonic() - began, 1)
    (workdir / "truth.json").write_text(json.dumps(soak.truth, ensure_ascii=False))
    problems = verdict(results)
    if args.keep is None and not problems:
        shutil.rmtree(workdir, ignore_errors=True)
    elif problems:
        print(f"the store, logs and truth log are kept in {workdir}")
    results["verdict"] = problems or ["ok"]
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k not in ("missing", "duplicated_or_unexpected")},
                     indent=1, ensure_ascii=False))
    print("PASSED" if not problems else "FAILED: " + "; ".join(problems))
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
