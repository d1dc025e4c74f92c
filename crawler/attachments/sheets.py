"""XLSX (openpyxl) and XLS (xlrd) text: one line per row, its non-empty cells joined by tabs.

Numbers are written as a person reads them (1, not 1.0) and dates as ISO dates, so a 公示
list searched for an amount or a date finds it.
"""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

from .limits import ReadLimits
from .reading import UNREADABLE, AttachmentReading, from_lines
from .sniff import XLS, XLSX, UnsafeContainer, open_zip


def cell_text(value: Any) -> str:
    """A cell's value as text: integral floats without ".0", dates without a midnight time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


def _row_line(values: Any) -> str:
    return "\t".join(t for t in (cell_text(v) for v in values) if t)


def read_xlsx(data: bytes, limits: ReadLimits) -> AttachmentReading:
    """Every sheet's rows (read-only mode: rows stream, the sheet is never held whole)."""
    import openpyxl

    try:
        open_zip(data, limits).close()
        book = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except UnsafeContainer as e:
        return AttachmentReading(UNREADABLE, XLSX, None, f"XLSX over the read budget: {e}")
    except (MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds on a broken package; the kind is the reason
        return AttachmentReading(UNREADABLE, XLSX, None, f"corrupt XLSX ({type(e).__name__})")
    lines: list[str] = []
    rows = 0
    note = None
    try:
        for sheet in book.worksheets:
            for values in sheet.iter_rows(values_only=True):
                rows += 1
                if rows > limits.max_rows:
                    note = f"read the first {limits.max_rows} rows"
                    break
                lines.append(_row_line(values))
            if note:
                break
    except (MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - a sheet broken half-way: keep the rows read, say where it stopped
        note = f"sheet broken after {rows} rows ({type(e).__name__})"
    finally:
        book.close()
    return from_lines(XLSX, lines, limits.max_chars, cut_note=note)


def read_xls(data: bytes, limits: ReadLimits) -> AttachmentReading:
    """Every sheet's rows of an Excel 97–2003 workbook."""
    import xlrd

    from .sniff import _Quiet

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=_Quiet())
    except (MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - xlrd raises many kinds on a broken file; the kind is the reason
        return AttachmentReading(UNREADABLE, XLS, None, f"corrupt XLS ({type(e).__name__})")
    lines: list[str] = []
    rows = 0
    note = None
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            for r in range(sheet.nrows):
                rows += 1
                if rows > limits.max_rows:
                    note = f"read the first {limits.max_rows} rows"
                    break
                values = []
                for cell in sheet.row(r):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            values.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                            values.append(cell.value)
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                        values.append(None)
                    else:
                        values.append(cell.value)
                lines.append(_row_line(values))
            book.unload_sheet(index)
            if note:
                break
    except (MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - a sheet broken half-way: keep the rows read, say where it stopped
        note = f"sheet broken after {rows} rows ({type(e).__name__})"
    finally:
        book.release_resources()
    return from_lines(XLS, lines, limits.max_chars, cut_note=note)
