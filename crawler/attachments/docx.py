"""DOCX text with python-docx: body paragraphs and table rows, in document order.

A table row is one line, its cells joined by tabs; a merged cell, which python-docx repeats for
every grid column and every row it spans, once, where it starts (real 职位表 merge a 部门 cell
down ten rows: repeated, it was a fifth of the text, bench/attachments.py). 公示 lists and 附件
tables are mostly tables. Word's automatic numbering labels (一、 （1）), drawn but not in the
runs, are written before their paragraphs (docx_numbering.py). A package python-docx refuses (a
relationship to a part that is not there, as some real files have: "There is no item named
'NULL'") is read from its word/document.xml and numbering and styles parts directly, the same way.
"""

from __future__ import annotations

from io import BytesIO

from .docx_numbering import Numbering
from .limits import ReadLimits
from .reading import UNREADABLE, AttachmentReading, from_lines
from .sniff import DOCX, UnsafeContainer, open_zip

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_RUN_BREAKS = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n"}


def _paragraph_text(paragraph: object) -> str:
    """A paragraph's text from every run in it, where python-docx's `Paragraph.text` reads only
    the runs directly under the paragraph (and hyperlinks): text inside `w:smartTag` (Word tags
    dates and names: "2018年4月9日" was lost on a real 通知 attachment), `w:ins` (tracked
    insertions), `w:sdt` content controls and text boxes was missing. A text box is written twice,
    as DrawingML and as a VML fallback for old readers: the fallback is skipped. Tab stops are
    also `w:tab`, in the paragraph's properties: only a run's tabs and breaks are text."""
    parts = []
    for element in paragraph.iter(_W + "t", *_RUN_BREAKS):  # type: ignore[attr-defined]
        if any(ancestor.tag == _MC_FALLBACK for ancestor in element.iterancestors()):
            continue
        if element.tag == _W + "t":
            parts.append(element.text or "")
        elif element.getparent().tag == _W + "r":
            parts.append(_RUN_BREAKS[element.tag])
    return "".join(parts)


def _table_lines(table: object, numbering: Numbering) -> list[str]:
    lines = []
    # over the whole table (vertical merges repeat the cell in later rows); the elements are kept,
    # not their id(): lxml's proxies are freed and their ids reused within the loop
    seen: set[object] = set()
    for row in table.rows:  # type: ignore[attr-defined]
        cells = []
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            text = " ".join(t for p in cell.paragraphs if (t := (numbering.label(p._p) + _paragraph_text(p._p)).strip()))
            if text:
                cells.append(text)
        lines.append("\t".join(cells))
    return lines


def _numbering(document: object) -> object | None:
    """The numbering part python-docx parsed with the document, or None: a document without lists
    has none (python-docx raises NotImplementedError rather than make one), and a part filed under
    an odd content type is a plain part without an element."""
    try:
        return document.part.numbering_part.element  # type: ignore[attr-defined]
    except (NotImplementedError, AttributeError):
        return None


def read_docx(data: bytes, limits: ReadLimits) -> AttachmentReading:
    """The document's paragraphs and table rows as lines."""
    import docx

    try:
        open_zip(data, limits).close()
        document = docx.Document(BytesIO(data))
    except UnsafeContainer as e:
        return AttachmentReading(UNREADABLE, DOCX, None, f"DOCX over the read budget: {e}")
    except (MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds on a broken package; the kind is the reason
        return _document_xml(data, limits, f"corrupt DOCX ({type(e).__name__})")
    return from_lines(DOCX, _lines(document, Numbering(_numbering(document), document.styles.element)),
                      limits.max_chars)


def _lines(document: object, numbering: Numbering) -> list[str]:
    """The body's paragraphs and table rows in document order, each paragraph after its label."""
    from docx.table import Table

    lines: list[str] = []
    for block in document.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Table):
            lines.extend(_table_lines(block, numbering))
        else:
            lines.append(numbering.label(block._p) + _paragraph_text(block._p))
    return lines


def _document_xml(data: bytes, limits: ReadLimits, failure: str) -> AttachmentReading:
    """word/document.xml read as the package is, when python-docx would not open the package: the
    same paragraphs, tables and labels, from the parts parsed by python-docx's own XML parser
    (which does not resolve entities), without the package's relationships."""
    from docx.document import Document
    from docx.oxml.parser import parse_xml
    from lxml import etree

    try:
        with open_zip(data, limits) as z:
            names = set(z.namelist())
            parts = [z.read(name) if name in names else None
                     for name in ("word/document.xml", "word/numbering.xml", "word/styles.xml")]
        if parts[0] is None:
            raise KeyError("word/document.xml")
        document = parse_xml(parts[0])
        numbering, styles = (_optional_part(part) for part in parts[1:])
        lines = _lines(Document(document, None), Numbering(numbering, styles))
    except (KeyError, etree.XMLSyntaxError, ValueError, OSError, AttributeError, UnsafeContainer):
        return AttachmentReading(UNREADABLE, DOCX, None, failure)
    return from_lines(DOCX, lines, limits.max_chars, cut_note=f"{failure}: read from word/document.xml")


def _optional_part(xml: bytes | None) -> object | None:
    """The numbering or styles part parsed, or None when it is missing or broken: labels are lost
    then, not the document's text."""
    from docx.oxml.parser import parse_xml
    from lxml import etree

    try:
        return parse_xml(xml) if xml is not None else None
    except (etree.XMLSyntaxError, ValueError):
        return None
