"""Attachments: read the text of the files an article links to (PDF, DOCX, XLS/XLSX, OFD, DOC/WPS).

One module per format family; `read_attachment` picks the reader by what the bytes are
(sniff.py), not by the link's extension, and always returns an `AttachmentReading`: a broken,
encrypted, oversized or disguised file is a status and a reason, never an exception that
loses the rest of the crawl. Reading runs in worker processes (pool.py), never on the reactor.
"""

from __future__ import annotations

from .isolation import ReaderChild
from .limits import ReadLimits, ReadTimeout, budget, over_cpu_budget
from .reading import EMPTY, NOT_READ, READ, SCANNED, UNREADABLE, AttachmentReading
from .sniff import BROKEN_ZIP, DOC, DOCX, HTML, OFD, PDF, PPT, PPTX, RAR, UNKNOWN, WPS, XLS, XLSX, ZIP, sniff

__all__ = ["EMPTY", "NOT_READ", "READ", "SCANNED", "UNREADABLE", "AttachmentReading", "ReadLimits", "read_attachment"]

_READABLE = {PDF, DOCX, XLSX, XLS, OFD, DOC, WPS}
# The families a link's extension may name; "et" is Kingsoft's spreadsheet, an XLS-compatible binary.
_FAMILY = {"pdf": PDF, "docx": DOCX, "doc": DOC, "wps": DOC, "xlsx": XLSX, "xls": XLSX, "et": XLSX, "ofd": OFD}
_SAME_FAMILY = {DOC: DOC, WPS: DOC, DOCX: DOC, XLS: XLSX, XLSX: XLSX, PDF: PDF, OFD: OFD}


def _read(data: bytes, kind: str, limits: ReadLimits) -> AttachmentReading:
    if kind == PDF:
        from .pdf import read_pdf
        return read_pdf(data, limits)
    if kind == DOCX:
        from .docx import read_docx
        return read_docx(data, limits)
    if kind == XLSX:
        from .sheets import read_xlsx
        return read_xlsx(data, limits)
    if kind == XLS:
        from .sheets import read_xls
        return read_xls(data, limits)
    if kind == OFD:
        from .ofd import read_ofd
        return read_ofd(data, limits)
    from .legacy_word import read_legacy_word
    return read_legacy_word(data, kind, limits)


# pdfminer (the PDF fallback, 0.1 s to import) is left to the rare file PDFium refuses.
_LIBRARIES = {PDF: ("pypdfium2",), DOCX: ("docx",), XLSX: ("openpyxl",), XLS: ("xlrd",), OFD: ("lxml.etree",)}


def _preload(kind: str) -> None:
    """Import the format's library here, before the reader child is forked: a child that imports
    it itself pays that again each time a child is started (0.04 s for PDFium, 0.17 s openpyxl)."""
    import importlib

    from . import docx, legacy_word, ofd, pdf, sheets  # noqa: F401 - imported for the fork to inherit

    for name in _LIBRARIES.get(kind, ()):
        importlib.import_module(name)


def preload_readers() -> None:
    """Import every format's reader and library: for the crawl fork server (crawler/fork_server.py),
    whose crawls fork their attachment workers, and the workers their reader children, from a copy
    of it (crawler/pool_server.py), so no worker or child imports a reader again."""
    for kind in _LIBRARIES:
        _preload(kind)


def _budgeted(data: bytes, kind: str, limits: ReadLimits) -> AttachmentReading:
    """One read under its budget (limits.py), exceptions of the budget turned into reasons."""
    try:
        with budget(limits):
            return _read(data, kind, limits)
    except ReadTimeout:
        return AttachmentReading(UNREADABLE, kind, None, over_cpu_budget(limits))
    except MemoryError:
        return AttachmentReading(UNREADABLE, kind, None, f"reading needed more than {limits.max_memory // (1024 * 1024)} MB")
    except RecursionError:
        return AttachmentReading(UNREADABLE, kind, None, "file nested too deeply to read")


_reader: ReaderChild | None = None  # this process's reader child (isolation.py), kept between files


def reader_cpu_s() -> float:
    """CPU seconds this process's reader child spent on the last file it read."""
    return _reader.cpu_s if _reader is not None else 0.0


def _disguise(declared: str | None, kind: str) -> str | None:
    """A note when the file is another format than its link claims (None when they agree)."""
    if not declared:
        return None
    family = _FAMILY.get(declared.lower())
    if family is None or _SAME_FAMILY.get(kind) == _SAME_FAMILY.get(family):
        return None
    return f"linked as .{declared.lower()} but the file is {kind.upper()}"


def read_attachment(data: bytes, declared: str | None = None, limits: ReadLimits | None = None) -> AttachmentReading:
    """The text of one attachment, or why there is none. `declared`: the link's extension.

    Runs the reader in a forked child under `limits`' budget (isolation.py, limits.py), so no
    file can crash or stall the caller; still, call it in a worker process, not on the reactor.
    """
    global _reader
    limits = limits or ReadLimits()
    kind = sniff(data)
    if len(data) > limits.max_bytes:
        return AttachmentReading(UNREADABLE, kind, None, f"file of {len(data)} bytes is over the {limits.max_bytes}-byte limit")
    if kind not in _READABLE:
        what = {HTML: "an HTML page (an error or sign-in page?)", ZIP: "a zip archive of other files",
                RAR: "a RAR archive of other files", PPT: "a PowerPoint presentation (not read)",
                PPTX: "a PowerPoint presentation (not read)",
                BROKEN_ZIP: "a damaged zip container (a corrupt or cut-off DOCX, XLSX or OFD)",
                UNKNOWN: "no format we read"}[kind]
        claimed = f"linked as .{declared.lower()}: the file is " if declared else "the file is "
        return AttachmentReading(UNREADABLE, kind, None, claimed + what)
    note = _disguise(declared, kind)
    _preload(kind)
    _reader = _reader or ReaderChild(_budgeted)
    reading = _reader.run((data, kind, limits), kind, limits)
    if note:
        reason = f"{note}; {reading.reason}" if reading.reason else note
        return AttachmentReading(reading.status, reading.kind, reading.text, reason)
    return reading
