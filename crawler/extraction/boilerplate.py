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
_QUESTION_OR_STOP = re.compile(r"[。？！?!]")
_SENTENCE_END = re.compile(r"[。！？!?；;…”」』）)]")


def drop_containers(root: HtmlElement, rules: Rules, keep: HtmlElement | None = None) -> int:
    """Remove boilerplate containers in place; never an ancestor of *keep* (the title). Returns count.

    One pass over the tree with precompiled class/id regexes: far cheaper than
    one ``//*[contains(@class, …)]`` XPath scan per rule.
    """
    protected: set[HtmlElement] = set()
    if keep is not None:
        protected = {keep, *keep.iterancestors()}
    doomed: list[HtmlElement] = [el for el in root.iter(*rules.drop_tags)] if rules.drop_tags else []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        cls, ident = el.get("class"), el.get("id")
        if not cls and not ident:
            continue
        key = f"{cls or ''} {ident or ''}"
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


_ROW_RULE = re.compile(r"^[\s|:-]+$")


def _table_row(line: str, rules: Rules) -> str:
    """A ``| a | b |`` row from trafilatura: "" for rule rows and metadata rows, else the cells joined."""
    if _ROW_RULE.match(line):
        return ""
    cells = [c.strip() for c in line.strip("|").split(" | ")]
    cells = [c for c in cells if c]
    for cell in cells:
        if rules.cell_label_re.match(cell) or is_metadata_line(cell, rules):
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


def is_metadata_line(line: str, rules: Rules) -> bool:
    """An info-bar or disclosure-table line: starts with a label and is short."""
    if len(line) > rules.thresholds["metadata_line_max_chars"] or _QUESTION_OR_STOP.search(line):
        return False  # "记者：……？" in an interview is prose, not a byline field
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
        if line.startswith("|") and line.endswith("|"):
            line = _table_row(line, rules)
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
    return kept
