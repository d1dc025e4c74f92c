"""What an attachment really is, from its first bytes and (for containers) its member names.

Sites name files loosely: an .xls link serving an HTML login page, a .doc that is really a
DOCX, a .pdf that is a Word file renamed. The link's extension is what the page claims; the
bytes decide which reader runs. Hand-written (a dozen magic numbers and member names) because
libmagic is a system library with a database of thousands of types we do not need, and it
cannot tell DOCX from XLSX from OFD: all three are zip files.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

from .limits import ReadLimits

PDF, DOCX, XLSX, OFD, DOC, XLS, WPS = "pdf", "docx", "xlsx", "ofd", "doc", "xls", "wps"
HTML, ZIP, BROKEN_ZIP, UNKNOWN = "html", "zip", "broken-zip", "unknown"
# Recorded and versioned, never read: presentations and RAR archives.
PPT, PPTX, RAR = "ppt", "pptx", "rar"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<meta", b"<title", b"<?xml")


class UnsafeContainer(Exception):
    """A zip whose members declare more than the read budget allows (a zip bomb, or just too big)."""


def open_zip(data: bytes, limits: ReadLimits) -> zipfile.ZipFile:
    """A ZipFile over `data` once its declared sizes fit `limits`.

    Python's zipfile never inflates a member past its declared size (the read stops there and
    the CRC check fails), so checking the declared sizes bounds what any reader of it inflates.
    """
    z = zipfile.ZipFile(BytesIO(data))
    infos = z.infolist()
    if len(infos) > 20_000:
        raise UnsafeContainer(f"zip holds {len(infos)} members")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unzipped:
        raise UnsafeContainer(f"zip members declare {declared} bytes (limit {limits.max_unzipped})")
    return z


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return BROKEN_ZIP
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if "OFD.xml" in names:
        return OFD
    if "ppt/presentation.xml" in names:
        return PPTX
    return ZIP


def _ole_kind(data: bytes) -> str:
    """DOC, XLS, PPT, or (an OLE file with none of their streams, as Kingsoft's own formats are) WPS."""
    from xlrd.compdoc import CompDoc, CompDocError

    try:
        names = {d.name for d in CompDoc(data, logfile=_Quiet()).dirlist}
    except (CompDocError, IndexError, ValueError, AssertionError):
        return UNKNOWN
    if "WordDocument" in names:
        return DOC
    if names & {"Workbook", "Book"}:
        return XLS
    if "PowerPoint Document" in names:
        return PPT
    return WPS


class _Quiet:
    """A log file for xlrd that drops its warnings (a broken OLE file is an outcome, not a log line)."""

    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def sniff(data: bytes) -> str:
    """The format the bytes are: pdf, docx, xlsx, ofd, doc, xls, wps, ppt, pptx, html, zip, rar, broken-zip
    or unknown."""
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(_OLE):
        return _ole_kind(data)
    if head.startswith(b"Rar!\x1a\x07"):
        return RAR
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(_HTML_STARTS) or b"<html" in lowered:
        return HTML
    return UNKNOWN
