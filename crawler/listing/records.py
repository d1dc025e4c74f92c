"""Find the repeated blocks of links on a page (data-record mining) and rank them as "the main list".

The idea is MDR's (Liu, Grossman & Zhai 2003): a list is a parent whose children repeat the same tag and
each carry a link. Every link votes, for each of its first ``MAX_UP`` ancestors, for the group
"children of that ancestor's parent with that tag"; groups with at least ``MIN_RECORDS`` records are
candidate lists. Ranking uses only structure that holds across CMSs:

* titles are long (menus and tabs say 2–6 characters, notices 10–40): ``median title length``;
* one record is one item: a record carrying many distinct URLs is a coarser block, not a record;
* records of one list link to URLs of one shape (menus point everywhere);
* records show dates (hot/推荐 boxes and menus usually do not);
* more records is more list.

Cost is links × MAX_UP dictionary updates plus one bounded text read per record of the best few
groups, so 100k links stay within a second or two.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from lxml.html import HtmlElement

from crawler.extraction.dates import normalise_date

from .links import PageLink, element_text

MAX_UP = 8              # a record is rarely more than this many levels above its title link
MIN_RECORDS = 3         # two similar links are a pair, not a list
TITLE_FULL = 30         # titles this long count fully; shorter ones proportionally
DATE_TEXT = 200         # characters of a record read when looking for its date
SCORED_WITH_DATES = 12  # only the best groups by structure get the (costlier) date read
_MONTH_DAY = re.compile(r"(?<!\d)(?:0?[1-9]|1[0-2])[-/.月](?:0?[1-9]|[12]\d|3[01])(?!\d)")
_RUNS = re.compile(r"\d+|[A-Za-z]+")


@dataclass(eq=False)
class Record:
    """One repeated child and the links inside it."""

    element: HtmlElement
    links: list[PageLink]

    def title_link(self) -> PageLink:
        """The link whose text is longest: the title (thumbnails, tags, 详情 and dates are shorter)."""
        return max(self.links, key=lambda lk: (len(lk.anchor) or len(lk.title) // 2))


@dataclass(eq=False)
class Region:
    """A candidate list: its records, where it is (an XPath selecting them) and how list-like it is."""

    xpath: str
    records: list[Record]
    score: float = 0.0
    dates: list[str | None] = field(default_factory=list)
    dated: float = 0.0           # share of records showing a date (full or month-day)


def url_skeleton(url: str) -> str:
    """The URL with every digit run → 9 and letter run → a: records of one list share it."""
    return _RUNS.sub(lambda m: "9" if m.group()[0].isdigit() else "a", url.split("://", 1)[-1][:300])


def record_date(rec: HtmlElement, stop: HtmlElement | None) -> tuple[str | None, bool]:
    """(ISO date shown in the record, whether any date-like text is there).

    Flat lists (``<a>…</a><span>date</span><br>``) keep the date beside the link, so the siblings up to the
    next record are read too.
    """
    text = element_text(rec, DATE_TEXT)
    if not _has_date(text):
        extra = [rec.tail or ""]
        sib = rec.getnext()
        for _ in range(3):
            if sib is None or sib is stop:
                break
            extra.append(element_text(sib, DATE_TEXT))
            sib = sib.getnext()
        text = text + " " + " ".join(extra)[:DATE_TEXT]
    iso = normalise_date(text)
    return iso, iso is not None or _MONTH_DAY.search(text) is not None


def _has_date(text: str) -> bool:
    return _MONTH_DAY.search(text) is not None


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


def _structure_score(records: list[Record]) -> float:
    n = len(records)
    titles = [r.title_link() for r in records]
    med = median(len(t.anchor) or len(t.title) for t in titles)
    per_record = sum(len({lk.url for lk in r.links}) for r in records) / n
    uniform = 1.0 if per_record <= 2.5 else 2.5 / per_record
    shapes = Counter(url_skeleton(t.url) for t in titles)
    same_shape = shapes.most_common(1)[0][1] / n
    distinct = len({t.url for t in titles}) / n
    return n * min(med, TITLE_FULL) / TITLE_FULL * uniform * (0.4 + 0.6 * same_shape) * distinct


def find_regions(root: HtmlElement, links: list[PageLink]) -> list[Region]:
    """Candidate lists, best first (empty when the page has no repeated block of links)."""
    tree = root.getroottree()
    groups = candidate_groups(links)
    scored: list[tuple[float, tuple[HtmlElement, str]]] = []
    for key, members in groups.items():
        if len(members) < MIN_RECORDS:
            continue
        records = [Record(el, lks) for el, lks in members.items()]
        scored.append((_structure_score(records), key))
    scored.sort(key=lambda item: -item[0])
    regions: list[Region] = []
    for base, (parent, tag) in scored[:SCORED_WITH_DATES]:
        merged = _merge_split_list(groups, parent, tag)
        elements = [el for p in merged for el in groups[(p, tag)]]
        records = [Record(el, groups[(p, tag)][el]) for p in merged for el in groups[(p, tag)]]
        dates: list[str | None] = []
        dated = 0
        for i, rec in enumerate(records):
            iso, seen = record_date(rec.element, elements[i + 1] if i + 1 < len(elements) else None)
            dates.append(iso)
            dated += seen
        share = dated / len(records)
        if len(merged) > 1:
            base = _structure_score(records)
            xpath = f"{tree.getpath(parent.getparent())}/{parent.tag}/{tag}"
        else:
            xpath = f"{tree.getpath(parent)}/{tag}"
        regions.append(Region(xpath, records, base * (1.0 + share), dates, share))
    regions.sort(key=lambda r: -r.score)
    return regions


def _merge_split_list(groups, parent: HtmlElement, tag: str) -> list[HtmlElement]:
    """Sibling containers of the same tag holding the same kind of records are one list split in chunks
    (TRS and many templates close the ``<ul>`` every 5 items); returns them in page order."""
    grand = parent.getparent()
    if grand is None:
        return [parent]
    chunks = [sib for sib in grand if sib.tag == parent.tag and (sib, tag) in groups]
    return chunks if parent in chunks else [parent]


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
