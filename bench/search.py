"""Benchmark: Chinese full-text search by character bigrams vs jieba words vs FTS5 trigram.

    cd /work/main && .venv/bin/python -m bench.search [--articles 2000] [--seeds DIR]

Articles are synthetic but realistic: paragraphs of the seed pages (real 2020–2022 pages
about poverty alleviation and rural revitalisation) shuffled into articles. For each
approach: index size vs text size, indexing speed, query time, and recall/precision
against `title like '%w%' or text like '%w%'` (the ground truth: every article that
contains the word).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from storage.search import FTS_TABLE, cjk_bigrams
from storage.search_query import bigram_match_query

SEEDS = Path("/work/shared/seeds")
WORDS = ["扶贫", "乡村", "振兴", "产业", "脱贫", "贫困", "攻坚", "小康", "驻村", "帮扶", "群众", "村民",
         "防返贫", "十八洞", "贫困户", "脱贫攻坚", "乡村振兴", "巩固拓展", "十八洞村", "防返贫监测", "党史学习教育", "2021"]


def seed_paragraphs(folder: Path = SEEDS) -> list[str]:
    """Lines of the seed pages long enough to be body paragraphs."""
    lines: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        lines.extend(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if len(line) >= 20]


def synthetic_articles(n: int, seed: int = 6, folder: Path = SEEDS) -> list[tuple[str, str]]:
    """`n` (title, text) pairs: a short paragraph prefix as title, 3–8 shuffled paragraphs as text."""
    rng = random.Random(seed)
    paragraphs = seed_paragraphs(folder)
    articles = []
    for _ in range(n):
        body = rng.sample(paragraphs, rng.randint(3, 8))
        title = rng.choice(paragraphs)
        cut = rng.randint(8, 30)
        articles.append((title[:cut], "\n".join(body)))
    return articles


def _size(conn: sqlite3.Connection, table: str) -> int:
    """Bytes of the FTS5 table's shadow tables (dbstat)."""
    rows = conn.execute("select sum(pgsize) from dbstat where name like ?", [table + "_%"]).fetchone()
    return rows[0] or 0


def _jieba_cut() -> Callable[[str], list[str]]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return lambda s: [w.strip().lower() for w in jieba.cut(s) if w.strip()]


def build(conn: sqlite3.Connection, name: str, articles: list[tuple[str, str]]) -> dict:
    """Create and fill one index; return its build figures."""
    if name == "bigram":
        conn.execute(f"create virtual table {name} using fts5(title, text, tokenize='unicode61 remove_diacritics 0')")
        prepare: Callable[[str], str] = cjk_bigrams
    elif name == "bigram_contentless":
        conn.execute(f"create virtual table {name} using fts5(title, text, content='', "
                     "tokenize='unicode61 remove_diacritics 0')")
        prepare = cjk_bigrams
    elif name == "bigram_columnsize0":
        conn.execute(f"create virtual table {name} using fts5(title, text, columnsize=0, "
                     "tokenize='unicode61 remove_diacritics 0')")
        prepare = cjk_bigrams
    elif name == "jieba":
        conn.execute(f"create virtual table {name} using fts5(title, text, tokenize='unicode61 remove_diacritics 0')")
        cut = _jieba_cut()
        prepare = lambda s: " ".join(cut(s))
    elif name == "trigram":
        conn.execute(f"create virtual table {name} using fts5(title, text, tokenize='trigram')")
        prepare = lambda s: s
    else:
        raise ValueError(name)
    start = time.perf_counter()
    with conn:
        for rowid, (title, text) in enumerate(articles, 1):
            conn.execute(f"insert into {name}(rowid, title, text) values (?, ?, ?)", [rowid, prepare(title), prepare(text)])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "size": _size(conn, name)}


def match_expr(name: str, word: str) -> str | None:
    if name.startswith("bigram"):
        return bigram_match_query(word)
    if name == "jieba":
        cut = _jieba_cut()
        return '"' + " ".join(cut(word)) + '"'
    return '"' + word + '"'  # trigram: a phrase of the word's trigrams (none for 2 chars)


def run_query(conn: sqlite3.Connection, name: str, word: str) -> tuple[set[int], float]:
    expr = match_expr(name, word)
    start = time.perf_counter()
    ids = {r[0] for r in conn.execute(f"select rowid from {name} where {name} match ?", [expr])}
    return ids, (time.perf_counter() - start) * 1000


def paragraph_recall(folder: Path) -> None:
    """Recall per distinct paragraph: the synthetic articles repeat paragraphs, which hides misses."""
    paragraphs = sorted(set(seed_paragraphs(folder)))
    conn = sqlite3.connect(":memory:")
    conn.execute("create table articles (id integer primary key, title text, text text)")
    conn.executemany("insert into articles values (?, '', ?)", list(enumerate(paragraphs, 1)))
    for name in ("bigram", "jieba", "trigram"):
        build(conn, name, [("", p) for p in paragraphs])
    print(f"\nrecall per distinct paragraph ({len(paragraphs)} paragraphs; jieba splits the query as shown):")
    print(f"{'word':<10}{'LIKE hits':>10}" + "".join(f"{n:>10}" for n in ("bigram", "jieba", "trigram")) + "  jieba query")
    cut = _jieba_cut()
    for word in WORDS:
        expected = {r[0] for r in conn.execute("select id from articles where text like ?", [f"%{word}%"])}
        cells = [len(run_query(conn, n, word)[0] & expected) / len(expected) if expected else 1.0
                 for n in ("bigram", "jieba", "trigram")]
        print(f"{word:<10}{len(expected):>10}" + "".join(f"{c:>10.0%}" for c in cells) + "  " + " / ".join(cut(word)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    args = parser.parse_args(argv)

    articles = synthetic_articles(args.articles, folder=args.seeds)
    conn = sqlite3.connect(":memory:")
    conn.execute("create table articles (id integer primary key, title text, text text)")
    conn.executemany("insert into articles values (?, ?, ?)", [(i, t, x) for i, (t, x) in enumerate(articles, 1)])
    text_bytes = sum(len(t.encode()) + len(x.encode()) for t, x in articles)
    chars = sum(len(t) + len(x) for t, x in articles)
    print(f"{len(articles)} articles, {chars:,} characters, {text_bytes / 1e6:.2f} MB of UTF-8 title+text\n")

    truth: dict[str, set[int]] = {}
    like_ms: dict[str, float] = {}
    for word in WORDS:
        start = time.perf_counter()
        truth[word] = {r[0] for r in conn.execute(
            "select id from articles where title like ? or text like ?", [f"%{word}%"] * 2)}
        like_ms[word] = (time.perf_counter() - start) * 1000

    approaches = ["bigram", "bigram_columnsize0", "bigram_contentless", "jieba", "trigram"]
    print(f"{'index':<20}{'size MB':>9}{'× text':>8}{'articles/s':>12}")
    for name in approaches:
        built = build(conn, name, articles)
        print(f"{name:<20}{built['size'] / 1e6:>9.2f}{built['size'] / text_bytes:>8.2f}"
              f"{len(articles) / built['seconds']:>12,.0f}")
    print("(detail=column or detail=none would be smaller but reject phrase queries, i.e. every word of 3+ chars)")

    print(f"\n{'word':<10}{'LIKE hits':>10}" + "".join(f"{n + ' recall':>16}" for n in ("bigram", "jieba", "trigram")))
    recalls: dict[str, list[float]] = {n: [] for n in ("bigram", "jieba", "trigram")}
    precisions: dict[str, list[float]] = {n: [] for n in ("bigram", "jieba", "trigram")}
    timings: dict[tuple[str, int], list[float]] = {}
    for word in WORDS:
        expected = truth[word]
        cells = []
        for name in ("bigram", "jieba", "trigram"):
            found, _ = run_query(conn, name, word)
            ms = statistics.median(run_query(conn, name, word)[1] for _ in range(5))
            timings.setdefault((name, min(len(word), 4)), []).append(ms)
            recall = len(found & expected) / len(expected) if expected else 1.0
            precision = len(found & expected) / len(found) if found else 1.0
            recalls[name].append(recall)
            precisions[name].append(precision)
            cells.append(f"{recall:>16.0%}")
        print(f"{word:<10}{len(expected):>10}" + "".join(cells))
    print(f"{'mean':<20}" + "".join(f"{statistics.mean(recalls[n]):>16.1%}" for n in recalls))
    print(f"{'precision':<20}" + "".join(f"{statistics.mean(precisions[n]):>16.1%}" for n in precisions))

    paragraph_recall(args.seeds)
    print("\nmedian query ms (MATCH, ids only):")
    for name in ("bigram", "jieba", "trigram"):
        by_len = {k: statistics.mean(v) for (n, k), v in timings.items() if n == name}
        print(f"  {name:<10}" + "  ".join(f"{k if k < 4 else '4+'}-char {ms:.2f}" for k, ms in sorted(by_len.items())))
    print(f"  {'LIKE scan':<10} {statistics.mean(like_ms.values()):.2f} (every word)")
    rank_sql = (f"select articles.id from articles join {FTS_TABLE} on {FTS_TABLE}.rowid = articles.id "
                f"where {FTS_TABLE} match ? order by bm25({FTS_TABLE}, 10.0, 1.0) limit 50")
    conn.execute(f"create virtual table {FTS_TABLE} using fts5(title, text, tokenize='unicode61 remove_diacritics 0')")
    conn.executemany(f"insert into {FTS_TABLE}(rowid, title, text) values (?, ?, ?)",
                     [(i, cjk_bigrams(t), cjk_bigrams(x)) for i, (t, x) in enumerate(articles, 1)])
    for word in ("扶贫", "乡村振兴"):
        start = time.perf_counter()
        for _ in range(5):
            conn.execute(rank_sql, [bigram_match_query(word)]).fetchall()
        print(f"  ranked top 50 (bm25, title ×10) for {word}: {(time.perf_counter() - start) * 200:.2f} ms")


if __name__ == "__main__":
    main()
