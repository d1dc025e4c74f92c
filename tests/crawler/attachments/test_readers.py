"""Each attachment reader on files built by the library that writes the format (demo/attachment_files.py)."""

from __future__ import annotations

import shutil

import pytest

from crawler.attachments import EMPTY, READ, SCANNED, UNREADABLE, ReadLimits, read_attachment
from crawler.attachments.ofd import page_lines
from crawler.attachments.sheets import cell_text
from demo.attachment_files import docx_bytes, image_pdf_bytes, ofd_bytes, pdf_bytes, xlsx_bytes

LINES = ["关于开展乡村振兴示范村评选工作的通知", "各县市区乡村振兴局：现将有关事项通知如下。", "联系电话：0746-8221234"]


def test_pdf_text_in_reading_order() -> None:
    reading = read_attachment(pdf_bytes(LINES), "pdf")
    assert (reading.status, reading.kind, reading.reason) == (READ, "pdf", None)
    assert reading.text == "\n".join(LINES)


def test_pdf_of_many_pages_is_read_to_the_end() -> None:
    lines = [f"第{i}条 本办法自印发之日起施行" for i in range(120)]  # ~3 pages
    reading = read_attachment(pdf_bytes(lines), "pdf")
    assert reading.text is not None and reading.text.splitlines() == lines


def test_pdf_page_cap_keeps_the_first_pages() -> None:
    lines = [f"第{i}条" for i in range(120)]
    reading = read_attachment(pdf_bytes(lines), "pdf", ReadLimits(max_pages=1))
    assert reading.status == READ and reading.text is not None
    assert reading.text.splitlines() == lines[: len(reading.text.splitlines())] and "第119条" not in reading.text


def test_pdf_characters_in_a_font_the_file_does_not_embed_are_all_read() -> None:
    """PDFium sizes each character of a font the file does not embed from a system font; with no
    Chinese system font a character drawn as its own text object gets no box and is dropped
    (every Chinese character of this file was, measured). bootstrap.sh --test and the Dockerfile
    install fonts-wqy-microhei for this; a machine without a Chinese font fails here."""
    reading = read_attachment(pdf_bytes(LINES, char_by_char=True), "pdf")
    assert reading.status == READ and reading.text is not None
    assert reading.text.splitlines()[:2] == LINES[:2]
    assert reading.text.splitlines()[2].replace(" ", "") == LINES[2]


def test_image_only_pdf_is_scanned() -> None:
    reading = read_attachment(image_pdf_bytes(), "pdf")
    assert reading.status == SCANNED and reading.text is None
    assert "scanned, no text layer" in (reading.reason or "")


def test_docx_paragraphs_then_table_rows() -> None:
    table = [["序号", "村名", "得分"], ["1", "石门村", "95.5"], ["2", "桐子坳村", "93"]]
    reading = read_attachment(docx_bytes(LINES, table), "docx")
    assert reading.status == READ
    assert reading.text == "\n".join(LINES + ["\t".join(r) for r in table])


def test_empty_docx_is_empty_not_unreadable() -> None:
    reading = read_attachment(docx_bytes([]), "docx")
    assert reading.status == EMPTY and reading.text is None


def test_xlsx_one_line_per_row_over_all_sheets() -> None:
    data = xlsx_bytes({"名单": [["序号", "名称", "金额"], [1, "示范村", 12000.0], [None, None, None], [2, "美丽乡村", 0.5]],
                       "说明": [["备注：金额单位为元"]]})
    reading = read_attachment(data, "xlsx")
    assert reading.text == "序号\t名称\t金额\n1\t示范村\t12000\n2\t美丽乡村\t0.5\n备注：金额单位为元"


def test_xlsx_row_cap_is_recorded() -> None:
    data = xlsx_bytes({"s": [[i, f"行{i}"] for i in range(50)]})
    reading = read_attachment(data, "xlsx", ReadLimits(max_rows=10))
    assert reading.status == READ and reading.text is not None and len(reading.text.splitlines()) == 10
    assert "first 10 rows" in (reading.reason or "")


@pytest.mark.parametrize(("value", "text"), [(3.0, "3"), (2.5, "2.5"), (None, ""), (" 名称 ", "名称"), (True, "TRUE")])
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_ofd_lines_by_baseline() -> None:
    reading = read_attachment(ofd_bytes(LINES), "ofd")
    assert reading.status == READ and reading.text == "\n".join(LINES)


def test_ofd_characters_on_one_baseline_join_left_to_right() -> None:
    from lxml import etree

    ns = "http://www.ofdspec.org/2016"
    page = etree.fromstring(
        f'<ofd:Page xmlns:ofd="{ns}"><ofd:Content><ofd:Layer>'
        '<ofd:TextObject Boundary="60 20 50 8"><ofd:TextCode X="0" Y="5">评选</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject Boundary="20 20 40 8"><ofd:TextCode X="0" Y="5">示范村</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject Boundary="20 40 40 8"><ofd:TextCode X="0" Y="5">第二行</ofd:TextCode></ofd:TextObject>'
        "</ofd:Layer></ofd:Content></ofd:Page>")
    assert page_lines(page) == ["示范村评选", "第二行"]


def test_text_cut_at_max_chars_is_recorded() -> None:
    reading = read_attachment(docx_bytes(["政策" * 100]), "docx", ReadLimits(max_chars=50))
    assert reading.status == READ and reading.text == ("政策" * 25)
    assert "cut at 50 characters" in (reading.reason or "")


def test_doc_without_a_converter_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.attachments import legacy_word

    monkeypatch.setattr(legacy_word, "CONVERTERS", (("no-such-converter-govwatch", []),))
    reading = legacy_word.read_legacy_word(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "wps", ReadLimits())
    assert (reading.status, reading.kind) == (UNREADABLE, "wps")
    assert reading.reason == "no DOC converter installed (antiword or catdoc) for .wps"


@pytest.mark.skipif(not (shutil.which("antiword") or shutil.which("catdoc")), reason="antiword/catdoc not installed")
def test_broken_doc_reports_the_converters_message() -> None:
    from crawler.attachments.legacy_word import read_legacy_word

    reading = read_legacy_word(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x07" * 4000, "doc", ReadLimits())
    assert reading.status == UNREADABLE and "could read" in (reading.reason or "")


def test_docx_merged_cells_are_read_once_where_they_start() -> None:
    import io

    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["部门", "职位", "人数"], ["市中级人民法院", "文秘岗", "1"], ["", "档案岗", "2"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(2, 0))  # 部门 spans two rows, as in real 职位表
    out = io.BytesIO()
    document.save(out)
    reading = read_attachment(out.getvalue(), "docx")
    assert reading.text == "部门\t职位\t人数\n市中级人民法院\t文秘岗\t1\n档案岗\t2"


def test_docx_python_docx_refuses_is_read_from_document_xml() -> None:
    reading = read_attachment(_refused_by_python_docx(docx_bytes(LINES)), "docx")
    assert reading.status == READ and reading.text == "\n".join(LINES)
    assert "read from word/document.xml" in (reading.reason or "")


def test_docx_python_docx_refuses_with_a_broken_styles_part_keeps_its_text() -> None:
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_refused_by_python_docx(docx_bytes(LINES))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in source.infolist():
            z.writestr(item, b"<w:styles><unclosed>" if item.filename == "word/styles.xml" else source.read(item))
    reading = read_attachment(out.getvalue(), "docx")
    assert reading.status == READ and reading.text == "\n".join(LINES)


def test_xlsx_whose_dimension_claims_one_cell_is_read_whole() -> None:
    # Some writers declare <dimension ref="A1:A1"/> over a whole table; read-only openpyxl trusts it.
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes({"岗位": [["序号", "岗位名称"], [1, "综合管理"], [2, "技术研发"]]})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as lying:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:B3"/>', b'<dimension ref="A1:A1"/>')
                assert b'ref="A1:A1"' in data
            lying.writestr(name, data)
    reading = read_attachment(out.getvalue(), "xlsx")
    assert (reading.status, reading.text) == (READ, "序号\t岗位名称\n1\t综合管理\n2\t技术研发")


def test_docx_text_in_smart_tags_insertions_and_text_boxes_is_read_once() -> None:
    """python-docx's Paragraph.text reads only runs directly under the paragraph; Word wraps dates
    in smart tags, tracked insertions in w:ins, and writes a text box twice (DrawingML and a VML
    fallback). Tab stops in the paragraph's properties are not text."""
    import io
    import zipfile

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    paragraph = (
        f'<w:p {w} {mc}><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>'
        '<w:r><w:t>报名时间：</w:t></w:r>'
        '<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="chsdate">'
        '<w:r><w:t>2018年4月9日</w:t></w:r></w:smartTag>'
        '<w:ins w:id="1" w:author="x"><w:r><w:t>（已更新）</w:t></w:r></w:ins>'
        '<w:r><w:tab/><w:t>截止</w:t></w:r>'
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>一寸照片</w:t>'
        '</w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r>'
        '<w:t>一寸照片</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(["第一段"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:sectPr", paragraph.encode() + b"<w:sectPr", 1)
            z.writestr(item, data)
    reading = read_attachment(out.getvalue(), "docx")
    assert reading.status == READ and reading.reason is None
    assert reading.text == "第一段\n报名时间：2018年4月9日（已更新）\t截止一寸照片"


def test_xlsx_codes_kept_as_numbers_are_written_as_their_zero_padded_format_shows_them() -> None:
    # A real 专业目录 stores the code 010101 as the number 10101 under the format "000000": a search
    # for the code as printed must find it. Other formats (fixed decimals) are not applied.
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["专业代码", "专业名称", "经费"])
    sheet.append([10101, "哲学", 1234.5])
    sheet.append(["010103K", "宗教学", 20.0])
    sheet.append([-7, "负数", 0])
    for row in (2, 3, 4):
        sheet.cell(row, 1).number_format = "000000"
        sheet.cell(row, 3).number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    reading = read_attachment(out.getvalue(), "xlsx")
    assert reading.text == "专业代码\t专业名称\t经费\n010101\t哲学\t1234.5\n010103K\t宗教学\t20\n-7\t负数\t0"


def _numbered_docx(paragraphs: list[tuple[str, int | None, int]]) -> bytes:
    """A DOCX whose paragraphs (text, numId or None, level) use a list defined in its numbering
    part: 一、 at level 0 and （1） at level 1 (numId 90), a bullet list (numId 91)."""
    import io

    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="91"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
        '<w:lvlText w:val="\uf06c"/></w:lvl></w:abstractNum>'))
    for num_id in (90, 91):
        numbering.append(parse_xml(f'<w:num {w} w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>'))
    # Word's "restart numbering": another num over list 90, starting again at 1
    numbering.append(parse_xml(f'<w:num {w} w:numId="92"><w:abstractNumId w:val="90"/>'
                               '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
    for text, num_id, level in paragraphs:
        paragraph = document.add_paragraph(text)
        if num_id is not None:
            paragraph._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    for text in ("甲项", "乙项"):
        document.add_paragraph(text, style="List Number")  # numbered through its style
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_automatic_numbering_labels_are_read_as_word_draws_them() -> None:
    # A 实施方案 whose headings are Word's numbering shows "一、总体要求"; the runs hold "总体要求".
    data = _numbered_docx([("总体要求", 90, 0), ("目标", 90, 1), ("原则", 90, 1), ("工作任务", 90, 0),
                           ("重点", 90, 1), ("要点", 91, 0), ("正文", None, 0), ("保障措施", 90, 0),
                           ("附件说明", 92, 0), ("材料", 92, 1), ("报送", 92, 0)])
    reading = read_attachment(data, "docx")
    assert reading.text == ("一、总体要求\n（1）目标\n（2）原则\n二、工作任务\n（1）重点\n要点\n正文\n三、保障措施\n"
                            "一、附件说明\n（1）材料\n二、报送\n1. 甲项\n2. 乙项")


def _refused_by_python_docx(data: bytes) -> bytes:
    """The package with a relationship to a part that is not in it ("There is no item named
    'NULL'", as in real files), which python-docx refuses to open."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in source.infolist():
            part = source.read(item)
            if item.filename == "word/_rels/document.xml.rels":
                part = part.replace(b"</Relationships>", b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/styles" Target="NULL"/></Relationships>')
            z.writestr(item, part)
    return out.getvalue()


def test_docx_python_docx_refuses_is_read_with_its_labels_tables_and_text_boxes_once() -> None:
    # The fallback read paragraph by paragraph without labels, wrote a table's cells a line each
    # and a text box three times (its paragraph, the DrawingML copy and the VML fallback).
    import io

    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    document = docx.Document(io.BytesIO(_numbered_docx([("总体要求", 90, 0), ("目标", 90, 1), ("工作任务", 90, 0)])))
    table = document.add_table(rows=3, cols=2)
    for r, row in enumerate([["部门", "职位"], ["市中级人民法院", "文秘岗"], ["", "档案岗"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(2, 0))
    document.element.body.insert(len(document.element.body) - 1, parse_xml(
        f'<w:p {w} {mc}><w:r><w:t>附照片</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        '<w:txbxContent><w:p><w:r><w:t>一寸照片</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback>'
        '<w:pict><w:txbxContent><w:p><w:r><w:t>一寸照片</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback>'
        '</mc:AlternateContent></w:r></w:p>'))
    out = io.BytesIO()
    document.save(out)
    sound = read_attachment(out.getvalue(), "docx")
    refused = read_attachment(_refused_by_python_docx(out.getvalue()), "docx")
    assert sound.text == ("一、总体要求\n（1）目标\n二、工作任务\n1. 甲项\n2. 乙项\n部门\t职位\n市中级人民法院\t文秘岗\n档案岗\n"
                          "附照片一寸照片")
    assert refused.status == READ and refused.text == sound.text
    assert "read from word/document.xml" in (refused.reason or "")


@pytest.mark.parametrize(("n", "fmt", "text"), [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
    (20, "chineseCounting", "二十"), (23, "chineseCountingThousand", "二十三"), (105, "chineseCounting", "一百零五"),
    (110, "chineseCounting", "一百一十"), (3, "ideographTraditional", "丙"), (2, "decimalEnclosedCircle", "②"),
    (12, "decimalFullWidth", "１２"), (28, "lowerLetter", "ab"), (14, "upperRoman", "XIV"), (7, "someNewFormat", "7")])
def test_docx_number_formats(n: int, fmt: str, text: str) -> None:
    from crawler.attachments.docx_numbering import format_number

    assert format_number(n, fmt) == text


def test_docx_hostile_numbering_is_bounded() -> None:
    # The numbering part is the site's: absurd starts and levels neither stop nor stall the read.
    import io
    import time
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_numbered_docx([("总体要求", 90, 0), ("目标", 90, 1)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as hostile:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/numbering.xml":
                data = data.replace(b'<w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>',
                                    b'<w:start w:val="' + b"9" * 5000 + b'"/><w:numFmt w:val="chineseCounting"/>')
                data = data.replace(b'<w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="',
                                    b'<w:start w:val="999999999"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="')
                data = data.replace(b'<w:lvl w:ilvl="1">', b'<w:lvl w:ilvl="999999999">', 1)
                assert data.count(b"9" * 5000) == 1 and b'w:ilvl="999999999"' in data
            hostile.writestr(name, data)
    started = time.process_time()
    reading = read_attachment(out.getvalue(), "docx")
    assert time.process_time() - started < 2
    assert reading.status == READ and reading.text is not None
    assert reading.text.splitlines()[:2] == ["一、总体要求", "目标"]  # a start that is no number counts from 1


def test_xls_rows_with_dates_numbers_and_zero_padded_codes_as_the_sheet_shows_them() -> None:
    # Excel 97-2003 职位表 are still common; xlwt writes the BIFF8 that Excel and WPS write.
    import datetime
    import io

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("职位表")
    code, date, money = (xlwt.easyxf(num_format_str=f) for f in ("0000000", "yyyy-mm-dd", "0.00"))
    for r, row in enumerate([("职位代码", "职位名称", "报名截止", "经费"),
                             (100101, "综合管理", datetime.date(2026, 3, 9), 1234.5),
                             ("0100102K", "执法岗", datetime.date(2026, 3, 10), 20.0)]):
        for c, value in enumerate(row):
            style = {0: code, 2: date, 3: money}.get(c) if r else None
            sheet.write(r, c, value, *(style,) if style else ())
    book.add_sheet("说明").write(0, 0, "以上职位均面向社会招考")
    out = io.BytesIO()
    book.save(out)
    reading = read_attachment(out.getvalue(), "xls")
    assert (reading.status, reading.kind) == (READ, "xls")
    assert reading.text == ("职位代码\t职位名称\t报名截止\t经费\n0100101\t综合管理\t2026-03-09\t1234.5\n"
                            "0100102K\t执法岗\t2026-03-10\t20\n以上职位均面向社会招考")


def test_presentations_and_archives_are_kept_with_a_reason_not_read() -> None:
    # 附件 offered as a .pptx or a .rar are recorded and versioned; their reason says what they are,
    # not "a zip archive" for a presentation.
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p:presentation/>")
    pptx = read_attachment(buffer.getvalue(), "pptx")
    assert (pptx.status, pptx.kind, pptx.reason) == (UNREADABLE, "pptx", "linked as .pptx: the file is a PowerPoint presentation (not read)")
    rar = read_attachment(b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64, "rar")
    assert (rar.status, rar.kind) == (UNREADABLE, "rar") and "RAR archive" in rar.reason
