"""Where a govwatch crawl spends its time, and what each adopted speed-up buys.

    python -m bench.profile_crawl [--pages 1000] [--heavy-share 0] [--no-variants] [--repeat 1]

Why a separate command: a cProfile run is ~1.5× slower than a plain one, so its figures are
shares, not speeds; the speeds come from the variants, each a plain crawl of the same pages
into a fresh database with one change switched on by `-s` settings (nothing in crawler/ is
edited). Variants run in turn on the same nginx site; on a busy machine use `--repeat` and
read the best of each.
"""

from __future__ import annotations

import argparse
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.crawl_speed import crawl, prepare_db, settings_arg, source_record
from bench.nginx import Nginx
from bench.report import machine, versions, write_json
from bench.site import generate_site

SOURCE = "bench-light"
RESULTS = Path(__file__).resolve().parent / "results" / "profile.json"

# Downloader middlewares without the compressed-body fix (crawler/compression.py), to show what it buys.
_NO_SNIFF_FIX = settings_arg({"crawler.compression.CompressedBodyMiddleware": None})

# name → extra `-s` settings. "as configured" is crawler/settings.py untouched; each other
# variant switches one adopted speed-up back off, so its row shows what that speed-up buys.
VARIANTS: dict[str, dict[str, Any]] = {
    "as configured (pool, batched writes)": {},
    "extraction in the crawl process": {"GOVWATCH_EXTRACTION_WORKERS": 0},
    "one extraction worker": {"GOVWATCH_EXTRACTION_WORKERS": 1},
    "one transaction per item": {"GOVWATCH_STORE_BATCH": 1},
    "without the compressed-body fix": {"DOWNLOADER_MIDDLEWARES": _NO_SNIFF_FIX},
    "CONCURRENT_ITEMS=100 (Scrapy default)": {"CONCURRENT_ITEMS": 100},
}

# The unchanged re-crawl (all 304s): what batching the 304 writes buys.
RECRAWL_VARIANTS: dict[str, dict[str, Any]] = {
    "re-crawl as configured": {},
    "re-crawl, one transaction per item": {"GOVWATCH_STORE_BATCH": 1},
    "re-crawl, 500 items per transaction": {"GOVWATCH_STORE_BATCH": 500},
}

# Component → the function whose cumulative time is that component (file suffix, function name).
COMPONENTS = [
    ("extraction: extract_page", "crawler/extraction/page.py", "extract_page"),
    ("  of which trafilatura.extract", "trafilatura/core.py", "extract"),
    ("storage: record_page", "storage/articles.py", "record_page"),
    ("storage: record_not_modified (304s)", "storage/articles.py", "record_not_modified"),
    ("  BEGIN IMMEDIATE / COMMIT (storage.transactions.writing)", "storage/transactions.py", "writing"),
    ("  of which search index rows (storage.search.add_to_index)", "storage/search.py", "add_to_index"),
    ("  store's CPU part (storage.articles.prepare_content)", "storage/articles.py", "prepare_content"),
    ("decompression + encoding sniff (HttpCompressionMiddleware)", "httpcompression.py", "process_response"),
    ("  of which charset_normalizer.from_bytes", "charset_normalizer/api.py", "from_bytes"),
    ("spider: parse_list (link extraction)", "crawler/spiders/source.py", "parse_list"),
    ("spider: parse_article", "crawler/spiders/source.py", "parse_article"),
    ("logging records made (mostly dropped)", "logging/__init__.py", "_log"),
    ("imports (first import of each module)", "<frozen importlib._bootstrap>", "_find_and_load"),
]


def profile(db: Path, server: Nginx, out: Path) -> dict[str, Any]:
    """One crawl under cProfile: the top functions by own time and the component shares.

    Extraction runs in the crawl process here (no pool), so the one profile covers all the
    work; cProfile never sees inside pool workers.
    """
    figures = crawl(db, SOURCE, server, profile_to=out, extra_settings={"GOVWATCH_EXTRACTION_WORKERS": 0})
    stats = pstats.Stats(str(out))
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = stats.stats  # type: ignore[attr-defined]
    top = sorted(rows.items(), key=lambda kv: kv[1][2], reverse=True)[:10]
    components = []
    for label, suffix, name in COMPONENTS:
        cum = 0.0
        for (file, _, func), (_, _, _, ct, _) in rows.items():
            if func == name and file.endswith(suffix):
                cum = max(cum, ct)
        components.append({"component": label, "seconds": cum, "share": cum / total})
    return {
        "pages": figures.articles,
        "profiled_seconds": total,
        "top_own_time": [
            {"function": f"{Path(file).name}:{line}({func})", "calls": cc, "own_s": tt, "cum_s": ct,
             "share": tt / total}
            for (file, line, func), (cc, _, tt, ct, _) in top
        ],
        "components": components,
    }


def variants(db_dir: Path, server: Nginx, records: list[dict[str, Any]], repeat: int,
             table: dict[str, dict[str, Any]] = VARIANTS, recrawl_db: Path | None = None) -> list[dict[str, Any]]:
    """Each variant crawled `repeat` times (into a fresh database, or again into `recrawl_db`); the best is kept."""
    results = []
    for name, extra in table.items():
        best: dict[str, Any] | None = None
        for attempt in range(repeat):
            db = recrawl_db or db_dir / f"variant-{len(results)}-{attempt}.db"
            if recrawl_db is None:
                prepare_db(db, records)
            run = crawl(db, SOURCE, server, extra_settings=extra).as_dict()
            if best is None or run["crawl_pages_per_s"] > best["crawl_pages_per_s"]:
                best = run
        assert best is not None
        results.append({"variant": name, **{k: best[k] for k in (
            "articles", "wall_s", "crawl_s", "pages_per_s", "crawl_pages_per_s", "cpu_ms_per_page", "peak_rss_mb",
            "loadavg")}})
        print(f"  {name:<40} {best['crawl_pages_per_s']:7.1f} pages/s in crawl, {best['pages_per_s']:7.1f} end to end,"
              f" {best['cpu_ms_per_page']:6.1f} ms CPU/page, load {best['loadavg']:.1f}", file=sys.stderr, flush=True)
    return results


def table(result: dict[str, Any]) -> str:
    lines = []
    for key, title in (("profile", "first crawl"), ("recrawl_profile", "unchanged re-crawl")):
        prof = result[key]
        lines += [f"profile of the {title} of {prof['pages']} pages ({prof['profiled_seconds']:.1f} s under cProfile)",
                  "", "top 10 by own time:"]
        for row in prof["top_own_time"]:
            lines.append(f"  {row['share']:6.1%}  {row['own_s']:7.2f} s  {row['calls']:>8}  {row['function']}")
        lines += ["", "components (cumulative time):"]
        for row in prof["components"]:
            if row["seconds"]:
                lines.append(f"  {row['share']:6.1%}  {row['seconds']:7.2f} s  {row['component']}")
        lines.append("")
    if result.get("variants"):
        lines += [f"{'variant':<40} {'crawl p/s':>10} {'e2e p/s':>9} {'ms CPU/p':>9} {'RSS MB':>7} {'load':>5}"]
        for row in result["variants"]:
            lines.append(f"{row['variant']:<40} {row['crawl_pages_per_s']:10.1f} {row['pages_per_s']:9.1f} "
                         f"{row['cpu_ms_per_page']:9.1f} {row['peak_rss_mb']:7.0f} {row['loadavg']:5.1f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_crawl", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--heavy-share", type=float, default=0.0)
    parser.add_argument("--no-variants", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--keep", type=Path, help="copy the raw cProfile files (crawl.prof, recrawl.prof) here")
    args = parser.parse_args(argv)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="govwatch-bench-profile-"))
    site = generate_site(work / "site", args.pages, args.heavy_share, sample=min(args.pages, 100))
    result: dict[str, Any] = {"machine": machine(), "versions": versions(),
                              "params": {"pages": args.pages, "heavy_share": args.heavy_share}}
    with Nginx(site.root) as server:
        records = [source_record(SOURCE, server.base_url, site.start_path("light/"))]
        db = work / "profile.db"
        prepare_db(db, records)
        print("profiling one crawl …", file=sys.stderr, flush=True)
        result["profile"] = profile(db, server, work / "crawl.prof")
        print("profiling the unchanged re-crawl …", file=sys.stderr, flush=True)
        result["recrawl_profile"] = profile(db, server, work / "recrawl.prof")
        if not args.no_variants:
            print("variants:", file=sys.stderr, flush=True)
            result["variants"] = variants(work, server, records, args.repeat)
            result["variants"] += variants(work, server, records, args.repeat, RECRAWL_VARIANTS, recrawl_db=db)
    result["seconds"] = time.monotonic() - started
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for prof in work.glob("*.prof"):
            shutil.copy2(prof, args.keep / prof.name)
    shutil.rmtree(work, ignore_errors=True)
    print(table(result))
    print(f"\nwritten to {write_json(result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
