"""Render an lxml tree as text lines, the way a reader sees the page.

Block elements break lines; table cells and dt/dd stay on their row's line,
separated by a tab, and a cell holding only a known label gets a colon so
``<td>索引号</td><td>…</td>`` reads like ``索引号：…``.  Metadata, title and
date finding all work on these lines, so the tree is walked once.
"""
from __future__ import annotations

import re

from lxml.html import HtmlElement

from .rules import Rules

BLOCK_TAGS = frozenset(
    "address article aside blockquote body center details dialog div dl fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary table tbody thead "
    "tfoot tr ul title option select".split()
)
CELL_TAGS = frozenset(("td", "th", "dt", "dd"))
SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "iframe", "svg", "head", "object", "embed", "textarea"))
_SPACE = re.compile(r"[ \xa0\u3000\u2002\u2003\u2009\r\f\v]")
_INNER_WS = re.compile(r"[ ]{2,}")


def _walk(el: HtmlElement, out: list[str], rules: Rules) -> None:
    tag = el.tag
    if not isinstance(tag, str) or tag in SKIP_TAGS:
        if el.tail:
            out.append(el.tail)
        return
    if tag in BLOCK_TAGS:
        out.append("\n")
    elif tag in CELL_TAGS:
        out.append("\t")
    elif tag == "br":
        out.append("\n")
    if tag in CELL_TAGS:
        # A label-only cell becomes "label：" so the next cell reads as its value.
        text = el.text_content()
        if len(text) < 20:
            m = rules.cell_label_re.match(text)
            if m:
                out.append(m.group("label") + "：")
                out.append("\t")
                if el.tail:
                    out.append(el.tail)
                return
    if el.text:
        out.append(el.text)
    for child in el:
        _walk(child, out, rules)
    if tag in BLOCK_TAGS:
        out.append("\n")
    if el.tail:
        out.append(el.tail)


def render_lines(root: HtmlElement, rules: Rules) -> list[str]:
    """Non-empty, stripped text lines of the <body> (or the whole tree)."""
    body = root.find("body")
    out: list[str] = []
    _walk(body if body is not None else root, out, rules)
    lines = []
    for raw in "".join(out).split("\n"):
        line = _SPACE.sub(" ", raw).strip(" \t")
        if line:
            lines.append(line)
    return lines
