"""Benchmark: search latency on a large store, through Datasette as researchers use it.

    cd /work/main && .venv/bin/python -m bench.search_scale [--articles 200000] [--db PATH]

Builds (or reuses) a store of N synthetic articles made from the seed pages' paragraphs,
indexed exactly as the crawler indexes them (storage.search.cjk_bigrams into articles_fts),
then times, through Datasette's own client with the project's metadata and plugins: the
table search (`/govwatch/articles.json?_search=…`), the ranked canned query
(`/govwatch/search.json?q=…`) and a LIKE scan of the same word for comparison.
Prints p50/p95 per kind of query and hit counts.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

import yaml

from bench.search import synthetic_articles
from monitor.publish import DATASETTE_SETTINGS
from storage import open_db
from storage.search import cjk_bigrams

WORDS = ["扶贫", "乡村", "小康", "十八洞", "防返贫", "脱贫攻坚", "乡村振兴", "防返贫监测", "乡村振兴 产业", "扶贫 OR 驻村"]
DATASETTE_DIR = Path(__file__).resolve().parents[1] / "datasette"


def build_store(path: Path, n: int) -> float:
    """Fill `path` with n articles and their search rows in large transactions; return seconds."""
    db = open_db(path)
    have = db["articles"].count
    if have >= n:
        return 0.0
    db.execute("insert or ignore into sources (name, schedule, enabled, paused) values ('bench', 'every 1h', 1, 0)")
    db.conn.commit()
    start = time.perf_counter()
    batch = 5000
    pool = synthetic_articles(20000)
    for offset in range(have, n, batch):
        rows = [(i + 1, f"http://bench.example/{i}.html", *pool[i % len(pool)]) for i in range(offset, min(n, offset + batch))]
        db.conn.execute("BEGIN")
        db.conn.executemany("insert into articles (id, url, source, title, text, status) values (?, ?, 'bench', ?, ?, 'live')",
                            rows)
        db.conn.executemany("insert into articles_fts (rowid, title, text) values (?, ?, ?)",
                            [(r[0], cjk_bigrams(r[2]), cjk_bigrams(r[3])) for r in rows])
        db.conn.execute("COMMIT")
    db.execute("insert into articles_fts(articles_fts) values ('optimize')")
    db.conn.commit()
    return time.perf_counter() - start


async def time_queries(path: Path, repeat: int) -> dict[str, list[float]]:
    from datasette.app import Datasette

    metadata = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text(encoding="utf-8"))
    ds = Datasette([str(path)], metadata=metadata, plugins_dir=str(DATASETTE_DIR / "plugins"),
                   settings={**DATASETTE_SETTINGS, "sql_time_limit_ms": 60000})
    await ds.invoke_startup()
    name = path.stem
    timings: dict[str, list[float]] = {"table _search (page of 50 + count)": [], "canned search (ranked top 50)": [],
                                       "LIKE scan (count)": []}
    hits: dict[str, int] = {}
    for _ in range(repeat):
        for word in WORDS:
            for label, url in (
                ("table _search (page of 50 + count)", f"/{name}/articles.json?_search={word}&_size=50&_col=title"),
                ("canned search (ranked top 50)", f"/{name}/search.json?q={word}&_size=50"),
            ):
                start = time.perf_counter()
                response = await ds.client.get(url)
                timings[label].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.text[:300])
                if label.startswith("table"):
                    hits[word] = response.json()["filtered_table_rows_count"]
            if " " not in word:
                sql = f"select count(*) from articles where title like '%{word}%' or text like '%{word}%'"
                start = time.perf_counter()
                response = await ds.client.get(f"/{name}.json", params={"sql": sql})
                timings["LIKE scan (count)"].append((time.perf_counter() - start) * 1000)
    print("hits per query:", ", ".join(f"{w}={h}" for w, h in hits.items()))
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/govwatch-bench-search/govwatch.db"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    seconds = build_store(args.db, args.articles)
    if seconds:
        print(f"built {args.articles} articles in {seconds:.0f} s ({args.articles / seconds:.0f} articles/s)")
    print(f"store: {args.db} ({args.db.stat().st_size / 1e6:.0f} MB)")
    timings = asyncio.run(time_queries(args.db, args.repeat))
    print(f"\n{'query':<38}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}")
    for label, values in timings.items():
        print(f"{label:<38}{len(values):>5}{percentile(values, .5):>10.1f}{percentile(values, .95):>10.1f}"
              f"{statistics.mean(values):>10.1f}")


if __name__ == "__main__":
    main()
