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
  list, not a 今日关注 box of highlights from every page of the issue that happens to hold more rows.
"""
from __future__ import annotations

from collections.abc import Callable
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
