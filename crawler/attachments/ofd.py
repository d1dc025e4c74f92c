"""OFD (GB/T 33190, China's fixed-layout e-document format) text: a zip of XML pages.

Hand-written because the one maintained Python package, easyofd, cannot be pointed at hostile
bytes: it writes the file into the working directory and unpacks every member onto disk
before parsing (no size check, so a zip bomb fills the disk), inserts the working directory
into sys.path on import, and pulls in PyMuPDF for rendering we do not need. Reading the text is
small: OFD.xml names the document, Document.xml lists its pages, and each page's Content.xml
holds TextObject elements whose TextCode children are the characters, placed at (X, Y).
Characters on one baseline become one line.
"""

from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

from .limits import ReadLimits
from .reading import UNREADABLE, AttachmentReading, from_lines
from .sniff import OFD, UnsafeContainer, open_zip

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _xml(z: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(z.read(name.lstrip("/")), parser=_PARSER)


def _child_text(root: etree._Element, name: str) -> str | None:
    for el in root.iter():
        if _local(el.tag) == name and (el.text or "").strip():
            return el.text.strip()
    return None


def _resolve(base_dir: str, loc: str) -> str:
    """A location inside the package: absolute ("/Doc_0/…") or relative to the referring file."""
    return posixpath.normpath(loc.lstrip("/") if loc.startswith("/") else posixpath.join(base_dir, loc))


def _floats(value: str | None, count: int) -> list[float]:
    try:
        parts = [float(p) for p in (value or "").split()]
    except ValueError:
        return [0.0] * count
    return (parts + [0.0] * count)[:count]


def page_lines(content: etree._Element) -> list[str]:
    """The page's text, one line per baseline, top to bottom, left to right."""
    pieces: list[tuple[float, float, str]] = []
    for obj in content.iter():
        if _local(obj.tag) != "TextObject":
            continue
        left, top = _floats(obj.get("Boundary"), 2)
        for code in obj:
            if _local(code.tag) != "TextCode" or not code.text:
                continue
            x, y = _floats(f"{code.get('X', '0')} {code.get('Y', '0')}", 2)
            pieces.append((round(top + y, 1), left + x, code.text))
    pieces.sort(key=lambda p: (p[0], p[1]))
    lines: list[str] = []
    baseline = None
    for y, _x, text in pieces:
        if baseline is None or abs(y - baseline) > 1.0:
            lines.append("")
            baseline = y
        lines[-1] += text
    return lines


def read_ofd(data: bytes, limits: ReadLimits) -> AttachmentReading:
    """Every page's text, in the order Document.xml lists the pages."""
    try:
        z = open_zip(data, limits)
        root = _xml(z, "OFD.xml")
        doc_root = _child_text(root, "DocRoot")
        if not doc_root:
            return AttachmentReading(UNREADABLE, OFD, None, "corrupt OFD (OFD.xml names no DocRoot)")
        doc_path = _resolve("", doc_root)
        document = _xml(z, doc_path)
        lines: list[str] = []
        pages = [el.get("BaseLoc") for el in document.iter() if _local(el.tag) == "Page" and el.get("BaseLoc")]
        for loc in pages[: limits.max_pages]:
            lines.extend(page_lines(_xml(z, _resolve(posixpath.dirname(doc_path), loc))))
    except UnsafeContainer as e:
        return AttachmentReading(UNREADABLE, OFD, None, f"OFD over the read budget: {e}")
    except (MemoryError, RecursionError):
        raise
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError, OSError) as e:
        return AttachmentReading(UNREADABLE, OFD, None, f"corrupt OFD ({type(e).__name__})")
    return from_lines(OFD, lines, limits.max_chars)
