"""Benchmark: search latency on a large store, through Datasette as researchers use it.

    cd /work/main && .venv/bin/python -m bench.search_scale [--articles 200000] [--db PATH]
        [--repeat 3] [--against /path/to/other/checkout --rounds 2]

Builds (or reuses: `--db` keeps it) a store of N synthetic articles made from the seed pages'
paragraphs, indexed exactly as the crawler indexes them (storage.search.cjk_bigrams into
articles_fts), with the columns the table view facets and sorts on filled as a crawl would
fill them (40 sources, a publisher on 40 % of articles, 3 % withdrawn, `last_changed` spread
over a year; all NULL or one value before, so the facets and the sort did no real work). Then
times, through Datasette's own client with a checkout's metadata, plugins and settings: the
table search (`/govwatch/articles.json?_search=…`: page of 50, exact count, the configured
facets), the ranked canned query (`/govwatch/search.json?q=…`) and a LIKE scan of the same word
for comparison. Prints p50/p95 per kind of query, the table search per word, hit counts and the
load average.

`--against DIR` times another checkout (e.g. main in a worktree) on the same store in the same
run: each round times this checkout and DIR in child processes (each imports only its own code,
Datasette registers plugins globally), alternating which goes first, and prints both columns
and their ratio. The hit counts of both must agree.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["扶贫", "乡村", "小康", "十八洞", "防返贫", "脱贫攻坚", "乡村振兴", "防返贫监测", "乡村振兴 产业", "扶贫 OR 驻村"]
TABLE, CANNED, LIKE = "table _search (page 50 + count + facets)", "canned search (ranked)", "LIKE scan (count)"
SOURCES = 40
# The store's default place (reused between runs) and how often each query is asked: `python -m
# bench --search-articles` uses the same. The file must be named govwatch.db: metadata.yml's search
# config and canned query are under the database "govwatch".
DB = Path("/tmp/govwatch-bench-search/govwatch.db")
REPEAT = 3
# The facet and sort columns as a crawl fills them, from the id alone (so a reused store is the same).
FILL_COLUMNS = f"""update articles set
  source = 'site' || printf('%02d', id % {SOURCES}),
  publisher = case when (id * 40503) % 10 < 4 then '发文机关' || ((id * 7919) % 60) end,
  status = case when (id * 97) % 100 < 3 then 'withdrawn' else 'live' end,
  published = strftime('%Y-%m-%d', 1735689600 + id * 150 - ((id * 40503) % 1000) * 600, 'unixepoch'),
  last_changed = strftime('%Y-%m-%dT%H:%M:%S+00:00', 1735689600 + id * 150 + ((id * 7919) % 2000) * 600, 'unixepoch')"""


def build_store(path: Path, n: int) -> float:
    """Fill `path` with n articles and their search rows in large transactions; return seconds."""
    from bench.search import synthetic_articles
    from storage import open_db
    from storage.search import cjk_bigrams

    path.parent.mkdir(parents=True, exist_ok=True)
    db = open_db(path)
    have = db["articles"].count
    start = time.perf_counter()
    db.conn.executemany("insert or ignore into sources (name, schedule, enabled, paused) values (?, 'every 1h', 1, 0)",
                        [(f"site{k:02d}",) for k in range(SOURCES)])
    db.conn.commit()
    batch = 5000
    pool = synthetic_articles(20000)
    for offset in range(have, n, batch):
        rows = [(i + 1, f"http://bench.example/{i}.html", *pool[i % len(pool)]) for i in range(offset, min(n, offset + batch))]
        db.conn.execute("BEGIN")
        db.conn.executemany("insert into articles (id, url, source, title, text, status) values (?, ?, 'site00', ?, ?, 'live')",
                            rows)
        db.conn.executemany("insert into articles_fts (rowid, title, text) values (?, ?, ?)",
                            [(r[0], cjk_bigrams(r[2]), cjk_bigrams(r[3])) for r in rows])
        db.conn.execute("COMMIT")
    if have < n:
        db.execute("insert into articles_fts(articles_fts) values ('optimize')")
    if have < n or not db.execute("select count(*) from articles where last_changed is not null").fetchone()[0]:
        with db.conn:
            db.conn.execute(FILL_COLUMNS)
    db.close()
    return time.perf_counter() - start if have < n else 0.0


async def time_queries(checkout: Path, path: Path, repeat: int) -> dict:
    """Timings (ms) per kind of query and per table-search word, and hits, with `checkout`'s Datasette setup.

    `hits` are the table search's exact counts; `like_hits` the LIKE scan's count of the same
    word (one-word queries only), which they must equal: a bigram phrase matches exactly the
    texts that contain the word (storage/search_query.py)."""
    import yaml
    from datasette.app import Datasette

    from monitor.publish import DATASETTE_SETTINGS

    datasette_dir = checkout / "datasette"
    metadata = yaml.safe_load((datasette_dir / "metadata.yml").read_text(encoding="utf-8"))
    ds = Datasette([str(path)], metadata=metadata, plugins_dir=str(datasette_dir / "plugins"),
                   settings={**DATASETTE_SETTINGS, "sql_time_limit_ms": 60000})
    await ds.invoke_startup()
    name = path.stem
    timings: dict[str, list[float]] = {TABLE: [], CANNED: [], LIKE: []}
    per_word: dict[str, list[float]] = {word: [] for word in WORDS}
    hits: dict[str, int] = {}
    like_hits: dict[str, int] = {}
    for _ in range(repeat):
        for word in WORDS:
            for label, url in ((TABLE, f"/{name}/articles.json?_search={word}&_size=50&_col=title"),
                               (CANNED, f"/{name}/search.json?q={word}&_size=50")):
                start = time.perf_counter()
                response = await ds.client.get(url)
                elapsed = (time.perf_counter() - start) * 1000
                timings[label].append(elapsed)
                assert response.status_code == 200, (url, response.text[:300])
                if label == TABLE:
                    per_word[word].append(elapsed)
                    hits[word] = response.json()["filtered_table_rows_count"]
            if " " not in word:
                sql = f"select count(*) from articles where title like '%{word}%' or text like '%{word}%'"
                start = time.perf_counter()
                response = await ds.client.get(f"/{name}.json", params={"sql": sql})
                timings[LIKE].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (sql, response.text[:300])
                like_hits[word] = response.json()["rows"][0][0]
    return {"timings": timings, "per_word": per_word, "hits": hits, "like_hits": like_hits}


def time_in_child(checkout: Path, path: Path, repeat: int) -> dict:
    """Run time_queries for `checkout` in a fresh interpreter that imports that checkout's code only."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(checkout), "--db", str(path),
                          "--repeat", str(repeat)], env=env, cwd=checkout, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def report(results: dict[str, dict], names: list[str]) -> None:
    """One column per checkout (p50 / p95 ms), and the ratio of the first to the second if there are two."""
    print(f"\n{'query':<42}" + "".join(f"{n + ' p50 / p95 ms':>30}" for n in names)
          + ("   this ÷ against p50 / p95" if len(names) == 2 else ""))
    rows = [(label, [results[n]["timings"][label] for n in names]) for label in (TABLE, CANNED, LIKE)]
    rows += [(f"  table, {word} ({results[names[0]]['hits'][word]:,})", [results[n]["per_word"][word] for n in names])
             for word in WORDS]
    for label, columns in rows:
        figures = [(percentile(v, .5), percentile(v, .95)) for v in columns]
        line = f"{label:<42}" + "".join(f"{f'{p50:,.0f} / {p95:,.0f}':>30}" for p50, p95 in figures)
        if len(figures) == 2:
            line += f"   {figures[1][0] / figures[0][0]:.2f}x / {figures[1][1] / figures[0][1]:.2f}x"
        print(line)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--db", type=Path, default=DB)
    parser.add_argument("--repeat", type=int, default=REPEAT, help="times each query is asked per round")
    parser.add_argument("--against", type=Path, help="another checkout to time on the same store, same run")
    parser.add_argument("--rounds", type=int, default=2, help="with --against: rounds, alternating which goes first")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(time_queries(args.child, args.db, args.repeat))))
        return
    if args.against and not (args.against / "datasette" / "metadata.yml").is_file():
        print(f"--against {args.against}: not a govwatch checkout (no datasette/metadata.yml)", file=sys.stderr)
        raise SystemExit(2)
    seconds = build_store(args.db, args.articles)
    if seconds:
        print(f"built {args.articles} articles in {seconds:.0f} s ({args.articles / seconds:.0f} articles/s)")
    print(f"store: {args.db} ({args.db.stat().st_size / 1e6:.0f} MB); {load()}")
    if not args.against:
        results = {"this": asyncio.run(time_queries(ROOT, args.db, args.repeat))}
        print("hits per query:", ", ".join(f"{w}={h}" for w, h in results["this"]["hits"].items()))
        report(results, ["this"])
        print(load())
        return
    names = {"against": args.against.resolve(), "this": ROOT}
    results: dict[str, dict] = {}
    for round_ in range(args.rounds):
        for name in (["against", "this"] if round_ % 2 == 0 else ["this", "against"]):
            got = time_in_child(names[name], args.db, args.repeat)
            print(f"round {round_ + 1}: {name} ({names[name]}) done; {load()}", flush=True)
            mine = results.setdefault(name, {"timings": {}, "per_word": {}, "hits": got["hits"]})
            for key in ("timings", "per_word"):
                for label, values in got[key].items():
                    mine[key].setdefault(label, []).extend(values)
    if results["against"]["hits"] != results["this"]["hits"]:
        print(f"HITS DIFFER: against {results['against']['hits']} this {results['this']['hits']}")
    else:
        print("hits per query (both):", ", ".join(f"{w}={h}" for w, h in results["this"]["hits"].items()))
    report(results, ["against", "this"])


if __name__ == "__main__":
    if __package__ in (None, ""):  # run by path in a child: import from the checkout on PYTHONPATH
        sys.path[0] = os.environ.get("PYTHONPATH", sys.path[0])
    main()
