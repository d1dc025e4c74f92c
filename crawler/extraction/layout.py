"""Turn layout tables into divs so the main-text extractor sees paragraphs, not grid rows.

Old portals (2000s news sites, many county gov sites) lay out the whole page
with nested tables; trafilatura then emits every menu cell as a ``| … |`` row.
A table is "layout" when it nests another table or holds a long cell; data
tables (disclosure tables, statistics) have neither and are left alone.
"""
from __future__ import annotations

import re

from lxml.html import HtmlElement

_TABLE_PARTS = ("table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption")


def _is_layout(table: HtmlElement, long_cell: int) -> bool:
    if next(table.iterdescendants("table"), None) is not None:
        return True
    for cell in table.iterdescendants("td", "th"):
        if len(cell.text_content()) > long_cell:
            return True
    return False


def unwrap_layout_tables(root: HtmlElement, long_cell: int = 200) -> int:
    """Retag layout tables (and their rows/cells, not nested data tables) as divs. Returns count."""
    layout = [t for t in root.iter("table") if _is_layout(t, long_cell)]
    for table in layout:
        for el in [table, *table.iterdescendants(*_TABLE_PARTS)]:
            # stop at nested data tables: only retag parts owned by a layout table
            owner = el if el.tag == "table" else next(el.iterancestors("table", "div"), None)
            if el.tag == "table" and el not in layout:
                continue
            if el.tag != "table" and owner is not None and owner.tag == "table" and owner not in layout:
                continue
            el.tag = "div"
            for attr in ("width", "height", "colspan", "rowspan", "cellpadding", "cellspacing", "border"):
                el.attrib.pop(attr, None)
    return len(layout)


_BLOCK_CHILDREN = frozenset(("p", "div", "table", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                             "pre", "section", "article", "center", "form", "hr"))
_LOOSE_CONTAINERS = ("div", "td")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_LOOSE_RUNS = 2000   # paragraphs a page may gain: each is one element made


def wrap_loose_text(root: HtmlElement) -> int:
    """Wrap text standing loose beside block elements in paragraphs of their own, as a browser lays
    it out in anonymous blocks: a cell whose first paragraph is its bare text, then <P>…, then a small
    table and more bare text. trafilatura drops such a container's own text once it holds blocks
    (realpages cw13 lost its first paragraph and the one after an inline ad table). A run is the text
    and the inline elements up to the next block child. Returns the paragraphs made."""
    made = 0
    for container in list(root.iter(*_LOOSE_CONTAINERS)):
        if made >= MAX_LOOSE_RUNS:
            break
        made += _wrap_runs(container)
    return made


def _is_block(el: HtmlElement) -> bool:
    return isinstance(el.tag, str) and el.tag in _BLOCK_CHILDREN


def _wrap_runs(container: HtmlElement) -> int:
    """The paragraphs made in one container (0 when no loose text stands beside its blocks)."""
    children = list(container)
    if len(children) > MAX_LOOSE_RUNS:
        return 0   # a hostile box of 100,000 children is left as it is
    blocks = [c for c in children if _is_block(c)]
    if not blocks or not ((container.text or "").strip() or any((c.tail or "").strip() for c in blocks)):
        return 0   # no blocks, or no loose text beside them (inline elements between blocks stay as they are)
    rebuilt: list[HtmlElement] = []
    runs: list[tuple[str, list[HtmlElement]]] = []
    text, inline = container.text or "", []
    for child in children:
        if _is_block(child):
            runs.append((text, inline))
            text, inline = child.tail or "", []
            child.tail = None
            runs.append(("", [child]))
        else:
            inline.append(child)
    runs.append((text, inline))
    container.text = None
    for child in children:
        container.remove(child)   # detached first: making a paragraph moves its inline members
    made = 0
    for lead, members in runs:
        if len(members) == 1 and _is_block(members[0]):
            rebuilt.append(members[0])
        elif lead.strip() or any(isinstance(m.tag, str) for m in members):
            p = container.makeelement("p", {})
            p.text = _XML_UNSAFE.sub("", lead)   # lxml sets no control character the parser let through
            p.extend(members)
            rebuilt.append(p)
            made += 1
        else:
            rebuilt.extend(members)   # comments and whitespace between blocks
    container.extend(rebuilt)
    return made
