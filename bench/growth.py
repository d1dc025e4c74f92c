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
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import shutil
import sqlite3
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
from storage.search import cjk_bigrams
from storage.sources import sync_sources

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


def fill(db_path: Path, pages: list[tuple[str, str, bytes]], say: Any) -> dict[str, Any]:
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
        if i % 500 == 0:
            say(f"  {i:,} of {len(pages):,} pages ({time.monotonic() - started:.0f} s)")
    rng = random.Random(24)
    for page in rng.sample(stored, int(len(stored) * EDITED_SHARE)):
        extra = "（本文已于次日更新：补充了实施细则的说明。）"
        body = page.body.replace(b"</body>", extra.encode("utf-8") + b"</body>")
        edited = FetchedArticle(url=page.url, source=page.source, body=body, title=page.title,
                                text=page.text + "\n" + extra, published=page.published)
        record_page(db, runs[page.source], edited)
        gz_bytes += len(gzip.compress(body, compresslevel=6, mtime=0))
    for page in rng.sample(stored, int(len(stored) * WITHDRAWN_SHARE)):
        record_gone(db, runs[page.source], page.url, 404)
    for run_id in runs.values():
        close_run(db, run_id, "ok")
    t0 = time.monotonic()
    compacted = compact_bodies(db)
    compact_s = time.monotonic() - t0
    # What the previous layout also held: the current version's text a second time, in its version row.
    (current_text,) = db.execute("select coalesce(sum(length(cast(a.text as blob))), 0) from articles a"
                                 " join article_versions v on v.id = a.current_version_id where v.text is null"
                                 ).fetchone()
    trained = dict(db.execute("select source, samples from body_dictionaries").fetchall())
    db.close()
    return {"pages": len(pages), "stored": len(stored), "not_articles": skipped, "raw_gzip_bytes": gz_bytes,
            "compact_seconds": compact_s, "bodies_given_a_dictionary_at_end": sum(compacted.values()),
            "current_text_bytes": current_text, "dictionary_samples": trained}


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


def run(limit: int | None, say: Any = print) -> dict[str, Any]:
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
        filled = fill(db_path, pages, say)
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
        db.close()
        fts_before = content_index_bytes(compact)
        raw_now = footprint.bytes_by_part["raw HTML"]
        n = footprint.articles
        per_article = {part: footprint.per_article(part) for part in PART_ORDER}
        total_per_article = footprint.total / n
        # 100,000 articles of the same sources: everything grows with the articles but the
        # sources' dictionaries, which stay as they are (hence not simply total / n)
        extrapolated = (footprint.total - dictionary_bytes) / n + dictionary_bytes / TARGET_ARTICLES
        before_per_article = total_per_article + (filled["raw_gzip_bytes"] - raw_now + fts_before - fts_now
                                                  + filled["current_text_bytes"]) / n
        return {
            "machine": report.machine(), "versions": report.versions(), "params": {"limit": limit},
            "fill": filled, "articles": n, "versions_stored": footprint.versions, "file_bytes": footprint.file_bytes,
            "bytes_by_part": footprint.bytes_by_part, "bytes_per_article_by_part": per_article,
            "bytes_per_article": total_per_article,
            "previous_layout": {"raw_gzip_bytes": filled["raw_gzip_bytes"], "content_fts_bytes": fts_before,
                                "current_text_again_bytes": filled["current_text_bytes"],
                                "bytes_per_article": before_per_article},
            "raw_vs_gzip_ratio": raw_now / filled["raw_gzip_bytes"],
            "fts_vs_content_fts_ratio": fts_now / fts_before,
            "fts_optimized_bytes_per_article": fts_optimized / n,
            "dictionary_bytes": dictionary_bytes,
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
    before = results["previous_layout"]
    lines += ["", "same bodies and tokens, previous layout (same run):",
              (f"  raw HTML as gzip -6 per version: {before['raw_gzip_bytes'] / n:,.0f} bytes/article "
              f"(now {results['raw_vs_gzip_ratio']:.2f} × that)"),
              (f"  search index with its content:  {before['content_fts_bytes'] / n:,.0f} bytes/article "
              f"(now {results['fts_vs_content_fts_ratio']:.2f} × that)"),
              (f"  current text again in its version row: {before['current_text_again_bytes'] / n:,.0f} bytes/article "
              f"(now 0)"),
              f"  whole store then (about): {before['bytes_per_article']:,.0f} bytes/article; now {total:,.0f}",
              (f"search index after an FTS5 'optimize' (not applied above): "
              f"{results['fts_optimized_bytes_per_article']:,.0f} bytes/article"),
              (f"extrapolated to {TARGET_ARTICLES:,} articles of these sources (linear but for their "
              f"{results['dictionary_bytes'] / 1024:,.0f} KB of dictionaries, a fixed cost): "
              f"{results['extrapolated_100k_gb']:.2f} GB, "
              f"{results['extrapolated_100k_bytes_per_article'] / 1000:.1f} KB per article (target ≤ 15 KB)")]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Store at most this many pages (default: all).")
    args = parser.parse_args(argv)
    results = run(args.limit)
    print(table(results))
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"written {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
