"""Benchmark and gate figures for crawler.listing (list pages without a URL pattern).

    python -m bench.listpages [--tarball PATH] [--per-page]

Unpacks the realsites-dev tarball (read from /work/shared, never copied into the project) into a
temporary directory and scores ``read_list_page`` on:

* ``_lists/``: main-list links vs the hand annotation (per page and pooled precision/recall);
* the 9 site snapshots' 39 start pages: per site, recall of ``_meta`` article links by our article links and
  precision (a found link is right when ``_meta`` lists it or it matches the site's article regex), plus our
  pagination against ``_meta`` pagination links / scripts;

and the _lists and start-page figures again with every class and id attribute removed (a reader that leans on
a template's vocabulary would lose there what held-out sites do not share), and prints the time per page. The
tests in tests/crawler/listing call the same scoring functions.
"""
from __future__ import annotations

import argparse
import json
import re
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from crawler.listing import ListReading, read_list_page

TARBALL = Path("/work/shared/realsites-dev/realsites-dev.tar.xz")
MIRROR = "http://127.0.0.1:8000"
# The 网易 leaderboard is a hot-list page by nature: 702 rows in dozens of ranked tables (by section, tab
# and period) with no single "main list"; the annotation takes all 467 URLs, which no list reader should.
EXCLUDED_LISTS = {"gerapy_netease_leaderboard_news": "hot-list page: dozens of ranked tables, no single main list"}


def unpack(tarball: Path, dest: Path, starts_only: bool = False, extra: tuple[str, ...] = ()) -> Path:
    """Extract the tarball under *dest* (data filter: no links or paths outside) and return the set's root.

    *starts_only* extracts ``_lists``, ``_meta``, the manifest, the 39 start pages and the *extra* site paths
    (``site/path``), not the 2,800 other files (the tests need only those)."""
    with tarfile.open(tarball) as tar:
        members = tar.getmembers()
        if starts_only:
            metas = [m for m in members if m.isfile() and "/_meta/" in f"/{m.name}" and m.name.endswith(".json")]
            top = metas[0].name.split("_meta/")[0] if metas else ""
            wanted = {top + e for e in extra}
            for m in metas:
                meta = json.load(tar.extractfile(m))
                wanted |= {f"{top}{meta['site']}{s['start']}" for s in meta["starts"]}
            members = [m for m in members if m.name in wanted or "/_lists/" in f"/{m.name}"
                       or "/_meta/" in f"/{m.name}" or m.name.count("/") <= 1]
        tar.extractall(dest, members=members, filter="data")
    roots = [p.parent for p in dest.glob("*/README.md")] + [p.parent for p in dest.glob("README.md")]
    return roots[0]


def _norm(url: str) -> str:
    return url.split("#", 1)[0]


@dataclass
class Score:
    """Counts for precision/recall."""

    name: str
    truth: int = 0
    found: int = 0
    hit: int = 0       # truth ∩ found
    right: int = 0     # found that count as correct
    dates: int = 0     # annotated ISO dates of found links
    dates_ok: int = 0  # ... that our ListLink.date equals
    pager_truth: int = 0   # annotated GET-able pager URLs (not the current page, no #hash or template junk)
    pager_hit: int = 0
    pager_found: int = 0
    pager_note: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.hit / self.truth if self.truth else 1.0


# Every class and id attribute: the same pages without them ask whether the reader leans on a template's
# vocabulary (class="news-list") that held-out sites do not share, or on structure. A regex, not a parser:
# the page goes to read_list_page as text either way, and an attribute-like string in a script is harmless.
_CLASS_OR_ID = re.compile(r"""\s(?:class|id)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


def without_class_and_id(html: str) -> str:
    """The page with its class and id attributes removed."""
    return _CLASS_OR_ID.sub("", html)


def _read(path: Path, url: str, transform: Callable[[str], str] | None = None) -> tuple[ListReading, float]:
    html = path.read_text(encoding="utf-8", errors="replace")
    if transform is not None:
        html = transform(html)
    start = time.perf_counter()
    reading = read_list_page(html, url)
    return reading, time.perf_counter() - start


def score_lists(root: Path, transform: Callable[[str], str] | None = None) -> list[Score]:
    """_lists pages: main_links vs the annotated main list (gerapy_sample is a byte copy: scored once);
    *transform* changes each page before it is read (without_class_and_id)."""
    scores = []
    for meta_path in sorted((root / "_lists").glob("*.json")):
        name = meta_path.stem
        if name in EXCLUDED_LISTS or name == "gerapy_sample":
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        reading, seconds = _read(meta_path.with_suffix(".html"), meta["assumed_url"], transform)
        truth = {_norm(a["url"]) for a in meta["article_links"]}
        found = {_norm(m.url) for m in reading.main_links}
        s = Score(name, len(truth), len(found), len(truth & found), len(truth & found), seconds=seconds)
        pager = {p["url"] for p in meta["pagination_links"]
                 if p.get("url") and "#" not in p["url"] and "$" not in p["url"] and p["url"] != meta["assumed_url"]}
        s.pager_truth, s.pager_found = len(pager), len(reading.pagination.urls)
        s.pager_hit = len(pager & set(reading.pagination.urls))
        s.pager_note = f"{reading.pagination.kind or '-'} / {reading.pagination.unsupported or '-'}"
        ours = {_norm(m.url): m.date for m in reading.main_links}
        for a in meta["article_links"]:
            if len(a.get("date") or "") == 10 and _norm(a["url"]) in ours:
                s.dates += 1
                s.dates_ok += ours[_norm(a["url"])] == a["date"]
        s.notes.append(reading.region_summary[:160])
        scores.append(s)
    return scores


@dataclass
class SiteScore(Score):
    pages: list[dict] = field(default_factory=list)


def _article_rx(meta: dict) -> re.Pattern[str]:
    return re.compile(meta["article_path_regex"])


def score_sites(root: Path, transform: Callable[[str], str] | None = None) -> list[SiteScore]:
    """Site start pages: article_links vs _meta, and pagination vs _meta (*transform*: as score_lists)."""
    scores = []
    for meta_path in sorted((root / "_meta").glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        site = SiteScore(meta["site"])
        rx = _article_rx(meta)
        for start in meta["starts"]:
            reading, seconds = _read(root / meta["site"] / start["start"].lstrip("/"), MIRROR + start["start"],
                                     transform)
            truth = {a["path"] for a in start["article_links"]}
            found = set()
            right = 0
            for link in reading.article_links:
                parts = urlsplit(link.url)
                local = parts.netloc == "127.0.0.1:8000"
                path = parts.path + ("?" + parts.query if parts.query else "")
                if path in found:
                    continue
                found.add(path if local else link.url)
                if local and (path in truth or rx.search(path) or rx.search(path.lstrip("/"))):
                    right += 1
            hit = len(truth & found)
            site.truth += len(truth)
            site.found += len(found)
            site.hit += hit
            site.right += right
            site.seconds += seconds
            pager_truth = {p["path"] for p in start["pagination_links"]}
            pager_found = {urlsplit(u).path for u in reading.pagination.urls}
            site.pages.append({
                "start": start["start"], "truth": len(truth), "found": len(found), "hit": hit, "right": right,
                "main": len(reading.main_links), "pager_truth": len(pager_truth),
                "pager_hit": len(pager_truth & pager_found), "pager_found": len(pager_found),
                "pager_kind": reading.pagination.kind, "unsupported": reading.pagination.unsupported,
                "pager_js": start.get("pagination_js", [])[:1], "missed": sorted(truth - found)[:3],
                "wrong": sorted(p for p in found if not (p in truth or rx.search(p) or rx.search(p.lstrip("/"))))[:3],
            })
        scores.append(site)
    return scores


def cut_column(html: str, url: str, keep: int) -> tuple[str, list[str], set[str]] | None:
    """The page with its main list cut to its first *keep* items (the other records that carry a link
    removed), those items' URLs, and every link the whole page's reading returns; None without a list."""
    import lxml.html

    from crawler.listing.links import parse_html

    whole = read_list_page(html, url)
    if whole.profile is None:
        return None
    kept = [m.url for m in whole.main_links[:keep]]
    root = parse_html(html)
    base = root.base_url or url
    for record in root.xpath(whole.profile.region):
        hrefs = {urljoin(base, h.strip()) for h in record.xpath(".//a/@href")}
        if hrefs and not hrefs & set(kept) and record.getparent() is not None:
            record.getparent().remove(record)
    every = {m.url for m in whole.main_links} | {a.url for a in whole.article_links}
    return lxml.html.tostring(root, encoding="unicode"), kept, every


def score_cut_columns(root: Path, keep: int) -> tuple[int, int, int, int, int, int, int]:
    """A column of *keep* items, made from each start page and _lists page by cutting its list: (pages,
    pages whose list was still found, kept items, kept items found, links found, links found that the
    whole page's reading does not return either: a sidebar or menu taken for the column, kept items in
    the main list: the column, not a longer sidebar of the same URL shape, taken for the page's list)."""
    pages: list[tuple[Path, str]] = []
    for meta_path in sorted((root / "_meta").glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        pages += [(root / meta["site"] / s["start"].lstrip("/"), MIRROR + s["start"]) for s in meta["starts"]]
    for meta_path in sorted((root / "_lists").glob("*.json")):
        if meta_path.stem not in EXCLUDED_LISTS and meta_path.stem != "gerapy_sample":
            pages.append((meta_path.with_suffix(".html"),
                          json.loads(meta_path.read_text(encoding="utf-8"))["assumed_url"]))
    counts = [0] * 7
    for path, url in pages:
        cut = cut_column(path.read_text(encoding="utf-8", errors="replace"), url, keep)
        if cut is None:
            continue
        html, kept, every = cut
        reading = read_list_page(html, url)
        main = {m.url for m in reading.main_links}
        found = main | {a.url for a in reading.article_links}
        for i, value in enumerate((1, reading.profile is not None, len(kept), len(set(kept) & found), len(found),
                                   len(found - every), len(set(kept) & main))):
            counts[i] += value
    return counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6]


_HREF = re.compile(r"""<a\s[^>]{0,400}?href\s*=\s*["']([^"'<>]{1,500})["']""", re.IGNORECASE)


def score_other_lists(root: Path, min_truth: int = 3) -> list[SiteScore]:
    """Every *other* list page of each snapshot (list_path_regex, not a start page), scored like the starts;
    the truth is every ``<a href>`` on the page matching the article regex (the ``_meta`` definition),
    found with a plain regex so it does not share code with the reader. Pages with fewer than *min_truth*
    such links (pager pages whose items the copier blanked) are skipped."""
    from html import unescape
    from urllib.parse import urljoin

    manifest = {e["name"]: e for e in json.loads((root / "manifest.json").read_text(encoding="utf-8"))}
    scores = []
    for name, entry in sorted(manifest.items()):
        site = SiteScore(name)
        list_rx, art_rx = re.compile(entry["list_path_regex"]), re.compile(entry["article_path_regex"])
        starts = {p.lstrip("/") for p in entry["start_paths"]}
        for path in sorted((root / name).rglob("*.htm*")):
            rel = path.relative_to(root / name).as_posix()
            if rel in starts or not list_rx.search(rel):
                continue
            html = path.read_text(encoding="utf-8", errors="replace")
            url = f"{MIRROR}/{rel}"
            truth = set()
            for href in _HREF.findall(html):
                parts = urlsplit(urljoin(url, unescape(href).strip()))
                if parts.netloc == "127.0.0.1:8000" and art_rx.search(parts.path.lstrip("/")):
                    truth.add(parts.path)
            if len(truth) < min_truth:
                continue
            start = time.perf_counter()
            reading = read_list_page(html, url)
            site.seconds += time.perf_counter() - start
            found = {urlsplit(a.url).path if urlsplit(a.url).netloc == "127.0.0.1:8000" else a.url
                     for a in reading.article_links}
            right = sum(1 for f in found if f in truth or art_rx.search(f.lstrip("/")))
            site.truth += len(truth)
            site.found += len(found)
            site.hit += len(truth & found)
            site.right += right
            site.notes.append("no list" if reading.profile is None else "list")
            site.pages.append({"start": "/" + rel, "truth": len(truth), "found": len(found),
                               "hit": len(truth & found), "right": right, "missed": sorted(truth - found)[:3],
                               "wrong": sorted(f for f in found if not (f in truth or art_rx.search(f.lstrip("/"))))[:3]})
        if site.pages:
            scores.append(site)
    return scores


def pooled(scores: list[Score]) -> tuple[float, float]:
    truth = sum(s.truth for s in scores)
    found = sum(s.found for s in scores)
    return (sum(s.right for s in scores) / found if found else 0.0,
            sum(s.hit for s in scores) / truth if truth else 1.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.listpages", description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, default=TARBALL)
    parser.add_argument("--per-page", action="store_true", help="also print every site start page")
    args = parser.parse_args(argv)
    if not args.tarball.is_file():
        parser.error(f"{args.tarball}: not found (pass --tarball)")
    with tempfile.TemporaryDirectory(prefix="listpages-") as tmp:
        root = unpack(args.tarball, Path(tmp))
        lists = score_lists(root)
        sites = score_sites(root)
        others = score_other_lists(root)
        bare = pooled(score_lists(root, without_class_and_id)), pooled(score_sites(root, without_class_and_id))
        cut = {keep: score_cut_columns(root, keep) for keep in (1, 2, 3, 5)}
    print("_lists: main-list links vs annotation")
    print(f"{'page':40} {'truth':>5} {'found':>5} {'P':>6} {'R':>6} {'dates ok':>9} {'ms':>7}  pager hit/truth of found"
          " (kind / unsupported)")
    for s in lists:
        print(f"{s.name:40} {s.truth:5} {s.found:5} {s.precision:6.3f} {s.recall:6.3f} "
              f"{f'{s.dates_ok}/{s.dates}':>9} {s.seconds * 1000:7.1f}  {s.pager_hit}/{s.pager_truth} of "
              f"{s.pager_found} ({s.pager_note})")
    p, r = pooled(lists)
    dated = f"{sum(s.dates_ok for s in lists)}/{sum(s.dates for s in lists)}"
    print(f"{'POOLED':40} {sum(s.truth for s in lists):5} {sum(s.found for s in lists):5} {p:6.3f} {r:6.3f} {dated:>9}")
    for name, why in EXCLUDED_LISTS.items():
        print(f"  excluded {name}: {why}; gerapy_sample is a byte copy of gerapy_netease_international_news")
    print()
    print("realsites-dev start pages: article_links vs _meta")
    print(f"{'site':18} {'starts':>6} {'truth':>5} {'found':>5} {'P':>6} {'R':>6} {'pager hit/truth':>16} "
          f"{'ms/page':>8}  script pagers in _meta -> ours")
    for s in sites:
        ph = sum(p["pager_hit"] for p in s.pages)
        pt = sum(p["pager_truth"] for p in s.pages)
        scripted = sorted({f"{p['pager_js'][0][:28]} -> {p['pager_kind'] or p['unsupported'] or 'nothing'}"
                           for p in s.pages if p["pager_js"]})
        print(f"{s.name:18} {len(s.pages):6} {s.truth:5} {s.found:5} {s.precision:6.3f} {s.recall:6.3f} "
              f"{f'{ph}/{pt}':>16} {s.seconds * 1000 / len(s.pages):8.1f}  {'; '.join(scripted)[:110]}")
        if args.per_page:
            for pg in s.pages:
                print(f"    {pg['start']:52} truth {pg['truth']:3} found {pg['found']:3} hit {pg['hit']:3} "
                      f"right {pg['right']:3} main {pg['main']:3} | pager {pg['pager_hit']}/{pg['pager_truth']} "
                      f"of {pg['pager_found']} {pg['pager_kind']} unsupported={pg['unsupported']} js={pg['pager_js']}")
                if pg["missed"] or pg["wrong"]:
                    print(f"        missed {pg['missed']} wrong {pg['wrong']}")
    p, r = pooled(sites)
    print(f"{'POOLED':18} {sum(len(s.pages) for s in sites):6} {sum(s.truth for s in sites):5} "
          f"{sum(s.found for s in sites):5} {p:6.3f} {r:6.3f}")
    print(f"min per-site recall {min(s.recall for s in sites):.3f}")
    print()
    print("other list pages of the snapshots (not the start pages; truth = article-regex links on the page)")
    print(f"{'site':18} {'pages':>6} {'truth':>5} {'found':>5} {'P':>6} {'R':>6} {'no list found':>14}")
    for s in others:
        print(f"{s.name:18} {len(s.pages):6} {s.truth:5} {s.found:5} {s.precision:6.3f} {s.recall:6.3f} "
              f"{s.notes.count('no list'):14}")
        if args.per_page:
            for pg in s.pages:
                if pg["missed"] or pg["wrong"]:
                    print(f"    {pg['start']:52} truth {pg['truth']:3} found {pg['found']:3} hit {pg['hit']:3} "
                          f"missed {pg['missed']} wrong {pg['wrong']}")
    p, r = pooled(others)
    print(f"{'POOLED':18} {sum(len(s.pages) for s in others):6} {sum(s.truth for s in others):5} "
          f"{sum(s.found for s in others):5} {p:6.3f} {r:6.3f} {sum(s.notes.count('no list') for s in others):14}")
    print("  (most 'no list' pages are columns whose items the site copier blanked to javascript:; their only\n"
          "   article-regex links are menu entries, which a list reader cannot learn a shape from)")
    print(f"without class and id attributes: _lists P {bare[0][0]:.3f} R {bare[0][1]:.3f}; "
          f"start pages P {bare[1][0]:.3f} R {bare[1][1]:.3f} (does the reader lean on a template's names?)")
    for keep, (n, listed, items, items_found, found, strange, in_main) in cut.items():
        print(f"columns cut to {keep} item(s): list found on {listed}/{n} pages, items {items_found}/{items} "
              f"({in_main} in the main list); {strange} of {found} links found are none the whole page's reading "
              "returns")
    pages = len(lists) + sum(len(s.pages) for s in sites)
    total = sum(s.seconds for s in lists) + sum(s.seconds for s in sites)
    print(f"time: {pages} pages, {total * 1000 / pages:.1f} ms/page mean (read_list_page only, parse included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
