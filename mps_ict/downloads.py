"""Every file the tracker hands out, CSV or XLSX, is written here.

Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are prefixed with an
apostrophe; control characters a spreadsheet cannot hold (NUL, ESC, ...) become U+FFFD; numbers
stay numbers. A download is an attachment whose filename is quoted (or, outside ASCII, encoded)
so that quotes, spaces and accents survive.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook

CSV_MEDIA_TYPE = "text/csv"
CSV_CHARSET = "utf-8"
CSV_CONTENT_TYPE = f"{CSV_MEDIA_TYPE}; charset={CSV_CHARSET}"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BYTE_ORDER_MARK = "\ufeff"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?\Z")
# What XML 1.0, and so an XLSX cell, cannot hold (openpyxl refuses it); tab, LF and CR are fine.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
REPLACEMENT_CHARACTER = "\ufffd"


def safe_cell(value):
    """A value fit for a spreadsheet: formulas neutralised, numbers left alone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, Decimal)):
        return value
    text = _CONTROL_CHARACTERS.sub(REPLACEMENT_CHARACTER, str(value))
    if _PLAIN_NUMBER.match(text):
        return text
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def xlsx_cell(value):
    """safe_cell for an XLSX cell, where a number written as text ("-8000000.00") is a number."""
    value = safe_cell(value)
    if isinstance(value, str) and _PLAIN_NUMBER.match(value):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def csv_text(rows: Iterable[Iterable], *, byte_order_mark: bool = False) -> str:
    """The rows as CSV, every cell through safe_cell (an empty row stays empty). With
    `byte_order_mark`, the text starts with U+FEFF so Excel reads it as UTF-8 (no download asks
    for it today)."""
    buffer = io.StringIO()
    if byte_order_mark:
        buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def workbook_bytes(workbook: Workbook) -> bytes:
    """A workbook (laid out by its writer, its cells through safe_cell or xlsx_cell) as .xlsx bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_xlsx(headers: list, rows: Iterable[Iterable], *, title: str = "Data") -> bytes:
    """One sheet: a header row, then a row per item."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append([safe_cell(header) for header in headers])
    for row in rows:
        sheet.append([xlsx_cell(cell) for cell in row])
    return workbook_bytes(workbook)


def content_disposition(filename: str) -> str:
    """The Content-Disposition of a download saved as `filename`, quoted (or encoded) safely."""
    return content_disposition_header(as_attachment=True, filename=filename)


def attachment(content: str | bytes, filename: str, *, content_type: str) -> HttpResponse:
    """A response the browser saves as `filename`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def csv_attachment(text: str, filename: str) -> HttpResponse:
    return attachment(text.encode(CSV_CHARSET), filename, content_type=CSV_CONTENT_TYPE)


def xlsx_attachment(content: bytes, filename: str) -> HttpResponse:
    return attachment(content, filename, content_type=XLSX_MEDIA_TYPE)
