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

from .rules import Rules

_LINKS = XPath("//body//a")
_WS = re.compile(r"[\s\xa0\u3000]+")
# A sentence ends with these: a line without any is a candidate for list/spam debris.
_SENTENCE_END = re.compile(r"[。！？!?；;…”」』）)]")


def drop_containers(root: HtmlElement, rules: Rules, keep: HtmlElement | None = None) -> int:
    """Remove boilerplate containers in place; never an ancestor of *keep* (the title). Returns count."""
    protected: set[HtmlElement] = set()
    if keep is not None:
        protected = {keep, *keep.iterancestors()}
    removed = 0
    for xp in rules.drop_xpaths:
        for el in xp(root):
            if el in protected or el.getparent() is None or el.tag in ("html", "body"):
                continue
            el.drop_tree()
            removed += 1
    return removed


def link_texts(root: HtmlElement, max_chars: int) -> set[str]:
    """Whitespace-free texts of short links: lines equal to one are navigation or spam, not prose."""
    out = set()
    for a in _LINKS(root):
        t = _WS.sub("", a.text_content())
        if 1 < len(t) <= max_chars:
            out.add(t)
    return out


def is_metadata_line(line: str, rules: Rules) -> bool:
    """An info-bar or disclosure-table line: starts with a label and is short."""
    if len(line) > rules.thresholds["metadata_line_max_chars"]:
        return False
    m = rules.label_re.search(line)
    return bool(m) and m.start() <= 2


def clean_lines(
    text: str,
    rules: Rules,
    *,
    title: str | None = None,
    links: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """Body lines with boilerplate, metadata rows, title repeats and link debris removed."""
    title_norm = _WS.sub("", title or "")
    link_max = rules.thresholds["link_line_max_chars"]
    kept: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip(" \t\xa0\u3000")
        if not line:
            continue
        norm = _WS.sub("", line)
        if title_norm and norm == title_norm:
            continue
        if rules.boilerplate_re.search(line) or is_metadata_line(line, rules):
            continue
        if norm in links and len(norm) <= link_max and not _SENTENCE_END.search(line):
            continue
        kept.append(line)
    return _trim_tail(kept, rules)


def _trim_tail(lines: list[str], rules: Rules) -> list[str]:
    """Drop short sentence-less lines after the last real paragraph (SEO spam, tags, widgets)."""
    limit = rules.thresholds["tail_line_max_chars"]
    end = len(lines)
    while end > 1 and len(lines[end - 1]) <= limit and not _SENTENCE_END.search(lines[end - 1]):
        end -= 1
    return lines[:end] if end < len(lines) and end > 0 else lines
