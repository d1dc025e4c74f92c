"""Attachment links (PDF, Word, Excel, WPS, OFD) listed on a page."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from storage.links import http_url

# Files a page offers for download: recorded, fetched and versioned; the text of those crawler/attachments
# has a reader for (PDF, Word, Excel, WPS, OFD) is read, the others are kept with a reason.
ATTACHMENT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "et", "ppt", "pptx", "zip", "rar")
_EXTENSIONS = r"\.(pdf|docx?|xlsx?|wps|ofd|et|pptx?|zip|rar)"
_EXT = re.compile(_EXTENSIONS + "$", re.IGNORECASE)
# _EXT anywhere: a link without it (and no %-escape that could hide it) is not an attachment.
_MAYBE = re.compile(_EXTENSIONS, re.IGNORECASE)
_LINKS = etree.XPath("//a[@href] | //*[@onclick]")
# A file named in a script: javascript:downloadFile('/u/2023/a.pdf'), onclick="window.open('a.pdf')".
_QUOTED = re.compile(r"""['"]\s*([^'"\s<>]+?""" + _EXTENSIONS + r""")\s*['"]""", re.IGNORECASE)
# A page that shows a file named in its query (pdf.js's viewer.html?file=…): the file is the attachment.
_VIEWER = re.compile(r"\.s?html?$|/$", re.IGNORECASE)
_BASE = etree.XPath("//base/@href")
# A document shown in the page rather than linked: an <iframe>/<embed>/<object> (or its pdf.js viewer),
# and WebPlus's player, <div class="wp_pdf_player" pdfsrc="…pdf" sudyfile-attr="{'title':'名单.pdf'}">,
# which is often the whole of an article whose text is only in the PDF.
_EMBEDDED = etree.XPath("//iframe[@src] | //embed[@src] | //object[@data] | //*[@pdfsrc]")
# A PDF shown by a viewer script in the page's body: VSB's showVsbpdfIframe("/__local/…pdf", …),
# PDFObject.embed("a.pdf", "#box"), pdf.js loaders; a script that merely names a file is not enough.
_VIEWER_SCRIPTS = etree.XPath("//body//script[contains(translate(., 'PDF', 'pdf'), 'pdf')]")
_VIEWER_CALL = re.compile(r"""(?:pdf\w*|embed)\s*\(\s*['"]([^'"\s<>]{1,500}\.(?:pdf|ofd))['"]""", re.IGNORECASE)
MAX_VIEWER_SCRIPT = 20_000   # characters of a body script searched for a viewer call
# TRS writes a notice's files from a script: var file_appendix='<a href="./P0….docx">名单.docx</a>';
# document.write(…). A page fetched without running it shows no link: the <a> in the string is read.
_WRITING_SCRIPTS = etree.XPath("//body//script[contains(., '<a') or contains(., '<A')]")
_WRITTEN_LINK = re.compile(
    r"""<a\s[^<>]{0,300}?href\s*=\s*\\?["']([^"'\\<>\s]{1,500}?""" + _EXTENSIONS
    + r""")\\?["'][^<>]{0,300}>([^<>]{0,200})</a>""", re.IGNORECASE)
_SHOWN_TITLE = re.compile(r"""['"]title['"]\s*:\s*['"]([^'"]{1,200})['"]""")
MAX_NAME = 200  # characters of a scripted element's text kept as the file's name
_SPACE = re.compile(r"\s+")


def _kind(href: str, text: str) -> str | None:
    path = unquote(urlsplit(href).path)
    m = _EXT.search(path) or _EXT.search(text.strip())
    return m.group(1).lower() if m else None


def _in_query(href: str) -> tuple[str, str] | None:
    """(the link, the kind) for a download script named by its query (downfile.jsp?filename=a.pdf),
    or (the file, the kind) for a viewer page showing a file (viewer.html?file=/u/a.pdf)."""
    parts = urlsplit(href)
    for _name, value in parse_qsl(parts.query):
        m = _EXT.search(urlsplit(value := value.strip()).path)
        if m:
            shown = _VIEWER.search(parts.path) is not None  # pdf.js resolves the file against the viewer's URL
            return (urljoin(href, value) if shown else href), m.group(1).lower()
    return None


def _plain_href(a: HtmlElement) -> str:
    href = (a.get("href") or "").strip() if a.tag == "a" else ""
    return "" if href.lower().startswith(("javascript:", "mailto:", "#")) else href


def _linked(a: HtmlElement) -> tuple[str, str, str] | None:
    """(the file's URL as written, its kind, the link's text) for a link whose href names an
    attachment in its path, its text or its query."""
    href = _plain_href(a)
    if not href:
        return None
    raw_text = a.text_content()
    if "%" not in href and not _MAYBE.search(href) and not _MAYBE.search(raw_text):
        return None  # most links: no attachment extension anywhere, so no need to split the URL
    text = _SPACE.sub(" ", raw_text).strip()
    kind = _kind(href, text)
    if kind is not None:
        return href, kind, text
    in_query = _in_query(href)
    return (*in_query, text) if in_query else None


# A download endpoint that names no extension (Epoint's attachdown.jspx?attachGuid=…, /api/attach/preview?
# attachId=…, downfile.jsp?fileId=…): an attachment only inside an attachment block (a container whose class or
# id says so, or after a 附件 label), since the same endpoints serve images and previews elsewhere.
_DOWNLOAD_URL = re.compile(r"attach|download|downfile|filedown|getfile|fujian|[?&](?:file|fj)(?:id|guid)=", re.IGNORECASE)
_ATTACHMENT_BLOCK = re.compile(r"attach|fujian|(?:^|[\s_-])(?:fj|xgfj|files?|download)(?:$|[\s_-])", re.IGNORECASE)
_ATTACHMENT_LABEL = re.compile(r"附\s*件\s*\d*\s*[:：]?\s*$")
BLOCK_LEVELS = 4          # how far up an attachment block may wrap the link


def _in_attachment_block(a: HtmlElement) -> bool:
    for level, el in enumerate(a.iterancestors()):
        if level >= BLOCK_LEVELS:
            break
        if _ATTACHMENT_BLOCK.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            return True
    before = a.getprevious()
    text = (before.tail if before is not None else (a.getparent().text if a.getparent() is not None else "")) or ""
    if before is not None and not text.strip():
        text = before.text_content()
    return bool(_ATTACHMENT_LABEL.search(text.strip()[-12:])) if text.strip() else False


def _unnamed_download(a: HtmlElement) -> tuple[str, None, str] | None:
    """(the link, no kind, its text) for a download endpoint in an attachment block (the bytes tell its kind)."""
    href = _plain_href(a)
    if not href or not _DOWNLOAD_URL.search(href) or _VIEWER.search(urlsplit(href).path):
        return None  # a page (an app's download.html) is no file
    text = _SPACE.sub(" ", a.text_content()).strip()
    return (href, None, text) if text and _in_attachment_block(a) else None


def _scripted(a: HtmlElement) -> tuple[str, str, str] | None:
    """The same for an element whose script (a javascript: href, an onclick) names a file in quotes."""
    if _plain_href(a):
        return None
    script = " ".join(v for v in (a.get("href") if a.tag == "a" else None, a.get("onclick")) if v)
    m = _QUOTED.search(script) if _MAYBE.search(script) else None
    # the element may be a whole row or block: its text names the file, within a link text's length
    return (m.group(1), m.group(2).lower(), _SPACE.sub(" ", a.text_content()).strip()[:MAX_NAME]) if m else None


def _embedded(el: HtmlElement) -> tuple[str, str, str] | None:
    """The same for a document the page shows in place (an iframe, embed, object or PDF player)."""
    src = (el.get("pdfsrc") or el.get("src") or el.get("data") or "").strip()
    if not src or src.lower().startswith(("javascript:", "data:", "#")):
        return None
    title = _SHOWN_TITLE.search(el.get("sudyfile-attr") or "")
    name = title.group(1) if title else (el.get("title") or "")
    kind = _kind(src, "")
    if kind is not None:
        return src, kind, name
    in_query = _in_query(src)
    return (*in_query, name) if in_query else None


def _viewed(script: HtmlElement) -> tuple[str, str, str] | None:
    """The same for a PDF a viewer script in the body shows (its name: the file's)."""
    m = _VIEWER_CALL.search((script.text or "")[:MAX_VIEWER_SCRIPT])
    return (m.group(1), m.group(1).rsplit(".", 1)[1].lower(), "") if m else None


def _written(script: HtmlElement) -> list[tuple[str, str, str]]:
    """The same for each file a body script writes as an <a> in a string (TRS's file_appendix)."""
    text = (script.text or "")[:MAX_VIEWER_SCRIPT]
    return [(m.group(1), m.group(2).lower(), _SPACE.sub(" ", m.group(3)).strip()) for m in _WRITTEN_LINK.finditer(text)]


def find_attachments(root: HtmlElement, url: str | None = None) -> list[dict]:
    """[{"name", "url" (absolute), "type"}] for every attachment link, de-duplicated by URL: an
    href naming the file (in its path, its text or its query), a script naming it in quotes
    (a javascript: href, an onclick on a link or a table row), a link a body script writes, a document shown in place
    (an iframe, embed or object, a pdf.js viewer's ?file=, WebPlus's pdfsrc player), or a download
    endpoint naming no extension inside an attachment block (its type None: the bytes tell).

    Only http(s) links are kept (storage/links.py): the URL becomes an `<a href>` on the
    published site, so `JavaScript:`, `java&#9;script:`, `data:` and the like never get in.
    Without a page URL (`govwatch extract` on a file) a relative link stays relative, which
    cannot carry a scheme.
    """
    base_href = _BASE(root)
    base = urljoin(url or "", base_href[0].strip()) if base_href else (url or "")
    seen: set[str] = set()
    out: list[dict] = []
    links = _LINKS(root)
    # links first, then scripts, then shown documents: a row whose onclick opens the file its link
    # names is named by the link, and so is a shown PDF that a 下载 link also names
    linked = [(a, _linked(a)) for a in links]
    for a, (href, kind, text) in [(a, found) for a, found in linked if found] + \
                                 [(a, found) for a in links if (found := _scripted(a))] + \
                                 [(a, found) for a in _EMBEDDED(root) if (found := _embedded(a))] + \
                                 [(s, found) for s in _VIEWER_SCRIPTS(root) if (found := _viewed(s))] + \
                                 [(s, found) for s in _WRITING_SCRIPTS(root) for found in _written(s)] + \
                                 [(a, found) for a, named in linked if not named and (found := _unnamed_download(a))]:
        absolute = http_url(href, base) if base else _relative(href)
        if absolute is None or absolute in seen:
            continue
        seen.add(absolute)
        out.append({"name": _display_name(a, text, absolute), "url": absolute, "type": kind})
    return out


_STORED_NAME = re.compile(r"[0-9A-Fa-f_-]{8,}|P?\d{6,}(?:_\d+)?|\d{4}[-_]\d{2}[-_]\d{2}[-_]?\d*", re.IGNORECASE)
_LEGEND = etree.XPath("ancestor::fieldset[1]/legend")


def _display_name(a: HtmlElement, text: str, url: str) -> str:
    """What the file is called: the link's text, unless it only repeats the name the server stores the
    file under (EmpireCMS shows ``559cef91….doc`` and puts 附件一.doc in the title and the box's
    <legend>); then the title, then the legend, if either says more."""
    stored = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    shown = text.strip()
    if shown and shown != stored and not _STORED_NAME.fullmatch(shown.rsplit(".", 1)[0]):
        return shown
    legend = _LEGEND(a)
    for other in (a.get("title") or "", legend[0].text_content() if legend else ""):
        other = _SPACE.sub(" ", other).strip()[:MAX_NAME]
        if other and other != stored and not _STORED_NAME.fullmatch(other.rsplit(".", 1)[0]):
            return other
    return shown or stored


_NOWHERE = "http://relative.invalid/"


def _relative(href: str) -> str | None:
    """A link kept as written when there is no page to resolve it against: one that stays on the
    page's own site once resolved (no scheme, no other host) is safe as a relative href, and an
    absolute http(s) URL needs no page (a file server's http://tfile…/x.doc beside a notice)."""
    if href.strip()[:8].lower().startswith(("http://", "https://")):
        return http_url(href, href)
    resolved = http_url(href, _NOWHERE)
    return href.strip() if resolved and urlsplit(resolved).netloc == urlsplit(_NOWHERE).netloc else None


def attachment_text(data: bytes, kind: str) -> str | None:
    """Plain text of an attachment, else None: what crawler.attachments reads (one reader per
    format, size-, time- and memory-limited), kept under this name for its callers."""
    from crawler.attachments import read_attachment

    return read_attachment(data, kind).text
