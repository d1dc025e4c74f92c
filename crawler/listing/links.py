"""Every followable link on a page: ``<a href>`` plus the JavaScript navigation list pages use.

Hand-written rather than Scrapy's LinkExtractor because the list reader needs the *element* each link
sits on (to find repeated records) and the ``onclick``/``javascript:`` targets LinkExtractor ignores.
Every string a page supplies is capped (``MAX_URL``) before any regex touches it, and the regexes have
no nested quantifiers, so a hostile page costs time linear in its size.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction.attachments import ATTACHMENT_TYPES
from crawler.extraction.decode import whole_document

from .datastore import inline_data_islands
from .script_links import ScriptLinks

MAX_URL = 2048
MAX_LINKS = 5000          # real list pages carry a few hundred links (a 163 portal ~1,500); the rest is not read
MAX_ANCHOR = 300          # a title longer than this is not a title; keeps a 2 MB anchor cheap
_SKIP_TAGS = {"script", "style", "noscript", "template", "textarea", "select", "option"}

# location.href='x' / location='x' / location.replace('x') / window.open('x') / encodeURI('x') wrappers.
_JS_NAV = re.compile(
    r"""(?:location(?:\.href)?\s*=|location\.(?:replace|assign)\s*\(|window\.open\s*\(|open\s*\()"""
    r"""\s*(?:encodeURI(?:Component)?\s*\(\s*)?['"]([^'"\s<>]{1,2048})['"]""")
# javascript:someFn('path/x.html', …): a quoted first argument that looks like a URL path (has a '/' or an extension).
_JS_CALL_URL = re.compile(r"""^[\w.$]{1,64}\s*\(\s*['"]([^'"\s<>]{1,2048}?(?:/|\.[A-Za-z]{2,5}(?:\?[^'"\s<>]{0,1024})?))['"]""")


_NO_TARGET = re.compile(r"^\s*(?:#\S{0,20}|javascript:\s*(?:;|void\s*\(\s*0?\s*\)\s*;?)?)?\s*$", re.IGNORECASE)
# A link text that names an action, not the item (a 信息公开 table's last column: 查看, 详情): the row's
# title cell names the record.
_ACTION_TEXT = re.compile(r"^[\[【(（]?\s*(?:查看|详情|详细|查看详情|详细信息|点击查看|阅读全文|全文|浏览|查看更多|阅读更多|更多"
                          r"|view|detail)"
                          r"\s*[\]】)）]?\s*(?:>>|»|›|>)?$", re.IGNORECASE)
# A read-more label inside the link, after its title: 使用较广的三种自闭症检测量表<span>【阅读全文】</span>
_ACTION_TAIL = re.compile(r"\s*[\[【(（]\s*(?:阅读全文|查看全文|查看详情|详细|详情|查看更多|阅读更多|更多)\s*[\]】)）]\s*(?:>>|»)?$")
ROW_LEVELS = 4  # an action link sits at most this deep in its record (<tr><td><span><a>)
ROW_MAX_ELEMENTS = 200  # a record of a list holds a few cells; a larger one is not read for a caption
_RECORD_TAGS = {"tr", "td", "li", "dl", "dd", "div", "article", "section"}
_INLINE_TAGS = {"p", "span", "font", "strong", "b", "em", "i", "small"}  # a line of a record, not one
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "dt"}
_CARD_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TITLE_CLASS = re.compile(r"(?:^|[\s_-])(?:title|tit|bt)(?:$|[\s_-])", re.IGNORECASE)


@dataclass(eq=False)
class PageLink:
    """A link with the element that carries it (``<a>``, or the row with the ``onclick``)."""

    element: HtmlElement
    url: str
    anchor: str        # visible text, whitespace-normalised, capped
    title: str         # the title attribute (lists truncate long titles in the text and keep them here)
    raw: str           # the href/onclick as written, capped (pagination reads javascript: pagers from it)


# Files, not pages: the crawler's attachment handling owns the document types; images and media are not
# articles either. They stay in a list's main links (a disclosure list of PDFs is still the list).
NOT_PAGES = frozenset(ATTACHMENT_TYPES) | {"jpg", "jpeg", "png", "gif", "bmp", "webp", "mp3", "mp4", "flv", "avi",
                                           "wmv", "swf", "exe", "apk", "7z", "tar", "gz", "txt", "csv"}
_FILE_NAME = re.compile(r"\.(" + "|".join(sorted(NOT_PAGES)) + r")\s*$", re.IGNORECASE)


def is_page(url: str) -> bool:
    """Whether *url* names a page rather than a file (by its extension)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return "." not in name or name.rsplit(".", 1)[1].lower() not in NOT_PAGES


def names_a_file(text: str) -> bool:
    """Whether a link's text is a file's name (附件1.xls): a download URL without an extension says so only there."""
    return _FILE_NAME.search(text) is not None


def parse_html(html: str) -> HtmlElement | None:
    """The page's root element, or None for an empty/unparseable page.

    Encoded to bytes with an explicit encoding so a leading ``<?xml encoding=…?>`` cannot make lxml refuse
    a str; comments are dropped so commented-out old lists do not count; script data islands (Hanweb) are
    turned into markup.
    """
    if not html or not html.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(whole_document(html).encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return None
    inline_data_islands(root)
    return root


def normalise_text(text: str, cap: int = MAX_ANCHOR) -> str:
    """Collapse whitespace (incl. nbsp and ideographic space) and cap; caps first so huge text stays cheap."""
    return " ".join(text[: cap * 4].split())[:cap]


def element_text(el: HtmlElement, cap: int = MAX_ANCHOR) -> str:
    """Visible text of *el*, read only until *cap* characters are collected (itertext is lazy)."""
    if not isinstance(el.tag, str):   # a comment or processing instruction (data islands keep them)
        return ""
    parts: list[str] = []
    size = 0
    for chunk in el.itertext():
        parts.append(chunk)
        size += len(chunk)
        if size > cap * 4:
            break
    return normalise_text("".join(parts), cap)


def card_caption(link: HtmlElement) -> str:
    """The headline of a link that wraps a whole card (``<a><div>11/06 2024</div><h3>title</h3><p>summary…
    </p></a>``): its heading's text, so the date tile and the summary are not read as the title; else,
    for a link holding a date cell (``<a><p><span>2019-05-05</span>标题</p></a>``), its text without the
    date. Empty for a link of plain text (most links: no child element, nothing to look for)."""
    if not len(link):
        return ""
    date_cell = None
    for el in islice(link.iter(etree.Element), 1, ROW_MAX_ELEMENTS):
        if el.tag in _CARD_HEADINGS or _TITLE_CLASS.search(el.get("class") or ""):
            text = element_text(el)
            if text:
                return text
        if date_cell is None and date_cell_text(el):
            date_cell = el
    if date_cell is not None:
        shown = normalise_text(date_cell.text or "", MAX_ANCHOR)
        return _EMPTY_BRACKETS.sub("", element_text(link).replace(shown, "", 1)).strip()
    return ""


_DATE_BRACKETS = "[]()（）【】 \t\r\n\xa0\u3000"
_EMPTY_BRACKETS = re.compile(r"\[\s*\]|\(\s*\)|（\s*）|【\s*】")  # what a date cell's brackets leave
_DATE_CELL = re.compile(r"(?:19|20)\d{2}\s*(?:[-/.]|年)\s*[01]?\d\s*(?:[-/.]|月)\s*[0-3]?\d\s*日?")


def date_cell_text(el: HtmlElement) -> str | None:
    """The full date an element without children shows as its whole text (<span>2019-05-05</span>,
    <em>[2021-04-29]</em>, <i>2021年4月29日</i>): a list's date cell. None for anything else."""
    if not isinstance(el.tag, str) or len(el):
        return None
    text = (el.text or "").strip(_DATE_BRACKETS)
    return text if 8 <= len(text) <= 20 and _DATE_CELL.fullmatch(text) else None


def row_caption(row: HtmlElement) -> str:
    """What names a clickable row (``<tr onclick>``, a ``<li>`` a handler binds): its longest leaf's text
    when that is most of the row's (the title cell, not the title, the date and the hit count run
    together); else the whole row's (a title written straight into the row)."""
    whole = element_text(row)
    leaves = [element_text(el) for el in row.iter(etree.Element)
              if el is not row and len(el) == 0 and isinstance(el.tag, str) and el.tag not in _SKIP_TAGS]
    longest = max(leaves, key=len, default="")
    return longest if len(longest) * 2 >= len(whole) else whole


def _record_title(link: HtmlElement, *, named_only: bool = False) -> tuple[str, str] | None:
    """(caption, title attribute) of the record an action link (查看, 详情) closes: the table row, list
    item, ``<dl>`` or card ``<div>`` around it that holds something besides the link. None when there
    is no such record, or it links elsewhere too (then it is the list, not one record of it), or it
    names nothing but the action.

    What names the record, first found: another link of it to the same address (the headline the
    action repeats); a heading (``<h3>``, ``<dt>``, a class with title in it), which wins over a card's
    summary, often longer; the row's title cell (row_caption), unless *named_only* (a link with no text
    at all: a footer's badge would take the copyright line for its name)."""
    own, href = element_text(link), (link.get("href") or "").strip()
    for record in islice(link.iterancestors(), ROW_LEVELS):
        if next(islice(record.iter(), ROW_MAX_ELEMENTS, None), None) is not None:
            return None   # a "record" of thousands of elements, each link in it reading it again, is not a record
        if record.tag in _INLINE_TAGS or element_text(record) == own:
            continue      # the link's wrapper (<td>, <div class="more">) or its line (<p>summary … [详情]</p>)
        if record.tag not in _RECORD_TAGS:
            return None
        others = [a for a in record.iter("a") if a is not link and (a.get("href") or "").strip()]
        if record.tag != "tr" and any(a.get("href").strip() != href for a in others):
            return None
        headline = next((a for a in others if a.get("href").strip() == href and element_text(a)
                         and not _ACTION_TEXT.match(element_text(a))), None)
        if headline is not None:
            return element_text(headline), normalise_text(headline.get("title") or "")
        caption = (_heading(record) if record.tag != "tr" else "") or ("" if named_only else row_caption(record))
        if not caption and named_only:
            continue      # *named_only*: a headline or heading names the record, never its running text
        if not caption or _ACTION_TEXT.match(caption):
            return None
        if _names_nothing(caption):
            continue      # the action's own bar (评论：0 阅读全文): the card around it has the heading
        cell = next((el for el in record.iter(etree.Element) if el.get("title") and element_text(el) == caption
                     and el is not link), None)
        return caption, normalise_text(cell.get("title")) if cell is not None else ""
    return None


# A counter a read-more bar shows beside its link (评论：0, 阅读(12), 点击数：35).
_COUNTER = re.compile(r"(?:评论|点击|浏览|阅读|访问|点赞|收藏|分享|回复)(?:数|量|次数)?\s*[:：(（]?\s*\d+\s*[)）次]?")
_ACTION_WORDS = re.compile(r"查看详情|详细信息|点击查看|阅读全文|查看全文|查看更多|阅读更多|查看|详情|详细|全文|更多|[\W_]+")
CAPTION_MIN_CHARS = 2  # what is left of a caption that names something, besides counters and actions


def _names_nothing(caption: str) -> bool:
    """Whether a caption is counters and action words (评论：0 阅读全文), nothing else of length: no
    title of a record. A short caption with neither (运动会, a photo's) names its record."""
    without_counters = _COUNTER.sub("", caption)
    rest = _ACTION_WORDS.sub("", without_counters)
    removed_words = len(_PUNCT.sub("", without_counters)) > len(rest)
    return (without_counters != caption or removed_words) and len(rest) < CAPTION_MIN_CHARS


_PUNCT = re.compile(r"[\W_]+")


def _heading(record: HtmlElement) -> str:
    """The text of a card's heading element: an ``<h1>``–``<h6>`` or ``<dt>``, else an element whose class
    says title (title, tit, bt); "" when it has none."""
    for el in record.iter(etree.Element):
        if el.tag in _HEADING_TAGS or _TITLE_CLASS.search(el.get("class") or ""):
            text = element_text(el)
            if text and not _ACTION_TEXT.match(text):
                return text
    return ""


def resolve_url(raw: str, base: str) -> str | None:
    """Absolute http(s) URL without fragment, or None (too long, not http, a bare script call)."""
    if len(raw) > MAX_URL:
        return None
    # as browsers do: tabs and newlines inside a URL are dropped, backslashes are slashes
    raw = raw.strip().replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    if not raw:
        return None
    if raw[:11].lower() == "javascript:":
        # a browser percent-decodes a javascript: URL before running it (site copiers write
        # javascript:if(confirm(%27…%27))window.location=%27http://…%27)
        raw = javascript_target(raw[11:]) or ("%" in raw and javascript_target(unquote(raw[11:]))) or ""
        if not raw:
            return None
    if raw.startswith("#") or raw[:7].lower() in ("mailto:", "tel:"):
        return None
    try:
        absolute = urljoin(base, raw)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    url = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
    return url if len(url) <= MAX_URL else None


def javascript_target(js: str) -> str | None:
    """The URL a ``javascript:``/``onclick`` snippet navigates to, when it names one literally."""
    js = js[:MAX_URL].strip()
    m = _JS_NAV.search(js) or _JS_CALL_URL.match(js)
    if m is None or js[m.end():].lstrip()[:1] == "+":
        return None   # window.open('detail.jsp?id=' + id): the literal is only the start (see ScriptLinks)
    return m.group(1)


def page_links(root: HtmlElement, base: str, calls: ScriptLinks | None = None) -> list[PageLink]:
    """Links of the page in document order (one per carrying element; the same URL may repeat), at most
    MAX_LINKS: every later step is linear in their number, and this bounds it whatever a page holds.

    *calls* resolves links written as script calls (it parses the page's scripts only if a link is a call
    with no URL in it); pass one to give it fetched script files or to read what it found afterwards."""
    out: list[PageLink] = []
    calls = calls if calls is not None else ScriptLinks(root, base)
    for el in root.iter(etree.Element):
        if len(out) >= MAX_LINKS:
            break
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP_TAGS:
            continue
        href = el.get("href") if tag in ("a", "area") else None
        onclick = el.get("onclick")
        raw = ""
        url = None
        if href is not None:
            raw = href[: MAX_URL + 1]
            url = resolve_url(raw, base)
        if url is None and onclick:
            target = javascript_target(onclick[: MAX_URL + 1])
            if target:
                raw = onclick[: MAX_URL + 1]
                url = resolve_url(target, base)
            elif href is None or _NO_TARGET.match(href):
                # the onclick is what the link does (toPage(2), executePage(…)): keep it for the pager reader
                raw = "javascript:" + onclick[:MAX_URL]
        if url is None and raw[:11].lower() == "javascript:" and not _NO_TARGET.match(raw):
            # showInfo('8a81…'): the page's own script says where the call goes
            target = calls.target(raw, el)
            url = resolve_url(target, base) if target else None
        if url is None and not raw:
            # a row a jQuery handler makes clickable: $('.list li').click(function () { window.open(…) })
            target = calls.bound_target(el)
            url = resolve_url(target, base) if target else None
            if url is None:
                continue
        if url is None and tag not in ("a", "area"):
            continue
        title = el.get("title") or ""
        anchor = (card_caption(el) or element_text(el)) if tag in ("a", "area") else row_caption(el)
        if anchor and _ACTION_TAIL.search(anchor):
            anchor = _ACTION_TAIL.sub("", anchor) or anchor
        if anchor and not title and _ACTION_TEXT.match(anchor):
            anchor, title = _record_title(el) or (anchor, title)
        if not anchor and not title:   # a thumbnail: its alt text names the item
            img = next(el.iter("img"), None)
            title = img.get("alt") or "" if img is not None else ""
        if not anchor and not title and tag == "a":
            # a link with nothing to read (an image without alt, an empty <a class="more">): named, like
            # an action link, by the record around it (<li><a><img></a><h4>headline</h4>…<a class="more"></a>)
            anchor, title = _record_title(el, named_only=True) or (anchor, title)
        out.append(PageLink(el, url or "", anchor, normalise_text(title), raw))
    return out


def document_base(root: HtmlElement, page_url: str) -> str:
    """The URL relative links resolve against: ``<base href>`` when the page sets an http(s) one."""
    for base in root.iter("base"):
        href = resolve_url(base.get("href") or "", page_url)
        if href:
            return href
        break
    return page_url
