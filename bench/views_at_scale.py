"""Benchmark: every page researchers, operators and feed readers open, on a store at scale.

    cd /work/main && .venv/bin/python -m bench.views_at_scale [--db PATH] [--runs 100000] [--repeat 3]

Why: a view that reads every row of a table costs nothing on the demo's 13 articles and a
second on a year's store, and no test's timing shows it. This takes the search bench's store
(`bench.search_scale`'s 200,000 articles; built if missing, of `--articles`), copies it, adds what a year
of crawling adds besides articles (`--runs` crawl runs with their log tails, a first version
and a `new` event per article, a second version and a `changed` event for one in ten), then asks
each page through the project's Datasette (metadata, plugins, settings as `govwatch serve`),
prints its best time of `--repeat` and every statement over 20 ms with SQLite's plan for it.
A plan step `SCAN <table>` (or a non-covering index scan) under a large time is the finding.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import time
from pathlib import Path

from bench.search_scale import DB, build_store

COPY = Path("/tmp/govwatch-bench-views/govwatch.db")
SLOW_STATEMENT_MS = 20
PAGES = [
    "/govwatch/articles", "/govwatch/articles?_sort=published", "/govwatch/articles?_sort_desc=published",
    "/govwatch/articles?source=site03", "/-/article/10", "/-/article/11",
    "/govwatch/versions", "/govwatch/article_versions", "/govwatch/events", "/govwatch/events?kind=changed",
    "/govwatch/crawl_runs", "/govwatch/crawl_runs?source=site03",
    "/govwatch/per_month", "/govwatch/article_history?id=10", "/govwatch/search?q=扶贫",
    "/govwatch/atom_new_articles.atom", "/govwatch/atom_changes.atom",
    "/govwatch/operator_sources", "/-/operator", "/-/metrics", "/-/healthz",
]
# What a year adds besides the articles, in SQL over the store's own articles (ids 1..N).
YEAR_OF_RUNS = """
insert into crawl_runs (source, trigger, started_at, finished_at, status, pages_fetched, bytes_downloaded,
                        articles_new, errors, log_tail)
with recursive n(value) as (select 1 union all select value + 1 from n where value < :runs)
select 'site' || printf('%02d', value % 40), 'schedule',
       strftime('%Y-%m-%dT%H:%M:%S+00:00', 1735689600 + value * 300, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%S+00:00', 1735689600 + value * 300 + 20, 'unixepoch'),
       case when value % 17 = 0 then 'failed' else 'ok' end, 20, 400000, value % 5, value % 3,
       printf('%.2000c', 'x')
from n"""
VERSIONS_AND_EVENTS = [
    """insert into article_versions (article_id, version, run_id, fetched_at, title, published, content_hash,
                                     http_status, raw_size)
       select id, 1, id % :runs + 1, last_changed, title, published, content_hash, 200, 30000 from articles""",
    """insert into events (article_id, kind, run_id, source, at, version_id)
       select v.article_id, 'new', v.run_id, a.source, v.fetched_at, v.id
       from article_versions v join articles a on a.id = v.article_id""",
    """insert into article_versions (article_id, version, run_id, fetched_at, title, published, content_hash,
                                     http_status, raw_size, diff_summary)
       select id, 2, id % :runs + 1, last_changed, title, published, content_hash, 200, 30000, '1 段改动'
       from articles where id % 10 = 0""",
    """insert into events (article_id, kind, run_id, source, at, version_id)
       select v.article_id, 'changed', v.run_id, a.source, v.fetched_at, v.id
       from article_versions v join articles a on a.id = v.article_id where v.version = 2""",
    "update articles set version_count = 1 + (id % 10 = 0)",
]


def prepare(source: Path, copy: Path, runs: int, articles: int) -> None:
    """Copy the search bench's store and add a year's runs, versions and events (once per copy)."""
    from storage import open_db

    if not source.exists():
        build_store(source, articles)
    if copy.exists():
        return
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, copy)
    db = open_db(copy)  # migrated as `govwatch serve` would find it
    with db.conn:
        db.conn.execute(YEAR_OF_RUNS, {"runs": runs})
        for statement in VERSIONS_AND_EVENTS:
            db.conn.execute(statement, {"runs": runs})
    db.close()


async def time_pages(path: Path, repeat: int) -> list[tuple[str, int, float, list[tuple[float, str, str]]]]:
    """(page, status, best ms, slow statements with their plans) for every page in PAGES."""
    from datasette.app import Datasette
    from datasette.tracer import capture_traces

    from monitor.publish import DATASETTE_DIR, DATASETTE_SETTINGS, datasette_metadata

    ds = Datasette([str(path)], metadata=datasette_metadata(path), plugins_dir=str(DATASETTE_DIR / "plugins"),
                   template_dir=str(DATASETTE_DIR / "templates"), settings=DATASETTE_SETTINGS)
    await ds.invoke_startup()
    explain = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    explain.create_function("bigram_query", 1, lambda q: q)  # the canned search's functions, for its plan
    explain.create_function("search_snippet", 2, lambda text, q: text)
    out = []
    for page in PAGES:
        best, status, slow = float("inf"), 0, []
        for _ in range(repeat):
            traces: list[dict] = []
            start = time.perf_counter()
            with capture_traces(traces):
                status = (await ds.client.get(page)).status_code
            elapsed = (time.perf_counter() - start) * 1000
            if elapsed < best:
                best, slow = elapsed, [(t["duration_ms"], t["sql"], plan_of(explain, t)) for t in traces
                                       if t["type"] == "sql" and t["duration_ms"] >= SLOW_STATEMENT_MS]
        out.append((page, status, best, slow))
    return out


def plan_of(conn: sqlite3.Connection, trace: dict) -> str:
    try:
        return " / ".join(row[3] for row in conn.execute("explain query plan " + trace["sql"], trace.get("params") or []))
    except sqlite3.Error as error:
        return f"(no plan: {error})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DB, help="the search bench's store (built if missing)")
    parser.add_argument("--copy", type=Path, default=COPY, help="where the store with runs, versions and events goes")
    parser.add_argument("--articles", type=int, default=200_000, help="articles of the store, if it is built")
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    prepare(args.db, args.copy, args.runs, args.articles)
    with sqlite3.connect(args.copy) as conn:
        sizes = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                 for t in ("articles", "article_versions", "events", "crawl_runs")}
    print("store:", ", ".join(f"{t} {n:,}" for t, n in sizes.items()))
    for page, status, best, slow in asyncio.run(time_pages(args.copy, args.repeat)):
        print(f"{page:<48} {status} {best:8,.0f} ms")
        for ms, sql, plan in slow:
            print(f"    {ms:7,.0f} ms  {' '.join(sql.split())[:100]}\n              {plan[:160]}")


if __name__ == "__main__":
    main()
