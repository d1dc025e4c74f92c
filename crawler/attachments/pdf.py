"""PDF text with pypdfium2 (PDFium, Chrome's PDF engine), pdfminer.six as the fallback.

Why PDFium first: on the gold attachments (bench/attachments.py) both score the same character
F1 (0.998–1.0), but pdfminer, pure Python, took 0.5–8.8 s per file (8.8 s for a 24-page 事项清单
of tables) where PDFium took 0.03–0.15 s; a crawl that reads one PDF per ten articles could not
keep its pace with pdfminer. PDFium also reads files encrypted with an empty user password
(common: "no printing" permissions) that pdfminer returns as glyph numbers. pdfminer stays as
the fallback for files PDFium refuses as malformed: it is the more forgiving parser.

A PDF whose pages hold images and no text is a scan: recorded as such, so the digest can say
"scanned, no text layer" instead of showing an empty attachment as if it had nothing in it.

A Chinese font the file does not embed (iText's and reportlab's STSong-Light; some typesetting
tools) is sized from a system font that PDFium finds by name: for GB text it looks for AR PL UMing
CN, then WenQuanYi Micro Hei (fonts-wqy-microhei, which bootstrap.sh --test and the Dockerfile
install), else any font for the charset. With no Chinese font, a character drawn as its own text
object gets no box and PDFium drops it; with Noto CJK alone (CFF outlines, drawn by FreeType's
CFF interpreter to get each box) a page costs 5-10x what it does with the TrueType font.
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


class _Refused(Exception):
    """PDFium would not open the file for a reason other than a password."""


def _pdfium_pages(data: bytes, limits: ReadLimits) -> tuple[list[str], int, int]:
    """(text lines, pages read, pages holding an image) with PDFium."""
    import pypdfium2 as pdfium
    from pypdfium2 import raw

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise PermissionError(str(e)) from e
        raise _Refused(str(e)) from e
    lines: list[str] = []
    images = 0
    try:
        pages = min(len(document), limits.max_pages)
        for index in range(pages):
            page = document[index]
            textpage = page.get_textpage()
            try:
                lines.extend(textpage.get_text_bounded().splitlines())
            finally:
                textpage.close()
                page.close()
        if not any(line.strip() for line in lines):
            # only then look for images (a scan): walking every path of a table-heavy page costs
            # more than reading its text
            for index in range(pages):
                page = document[index]
                try:
                    images += any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))
                finally:
                    page.close()
    finally:
        document.close()
    return lines, pages, images


def _pdfminer_pages(data: bytes, limits: ReadLimits) -> tuple[list[str], int, int]:
    """The same with pdfminer.six, for files PDFium refused."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTImage, LTTextContainer

    lines: list[str] = []
    pages = images = 0
    for page in extract_pages(BytesIO(data), laparams=LAParams(), maxpages=limits.max_pages):
        pages += 1
        stack = list(page)
        found_image = False
        while stack:
            item = stack.pop()
            if isinstance(item, LTTextContainer):
                lines.extend(item.get_text().splitlines())
            elif isinstance(item, LTImage):
                found_image = True
            elif hasattr(item, "_objs"):
                stack.extend(item._objs)
        images += found_image
    return [_CID.sub("", line) for line in lines], pages, images


def read_pdf(data: bytes, limits: ReadLimits) -> AttachmentReading:
    """The PDF's text, page by page, one line per text line."""
    note = None
    try:
        lines, pages, images = _pdfium_pages(data, limits)
    except PermissionError:
        return AttachmentReading(UNREADABLE, PDF, None, "encrypted PDF: it needs a password to open")
    except _Refused as refused:
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

        try:
            lines, pages, images = _pdfminer_pages(data, limits)
            note = f"read by pdfminer after PDFium refused it ({refused})"
        except PDFPasswordIncorrect:
            return AttachmentReading(UNREADABLE, PDF, None, "encrypted PDF: it needs a password to open")
        except PDFEncryptionError as e:
            return AttachmentReading(UNREADABLE, PDF, None, f"encrypted PDF: {type(e).__name__}")
        except (MemoryError, RecursionError):
            raise
        except Exception as e:  # noqa: BLE001 - a broken PDF raises any of pdfminer's many errors; its name is the reason
            return AttachmentReading(UNREADABLE, PDF, None, f"corrupt PDF ({refused}; pdfminer: {type(e).__name__})")
    if pages == 0:
        return AttachmentReading(UNREADABLE, PDF, None, "corrupt PDF (no pages)")
    reading = from_lines(PDF, lines, limits.max_chars, cut_note=note)
    if reading.text is None and images:
        return AttachmentReading(SCANNED, PDF, None, f"scanned, no text layer ({pages} page(s), {images} with images)")
    return reading
