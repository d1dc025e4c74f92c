"""A column of one or two items: found by what each item shows, since two items repeat nothing.

Record mining (records.py) needs ``MIN_RECORDS`` repeated children: two similar links are as often a pair
of buttons or a footer's two lines as a list. But a column that has published one or two notices so far
(a new 专栏, a 信息公开 year with one report) is a list page with one or two items, and reporting "no list
found" there loses its articles and leaves the column unwatched until it grows.

So, only when mining found no list, an item is looked for one at a time: a link on the page's own site
whose text is a headline (``MIN_TITLE`` characters or more), inside an element that also shows a date
outside the headline and holds no other headline link. Dated headlines are what a column lists; menus,
tabs and footers show no dates beside their entries. The items of one column share their parent and tag;
when the page shows such items in more than one place (a blanked list and a dated sidebar widget), which
one is the column cannot be told, and none is taken: no list beats the wrong one.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from .links import PageLink, element_text, is_page, names_a_file
from .record_dates import date_outside_title
from .records import MAX_UP, MIN_RECORDS, MIN_TITLE, SHORT_TITLE, Record, Region, group_xpath, site_of, title_len

MAX_SHORT = MIN_RECORDS - 1   # a list of MIN_RECORDS or more is record mining's
# An article page's own links to its neighbours (上一篇：<a>…</a> 2021-05-06), to its files (附件1.xls, a
# download URL without an extension) and to addresses written out are dated headlines too, and no column's
# items: a list page read by mistake (an article given as a start URL) must not take them for its list.
_NEIGHBOUR = re.compile(r"上一?[篇条则]|下一?[篇条则]|[前后]一[篇条则]|previous|next", re.IGNORECASE)
_ADDRESS = re.compile(r"^\s*(?:https?:|www\.)", re.IGNORECASE)
LABEL_CHARS = 12              # text just before a link read for a 上一篇 label
# An item is its headline, a date and at most a teaser (fj_snpo's cards: ~80 characters). An element around
# the link with more text than this is a page's section (an article's body with its 上一篇 link), not an item.
ITEM_EXTRA_CHARS = 200


def _headline_urls_under(links: list[PageLink]) -> dict[HtmlElement, set[str]]:
    """For every element up to MAX_UP levels above a link with a headline-like text: the URLs of such
    links inside it (an element holding two of them is a block of several items, not one item)."""
    under: dict[HtmlElement, set[str]] = {}
    for link in links:
        if not link.url or title_len(link) < SHORT_TITLE:
            continue
        el: HtmlElement | None = link.element
        for _ in range(MAX_UP + 1):
            if el is None:
                break
            under.setdefault(el, set()).add(link.url)
            el = el.getparent()
    return under


def _item(link: PageLink, under: dict[HtmlElement, set[str]]) -> tuple[HtmlElement, str] | None:
    """(the item element, its date): the nearest element around the link that shows a date outside the
    headline, below any element that also holds another headline link; None if there is none."""
    headline = link.anchor or link.title
    most = len(headline) + ITEM_EXTRA_CHARS
    el: HtmlElement | None = link.element
    for _ in range(MAX_UP + 1):
        if el is None or el.tag in ("body", "html") or len(under.get(el, ())) > 1:
            return None
        text = element_text(el, most + 1)
        if len(text) > most:
            return None
        shown = date_outside_title(el, headline)
        if shown:
            return el, shown
        el = el.getparent()
    return None


def _label(link: HtmlElement) -> str:
    """The text just before a link, within its parent or, when the link starts its parent (<span><a>), its
    grandparent: where 上一篇： stands."""
    el = link
    for _ in range(2):
        before = el.getprevious()
        text = ((element_text(before, LABEL_CHARS) + (before.tail or "")) if before is not None
                else (el.getparent().text or "") if el.getparent() is not None else "")
        if text.strip() or el.getparent() is None:
            return text.strip()[-LABEL_CHARS:]
        el = el.getparent()
    return ""


def _small_item(el: HtmlElement, headline: str, under: dict[HtmlElement, set[str]]) -> bool:
    """Whether *el* could be one item: it holds one headline link and little text besides."""
    most = len(headline) + ITEM_EXTRA_CHARS
    return len(under.get(el, ())) == 1 and len(element_text(el, most + 1)) <= most


def _pair(first: tuple[PageLink, HtmlElement], second: tuple[PageLink, HtmlElement],
          under: dict[HtmlElement, set[str]]) -> list[HtmlElement] | None:
    """Two items as the list holds them: the children of their lowest common ancestor that hold each (a
    date may sit deeper in one template's item than in the other's row), when both are small items of one
    tag; None otherwise (the two sit in different boxes of the page)."""
    above = {id(el): el for el in first[1].iterancestors()}
    child_b = second[1]
    while child_b.getparent() is not None and id(child_b.getparent()) not in above:
        child_b = child_b.getparent()
    common = child_b.getparent()
    if common is None:
        return None
    child_a = first[1]
    while child_a.getparent() is not common:
        child_a = child_a.getparent()
    pair = [child_a, child_b]
    classes = [set((el.get("class") or "").split()) for el in pair]
    # rows of one list share their class (or have none); a page's boxes (main, side) are named apart
    if child_a.tag != child_b.tag or (classes[0] != classes[1] and not classes[0] & classes[1]) or not all(_small_item(el, link.anchor or link.title, under)
                                             for el, (link, _) in zip(pair, (first, second))):
        return None
    return pair


def short_list(links: list[PageLink], page_url: str, is_column: Callable[[str], bool],
               in_menu: Callable[[Region], bool]) -> Region | None:
    """The page's one- or two-item list, or None. *is_column* tells a column page's URL (a link to one
    is navigation), *in_menu* a region inside a menu bar's entry (a mega-menu's panel)."""
    site = site_of(page_url)
    page = page_url.split("#", 1)[0]
    under = _headline_urls_under(links)
    items: list[tuple[PageLink, HtmlElement, str]] = []
    seen: set[str] = set()
    for link in links:
        if (not link.url or link.url in seen or link.url.split("#", 1)[0] == page or title_len(link) < MIN_TITLE
                or urlsplit(link.url).scheme not in ("http", "https") or site_of(link.url) != site
                or is_column(link.url) or not is_page(link.url) or names_a_file(link.anchor or link.title)
                or _ADDRESS.match(link.anchor or link.title) or _NEIGHBOUR.search(_label(link.element))):
            continue
        # an item's first headline link is its title; a later one to the same page ([详情], named after the
        # item by links.py) sits inside the item and would make a second, nested one
        seen.add(link.url)
        found = _item(link, under)
        if found is not None:
            items.append((link, *found))
        if len(items) > MAX_SHORT:
            return None   # dated headlines in several places, none a list record mining found: no guess
    if not items:
        return None
    if len(items) == 1:
        elements: list[HtmlElement] | None = [items[0][1]]
    else:
        elements = _pair(items[0][:2], items[1][:2], under)
    if elements is None or not isinstance(elements[0].tag, str) or elements[0].getparent() is None:
        return None
    region = Region(group_xpath(elements[0].getparent(), elements[0].tag),
                    [Record(el, [link]) for el, (link, _, _) in zip(elements, items)], float(len(items)),
                    [shown for _, _, shown in items], 1.0)
    return None if in_menu(region) else region
