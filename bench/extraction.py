"""Benchmark: govwatch extract_page vs bare trafilatura vs readability-lxml on realpages.

    cd /work/main && .venv/bin/python -m bench.extraction [--dir PATH] [--per-page]

Pages and truth are READ from the shared folder (never copied into the project).
Scores: body-text token P/R/F1 (crawler.extraction.scoring), title exact match,
date accuracy (date or date_alt), author/source accuracy where truth has them,
and throughput (pages/s, decode + extraction).
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from collections import defaultdict
from pathlib import Path
from statistics import mean
from typing import Callable

from crawler.extraction import decode_html, extract_page
from crawler.extraction.dates import normalise_date
from crawler.extraction.scoring import normalise_title, prf, title_match

DEFAULT_DIR = Path("/work/shared/realpages")


def load_truth(folder: Path) -> list[dict]:
    with open(folder / "truth.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


Result = dict  # title, text, date, author, source


def run_govwatch(raw: bytes, url: str | None) -> Result:
    page = extract_page(raw, url)
    return {"title": page.title, "text": page.text, "date": page.date, "author": page.author, "source": page.source}


def run_trafilatura(raw: bytes, url: str | None) -> Result:
    import trafilatura

    html = decode_html(raw)
    out = trafilatura.extract(html, url=url, output_format="json", with_metadata=True, favor_precision=True)
    doc = json.loads(out) if out else {}
    return {"title": doc.get("title"), "text": doc.get("text") or "", "date": normalise_date(doc.get("date")),
            "author": doc.get("author"), "source": None}


def run_readability(raw: bytes, url: str | None) -> Result:
    import lxml.html
    from readability import Document

    html = decode_html(raw)
    doc = Document(html, url=url)
    summary = doc.summary(html_partial=True)
    tree = lxml.html.fragment_fromstring(summary, create_parent="div") if summary.strip() else None
    text = tree.text_content() if tree is not None else ""
    return {"title": doc.short_title(), "text": text, "date": None, "author": None, "source": None}


EXTRACTORS: dict[str, Callable[[bytes, str | None], Result]] = {
    "govwatch": run_govwatch,
    "trafilatura": run_trafilatura,
    "readability": run_readability,
}


def _field_ok(pred: str | None, truth: str | None) -> bool:
    return normalise_title(pred) == normalise_title(truth)


def score_page(res: Result, truth: dict) -> dict:
    p, r, f = prf(res["text"], truth["text"])
    dates = {d for d in [truth.get("date"), *(truth.get("date_alt") or [])] if d}
    row = {"p": p, "r": r, "f1": f, "title": title_match(res["title"], truth["title"])}
    row["date"] = (res["date"] in dates) if dates else (res["date"] is None)
    if truth.get("author"):
        row["author"] = _field_ok(res["author"], truth["author"])
    if truth.get("source"):
        row["source"] = _field_ok(res["source"], truth["source"])
    return row


def evaluate(folder: Path = DEFAULT_DIR, extractors: dict = EXTRACTORS) -> dict[str, dict[str, list[dict]]]:
    """{extractor: {page id: score row}} plus timing under key '_seconds'."""
    truth = load_truth(folder)
    raws = {t["id"]: (folder / t["html"]).read_bytes() for t in truth}
    results: dict[str, dict] = {}
    for name, fn in extractors.items():
        rows: dict[str, dict] = {}
        fn(raws[truth[0]["id"]], truth[0].get("url"))  # warm-up: imports, rule loading, stoplists
        spent = 0.0
        for t in truth:
            start = time.perf_counter()
            res = fn(raws[t["id"]], t.get("url"))
            spent += time.perf_counter() - start
            rows[t["id"]] = {**score_page(res, t), "_res": res}
        results[name] = {"rows": rows, "seconds": spent}
    results["_truth"] = {t["id"]: t for t in truth}  # type: ignore[assignment]
    return results


def _mean(rows: list[dict], key: str) -> str:
    vals = [float(r[key]) for r in rows if key in r]
    return f"{mean(vals):.3f} ({len(vals)})" if vals else "-"


def summarise(results: dict, ids: list[str]) -> list[tuple]:
    out = []
    for name, res in results.items():
        if name.startswith("_"):
            continue
        rows = [res["rows"][i] for i in ids]
        pps = len(results["_truth"]) / res["seconds"] if res["seconds"] else float("inf")
        out.append((name, _mean(rows, "p"), _mean(rows, "r"), _mean(rows, "f1"), _mean(rows, "title"),
                    _mean(rows, "date") if name != "readability" else "n/a", _mean(rows, "author"),
                    _mean(rows, "source"), f"{pps:.1f}"))
    return out


def print_table(title: str, table: list[tuple]) -> None:
    head = ("extractor", "body P", "body R", "body F1", "title", "date", "author", "source", "pages/s")
    widths = [max(len(str(r[i])) for r in [head, *table]) for i in range(len(head))]
    print(f"\n## {title}")
    for r in [head, tuple("-" * w for w in widths), *table]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--per-page", action="store_true", help="print govwatch's misses page by page")
    ap.add_argument("--only", choices=list(EXTRACTORS), action="append")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # trafilatura/readability chatter
    extractors = {k: v for k, v in EXTRACTORS.items() if not args.only or k in args.only}
    results = evaluate(args.dir, extractors)
    truth = results["_truth"]
    sets: dict[str, list[str]] = defaultdict(list)
    for pid, t in truth.items():
        sets["all"].append(pid)
        sets[f"set {pid[:2]}"].append(pid)
        sets[f"kind {t['kind']}"].append(pid)
    print(f"realpages: {len(truth)} pages from {args.dir}   (cells: mean (n pages); pages/s over all pages)")
    for name in ["all", *sorted(k for k in sets if k != "all")]:
        print_table(name, summarise(results, sets[name]))
    if args.per_page:
        first = next(k for k in results if not k.startswith("_"))
        print(f"\n## {first} per page (misses)")
        for pid, row in results[first]["rows"].items():
            t, res = truth[pid], row["_res"]
            flags = []
            if row["f1"] < 0.95:
                flags.append(f"F1={row['f1']:.2f} P={row['p']:.2f} R={row['r']:.2f}")
            if not row["title"]:
                flags.append(f"title={res['title']!r} want {t['title']!r}")
            if not row["date"]:
                flags.append(f"date={res['date']} want {t['date']} {t.get('date_alt') or ''}")
            if row.get("author") is False:
                flags.append(f"author={res['author']!r} want {t['author']!r}")
            if row.get("source") is False:
                flags.append(f"source={res['source']!r} want {t['source']!r}")
            if flags:
                print(pid, t["kind"], " | ".join(flags))


if __name__ == "__main__":
    main()
