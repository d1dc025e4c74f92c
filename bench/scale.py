"""`python -m bench.scale [--pages 100000]`: one large crawl, for memory and steady speed.

Why separate from `python -m bench`: a 100,000-page site takes ~5 minutes to generate and
the crawl ~20 minutes, too long to repeat with every figure. What it answers is what the
main run cannot: does memory stay bounded when a crawl is 20× larger (peak RSS of the crawl
process and of its extraction workers), does the rate hold over a long crawl, and what does
the unchanged re-crawl of a large source cost (every article a conditional GET, fed to the
scheduler in chunks). Light pages only: the mix changes the rate, not the memory story.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import recheck, report
from bench.crawl_speed import crawl, prepare_db, source_record
from bench.nginx import Nginx
from bench.report import write_json
from bench.site import generate_site

RESULTS = Path(__file__).resolve().parent / "results" / "scale.json"
SOURCE = "bench-light"


def run(pages: int, say: Any = print) -> dict[str, Any]:
    started = time.monotonic()
    results: dict[str, Any] = {"machine": report.machine(), "versions": report.versions(), "params": {"pages": pages}}
    work = Path(tempfile.mkdtemp(prefix="govwatch-bench-scale-"))
    try:
        say(f"generating {pages:,} light pages …")
        t0 = time.monotonic()
        site = generate_site(work / "site", pages, 0.0, sample=min(pages, 100))
        results["site"] = {**site.summary(), "generate_seconds": time.monotonic() - t0}
        with Nginx(site.root) as server:
            db = work / "scale.db"
            lists = len(site.lists["light/"])
            prepare_db(db, [source_record(SOURCE, server.base_url, site.start_path("light/"), max_list_pages=lists + 1)])
            say(f"govwatch crawl of {pages:,} pages …")
            first = crawl(db, SOURCE, server)
            results["crawl"] = first.as_dict()
            say("the unchanged re-crawl …")
            results["recrawl"] = recheck.recrawl(db, SOURCE, server, first)
            results["db_bytes"] = db.stat().st_size
        results["machine"]["loadavg_end"] = list(os.getloadavg())
        results["seconds"] = time.monotonic() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def table(results: dict[str, Any]) -> str:
    c, r = results["crawl"], results["recrawl"]
    rows = [
        ("pages crawled", f"{c['articles']:,}", ""),
        ("end to end", f"{c['pages_per_s']:.1f}", "pages/s"),
        ("CPU", f"{c['cpu_ms_per_page']:.1f}", "ms/page (crawl process + extraction workers)"),
        ("peak RSS, crawl process", f"{c['crawl_rss_mb']:.0f}", "MB"),
        ("peak RSS, all processes", f"{c['peak_rss_mb']:.0f}", f"MB ({c['extraction_workers']} extraction workers)"),
        ("re-crawl", f"{r['seconds']:.0f}", f"s ({r['checks_per_s']:.0f} checks/s)"),
        ("re-crawl bytes", f"{r['bytes_share']:.3f}", "of the first crawl's"),
        ("re-crawl peak RSS, all processes", f"{r['crawl']['peak_rss_mb']:.0f}", "MB"),
        ("database", f"{results['db_bytes'] / 2**20:.0f}", "MB"),
    ]
    m = results["machine"]
    head = [(f"machine: {m['nproc']} cores, {m['cpu']}; load {m['loadavg_start'][0]:.2f} at start, "
            f"{m['loadavg_end'][0]:.2f} at end; {results['seconds']:.0f} s in all")]
    return "\n".join(head + [f"{name:34} {value:>10}  {unit}" for name, value, unit in rows])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = run(args.pages, say=lambda message: print(message, file=sys.stderr, flush=True))
    print(table(results))
    print(f"\nwritten to {write_json(results, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
