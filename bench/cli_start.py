"""`python -m bench.cli_start`: what one `govwatch` command costs an operator, in CPU.

    python -m bench.cli_start [--articles 20] [--pairs 3]

Why: the scheduler service keeps its crawl processes warm (bench.many_sources), but operators,
cron jobs and the tests run one command at a time, and each is a new Python process. This
measures, on one source of the bench's site (bench.many_sources.generate_sources_site) on
nginx, the CPU of every process a command starts, counted as a subreaper so the fork server
and the pools a crawl leaves behind are counted too:

- `govwatch crawl --config BAD` (refused: one line, exit 2) and `govwatch sources list`;
- `govwatch crawl NAME`, first crawl then an unchanged re-check, its one crawl spawned (the
  command's default for a single crawl, monitor/cli.py) and forked from a fork server
  (GOVWATCH_CRAWL_START=fork), alternated in pairs: the ratio compares runs made together.

Medians at the end, with the load average (the machine is shared: compare runs made together).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.many_sources import become_subreaper, generate_sources_site, reap_orphans, write_sources
from bench.nginx import Nginx
from monitor.locations import PROJECT_ROOT


def govwatch_cpu(args: Sequence[str], env: dict[str, str], expect: int = 0, settle_s: float = 0.5) -> float:
    """Run `govwatch ARGS`; the CPU of it and of every process it started (a fork server exits
    when its command has ended: `settle_s` waits for it before reaping)."""
    before = reap_orphans(0)
    result = subprocess.run([sys.executable, "-m", "monitor", *args], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != expect:
        raise RuntimeError(f"govwatch {' '.join(args)} exited {result.returncode}:\n{result.stderr[-2000:]}")
    return reap_orphans(settle_s) - before


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.cli_start", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20, help="articles of the source")
    parser.add_argument("--pairs", type=int, default=3, help="spawned/forked pairs of crawls")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.pairs < 1:
        parser.error("--articles and --pairs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not become_subreaper():
        print("warning: cannot adopt orphans (prctl): a fork server's CPU is not counted", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="govwatch-bench-cli-start-"))
    starts = generate_sources_site(work / "site", 1, args.articles)
    bad = work / "bad.yaml"
    bad.write_text("sources:\n  - just a string\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "GOVWATCH_CRAWL_START"}
    ways = {"spawned": env, "forked": {**env, "GOVWATCH_CRAWL_START": "fork"}}
    figures: dict[str, list[float]] = {}
    with Nginx(work / "site") as server:
        config = work / "sources.yaml"
        write_sources(config, server.base_url, starts)
        for pair in range(args.pairs):
            order = list(ways) if pair % 2 == 0 else list(reversed(ways))
            for way in order:
                db = work / f"{way}-{pair}.db"
                crawl = ["crawl", "--db", str(db), "--config", str(config), "s000"]
                first, again = govwatch_cpu(crawl, ways[way]), govwatch_cpu(crawl, ways[way])
                figures.setdefault(f"{way} first crawl", []).append(first)
                figures.setdefault(f"{way} re-check", []).append(again)
                print(f"{way}: first crawl {first:.2f} s CPU, unchanged re-check {again:.2f} s; "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
            figures.setdefault("refused config", []).append(
                govwatch_cpu(["crawl", "--db", str(work / "unused.db"), "--config", str(bad)], env, expect=2, settle_s=0))
            figures.setdefault("sources list", []).append(
                govwatch_cpu(["sources", "list", "--db", str(work / f"spawned-{pair}.db")], env, settle_s=0))
    medians = {name: statistics.median(values) for name, values in figures.items()}
    for name, value in medians.items():
        print(f"median {name}: {value:.2f} s CPU")
    for phase in ("first crawl", "re-check"):
        print(f"{phase}: spawned ÷ forked = {medians[f'spawned {phase}'] / medians[f'forked {phase}']:.2f}")
    print(f"load {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
