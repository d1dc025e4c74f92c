"""Lists shipped inside the page as a script data island, as Hanweb (大汉) jpage columns do.

Those pages carry the records as ``<script type="text/xml"><datastore><recordset><record><![CDATA[<li>…</li>]]>
</record>…`` and render them with JavaScript; without this the page shows no list at all. The CDATA blocks
are parsed and put where the script was, so the list reader sees ordinary markup. Scanning uses
``str.find`` (linear, no regex backtracking) over at most MAX_ISLAND characters per script.
"""
from __future__ import annotations

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

MAX_ISLAND = 1_000_000
MAX_RECORDS = 2000
_OPEN, _CLOSE = "<![CDATA[", "]]>"


def _cdata_blocks(text: str) -> list[str]:
    blocks: list[str] = []
    pos = 0
    while len(blocks) < MAX_RECORDS:
        start = text.find(_OPEN, pos)
        if start < 0:
            break
        end = text.find(_CLOSE, start + len(_OPEN))
        if end < 0:
            break
        blocks.append(text[start + len(_OPEN):end])
        pos = end + len(_CLOSE)
    return blocks


def inline_data_islands(root: HtmlElement) -> int:
    """Replace each ``<script type="text/xml">`` holding a record set by a ``<div>`` of its records;
    returns how many scripts were replaced."""
    replaced = 0
    for script in list(root.iter("script")):
        if (script.get("type") or "").lower() not in ("text/xml", "application/xml"):
            continue
        text = (script.text or "")[:MAX_ISLAND]
        if "<record" not in text:
            continue
        blocks = _cdata_blocks(text)
        if not blocks:
            continue
        try:
            fragments = lxml.html.fragments_fromstring("".join(blocks))
        except (etree.ParserError, ValueError):
            continue
        island = lxml.html.Element("div", {"class": "datastore"})
        for frag in fragments:
            if isinstance(frag, str):
                continue
            island.append(frag)
        parent = script.getparent()
        if parent is not None and len(island):
            island.tail = script.tail
            parent.replace(script, island)
            replaced += 1
    return replaced
