"""Hostile attachment files, built by code: a PDF bomb, an encrypted PDF, a corrupt DOCX, a zip
bomb DOCX, a file that lies about its type, a PDF whose content loops the parser for long.

Each is what a site could serve at a 附件 link; the readers must turn each into a recorded
reason (crawler/attachments) without losing anything else.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from demo.attachment_files import docx_bytes, pdf_bytes

TEXT = ["关于印发实施办法的通知", "各有关单位：现将实施办法印发给你们，请认真贯彻执行。"]


def raw_pdf(content: bytes, *, filters: str = "/FlateDecode") -> bytes:
    """A one-page PDF whose page content stream is `content` (already encoded for `filters`)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length " + str(len(content)).encode() + b" /Filter " + filters.encode() + b" >>\nstream\n"
        + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def pdf_bomb(inflated: int = 200 * 1024 * 1024) -> bytes:
    """A PDF whose one content stream inflates to `inflated` bytes of spaces (~1000:1)."""
    z = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    body = b"".join(z.compress(chunk) for _ in range(inflated // len(chunk))) + z.flush()
    return raw_pdf(body)


def encrypted_pdf() -> bytes:
    return pdf_bytes(TEXT, user_password="secret-password")


def corrupt_docx() -> bytes:
    """A DOCX cut off after its first 40 %: the zip's central directory is gone."""
    data = docx_bytes(TEXT)
    return data[: len(data) * 2 // 5]


def docx_without_document() -> bytes:
    """A zip that looks like a DOCX (content types, rels) but has a garbage document.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><<<not xml")
    return out.getvalue()


def zip_bomb_docx(declared: int = 400 * 1024 * 1024) -> bytes:
    """A DOCX whose document.xml declares (and would inflate to) `declared` bytes (~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        member = zipfile.ZipInfo("word/document.xml")
        member.compress_type = zipfile.ZIP_DEFLATED
        with z.open(member, "w", force_zip64=True) as f:
            block = b"<w:p/>" * 100_000
            written = 0
            while written < declared:
                f.write(block)
                written += len(block)
    return out.getvalue()


def html_as_pdf() -> bytes:
    """What a 附件 link often serves instead of the file: a sign-in page, with status 200."""
    return "<!DOCTYPE html><html><head><title>用户登录</title></head><body>请先登录</body></html>".encode()


def docx_named_doc() -> bytes:
    """A real DOCX behind a .doc link (common: renamed by hand): read as DOCX, the mismatch noted."""
    return docx_bytes(TEXT)
