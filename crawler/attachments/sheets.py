"""XLSX (openpyxl) and XLS (xlrd) text: one line per row, its non-empty cells joined by tabs.

Numbers are written as a person reads them (1, not 1.0) and dates as ISO dates, so a 公示
list searched for an amount or a date finds it. A code kept as a number under a zero-padded
format (专业代码 010101 stored as 10101, shown as 010101 by the format `000000`), in XLSX and XLS,
is written as shown: searched for as printed, it would not be found otherwise. Other number formats (thousands
separators, fixed decimals) are not applied: the stored number is what a search for it types.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
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


_ZERO_PADDED = re.compile(r"0{2,}")


def shown_value(value: Any, number_format: str | None) -> Any:
    """The value as the sheet shows it where that differs in what a search must find: an integer
    under a zero-padded format, as a padded code."""
    if (isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
            and float(value).is_integer() and number_format and _ZERO_PADDED.fullmatch(number_format)):
        return str(int(value)).zfill(len(number_format))
    return value


def _row_line(values: Any) -> str:
    return "\t".join(t for t in (cell_text(v) for v in values) if t)


def _lines_within(rows: Iterator[Any], limits: ReadLimits) -> tuple[list[str], str | None]:
    """One line per row, at most limits.max_rows; a sheet broken half-way keeps the rows read.
    Returns the lines and, when they stop early, why."""
    lines: list[str] = []
    try:
        for values in rows:
            if len(lines) >= limits.max_rows:
                return lines, f"read the first {limits.max_rows} rows"
            lines.append(_row_line(values))
    except (MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - a sheet broken half-way: keep the rows read, say where it stopped
        return lines, f"sheet broken after {len(lines)} rows ({type(e).__name__})"
    return lines, None


def _xls_value(cell: Any, datemode: int) -> Any:
    """An xlrd cell's value: dates as datetimes, empty and error cells as None."""
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    return cell.value


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
    try:
        # cells, not values_only: the number format is the cell's (~20 % slower on a 7,500-row sheet)
        lines, note = _lines_within(([shown_value(cell.value, getattr(cell, "number_format", None)) for cell in row]
                                     for sheet in _undimensioned(book.worksheets)
                                     for row in sheet.iter_rows()), limits)
    finally:
        book.close()
    return from_lines(XLSX, lines, limits.max_chars, cut_note=note)


def _undimensioned(sheets: list[Any]) -> Iterator[Any]:
    """The sheets with their declared size forgotten: in read-only mode openpyxl reads only the
    range a sheet's <dimension> claims, and some writers claim A1:A1 for a whole table (a gold
    岗位计划 read as its first cell: F1 0.05). Rows then stream as stored."""
    for sheet in sheets:
        sheet.reset_dimensions()
        yield sheet


def _open_xls(data: bytes) -> Any:
    """The workbook with its cell formats (for zero-padded codes), or without them when xlrd
    cannot read this file's formatting records (~25 % dearer with them, on a 7,500-row sheet)."""
    import xlrd

    from .sniff import _Quiet

    try:
        return xlrd.open_workbook(file_contents=data, on_demand=True, logfile=_Quiet(), formatting_info=True)
    except (MemoryError, RecursionError):
        raise
    except Exception:  # noqa: BLE001 - read once more without the formats; a broken file fails again below
        return xlrd.open_workbook(file_contents=data, on_demand=True, logfile=_Quiet())


def _xls_format(book: Any, xf_index: int, cache: dict[int, str | None]) -> str | None:
    """The number format string of a cell's XF record, None when the book has no formats."""
    if xf_index not in cache:
        try:
            cache[xf_index] = book.format_map[book.xf_list[xf_index].format_key].format_str
        except (AttributeError, IndexError, KeyError):
            cache[xf_index] = None
    return cache[xf_index]


def read_xls(data: bytes, limits: ReadLimits) -> AttachmentReading:
    """Every sheet's rows of an Excel 97–2003 workbook."""
    try:
        book = _open_xls(data)
    except (MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - xlrd raises many kinds on a broken file; the kind is the reason
        return AttachmentReading(UNREADABLE, XLS, None, f"corrupt XLS ({type(e).__name__})")
    formats: dict[int, str | None] = {}

    def rows() -> Iterator[list[Any]]:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            for r in range(sheet.nrows):
                yield [shown_value(_xls_value(cell, book.datemode), _xls_format(book, cell.xf_index, formats))
                       for cell in sheet.row(r)]
            book.unload_sheet(index)

    try:
        lines, note = _lines_within(rows(), limits)
    finally:
        book.release_resources()
    return from_lines(XLS, lines, limits.max_chars, cut_note=note)
