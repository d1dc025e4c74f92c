"""Boilerplate removal: containers before extraction, lines after it.

Two passes because each catches what the other cannot: containers (share bars,
footers, breadcrumbs, disclosure tables) are easy to spot by class in the tree,
while glued-in UI text (【字体：大 中 小】, 上一篇, ICP lines) survives any
container heuristic and is easy to spot as a line.  Patterns are in rules.yaml.
"""
from __future__ import annotations

import re

from lxml.etree import XPath
from lxml.html import HtmlElement

from .dates import NUMERIC_DATE, is_bare_date
from .rules import LABEL_BRACKETS, Rules

_LINKS = XPath("//body//a")
_WS = re.compile(r"[\s\xa0\u3000]+")
# A sentence ends with these: a line without any is a candidate for list/spam debris.
_QUESTION_OR_STOP = re.compile(r"[。？！?!]")
_FOOTNOTE_MARK = re.compile(r"(?:\[\d{1,2}\]|［\d{1,2}］|[（(]\d{1,2}[）)]|[①-⑳]|\*)$")
_TEASER = re.compile(r"(?:…|\.{3})\s*[【\[［(（]?\s*(?:详细|详情|阅读全文|查看全文|全文|更多)\s*[】\]］)）]?\s*(?:>>|»)?\s*$")
_BARE_ATTACHMENT_LABEL = re.compile(r"^[【\[]?\s*(?:相关)?附\s*件\s*(?:下载|列表)?\s*[】\]]?\s*[:：]?\s*$")
_SENTENCE_END = re.compile(r"[。！？!?；;…”」』）)]")
# A publication time (2024-05-09 22:30, 2024年5月9日 22:30:05): a line opening with one, with a source's
# name at most after it, before the first body line is the info bar that a content container began with.
_CLOCK = re.compile(r"\s*\d{1,2}:\d{2}(?::\d{2})?")
_INFO_LINE_OTHER_CHARS = 12


def drop_containers(root: HtmlElement, rules: Rules, keep: HtmlElement | None = None,
                    content: HtmlElement | None = None) -> int:
    """Remove boilerplate containers in place; never an ancestor of *keep* (the title) or of
    *content* (a known CMS content container: a class like ``yaowen-content-bottom`` reads like a
    footer to the class rules, and dropping it left every article of a TRS site empty). Returns count.

    One pass over the tree with precompiled class/id regexes: far cheaper than
    one ``//*[contains(@class, …)]`` XPath scan per rule.
    """
    protected: set[HtmlElement] = set()
    for el in (keep, content):
        if el is not None:
            protected |= {el, *el.iterancestors()}
    doomed: list[HtmlElement] = [el for el in root.iter(*rules.drop_tags)] if rules.drop_tags else []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        cls, ident = el.get("class"), el.get("id")
        if not cls and not ident:
            continue
        key = f"{cls or ''} {ident or ''}"
        if not rules.drop_container_any.search(key):
            continue
        for pattern, max_chars, max_p_chars in rules.drop_containers:
            if pattern.search(key):
                if _small_enough(el, max_chars, max_p_chars):
                    doomed.append(el)
                break
    removed = 0
    for el in doomed:
        if el in protected or el.getparent() is None or el.tag in ("html", "body"):
            continue
        el.drop_tree()
        removed += 1
    return removed


# Containers that can hold a navigation block (a menu, a 版面导航/标题导航 list, a pager, a tool bar).
_NAV_CANDIDATES = frozenset(("table", "tbody", "tr", "td", "th", "ul", "ol", "dl", "div", "section", "aside",
                             "header", "menu", "span", "p", "center", "font"))


# What the page's own markup hides from a reader: an inline display:none, the hidden attribute, an
# Angular ng-hide. (Stylesheet rules are not read: a class hidden by CSS shows here.)
_HIDDEN = XPath("//body//*[@hidden or contains(translate(@style, ' ', ''), 'display:none')"
                " or contains(concat(' ', normalize-space(@class), ' '), ' ng-hide ')]")
# A hidden block holding more than this share of the page's text may be the body a script reveals.
HIDDEN_MAX_SHARE = 0.5


def drop_hidden(root: HtmlElement, keep: HtmlElement | None = None) -> int:
    """Drop what the page hides (tabs not shown, a second copy of the body for another view, a
    menu's closed panels) before the body is looked for; the number of elements dropped.

    Why: a rendered page kept a hidden copy of its penalty table, and the body came out twice.
    Not a block holding most of the page's text (a body shown by script after load), nor one
    holding the title's element; run after the metadata was read, since disclosure values
    sometimes sit in hidden boxes."""
    hidden = _HIDDEN(root)
    if not hidden:
        return 0
    page_chars = _chars(root.text_content())
    judged = set(hidden)  # the same proxies while `hidden` holds them
    guarded = set() if keep is None else {keep, *keep.iterancestors()}
    dropped = 0
    for el in hidden:
        if el.getparent() is None or el in guarded or any(a in judged for a in el.iterancestors()):
            continue  # inside one already judged, or the title's
        if _chars(el.text_content()) > HIDDEN_MAX_SHARE * page_chars:
            continue
        el.drop_tree()
        dropped += 1
    return dropped


def _chars(text: str | None) -> int:
    """Non-space characters. Most text nodes between tags are only indentation: no regex for those."""
    if not text or text.isspace():
        return 0
    return len(_WS.sub("", text))


def drop_link_dense(root: HtmlElement, rules: Rules, keep: HtmlElement | None = None) -> int:
    """Remove navigation blocks in place: containers whose text is mostly link text. Returns count.

    E-paper layouts (版面导航, 标题导航, 上一版/下一版, 放大/缩小), portal menus and pagers are
    lists of links; prose is not.  A block goes when it holds at least ``nav_min_links`` links,
    link text makes up at least ``nav_link_density`` of its text, and no run of plain text in it is
    longer than ``nav_max_plain_chars`` (a paragraph with a few links is prose).  The title and the
    containers around it are kept.  One post-order walk computes every element's counts.
    """
    min_links = int(rules.thresholds["nav_min_links"])
    density = float(rules.thresholds["nav_link_density"])
    max_plain = int(rules.thresholds["nav_max_plain_chars"])
    protected: set[HtmlElement] = set()
    if keep is not None:
        protected = {keep, *keep.iterancestors(), *keep.iterdescendants()}
    doomed: list[HtmlElement] = []

    def walk(el: HtmlElement, in_link: bool) -> tuple[int, int, int, int]:
        """(text chars, link text chars, links, longest plain-text run) of *el*, tail excluded."""
        is_link = in_link or el.tag == "a"
        own = _chars(el.text) if isinstance(el.tag, str) else 0
        total, linked, links = own, own if is_link else 0, 1 if el.tag == "a" else 0
        plain = 0 if is_link else own
        for child in el:
            c_total, c_linked, c_links, c_plain = walk(child, is_link)
            tail = _chars(child.tail)
            total += c_total + tail
            linked += c_linked + (tail if is_link else 0)
            links += c_links
            plain = max(plain, c_plain, 0 if is_link else tail)
        if (el.tag in _NAV_CANDIDATES and links >= min_links and total and linked >= density * total
                and plain <= max_plain and el not in protected):
            doomed.append(el)
        return total, linked, links, plain

    body = root.find("body")
    walk(body if body is not None else root, False)
    removed = 0
    doomed_set = set(doomed)
    for el in doomed:
        if el.getparent() is None or any(anc in doomed_set for anc in el.iterancestors()):
            continue
        el.drop_tree()
        removed += 1
    return removed


_ROW_RULE = re.compile(r"^[\s|:-]+$")


def _table_row(line: str, rules: Rules, links: set[str] | frozenset[str]) -> str:
    """A ``| a | b |`` row from trafilatura: the cells joined, or "" for a rule row, a metadata row
    or a navigation row (every cell a link's text: 版面导航 and 标题导航 lists, menus)."""
    if _ROW_RULE.match(line):
        return ""
    cells = [c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")]
    cells = [c for c in cells if c]
    for cell in cells:
        if rules.cell_label_re.match(cell) or is_metadata_line(cell, rules):
            return ""
    if cells and all(_WS.sub("", c) in links for c in cells):
        return ""
    return " ".join(cells)


def _small_enough(el: HtmlElement, max_chars: int | None, max_p_chars: int | None) -> bool:
    if max_chars is not None and len(el.text_content()) > max_chars:
        return False
    if max_p_chars is not None:
        for p in el.iter("p"):
            if len(p.text_content().strip()) > max_p_chars:
                return False
    return True


def link_texts(root: HtmlElement, max_chars: int) -> set[str]:
    """Whitespace-free texts of short links: lines equal to one are navigation or spam, not prose."""
    out = set()
    for a in _LINKS(root):
        t = _WS.sub("", a.text_content())
        if 1 < len(t) <= max_chars:
            out.add(t)
    return out


def _leading_info_line(line: str) -> bool:
    """A line opening with a date and time, with little after it (``2024-05-09 22:30·新华社``): an
    unlabelled info bar (a dateline, 新华社长沙6月7日电, opens with its agency)."""
    day = NUMERIC_DATE.match(line)
    if day is not None and not line[day.end():].strip():
        return True   # the date alone, under the headline (<p class="time">2017-06-23</p>)
    m = _CLOCK.match(line, day.end()) if day is not None else None
    return (m is not None and not _SENTENCE_END.search(line)
            and len(_WS.sub("", line[m.end():])) <= _INFO_LINE_OTHER_CHARS)


PROSE_MIN_CHARS = 40


def _is_prose(line: str) -> bool:
    """A paragraph: a long line that ends a sentence somewhere (info bars and tables never read so)."""
    return len(line.strip()) >= PROSE_MIN_CHARS and _QUESTION_OR_STOP.search(line) is not None


def _signature(lines: list[str], links: set[str] | frozenset[str]) -> int | None:
    """The index of the line that signs a notice above its date (平潭综合实验区经济发展局 / 2025年4月3日)
    when it is also a link's text (the breadcrumb names the same department), if exactly one line is
    such and it does not follow another date: a list of titled links, each above its date, has many and
    none is a signature."""
    found = [i for i, line in enumerate(lines[:-1])
             if _WS.sub("", line) in links and is_bare_date(lines[i + 1])]
    if len(found) != 1 or (found[0] and is_bare_date(lines[found[0] - 1])):
        return None
    return found[0]


def is_metadata_line(line: str, rules: Rules) -> bool:
    """An info-bar or disclosure-table line: starts with a label and is short."""
    if len(line) > rules.thresholds["metadata_line_max_chars"] or _QUESTION_OR_STOP.search(line):
        return False  # "记者：……？" in an interview is prose, not a byline field
    m = rules.label_re.search(line)
    if m is not None and m.start() <= 2:
        return True
    if line[:1] in LABEL_BRACKETS and rules.bracketed_label_re.match(line):
        return True   # 【索引号】002482500/2023-00155
    # an info bar opening with its date: 2022-03-31作者：浏览次数： (VSB's news template)
    day = NUMERIC_DATE.match(line)
    return day is not None and rules.label_re.match(line[day.end():].lstrip(" \t\xa0\u3000")) is not None


def _drop_edge_runs(kept: list[str], kinds: list[str | int], edge: set[int]) -> tuple[list[str], list[str | int]]:
    """Contact lines (edge_boilerplate_re) kept after the body's first paragraph go after all when a
    boilerplate line touches their run: 联系电话：… between 版权所有 and the ICP line is the footer's,
    联系人/电话/传真 under a notice's last paragraph and above its signature are the notice's."""
    at = 0
    while at < len(kinds):
        if at not in edge:
            at += 1
            continue
        end = at
        while end + 1 in edge:
            end += 1
        if (at and kinds[at - 1] == "bp") or (end + 1 < len(kinds) and kinds[end + 1] == "bp"):
            kinds[at:end + 1] = ["bp"] * (end + 1 - at)
        at = end + 1
    kept_now: list[str] = []
    renumbered: list[str | int] = []
    for k in kinds:
        if k == "bp":
            renumbered.append(k)
        else:
            renumbered.append(len(kept_now))
            kept_now.append(kept[k])
    return kept_now, renumbered


def clean_lines(
    text: str,
    rules: Rules,
    *,
    title: str | None = None,
    links: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """Body lines with boilerplate, metadata rows, title repeats and link debris removed.

    A short line with no sentence end between two boilerplate lines goes too: a footer's
    address or hotline line (地址：… 邮编：…) sits between its 版权所有 and ICP lines and has no
    pattern of its own, so it is judged by its neighbours (realsites-dev cwl_lottery, whose
    footer has no footer class).
    """
    title_norm = _WS.sub("", title or "")
    link_max = rules.thresholds["link_line_max_chars"]
    kept: list[str] = []
    # kinds[i]: "bp" for a boilerplate line dropped, or the index in `kept` of a kept line
    kinds: list[str | int] = []
    edge: set[int] = set()  # positions in `kinds` of contact lines kept for now (edge_boilerplate_re)
    raws = [r for r in text.split("\n") if r.strip(" \t\xa0\u3000")]
    signature = _signature(raws, links)
    prose = [i for i, r in enumerate(raws) if _is_prose(r)]
    inside = range(prose[0] + 1, prose[-1]) if len(prose) >= 2 else range(0)
    for i, raw in enumerate(raws):
        line = raw.strip(" \t\xa0\u3000")
        if line.startswith("|") and line.endswith("|"):
            line = _table_row(line, rules, links)
        elif "\\|" in line:
            line = line.replace("\\|", "|")  # trafilatura escapes pipes outside tables too
        if not line:
            continue
        norm = _WS.sub("", line)
        if title_norm and (norm == title_norm or (len(kept) < 3 and _FOOTNOTE_MARK.sub("", norm) == title_norm)):
            continue  # the headline repeated in the body, even with a footnote mark (…统计公报[1])
        contact = rules.edge_boilerplate_re.search(line) is not None
        if rules.boilerplate_re.search(line) or (contact and (not prose or i < prose[0])):
            kinds.append("bp")
            continue
        if (is_metadata_line(line, rules) and i not in inside) or (not kept and _leading_info_line(line)):
            continue  # a label line between two paragraphs is the body's (项目名称：…, 时间：… in a 招标公告)
        if norm in links and len(norm) <= link_max and not _SENTENCE_END.search(line) and not (kept and i == signature):
            continue  # a link's text is navigation, unless it signs the body above its date (落款)
        if contact:
            edge.add(len(kinds))
        kinds.append(len(kept))
        kept.append(line)
    if edge:
        kept, kinds = _drop_edge_runs(kept, kinds, edge)
    if kinds.count("bp") >= 2:
        max_chars = rules.thresholds["metadata_line_max_chars"]
        sandwiched = {k for before, k, after in zip(kinds, kinds[1:], kinds[2:])
                      if before == "bp" and after == "bp" and isinstance(k, int)
                      and len(kept[k]) <= max_chars and not _QUESTION_OR_STOP.search(kept[k])}
        kept = [line for i, line in enumerate(kept) if i not in sandwiched]
    teasers = [i for i, line in enumerate(kept) if _TEASER.search(line)]
    if teasers:
        # a related article's teaser (…【详细】) is never body; two in a row are the related list under
        # the article, and what follows them (a contact box, a booking widget) is the template's
        runs = [i for i in teasers if i + 1 in teasers]
        end = runs[0] if runs and runs[0] >= len(kept) // 2 else len(kept)
        kept = [line for i, line in enumerate(kept[:end]) if i not in teasers]
    while kept and _BARE_ATTACHMENT_LABEL.match(kept[-1]):
        kept.pop()  # "附件：" whose files were links (kept as attachments) or a hidden, empty block
    return kept
