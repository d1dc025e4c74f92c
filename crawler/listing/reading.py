"""``read_list_page``: one list page in, its main list, article links, pager and a reusable profile out.

Order of work: links → (stored profile, else record mining) → URL shape of the records → every other link
of that shape (sidebar and hot-list articles of the same site) → pager. With a stored profile the region
XPath and shape are applied as they are (cheap and stable between crawls); only when the region finds no
rows, or rows mostly not of the stored shape, is the page learned again.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from .choice import choose_list
from .data_lists import inline_data_lists
from .datastore import GROUP_RECORDS, record_group
from .links import PageLink, document_base, is_page, page_links, parse_html, resolve_url
from .model import ListLink, ListProfile, ListReading, Pagination
from .pagination import VOID_PAGER, find_pagination, void_pager
from .record_dates import issue_date, record_dates
from .records import Record, Region, find_regions, is_article_list, records_at, url_skeleton
from .script_links import ScriptLinks, script_sources
from .shape import compile_shape, learn_shape, shape_target
from .short_lists import MAX_SHORT, short_list
from .written import insert_written_markup

MENU_MIN_ITEMS = 4     # a menu bar has at least this many entries
MENU_LINKED_SHARE = 0.8  # ... and almost every entry starts with its own link
# Links calling a function the page does not define before its script files are worth fetching: one or two
# are a tab switch or a search box; a list's rows are more.
MIN_UNDEFINED_CALLS = 3
MAX_FRAMES = 5


def in_menu_item(region: Region) -> bool:
    """The region sits inside an entry of a menu bar: a ``<li>`` holding its own link, among at least
    MENU_MIN_ITEMS sibling entries that mostly do too.

    Mega-menus (portal templates of every CMS) drop a panel of a column's latest items under its menu
    entry; those items are dated and titled like the real list, and when the page's own list is short
    the panel can outscore it. A page's main list is never nested inside one entry of a menu.
    """
    first = region.records[0].element if region.records else None
    if first is None:
        return False
    for entry in first.iterancestors("li"):
        bar = entry.getparent()
        if bar is None or entry.find("a") is None:
            continue
        entries = [li for li in bar if li.tag == "li"]
        linked = sum(1 for li in entries if li.find("a") is not None)
        if len(entries) >= MENU_MIN_ITEMS and linked >= MENU_LINKED_SHARE * len(entries):
            return True
    return False


def _main_links(records: list[Record], dates: list[str | None] | None = None) -> list[ListLink]:
    """One link per record (its title link, named by its caption), first occurrence of each URL, with the
    record's date."""
    if dates is None:
        dates = record_dates([(r.element, r.title_link().anchor) for r in records],
                             [r.title_link().url for r in records])[0]
    out: list[ListLink] = []
    seen: set[str] = set()
    for rec, date in zip(records, dates):
        title = rec.title_link()
        if title.url in seen:
            continue
        seen.add(title.url)
        caption = rec.caption_link()
        out.append(ListLink(title.url, _headline(caption), date))
    return out


def _frames(root: HtmlElement, base: str) -> list[str]:
    """The http(s) pages the page shows in frames, in page order (``about:blank`` and ``javascript:;``
    frames are no http(s) URL to resolve_url)."""
    frames: list[str] = []
    for element in root.iter("iframe", "frame"):
        url = resolve_url(element.get("src") or "", base)
        if url and url not in frames:
            frames.append(url)
    return frames[:MAX_FRAMES]


def _headline(link: PageLink) -> str:
    """The record's headline: its text, or its title attribute when the text is that title cut short
    (关于做好2023年第1批…: lists cut long titles and keep them whole in ``title``)."""
    stem = link.anchor.rstrip(".…· ")
    if link.title and stem != link.anchor and len(link.title) > len(stem) and link.title.startswith(stem):
        return link.title
    return link.anchor or link.title


_COLUMN_NAME = re.compile(r"(?:index|default|list|main|home|more)(?:[_-]?\d{1,4})?(?:\.\w{1,6})?", re.IGNORECASE)
COLUMN_DIR_DEPTH = 2       # a directory URL this shallow without digits is a column (/xwzx/, /news/tzgg/)


def _is_column_name(url: str) -> bool:
    """Whether *url* names a column page: ``index``/``list``… files, or a shallow directory without digits.

    A URL ending in ``/`` is a column only when the directory looks like one. Pretty-URL articles also end
    in ``/`` but carry a date or id (WordPress/Hexo/Hugo ``/2020/11/13/slug/``, news CMSs
    ``/xwzx/2023-05/12/c_1129/``) or sit deeper than a column path does.
    """
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    if not name:
        segments = [s for s in path.split("/") if s]
        return len(segments) <= COLUMN_DIR_DEPTH and not any(c.isdigit() for c in path)
    return _COLUMN_NAME.fullmatch(name) is not None


def _file_family(url: str) -> str:
    """The last path segment with digit runs → 9 and letter runs → a (``t20210422_61470.html`` → ``a9_9.a``)."""
    return url_skeleton(urlsplit(url).path.rsplit("/", 1)[-1])


_HAS_DIGIT = re.compile(r"\d")


def _folder_and_extension(url: str) -> tuple[str, str, str]:
    """(host, folder, extension) of a URL: where a file sits and what kind it is."""
    parts = urlsplit(url)
    folder, _, name = parts.path.rpartition("/")
    return parts.netloc, folder, name.rsplit(".", 1)[1].lower() if "." in name else ""


def _same_shape(links: list[PageLink], main: list[ListLink], shape: str, page_url: str) -> list[ListLink]:
    """The main list's records of its shape + every other link of that shape on one of their hosts.

    A record off the shape and off its file-name family (a 【专题】 ``index1.html`` or a column link pinned
    into the list) stays in ``main_links`` but is not fetched as an article: the shape holds for at least a
    quarter of the records, so what does not fit it is the exception, mostly not an article.
    """
    rx = compile_shape(shape)
    if rx is None:
        return [m for m in main if is_page(m.url)]
    fitting = [m for m in main if rx.match(shape_target(m.url))]
    hosts = {urlsplit(m.url).netloc for m in fitting}
    # An older item (shorter id) or one filed deeper keeps its file-name family: still an article.
    families = {_file_family(m.url) for m in fitting}
    fitting_urls = {m.url for m in fitting}
    # ... or filed beside them under another id (DedeCMS's custom names: 0H43442014.html, 06292932014.html)
    folders = {_folder_and_extension(m.url) for m in fitting}
    out = [m for m in main if m.url in fitting_urls
           or (urlsplit(m.url).netloc in hosts and _file_family(m.url) in families)
           or (_folder_and_extension(m.url) in folders and not _is_column_name(m.url) and _HAS_DIGIT.search(
               urlsplit(m.url).path.rsplit("/", 1)[-1]))]
    # Column pages are named index/default/list…: unless the list's own items are named so (one directory
    # per article), a link of that name is a column even when a loose shape (word-named files) admits it.
    columns_allowed = sum(1 for m in fitting if _is_column_name(m.url)) * 2 > len(fitting)
    anchors: dict[str, str] = {}
    order: list[str] = []
    known = {m.url for m in main} | {page_url}
    for link in links:
        if not link.url or link.url in known or urlsplit(link.url).netloc not in hosts:
            continue
        if not rx.match(shape_target(link.url)) or (not columns_allowed and _is_column_name(link.url)):
            continue
        if link.url not in anchors:
            order.append(link.url)
            anchors[link.url] = ""
        if not anchors[link.url]:
            anchors[link.url] = link.anchor or link.title
    out.extend(ListLink(u, anchors[u], None) for u in order)
    return [a for a in out if is_page(a.url)]


def _stored(root: HtmlElement, region: str, links: list[PageLink], profile: ListProfile
            ) -> tuple[list[ListLink], ListProfile | None]:
    """The main links at a stored profile's region, and the profile; ([], None) when it no longer fits."""
    records = records_at(root, region, links)
    if not _still_fits(records, profile):
        return [], None
    rx = compile_shape(profile.url_shape)
    # on reuse the stored shape says what an item is: rows the region now also selects are dropped
    return [m for m in _main_links(records) if rx and rx.match(shape_target(m.url))], profile


def _still_fits(records: list[Record], profile: ListProfile) -> bool:
    """A stored region fits when it still selects records and most of their titles have the stored shape:
    a positional XPath that now lands on a menu (a banner was inserted above the list) must not be used."""
    rx = compile_shape(profile.url_shape)
    if not records or rx is None:
        return False
    fitting = sum(1 for r in records if rx.match(shape_target(r.title_link().url)))
    return fitting * 2 > len(records)


def read_list_page(html: str, url: str, profile: ListProfile | None = None,
                   scripts: Sequence[str] | None = None) -> ListReading:
    """Read one list page (already decoded text) fetched from *url*.

    *scripts* is the text of the page's script files (those an earlier reading's ``scripts_wanted`` named),
    for links that call a function defined there; None when they were not fetched: the reading then names
    them when several links need them. A bare datastore document (a later Hanweb jpage group) is read as a page
    of its records; with a *profile*, its records are all rows of the list, whatever the start page's XPath.
    """
    group = record_group(html)   # a later jpage group: its records alone, no page around them
    root = group if group is not None else parse_html(html)
    if root is None:
        return ListReading([], [], Pagination(), None, False, "no list found: empty or unparseable page")
    base = document_base(root, url)
    calls = ScriptLinks(root, base, scripts or ())
    insert_written_markup(root, calls)
    inline_data_lists(root)
    links = page_links(root, base, calls)
    wanted = (script_sources(root, lambda src: resolve_url(src, base))
              if scripts is None and calls.undefined_calls >= MIN_UNDEFINED_CALLS else [])
    relearned = False
    main: list[ListLink] = []
    learned: ListProfile | None = None
    note = ""
    # A profile learned from a column of one or two items (short_lists.py) is provisional: its region is one
    # item's place, not the list's. The page is mined first, so that the column, once grown, is learned whole.
    provisional = profile is not None and group is None and profile.records <= MAX_SHORT
    if profile is not None and not provisional:
        main, learned = _stored(root, GROUP_RECORDS if group is not None else profile.region, links, profile)
        note = "stored profile"
    if learned is None:
        # a block of links to column pages (栏目导航 with long names) is navigation, however list-like
        lists = [r for r in find_regions(root, links, url) if is_article_list(r, url) and sum(
            1 for rec in r.records if _is_column_name(rec.title_link().url)) * 2 <= len(r.records)]
        best = choose_list(lists, root, base, url, in_menu_item)
        if best is None and provisional and profile is not None:
            main, learned = _stored(root, profile.region, links, profile)
            note = "stored profile"
        if best is None and learned is None and group is None:
            best = short_list(links, url, _is_column_name, in_menu_item)
        if best is not None:
            main = _main_links(best.records, best.dates)
            shape = learn_shape([m.url for m in main], url)
            if shape is not None:
                learned = ListProfile(region=best.xpath, url_shape=shape, records=len(main))
                relearned = profile is not None
                note = "learned"
            else:
                main = []
    if learned is None:
        pagination = find_pagination(root, links, url)
        if not pagination.urls and pagination.unsupported is None and void_pager(links):
            # an empty column under a pager whose controls go nowhere: a script fills both (an operator
            # must know the column is there, not empty)
            pagination.unsupported = VOID_PAGER
        frames = _frames(root, base)
        return ListReading([], [], pagination, None, False, "no list found: no repeated block of titled links"
                           + (f"; the page embeds {len(frames)} frame(s)" if frames else "")
                           + (f"; {VOID_PAGER}" if pagination.unsupported == VOID_PAGER else ""), wanted, frames)
    main = [m if m.date else ListLink(m.url, m.anchor, issue_date(url, m.url)) for m in main]
    articles = _same_shape(links, main, learned.url_shape, url)
    rx = compile_shape(learned.url_shape)
    pagination = find_pagination(root, links, url, lambda u: bool(rx and rx.match(shape_target(u))))
    dated = sum(1 for m in main if m.date)
    summary = (f"{note}: {len(main)} records at {learned.region}, {dated} dated"
               + (f" ({min(m.date for m in main if m.date)}..{max(m.date for m in main if m.date)})" if dated else "")
               + f"; {len(articles)} article links of shape {learned.url_shape}"
               + f"; pager: {pagination.kind or 'none'}, {len(pagination.urls)} pages"
               + (f" (unsupported: {pagination.unsupported})" if pagination.unsupported else ""))
    return ListReading(main, articles, pagination, learned, relearned, summary, wanted)
