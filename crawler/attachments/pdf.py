"""PDF text with pdfminer.six (it maps CID fonts to Unicode, which Chinese PDFs need).

A PDF whose pages hold images and no text is a scan: recorded as such, so the digest can say
"scanned, no text layer" instead of showing an empty attachment as if it had nothing in it.
"""

from __future__ import annotations

import logging
import re
from io import BytesIO

from .limits import ReadLimits
from .reading import SCANNED, UNREADABLE, AttachmentReading, from_lines
from .sniff import PDF

# pdfminer logs every odd object of a broken file as a warning; a crawl records one reason instead.
logging.getLogger("pdfminer").setLevel(logging.ERROR)
# pdfminer writes a glyph it cannot map to Unicode (an embedded subset font without a ToUnicode
# table, common in Chinese PDFs from old typesetting tools) as "(cid:1841)": a glyph number, not text.
_CID = re.compile(r"\(cid:\d+\)")


def _has_image(layout: object) -> bool:
    from pdfminer.layout import LTFigure, LTImage

    stack = [layout]
    while stack:
        item = stack.pop()
        if isinstance(item, LTImage):
            return True
        if isinstance(item, LTFigure) or hasattr(item, "_objs"):
            stack.extend(getattr(item, "_objs", []))
    return False


def read_pdf(data: bytes, limits: ReadLimits) -> AttachmentReading:
    """The PDF's text, page by page in pdfminer's layout order, one line per text line."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFTextExtractionNotAllowed

    lines: list[str] = []
    pages = images = 0
    try:
        for page in extract_pages(BytesIO(data), laparams=LAParams(), maxpages=limits.max_pages):
            pages += 1
            for element in page:
                if isinstance(element, LTTextContainer):
                    lines.extend(element.get_text().splitlines())
            images += _has_image(page)
    except PDFPasswordIncorrect:
        return AttachmentReading(UNREADABLE, PDF, None, "encrypted PDF: it needs a password to open")
    except (PDFEncryptionError, PDFTextExtractionNotAllowed) as e:
        return AttachmentReading(UNREADABLE, PDF, None, f"encrypted PDF: {type(e).__name__}")
    except (MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - a broken PDF raises any of pdfminer's many errors; its name is the reason
        if not lines:
            return AttachmentReading(UNREADABLE, PDF, None, f"corrupt PDF ({type(e).__name__})")
        return from_lines(PDF, lines, limits.max_chars, cut_note=f"read up to page {pages + 1}: {type(e).__name__}")
    if pages == 0:
        return AttachmentReading(UNREADABLE, PDF, None, "corrupt PDF (no pages)")
    unmapped = sum(len(_CID.findall(line)) for line in lines)
    lines = [_CID.sub("", line) for line in lines]
    reading = from_lines(PDF, lines, limits.max_chars)
    if unmapped and reading.text is None:
        return AttachmentReading(UNREADABLE, PDF, None, "PDF fonts have no Unicode mapping (glyph numbers, no text)")
    if unmapped:
        note = f"{unmapped} glyph(s) without a Unicode mapping left out"
        return AttachmentReading(reading.status, PDF, reading.text, f"{reading.reason}; {note}" if reading.reason else note)
    if reading.text is None and images:
        return AttachmentReading(SCANNED, PDF, None, f"scanned, no text layer ({pages} page(s) of images)")
    return reading
