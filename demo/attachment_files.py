"""Attachment files built by code at run time: the demo's 附件 and the tests' fixtures.

No binary file is committed: each format is written from text by the library that writes it
(reportlab for PDF with its built-in Adobe-GB1 Song font, python-docx, openpyxl) or, for OFD,
by writing its XML, so what a reader should find is known exactly. DOC and WPS cannot be
written by any installed library, so the demo has none (their reader is tested where antiword
or catdoc is installed, on a DOC converted by the test itself only if a writer exists).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from xml.sax.saxutils import escape

# Every date inside a built file: the same bytes for the same text, whenever it is built.
FIXED_TIME = datetime(2021, 1, 1)
_W3CDTF = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")


def pdf_bytes(lines: list[str], *, user_password: str | None = None, padding: int = 0,
              char_by_char: bool = False) -> bytes:
    """A PDF with `lines` as text (one line each, pages as needed); optionally encrypted.

    `padding` adds that many bytes of incompressible image data, for files of a given size.
    `char_by_char` writes each character as its own text object, placed by hand, as some
    typesetting tools do: a reader then sizes every character from the font's glyphs, and with
    the font not embedded (STSong-Light never is) from a system font.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    encrypt = None
    if user_password is not None:
        from reportlab.lib import pdfencrypt
        encrypt = pdfencrypt.StandardEncryption(user_password, canPrint=0)
    c = canvas.Canvas(out, pagesize=A4, encrypt=encrypt, invariant=1)
    c.setFont("STSong-Light", 11)
    y = 800
    for line in lines:
        if y < 60:
            c.showPage()
            c.setFont("STSong-Light", 11)
            y = 800
        if char_by_char:
            for i, char in enumerate(line):
                c.drawString(50 + 11 * i, y, char)
        else:
            c.drawString(50, y, line)
        y -= 18
    if padding:
        _draw_noise(c, padding)
    c.showPage()
    c.save()
    return out.getvalue()


def _draw_noise(c: object, size: int) -> None:
    """An image of random pixels (deflate cannot shrink it), drawn small at the page's foot."""
    import random

    from PIL import Image
    from reportlab.lib.utils import ImageReader

    side = max(8, int((size / 3) ** 0.5))
    rng = random.Random(size)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    c.drawImage(ImageReader(image), 50, 20, width=40, height=40)  # type: ignore[attr-defined]


def image_pdf_bytes() -> bytes:
    """A 'scanned' PDF: one page holding an image and no text."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, invariant=1)
    _draw_noise(c, 30_000)
    c.showPage()
    c.save()
    return out.getvalue()


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    """A DOCX of paragraphs, then (optionally) a table."""
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=max(len(r) for r in table))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    document.core_properties.created = document.core_properties.modified = FIXED_TIME
    out = io.BytesIO()
    document.save(out)
    return stable_zip(out.getvalue())


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    """An XLSX with one sheet per entry, rows as given."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.properties.created = book.properties.modified = FIXED_TIME
    out = io.BytesIO()
    book.save(out)
    return stable_zip(out.getvalue())


_OFD_NS = "http://www.ofdspec.org/2016"


def ofd_bytes(lines: list[str]) -> bytes:
    """A one-page OFD (GB/T 33190) whose TextObjects hold `lines`, one per baseline."""
    objects = "".join(
        f'<ofd:TextObject ID="{i + 10}" Boundary="20 {20 + 8 * i} 170 8" Font="1" Size="5">'
        f'<ofd:TextCode X="0" Y="5">{escape(line)}</ofd:TextCode></ofd:TextObject>'
        for i, line in enumerate(lines))
    files = {
        "OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{_OFD_NS}" Version="1.0" DocType="OFD">'
                   "<ofd:DocBody><ofd:DocInfo><ofd:DocID>demo</ofd:DocID></ofd:DocInfo>"
                   "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{_OFD_NS}">'
                              '<ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID>'
                              '<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
                              '</ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>'
                              "</ofd:Pages></ofd:Document>",
        "Doc_0/Pages/Page_0/Content.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{_OFD_NS}">'
                                          f"<ofd:Content><ofd:Layer ID=\"2\">{objects}</ofd:Layer></ofd:Content></ofd:Page>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in files.items():
            z.writestr(zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6]), xml.encode("utf-8"),
                       compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def stable_zip(data: bytes) -> bytes:
    """The same zip with every entry dated FIXED_TIME.

    Why: python-docx and openpyxl date each zip entry (and the document's properties) with the
    time of saving, so a file built twice differed byte for byte, and a demo page re-rendered on
    day 2 looked like a replaced attachment (a `changed` event for nothing).
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            body = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":  # openpyxl stamps `modified` as it saves, whatever was set
                body = _W3CDTF.sub(FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode(), body)
            target.writestr(zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6]), body,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# The demo's attachments: text that appears in no article (so a search for it finds an article
# only through its attachment), one phrase per format, and a line added when a file is replaced.
DEMO_PHRASES = {
    "pdf": "库区移民后期扶持项目资金分配明细",
    "docx": "村级集体经济发展扶持对象申报表",
    "xlsx": "高标准农田建设补助资金",
    "ofd": "防汛抗旱物资储备调拨单",
}
REPLACED_LINE = "（第二天更新）补充：新增防汛物资储备点三处"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
}


def demo_attachment_lines(title: str, number: int, ext: str, revision: int = 0) -> list[str]:
    """The text of a demo attachment: its number, the notice's title, its format's phrase."""
    lines = [f"附件{number}", f"{title}（{DEMO_PHRASES[ext]}）",
             "一、适用范围：本附件所列事项适用于全市各县区。", "二、报送时间：请于每月5日前报送上月情况。"]
    if revision:
        lines.append(REPLACED_LINE + ("" if revision == 1 else f"（第{revision}版）"))
    return lines


def demo_attachment(title: str, number: int, ext: str, revision: int = 0) -> tuple[bytes, str]:
    """(bytes, content type) of a demo attachment in format `ext`."""
    lines = demo_attachment_lines(title, number, ext, revision)
    if ext == "pdf":
        return pdf_bytes(lines), CONTENT_TYPES[ext]
    if ext == "docx":
        return docx_bytes(lines[:2], [["序号", "事项", "要求"], ["1", lines[2], lines[3]]] + [[str(i), line, ""] for i, line in enumerate(lines[4:], 2)]), CONTENT_TYPES[ext]
    if ext == "xlsx":
        rows: list[list[object]] = [[line] for line in lines[:2]]
        rows += [["序号", "村名", "补助金额（万元）"], [1, "石门村", 12.5], [2, "桐子坳村", 8.0]]
        rows += [[line] for line in lines[2:]]
        return xlsx_bytes({"明细": rows}), CONTENT_TYPES[ext]
    return ofd_bytes(lines), CONTENT_TYPES["ofd"]
