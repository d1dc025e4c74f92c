"""`python -m bench.many_sources`: many small sources checked by the real service, against urlwatch.

Why: real deployments are hundreds of small columns (10–50 articles) checked every hour or two,
where what a crawl costs to *start* outweighs its requests (issue 22). So this runs `govwatch
run` itself (the service: APScheduler, one crawl per source, `--parallel` at once) over N
sources × A articles on the bench's nginx and measures, for the first round (every source new:
fetched, extracted, stored) and the unchanged round (every article answers 304):

- wall seconds (first round: from the service's start; unchanged: from the run requests to the
  last run's end), checks/s (article URLs ÷ wall);
- CPU per source: user + system time of the service's whole process tree over the round (the
  service, the fork server, the crawls and their extraction workers, from /proc: each process's
  own time plus that of the children it reaped);
- peak memory of the tree, sampled every 0.2 s: the sum of RSS (counts the pages a forked crawl
  shares with its server once per process) and of PSS (shares them out: the honest total).

urlwatch re-checks the same article URLs, alternated with the unchanged round `--pairs` times
(ABBA, no govwatch process alive while urlwatch runs): on a machine shared with other work the
load drifts by the minute, so the checks/s ratio is the median of the pairs' ratios, each pair
measured back to back. Then, optionally, one more unchanged round per `--slots` value (the
service's --parallel) and the unchanged round with crawls *spawned* (GOVWATCH_CRAWL_START=spawn;
a subset of `--spawn-sources`, it costs ~1 s of CPU per source), all in the same run.

CPU counts every process of the tree, including those a crawl leaves behind (its pools'
multiprocessing forkserver, re-parented when the crawl exits): the bench adopts them as a
subreaper (`become_subreaper`).

Rounds are driven as an operator would: the first by the service's own start (a never-crawled
source is due at once), the next by run requests in the database (the table `govwatch sources run` writes).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.crawl_speed import POLITENESS
from bench.nginx import Nginx
from bench.site import FIXED_MTIME, ROBOTS, _article, _Window, _write, _write_lists
from bench.urlwatch_peer import Urlwatch
from demo import templates
from demo.content import Corpus
from monitor.locations import PROJECT_ROOT

RESULTS = Path(__file__).parent / "results" / "many_sources.json"
ROUND_TIMEOUT_S = 3600
SAMPLE_S = 0.2
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Round:
    """One round of every (requested) source through the service."""

    label: str
    start: str                  # fork or spawn
    sources: int
    checks: int                 # article URLs the round's runs answered for
    wall_s: float
    cpu_s: float                # the service's process tree over the round
    service_cpu_s: float        # the service process's own (scheduling, run bookkeeping, health, diffs)
    peak_rss_mb: float          # sum over the tree at its peak
    peak_pss_mb: float
    statuses: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0
    load_start: float = 0.0     # 1-minute load average of the machine (other sessions' work too)
    load_end: float = 0.0
    settled_s: float = 0.0      # how long the service worked on after the last run ended (counted in cpu_s)

    @property
    def checks_per_s(self) -> float:
        return self.checks / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_per_source_s(self) -> float:
        return self.cpu_s / self.sources if self.sources else 0.0

    @property
    def cpu_ms_per_check(self) -> float:
        return 1000 * self.cpu_s / self.checks if self.checks else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "checks_per_s": self.checks_per_s, "cpu_per_source_s": self.cpu_per_source_s,
                "cpu_ms_per_check": self.cpu_ms_per_check}


# --- the site -------------------------------------------------------------------------------------


def generate_sources_site(root: Path, sources: int, articles: int, seed: int = 20231130) -> list[str]:
    """`sources` list sections `/gov/sNNN/index.html` of `articles` light TRS pages each; their start paths."""
    corpus = Corpus(seed)
    rng = random.Random(seed)
    made = [_article(corpus, rng, i) for i in range(sources * articles)]
    for i, art in enumerate(made):
        window = rng.sample(made, min(5, len(made))) + made[max(0, i - 1): i + 2]
        noise = templates.Noise(hit=i, rng=random.Random(i), now="2023-06-30 09:00:00")
        _write(root, art.path, templates.gov_article(_Window(corpus, window), art, noise))
    starts = []
    for s in range(sources):
        starts += _write_lists(root, corpus, rng, f"s{s:03d}/", made[s * articles: (s + 1) * articles])[:1]
    (root / "robots.txt").write_text(ROBOTS, encoding="utf-8")
    os.utime(root / "robots.txt", (FIXED_MTIME, FIXED_MTIME))
    return starts


def write_sources(path: Path, base_url: str, starts: Sequence[str]) -> list[str]:
    """A sources.yaml (JSON is YAML) with one source per list section; the source names."""
    names = [f"s{i:03d}" for i in range(len(starts))]
    sources = [{"name": name, "title": f"bench column {name}", "kind": "gov", "start_urls": [base_url + start],
                "allow_paths": ["/gov/"], "schedule": "every 24h", "time_limit_s": 600, "politeness": POLITENESS}
               for name, start in zip(names, starts, strict=True)]
    path.write_text(json.dumps({"sources": sources}, ensure_ascii=False), encoding="utf-8")
    return names


# --- the service and its process tree ------------------------------------------------------------


class ServiceTree:
    """`govwatch run` as a child process, with its process tree's CPU and memory sampled."""

    def __init__(self, db: Path, config: Path, log: Path, *, start: str, parallel: int,
                 command: Sequence[str] | None = None) -> None:
        """`command` replaces `govwatch run` (the tests measure a tree of their own)."""
        env = {**os.environ, "GOVWATCH_CRAWL_START": start, "PYTHONPATH": str(PROJECT_ROOT)}
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            command or [sys.executable, "-m", "monitor", "run", "--db", str(db), "--config", str(config),
                        "--parallel", str(parallel), "--subscriptions", str(config.parent / "no-subscriptions.yaml")],
            cwd=PROJECT_ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.peak_rss_kb = self.peak_pss_kb = 0
        self.adopted_cpu_s = 0.0  # what the orphans we reaped used
        self._adopting = threading.Lock()
        self._ours = set(_children(os.getpid()))  # nginx, this service: never reaped here
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def tree(self) -> list[int]:
        """The service and its descendants, and the orphans of the tree we adopted (see
        `become_subreaper`), from each thread's /proc children list (reading every process's stat
        instead cost the sampler ~6 % of a core: CPU taken from what it measures)."""
        found, todo = [], [self.process.pid, *self._adopted()]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
        return found

    def runnable(self) -> bool:
        """Whether a thread of the tree is running or waiting for a core (state R).

        Why: idleness judged by CPU alone mistook a service starved of the cores (the test suite's
        other workers on a 2-core machine) for one that had finished its tail."""
        for pid in self.tree():
            try:
                tasks = list(Path(f"/proc/{pid}/task").iterdir())
            except OSError:
                continue
            for task in tasks:
                try:
                    state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
                except (OSError, IndexError):
                    continue
                if state == "R":
                    return True
        return False

    def cpu_s(self, pids: Sequence[int] | None = None, *, reaped: bool = True) -> float:
        """User + system seconds of the tree's live processes (and of the children they reaped)."""
        with self._adopting:  # a process is counted live or reaped, never both or neither
            total = 0
            for pid in self.tree() if pids is None else pids:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += sum(int(v) for v in fields[11:15 if reaped else 13])  # utime stime (cutime cstime)
            return total / TICKS + (self.adopted_cpu_s if pids is None and reaped else 0.0)

    def _adopted(self) -> list[int]:
        return [pid for pid in _children(os.getpid()) if pid not in self._ours]

    def keep(self, pid: int) -> None:
        """A child this bench started after the tree (urlwatch): never reaped as an orphan here.

        Why: the sampler reaps every child of ours that ended and is not `_ours`; it once took
        urlwatch's exit before the bench's own `wait4` could read its CPU (ChildProcessError)."""
        with self._adopting:
            self._ours.add(pid)

    def reap_adopted(self) -> None:
        """Reap the orphans that ended, keeping their CPU (with what they reaped) in adopted_cpu_s."""
        with self._adopting:
            for pid in self._adopted():
                try:
                    reaped, _, usage = os.wait4(pid, os.WNOHANG)
                except ChildProcessError:
                    continue
                if reaped:
                    self.adopted_cpu_s += usage.ru_utime + usage.ru_stime

    def reset_peaks(self) -> None:
        self.peak_rss_kb = self.peak_pss_kb = 0

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self.reap_adopted()
            rss = pss = 0
            for pid in self.tree():
                try:
                    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                        if line.startswith("Rss:"):
                            rss += int(line.split()[1])
                        elif line.startswith("Pss:"):
                            pss += int(line.split()[1])
                except (OSError, ValueError):
                    continue
            self.peak_rss_kb, self.peak_pss_kb = max(self.peak_rss_kb, rss), max(self.peak_pss_kb, pss)

    def stop(self) -> None:
        self._stop.set()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def become_subreaper() -> bool:
    """Adopt the orphans of our process tree (prctl PR_SET_CHILD_SUBREAPER, Linux).

    Why: a crawl's multiprocessing pools (extraction, attachment readers) run in a forkserver
    process that the crawl never waits for; when the crawl exits it is re-parented, to init
    unless an ancestor is a subreaper, and its CPU (and its workers') left the measured tree
    unseen. An unchanged 20-article re-check that started the attachment readers cost ~0.8 s of
    CPU there, 6× what the crawl's own rusage said (bench/README.md, "Warm crawls").
    """
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def reap_orphans(settle_s: float = 1.0) -> float:
    """Reap the orphans that ended (after `settle_s` for them to end); CPU of all children
    reaped so far (ours and, as a subreaper, our tree's orphans)."""
    time.sleep(settle_s)
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def _rows(db: Path, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute(sql, params))
    finally:
        conn.close()


def last_run_id(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        return int(_rows(db, "select coalesce(max(id), 0) n from crawl_runs")[0]["n"])
    except sqlite3.OperationalError:  # the service has not made the schema yet
        return 0


def _wait_for_orphans(service: ServiceTree, bound_s: float = 10.0) -> None:
    """Let the round's orphans (a crawl's pool processes outliving it) end and be counted."""
    deadline = time.monotonic() + bound_s
    while service._adopted() and time.monotonic() < deadline:
        time.sleep(0.05)
        service.reap_adopted()


def _wait_until_quiet(service: ServiceTree, window_s: float = 0.5, quiet_cpu_s: float = 0.025,
                      bound_s: float = 120.0) -> float:
    """Wait until the service tree is idle (under 5 % of a core over `window_s`, and no thread of it
    runnable at the end); the seconds waited.

    Why: the service finishes a round's runs after the last one ends (diffs, copy links, body
    compaction, search-index merges, batched: monitor/service.py annotate). After a first round
    of 6,000 new articles that tail lasts seconds, and a round that started before it ended was
    charged with it: the unchanged round after the first round cost ~10–15 ms more service CPU
    per source than one through a fresh service. Each round now keeps its own tail. The
    service's poll (every 2 s, ~10 ms) stays under the bound.
    """
    began = time.monotonic()
    before = service.cpu_s()
    while time.monotonic() - began < bound_s:
        time.sleep(window_s)
        service.reap_adopted()
        now = service.cpu_s()
        if now - before < quiet_cpu_s and not service.runnable():
            break
        before = now
    return time.monotonic() - began


def request_runs(db: Path, names: Sequence[str]) -> None:
    """Run-now requests, as `govwatch sources run` or the operator page leave them."""
    from storage import open_db
    from storage.control import request_run

    store = open_db(db)
    try:
        for name in names:
            request_run(store, name, requested_by="bench")
    finally:
        store.close()


def run_round(label: str, service: ServiceTree, db: Path, names: Sequence[str], *, start: str, request: bool,
              say: Any = print) -> Round:
    """Wait for one finished run of each of `names` (requested now, or due at the service's start)."""
    marker = last_run_id(db)
    cpu0, own0 = service.cpu_s(), service.cpu_s([service.process.pid], reaped=False)
    began = service.started if not request else time.monotonic()
    load_start = os.getloadavg()[0]
    service.reset_peaks()
    if request:
        request_runs(db, names)
    deadline = time.monotonic() + ROUND_TIMEOUT_S
    wanted = set(names)
    while True:
        if service.process.poll() is not None:
            raise RuntimeError(f"the service exited with {service.process.returncode} during the {label} round")
        try:
            done = _rows(db, "select source, status, not_modified, articles_new, articles_changed, articles_unchanged,"
                             " articles_withdrawn from crawl_runs where id > ? and status != 'running'", [marker])
        except sqlite3.OperationalError:
            done = []
        runs = {r["source"]: r for r in done if r["source"] in wanted}
        if len(runs) == len(wanted):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{label}: {len(runs)}/{len(wanted)} runs ended within {ROUND_TIMEOUT_S} s")
        time.sleep(0.1)
    wall = time.monotonic() - began
    _wait_for_orphans(service)
    settled_s = _wait_until_quiet(service)  # the service's bookkeeping after the last run belongs to the round
    figures = Round(
        label=label, start=start, sources=len(wanted),
        # As bench/crawl_speed.py counts them: a 304 is also an unchanged article (not_modified is a subset).
        checks=sum(r["articles_new"] + r["articles_changed"] + r["articles_unchanged"] + r["articles_withdrawn"]
                   for r in runs.values()),
        wall_s=wall, cpu_s=service.cpu_s() - cpu0, service_cpu_s=service.cpu_s([service.process.pid], reaped=False) - own0,
        peak_rss_mb=service.peak_rss_kb / 1024, peak_pss_mb=service.peak_pss_kb / 1024,
        statuses=dict(Counter(r["status"] for r in runs.values())),
        not_modified=sum(r["not_modified"] for r in runs.values()),
        load_start=load_start, load_end=os.getloadavg()[0], settled_s=settled_s,
    )
    say(f"  {label:<28} {figures.sources:>4} sources {figures.wall_s:7.1f} s  {figures.checks_per_s:7.1f} checks/s  "
        f"{figures.cpu_per_source_s:6.3f} s CPU/source (service {figures.service_cpu_s / figures.sources:.3f}, "
        f"{figures.cpu_ms_per_check:.1f} ms/check; settled {figures.settled_s:.1f} s after)  "
        f"peak RSS {figures.peak_rss_mb:.0f} MB / PSS {figures.peak_pss_mb:.0f} MB  {figures.statuses}  "
        f"load {figures.load_start:.1f}→{figures.load_end:.1f}")
    return figures


# --- the run ----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.many_sources", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=300, help="sources (list sections) on the site")
    parser.add_argument("--articles", type=int, default=20, help="articles per source")
    parser.add_argument("--parallel", type=int, default=2, help="the service's --parallel (crawls at once)")
    parser.add_argument("--spawn-sources", type=int, default=60,
                        help="sources in the spawned-crawl comparison round (0: skip it)")
    parser.add_argument("--slots", default="",
                        help="comma-separated --parallel values: one more unchanged round for each, through a"
                             " service restarted with it (how many crawl slots suit the machine)")
    parser.add_argument("--pairs", type=int, default=1,
                        help="unchanged rounds and urlwatch re-checks, alternated (ABBA) this many times each;"
                             " the ratio is the median of the pairs' (a shared machine's load drifts)")
    parser.add_argument("--no-urlwatch", action="store_true", help="skip urlwatch")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (site, database, service log)")
    args = parser.parse_args(argv)
    for name in ("sources", "articles", "parallel", "pairs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.spawn_sources < 0:
        parser.error("--spawn-sources must be 0 or more")
    try:
        args.slots = [int(v) for v in args.slots.split(",") if v.strip()]
    except ValueError:
        parser.error(f"--slots {args.slots!r}: expected numbers separated by commas")
    if any(v < 1 for v in args.slots):
        parser.error("--slots values must be at least 1")
    return args


def run(args: argparse.Namespace, say: Any = print) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="govwatch-bench-many-"))
    try:
        return _run(args, work, say)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, work: Path, say: Any) -> dict[str, Any]:
    began = time.monotonic()
    load_start = os.getloadavg()
    if not become_subreaper():
        say("warning: cannot adopt orphans (prctl): CPU of processes a crawl leaves behind is not counted")
    say(f"generating {args.sources} sources × {args.articles} articles in {work} …")
    starts = generate_sources_site(work / "site", args.sources, args.articles)
    rounds: list[Round] = []
    with Nginx(work / "site") as server:
        names = write_sources(work / "sources.yaml", server.base_url, starts)
        db, log = work / "govwatch.db", work / "service.log"
        say(f"nginx on {server.base_url}; service log {log}")
        service: ServiceTree | None = ServiceTree(db, work / "sources.yaml", log, start="fork",
                                                  parallel=args.parallel)
        peer, pairs = None, []
        try:
            rounds.append(run_round("first round, forked", service, db, names, start="fork", request=False, say=say))
            if not args.no_urlwatch:
                urls = [server.base_url + p for p in _article_paths(db)]
                say(f"urlwatch on the same {len(urls)} article URLs (its filling run, untimed) …")
                peer = Urlwatch.start(urls, server, started=service.keep)
            for pair in range(args.pairs):
                order = ("govwatch", "urlwatch") if pair % 2 == 0 else ("urlwatch", "govwatch")
                figures: dict[str, Any] = {}
                for who in order:
                    if who == "urlwatch":
                        if peer is not None:
                            figures["urlwatch"] = peer.recheck()
                            _say_urlwatch(figures["urlwatch"], say)
                        continue
                    if service is None:
                        started = _starts(log)
                        service = ServiceTree(db, work / "sources.yaml", log, start="fork", parallel=args.parallel)
                        _wait_started(service, log, started)  # its start-up is not the round's
                    label = "unchanged round, forked" + (f" (pair {pair + 1})" if pair else "")
                    figures["govwatch"] = run_round(label, service, db, names, start="fork", request=True, say=say)
                    rounds.append(figures["govwatch"])
                    service.stop()  # urlwatch runs with no govwatch process left
                    service = None
                pairs.append(figures)
        finally:
            if service is not None:
                service.stop()
            if peer is not None:
                peer.close()
        for slots in args.slots:
            started = _starts(log)
            service = ServiceTree(db, work / "sources.yaml", log, start="fork", parallel=slots)
            try:
                _wait_started(service, log, started)  # its start-up (imports, the fork server) is not the round's
                rounds.append(run_round(f"unchanged round, forked, --parallel {slots}", service, db, names,
                                        start="fork", request=True, say=say))
            finally:
                service.stop()
        if args.spawn_sources:
            subset = names[: args.spawn_sources]
            started = _starts(log)
            service = ServiceTree(db, work / "sources.yaml", log, start="spawn", parallel=args.parallel)
            try:
                _wait_started(service, log, started)  # its start-up (imports, config sync) is not the round's
                rounds.append(run_round("unchanged round, spawned", service, db, subset, start="spawn",
                                        request=True, say=say))
            finally:
                service.stop()
    results = _summary(args, rounds, pairs, load_start, time.monotonic() - began)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    for line in results["verdict"]:
        say(line)
    return results


STARTED = "govwatch service started"


def _starts(log: Path) -> int:
    return log.read_text(encoding="utf-8", errors="replace").count(STARTED) if log.exists() else 0


def _wait_started(service: ServiceTree, log: Path, before: int, bound_s: float = 300.0) -> None:
    """Until the service has logged its start (config synced, fork server up), then a second."""
    deadline = time.monotonic() + bound_s
    while _starts(log) <= before:
        if service.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the service did not start (exit {service.process.returncode}); see {log}")
        time.sleep(0.1)
    time.sleep(1.0)


def _say_urlwatch(urlwatch: dict[str, Any], say: Any) -> None:
    say(f"  urlwatch {urlwatch['version']}: {urlwatch['seconds']:.1f} s, {urlwatch['checks_per_s']:.1f} "
        f"checks/s, {urlwatch['cpu_ms_per_check']:.1f} ms CPU/check, {urlwatch['not_modified']} 304s  "
        f"load {urlwatch['load']:.1f}")


def _article_paths(db: Path) -> list[str]:
    from urllib.parse import urlsplit

    return [urlsplit(r["url"]).path for r in _rows(db, "select url from articles order by id")]


def _summary(args: argparse.Namespace, rounds: list[Round], pairs: list[dict[str, Any]],
             load_start: tuple[float, float, float], took: float) -> dict[str, Any]:
    """The verdicts: CPU per source and the checks/s ratio, each the median over the pairs."""
    by = {r.label: r for r in rounds}
    unchanged = [p["govwatch"] for p in pairs]
    cpu_per_source = statistics.median(r.cpu_per_source_s for r in unchanged)
    spawned = by.get("unchanged round, spawned")
    verdict = [(f"unchanged re-check of a {args.articles}-article source: {cpu_per_source:.3f} s CPU per source"
                f" (median of {len(unchanged)}: {', '.join(f'{r.cpu_per_source_s:.3f}' for r in unchanged)};"
                f" target ≤ 0.15: {'ok' if cpu_per_source <= 0.15 else 'MISSED'})")]
    if spawned:
        verdict.append(f"spawned crawls: {spawned.cpu_per_source_s:.3f} s CPU per source: forked is "
                       f"{spawned.cpu_per_source_s / cpu_per_source:.1f}× cheaper")
    measured = [p for p in pairs if "urlwatch" in p]
    ratios = [p["govwatch"].checks_per_s / p["urlwatch"]["checks_per_s"] for p in measured]
    cpu_ratios = [p["urlwatch"]["cpu_ms_per_check"] / p["govwatch"].cpu_ms_per_check for p in measured]
    ratio = statistics.median(ratios) if ratios else None
    cpu_ratio = statistics.median(cpu_ratios) if cpu_ratios else None
    for p, r in zip(measured, ratios, strict=True):
        verdict.append(f"  pair: govwatch {p['govwatch'].checks_per_s:.1f} checks/s (load {p['govwatch'].load_start:.1f}) ÷ "
                       f"urlwatch {p['urlwatch']['checks_per_s']:.1f} (load {p['urlwatch']['load']:.1f}) = {r:.2f}×")
    if ratio is not None and cpu_ratio is not None:
        verdict.append(f"unchanged round ÷ urlwatch, checks/s: {ratio:.2f}× (median of {len(ratios)} pairs; "
                       f"target ≥ 3: {'ok' if ratio >= 3 else 'MISSED'})")
        verdict.append(f"CPU per check, urlwatch ÷ govwatch: {cpu_ratio:.2f}× (all processes of each, median)")
    urlwatch_rate = statistics.median(p["urlwatch"]["checks_per_s"] for p in measured) if measured else None
    for r in rounds:
        if r.label.startswith("unchanged round, forked, --parallel"):
            versus = f" = {r.checks_per_s / urlwatch_rate:.2f}× urlwatch's median" if urlwatch_rate else ""
            verdict.append(f"{r.label}: {r.checks_per_s:.1f} checks/s{versus}, {r.cpu_per_source_s:.3f} s CPU per source")
    return {
        "sources": args.sources, "articles": args.articles, "parallel": args.parallel, "seconds": took,
        "machine": {"cores": os.cpu_count(), "load_start": load_start, "load_end": os.getloadavg()},
        "rounds": [r.as_dict() for r in rounds],
        "pairs": [{"govwatch": p["govwatch"].label, "urlwatch": p.get("urlwatch")} for p in pairs],
        "urlwatch": measured[0]["urlwatch"] if measured else None,
        "unchanged_cpu_per_source_s": cpu_per_source, "unchanged_vs_urlwatch": ratio,
        "urlwatch_cpu_per_check_vs_unchanged": cpu_ratio,
        "verdict": verdict,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; says where the JSON went (not `run`: under `python -m bench` the file is
    in a work folder removed at the end, and the summary is in that run's results)."""
    args = parse_args(argv)
    run(args)
    print(f"results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
