"""Render an lxml tree as text lines, the way a reader sees the page.

Block elements break lines; table cells and dt/dd stay on their row's line,
separated by a tab, and a cell holding only a known label gets a colon so
``<td>索引号</td><td>…</td>`` reads like ``索引号：…``; so does an inline wrapper
(``<li><span>文号</span>…``) holding only a disclosure label, and a header row of labels
over one row of values reads ``label：value`` column by column.  Whitespace-only text
between elements (the source's indentation, a newline between two ``<td>``) is one
space, as a browser shows it, so a table row written over several source lines stays
one line.  Metadata, title and date finding all work on these lines, so the tree is
walked once.
"""
from __future__ import annotations

import re
from itertools import islice

from lxml.html import HtmlElement

from .labels import load_labels, written_forms
from .rules import LABEL_BRACKETS, Rules, canonical_label

BLOCK_TAGS = frozenset(
    ["address", "article", "aside", "blockquote", "body", "center", "details", "dialog", "div", "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "ul", "option", "select"]
)
CELL_TAGS = frozenset(("td", "th", "dt", "dd"))
# Inline elements templates wrap a label in: <span>索 引 号</span>, <label>, <b>, <strong>.
LABEL_WRAPPERS = frozenset(("span", "label", "b", "strong", "em", "font", "i"))
INLINE_WRAPPERS = LABEL_WRAPPERS | {"small", "u", "a"}
_EDGE_BREAKS = re.compile(r"^[ \t\u3000\xa0]*\n\s*(?=\S)|(?<=\S)[ \t\u3000\xa0]*\n\s*$")
# <title>, <meta>, <link> and <style> are never shown, even when junk before <html> (a BOM, a
# corpus wrapper, a stray tag) makes the parser put them in <body>.
SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "iframe", "svg", "head", "object", "embed", "textarea",
                       "title", "meta", "link"))
# A break between two Chinese characters inside a value joins them (国务院关于印发<br>…的通知).
_CJK_BREAK = re.compile(r"(?<=[\u4e00-\u9fff])[ \t]*\n\s*(?=[\u4e00-\u9fff])")
# A label in brackets: [发文字号], 【成文日期】, 〔主题分类〕.
_BRACKETED = re.compile(r"^\s*[\[【〔［]\s*([^\]】〕］]{2,12}?)\s*[\]】〕］]\s*[:：]?\s*$")
# A label wrapper or label cell holds fewer characters than this (索 引 号： with its padding).
LABEL_MAX_CHARS = 20
# An unknown column in a header row of labels is a short word without digits (备注, 其他).
HEADER_WORD_CHARS = 6
_DIGIT = re.compile(r"\d")
_SPACE = re.compile(r"[ \xa0\u3000\u2002\u2003\u2009\r\f\v]")
_INNER_WS = re.compile(r"[ ]{2,}")
# Block elements a field's label can fill on its own (<div>索引号</div><div>…</div>, <li>文号：</li><li>…</li>);
# the containers of many rows (ul, table, body) never hold only a label.
LABEL_BLOCKS = frozenset(("div", "p", "li", "h4", "h5", "h6", "section"))
_BRACKET_CHARS = frozenset(LABEL_BRACKETS)


class _Join(str):
    """What a label element standing alone before its value's block writes instead of a line break: the
    value's block then opens on the label's line, as a cell does. A type of its own, so no page text can
    forge it."""


_JOIN = _Join("\t")


def _walk(el: HtmlElement, out: list[str], rules: Rules, header_rows: dict) -> None:
    tag = el.tag
    if not isinstance(tag, str) or tag in SKIP_TAGS:
        if el.tail:
            out.append(_tail(el))
        return
    if header_rows and tag == "tr" and el in header_rows:
        pairs = header_rows[el]
        if pairs:  # the label row: "label：\tvalue" for each column; its value row prints nothing
            out.append("\n" + "\t".join(f"{label}：\t{value}" for label, value in pairs) + "\n")
        if el.tail:
            out.append(_tail(el))
        return
    if tag in LABEL_BLOCKS and (label := _disclosure_label(el, rules)):
        # a block holding only a disclosure label: its value is the block after it
        out.append("\n" + label + "：")
        out.append(_JOIN)
        if el.tail and el.tail.strip():
            out.append(_tail(el))
        return
    if tag in BLOCK_TAGS:
        if not (out and isinstance(out[-1], _Join)):
            out.append("\n")
    elif tag in CELL_TAGS:
        out.append("\t")
    elif tag == "br":
        out.append("\n")
    if tag in CELL_TAGS:
        # A label-only cell becomes "label：" so the next cell reads as its value.
        text = el.text_content()
        if len(text) < 20:
            m = rules.cell_label_re.match(_BRACKETED.sub(r"\1", text))
            if m:
                out.append(m.group("label") + "：")
                out.append("\t")
                if el.tail:
                    out.append(_tail(el))
                return
        if len(text) <= rules.thresholds["layout_cell_chars"] and next(el.iterdescendants("table"), None) is None:
            # A data cell is one value, on its row's line even when written <td><p>…</p></td> or
            # 国务院关于印发<br>…的通知: a break inside it would cut the value at its first line.
            inner: list[str] = [_spaced(el.text)] if el.text else []
            for child in el:
                _walk(child, inner, rules, header_rows)
            value = "".join(inner)
            out.append(_CJK_BREAK.sub("", value).replace("\n", " ") if "\n" in value else value)
            if el.tail:
                out.append(_tail(el))
            return
    elif tag in LABEL_WRAPPERS:
        label = _disclosure_label(el, rules)
        if label:
            out.append(label + "：")
            if el.tail and el.tail.strip():
                out.append(_tail(el))
            elif (following := el.getnext()) is not None and following.tag in BLOCK_TAGS:
                out.append(_JOIN)   # <label>索引号：</label><div>…</div>: the value's block is on the label's line
            elif el.tail:
                out.append(_tail(el))
            return
        if el.text and out and not out[-1][-1:].isspace() and _opens_with_label(el.text, rules):
            # <span>作者：药效审评处</span><span>来源：农药检定所</span>: two fields the page's style sets
            # apart; written back to back they would read as one value running into the next label
            out.append("  ")
    if el.text:
        text = el.text
        if tag in INLINE_WRAPPERS and "\n" in text:
            # <small>来源：<span>⏎ 中国福彩网⏎ </span></small>: the source's line breaks around an inline
            # element's text are spaces in a browser, not the start of a line
            text = _EDGE_BREAKS.sub(" ", text)
        out.append(_text_before(text, el[0] if len(el) else None))
    for child in el:
        _walk(child, out, rules, header_rows)
    if tag in BLOCK_TAGS:
        out.append("\n")
    if el.tail:
        out.append(_tail(el))


def _opens_with_label(text: str, rules: Rules) -> bool:
    """The text starts with ``label：`` (a known label; cheap when there is no colon near its start)."""
    head = text.lstrip(" \t\r\n\xa0\u3000")[:LABEL_MAX_CHARS]
    return ("：" in head or ":" in head) and rules.label_re.match(head) is not None


def _spaced(text: str) -> str:
    """Whitespace-only text is one space: source indentation never breaks a line. Nor does the
    break between a credit label and its short value in one text node (``来源：`` + newline +
    ``央视网``, www.gov.cn's info bar), which a browser shows on one line."""
    if text.isspace():
        return " "
    if "\n" in text and ("：" in text or ":" in text):
        return _CREDIT_BREAK.sub(r"\1 ", text)
    return text


def _tail(el: HtmlElement) -> str:
    """The element's tail as rendered (_text_before the element that follows it)."""
    tail = el.tail or ""
    return _text_before(tail, el.getnext()) if "\n" in tail else _spaced(tail)


def _text_before(text: str, following: HtmlElement | None) -> str:
    """A text node as rendered, given the element after it.  A label whose value is an inline
    element written on a line of its own (``索引号：`` + newline + ``<font>PZ00103-…</font>``, Fujian's
    TRS disclosure box) stays on the value's line, as a browser shows it: only the break after the
    colon is joined, and only before an inline wrapper (never before a link: menus follow 分类：)."""
    if following is not None and "\n" in text and (following.tag in LABEL_WRAPPERS or _lone_credit_link(text, following)):
        label = text.rstrip()
        if label[-1:] in (":", "：") and "\n" in text[len(label):]:
            return label + " "
    return _spaced(text)


# A credit label whose value may be a link (来源：\n<a>中国日报网</a>: the publisher's home page).
_CREDIT_LABEL_RE = re.compile(r"(来源|稿源|出处|作者|记者|编辑|供稿)\s*[:：]\s*$")


# A credit label ending its line, the value alone (and short: not a paragraph) on the next.
_CREDIT_BREAK = re.compile(
    r"((?:^|(?<=\s))(?:来源|稿源|出处|作者|记者|编辑|供稿)[ \t\u3000\xa0]*[:：])[ \t\u3000\xa0]*\n\s*(?=[^\s:：][^\n:：]{0,23}(?:\n|$))")


def _lone_credit_link(text: str, link: HtmlElement) -> bool:
    """Whether the links after a credit label hold one text: that label's value, as a browser
    shows it. A menu after 分类： or 栏目： has several, and other labels never join a link."""
    if link.tag != "a" or not _CREDIT_LABEL_RE.search(text):
        return False
    # the link and what follows it (a bound: a hostile page repeats the pair thousands of times);
    # a logo's link before the name's has no text and does not count
    texts = [_short_text(a, LABEL_MAX_CHARS) for a in (link, *islice(link.itersiblings(), 12)) if a.tag == "a"]
    return sum(1 for t in texts if t is None or t.strip()) == 1  # None: longer than a label's value


def _short_text(el: HtmlElement, limit: int) -> str | None:
    """The element's text if shorter than *limit*, else None, reading no further than the limit:
    every inline element is asked, so a long or deeply nested one must not cost its whole text
    (text_content at each of 250 nested levels of a hostile page is quadratic)."""
    parts, size = [], 0
    for piece in el.itertext():
        size += len(piece)
        if size >= limit:
            return None
        parts.append(piece)
    return "".join(parts)


def _disclosure_label(el: HtmlElement, rules: Rules) -> str | None:
    """The label an inline wrapper holds when it holds only a disclosure-table label (labels.yaml),
    with or without a colon, bare or in brackets ([发文字号], 【发布日期】: Beijing's policy pages).
    Only those: 来源 or 作者 alone in a <b> can be prose."""
    head = el.text.lstrip() if el.text else ""
    if head and head[0] not in _LABEL_FIRST:
        return None  # most inline elements: one set lookup, no text gathered
    text = _short_text(el, LABEL_MAX_CHARS)
    if text is None:
        return None
    m = rules.cell_label_re.match(_BRACKETED.sub(r"\1", text))
    if m and canonical_label(rules, m.group("label")) in _DISCLOSURE:
        return m.group("label")
    return None


_DISCLOSURE = frozenset(load_labels().canonical.values())
# Characters a disclosure label can start with, as written (any form NFKC folds into its first
# character) or in brackets: a quick no for the thousands of other inline elements on a page.
_LABEL_FIRST = frozenset(c for written in load_labels().canonical for c in written_forms(written[0])) \
    | _BRACKET_CHARS


def _header_rows(root: HtmlElement, rules: Rules) -> dict:
    """Tables that put the labels in a header row and the values in the one row below
    (索取号 | 发布机构 | 文件编号 over 076…/2024-00112 | 上海市… | 沪卫…〔2024〕5号):
    {label row: [(label, value), …], value row: []}.

    Only a header row of short cells with at least two disclosure labels, over one row of as many
    cells, the only two rows of that width in the table: a list of documents under a 标题 |
    发布日期 header has many rows and is left alone, so its first (or last) entry never becomes
    the page's title or date."""
    found: dict = {}
    for table in root.iter("table"):
        rows = [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]
        cells = [[c for c in tr if c.tag in ("td", "th")] for tr in rows]
        # the only two rows of their width (found in one pass: no row-by-row rescans)
        first_of_width: dict[int, int] = {}
        last_of_width: dict[int, int] = {}
        for i, row_cells in enumerate(cells):
            first_of_width.setdefault(len(row_cells), i)
            last_of_width[len(row_cells)] = i
        for i in range(len(rows) - 1):
            width = len(cells[i])
            if len(cells[i + 1]) != width or first_of_width[width] != i or last_of_width[width] != i + 1:
                continue
            labels = _label_row(cells[i], rules)
            if labels is None or any(_is_label(c, rules) for c in cells[i + 1]):
                continue
            values = [_INNER_WS.sub(" ", _SPACE.sub(" ", c.text_content())).strip() for c in cells[i + 1]]
            found[rows[i]] = list(zip(labels, values))
            found[rows[i + 1]] = []
    return found


def _label_row(cells: list[HtmlElement], rules: Rules) -> list[str] | None:
    """The cells' texts when at least two hold a disclosure label and the others are empty or a
    short digit-free word (an unknown column: 备注).  A value among them ("索引号 |
    430000/2021-00871 | …") makes it a row of label/value pairs instead; so does a row below
    that holds a label (checked by the caller)."""
    if len(cells) < 2:
        return None
    texts = []
    for cell in cells:
        text = _short_text(cell, LABEL_MAX_CHARS)
        if text is None:
            return None  # a long cell is a value
        texts.append(_SPACE.sub(" ", text).strip(" \t\n:："))
    hits = 0
    for t in texts:
        m = rules.cell_label_re.match(t)
        if m is not None:
            hits += canonical_label(rules, m.group("label")) in _DISCLOSURE
        elif len(t) > HEADER_WORD_CHARS or _DIGIT.search(t):
            return None
    return texts if hits >= 2 else None


def _is_label(cell: HtmlElement, rules: Rules) -> bool:
    text = _short_text(cell, LABEL_MAX_CHARS)
    return text is not None and rules.cell_label_re.match(text) is not None


def render_lines(root: HtmlElement, rules: Rules) -> list[str]:
    """Non-empty, stripped text lines of the <body> (or the whole tree)."""
    body = root.find("body")
    out: list[str] = []
    _walk(body if body is not None else root, out, rules, _header_rows(root, rules))
    lines = []
    for raw in "".join(out).split("\n"):
        line = _SPACE.sub(" ", raw).strip(" \t")
        if line and _BRACKET_CHARS.intersection(line[:LABEL_MAX_CHARS * 4]):
            line = rules.bracketed_label_re.sub(r"\g<label>：", line)   # 【索引号】… reads 索引号：…
        if line:
            lines.append(line)
    return lines
