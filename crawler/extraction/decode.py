"""Bytes → str for Chinese pages, robust to missing or lying charset labels.

Why not just trust the header: many Chinese gov sites serve GBK bytes with
``charset=UTF-8`` (or the reverse), and GB2312/GBK labels routinely cover
characters only GB18030 has.  So every candidate is *tried* and the one that
decodes with the fewest errors wins, in order of how much we trust it.
"""
from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.IGNORECASE)
_SNIFF_BYTES = 4096
# Encodings that are subsets of GB18030: decode them all as GB18030.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "euc-cn", "hz-gb-2312", "gb_2312-80", "csgb2312", "x-euc-cn"}
# Fraction of undecodable characters still treated as "clean" (truncated pages, stray bytes).
MAX_ERROR_RATE = 0.002


def normalise_encoding(name: str | None) -> str | None:
    """Canonical codec name, GB family → gb18030, unknown → None."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    if name in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    if canonical in ("gbk", "gb2312", "hz"):
        return "gb18030"
    # Latin-1 labels on Chinese pages are nearly always wrong; windows-1252 is the web's meaning anyway.
    if canonical in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return canonical


def sniff_meta_charset(body: bytes) -> str | None:
    """Encoding from <meta charset>, <meta http-equiv> or the XML declaration."""
    head = body[:_SNIFF_BYTES]
    m = _META_CHARSET.search(head) or _XML_DECL.search(head)
    return normalise_encoding(m.group(1).decode("ascii", "ignore")) if m else None


def _bom(body: bytes) -> str | None:
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _error_rate(body: bytes, encoding: str) -> tuple[float, str]:
    """Decode with replacement; return (share of replacement chars among non-ASCII chars, text)."""
    try:
        text = body.decode(encoding)
        return 0.0, text
    except UnicodeDecodeError:
        pass
    except LookupError:
        return 1.0, ""
    text = body.decode(encoding, errors="replace")
    bad = text.count("\ufffd")
    non_ascii = sum(1 for ch in text if ord(ch) > 127) or 1
    return bad / non_ascii, text


def _looks_utf8(body: bytes) -> bool:
    """True when the bytes hold multibyte UTF-8 sequences and decode cleanly: GBK text almost never does."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(ord(ch) > 127 for ch in text[:20000]) or len(text) == len(body)


def decode_html(body: bytes, declared_encoding: str | None = None) -> str:
    """Bytes → str: HTTP charset if plausible, else <meta>, else detection; GBK/GB2312 → GB18030.

    A label is "plausible" when the bytes decode under it with (almost) no
    errors.  GB18030 accepts most byte strings, so a GB label on bytes that are
    valid multibyte UTF-8 is overruled by UTF-8 (the common charset lie).
    """
    if isinstance(body, str):
        return body
    bom = _bom(body)
    if bom:
        return body.decode(bom, errors="replace")
    candidates: list[str] = []
    for enc in (normalise_encoding(declared_encoding), sniff_meta_charset(body), "utf-8", "gb18030"):
        if enc and enc not in candidates:
            candidates.append(enc)
    if candidates[0] == "gb18030" and _looks_utf8(body):
        candidates.remove("utf-8")
        candidates.insert(0, "utf-8")
    best: tuple[float, str] | None = None
    for enc in candidates:
        rate, text = _error_rate(body, enc)
        if rate <= MAX_ERROR_RATE:
            return text
        if best is None or rate < best[0]:
            best = (rate, text)
    detected = _detect(body)
    if detected and detected not in candidates:
        rate, text = _error_rate(body, detected)
        if best is None or rate < best[0]:
            best = (rate, text)
    return best[1] if best else body.decode("utf-8", errors="replace")


def _detect(body: bytes) -> str | None:
    """Statistical detection, last resort only (it is slow on big pages)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover
        return None
    match = from_bytes(body[:200_000]).best()
    return normalise_encoding(match.encoding) if match else None


# An </html> or </body> end tag, however cased ([hH]… rather than IGNORECASE: the search keeps its "</" prefix scan).
_DOCUMENT_END = re.compile(r"</(?:[hH][tT][mM][lL]|[bB][oO][dD][yY])\s*>")


def whole_document(html: str) -> str:
    """The page without the ``</body>`` and ``</html>`` end tags that content follows.

    Pages assembled from fragments close the document in an included header: www.gov.cn's policy
    pages carry the header's ``</body></html>`` before the article. A browser ignores such tags and
    shows what follows in the body; libxml2 2.14's HTML parser (lxml 6) ends the document at
    ``</html>``, so the article was not in the tree at all, and puts what follows a ``</body>``
    beside the body, where nothing that reads the body sees it. The parser closes both at the end of
    the input anyway, so the tags are dropped. One scan to the first such tag; a copy only when
    content follows it.
    """
    end = _DOCUMENT_END.search(html)
    if end is None or not html[end.end():].lstrip().lower().replace("</html>", "").strip():
        return html
    return _DOCUMENT_END.sub("", html)
