"""Article title: the heading inside the page that matches <title>.

<title> usually carries the site name (``标题_某某市人民政府``) and headings on
the page include the site logo, column names and related links, so neither is
trusted alone: the title is the longest heading-like element that <title>
contains (or that contains <title>), else a meta ArticleTitle/og:title, else
the first segment of <title>.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from lxml.etree import XPath
from lxml.html import HtmlElement

from .dates import find_dates

_TITLE_TAG = XPath("//head/title|//title")
_META_TITLE = XPath(
    "//meta[@name='ArticleTitle' or @name='articletitle' or @property='og:title' or @name='og:title' "
    "or @name='twitter:title' or @name='title' or @name='Title']/@content"
)
# Ordered by trust: a heading tag beats a styled div.
_CANDIDATES = (
    ("h1", XPath("//body//h1")),
    ("h2", XPath("//body//h2")),
    ("title-class", XPath(
        "//body//*[self::div or self::p or self::span or self::td or self::strong or self::b or self::font]"
        "[contains(@class,'title') or contains(@class,'Title') or contains(@id,'title') or contains(@id,'Title') "
        "or contains(@class,'biaoti') or contains(@class,'bt') or contains(@class,'headline')]"
    )),
    ("h3", XPath("//body//h3")),
)
_RANK = {"h1": 4, "h2": 3, "title-class": 2, "h3": 1}
_WS = re.compile(r"[\s\xa0\u3000]+")
# Matching ignores spaces and punctuation: <title> often writes "——" as "-" or drops quotes.
_KEY_DROP = re.compile(r"[\s\xa0\u3000\-‐‑‒–—―－_·•.,，。:：;；!！?？'\"“”‘’()（）\[\]【】《》<>〈〉|｜/、~～…]+")
_TAGS = re.compile(r"<[^>]+>")
_SEPARATORS = re.compile(r"\s*(?:_|\||｜|\s-\s|\s–\s|\s—\s|--|-{1}(?=[^\d\s]{2,}$))\s*")
MAX_TITLE_CHARS = 160


def _norm(s: str) -> str:
    return _KEY_DROP.sub("", s)


def _clean(s: str) -> str:
    return _WS.sub(" ", s).strip()


def title_tag(root: HtmlElement) -> str | None:
    nodes = _TITLE_TAG(root)
    return _clean(nodes[0].text_content()) if nodes else None


def _segments(title: str) -> list[str]:
    return [s for s in _SEPARATORS.split(title) if s.strip()]


def find_title(root: HtmlElement, min_overlap: float = 0.5,
               label_re: re.Pattern[str] | None = None) -> tuple[str | None, HtmlElement | None]:
    """(title, element it came from or None). *label_re* (rules.label_re) tells an info bar in a heading
    block from its headline when no <title> names the headline."""
    tag_title = title_tag(root) or ""
    tag_norm = _norm(tag_title)
    metas = [_clean(_TAGS.sub("", m)) for m in _META_TITLE(root) if m and m.strip()]
    references = [t for t in [tag_norm] + [_norm(m) for m in metas] if t]
    first_segment = _norm(_segments(tag_title)[0]) if _segments(tag_title) else ""
    if len(first_segment) >= 6 and first_segment not in references:
        references.append(first_segment)
    # a short headline (a person's name on a 专家团队 page: <h1>关志忱</h1>, <title>关志忱 - 某医院_…; a
    # service, <h1>临终关怀</h1>, <h1>脑梗死护理</h1>) counts only when it is the whole first segment of <title>;
    # from 6 characters on, that segment is a reference of its own
    short_title = first_segment if 2 <= len(first_segment) < 6 else None
    best: tuple[tuple, str, HtmlElement] | None = None
    for kind, xp in _CANDIDATES:
        if best is not None and best[0][:2] == (3, _RANK["h1"]):
            break  # an <h1> equal to a reference: no later kind can outrank it (and their scans cost)
        for el in xp(root):
            text = _clean(el.text_content())
            norm = _norm(text)
            if norm == short_title:
                score: int | None = 3
            elif len(norm) < 4 or len(norm) > MAX_TITLE_CHARS:
                continue
            else:
                score = _match(norm, references, min_overlap)
            if score is None:
                continue
            key = (score, _RANK[kind], len(norm))
            if best is None or key > best[0]:
                best = (key, text, el)
    if best is not None:
        key, text, el = best
        if key[0] == 3 and _norm(text) == tag_norm and len(_segments(tag_title)) == 1:
            longer = _headline_after_name(root, tag_norm, el)
            if longer is not None:
                return longer
        if key[0] == 1:
            # The element wraps the title plus an info bar: use its child that is exactly the title.
            for child in el.iterdescendants():
                if isinstance(child.tag, str) and _match(_norm(child.text_content()), references, min_overlap) == 3:
                    return _clean(child.text_content()), child
            # ... or its own text, the bar in a child of it (<h3>标题<span>2015-10-22</span></h3>)
            own = _clean((el.text or "") + "".join(c.tail or "" for c in el))
            if len(el) and _match(_norm(own), references, min_overlap) == 3:
                return own, el
        return text, el
    # No heading matches <title>: a generic <title> (site name) or none at all.  A meta title the
    # page also shows is the editor's word for the headline (a notice whose <title> is 中标公告详细页面
    # and whose section labels are styled as titles); else a non-link heading that is not the site
    # logo is the best guess.
    shown = _shown_meta_title(root, metas, tag_norm)
    if shown is not None:
        return shown, None
    fallback = _first_heading(root, label_re)
    if fallback is not None and (not tag_norm or len(_norm(fallback[0])) > len(tag_norm) // 2):
        return fallback
    # Meta titles are written by the CMS editor, trust them next.
    for m in metas:
        if len(_norm(m)) >= 4 and not (tag_norm and _norm(m) == tag_norm and _segments(tag_title)[1:]):
            return m, None
    segs = _segments(tag_title)
    if segs:
        return max(segs[:2], key=len) if len(segs) > 1 and len(segs[0]) < 6 else segs[0], None
    return (metas[0] if metas else None), None


def _headline_after_name(root: HtmlElement, name: str, name_el: HtmlElement) -> tuple[str, HtmlElement] | None:
    """A heading elsewhere that opens with the <title>'s whole text and goes on (<title> and a red
    header line are the organ, 国家金融监督管理总局; the headline is 国家金融监督管理总局行政处罚信息公开表):
    the <title> was the site's name. Not a link, nor a block around the name's element or inside it
    (a title block holding the headline and its info bar), nor one whose rest is a date or a label."""
    related = {name_el, *name_el.iterancestors(), *name_el.iterdescendants()}
    for _kind, xp in _CANDIDATES:
        for el in xp(root):
            if el in related or _linked(el):
                continue
            text = _clean(el.text_content())
            norm = _norm(text)
            if norm.startswith(name) and len(norm) - len(name) >= 4 and len(norm) <= MAX_TITLE_CHARS \
                    and not find_dates(text) and "：" not in text and ":" not in text:
                return text, el
    return None


def _linked(el: HtmlElement) -> bool:
    """Whether the element is a link, sits in one or holds one: a logo, a menu entry, a related item."""
    return el.tag == "a" or next(el.iterancestors("a"), None) is not None or next(el.iter("a"), None) is not None


_VISIBLE_TEXT = XPath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")


def _shown_meta_title(root: HtmlElement, metas: list[str], tag_norm: str) -> str | None:
    """A meta title (ArticleTitle, og:title) that is not the <title>, nor a link's text (a site name in
    og:title is the logo's), and that the page's text shows."""
    candidates = [m for m in metas if len(_norm(m)) >= 6 and _norm(m) != tag_norm]
    if candidates:
        linked = {_norm(a.text_content()) for a in root.iter("a")}
        candidates = [m for m in candidates if _norm(m) not in linked]
    if not candidates:
        return None
    shown = _norm("".join(_VISIBLE_TEXT(root)))
    return next((m for m in candidates if _norm(m) in shown), None)


# A headline's companions, styled like it: the 引题 above it and the 副题 under it (Founder's e-paper
# pages: <font id="intro-title">…——</font><font id="main-title">…</font><font id="sub-title">).
_COMPANION = re.compile(r"intro|sub-?title|subhead|yinti|futi|fubiaoti|pretitle|kicker", re.IGNORECASE)


# How a body numbers its sections: 一、 （一） 第一章 第二条 1. 2、 (3)
_SECTION_NUMBER = re.compile(r"\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]"
                             r"|第[一二三四五六七八九十百\d]{1,4}[章节条部分]|\d{1,2}\s*[、.．](?!\d))")


def _first_heading(root: HtmlElement, label_re: re.Pattern[str] | None = None) -> tuple[str, HtmlElement] | None:
    """First heading-like element (by rank, then page order) that is not a link and reads like a title,
    and not a headline's 引题 or 副题."""
    for kind, xp in _CANDIDATES:
        if kind == "h3":
            continue
        for el in xp(root):
            if _linked(el):
                continue
            if _COMPANION.search(f"{el.get('id') or ''} {el.get('class') or ''}"):
                continue
            text = _clean(el.text_content())
            if _SECTION_NUMBER.match(text):
                continue  # a section heading of the body (一、完善集中式光伏发电上网电价形成机制), never the title
            if label_re is not None:
                text = _before_info_bar(el, text, label_re)
                if label_re.match(text):
                    continue  # an info bar's field (信息来源：…) styled as a title
            if 6 <= len(_norm(text)) <= MAX_TITLE_CHARS:
                return text, el
    return None


def _before_info_bar(el: HtmlElement, text: str, label_re: re.Pattern[str]) -> str:
    """A title block holding the headline and, in a later child, its info bar (<div class="…-title">
    <div>headline</div><ul><li>来源：新华社</li>…</ul></div>): the headline, the children before the
    first one that opens with a label; else the whole text."""
    kept = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):
            continue
        shown = _clean(child.text_content())
        if label_re.match(shown):
            headline = _clean(" ".join(kept))
            return headline if len(_norm(headline)) >= 6 else text
        kept.append(shown)
        kept.append(child.tail or "")
    return text


def _match(norm: str, references: list[str], min_overlap: float) -> int | None:
    """3: equals a reference; 2: a long enough part of one; 1: contains one; None: unrelated."""
    score = None
    for ref in references:
        if norm == ref:
            return 3
        if norm in ref:
            first = _norm(_segments(ref)[0]) if _segments(ref) else ref
            if len(norm) >= min_overlap * max(len(first), 1):
                score = 2
        elif norm.startswith(ref) and len(ref) >= 6 and len(norm) <= 2 * len(ref):
            score = max(score or 0, 1)
    return score


def locate(lines: list[str], title: str | None) -> int | None:
    """Index of the rendered line holding the title (the first line mostly made of it)."""
    if not title:
        return None
    t = _norm(title)
    for i, line in enumerate(lines):
        n = _norm(line)
        if t in n and len(n) <= len(t) * 1.5 + 10:
            return i
    return None


# ---- a headline that no markup names ---------------------------------------------------------------

# A rendered line this long is a paragraph, not a headline.
HEADLINE_MAX_CHARS = 80
# A paragraph of prose: this long and punctuated as sentences.
_PROSE_MIN_CHARS = 40
_SENTENCE_MARK = re.compile(r"[。，；！？]")
_ADDRESS_LINE = re.compile(r"^(?:https?://|www\.)\S*$")
_CELL_OR_NAV = re.compile(r"\t.*\S.*\t|[|｜]")
# How far an info bar may sit above the first paragraph, and a headline above its date line.
_INFO_TO_PROSE_LINES = 6
_HEADLINE_TO_INFO_LINES = 5
# A label alone on its line (来源：), its value on the next.
_LABEL_ONLY = re.compile(r"^\S{1,6}\s*[:：]$")


def title_above_info_bar(lines: list[str], has_date: Callable[[str], bool], info_max_chars: int,
                         label_re: re.Pattern[str]) -> str | None:
    """The headline, read from the rendered lines, when no markup names one (no <title>, no heading or
    title-classed element: a 2005 news page's <div class="Heading">, a styled table cell): the short line
    just above the info bar, the short line with a date nearest above the first paragraph of prose that has one
    (a sidebar's dated item further up is not it).  The bar's other lines may sit between them: a
    ``来源：`` line, a value on its own line under its label, a line holding only an address.  None when
    no paragraph has such a bar, or the line above it is a link row, a table row of cells, a date line
    or prose."""
    for p, paragraph in enumerate(lines):
        if not _is_prose(paragraph):
            continue
        bar = next((i for i in range(p - 1, max(-1, p - 1 - _INFO_TO_PROSE_LINES), -1)
                    if len(lines[i]) <= info_max_chars and not _is_prose(lines[i]) and has_date(lines[i])), None)
        if bar is None:
            continue
        for j in range(bar - 1, max(-1, bar - 1 - _HEADLINE_TO_INFO_LINES), -1):
            shown = _clean(lines[j])
            above = _clean(lines[j - 1]) if j else ""
            if not shown or _ADDRESS_LINE.match(shown) or label_re.match(shown) or _LABEL_ONLY.match(above):
                continue  # a part of the info bar
            headline = (6 <= len(_norm(shown)) and len(shown) <= HEADLINE_MAX_CHARS
                        and not _CELL_OR_NAV.search(lines[j]) and not has_date(shown) and not _is_prose(shown))
            return shown if headline else None
        return None
    return None


def _is_prose(line: str) -> bool:
    return len(line.strip()) >= _PROSE_MIN_CHARS and _SENTENCE_MARK.search(line) is not None


# ---- the list page's anchor text as a hint ---------------------------------------------------------

# List items often start with a bullet or an arrow the CMS writes into the link text.
_ANCHOR_LEAD = re.compile(r"^[\s\xa0\u3000•·●○■□◆◇▪▫►▶>»\-*·、]+")
# Lists cut long anchors with an ellipsis ("…", "...", "。。。").
_ANCHOR_CUT = re.compile(r"(?:…|\.{2,}|。{2,}|·{3,})+\s*$")
# Headline candidates for the anchor: any element that holds text and no link, headings first.
_ANCHOR_CANDIDATES = XPath(
    "//body//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or self::p or self::td "
    "or self::div or self::span or self::strong or self::b or self::font or self::li or self::th]"
    "[not(ancestor::a)][not(.//a)][not(ancestor::script)]"
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# An anchor cut without any mark (some lists cut at a fixed width) is trusted as a prefix only when
# this long: a short prefix matches too many headings.
_UNMARKED_CUT_MIN = 8


def anchor_key(anchor: str) -> tuple[str, bool]:
    """(normalised anchor text, whether the list cut it with an ellipsis)."""
    text = _ANCHOR_LEAD.sub("", anchor.strip())
    cut = bool(_ANCHOR_CUT.search(text))
    return _norm(_ANCHOR_CUT.sub("", text)), cut


def matches_anchor(text: str | None, key: tuple[str, bool]) -> bool:
    """*text* is the headline the anchor names: equal (spaces and punctuation ignored), or starting
    with an anchor the list cut (with an ellipsis, or at a fixed width when it is long enough)."""
    norm, (a, cut) = _norm(text or ""), key
    if not a or not norm:
        return False
    if norm == a:
        return True
    if len(norm) <= len(a):
        return False
    return norm.startswith(a) and (cut and len(a) >= 4 or len(a) >= _UNMARKED_CUT_MIN)


def shows_listed_headline(root: HtmlElement, anchor: str | None) -> bool:
    """The page shows, outside any link, the headline the list page linked it with.

    What tells a text-less article (an image-only notice, an attachment-only 公告) from an
    error or placeholder page: the list named an article and the page carries that headline.
    The extracted title alone cannot say it, since anchor_title falls back to the anchor itself
    when the page's title is only the site's name.
    """
    return bool(anchor and anchor.strip()) and anchor_title(root, None, None, anchor)[1] is not None


def anchor_title(root: HtmlElement, title: str | None, title_el: HtmlElement | None,
                 anchor: str | None) -> tuple[str | None, HtmlElement | None]:
    """The title, checked against the list page's anchor text.

    A title that matches the anchor is kept. Otherwise the page's own title is often the site's
    name or a column name (every page of a site shares it), so the headline on the page that
    matches the anchor wins: headings first, then any element holding no link (a link with
    the anchor's text is the list or a sidebar pointing here, not this page's headline). When
    the page shows no such headline, the anchor is returned only if the title is plainly the
    site's name (a later segment of <title>, "栏目-站名" style); else the page's title stays: the
    anchor is the list's wording, and a page that does not show it has a title of its own.
    """
    if not anchor or not anchor.strip():
        return title, title_el
    key = anchor_key(anchor)
    if not key[0] or matches_anchor(title, key):
        return title, title_el
    best: tuple[tuple[int, bool, int], str, HtmlElement] | None = None
    written = _clean(anchor)
    limit = 2 * len(key[0]) + 20
    for el in _ANCHOR_CANDIDATES(root):
        text = _clean(el.text_content())
        if not text or len(text) > limit or not matches_anchor(text, key):
            continue
        rank = 0 if el.tag in _HEADINGS else 1
        # of elements holding no heading, the one whose text is the anchor's as written, else the
        # shortest: a block holding the headline and a short info bar under it (时间：… 来源：)
        # matches too, and comes first
        order = (rank, text.strip() != written, len(text))
        if best is None or order < best[0]:
            best = (order, text, el)
            if rank == 0:
                break
    if best is not None:
        return best[1], best[2]
    if title is None or _is_site_name(root, title):
        text = _ANCHOR_LEAD.sub("", _clean(anchor))
        return (text or title), None
    return title, title_el


def _is_site_name(root: HtmlElement, title: str) -> bool:
    """The title is a later segment of <title> (the "文章_栏目_站名" suffix), or all of a <title>
    that has no article part."""
    tag = title_tag(root) or ""
    segs = [_norm(s) for s in _segments(tag)]
    t = _norm(title)
    return bool(t) and (t in segs[1:] or (len(segs) == 1 and t == segs[0] and _first_heading(root) is None))
