"""Rebuild the demo-* pages of the gold set from the demo site: pages as served, truth from its catalogue.

    cd /work/main && .venv/bin/python -m tests.gold.build_demo

The expected values come from the demo's own catalogue (what the generator put on the page), never
from govwatch's output, so the gold set measures the extractor instead of freezing it.  Field rules:
``author`` is the people credited as writing the piece (作者, the 记者 of an e-paper byline, else the
通讯员 of a news lead); ``source`` is the 来源 shown on the page (the e-paper shows none); the
disclosure fields come from the gov metadata table.  Hand-made pages (``seed-*``) are not touched.
"""
from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

from demo.server import DemoSite

GOLD = Path(__file__).resolve().parent
BASE = "http://demo.govwatch.test"   # pages are stored as if served from here (stable across runs)
SEEDS = (None, 1, 2)                 # None: the default corpus
PER_SOURCE = 3
_REPORTER = re.compile(r"记者\s*(.+?)(?:\s*通讯员|$)")
_LEAD_CORRESPONDENTS = re.compile(r"^[^\n]{0,40}?讯\s*[（(]通讯员\s*([^）)]+)[）)]")


def _author(article: dict) -> str | None:
    m = article["metadata"]
    if article["source"] == "paper" and m.get("作者"):
        found = _REPORTER.search(m["作者"])
        return found.group(1).strip() if found else m["作者"]
    if m.get("作者"):
        return m["作者"]
    lead = _LEAD_CORRESPONDENTS.search(article["text"])
    return " ".join(lead.group(1).split()) if lead else None


def expected(article: dict) -> dict:
    """The gold JSON of one catalogue entry."""
    m, source = article["metadata"], article["source"]
    gov = source == "gov"
    shown = {
        "gov": [k for k in m if m[k]],
        "paper": ["版次"],
        "news": ["来源", "发布时间", "责任编辑", "作者"],
        "mirror": ["来源", "发布时间", "作者"],
    }[source]
    return {
        "url": BASE + article["path"],
        "kind": f"demo-{source}",
        "encoding": article["encoding"],
        "title": article["title"],
        "date": article["date"],
        "author": _author(article),
        "source": None if source == "paper" else m.get("来源") or None,
        "publisher": m.get("发文机关") if gov else None,
        "index_no": m.get("索引号") if gov else None,
        "doc_no": (m.get("文号") or None) if gov else None,
        "category": m.get("分类") if gov else None,
        "attachments": [BASE + p for p in article.get("attachments", [])],
        "metadata": {k: m[k] for k in shown if m.get(k)},
        "text": article["text"],
    }


def _signature(article: dict) -> tuple:
    """What makes two pages of a source different templates-wise (optional rows, copies, attachments)."""
    return (tuple(sorted(k for k, v in article["metadata"].items() if v)), bool(article.get("attachments")),
            (article.get("copy_of") or "/").split("/")[1])


def _pick(articles: list[dict], n: int) -> list[dict]:
    """Up to *n* articles with distinct signatures first, then the rest in order."""
    chosen, seen = [], set()
    for a in articles:
        if _signature(a) not in seen:
            seen.add(_signature(a))
            chosen.append(a)
    chosen += [a for a in articles if a not in chosen]
    return chosen[:n]


def _save(site: DemoSite, article: dict, name: str) -> None:
    with urllib.request.urlopen(article["url"]) as response:
        raw = response.read()
    raw = raw.replace(site.base_url.encode("ascii"), BASE.encode("ascii"))
    (GOLD / f"{name}.html").write_bytes(raw)
    (GOLD / f"{name}.json").write_text(json.dumps(expected(article), ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")


def _slug(path: str) -> str:
    return path.rsplit("/", 1)[1].split(".")[0]


def build() -> list[str]:
    for old in GOLD.glob("demo-*"):
        old.unlink()
    names = []
    for seed in SEEDS:
        site = DemoSite() if seed is None else DemoSite(seed=seed)
        site.start(port=0)
        try:
            catalogue = site.catalogue()
            for source in ("gov", "paper", "news", "mirror"):
                for a in _pick([a for a in catalogue if a["source"] == source], PER_SOURCE):
                    name = f"demo-s{seed or 0}-{source}-{_slug(a['path'])}"
                    _save(site, a, name)
                    names.append(name)
            if seed is None:
                names += _revisions(site)
        finally:
            site.stop()
    return names


def _revisions(site: DemoSite) -> list[str]:
    """Pages after edits and new publications: new titles, appended text, optional metadata rows."""
    out = []
    gov = next(a for a in site.catalogue() if a["source"] == "gov")
    site.edit(gov["path"], title="永州市乡村振兴局关于调整2022年度驻村帮扶工作队队员的通知",
              append="本通知自印发之日起施行。")
    news = next(a for a in site.catalogue() if a["source"] == "news")
    site.edit(news["path"], append=["记者从县乡村振兴局获悉，下一步将继续深化产业帮扶。", "全县已累计发放小额信贷1.2亿元。"])
    paper = site.publish("paper", title="湘西州：让特色产业成为群众增收的“金钥匙”", page=2, date="2022-12-17",
                         metadata={"副题": "——来自花垣县十八洞村的蹲点报告"})
    spam = site.publish("mirror", copy_of=gov["path"], date="2022-03-01")
    wanted = {gov["path"]: "rev-gov", news["path"]: "rev-news", paper.path: "rev-paper", spam.path: "rev-mirror"}
    for a in site.catalogue():
        if a["path"] in wanted:
            name = f"demo-{wanted[a['path']]}-{_slug(a['path'])}"
            _save(site, a, name)
            out.append(name)
    return out


if __name__ == "__main__":
    built = build()
    print(f"{len(built)} demo pages written to {GOLD}")
