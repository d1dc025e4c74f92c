"""`python -m bench.growth [--limit N]`: bytes per article by part, on real pages.

The store is filled through the real writer (`storage.articles.record_page`, as a crawl does,
then `compact_bodies`, as the step after every crawl does) with the real-site pages of
realsites-dev (9 sites, one source each, unpacked from /work/shared at run time), each
extracted by the crawler's own `extract_for_store`. Then a share of the articles is edited
(a second version: new paragraph in text and body) and a share withdrawn, as a site does.

Printed: bytes per article by part (text, versions, raw HTML, search index, events, other) of
the compacted file, and, measured on the same bodies and tokens in the same run, what the
previous layout took for the two largest parts: raw HTML as gzip -6 per version, and the
search index with its content (the bigram tokens) stored, and the current text kept a second
time in its version row. Each source's zstd dictionary is trained after the first fifth of the
pages (the "first crawl"), so most bodies are compressed with a dictionary that never saw
them, as in service. 100,000 articles of the same sources are extrapolated linearly from N,
except the per-source dictionaries (64 KB each), a fixed cost that stays as it is.

`--articles 100000` measures that size instead of extrapolating: after the real pages, the store
is filled up to N articles with *enciphered copies* of them. Copy k maps every CJK character of
the article (its title and text, also where they stand in the page's HTML) through its own
bijection of U+4E00–U+9FFF (a multiplier and offset modulo the block); the site's template (menus,
footer) stays as it is, as it does across a site's pages. Each copy keeps its page's length,
markup and character statistics but brings a vocabulary of bigrams no other copy shares. That
errs high, on purpose: a real site's 100,000 articles reuse most of their bigrams (the index's
term dictionary grows far less than linearly), and their text is compressed by a dictionary
trained on the site's own words, where these copies' characters are new to it. Copies are
written in batches of 20, as a crawl does, with the same 15 % edited and 3 % withdrawn, and the
steps after each round of crawls (body compaction, an index merge step) run every 1,000 articles.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import shutil
import sqlite3
import statistics
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import report
from crawler.extraction_pool import extract_for_store
from storage import open_db
from storage.articles import FetchedArticle, record_gone, record_page
from storage.footprint import PART_ORDER, measure_footprint
from storage.raw_bodies import compact_bodies
from storage.runs import close_run, start_run
from storage.search import cjk_bigrams, compact_search_index
from storage.sources import sync_sources
from storage.transactions import batch

TARBALL = Path("/work/shared/realsites-dev/realsites-dev.tar.xz")
RESULTS = Path(__file__).resolve().parent / "results" / "growth.json"
TARGET_ARTICLES = 100_000
EDITED_SHARE = 0.15
FIRST_CRAWL_SHARE_DIVISOR = 5  # the first fifth of the pages make the "first crawl"
WITHDRAWN_SHARE = 0.03


def real_pages(root: Path, limit: int | None) -> list[tuple[str, str, bytes]]:
    """(source, url, body) of every saved page of every site, sites interleaved (so a --limit
    keeps every source), in a fixed order."""
    by_site = [[(site.name, f"http://{site.name}.example.gov.cn/{p.relative_to(site)}", p.read_bytes())
                for p in sorted(site.rglob("*")) if p.suffix in (".html", ".htm", ".shtml")]
               for site in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))]
    pages = [page for group in itertools.zip_longest(*by_site) for page in group if page is not None]
    return pages[:limit] if limit else pages


def fill(db_path: Path, pages: list[tuple[str, str, bytes]], say: Any) -> tuple[dict[str, Any], list[FetchedArticle]]:
    db = open_db(db_path)
    sync_sources(db, [{"name": s, "schedule": "every 6h"} for s in sorted({p[0] for p in pages})])
    runs = {s: start_run(db, s, trigger="bench") for s in sorted({p[0] for p in pages})}
    stored, skipped, gz_bytes, started = [], 0, 0, time.monotonic()
    for i, (source, url, body) in enumerate(pages):
        if i == len(pages) // FIRST_CRAWL_SHARE_DIVISOR:
            # The step after a first crawl: each source's dictionary is trained on the pages so
            # far only, so the rest are compressed with a dictionary that never saw them.
            compact_bodies(db)
        extracted = extract_for_store(body, url, None)
        if extracted.prepared is None:
            skipped += 1
            continue
        f = extracted.fields
        page = FetchedArticle(url=url, source=source, body=body, title=f.get("title"), text=f["text"],
                              published=f.get("published"), publisher=f.get("publisher"), doc_no=f.get("doc_no"),
                              prepared=extracted.prepared)
        record_page(db, runs[source], page)
        gz_bytes += len(gzip.compress(body, compresslevel=6, mtime=0))
        stored.append(page)
        if len(stored) % STEP_EVERY == 0:  # the steps after a round of crawls
            compact_search_index(db)
        if i % 500 == 0:
            say(f"  {i:,} of {len(pages):,} pages ({time.monotonic() - started:.0f} s)")
    for body in edit_and_withdraw(db, runs, stored, random.Random(24)):
        gz_bytes += len(gzip.compress(body, compresslevel=6, mtime=0))
    for run_id in runs.values():
        close_run(db, run_id, "ok")
    t0 = time.monotonic()
    compacted = compact_bodies(db)
    compact_search_index(db)
    compact_s = time.monotonic() - t0
    # What the previous layout also held: the current version's text a second time, in its version row.
    (current_text,) = db.execute("select coalesce(sum(length(cast(a.text as blob))), 0) from articles a"
                                 " join article_versions v on v.id = a.current_version_id where v.text is null"
                                 ).fetchone()
    trained = dict(db.execute("select source, samples from body_dictionaries").fetchall())
    db.close()
    return ({"pages": len(pages), "stored": len(stored), "not_articles": skipped, "raw_gzip_bytes": gz_bytes,
             "compact_seconds": compact_s, "bodies_given_a_dictionary_at_end": sum(compacted.values()),
             "current_text_bytes": current_text, "dictionary_samples": trained}, stored)


def edit_and_withdraw(db: Any, runs: dict[str, int], pages: list[FetchedArticle], rng: random.Random,
                      table: dict[int, int] | None = None) -> list[bytes]:
    """What a site does to what it published: EDITED_SHARE of `pages` get a second version (a
    sentence added, enciphered with `table` for copies), then WITHDRAWN_SHARE answer 404.
    Returns the edited bodies."""
    extra = "（本文已于次日更新：补充了实施细则的说明。）".translate(table or {})
    bodies = []
    for page in rng.sample(pages, int(len(pages) * EDITED_SHARE)):
        body = page.body.replace(b"</body>", extra.encode("utf-8") + b"</body>")
        record_page(db, runs[page.source], FetchedArticle(url=page.url, source=page.source, body=body, title=page.title,
                                                          text=page.text + "\n" + extra, published=page.published))
        bodies.append(body)
    for page in rng.sample(pages, int(len(pages) * WITHDRAWN_SHARE)):
        record_gone(db, runs[page.source], page.url, 404)
    return bodies


# Real pages stored between the steps that follow a round of crawls (bodies, index merge step).
STEP_EVERY = 100
COPY_STEP_EVERY = 1000  # the same for the enciphered copies of --articles
CRAWL_BATCH = 20  # articles a crawl writes in one transaction (crawler/pipelines.py batches)
_CJK_FIRST, _CJK_SIZE = 0x4E00, 0x9FFF - 0x4E00 + 1  # 20,992 = 2**9 * 41


def cipher(k: int) -> dict[int, int]:
    """Copy k's bijection of the CJK block: c -> first + (a * (c - first) + b) mod size, with a
    odd and not a multiple of 41 (so invertible modulo 2**9 * 41)."""
    multipliers = [a for a in range(3, 4000, 2) if a % 41]
    a, b = multipliers[(k * 7) % len(multipliers)], (k * 9973) % _CJK_SIZE
    return {_CJK_FIRST + i: _CJK_FIRST + (a * i + b) % _CJK_SIZE for i in range(_CJK_SIZE)}


def encipher_body(body: bytes, article: Sequence[str], table: dict[int, int]) -> bytes:
    """The body with the article's lines (title, text) mapped wherever they stand in it, the rest
    (the site's template) as it is, in the body's own encoding (UTF-8, else GB 18030)."""
    for codec in ("utf-8", "gb18030"):
        try:
            html = body.decode(codec)
        except UnicodeError:
            continue
        for line in sorted({line.strip() for line in article if len(line.strip()) > 1}, key=len, reverse=True):
            html = html.replace(line, line.translate(table))
        return html.encode(codec)
    return body


def fill_copies(db_path: Path, stored: list[FetchedArticle], target: int, say: Any) -> dict[str, Any]:
    """Store enciphered copies of the real articles until the store holds `target` articles."""
    db = open_db(db_path)
    (have,) = db.execute("select count(*) from articles").fetchone()
    rng = random.Random(100_000)
    runs = {s: start_run(db, s, trigger="bench") for s in sorted({p.source for p in stored})}
    written, started, k = 0, time.monotonic(), 0
    while have + written < target:
        k += 1
        table = cipher(k)
        pending: list[FetchedArticle] = []
        for page in stored:
            if have + written + len(pending) >= target:
                break
            pending.append(FetchedArticle(
                url=f"{page.url}?copy={k}", source=page.source,
                body=encipher_body(page.body, [page.title or "", *page.text.splitlines()], table),
                title=(page.title or "").translate(table) or None, text=page.text.translate(table),
                published=page.published, publisher=page.publisher, doc_no=page.doc_no))
        for start in range(0, len(pending), CRAWL_BATCH):
            with batch(db):
                for page in pending[start:start + CRAWL_BATCH]:
                    record_page(db, runs[page.source], page)
            written += len(pending[start:start + CRAWL_BATCH])
            if written % COPY_STEP_EVERY < CRAWL_BATCH:
                compact_bodies(db)
                compact_search_index(db)
            if written % 10_000 < CRAWL_BATCH:
                say(f"  {have + written:,} articles ({time.monotonic() - started:.0f} s)")
        edit_and_withdraw(db, runs, pending, rng, table)
    for run_id in runs.values():
        close_run(db, run_id, "ok")
    compact_bodies(db)
    compact_search_index(db)
    db.close()
    return {"copies_written": written, "copy_rounds": k, "copy_seconds": time.monotonic() - started}


def content_index_bytes(db_path: Path) -> int:
    """The previous layout's search index (tokens stored as content) for the same articles."""
    scratch = sqlite3.connect(":memory:")
    scratch.execute("create virtual table old_fts using fts5(title, text, tokenize='unicode61 remove_diacritics 0')")

    source = sqlite3.connect(db_path)
    scratch.executemany("insert into old_fts(rowid, title, text) values (?, ?, ?)",
                        ((i, cjk_bigrams(t), cjk_bigrams(x)) for i, t, x in
                         source.execute("select id, title, text from articles")))
    source.close()
    scratch.execute("insert into old_fts(old_fts) values ('optimize')")
    size = scratch.execute("select sum(pgsize) from dbstat where name like 'old_fts%'").fetchone()[0]
    scratch.close()
    return size


def compaction_step_ms(db: Any, repeat: int = 5) -> dict[str, float]:
    """The body-compaction step run after every batch of crawls, when it has nothing to do (the
    usual case): median ms with migration m018's indexes, and without them (dropped, then made
    again), alternated in the same run. Without them it read every body's row to find none."""
    indexes = {name: sql for name, sql in db.execute(
        "select name, sql from sqlite_master where name in ('idx_raw_bodies_plain', 'idx_article_versions_raw_sha256')")}
    times: dict[str, list[float]] = {"indexed": [], "scan": []}
    for _ in range(repeat):
        for label in ("indexed", "scan"):
            if label == "scan":
                for name in indexes:
                    db.execute(f"drop index {name}")
            started = time.perf_counter()
            compact_bodies(db)
            times[label].append(1000 * (time.perf_counter() - started))
            if label == "scan":
                for sql in indexes.values():
                    db.execute(sql)
    db.conn.commit()
    return {label: statistics.median(values) for label, values in times.items()}


def run(limit: int | None, say: Any = print, articles: int | None = None) -> dict[str, Any]:
    """The figures; with `articles`, measured at that many (real pages, then enciphered copies)."""
    if not TARBALL.exists():
        raise SystemExit(f"{TARBALL} is not here: the growth bench needs the realsites-dev pages")
    work = Path(tempfile.mkdtemp(prefix="govwatch-bench-growth-"))
    try:
        with tarfile.open(TARBALL) as tar:
            tar.extractall(work, filter="data")
        root = next(p for p in work.rglob("*") if p.is_dir() and p.name == "realsites-dev")
        pages = real_pages(root, limit)
        say(f"storing {len(pages):,} real pages of {len({p[0] for p in pages})} sites …")
        db_path = work / "growth.db"
        filled, stored = fill(db_path, pages, say)
        copies = None
        if articles:
            say(f"filling up to {articles:,} articles with enciphered copies of the {len(stored):,} real ones …")
            copies = fill_copies(db_path, stored, articles, say)
        del stored
        compact = work / "compact.db"
        with sqlite3.connect(db_path) as conn:
            conn.execute("VACUUM INTO ?", [str(compact)])
        db = open_db(compact)
        footprint = measure_footprint(db)
        fts_now = footprint.bytes_by_part["search index"]
        # one dictionary per source, whatever its number of articles: a fixed cost, not per article
        dictionary_bytes = db.execute("select coalesce(sum(length(dictionary)), 0) from body_dictionaries").fetchone()[0]
        # FTS5 merges its segments as it goes; an 'optimize' merges them into one (what a
        # maintenance pass could do): measured, not applied to the figures above.
        db.execute("insert into articles_fts(articles_fts) values ('optimize')")
        db.conn.commit()
        fts_optimized = db.execute("select sum(pgsize) from dbstat where name like 'articles_fts%'").fetchone()[0]
        compact_step = compaction_step_ms(db)
        db.close()
        n = footprint.articles
        per_article = {part: footprint.per_article(part) for part in PART_ORDER}
        total_per_article = footprint.total / n
        results = {
            "machine": report.machine(), "versions": report.versions(), "params": {"limit": limit, "articles": articles},
            "fill": filled, "copies": copies, "articles": n, "versions_stored": footprint.versions,
            "file_bytes": footprint.file_bytes, "bytes_by_part": footprint.bytes_by_part,
            "bytes_per_article_by_part": per_article, "bytes_per_article": total_per_article,
            "fts_optimized_bytes_per_article": fts_optimized / n, "dictionary_bytes": dictionary_bytes,
            "compaction_step_ms": compact_step,
        }
        if copies is not None:  # the previous layout's parts are measured on the real pages only
            return results
        fts_before = content_index_bytes(compact)
        raw_now = footprint.bytes_by_part["raw HTML"]
        # 100,000 articles of the same sources: everything grows with the articles but the
        # sources' dictionaries, which stay as they are (hence not simply total / n)
        extrapolated = (footprint.total - dictionary_bytes) / n + dictionary_bytes / TARGET_ARTICLES
        before_per_article = total_per_article + (filled["raw_gzip_bytes"] - raw_now + fts_before - fts_now
                                                  + filled["current_text_bytes"]) / n
        return results | {
            "previous_layout": {"raw_gzip_bytes": filled["raw_gzip_bytes"], "content_fts_bytes": fts_before,
                                "current_text_again_bytes": filled["current_text_bytes"],
                                "bytes_per_article": before_per_article},
            "raw_vs_gzip_ratio": raw_now / filled["raw_gzip_bytes"],
            "fts_vs_content_fts_ratio": fts_now / fts_before,
            "extrapolated_100k_bytes_per_article": extrapolated,
            "extrapolated_100k_gb": extrapolated * TARGET_ARTICLES / 1e9,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table(results: dict[str, Any]) -> str:
    n = results["articles"]
    lines = [(f"{n:,} articles, {results['versions_stored']:,} versions ({results['fill']['not_articles']} pages "
             f"were not articles); file {results['file_bytes'] / 1e6:.1f} MB"), "",
             f"{'part':14} {'bytes/article':>14} {'share':>7}"]
    total = results["bytes_per_article"]
    for part, value in results["bytes_per_article_by_part"].items():
        lines.append(f"{part:14} {value:14,.0f} {value / total:7.0%}")
    lines.append(f"{'all':14} {total:14,.0f}")
    lines.append(f"search index after an FTS5 'optimize' (not applied above): "
                 f"{results['fts_optimized_bytes_per_article']:,.0f} bytes/article")
    step = results["compaction_step_ms"]
    lines.append(f"body compaction step with nothing to do (after every batch of crawls): {step['indexed']:.1f} ms "
                 f"with m018's indexes, {step['scan']:.1f} ms without (median, alternated)")
    if results.get("copies"):
        copies = results["copies"]
        lines.append(f"measured at {n:,} articles: {results['file_bytes'] / 1e9:.2f} GB, {total / 1000:.1f} KB per article "
                     f"(target ≤ 15 KB); {copies['copies_written']:,} of them enciphered copies in "
                     f"{copies['copy_rounds']} rounds, written in {copies['copy_seconds']:.0f} s")
        return "\n".join(lines)
    before = results["previous_layout"]
    lines += ["", "same bodies and tokens, previous layout (same run):",
              (f"  raw HTML as gzip -6 per version: {before['raw_gzip_bytes'] / n:,.0f} bytes/article "
              f"(now {results['raw_vs_gzip_ratio']:.2f} × that)"),
              (f"  search index with its content:  {before['content_fts_bytes'] / n:,.0f} bytes/article "
              f"(now {results['fts_vs_content_fts_ratio']:.2f} × that)"),
              (f"  current text again in its version row: {before['current_text_again_bytes'] / n:,.0f} bytes/article "
              f"(now 0)"),
              f"  whole store then (about): {before['bytes_per_article']:,.0f} bytes/article; now {total:,.0f}",
              (f"extrapolated to {TARGET_ARTICLES:,} articles of these sources (linear but for their "
              f"{results['dictionary_bytes'] / 1024:,.0f} KB of dictionaries, a fixed cost): "
              f"{results['extrapolated_100k_gb']:.2f} GB, "
              f"{results['extrapolated_100k_bytes_per_article'] / 1000:.1f} KB per article (target ≤ 15 KB)")]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Store at most this many pages (default: all).")
    parser.add_argument("--articles", type=int, default=None,
                        help="Measure at this many articles: the real ones, then enciphered copies (e.g. 100000).")
    args = parser.parse_args(argv)
    results = run(args.limit, articles=args.articles)
    print(table(results))
    out = RESULTS.with_name(f"growth_{args.articles}.json") if args.articles else RESULTS
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
