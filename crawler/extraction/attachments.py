"""Attachment links (PDF, Word, Excel, WPS, OFD) listed on a page."""
from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from storage.links import http_url

ATTACHMENT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "et", "zip", "rar")
_RECORDED = frozenset(("pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd"))
_EXTENSIONS = r"\.(pdf|docx?|xlsx?|wps|ofd)"
_EXT = re.compile(_EXTENSIONS + "$", re.IGNORECASE)
# _EXT anywhere: a link without it (and no %-escape that could hide it) is not an attachment.
_MAYBE = re.compile(_EXTENSIONS, re.IGNORECASE)
_LINKS = etree.XPath("//a[@href]")
_BASE = etree.XPath("//base/@href")
_SPACE = re.compile(r"\s+")


def _kind(href: str, text: str) -> str | None:
    path = unquote(urlsplit(href).path)
    m = _EXT.search(path) or _EXT.search(text.strip())
    return m.group(1).lower() if m else None


def find_attachments(root: HtmlElement, url: str | None = None) -> list[dict]:
    """[{"name", "url" (absolute), "type"}] for every attachment link, de-duplicated by URL.

    Only http(s) links are kept (storage/links.py): the URL becomes an `<a href>` on the
    published site, so `JavaScript:`, `java&#9;script:`, `data:` and the like never get in.
    Without a page URL (`govwatch extract` on a file) a relative link stays relative, which
    cannot carry a scheme.
    """
    base_href = _BASE(root)
    base = urljoin(url or "", base_href[0].strip()) if base_href else (url or "")
    seen: set[str] = set()
    out: list[dict] = []
    for a in _LINKS(root):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        raw_text = a.text_content()
        if "%" not in href and not _MAYBE.search(href) and not _MAYBE.search(raw_text):
            continue  # most links: no attachment extension anywhere, so no need to split the URL
        text = _SPACE.sub(" ", raw_text).strip()
        kind = _kind(href, text)
        if kind is None:
            continue
        absolute = http_url(href, base) if base else _relative(href)
        if absolute is None or absolute in seen:
            continue
        seen.add(absolute)
        name = text or a.get("title") or unquote(urlsplit(absolute).path.rsplit("/", 1)[-1])
        out.append({"name": name.strip(), "url": absolute, "type": kind})
    return out


_NOWHERE = "http://relative.invalid/"


def _relative(href: str) -> str | None:
    """A link kept as written when there is no page to resolve it against: only one that stays
    on the page's own site once resolved (no scheme, no other host) is safe as a relative href."""
    resolved = http_url(href, _NOWHERE)
    return href.strip() if resolved and urlsplit(resolved).netloc == urlsplit(_NOWHERE).netloc else None


def attachment_text(data: bytes, kind: str) -> str | None:
    """Plain text of an attachment, else None: what crawler.attachments reads (one reader per
    format, size-, time- and memory-limited), kept under this name for its callers."""
    from crawler.attachments import read_attachment

    return read_attachment(data, kind).text
