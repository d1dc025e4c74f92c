"""Which of a page's candidate article lists is the page's own list, when the best-scored one may not be.

The candidates come scored by structure (records.find_regions). Four kinds of evidence outrank the score,
each from how pages are built, none naming a site:

* a list inside an entry of a menu bar is that column's drop-down preview (reading.in_menu_item);
* a list whose every link leaves the page's site (a footer of the publisher's corporate pages, a friend-
  link box) is not the column's list when a list of the site's own pages also qualifies;
* a column files its articles under its own directory (``/hmy/by/index.html`` → ``/hmy/by/31.html``): a
  list nearly as well scored whose links stay there beats one pointing into another column (a sidebar
  of 特色疗法 beside the column's own cards), the evidence shape.dated_in_column uses, without dates;
* an e-paper page (Founder's and its imitators' 版面 pages) marks its own articles on the page image with
  an image map (``<map><area href="content_52014.htm">``): the list whose links the map names is the page's
  list, not a 今日关注 box of highlights from every page of the issue that happens to hold more rows;
* the breadcrumb (当前位置：首页 > 栏目) heads the page's own column: the first list after it in the page,
  when it scores at least half the best, is the column's. A column of a few items otherwise loses to a
  longer 热点排行 sidebar beside it (a left sidebar comes before the breadcrumb, a right one after the
  column).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from itertools import islice
from urllib.parse import urlsplit, urlunsplit

from lxml.etree import XPath
from lxml.html import HtmlElement

from .links import MAX_LINKS, resolve_url
from .records import Region, site_of

_AREA_HREFS = XPath("//map/area/@href")
MIN_MAPPED = 3            # an image map naming fewer articles than this says nothing about the lists
MAPPED_SHARE = 0.5        # the chosen list must hold at least this share of the map's articles
NEAR_SCORE = 0.7          # a list in the column's directory wins over a better one elsewhere scoring up to this less
IN_DIRECTORY = 0.8        # ... when this share of its links are filed there (and under half of the other's)
AFTER_CRUMB_SCORE = 0.5   # the first list after the breadcrumb wins over a better one scoring up to this less
CRUMB_MAX_CHARS = 200     # a breadcrumb is a line of a few links, not a section
CRUMB_SEARCH = 3000       # elements from the top searched for the breadcrumb (it is near the top)
_CRUMB_TEXT = re.compile(r"^\s*(?:当前位置|您的位置|你的位置|您现在的位置|你现在的位置|您当前的位置|所在位置)\s*[:：]?")
_CRUMB_NAME = re.compile(r"breadcrumb|crumb|(?:^|[\s_-])(?:bread|position|location|weizhi|dqwz|mianbao)(?:$|[\s_-])",
                         re.IGNORECASE)


def _key(url: str) -> str:
    """A URL without its query and fragment: one e-paper article is mapped as ``?div=0`` and listed as ``?div=-1``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def mapped_articles(root: HtmlElement, base: str) -> set[str]:
    """The pages an image map on the page links (query and fragment dropped)."""
    found = set()
    for href in _AREA_HREFS(root)[:MAX_LINKS]:   # bounded, as the page's links are
        url = resolve_url(href, base) if isinstance(href, str) and href.strip() else None
        if url:
            found.add(_key(url))
    return found


def _own_share(region: Region, site: str) -> float:
    titles = [r.title_link().url for r in region.records]
    return sum(1 for u in titles if site_of(u) == site) / len(titles) if titles else 0.0


def _in_directory_share(region: Region, page_url: str) -> float:
    page = urlsplit(page_url)
    directory = page.path.rsplit("/", 1)[0] + "/"
    titles = [urlsplit(r.title_link().url) for r in region.records]
    inside = sum(1 for u in titles if u.netloc == page.netloc and u.path.startswith(directory) and u.path != page.path)
    return inside / len(titles) if titles else 0.0


def _breadcrumb(root: HtmlElement) -> HtmlElement | None:
    """The page's breadcrumb: an element named so (breadcrumb, position, weizhi …) or opening with
    当前位置：, short; None if the page shows none."""
    for el in islice(root.iter(), CRUMB_SEARCH):
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "html", "body", "head"):
            continue
        named = _CRUMB_NAME.search(f"{el.get('class') or ''} {el.get('id') or ''}")
        if named or (el.text and _CRUMB_TEXT.match(el.text)):
            text_chars = sum(len(t) for t in islice(el.itertext(), 50))
            if text_chars <= CRUMB_MAX_CHARS:
                return el
    return None


def _holds_another(region: Region, candidates: list[Region]) -> bool:
    """Whether the region's records hold another candidate's records: boxes of a hub page, each a
    sub-column's link over its own list, are not a list of items however they score."""
    own = {id(record.element) for record in region.records}
    return any(other is not region and other.records
               and any(id(up) in own for up in other.records[0].element.iterancestors())
               for other in candidates)


def _same_items(one: Region, other: Region) -> bool:
    """Whether two lists link mostly the same pages (a side menu of the column's own items, cut short,
    beside its cards): then the better-scored one, with the whole titles, stays the list."""
    mine = {_key(r.title_link().url) for r in one.records}
    theirs = {_key(r.title_link().url) for r in other.records}
    return len(mine & theirs) * 2 >= min(len(mine), len(theirs))


def _first_after(candidates: list[Region], root: HtmlElement, crumb: HtmlElement) -> Region | None:
    """The candidate whose first record comes first after *crumb* in the page (boxes holding other
    candidates aside)."""
    order: dict[HtmlElement, int] = {}
    for i, el in enumerate(root.iter()):
        order[el] = i
    at = order.get(crumb)
    if at is None:
        return None
    after = [r for r in candidates if r.records and order.get(r.records[0].element, -1) > at
             and not _holds_another(r, candidates)]
    return min(after, key=lambda r: order[r.records[0].element], default=None)


def choose_list(lists: list[Region], root: HtmlElement, base: str, page_url: str,
                in_menu: Callable[[Region], bool]) -> Region | None:
    """The page's own list among *lists* (best-scored first), or None when there is none."""
    if not lists:
        return None
    # a list inside one entry of a menu is that entry's drop-down, never the page's own list; only
    # a dated one stands in for a page that has no other (a column whose items sit in a menu-like <li>)
    candidates = [r for r in lists if not in_menu(r)] or [r for r in lists if r.dated > 0]
    if not candidates:
        return None
    site = site_of(page_url) if page_url else ""
    if site and any(_own_share(r, site) >= 0.5 for r in candidates):
        candidates = [r for r in candidates if _own_share(r, site) > 0]
    if len(candidates) > 1 and (crumb := _breadcrumb(root)) is not None:
        first = _first_after(candidates, root, crumb)
        if (first is not None and first is not candidates[0]
                and first.score >= AFTER_CRUMB_SCORE * candidates[0].score and not _same_items(first, candidates[0])):
            candidates = [first] + [r for r in candidates if r is not first]
    if page_url and urlsplit(page_url).path.count("/") >= 2 and _in_directory_share(candidates[0], page_url) < 0.5:
        filed = next((r for r in candidates[1:] if r.score >= NEAR_SCORE * candidates[0].score
                      and _in_directory_share(r, page_url) >= IN_DIRECTORY), None)
        if filed is not None:
            candidates = [filed] + [r for r in candidates if r is not filed]
    mapped = mapped_articles(root, base)
    if len(mapped) >= MIN_MAPPED:
        # most of the map's articles, then fewest rows the map does not name, then the better score
        overlap = []
        for i, r in enumerate(candidates):
            keys = {_key(rec.title_link().url) for rec in r.records}
            overlap.append((len(mapped & keys), -len(keys - mapped), -i, r))
        best_overlap, _, _, best = max(overlap, key=lambda item: item[:3])
        if best_overlap >= MAPPED_SHARE * len(mapped):
            return best
    return candidates[0]
