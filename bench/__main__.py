"""`python -m bench [--pages 5000] [--heavy-share 0.2] [--scale] [--issue22]`: the whole benchmark, one run.

Why one command: the figures only mean something side by side, measured on the same pages,
the same server and the same machine state — bare trafilatura, govwatch end to end, the
unchanged re-crawl, the crawl as the database grows, and urlwatch's re-check. It prints one
table and writes `bench/results/latest.json`. `--pages 500` is the quick mode (< 2 minutes).

Two more sections, off by default (the default run's length is unchanged), run after the rest so
that issue 22's every figure comes from one run:

- `--many-sources N [--many-sources-pairs K]`: `bench.many_sources` itself, N sources × 20
  articles through the real service (`govwatch run --parallel 4`, no spawned round): CPU per
  source of the unchanged round and its checks/s against urlwatch's, the median of K alternated
  pairs (default 3). N = 300 with 3 pairs takes ≈ 12 minutes.
- `--search-articles N [--search-db PATH]`: `bench.search_scale`'s store of N articles (built
  the first time: minutes at 200,000; then reused from PATH, default
  /tmp/govwatch-bench-search/govwatch.db), its table and canned searches timed through
  Datasette (p50/p95 ms, about a minute at 200,000) and each one-word search's hits checked
  against a LIKE scan.

`--issue22` is `--many-sources 300 --search-articles 200000`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import extraction_speed, many_sources, recheck, report, search_scale, urlwatch_peer
from bench.crawl_speed import copy_db, crawl, held_articles, prefill, prepare_db, source_record
from bench.nginx import Nginx
from bench.site import generate_site

SOURCES = {"bench-light": "light/", "bench-mix": "", "bench-sample": "sample/"}
# The many-sources section's shape: issue 22's small columns (20 articles), four crawl slots as
# bench/README.md's many-sources runs use, no spawned round (the forked one is the service's).
MANY_SOURCES_ARTICLES, MANY_SOURCES_PARALLEL = 20, 4
ISSUE22 = {"many_sources": 300, "search_articles": 200_000}  # what --issue22 stands for


def parse_args(args: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=5000, help="article pages in the synthetic site (default 5000)")
    parser.add_argument("--heavy-share", type=float, default=0.2,
                        help="share of ~100 KB portal pages among them (default 0.2)")
    parser.add_argument("--sample", type=int, default=None,
                        help="pages crawled in each database-growth run (default: pages/5, 100 to 1000)")
    parser.add_argument("--held", default="1000,10000",
                        help="articles already held for the growth runs, comma-separated (default 1000,10000)")
    parser.add_argument("--scale", action="store_true", help="also run the growth crawl with 100,000 articles held")
    parser.add_argument("--light-crawls", type=int, default=None,
                        help="light crawls, each between two bare trafilatura runs; the ratio reported is their "
                             "median (default 3, 1 below 1,000 pages)")
    parser.add_argument("--many-sources", type=int, default=None, metavar="N",
                        help=f"then bench.many_sources: N sources × {MANY_SOURCES_ARTICLES} articles through the service"
                             f" (--parallel {MANY_SOURCES_PARALLEL}), its unchanged round against urlwatch (default 0:"
                             " skipped; 300 with 3 pairs takes ≈ 12 minutes)")
    parser.add_argument("--many-sources-pairs", type=int, default=3, metavar="K",
                        help="unchanged rounds and urlwatch re-checks alternated K times each; the figures are the"
                             " medians (default 3)")
    parser.add_argument("--search-articles", type=int, default=None, metavar="N",
                        help="then time the table and canned searches through Datasette on a store of N articles and"
                             " check their hits against LIKE (default 0: skipped; at 200,000 the store takes minutes"
                             " to build the first time, is reused afterwards, and the queries take about a minute)")
    parser.add_argument("--search-db", type=Path, default=search_scale.DB, metavar="PATH",
                        help=f"the search store, built or topped up to N articles, kept for the next run; named"
                             f" govwatch.db, as metadata.yml's database (default {search_scale.DB})")
    parser.add_argument("--issue22", action="store_true",
                        help=f"every issue-22 figure in this run: --many-sources {ISSUE22['many_sources']}"
                             f" --search-articles {ISSUE22['search_articles']} (explicit values of either win)")
    parser.add_argument("--out", type=Path, default=report.RESULTS, help="JSON results (default bench/results/latest.json)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (site, databases) and print its path")
    parsed = parser.parse_args(args)
    for name, shorthand in ISSUE22.items():
        if getattr(parsed, name) is None:
            setattr(parsed, name, shorthand if parsed.issue22 else 0)
    if parsed.many_sources < 0 or parsed.search_articles < 0:
        parser.error("--many-sources and --search-articles must be 0 (skipped) or more")
    if parsed.many_sources_pairs < 1:
        parser.error("--many-sources-pairs must be at least 1")
    if parsed.search_articles and parsed.search_db.name != "govwatch.db":
        parser.error(f"--search-db {parsed.search_db}: the file must be named govwatch.db (metadata.yml's search"
                     " config and canned query are under the database 'govwatch')")
    if parsed.pages < 20:
        parser.error("--pages must be at least 20")
    if not 0 <= parsed.heavy_share < 1:
        parser.error("--heavy-share must be in [0, 1)")
    try:
        held = sorted({int(x) for x in parsed.held.split(",") if x.strip()} | ({100_000} if parsed.scale else set()))
    except ValueError:
        parser.error(f"--held must be comma-separated integers, not {parsed.held!r}")
    parsed.held = [0, *[h for h in held if h > 0]]
    if parsed.light_crawls is None:
        parsed.light_crawls = 3 if parsed.pages >= 1000 else 1
    if parsed.light_crawls < 1:
        parser.error("--light-crawls must be at least 1")
    light = parsed.pages - round(parsed.pages * parsed.heavy_share)
    parsed.sample = min(light, parsed.sample or max(100, min(1000, parsed.pages // 5)))
    return parsed


def run(args: argparse.Namespace, say: Any = print) -> dict[str, Any]:
    """Every measurement, in an order that keeps each one's machine state comparable."""
    started = time.monotonic()
    results: dict[str, Any] = {"machine": report.machine(), "versions": report.versions(),
                               "params": {"pages": args.pages, "heavy_share": args.heavy_share,
                                          "sample": args.sample, "held": args.held,
                                          "light_crawls": args.light_crawls, "many_sources": args.many_sources,
                                          "many_sources_pairs": args.many_sources_pairs,
                                          "search_articles": args.search_articles}}
    work = Path(tempfile.mkdtemp(prefix="govwatch-bench-"))
    try:
        say(f"generating {args.pages} pages …")
        site = generate_site(work / "site", args.pages, args.heavy_share, sample=args.sample)
        results["site"] = site.summary()
        say("bare trafilatura, 1 process …")
        bare = results["trafilatura"] = extraction_speed.measure([p.file for p in site.light],
                                                                 [p.file for p in site.heavy])
        with Nginx(site.root) as server:
            records = [source_record(name, server.base_url, site.start_path(section)) for name, section in SOURCES.items()]
            results["govwatch"] = {}
            say(f"govwatch crawl of the light pages ×{args.light_crawls}, each between two runs of bare "
                "trafilatura on all cores …")
            bare["light_all_cores"], light_runs = extraction_speed.interleaved(
                [p.file for p in site.light],
                [lambda n=n: light_crawl(work / f"light-{n}.db", records, server) for n in range(args.light_crawls)])
            pairs = [{"ratio": figures.pages_per_s / around, "pages_per_s": figures.pages_per_s,
                      "cpu_ms_per_page": figures.cpu_ms_per_page,
                      "crawl_process_cpu_ms_per_page": 1000 * (figures.cpu_s - figures.worker_cpu_s) / figures.articles,
                      "bare_pages_per_s": around}
                     for figures, around in light_runs]
            # The headline light figures are the crawl with the median ratio; every pair is kept.
            median = sorted(range(len(pairs)), key=lambda i: pairs[i]["ratio"])[(len(pairs) - 1) // 2]
            results["govwatch"]["light"] = {**light_runs[median][0].as_dict(), "ratio": pairs[median]["ratio"]}
            results["govwatch"]["light_runs"] = pairs
            say("govwatch crawl, the mix, between two runs of bare trafilatura on all cores …")
            mix_db = work / "mix.db"
            prepare_db(mix_db, records)
            bare["mix_all_cores"], first = extraction_speed.bracketed(
                [p.file for p in site.pages], lambda: crawl(mix_db, "bench-mix", server))
            results["govwatch"]["mix"] = first.as_dict()
            say("govwatch unchanged re-crawl …")
            results["recrawl"] = recheck.recrawl(mix_db, "bench-mix", server, first)
            say("urlwatch re-check of the same pages …")
            results["urlwatch"] = urlwatch_peer.recheck([server.base_url + p.path for p in site.pages], server)
            results["growth"] = growth(work, args.held, records, [p.file.read_bytes() for p in site.light[:50]],
                                       server, say)
        if args.many_sources:
            say(f"many sources: {args.many_sources} × {MANY_SOURCES_ARTICLES} articles through the service, "
                f"{args.many_sources_pairs} pair{'' if args.many_sources_pairs == 1 else 's'} against urlwatch …")
            results["many_sources"] = many_sources_section(args, work / "many_sources.json", say)
        if args.search_articles:
            results["search"] = search_section(args.search_db, args.search_articles, say)
        results["machine"]["loadavg_end"] = list(os.getloadavg())
        results["seconds"] = time.monotonic() - started
        results["figures"] = report.figures(results)
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return results


def many_sources_section(args: argparse.Namespace, out: Path, say: Any) -> dict[str, Any]:
    """bench.many_sources' own run and summary, in issue 22's shape (see MANY_SOURCES_ARTICLES).

    Its Namespace comes from its own parser, so its checks and defaults (no --slots) hold here
    too. Its JSON goes to `out` in the work dir: the summary is in this run's results, and the
    results folder keeps only what a person chose to keep.
    """
    argv = ["--sources", str(args.many_sources), "--articles", str(MANY_SOURCES_ARTICLES),
            "--parallel", str(MANY_SOURCES_PARALLEL), "--spawn-sources", "0",
            "--pairs", str(args.many_sources_pairs), "--out", str(out)]
    return many_sources.run(many_sources.parse_args(argv + (["--keep"] if args.keep else [])), say)


def search_section(db: Path, articles: int, say: Any) -> dict[str, Any]:
    """Search latency on a store of `articles` through bench.search_scale, and its hits against LIKE.

    The store is built (or topped up) by search_scale's own builder and kept, since building
    200,000 articles takes minutes and the timings do not depend on a fresh file. The LIKE count
    is the ground truth for a one-word query: the two differing is a wrong result, not slowness.
    """
    say(f"search store of {articles:,} articles in {db} (built the first time, then reused) …")
    built_s = search_scale.build_store(db, articles)
    say(f"timing searches through Datasette ({search_scale.REPEAT} rounds of {len(search_scale.WORDS)} words) …")
    got = asyncio.run(search_scale.time_queries(search_scale.ROOT, db, search_scale.REPEAT))
    kinds = {"table": search_scale.TABLE, "canned": search_scale.CANNED, "like": search_scale.LIKE}
    differ = {word: {"search": got["hits"][word], "like": like} for word, like in got["like_hits"].items()
              if got["hits"][word] != like}
    return {
        "db": str(db), "articles": held_articles(db), "build_seconds": built_s, "repeat": search_scale.REPEAT,
        **{kind: {"p50_ms": search_scale.percentile(got["timings"][label], 0.5),
                  "p95_ms": search_scale.percentile(got["timings"][label], 0.95),
                  "queries": len(got["timings"][label])} for kind, label in kinds.items()},
        "hits": got["hits"], "like_hits": got["like_hits"],
        # Every query's time in the order asked (the first is the cold one), and the table search's
        # per word: what a p95 of 30 queries was made of.
        "timings_ms": {kind: [round(ms, 1) for ms in got["timings"][label]] for kind, label in kinds.items()},
        "table_per_word_ms": {word: [round(ms, 1) for ms in times] for word, times in got["per_word"].items()},
        # Every one-word query was compared (the others have no LIKE equivalent) and none differed.
        "hits_equal_like": bool(got["like_hits"]) and not differ, "hits_differ": differ,
    }


def light_crawl(db: Path, records: list[dict[str, Any]], server: Nginx) -> Any:
    """A first crawl of the light section into a fresh database."""
    prepare_db(db, records)
    return crawl(db, "bench-light", server)


def growth(work: Path, held: list[int], records: list[dict[str, Any]], bodies: list[bytes], server: Nginx,
           say: Any) -> list[dict[str, Any]]:
    """The same crawl of the sample pages into databases that already hold 0, 1k, 10k (100k) articles.

    Filling goes through the store's own writer at a few ms per article, so filled archives
    are kept between runs (see `archive_cache`): only the first run on a machine pays for them.
    """
    steps = []
    smaller: Path | None = None  # the previous archive: the next one starts from a copy of it
    for target in held:
        db = work / f"growth-{target}.db"
        prefill_s = 0.0
        if target:
            cached = archive_cache(target)
            if not cached.exists():
                say(f"pre-filling an archive of {target:,} articles (kept in {cached.parent}) …")
                prefill_s = build_archive(cached, target, records, bodies, start_from=smaller)
            copy_db(cached, db)
            smaller = cached
        prepare_db(db, records)
        say(f"growth crawl with {held_articles(db):,} articles held …")
        figures = crawl(db, "bench-sample", server)
        steps.append({"held": target, "prefill_seconds": prefill_s, "crawl": figures.as_dict()})
        for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            leftover.unlink(missing_ok=True)
    return steps


def archive_cache(count: int) -> Path:
    """Where a pre-filled archive of `count` articles is kept, keyed by the code that writes it.

    The key hashes the schema, the writers and the filler, so a change to any of them builds
    a fresh archive instead of measuring against a stale one.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for part in ("storage/schema.py", "storage/articles.py", "storage/search.py", "bench/crawl_speed.py"):
        digest.update((root / part).read_bytes())
    return Path(tempfile.gettempdir()) / "govwatch-bench-archives" / f"archive-{count}-{digest.hexdigest()[:12]}.db"


def build_archive(path: Path, count: int, records: list[dict[str, Any]], bodies: list[bytes],
                  start_from: Path | None = None) -> float:
    """Fill a new archive database (from a copy of a smaller one, if given; renamed when complete)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = path.stem.rsplit("-", 1)[1]
    for stale in path.parent.glob("archive-*.db"):  # built by older code: never used again
        if not stale.stem.endswith(key):
            stale.unlink(missing_ok=True)
    partial = path.with_name(path.name + f".{os.getpid()}.partial")
    if start_from is not None:
        copy_db(start_from, partial)
    prepare_db(partial, records)
    seconds = prefill(partial, count - held_articles(partial), bodies)
    staged = path.with_name(path.name + f".{os.getpid()}.staged")
    copy_db(partial, staged)  # one self-contained file, no -wal beside it
    os.replace(staged, path)
    for leftover in (partial, partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args, say=lambda message: print(message, file=sys.stderr, flush=True))
    print(report.table(results))
    path = report.write_json(results, args.out)
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
