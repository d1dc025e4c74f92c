"""`python -m bench.recheck_one`: where one unchanged re-check of a small source spends CPU and wall.

    python -m bench.recheck_one [--articles 20] [--repeat 8] [--start fork|spawn]

Why beside bench.many_sources: that one measures a round of hundreds of sources through the
service, where a few milliseconds per crawl are lost in the machine's drift. This one crawls one
source of the same site (bench.many_sources.generate_sources_site) on nginx, once to fill the
store and then `--repeat` times unchanged (every article a 304), through `start_crawl` +
`wait_for_crawl` as the service does, and prints for each re-check:

- the crawl process's own CPU (its rusage, from the fork server or os.wait4; a re-check in a
  reused crawl process, crawler/crawl_worker.py, reports its own share, the process's start
  counted in its first crawl; `GOVWATCH_CRAWL_REUSE=0` forks one process per re-check);
- the CPU of the processes it left behind (a pool's multiprocessing forkserver and its workers,
  re-parented when the crawl exits: this process adopts them as a subreaper and reaps them);
- the crawl's wall, from the request to its exit report;
- the service's own steps around it: starting the run, closing it, the run's ending
  (monitor.crawls.finish_runs) and the source's health, each wall and the CPU of all of them
  (with one idle connection held open, as the service holds one).

Medians at the end, with the load average (the machine is shared: compare runs made together).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.many_sources import become_subreaper, generate_sources_site, reap_orphans, write_sources
from bench.nginx import Nginx


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.recheck_one", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20, help="articles of the source")
    parser.add_argument("--repeat", type=int, default=8, help="unchanged re-checks")
    parser.add_argument("--start", choices=("fork", "spawn"), default="fork", help="how crawls start")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.repeat < 1:
        parser.error("--articles and --repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not become_subreaper():
        print("warning: cannot adopt orphans (prctl): their CPU is not counted", file=sys.stderr)
    from monitor.config import load_sources, source_as_record
    from monitor.crawl_processes import wait_with_usage
    from monitor.crawls import finish_runs, start_crawl, wait_for_crawl
    from monitor.run_end import record_source_health
    from storage import open_db
    from storage.database import hold_store_open
    from storage.sources import sync_sources

    work = Path(tempfile.mkdtemp(prefix="govwatch-bench-recheck-one-"))
    starts = generate_sources_site(work / "site", 1, args.articles)
    rows = []
    with Nginx(work / "site") as server:
        write_sources(work / "sources.yaml", server.base_url, starts)
        db_path = work / "govwatch.db"
        db = open_db(db_path)
        sync_sources(db, [source_as_record(s) for s in load_sources(work / "sources.yaml")])
        db.close()
        # as the service holds one (CrawlService.keep_store_open): no step's close checkpoints the WAL
        keeper = hold_store_open(db_path)
        run = wait_for_crawl(db_path, start_crawl(db_path, "s000", start=args.start, parallel_crawls=4))
        print(f"first crawl: {run['status']}, {run['articles_new']} new; load {os.getloadavg()[0]:.1f}")
        reaped = reap_orphans()
        for _ in range(args.repeat):
            began, cpu = time.monotonic(), time.process_time()
            job = start_crawl(db_path, "s000", start=args.start, parallel_crawls=4)
            opened = time.monotonic() - began
            usage = wait_with_usage(job.process)
            wall = time.monotonic() - began
            marks = [time.monotonic()]
            run = wait_for_crawl(db_path, job)
            marks.append(time.monotonic())
            finish_runs(db_path, [run["id"]])
            marks.append(time.monotonic())
            db = open_db(db_path)
            record_source_health(db, ["s000"])
            db.close()
            marks.append(time.monotonic())
            service_cpu = time.process_time() - cpu
            now = reap_orphans()
            orphans, reaped = now - reaped, now
            if args.start == "spawn":  # os.wait4 reaped the spawned crawl: its CPU is in RUSAGE_CHILDREN too
                orphans -= usage.cpu_s
            steps = [1000 * (b - a) for a, b in itertools.pairwise(marks)]
            rows.append((usage.cpu_s, orphans, wall, service_cpu))
            print(f"re-check: crawl {usage.cpu_s:.3f} s CPU, left behind {orphans:.3f} s, wall {wall:.3f} s; "
                  f"service {opened * 1000:.0f} ms to start, {steps[0]:.0f} close, {steps[1]:.0f} ending, "
                  f"{steps[2]:.0f} health, {service_cpu * 1000:.0f} ms CPU; {run['not_modified']} × 304, "
                  f"{run['status']}; load {os.getloadavg()[0]:.1f}")
        keeper.close()
    crawl, left, wall, service = (statistics.median(column) for column in zip(*rows, strict=True))
    print(f"median of {len(rows)}: crawl {crawl:.3f} s CPU + left behind {left:.3f} s + service {service:.3f} s "
          f"= {crawl + left + service:.3f} s CPU per re-check; crawl wall {wall:.3f} s; load {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
