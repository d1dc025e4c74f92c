"""extract_page: one HTML page → ExtractedPage (title, clean text, date, gov metadata, attachments).

Parse once with lxml; read title, labelled fields and attachments from the
intact tree; then drop boilerplate containers and take the CMS's own article
container when the page has a known one, else let trafilatura find the main
text; finally filter its lines.  No Scrapy here: the pipeline and the CLI
both call this.
"""
from __future__ import annotations

import re
import threading
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from itertools import islice
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from lxml.etree import Comment, ElementDefaultClassLookup, ParserError, ProcessingInstruction, XPath, strip_elements
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from trafilatura.settings import Extractor

from .attachments import find_attachments
from .boilerplate import clean_lines, drop_containers, drop_hidden, drop_link_dense, link_texts
from .dates import find_dates, normalise_date
from .decode import decode_html, whole_document
from .disclosure import apply_disclosure, body_doc_no, header_doc_no, published, retitle
from .fallback import (
    MAX_FALLBACK_CHARS,
    TUNED,
    Candidate,
    candidates,
    choose,
    needs_fallback,
    prose_chars,
    tuned_confidence,
)
from .layout import unwrap_layout_tables, wrap_loose_text
from .metadata import Labelled, body_byline, correspondents, edition, find_labelled, original_title, person_names
from .rules import Rules, load_rules
from .textlines import render_lines
from .title import anchor_title, find_title, locate, title_above_info_bar


@dataclass
class ExtractedPage:
    url: str | None
    title: str | None
    text: str                 # clean body, paragraphs separated by "\n"
    date: str | None          # ISO 8601 YYYY-MM-DD publication date
    author: str | None
    source: str | None        # 来源
    publisher: str | None     # 发文机关
    index_no: str | None      # 索引号
    doc_no: str | None        # 文号
    category: str | None      # 分类
    attachments: list[dict] = field(default_factory=list)
    language: str | None = None
    metadata: dict = field(default_factory=dict)
    body_method: str = TUNED  # which extraction produced text: fallback.METHODS
    confidence: float = 1.0   # [0, 1]: agreement between methods and share of the page's prose (fallback.py)
    low_confidence: bool = False  # confidence under rules.yaml's low_confidence_below: a template that no longer fits

    def to_dict(self) -> dict:
        """The fields as a dict. Shallow: the page is built fresh for each call of extract_page and
        dropped after, and dataclasses.asdict deep-copies every list and dict (~15x slower)."""
        return dict(vars(self))


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_HTML_LANG = XPath("/html/@lang|/html/@xml:lang")
_BOOKMARKS = XPath("//a[not(@href)][not(node())]")  # <a name="…"></a>: a place in the page, not a link
MAX_BOOKMARKS = 200
# The 来源 government CMSs write for every article (the national site standard's ContentSource), and
# news CMSs' <meta name="source"> (人民网, 新华网, 中国日报网: "来源：人民日报"), kept when the page
# prints none (a script fills its 来源 line: var laiyuan = '…'). ContentSource first.
_META_SOURCE = XPath("//meta[@name='ContentSource' or @name='contentsource' or @name='contentSource']/@content")
_META_NEWS_SOURCE = XPath("//meta[@name='source' or @name='Source']/@content")
_META_SOURCE_LABEL = re.compile(r"^\s*(来源|稿源|信息来源)\s*[:：]\s*")
MAX_META_SOURCE_CHARS = 40
MAX_LINKED_LINE_CHARS = 1000  # a link's text longer than this is a page wrapped in a link, not navigation
_META_DATE = XPath(
    "//meta[@name='PubDate' or @name='pubdate' or @name='publishdate' or @name='PublishDate' "
    "or @property='article:published_time' or @name='article:published_time' or @itemprop='datePublished' "
    "or @name='publish_date' or @name='firstpublishedtime' or @name='og:release_date' or @name='weibo: article:create_at' "
    "or @name='OriginalPublicationDate' or @name='date' or @name='DC.date' or @name='dc.date' or @name='Date']/@content"
)
FAST = True  # skip trafilatura's readability/justext comparison: 2x faster, see bench
FALLBACK = True  # other extractors when the tuned body falls short (fallback.py); False: the tuned path alone, for A/B runs
_CHINA_TZ = timezone(timedelta(hours=8))
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WS = re.compile(r"\s+")
_URL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)"
    r"|(?<!\d)((?:19|20)\d{2})[-/_](0[1-9]|1[0-2])/(?:.*?[^\d])?(0[1-9]|[12]\d|3[01])(?=[^\d])"
)


@cache
def _base_options() -> Extractor:
    return Extractor(precision=True, comments=False, tables=True, fast=FAST, with_metadata=False, dedup=False)


def _trafilatura_options(url: str | None) -> Extractor:
    """trafilatura's options for one page. Built once and copied: building them reads its config
    file's values each time (~3 % of a light page's extraction)."""
    options = copy(_base_options())
    options.url = options.source = url
    return options


def _html_parser() -> lxml.html.HTMLParser:
    """lxml.html's parser, with every element an HtmlElement picked in C.

    lxml.html's own class lookup is a Python method called each time an element is touched
    from Python (here and in trafilatura, which walks our tree), to give form elements their
    own classes, which we never use: ~5 % of a page's extraction. Same tree, same classes
    for everything else (HtmlElement, so trafilatura takes the tree as is).
    """
    parser = getattr(_THREAD, "parser", None)
    if parser is None:  # one per thread: an lxml parser must not be used by two threads at once
        parser = _THREAD.parser = lxml.html.HTMLParser()
        parser.set_element_class_lookup(ElementDefaultClassLookup(
            element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
    return parser


_THREAD = threading.local()


def parse_html(html: str) -> HtmlElement | None:
    """lxml.html parse that tolerates XML declarations and empty input."""
    html = _XML_DECL.sub("", html, count=1)
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html, parser=_html_parser())
    except (ParserError, ValueError):
        return None


def extract_page(html: str | bytes, url: str | None = None, *, declared_encoding: str | None = None,
                 anchor: str | None = None, list_date: str | None = None, rules: Rules | None = None) -> ExtractedPage:
    """Extract body text and metadata from one page (bytes are decoded with decode_html).

    *anchor* is the text of the list page's link to this page, when the crawler has one: it picks
    the headline when the page's own title is the site's or column's name (title.anchor_title).
    *list_date*: the date the list page showed beside that link, a date source of its own (labels.yaml
    `published`: after every date the page itself shows, before the URL's).
    *rules*: rules.yaml's, unless given (the rules ablation extracts without one rule at a time).
    """
    rules = rules or load_rules()
    text_html = whole_document(decode_html(html, declared_encoding) if isinstance(html, bytes) else html)
    root = parse_html(text_html)
    empty = ExtractedPage(url, None, "", None, None, None, None, None, None, None, confidence=0.0,
                          low_confidence=True)
    if root is None:
        return empty

    # 1. Read everything that needs the intact page.
    title, title_el = find_title(root, rules.thresholds["title_min_overlap"], rules.label_re)
    title, title_el = anchor_title(root, title, title_el, anchor)
    lines = render_lines(root, rules)
    if title is None:
        title = title_above_info_bar(lines, lambda line: bool(find_dates(line)),
                                     int(rules.thresholds["metadata_line_max_chars"]), rules.label_re)
    title_idx = locate(lines, title)
    labelled = find_labelled(lines, rules)
    title, title_idx, title_label = retitle(labelled, lines, title, title_idx, rules)
    if title_label:
        title_el = None  # the heading find_title picked is not the title
    metadata = _metadata_dict([i for i in labelled if i.label not in rules.volatile_labels], title_idx)
    page_label = edition(lines, title_idx)
    if page_label:
        metadata.setdefault("版次", page_label)
    fields = {name: _pick(labelled, labels, title_idx, rules, name in rules.person_fields)
              for name, labels in rules.fields.items()}
    apply_disclosure(labelled, metadata, fields, title_idx, rules, title_label)
    attachments = find_attachments(root, url)
    # every link's text, however long: a headline with its summary inside one <a> (a menu's or a
    # sidebar's teaser) is the page's navigation, never prose the body should have held; the short
    # ones are what a body line equal to one is dropped for
    linked = link_texts(root, MAX_LINKED_LINE_CHARS)
    links = {t for t in linked if len(t) <= int(rules.thresholds["link_line_max_chars"])}
    meta_dates = [d for d in (normalise_date(v) for v in _META_DATE(root)) if d]
    meta_sources = _META_SOURCE(root) + _META_NEWS_SOURCE(root)
    lang = (_HTML_LANG(root) or [None])[0]

    script_date = _script_date(text_html, rules)
    title = original_title(lines, title) or title

    # 2. Main text: unwrap layout tables, drop boilerplate containers; the known CMS container's text,
    # else trafilatura's choice; filter.
    # Comments are never shown, but trafilatura reads the text of a comment node left among the
    # elements it keeps (an Angular page's commented-out <span … ng-hide=…> came out as body lines).
    strip_elements(root, Comment, ProcessingInstruction, with_tail=False)
    # An empty anchor with no href is a bookmark (Word's <a name="_GoBack"></a>), never a link;
    # trafilatura weighs it as one and dropped a 预中标结果 table whose cell held one. Removed (its
    # tail kept) up to a bound: each removal joins two texts, quadratic over a hostile page's
    # 100,000 of them in one box.
    for bookmark in islice(_BOOKMARKS(root), MAX_BOOKMARKS):
        bookmark.drop_tag()
    drop_hidden(root, keep=title_el)
    unwrap_layout_tables(root, int(rules.thresholds["layout_cell_chars"]))
    wrap_loose_text(root)
    container, _ = _content_container(root, rules)
    # The CMS's own article container (rules.yaml content_xpaths: TRS_Editor, js_content, …) is the
    # body, with the boilerplate inside it dropped (a share bar, a pager): finding the body is what
    # trafilatura would do, at about half a light page's extraction CPU, and on the dev pages that
    # have one it kept the same text (bench/README.md, "A known container is the body").  The rest
    # of the tree is then not cleaned at all.  The fallbacks below still judge the body against
    # the page's prose.
    body_lines: list[str] = []
    if container is not None:
        drop_containers(container, rules, keep=title_el, content=container)
        drop_link_dense(container, rules, keep=title_el)
        # Still in the tree, still holding text?  (A container that is itself a link list is gone.)
        container, _ = _content_container(root, rules, first=container)
        if container is not None:
            body_lines, raw_lines = _container_lines(container, rules, title, links)
    if not body_lines:
        drop_containers(root, rules, keep=title_el, content=container)
        drop_link_dense(root, rules, keep=title_el)
        body = trafilatura.extract(root, options=_trafilatura_options(url)) or ""
        body_lines = clean_lines(body, rules, title=title, links=links)
        raw_lines = len([l for l in body.split("\n") if l.strip()]) or len(body_lines)
    # Other extractors of the untouched page when the tuned body is empty or a sliver of the page's prose.
    page_prose = prose_chars(lines, rules, linked)
    tuned_chars = sum(len(_WS.sub("", l)) for l in body_lines)
    if tuned_chars == 0 and page_prose == 0:
        # Nothing kept, and no line long enough to count as prose: a poem, a notice of one-line
        # items, a list of names. Its short lines of prose are what the page holds, and the other
        # extractors are asked for them (a school's poem in VSB's container came out empty).
        page_prose = prose_chars(lines, rules, linked, int(rules.thresholds["short_prose_line_min_chars"]))
    method, confidence = TUNED, tuned_confidence(tuned_chars, page_prose)
    if FALLBACK and len(text_html) <= MAX_FALLBACK_CHARS and needs_fallback(tuned_chars, page_prose, rules):
        fresh = parse_html(text_html)
        if fresh is not None:
            cands = [Candidate(TUNED, body_lines, raw_lines)]
            cands += candidates(text_html, url, fresh, rules, title, links, page_prose)
            chosen, confidence = choose(cands, page_prose, title, rules.thresholds["fallback_min_title_share"])
            body_lines, method = chosen.lines, chosen.method
    text = "\n".join(body_lines)

    # 3. Date: labels.yaml's precedence (disclosure table, publication line, 成文日期, meta, script,
    # the line under the title, the list's date, the URL); every candidate is kept in
    # metadata["date_candidates"], the list's only when it is taken: which of two list pages reached
    # an article first (one showing dates, one not) must not change what is stored about a page
    # that dates itself.
    date = published(labelled, metadata, title_idx, rules, meta=meta_dates[0] if meta_dates else None,
                     script=script_date, title_line=_date_near_title(lines, title_idx, rules),
                     list=normalise_date(list_date), url=_url_date(url))
    if "date_candidates" in metadata:
        metadata["date_candidates"] = [c for c in metadata["date_candidates"] if c["source"] != "list" or c["chosen"]]
    if date is None:
        date = _htmldate(text_html)

    # Author: a labelled author, else a reporter byline (under the title or in the body), else the
    # correspondents (通讯员) who wrote the story, else the editor.
    author = fields.get("author")
    header = _header_lines(lines, title_idx, rules)
    if author is not None:
        author = person_names(author)
    else:
        author = body_byline(text, header)
        if author:
            metadata.setdefault("作者", author)  # a 文/… or 记者 … byline is a labelled credit too
        else:
            author = fields.get("author_fallback") or correspondents(text, header) or fields.get("editor_fallback")
    if lang is None:
        lang = "zh" if _CJK.search(text[:500]) else None
    elif lang.lower().startswith("en") and _mostly_chinese(text[:500]):
        lang = "zh"  # templates declare lang="en" over Chinese pages too (VSB's)
    source = fields.get("source")
    if source is None:
        source = next((s for s in (" ".join(_META_SOURCE_LABEL.sub("", v).split()) for v in meta_sources)
                       if 2 <= len(s) <= MAX_META_SOURCE_CHARS and "://" not in s and not s.startswith("www.")), None)
    return ExtractedPage(
        url=url, title=title, text=text, date=date, author=author,
        source=source, publisher=fields.get("publisher"), index_no=fields.get("index_no"),
        doc_no=fields.get("doc_no") or body_doc_no(text) or header_doc_no(lines, title_idx),
        category=fields.get("category"), attachments=attachments,
        language=(lang.split("-")[0].lower() if lang else None), metadata=metadata,
        body_method=method, confidence=confidence,
        # no text is never a confident reading, whatever the page's prose said it should be
        low_confidence=confidence < rules.thresholds["low_confidence_below"] or not text,
    )


CHINESE_SHARE = 0.3   # of a text's opening characters, for it to be Chinese whatever <html lang> says


def _mostly_chinese(text: str) -> bool:
    chars = [c for c in text if not c.isspace()]
    return bool(chars) and sum(1 for c in chars if _CJK.match(c)) >= CHINESE_SHARE * len(chars)


def _header_lines(lines: list[str], title_idx: int | None, rules: Rules) -> str:
    """The short lines just under the title (subtitle, byline, info bar), where e-papers put 记者 ….

    Stops at the first long line: that is the body, which body_byline reads on its own.
    """
    if title_idx is None:
        return ""
    out = []
    max_chars = int(rules.thresholds["metadata_line_max_chars"])
    for line in lines[title_idx + 1:title_idx + 1 + int(rules.thresholds["date_window_lines"])]:
        if len(line) > max_chars:
            break
        out.append(line)
    return "\n".join(out)


def _chars(lines: list[str]) -> int:
    return sum(len(l) for l in lines)


def _content_container(root: HtmlElement, rules: Rules, first: HtmlElement | None = None
                       ) -> tuple[HtmlElement | None, int]:
    """The first known CMS content container (rules.yaml content_xpaths) holding some text, and
    how many non-space characters it holds; *first*, the one found before, when it is still in
    the tree and still holds text."""
    if first is not None and root in first.iterancestors():
        chars = len(_WS.sub("", first.text_content()))
        if chars >= 20:
            return first, chars
    for xp in rules.content_xpaths:
        for el in xp(root):
            chars = len(_WS.sub("", el.text_content()))
            if chars >= 20:
                return el, chars
    return None, 0


def _container_lines(container: HtmlElement, rules: Rules, title: str | None, links: set[str]
                     ) -> tuple[list[str], int]:
    """(cleaned lines of a content container, or [] when too little survives cleaning; how many
    non-empty lines it rendered before cleaning)."""
    rendered = [l for l in render_lines(container, rules) if l.strip()]
    lines = clean_lines("\n".join(rendered), rules, title=title, links=links)
    return (lines if _chars(lines) >= 20 else []), len(rendered)


def _script_date(html: str, rules: Rules) -> str | None:
    """Publication date held in a script variable (WeChat's ``var ct``), as China time."""
    for rx in rules.script_date_res:
        m = rx.search(html)
        if not m:
            continue
        value = m.group(1)
        if value.isdigit() and len(value) == 10:
            return datetime.fromtimestamp(int(value), _CHINA_TZ).date().isoformat()
        return normalise_date(value)
    return None


def _distance(item: Labelled, title_idx: int | None) -> int:
    return abs(item.line - title_idx) if title_idx is not None else item.line


def _metadata_dict(labelled: list[Labelled], title_idx: int | None) -> dict:
    """canonical label → value nearest the title (every labelled field on the page)."""
    best: dict[str, Labelled] = {}
    for item in labelled:
        if not item.value:
            continue
        cur = best.get(item.label)
        if cur is None or _distance(item, title_idx) < _distance(cur, title_idx):
            best[item.label] = item
    return {k: v.value for k, v in sorted(best.items(), key=lambda kv: kv[1].line)}


def _pick(labelled: list[Labelled], labels: list[str], title_idx: int | None, rules: Rules,
          person: bool = False) -> str | None:
    """Value of the first label in *labels* present on the page, the occurrence nearest the title."""
    window = int(rules.thresholds["date_window_lines"]) * 4
    for label in labels:
        items = [i for i in labelled if i.label == label and i.value]
        if person:
            items = [i for i in items if _is_person(i.value, rules)]
        if title_idx is not None:
            items = [i for i in items if abs(i.line - title_idx) <= window] or items
        if not items:
            continue
        item = min(items, key=lambda i: _distance(i, title_idx))
        if label in rules.date_labels:
            iso = normalise_date(item.value)
            if iso:
                return iso
            continue
        return item.value
    return None


# A person field holding prose is not a name: punctuation, or a work's title (an interview's
# "记者：请谈谈《规划》编制的背景" is the reporter's question).
_PROSE = re.compile(r"[，。？！?!；;《》]")


def _is_person(value: str, rules: Rules) -> bool:
    return len(value) <= rules.thresholds["person_max_chars"] and not _PROSE.search(value)


def _date_near_title(lines: list[str], title_idx: int | None, rules: Rules) -> str | None:
    """A date on a short line just below (or just above) the title: the usual info bar."""
    if title_idx is None:
        return None
    window = int(rules.thresholds["date_window_lines"])
    order = list(range(title_idx, min(len(lines), title_idx + window + 1))) + \
        list(range(title_idx - 1, max(-1, title_idx - 3), -1))
    for i in order:
        line = lines[i]
        if len(line) > rules.thresholds["metadata_line_max_chars"]:
            continue
        found = find_dates(line)
        if found:
            return found[0][1]
    return None


def _url_date(url: str | None) -> str | None:
    if not url:
        return None
    path = urlsplit(url).path
    m = _URL_DATE.search(path)
    if not m:
        return None
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    return normalise_date(f"{y}-{mo}-{d}")


def _htmldate(html: str) -> str | None:
    """Last resort: htmldate's heuristics (slow, and often fooled by footers, hence last)."""
    try:
        from htmldate import find_date
        return find_date(html, extensive_search=False, original_date=True)
    except Exception:  # noqa: BLE001 - htmldate raises on odd markup; a missing date is fine
        return None
