"""Find the repeated blocks of links on a page (data-record mining) and rank them as "the main list".

The idea is MDR's (Liu, Grossman & Zhai 2003): a list is a parent whose children repeat the same tag and
each carry a link. Every link votes, for each of its first ``MAX_UP`` ancestors, for the group
"children of that ancestor's parent with that tag"; groups with at least ``MIN_RECORDS`` records are
candidate lists. Ranking uses only structure that holds across CMSs:

* titles are long (menus and tabs say 2–9 characters, notices 10–40): ``median title length``;
* one record is one item: a record carrying many distinct URLs is a coarser block, not a record;
* records of one list link to URLs of one shape (menus point everywhere);
* records show dates (hot/推荐 boxes and menus usually do not);
* records link the page's own site (friend-link boxes list other sites);
* more records is more list.

A list split in chunks (a ``<ul>`` closed every 5 items) is merged back when its sibling chunks are lists
themselves. Cost is links (at most links.MAX_LINKS) × MAX_UP dictionary updates plus one bounded text
read per record of the best SCORED_WITH_DATES groups.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from statistics import median
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from .links import PageLink
from .record_dates import record_dates
from .shape import dated_in_column, distinctive_family

MAX_UP = 8              # a record is rarely more than this many levels above its title link
MIN_RECORDS = 3         # two similar links are a pair, not a list
TITLE_FULL = 30         # titles this long count fully; shorter ones proportionally
SCORED_WITH_DATES = 30  # only the best groups by structure get the (costlier) date read
MERGE_UP = 3            # a list split in chunks repeats at most this many levels above its records
MIN_TITLE = 10          # median title length of an undated article list; menus and tabs say 2-9 characters
MIN_CAPTION = 2         # the short-caption routes (photo news 学生宿舍) still need a word, not one character
DISTINCTIVE_TITLE_FLOOR = 0.5  # title factor granted to records linking one article family (photo news captions)
HEADING_LOOKAHEAD = 20  # elements inside a link searched for the heading it wraps
SHORT_TITLE = 6         # a stray row's link (加入收藏, [通知]) is at most this long
MAX_RECORD_LINKS = 6    # an item links its page, a picture, a category, a few tags: more (median) is a page section
_RUNS = re.compile(r"\d+|[A-Za-z]+")
_DIGIT_RUNS = re.compile(r"\d+")
_HASH = re.compile(r"[0-9A-Fa-f]{4,12}(?:-[0-9A-Fa-f]{4,12}){2,5}|[0-9A-Za-z]{16,64}")


@dataclass(eq=False)
class Record:
    """One repeated child and the links inside it."""

    element: HtmlElement
    links: list[PageLink]

    def title_link(self) -> PageLink:
        """The link whose text is longest: the title (thumbnails, tags, 详情 and dates are shorter)."""
        return max(self.links, key=lambda lk: (len(lk.anchor) or len(lk.title) // 2))

    def caption_link(self) -> PageLink:
        """The link whose text names the record: the title link, unless another link to the same URL is
        marked as the title (inside or holding an ``h1``–``h6``, or classed ``title``/``tit``/``bt``).

        Records with a summary link the article twice or thrice (title, 80-character excerpt, 详情); the
        excerpt is longest, but every template marks the title as a heading or a title class."""
        title = self.title_link()
        for link in self.links:
            if link.url == title.url and (link.anchor or link.title) and _marked_as_title(link.element, self.element):
                return link
        return title


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TITLE_CLASSES = frozenset({"title", "tit", "bt", "biaoti"})   # bt, biaoti: 标题 in pinyin
_CLASS_PARTS = re.compile(r"[\s_-]+")


def _marked_as_title(link: HtmlElement, record: HtmlElement) -> bool:
    """Whether *link* is a heading or sits in one (or in a title-classed element) inside *record*."""
    # a heading wrapped in the link (<a><h4>…</h4></a>) is among its first elements; a hostile link holding a
    # huge subtree is not walked
    if any(el.tag in _HEADINGS for el in islice(link.iterdescendants(), HEADING_LOOKAHEAD)):
        return True
    el: HtmlElement | None = link
    for _ in range(MAX_UP):
        if el is None:
            break
        if el.tag in _HEADINGS or _TITLE_CLASSES & set(_CLASS_PARTS.split((el.get("class") or "")[:200].lower())):
            return True
        if el is record:
            break
        el = el.getparent()
    return False


@dataclass(eq=False)
class Region:
    """A candidate list: its records, where it is (an XPath selecting them) and how list-like it is."""

    xpath: str
    records: list[Record]
    score: float = 0.0
    dates: list[str | None] = field(default_factory=list)
    dated: float = 0.0           # share of records showing a date (full or month-day)
    article_family: bool = False  # the titles link one distinctive article-naming family
    cards: bool = False           # most records are cards with a teaser each (teaser_cards)


@lru_cache(maxsize=16384)
def url_skeleton(url: str) -> str:
    """The URL with hashes/UUIDs → h, then every digit run → 9 and letter run → a: records of one list share it."""
    squashed = _HASH.sub("h", url.split("://", 1)[-1][:300])
    return _RUNS.sub(lambda m: "9" if m.group()[0].isdigit() else "a", squashed)


def candidate_groups(links: list[PageLink]) -> dict[tuple[HtmlElement, str], dict[HtmlElement, list[PageLink]]]:
    """(parent, child tag) → {child: links inside it}, for the first MAX_UP ancestors of every link."""
    groups: dict[tuple[HtmlElement, str], dict[HtmlElement, list[PageLink]]] = {}
    for link in links:
        if not link.url:
            continue
        el = link.element
        for _ in range(MAX_UP):
            parent = el.getparent()
            if parent is None or not isinstance(el.tag, str):
                break
            groups.setdefault((parent, el.tag), {}).setdefault(el, []).append(link)
            if parent.tag in ("body", "html"):
                break
            el = parent
    return groups


def title_len(link: PageLink) -> int:
    """A link's headline length: its text, else its title attribute (a list's cut-short rows keep it there)."""
    return len(link.anchor) or len(link.title)


def clean_records(records: list[Record]) -> list[Record]:
    """Drop stray records: a short link of another URL shape than the list's (a header row's 加入收藏, an
    item whose title was blanked leaving only its [分类] tag). The list's shape is the one carrying the most
    title text, so a run of junk rows cannot outvote fewer real titles."""
    titles = [r.title_link() for r in records]
    weight: Counter[str] = Counter()
    for t in titles:
        weight[url_skeleton(t.url)] += title_len(t) + 1
    dominant = weight.most_common(1)[0][0]
    short = min(median(title_len(t) for t in titles) / 2, SHORT_TITLE)
    return [r for r, t in zip(records, titles) if url_skeleton(t.url) == dominant or title_len(t) >= short]


_SECOND_LEVEL = {"gov", "com", "edu", "org", "net", "ac"}


def site_of(url: str) -> str:
    """The registrable domain of a URL (``www.jiangsu.gov.cn`` → ``jiangsu.gov.cn``), near enough for
    telling a site's own links from links to other sites."""
    host = urlsplit(url).hostname or ""
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-1] == "cn" and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _structure_score(records: list[Record], site: str = "", title_floor: float = 0.0) -> float:
    n = len(records)
    titles = [r.title_link() for r in records]
    med = max(median(title_len(t) for t in titles), title_floor * TITLE_FULL)
    per_record = sum(len({lk.url for lk in r.links}) for r in records) / n
    uniform = 1.0 if per_record <= 2.5 else 2.5 / per_record
    shapes = Counter(url_skeleton(t.url) for t in titles)
    same_shape = shapes.most_common(1)[0][1] / n
    distinct = len({t.url for t in titles}) / n
    # friend-link boxes (友情链接) list other sites; a column lists its own site's pages
    own = sum(1 for t in titles if site_of(t.url) == site) / n if site else 1.0
    return (n * min(med, TITLE_FULL) / TITLE_FULL * uniform * (0.4 + 0.6 * same_shape) * distinct
            * (0.5 + 0.5 * own))


def is_article_list(region: Region, page_url: str = "") -> bool:
    """Whether a candidate is a list of articles rather than navigation: titles of notice length, or dates.

    Menus, mega-menus and column tabs have 2–9 character labels (学校简介, CRP数字校园教师端) and no dates;
    every article list in the development pages has a median title of 14+ characters or dates on most rows. A page whose list is
    rendered by script (or blanked) must yield nothing rather than its menu. Short captions pass when their
    links share a distinctive article-naming family (photo news: 学生宿舍 → ``content-3636.html``), or when
    the URLs themselves show in-column articles: filed under the page's directory by date (see
    :func:`shape.dated_in_column`), which a menu pointing at other columns never is. Title length alone
    cannot decide: 便民/问答/产品知识 columns have 5–9 character titles.
    """
    if median(len({lk.url for lk in r.links}) for r in region.records) > MAX_RECORD_LINKS:
        return False   # the page's sections (header, body, footer), each "titled" by its longest link
    median_title = median(title_len(r.title_link()) for r in region.records)
    if median_title >= MIN_TITLE or region.dated >= 0.5:
        return True
    if median_title < MIN_CAPTION:  # single characters are pager digits or junk, never captions
        return False
    return region.article_family or region.cards or (
        bool(page_url) and dated_in_column([r.title_link().url for r in region.records], page_url))


_OUTSIDE_LINKS = etree.XPath(".//text()[not(ancestor::a or ancestor::script or ancestor::style)]")
SUMMARY_CHARS = 20       # a card's teaser: a sentence of text outside its links (我相信任何事都是好的，…)
TEASER_SHARE = 0.8       # records of a teaser-card list that carry one
_SENTENCE_MARK = re.compile(r"[，。；！？,;]")


def teaser_cards(records: list[Record]) -> bool:
    """Whether most records carry a teaser, prose outside their links (为你而行 over two lines of the
    essay): short titles with a paragraph each are articles; a menu, a tab bar or a tag cloud never
    writes a paragraph per item. Essays, columns of 随笔 and photo stories title themselves in a word."""
    with_summary = 0
    for record in records:
        text, size = [], 0
        for piece in _OUTSIDE_LINKS(record.element):
            if piece.isspace():
                continue  # indentation between tags
            text.append(piece)
            size += len(piece)
            if size >= 4 * SUMMARY_CHARS:
                break
        prose = "".join("".join(text).split())
        if len(prose) >= SUMMARY_CHARS and _SENTENCE_MARK.search(prose) and _title_stands_alone(record):
            with_summary += 1
    return with_summary >= TEASER_SHARE * len(records)


_BLOCKS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "li", "dt", "dd", "td", "th"))


def _title_stands_alone(record: Record) -> bool:
    """Whether the record's title link is a line of its own (<h4><a>为你而行</a></h4>), not a link inside
    a sentence: an article's paragraphs, each with a link in it, are prose beside links, not cards."""
    link = record.title_link()
    anchor = len("".join(link.anchor.split()))
    for block in link.element.iterancestors():
        if block.tag in _BLOCKS:
            return len("".join(block.text_content().split())) <= anchor + 4
        if block is record.element:
            break
    return True


def find_regions(root: HtmlElement, links: list[PageLink], page_url: str = "") -> list[Region]:
    """Candidate lists, best first (empty when the page has no repeated block of links)."""
    site = site_of(page_url) if page_url else ""
    groups = candidate_groups(links)
    scored: list[tuple[float, tuple[HtmlElement, str]]] = []
    for key, members in groups.items():
        if len(members) < MIN_RECORDS:
            continue
        records = clean_records([Record(el, lks) for el, lks in members.items()])
        # records, not links: three links to one address (a footer's 版权所有 / 网址 / ICP备, each to the
        # home page) are one record written three times
        if len({r.title_link().url for r in records}) >= MIN_RECORDS:
            scored.append((_structure_score(records, site), key))
    scored.sort(key=lambda item: -item[0])
    regions: list[Region] = []
    seen: set[str] = set()
    for base, (parent, tag) in scored[:SCORED_WITH_DATES]:
        merged, merged_xpath = _merge_split_list(groups, parent, tag)
        records = clean_records([Record(el, groups[(p, tag)][el]) for p in merged for el in groups[(p, tag)]])
        urls = [r.title_link().url for r in records]
        dates, share = record_dates([(r.element, r.title_link().anchor) for r in records], urls)
        family = distinctive_family(urls)
        cards = not family and teaser_cards(records)
        if merged_xpath is not None or family or cards:
            # short captions do not make a list of one article family (photo news), or of cards with a
            # teaser each (essays titled in a word), less of a list
            base = _structure_score(records, site, DISTINCTIVE_TITLE_FLOOR if family or cards else 0.0)
        if merged_xpath is not None:
            xpath = merged_xpath
        else:
            xpath = group_xpath(parent, tag)
        if xpath in seen:
            continue
        seen.add(xpath)
        regions.append(Region(xpath, records, base * (1.0 + share), dates, share, family, cards))
    regions.sort(key=lambda r: -r.score)
    return regions


def _is_list_chunk(members: dict[HtmlElement, list[PageLink]]) -> bool:
    if len(members) < MIN_RECORDS:
        return False
    shapes = Counter(url_skeleton(Record(el, lks).title_link().url) for el, lks in members.items())
    return shapes.most_common(1)[0][1] * 2 >= len(members)


_PLAIN_TAG = re.compile(r"[A-Za-z][A-Za-z0-9]{0,30}")


def tag_step(tag: str) -> str:
    """An XPath name test for a tag as parsed: Word-pasted pages carry ``o:p`` or ``st1:chsdate``, which
    XPath would read as an undefined namespace prefix."""
    if _PLAIN_TAG.fullmatch(tag):
        return tag
    return f"*[name()='{tag}']" if "'" not in tag and len(tag) <= 60 else "*"


def _step(el: HtmlElement) -> str:
    """An XPath step for *el* that ignores its position: the tag, and its class when it has a plain one."""
    cls = el.get("class")
    name = tag_step(str(el.tag))
    if cls is None:
        return f"{name}[not(@class)]"
    if len(cls) <= 80 and "'" not in cls:
        return f"{name}[@class='{cls}']"
    return name


def group_xpath(parent: HtmlElement, tag: str) -> str:
    """The XPath selecting *parent*'s children of *tag*: a list's records, wherever later pages put more."""
    return f"{_path(parent)}/{tag_step(tag)}"


def _path(el: HtmlElement) -> str:
    """An absolute positional XPath of *el* that evaluates on any tag name (see tag_step)."""
    steps = []
    while el is not None:
        parent = el.getparent()
        name = tag_step(str(el.tag))
        if parent is None:
            steps.append(name)
            break
        same = [c for c in parent if c.tag == el.tag]
        steps.append(f"{name}[{same.index(el) + 1}]" if len(same) > 1 else name)
        el = parent
    return "/" + "/".join(reversed(steps))


def _filed_under(members: dict[HtmlElement, list[PageLink]]) -> set[str]:
    """Where and how a chunk's records are filed: their title URLs' host and directories, digit runs → 9
    (dated folders /art/2021/9/1/ alike), letters kept (/dfdt/ is not /topic/), and the file name likewise,
    hashes → h (an article's t20210422_61470.html or 3f2a…9c.htm is not a column's index.htm)."""
    filed = set()
    for el, lks in members.items():
        folder, _, name = Record(el, lks).title_link().url.split("://", 1)[-1][:300].rpartition("/")
        filed.add(_DIGIT_RUNS.sub("9", f"{folder}/{_HASH.sub('h', name)}"))
    return filed


def _filed_alike(groups, tag: str, parent: HtmlElement, chunks: list[HtmlElement]) -> bool:
    """Every chunk files some of its records where *parent*'s are filed (see _filed_under)."""
    folders = _filed_under(groups[(parent, tag)])
    return all(_filed_under(groups[(chunk, tag)]) & folders for chunk in chunks)


def _merge_split_list(groups, parent: HtmlElement, tag: str) -> tuple[list[HtmlElement], str | None]:
    """Chunks of one list: templates close the ``<ul>`` every 5 items (TRS) or repeat a ``div > ul`` block
    per 5 or 10 items (portal rolling news). Looks up to MERGE_UP levels above the container for siblings
    of the same tag and class holding the same path down to records; returns the chunk containers in page
    order and the XPath of their records (None when there is only one chunk)."""
    ancestor, steps = parent, []
    for _ in range(MERGE_UP):
        up = ancestor.getparent()
        if up is None or not isinstance(ancestor.tag, str):
            break
        relative = "/".join(["."] + steps) if steps else "."
        chunks = []
        for sib in up:
            if sib.tag != ancestor.tag or sib.get("class") != ancestor.get("class"):
                continue
            try:
                found = sib.xpath(relative)
            except etree.XPathError:
                found = []
            for container in found:
                if (container, tag) in groups:
                    chunks.append(container)
        # A chunk of a list is a list itself: at least MIN_RECORDS records whose titles mostly share a URL
        # shape. The title / tags / comment blocks inside each item of a list are not.
        listlike = [c for c in chunks if _is_list_chunk(groups[(c, tag)])]
        # Siblings the template gives one class are one kind (the tabs of a 信息公开 box, each a column).
        # Without a class, a chunk also files items where the others do (a rolling list mixes two channels
        # in every chunk): beside the list, a box of 专题 links (/topic/9.html) laid out alike is another.
        if (len(chunks) > 1 and parent in chunks and len(listlike) * 2 > len(chunks)
                and (ancestor.get("class") is not None or _filed_alike(groups, tag, parent, listlike))):
            path = "/".join([_path(up), _step(ancestor), *steps, tag_step(tag)])
            return chunks, path
        steps.insert(0, _step(ancestor))
        ancestor = up
    return [parent], None


def records_at(root: HtmlElement, xpath: str, links: list[PageLink]) -> list[Record]:
    """The records a stored region XPath selects on this page (empty if it no longer fits)."""
    try:
        elements = root.getroottree().xpath(xpath)
    except Exception:  # noqa: BLE001 - a stored XPath from an old version must not crash a crawl
        return []
    if not isinstance(elements, list):
        return []
    owner: dict[HtmlElement, Record] = {}
    records = []
    for el in elements:
        if isinstance(el, HtmlElement):
            rec = Record(el, [])
            owner[el] = rec
            records.append(rec)
    for link in links:
        if not link.url:
            continue
        el = link.element
        for _ in range(MAX_UP + 1):
            if el is None:
                break
            rec = owner.get(el)
            if rec is not None:
                rec.links.append(link)
                break
            el = el.getparent()
    return [r for r in records if r.links]
