"""Lists shipped inside the page as a script data island, as Hanweb (大汉) jpage columns do.

Those pages carry the records as ``<script type="text/xml"><datastore><recordset><record><![CDATA[<li>…</li>]]>
</record>…`` and render them with JavaScript; without this the page shows no list at all. The CDATA blocks
are parsed and put where the script was, so the list reader sees ordinary markup. Scanning uses
``str.find`` (linear, no regex backtracking) over at most MAX_ISLAND characters per script.

The later groups of such a column come from ``dataproxy.jsp`` (jpage.py) as a bare datastore document; it is
read by ``record_group`` as a page holding only those records, one element each under GROUP_RECORDS.
"""
from __future__ import annotations

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

MAX_ISLAND = 1_000_000
MAX_RECORDS = 2000
_OPEN, _CLOSE = "<![CDATA[", "]]>"
GROUP_RECORDS = "/html/body/div/*"   # the records of a page built by record_group
_XML_HEAD = 512                      # characters an XML declaration and whitespace may take before <datastore>


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


def _records(blocks: list[str]) -> HtmlElement | None:
    """The records of CDATA blocks as children of one ``<div class="datastore">`` (None: no element)."""
    try:
        fragments = lxml.html.fragments_fromstring("".join(blocks))
    except (etree.ParserError, ValueError):
        return None
    island = lxml.html.Element("div", {"class": "datastore"})
    for frag in fragments:
        if not isinstance(frag, str):
            island.append(frag)
    return island if len(island) else None


def record_group(text: str) -> HtmlElement | None:
    """A page holding only the records of a bare datastore document (a jpage ``dataproxy.jsp`` answer), or
    None when *text* is not one. The HTML parser cannot read it as it comes: CDATA is not HTML."""
    head = text[:_XML_HEAD].lstrip("\ufeff \t\r\n")
    if head.startswith("<?xml"):
        head = head[head.find("?>") + 2:].lstrip()
    if not head.startswith("<datastore"):
        return None
    records = _records(_cdata_blocks(text[:MAX_ISLAND]))
    page = lxml.html.Element("html")
    body = lxml.html.Element("body")
    page.append(body)
    if records is not None:
        body.append(records)
    return page


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
        island = _records(_cdata_blocks(text))
        parent = script.getparent()
        if parent is not None and island is not None:
            island.tail = script.tail
            parent.replace(script, island)
            replaced += 1
    return replaced
