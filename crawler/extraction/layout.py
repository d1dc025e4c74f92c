"""Turn layout tables into divs so the main-text extractor sees paragraphs, not grid rows.

Old portals (2000s news sites, many county gov sites) lay out the whole page
with nested tables; trafilatura then emits every menu cell as a ``| … |`` row.
A table is "layout" when it nests another table or holds a long cell; data
tables (disclosure tables, statistics) have neither and are left alone.
"""
from __future__ import annotations

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
