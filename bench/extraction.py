"""Benchmark: govwatch extract_page vs bare trafilatura vs readability-lxml, gate by gate.

    cd /work/main && .venv/bin/python -m bench.extraction [--dir PATH] [--gold PATH] [--per-page]
        [--set realpages|gold|realsites-dev|unseen ...] [--rsdev ARCHIVE_OR_FOLDER]
        [--ablation] [--cpu-before CHECKOUT]

The gates, each reported on its own:
1. realpages (the pages the extractor was developed on; a regression gate): all extractors on
   the same pages in the same run. Scores: body-text token P/R/F1 (crawler.extraction.scoring),
   title exact match, date accuracy (date or date_alt), metadata field accuracy (author, source,
   publisher, index_no, doc_no, category: each field the truth fills, pooled per page),
   author/source separately, and throughput (pages/s, decode + extraction).
   The gold set (tests/gold, our own pages, see tests/gold/README.md) is scored the same way.
2. realsites-dev article pages (a corpus the extractor was not built on; no gold body): text on
   every page that has an article, title = the list's anchor, a date, no navigation line, never
   empty where a plain library finds 200+ characters (`check_rsdev`).
3. unseen gold (tests/gold/unseen: hand-checked pages from sites and CMSs neither set covers),
   the libraries in the same run. Never used to choose rules (`--ablation` leaves it out).

Realpages and realsites-dev are READ from the shared folder (never copied into the project;
the archive is unpacked into a temporary folder). `--ablation` removes each rule of rules.yaml
alone and shows what it costs; `--cpu-before` compares extraction CPU per page on bench.site's
light pages with another checkout, alternated in one run.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from statistics import mean

from crawler.extraction import decode_html, extract_page
from crawler.extraction.dates import normalise_date
from crawler.extraction.scoring import normalise_title, prf, title_match
from tests.gold.disclosure.check_set import data_dir as disclosure_data_dir
from tests.gold.disclosure.check_set import has_metadata_block
from tests.gold.unseen.check_set import gold_dir as unseen_gold_dir

DEFAULT_DIR = Path("/work/shared/realpages")
GOLD_DIR = Path(__file__).resolve().parents[1] / "tests" / "gold"
META_FIELDS = ("author", "source", "publisher", "index_no", "doc_no", "category")


def load_truth(folder: Path) -> list[dict]:
    with open(folder / "truth.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_gold(folder: Path = GOLD_DIR) -> list[dict]:
    """tests/gold as truth rows shaped like realpages' (id, html, kind, url, title, date, text, fields)."""
    rows = []
    for path in sorted(folder.glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        rows.append({**truth, "id": path.stem, "html": path.with_suffix(".html").name})
    return rows


Result = dict  # title, text, date and the META_FIELDS


def run_govwatch(raw: bytes, url: str | None) -> Result:
    page = extract_page(raw, url)
    return {"title": page.title, "text": page.text, "date": page.date,
            **{f: getattr(page, f) for f in META_FIELDS}}


def run_trafilatura(raw: bytes, url: str | None) -> Result:
    import trafilatura

    html = decode_html(raw)
    out = trafilatura.extract(html, url=url, output_format="json", with_metadata=True, favor_precision=True)
    doc = json.loads(out) if out else {}
    return {"title": doc.get("title"), "text": doc.get("text") or "", "date": normalise_date(doc.get("date")),
            **dict.fromkeys(META_FIELDS), "author": doc.get("author")}


def run_readability(raw: bytes, url: str | None) -> Result:
    import lxml.html
    from readability import Document

    html = decode_html(raw)
    doc = Document(html, url=url)
    summary = doc.summary(html_partial=True)
    tree = lxml.html.fragment_fromstring(summary, create_parent="div") if summary.strip() else None
    text = tree.text_content() if tree is not None else ""
    return {"title": doc.short_title(), "text": text, "date": None, **dict.fromkeys(META_FIELDS)}


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
    checked = [_field_ok(res.get(f), truth[f]) for f in META_FIELDS if truth.get(f)]
    if checked:
        row["meta"] = mean(checked)
    return row


def evaluate(folder: Path = DEFAULT_DIR, extractors: dict = EXTRACTORS,
             truth: list[dict] | None = None) -> dict[str, dict[str, list[dict]]]:
    """{extractor: {"rows": {page id: score row}, "seconds": …}} plus the truth under key '_truth'."""
    truth = load_truth(folder) if truth is None else truth
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


# ---- disclosure metadata gold set (issue 25; pages kept outside git, see tests/gold/disclosure) ------

# $GOVWATCH_GOLD_DISCLOSURE, else /work/gold-data/disclosure: what tests/gold/disclosure/check_set reads.
DISCLOSURE_DIR = disclosure_data_dir()
# The fields issue 25 sets floors on (first five) and the category, as ExtractedPage names them.
DISCLOSURE_FIELDS = ("title", "date", "index_no", "doc_no", "publisher", "category")
DISCLOSURE_NAMES = {"title": "title", "date": "published", "index_no": "索引号", "doc_no": "文号",
                    "publisher": "发文机关", "category": "分类"}
DISCLOSURE_FLOOR = 0.95


def run_govwatch_disclosure(raw: bytes, url: str | None) -> Result:
    page = extract_page(raw, url)
    return {"title": page.title, "date": page.date, "index_no": page.index_no, "doc_no": page.doc_no,
            "publisher": page.publisher, "category": page.category,
            "field_labels": page.metadata.get("field_labels") or {}}


def evaluate_disclosure(folder: Path = DISCLOSURE_DIR) -> list[dict]:
    """Each page of the disclosure gold set scored: {"id", "block" (it carries a metadata block),
    "govwatch": {field: ok}, "trafilatura_date": ok, "labels": {field: ok}}.  Every field counts
    on every page: a null truth must be left empty (a 文号 read from the body is as wrong as a
    missing one).  A written label counts where the truth fills the field and names its label."""
    rows = []
    for t in load_gold(folder):
        raw = (folder / t["html"]).read_bytes()
        got = run_govwatch_disclosure(raw, t.get("url"))
        labels = {}
        for name, written in (t.get("labels") or {}).items():
            field = "date" if name == "published" else name
            # not the title's: field_labels names it only when the title was taken from the table
            if field in DISCLOSURE_FIELDS and field != "title" and t.get(field):
                labels[field] = _label_key(got["field_labels"].get(name)) == _label_key(written)
        rows.append({"id": t["id"], "block": has_metadata_block(t),
                     "govwatch": {f: _disclosure_ok(f, got.get(f), t.get(f), t.get("written")) for f in DISCLOSURE_FIELDS},
                     "trafilatura_date": _disclosure_ok("date", run_trafilatura(raw, t.get("url"))["date"], t.get("date"),
                                                        t.get("written")),
                     "labels": labels})
    return rows


def summarise_disclosure(rows: list[dict]) -> dict:
    """{"pages", "govwatch": {field: accuracy}, "trafilatura": {"date": accuracy},
    "labels": {field: (accuracy, n)}, "misses": {field: [page id, …]}} over *rows*."""
    labels: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        for f, ok in r["labels"].items():
            labels[f].append(ok)
    return {"pages": len(rows),
            "govwatch": {f: mean(r["govwatch"][f] for r in rows) if rows else 0.0 for f in DISCLOSURE_FIELDS},
            "trafilatura": {"date": mean(r["trafilatura_date"] for r in rows) if rows else 0.0},
            "labels": {f: (mean(v), len(v)) for f, v in labels.items()},
            "misses": {f: ids for f in DISCLOSURE_FIELDS if (ids := [r["id"] for r in rows if not r["govwatch"][f]])}}


def _disclosure_ok(name: str, pred: str | None, truth: str | None, written: str | None = None) -> bool:
    """*pred* matches *truth*; a null truth must stay empty.  For the date, a page the truth says
    shows no publication date (published null, only 成文日期) may also give its 成文日期 (*written*):
    issue 25's precedence falls back to 成文日期 when nothing says when the page was published."""
    if not truth:
        return not pred or (name == "date" and written is not None and pred == written)
    if name == "title":
        return title_match(pred, truth)
    return _field_ok(pred, truth)


def _label_key(label: str | None) -> str:
    from crawler.extraction.labels import label_key

    return label_key(label or "")


def report_disclosure(folder: Path = DISCLOSURE_DIR) -> dict:
    """Print the per-field table (govwatch, bare trafilatura's date) on every page and on the pages
    with a metadata block, and the written-label accuracy."""
    pages = evaluate_disclosure(folder)
    res = {}
    for only_blocks in (False, True):
        res[only_blocks] = one = summarise_disclosure([p for p in pages if p["block"] or not only_blocks])
        which = "pages with a metadata block" if only_blocks else "all pages"
        print(f"\n# disclosure metadata ({folder}): {which}, {one['pages']}; every page scored for every "
              f"field (null truth = must be empty); floor {DISCLOSURE_FLOOR}")
        head = ("extractor", *(DISCLOSURE_NAMES[f] for f in DISCLOSURE_FIELDS))
        rows = [("govwatch", *(f"{one['govwatch'][f]:.3f}" for f in DISCLOSURE_FIELDS)),
                ("trafilatura", *("-" if f != "date" else f"{one['trafilatura']['date']:.3f}" for f in DISCLOSURE_FIELDS))]
        widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
        for r in [head, tuple("-" * w for w in widths), *rows]:
            print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
        labels = ", ".join(f"{DISCLOSURE_NAMES[f]} {a:.3f} ({n})" for f, (a, n) in sorted(one["labels"].items()))
        print(f"label the page wrote for the field (metadata['field_labels']), where the truth names it: {labels}")
        for name, ids in one["misses"].items():
            print(f"  miss {DISCLOSURE_NAMES[name]}: {' '.join(ids)}")
    return res[False]


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
                    _mean(rows, "date") if name != "readability" else "n/a", _mean(rows, "meta"),
                    _mean(rows, "author"), _mean(rows, "source"), f"{pps:.1f}"))
    return out


def print_table(title: str, table: list[tuple]) -> None:
    head = ("extractor", "body P", "body R", "body F1", "title", "date", "metadata", "author", "source", "pages/s")
    widths = [max(len(str(r[i])) for r in [head, *table]) for i in range(len(head))]
    print(f"\n## {title}")
    for r in [head, tuple("-" * w for w in widths), *table]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def report(label: str, results: dict, per_page: bool) -> None:
    truth = results["_truth"]
    sets: dict[str, list[str]] = defaultdict(list)
    for pid, t in truth.items():
        sets["all"].append(pid)
        sets[f"kind {t['kind']}"].append(pid)
    print(f"\n# {label}: {len(truth)} pages   (cells: mean (n pages); pages/s over all pages)")
    for name in ["all", *sorted(k for k in sets if k != "all")]:
        print_table(f"{label} / {name}", summarise(results, sets[name]))
    if per_page:
        first = next(k for k in results if not k.startswith("_"))
        print(f"\n## {label}: {first} per page (misses)")
        for pid, row in results[first]["rows"].items():
            t, res = truth[pid], row["_res"]
            flags = []
            if row["f1"] < 0.95:
                flags.append(f"F1={row['f1']:.2f} P={row['p']:.2f} R={row['r']:.2f}")
            if not row["title"]:
                flags.append(f"title={res['title']!r} want {t['title']!r}")
            if not row["date"]:
                flags.append(f"date={res['date']} want {t['date']} {t.get('date_alt') or ''}")
            for f in META_FIELDS:
                if t.get(f) and not _field_ok(res.get(f), t[f]):
                    flags.append(f"{f}={res.get(f)!r} want {t[f]!r}")
            if flags:
                print(pid, t["kind"], " | ".join(flags))


# ---- realsites-dev article pages: a corpus the extractor was not built on (no gold body) ----------

RSDEV_TAR = Path("/work/shared/realsites-dev/realsites-dev.tar.xz")
# Has an article: a plain library finds at least this much text on it (image-only pages get ~0).
ARTICLE_MIN_CHARS = 200
# A body line that is visible text on at least this share of a site's article pages is template
# text (menu, footer, tool bar), never the article: independent of govwatch's own rules.
TEMPLATE_LINE_SHARE = 0.5
_NONSPACE = re.compile(r"\s+")
_CUT = re.compile(r"(…|\.\.\.|\.{2,}|。。。)+$")


def unpack_rsdev(tar: Path, into: Path) -> Path:
    """Unpack the realsites-dev archive under *into* (read from /work/shared at run time, never
    copied into the project) and return its root folder."""
    with tarfile.open(tar) as archive:
        archive.extractall(into, filter="data")
    found = next(into.glob("**/_meta"), None)
    if found is None:
        raise SystemExit(f"{tar}: no _meta/ folder inside; is this the realsites-dev archive?")
    return found.parent


def rsdev_articles(root: Path) -> list[dict]:
    """Every saved article link of every start page: {site, path, anchor, file, url}, one per file
    (the first anchor seen: the crawler passes the anchor of the list it found the link on)."""
    hosts = {e["name"]: e.get("mirror_domain") or "localhost" for e in json.loads((root / "manifest.json").read_text("utf-8"))}
    seen: dict[tuple[str, str], dict] = {}
    for meta_path in sorted((root / "_meta").glob("*.json")):
        meta = json.loads(meta_path.read_text("utf-8"))
        site = meta["site"]
        for start in meta["starts"]:
            for link in start["article_links"]:
                file = root / site / link["path"].lstrip("/")
                if not link.get("saved") or (site, link["path"]) in seen or not file.is_file():
                    continue
                seen[(site, link["path"])] = {"site": site, "path": link["path"], "anchor": link["anchor"],
                                              "file": file, "url": f"http://{hosts.get(site, 'localhost')}{link['path']}"}
    return list(seen.values())


_BULLET = re.compile(r"^[\s•·●○■□◆◇▪►▶>»\-*]+")
UNMARKED_CUT_MIN = 10


def anchor_title_ok(title: str | None, anchor: str) -> bool:
    """The title equals the list's anchor text (spaces and a leading list bullet ignored). An
    anchor cut with …/... only has to start the title; so does one cut at a fixed width with no
    mark (wgxy_school's lists), when at least UNMARKED_CUT_MIN characters long."""
    t, a = normalise_title(title), normalise_title(_BULLET.sub("", anchor))
    if not a:
        return False
    cut = _CUT.sub("", a)
    if t == a:
        return True
    if cut != a:
        return len(cut) >= 4 and t.startswith(cut)
    return len(a) >= UNMARKED_CUT_MIN and len(t) > len(a) and t.startswith(a)


# A body line whose characters are at least this share the text of the site's template links
# is navigation (a breadcrumb, a menu row): links on half the site's pages are its template.
NAV_LINK_SHARE = 0.6
Template = tuple[frozenset[str], frozenset[str]]  # (template lines, template link texts and article titles), whitespace-free
NO_TEMPLATE: Template = (frozenset(), frozenset())


def _page_texts(raw: bytes) -> tuple[set[str], set[str]]:
    """(visible lines, link texts of 2+ characters) of a page, whitespace-free."""
    from crawler.extraction.page import parse_html
    from crawler.extraction.rules import load_rules
    from crawler.extraction.textlines import render_lines

    root = parse_html(decode_html(raw))
    if root is None:
        return set(), set()
    lines = {_NONSPACE.sub("", l) for l in render_lines(root, load_rules())} - {""}
    links = {t for t in (_NONSPACE.sub("", a.text_content()) for a in root.iter("a")) if len(t) >= 2}
    return lines, links


def template_lines(pages: list[dict]) -> dict[str, Template]:
    """site -> the lines and the link texts on at least TEMPLATE_LINE_SHARE of its article pages
    (sites of 5+ pages): what every page of the site shows, whatever the article. The link texts
    also hold the site's article titles (the list anchors, whole ones of 6+ characters): a body
    line that is mostly another article's title is a link to it (上一篇, 下一条, 相关文章), and no
    sentence of this one; `navigation_lines` leaves out the page's own title."""
    by_site: dict[str, list[tuple[set[str], set[str]]]] = defaultdict(list)
    anchors: dict[str, set[str]] = defaultdict(set)
    for page in pages:
        by_site[page["site"]].append(_page_texts(page["raw"]))
        anchor = _NONSPACE.sub("", page.get("anchor") or "")
        if len(anchor) >= 6 and not _CUT.search(anchor):
            anchors[page["site"]].add(anchor)
    out = {}
    for site, texts in by_site.items():
        need = TEMPLATE_LINE_SHARE * len(texts)
        lines: Counter[str] = Counter(l for ls, _ in texts for l in ls)
        links: Counter[str] = Counter(a for _, ks in texts for a in ks)
        out[site] = (frozenset(l for l, n in lines.items() if len(texts) >= 5 and n >= need),
                     frozenset(a for a, n in links.items() if len(texts) >= 5 and n >= need) | anchors[site])
    return out


def navigation_lines(body: list[str], template: Template, own_title: str | None = None) -> list[str]:
    """Body lines (whitespace-free) that are a template line, or mostly the text of template links
    or of other articles' titles (*own_title*: this page's, which is not a link to elsewhere)."""
    lines, links = template
    if own_title:
        links = links - {_NONSPACE.sub("", own_title)}
    out = []
    for line in body:
        if not line:
            continue
        if line in lines:
            out.append(line)
            continue
        covered = [False] * len(line)
        for text in links:
            start = line.find(text)
            while start != -1:
                covered[start:start + len(text)] = [True] * len(text)
                start = line.find(text, start + 1)
        if sum(covered) >= NAV_LINK_SHARE * len(line):
            out.append(line)
    return out


def _lib_chars(fn: Callable[[bytes, str | None], Result], raw: bytes, url: str | None) -> int:
    try:
        return len(_NONSPACE.sub("", fn(raw, url)["text"] or ""))
    except Exception:  # noqa: BLE001 - a library failing on a page counts as finding nothing there
        return 0


def check_rsdev(root: Path, extract: Callable[..., object] = extract_page, libraries_on_all: bool = True
                ) -> list[dict]:
    """One row per realsites-dev article page: what govwatch returns (with the anchor hint, as the
    crawler passes it) and how much text bare trafilatura and readability-lxml find there.

    The libraries are two thirds of the cost; with *libraries_on_all* False they run only where
    govwatch returns no text (enough to check "never empty where a library finds an article"),
    and every other page counts as having one (`has_article` True, `libs` empty).
    """
    pages = rsdev_articles(root)
    for page in pages:
        page["raw"] = page["file"].read_bytes()
    template = template_lines(pages)
    rows = []
    for page in pages:
        got = extract(page["raw"], page["url"], anchor=page["anchor"])
        body = [_NONSPACE.sub("", l) for l in got.text.split("\n")]
        libs = {name: _lib_chars(fn, page["raw"], page["url"]) for name, fn in
                (("trafilatura", run_trafilatura), ("readability", run_readability))
                if libraries_on_all or not got.text}
        rows.append({
            "site": page["site"], "path": page["path"], "anchor": page["anchor"], "title": got.title,
            "chars": len(_NONSPACE.sub("", got.text)), "date": got.date,
            "title_ok": anchor_title_ok(got.title, page["anchor"]),
            "nav_lines": navigation_lines(body, template.get(page["site"], NO_TEMPLATE), page["anchor"]),
            "method": getattr(got, "body_method", None), "confidence": getattr(got, "confidence", None),
            "libs": libs, "has_article": max(libs.values()) >= ARTICLE_MIN_CHARS if libs else True,
        })
    return rows


def summarise_rsdev(rows: list[dict]) -> dict[str, float]:
    """The gate's figures: shares over all pages, non-empty over pages that have an article."""
    art = [r for r in rows if r["has_article"]]
    n = len(rows) or 1
    return {
        "pages": len(rows), "with_article": len(art),
        "non_empty": sum(r["chars"] > 0 for r in art) / (len(art) or 1),
        "non_empty_all": sum(r["chars"] > 0 for r in rows) / n,
        "title_anchor": sum(r["title_ok"] for r in rows) / n,
        "date": sum(r["date"] is not None for r in rows) / n,
        "nav_free": sum(not r["nav_lines"] for r in rows) / n,
        "empty_where_library": sum(r["chars"] == 0 for r in art),
    }


def report_rsdev(rows: list[dict], per_page: bool) -> None:
    s = summarise_rsdev(rows)
    print(f"\n# realsites-dev article pages: {s['pages']} pages, {s['with_article']} with an article "
          f"(a plain library finds >= {ARTICLE_MIN_CHARS} chars)")
    print(f"non-empty text (pages with an article): {s['non_empty']:.3f}   (all pages: {s['non_empty_all']:.3f})")
    print(f"title = anchor: {s['title_anchor']:.3f}   date: {s['date']:.3f}   "
          f"no template/navigation line: {s['nav_free']:.3f}   empty where a library has >= "
          f"{ARTICLE_MIN_CHARS} chars: {s['empty_where_library']}")
    sites = sorted({r["site"] for r in rows})
    print(f"{'site':18} pages  non-empty  title  date  nav-free  methods")
    for site in sites:
        rs = [r for r in rows if r["site"] == site]
        ss = summarise_rsdev(rs)
        methods = Counter(r["method"] for r in rs)
        print(f"{site:18} {len(rs):5}  {ss['non_empty']:.3f}      {ss['title_anchor']:.3f}  {ss['date']:.3f} "
              f"{ss['nav_free']:.3f}     {dict(methods)}")
    if per_page:
        for r in rows:
            flags = []
            if r["chars"] == 0 and r["has_article"]:
                flags.append(f"EMPTY libs={r['libs']}")
            if not r["title_ok"]:
                flags.append(f"title={r['title']!r} anchor={r['anchor']!r}")
            if r["date"] is None:
                flags.append("no date")
            if r["nav_lines"]:
                flags.append(f"nav={r['nav_lines'][:3]}")
            if flags:
                print(r["site"], r["path"], " | ".join(flags))


# ---- rules ablation: does each rule of rules.yaml earn its place on pages it was not written on? ----

def ablation_pages(rsdev_root: Path | None, gold_dirs: list[Path], per_site: int | None = None) -> list[dict]:
    """The pages the ablation scores: realsites-dev articles (at most *per_site* per site, spread
    over its list) and gold pages with their truth. Each: {corpus, id, raw, url, anchor, truth, site}."""
    pages: list[dict] = []
    if rsdev_root is not None:
        by_site: dict[str, list[dict]] = defaultdict(list)
        for link in rsdev_articles(rsdev_root):
            by_site[link["site"]].append(link)
        for site, links in sorted(by_site.items()):
            step = max(1, len(links) // per_site) if per_site else 1
            for link in links[::step][:per_site or None]:
                pages.append({"corpus": "realsites-dev", "id": f"{site}{link['path']}", "raw": link["file"].read_bytes(),
                              "url": link["url"], "anchor": link["anchor"], "truth": None, "site": site})
    for folder in gold_dirs:
        rows = load_truth(folder) if (folder / "truth.jsonl").exists() else load_gold(folder)
        for t in rows:
            pages.append({"corpus": folder.name, "id": t["id"], "raw": (folder / t["html"]).read_bytes(),
                          "url": t.get("url"), "anchor": None, "truth": t, "site": folder.name})
    return pages


FALLBACK_COST = 0.001


def page_score(got: object, page: dict, template: Template) -> float:
    """One page's score, higher is better. With a truth: body F1 + title + date. Without (the
    realsites-dev pages): text found + title = anchor + a date − navigation lines kept in the
    body (each template or link-text line that got into the body costs a little). Either way a
    body that needed the fallback costs FALLBACK_COST."""
    truth = page["truth"]
    # A body the tuned path could not find costs a little even when a fallback finds it: the
    # fallback is two to three times the CPU and less sure (a content-container rule earns its
    # place on pages where trafilatura alone comes up short, even if readability then rescues them).
    fallback = FALLBACK_COST * (getattr(got, "body_method", "tuned") != "tuned")
    if truth is not None:
        dates = {d for d in [truth.get("date"), *(truth.get("date_alt") or [])] if d}
        return (prf(got.text, truth["text"]).f1 + title_match(got.title, truth["title"])
                + ((got.date in dates) if dates else (got.date is None))) - fallback
    body = [_NONSPACE.sub("", l) for l in got.text.split("\n")]
    return (bool(got.text) + anchor_title_ok(got.title, page["anchor"]) + (got.date is not None)
            - 0.01 * len(navigation_lines(body, template, page["anchor"]))) - fallback


def _rule_applies(name: str, value: str, page: dict) -> bool:
    """Whether removing this rule can change this page at all (so the ablation skips the rest)."""
    from crawler.extraction.rules import BoilerplateLines

    if name == "script_dates":
        return re.search(value, page["text_html"]) is not None
    if name == "boilerplate_lines":
        test = BoilerplateLines([value])
        return any(test.search(l) for l in page["lines"])
    if name == "drop_tags":
        return value in page["tags"]
    if name == "content_xpaths":
        return value in page["xpaths"]
    rx = re.compile(value)  # drop_containers
    return any(rx.search(key) for key in page["keys"])


def prepare_ablation(pages: list[dict], data: dict | None = None) -> dict[str, Template]:
    """What `_rule_applies` reads, once per page (decoded text, rendered lines, tags, class/id
    keys, which content XPaths match: small, so 700 pages' trees are not all held at once);
    and the sites' templates."""
    from lxml.etree import XPath

    from crawler.extraction.page import parse_html
    from crawler.extraction.rules import load_rules
    from crawler.extraction.textlines import render_lines

    rules = load_rules()
    xpaths = {x: XPath(x) for n, _, x, _ in _each_rule(data or _rules_data()) if n == "content_xpaths"}
    for page in pages:
        if "lines" in page:
            continue
        page["text_html"] = decode_html(page["raw"])
        root = parse_html(page["text_html"])
        if root is None:
            page.update(lines=[], tags=set(), keys=[], xpaths=set())
            continue
        page["lines"] = render_lines(root, rules)
        page["tags"] = {el.tag for el in root.iter() if isinstance(el.tag, str)}
        page["keys"] = [f"{el.get('class') or ''} {el.get('id') or ''}" for el in root.iter()
                        if isinstance(el.tag, str) and (el.get("class") or el.get("id"))]
        page["xpaths"] = {x for x, xp in xpaths.items() if xp(root)}
    return template_lines([p for p in pages if p["truth"] is None])


def _score(page: dict, rules: object, template: dict[str, Template]) -> float:
    got = extract_page(page["raw"], page["url"], anchor=page["anchor"], rules=rules)
    return page_score(got, page, template.get(page["site"], NO_TEMPLATE))


def _each_rule(data: dict):
    """(list name, index, rule value, its `for`) for every rule of rules.yaml's data."""
    from crawler.extraction.rules import RULE_LISTS

    for name, key in RULE_LISTS.items():
        for index, entry in enumerate(data.get(name) or []):
            yield name, index, (entry[key] if isinstance(entry, dict) else entry), \
                (entry.get("for") if isinstance(entry, dict) else None)


def _without(data: dict, name: str, index: int) -> dict:
    import copy

    out = copy.deepcopy(data)
    del out[name][index]
    return out


def ablate(pages: list[dict], first_cost: bool = False, data: dict | None = None,
           only: set[tuple[str, str]] | None = None) -> list[dict]:
    """For each rule of rules.yaml (or *data*; *only* these (list, rule) pairs when given): extract
    the pages it can touch without it, and list the pages that score lower (cost) and higher
    (gain) than with every rule. With *first_cost*, a rule's pages stop at the first that
    costs (all the test needs to know), and the pages with a truth are tried first: a lost
    paragraph lowers their body F1 for certain, where a page without one is judged by signs
    that a small loss may not move (on realsites-dev and the gold set: 554 extractions instead
    of 1,397, the same rules found costly)."""
    from crawler.extraction.rules import rules_from_data

    data = data or _rules_data()
    template = prepare_ablation(pages, data)
    if first_cost:
        pages = sorted(pages, key=lambda page: page["truth"] is None)  # stable: the order kept within
    full = rules_from_data(data)
    base: dict[str, float] = {}
    rows = []
    for name, index, value, kind in _each_rule(data):
        if only is not None and (name, value) not in only:
            continue
        ablated = rules_from_data(_without(data, name, index))
        cost, gain, touched = [], [], 0
        for page in pages:
            if not _rule_applies(name, value, page):
                continue
            touched += 1
            if page["id"] not in base:
                base[page["id"]] = _score(page, full, template)
            delta = _score(page, ablated, template) - base[page["id"]]
            if delta < -1e-9:
                cost.append((page["corpus"], page["id"], round(delta, 3)))
                if first_cost:
                    break
            elif delta > 1e-9:
                gain.append((page["corpus"], page["id"], round(delta, 3)))
        rows.append({"list": name, "index": index, "rule": value, "for": kind, "touched": touched,
                     "cost": cost, "gain": gain})
    return rows


def _rules_data() -> dict:
    from crawler.extraction.rules import read_rules_data

    return read_rules_data()


def prune_idle(pages: list[dict], rows: list[dict]) -> list[tuple[str, str]]:
    """Which of the rules that cost nothing alone can all go together: removed one at a time, each
    kept out only if no page it can touch scores below the full rules (two rules that cover for
    each other each cost nothing alone; only one of them goes). Returns (list, rule) removed."""
    from crawler.extraction.rules import rules_from_data

    data = _rules_data()
    template = prepare_ablation(pages)
    full = rules_from_data(data)
    base = {}
    removed: list[tuple[str, str]] = []
    for row in (r for r in rows if not r["cost"]):
        name, value = row["list"], row["rule"]
        index = next(i for n, i, v, _ in _each_rule(data) if n == name and v == value)
        trial = _without(data, name, index)
        trial_rules = rules_from_data(trial)
        ok = True
        for page in pages:
            if not _rule_applies(name, value, page):
                continue
            if page["id"] not in base:
                base[page["id"]] = _score(page, full, template)
            if _score(page, trial_rules, template) < base[page["id"]] - 1e-9:
                ok = False
                break
        if ok:
            data = trial
            removed.append((name, str(value)))
    return removed


def run_ablation(rsdev: Path, gold: Path, realpages: Path) -> None:
    """The ablation over realsites-dev, the gold set and realpages, and which idle rules can go."""
    # Never tests/gold/unseen: those pages judge the extractor and must not choose its rules.
    golds = [gold, *([realpages] if (realpages / "truth.jsonl").exists() else [])]
    pages = ablation_pages(rsdev, golds, per_site=None)
    rows = ablate(pages)
    report_ablation(rows)
    print("removable together (none of their pages scores lower without all of them):")
    for name, value in prune_idle(pages, rows):
        print(f"  {name}: {value[:90]}")


def report_ablation(rows: list[dict]) -> None:
    print("\n# rules ablation: each rule removed alone; pages scoring lower (cost) / higher (gain) without it")
    for r in rows:
        corpora = Counter(c for c, _, _ in r["cost"])
        print(f"{r['list']}[{r['index']}] for={r['for']} touched={r['touched']} cost={dict(corpora)} "
              f"gain={len(r['gain'])}  {str(r['rule'])[:70]}")
    idle = [r for r in rows if not r["cost"]]
    print(f"rules that cost nothing when removed: {len(idle)} of {len(rows)}")


# ---- extraction CPU on the bench's light pages: this checkout against another, same run -----------

_CPU_SNIPPET = """
import json, sys, time, logging
logging.disable(logging.WARNING)
from crawler.extraction import extract_page
files = sys.argv[1:]
pages = [open(f, 'rb').read() for f in files]
for raw in pages[:5]:
    extract_page(raw, None)
import crawler.extraction.page as page
methods = {}
started = time.process_time()
for raw in pages:
    got = extract_page(raw, None)
    m = getattr(got, 'body_method', 'tuned')
    methods[m] = methods.get(m, 0) + 1
cpu = time.process_time() - started
print(json.dumps({'ms_per_page': 1000 * cpu / len(pages), 'methods': methods}))
"""


def _cpu_of(checkout: Path, files: list[Path]) -> dict:
    """CPU per page of extract_page in *checkout*, in a fresh interpreter (so two checkouts of the
    same package can be compared in one run)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, "-c", _CPU_SNIPPET, *map(str, files)], env=env, check=True,
                         capture_output=True, text=True, cwd=checkout).stdout
    return json.loads(out.strip().splitlines()[-1])


def light_cpu(before: Path, pages: int = 300, rounds: int = 5) -> None:
    """The bench's light pages (bench.site), extraction CPU per page in *before* (a checkout of the
    code without the fallback) and in this checkout, alternated *rounds* times: the machine's
    speed drifts within minutes (bench/README.md), so each ratio pairs runs taken side by side."""
    from bench.site import generate_site

    here = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        site = generate_site(Path(tmp), pages=pages, heavy_share=0.2, sample=10)
        files = [p.file for p in site.light]
        print(f"\n# extraction CPU on {len(files)} light pages of bench.site: {before} (before) vs {here} (after)")
        ratios = []
        for n in range(rounds):
            a, b = _cpu_of(before, files), _cpu_of(here, files)
            ratios.append(b["ms_per_page"] / a["ms_per_page"])
            print(f"round {n + 1}: before {a['ms_per_page']:.2f} ms/page, after {b['ms_per_page']:.2f} ms/page, "
                  f"ratio {ratios[-1]:.3f}; after's body methods {b['methods']}")
        print(f"median ratio after/before: {sorted(ratios)[len(ratios) // 2]:.3f} (budget: 1.25)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="realpages folder (truth.jsonl)")
    ap.add_argument("--gold", type=Path, default=GOLD_DIR, help="gold folder (<name>.html + <name>.json)")
    ap.add_argument("--unseen", type=Path, default=unseen_gold_dir(),
                    help="unseen gold folder, kept out of git (default $GOVWATCH_GOLD_UNSEEN or /work/gold-data/unseen)")
    ap.add_argument("--per-page", action="store_true", help="print govwatch's misses page by page")
    ap.add_argument("--only", choices=list(EXTRACTORS), action="append")
    ap.add_argument("--set", choices=("realpages", "gold", "realsites-dev", "unseen", "disclosure"), action="append",
                    dest="sets")
    ap.add_argument("--ablation", action="store_true",
                    help="remove each rule of rules.yaml alone and show what it costs on realsites-dev and the gold pages")
    ap.add_argument("--cpu-before", type=Path, metavar="CHECKOUT",
                    help="also measure extraction CPU on the bench's light pages against this checkout (e.g. /work/main)")
    ap.add_argument("--rsdev", type=Path, default=RSDEV_TAR,
                    help="realsites-dev archive (.tar.xz, unpacked into a temporary folder) or an unpacked folder")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # trafilatura/readability chatter
    extractors = {k: v for k, v in EXTRACTORS.items() if not args.only or k in args.only}
    wanted = args.sets or ["realpages", "gold", "realsites-dev", "unseen", "disclosure"]
    if "realpages" in wanted and (args.dir / "truth.jsonl").exists():
        report(f"realpages ({args.dir})", evaluate(args.dir, extractors), args.per_page)
    if "gold" in wanted:
        report(f"gold ({args.gold})", evaluate(args.gold, extractors, load_gold(args.gold)), args.per_page)
    unseen = args.unseen
    if "unseen" in wanted:
        # Gate 3: hand-checked pages from sites and CMSs nobody tuned for, the libraries in the same run.
        if unseen.is_dir() and any(unseen.glob("*.json")):
            report(f"unseen gold ({unseen})", evaluate(unseen, extractors, load_gold(unseen)), args.per_page)
        else:
            print(f"\n# unseen gold: no pages in {unseen} yet, gate skipped")
    if args.ablation:
        if not args.rsdev.exists():
            ap.error(f"--ablation: {args.rsdev} not found (give the realsites-dev archive or an unpacked copy)")
        with tempfile.TemporaryDirectory() as tmp:
            rsdev = args.rsdev if args.rsdev.is_dir() else unpack_rsdev(args.rsdev, Path(tmp))
            run_ablation(rsdev, args.gold, args.dir)
    if args.cpu_before is not None:
        if not (args.cpu_before / "crawler" / "extraction").is_dir():
            ap.error(f"--cpu-before {args.cpu_before}: no crawler/extraction there; give a govwatch checkout")
        light_cpu(args.cpu_before)
    if "realsites-dev" in wanted:
        if args.rsdev.is_dir():
            report_rsdev(check_rsdev(args.rsdev), args.per_page)
        elif args.rsdev.is_file():
            with tempfile.TemporaryDirectory() as tmp:
                report_rsdev(check_rsdev(unpack_rsdev(args.rsdev, Path(tmp))), args.per_page)
        else:
            print(f"\n# realsites-dev: {args.rsdev} not found, gate skipped")
    if "disclosure" in wanted and DISCLOSURE_DIR.is_dir():
        report_disclosure(DISCLOSURE_DIR)


if __name__ == "__main__":
    main()
