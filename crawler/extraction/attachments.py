"""Attachment links (PDF, Word, Excel, WPS, OFD) listed on a page."""
from __future__ import annotations

import re
import zipfile
from io import BytesIO
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


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def attachment_text(data: bytes, kind: str) -> str | None:
    """Plain text of an attachment where the installed libraries allow it, else None.

    DOCX is read here (a zip of XML).  PDF needs pdfminer.six (preferred: it maps CID fonts to
    Unicode, which Chinese PDFs need) or pypdf; neither ships with govwatch yet, so without them
    PDF returns None.  DOC, WPS, OFD and Excel are not supported.
    """
    kind = kind.lower()
    if kind == "pdf":
        return _pdf_text(data)
    if kind != "docx":
        return None
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            xml = z.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        return None
    doc = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    paras = []
    for p in doc.iter(_W + "p"):
        text = "".join(t.text or "" for t in p.iter(_W + "t")).strip()
        if text:
            paras.append(text)
    return "\n".join(paras)


def _pdf_text(data: bytes) -> str | None:
    """PDF text with whichever PDF library is installed; None without one or for a broken file."""
    try:
        from pdfminer.high_level import extract_text
    except ImportError:
        extract_text = None
    try:
        if extract_text is not None:
            text = extract_text(BytesIO(data))
        else:
            try:
                from pypdf import PdfReader
            except ImportError:
                return None
            text = "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)
    except Exception:  # noqa: BLE001 - malformed PDFs raise all sorts of library errors; no text is the answer
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n".join(lines) or None
