"""DOCX text with python-docx: body paragraphs and table rows, in document order.

A table row is one line, its cells joined by tabs (a merged cell, which python-docx repeats
for every grid column it spans, once): 公示 lists and 附件 tables are mostly tables.
"""

from __future__ import annotations

from io import BytesIO

from .limits import ReadLimits
from .reading import UNREADABLE, AttachmentReading, from_lines
from .sniff import DOCX, UnsafeContainer, open_zip


def _table_lines(table: object) -> list[str]:
    lines = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
            if text:
                cells.append(text)
        lines.append("\t".join(cells))
    return lines


def read_docx(data: bytes, limits: ReadLimits) -> AttachmentReading:
    """The document's paragraphs and table rows as lines."""
    import docx
    from docx.table import Table

    try:
        open_zip(data, limits).close()
        document = docx.Document(BytesIO(data))
    except UnsafeContainer as e:
        return AttachmentReading(UNREADABLE, DOCX, None, f"DOCX over the read budget: {e}")
    except (MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds on a broken package; the kind is the reason
        return AttachmentReading(UNREADABLE, DOCX, None, f"corrupt DOCX ({type(e).__name__})")
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(block.text)
    return from_lines(DOCX, lines, limits.max_chars)

