"""The one import engine: every upload (the quarter's savings actuals, the device register, the
month's usage) is read here, so each reads what the user sees, the same way.

Reading (`read_table`): an .xlsx (or .xlsm) through openpyxl, a legacy .xls through xlrd, or a CSV
in any common delimiter and encoding (a BOM, UTF-16, Windows-1252). Only visible sheets are read;
the sheet is chosen by its content (the one whose header row has the columns the upload needs; the
user is asked when two do) and the header row is found wherever it is in the first rows (title rows
above it are fine). Columns are matched by name in any order, ignoring case, spaces, punctuation and
"(£)", with the aliases people use ("Ref", "Actual (£)"); the others are listed as ignored. A cell
merged over several rows fills each of them where the column means it (commentary, a category).
Formulas are read from their cached values; a formula Excel never calculated is named as such. A
Total or Subtotal row is left out and checked against the rows above it.

Each upload turns the table's cells into its records with the converters here (`amount`, `text`,
`whole_number`, `day`), and reports every problem as a RowError naming the row as Excel numbers it,
the column by its header in the file, what was found and what is expected.

Confirming (`Preview`, `ImportPreview`, `hold`): a preview is kept in the database with, for each
row, the version of the record it was read against. The upload's confirm writes exactly those
values, under a lock on what it writes (`hold`), after checking each record is still at that
version; if any moved on, the confirm is refused naming the row, the new value and who changed it.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import unescape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from mps_ict.money import format_pounds, parse_money

MAX_UPLOAD_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)
MAX_UNPACKED_BYTES = 400 * 1024 * 1024  # a workbook's parts, unpacked: beyond this it is a zip bomb
HEADER_SEARCH_ROWS = 30
LARGEST_AMOUNT = Decimal("999999999999.99")  # what a money field holds (14 digits, pence included)
LARGEST_COUNT = 2_147_483_647  # what a count field holds
PREVIEW_KEPT = timedelta(days=1)

# --- What an upload reports --------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: the row as Excel numbers it (0: the file as a whole), the column by its header."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(Exception):  # noqa: N818 - reads as what happened
    """An upload that cannot be written; `errors` names every row and column at fault."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(f"Row {e.row}, {e.column}: {e.message}" if e.row else e.message for e in errors))
        self.errors = errors


class StaleImport(ImportRejected):
    """A confirm refused because records changed after the preview (the API's 409)."""


class SheetChoiceNeeded(ImportRejected):
    """Two or more visible sheets have the upload's columns: the user says which one."""

    def __init__(self, errors: list[RowError], sheets: list[str]):
        super().__init__(errors)
        self.sheets = sheets


# --- What a table must have ---------------------------------------------------------------------


def header_words(text) -> str:
    """A header as it is compared: case, spaces, punctuation and the pound sign do not count."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    text = re.sub(r"\(\s*(£|gbp|pounds|£k|£m)\s*\)|£|\bgbp\b", " ", text)
    text = re.sub(r"[^\w%]+", " ", text)
    return " ".join(text.split())


def same_key(text) -> str:
    """A reference, tag or name as it is matched: case and spaces do not count."""
    return " ".join(unicodedata.normalize("NFKC", str(text or "")).split()).casefold()


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # the template's header, named in messages when the file lacks the column
    aliases: tuple[str, ...] = ()
    required: bool = False
    fill_merged: bool = False  # a cell merged over rows means each of them (commentary, a category)
    totalled: bool = False  # an amount a Total row adds up
    counted: str = ""  # a totalled column of counts, not pounds: what it counts ("transactions")
    label: bool = False  # a column whose text may say "Total"

    def names(self) -> set[str]:
        return {header_words(self.title), *(header_words(alias) for alias in self.aliases)}


@dataclass(frozen=True)
class TableSpec:
    what: str  # "quarterly actuals": named in messages
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


# --- What was read ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Uncalculated:
    """A formula cell with no value Excel calculated (the file was written by a program, not saved in Excel)."""

    formula: str

    def __str__(self) -> str:
        return f"={self.formula}" if self.formula else "a formula"


@dataclass(frozen=True)
class CellError:
    """A cell showing an Excel error (#REF!, #DIV/0!...)."""

    code: str

    def __str__(self) -> str:
        return self.code


EXCEL_ERRORS = {
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
}


class CellProblem(ValueError):  # noqa: N818 - reads as what it is
    """A cell that cannot be read as what its column holds; the message says what was found and expected."""


@dataclass
class SheetRow:
    number: int  # as Excel numbers it
    cells: dict[str, object]  # key -> the cell's value (None when blank)

    def __getitem__(self, key):
        return self.cells.get(key)


@dataclass
class TotalRow:
    number: int
    label: str
    stated: dict[str, str]  # key -> amount the row states
    added_up: dict[str, str]  # key -> what the rows above add up to


@dataclass
class Table:
    spec: TableSpec
    file_name: str
    file_kind: str
    sheet: str | None
    header_row: int
    headers: dict[str, str]  # key -> the header as the file has it
    letters: dict[str, str]  # key -> column letter
    ignored_columns: list[str]
    hidden_sheets: list[str]
    other_sheets: list[str]
    rows: list[SheetRow]
    totals: list[TotalRow] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    above_header: list[tuple] = field(default_factory=list)  # the title rows, as read
    hidden_rows: list[int] = field(default_factory=list)  # rows of figures hidden in Excel: read, and said
    scales: dict[str, int] = field(default_factory=dict)  # key -> 1,000 for "(£k)", 1,000,000 for "(£m)"
    errors: list[RowError] = field(default_factory=list)

    def column(self, key: str) -> str:
        """A column as the user knows it: its header in the file, else the template's title."""
        return self.headers.get(key) or self.spec.column(key).title

    def problem(self, row: int, key: str, message: str) -> RowError:
        return RowError(row, self.column(key), message)

    def describe(self) -> dict:
        """What was read, for the preview: file, sheet, header row, columns, what was left out."""
        return {
            "file_name": self.file_name,
            "file_kind": self.file_kind,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "columns": [
                {
                    "field": key,
                    "header": self.headers[key],
                    "letter": self.letters[key],
                    "unit": _SCALE_NAMES.get(self.scales.get(key), ""),
                }
                for key in (column.key for column in self.spec.columns)
                if key in self.headers
            ],
            "ignored_columns": self.ignored_columns,
            "hidden_sheets": self.hidden_sheets,
            "other_sheets": self.other_sheets,
            "totals": [asdict(total) for total in self.totals],
            "left_out": self.left_out,
            "hidden_rows": self.hidden_rows,
        }


_SCALE = re.compile(
    r"£\s*(?P<thousands>k|000s?|'000s?|thousands?)\b|£\s*(?P<millions>m|mn|millions?)\b|"
    r"\(\s*(?P<thousands2>000s?|'000s?)\s*\)",
    re.IGNORECASE,
)
_SCALE_NAMES = {1_000: "£ thousands", 1_000_000: "£ millions"}


def _scale_of(header: str) -> int:
    """1,000 for an amount column headed in thousands ("Actual (£k)", "Forecast £000"), 1,000,000
    for one in millions ("Forecast (£m)"); 0 for pounds."""
    match = _SCALE.search(unicodedata.normalize("NFKC", header))
    if match is None:
        return 0
    return 1_000_000 if match["millions"] else 1_000


def _scaled(value, scale: int):
    """A cell of a column in thousands or millions, in pounds; an amount that says its own
    magnitude ("£250k") is taken as it says. Anything unreadable is left for the converter to name."""
    if isinstance(value, (Uncalculated, CellError, bool, datetime, date)):
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(repr(value) if isinstance(value, float) else value) * scale
    if re.search(r"\d\s*(k|m|mn|bn|thousand|million|billion)\s*\)?$", str(value), re.IGNORECASE):
        return value
    try:
        return parse_money(value) * scale
    except ValueError:
        return value


# --- Converters: a cell as the value its column holds -------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def _refuse_odd(value) -> None:
    if isinstance(value, Uncalculated):
        raise CellProblem(
            f"the cell holds a formula ({value}) with no calculated value: open the file in Excel and save it, "
            "or type the figure"
        )
    if isinstance(value, CellError):
        raise CellProblem(f"the cell shows the Excel error {value.code}: correct the formula or type the figure")


def amount(value, *, negative: bool = True) -> Decimal | None:
    """Pounds as people type them (mps_ict.money.parse_money); None for a blank cell."""
    _refuse_odd(value)
    if _blank(value):
        return None
    if isinstance(value, (datetime, date)):
        raise CellProblem(f"found the date {value:%d/%m/%Y}; expected an amount in pounds, like £1,234.50")
    try:
        pounds = parse_money(value)
    except ValueError as error:
        raise CellProblem(str(error)) from error
    if pounds < 0 and not negative:
        raise CellProblem(f"found {format_pounds(pounds, pence=True)}; expected an amount of £0 or more")
    if abs(pounds) > LARGEST_AMOUNT:
        raise CellProblem(
            f"found {format_pounds(pounds, pence=True)}; expected an amount of at most "
            f"{format_pounds(LARGEST_AMOUNT, pence=True)}"
        )
    return pounds


def text(value) -> str:
    """A cell as text ("" when blank); a whole number typed in a text column loses its ".0"."""
    _refuse_odd(value)
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}" if value.time() == datetime.min.time() else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value).strip()


def whole_number(value, *, minimum: int = 0, maximum: int = LARGEST_COUNT) -> int | None:
    """A count: 12, "1,234", 12.0; None for a blank cell."""
    _refuse_odd(value)
    if _blank(value):
        return None
    raw = value
    if isinstance(value, str):
        raw = value.replace(",", "").replace(" ", "")
    try:
        number = Decimal(str(raw))
    except Exception as error:  # any unreadable text is the user's to correct
        raise CellProblem(f'found "{value}"; expected a whole number of {minimum} or more') from error
    if not number.is_finite() or number != number.to_integral_value() or number < minimum:
        raise CellProblem(f'found "{text(value)}"; expected a whole number of {minimum} or more')
    if number > maximum:
        raise CellProblem(f'found "{text(value)}"; expected a whole number from {minimum} to {maximum:,}')
    return int(number)


_DATE_PATTERNS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%d/%m/%y")


def day(value) -> date | None:
    """A date: a date cell, or text like 29/04/2013, 2013-04-29 or 29 April 2013; None when blank."""
    _refuse_odd(value)
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = " ".join(str(value).split())
    if raw.endswith(" 00:00:00"):
        raw = raw[: -len(" 00:00:00")]
    for pattern in _DATE_PATTERNS:
        try:
            return datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a date, not a time
        except ValueError:
            continue
    raise CellProblem(f'found "{value}"; expected a date, like 29/04/2013')


# --- Reading the file ---------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    visible: bool
    rows: object  # a callable giving the rows (tuples of values), from row 1
    extras: object = None  # a callable giving (merged ranges, uncalculated cells), read once chosen
    hidden_columns: frozenset = frozenset()  # 0-based indices of columns hidden in Excel: not read


def _guarded(name: str, rows):
    """A sheet's rows, read as they are asked for; a sheet damaged part way (its XML cut short, a
    number cell holding text) is refused naming where, not a crash."""

    def read():
        number = 0
        try:
            for row in rows():
                number += 1
                yield row
        except ImportRejected:
            raise
        except Exception as error:
            where = f'The sheet "{name}"' if name else "The file"
            raise _refused(
                f"{where} is damaged: it cannot be read past row {number}. Open it in Excel, save it again and "
                "upload that copy."
            ) from error

    return read


def _refused(message: str) -> ImportRejected:
    return ImportRejected([RowError(0, "File", message)])


def _read_bytes(upload) -> bytes:
    size = getattr(upload, "size", None)
    limit = f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _refused(f"The file is {size / (1024 * 1024):.1f} MB; the limit is {limit}. Upload a smaller file.")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refused(f"The file is larger than the limit of {limit}. Upload a smaller file.")
    if not data:
        raise _refused("The file is empty.")
    return data


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NOT_A_SPREADSHEET = (
    "This file is not a spreadsheet we can read: upload an Excel workbook (.xlsx or .xls) or a CSV file."
)
_ENCRYPTED = (
    "The file is protected by a password, so it cannot be read. Save a copy without the password and upload that."
)


def _cell_value(value):
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).replace("\u200b", "").replace("\ufeff", "").strip()
        if not value:
            return None
        if value in EXCEL_ERRORS:
            return CellError(value)
    return value


def _xlsx_sheets(data: bytes) -> tuple[str, list[_Sheet]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "EncryptedPackage" in names:
            raise _refused(_ENCRYPTED)
        if "xl/workbook.bin" in names:
            raise _refused("This is a binary Excel workbook (.xlsb): save it as .xlsx and upload that.")
        if not any(name.startswith("xl/") for name in names):
            raise _refused(_NOT_A_SPREADSHEET)
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise _refused(
                f"The file unpacks to {unpacked // (1024 * 1024):,} MB, more than a spreadsheet of this kind "
                f"could hold ({MAX_UNPACKED_BYTES // (1024 * 1024)} MB): it is refused as unsafe."
            )
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except ImportRejected:
        raise
    except Exception as error:  # a corrupt or foreign file: the user is told, never a 500
        raise _refused(_NOT_A_SPREADSHEET) from error

    def rows_of(worksheet):
        def rows():
            worksheet.reset_dimensions()  # some programs write a wrong size; read every row there is
            return worksheet.iter_rows(values_only=True)

        return rows

    def extras_of(worksheet):
        def extras():
            return _xlsx_merged_and_uncalculated(archive.read(worksheet._worksheet_path))

        return extras

    kind = "Excel workbook (.xlsx)"
    return kind, [
        _Sheet(
            ws.title,
            ws.sheet_state == "visible",
            _guarded(ws.title, rows_of(ws)),
            extras_of(ws),
            _xlsx_hidden_columns(archive, ws._worksheet_path),
        )
        for ws in workbook.worksheets
    ]


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_STRING_RESULT = re.compile(rb'\bt="str"')
_EMPTY_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?(?:/>|>\s*</(?:\w+:)?v>)")
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>[^<]+<")  # a cached value (an empty <v/> is none)


def column_index(letters: str) -> int:
    """ "A" -> 0, "AB" -> 27."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


_COLUMN_WIDTHS = re.compile(rb"<(?:\w+:)?col\s([^>]*)/?>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_SPAN = re.compile(rb'\bmin="(\d+)"[^>]*?\bmax="(\d+)"|\bmax="(\d+)"[^>]*?\bmin="(\d+)"')


def _xlsx_hidden_columns(archive: zipfile.ZipFile, path: str) -> frozenset:
    """The columns hidden in Excel (their <cols> widths come before the sheet's data, so only the
    start of the sheet's XML is read)."""
    try:
        with archive.open(path) as sheet:
            head = sheet.read(65536)
    except (KeyError, OSError, zipfile.BadZipFile, EOFError):
        return frozenset()
    head = head.split(b"<sheetData", 1)[0]
    hidden = set()
    for attributes in _COLUMN_WIDTHS.findall(head):
        span = _SPAN.search(attributes)
        if span is None or not _HIDDEN.search(attributes):
            continue
        low, high = (span.group(1), span.group(2)) if span.group(1) else (span.group(4), span.group(3))
        hidden.update(range(int(low) - 1, min(int(high), 16384)))
    return frozenset(hidden)


def _xlsx_merged_and_uncalculated(xml: bytes):
    """The sheet's merged ranges (0-based row and column bounds, inclusive), its formula cells with
    no cached value ({(row, column): formula}) and its rows hidden in Excel (as Excel numbers
    them), read from the sheet's XML."""
    merged = [
        (int(top) - 1, int(bottom) - 1, column_index(left.decode()), column_index(right.decode()))
        for left, top, right, bottom in _MERGE.findall(xml)
    ]
    uncalculated = {}
    if b"<f" in xml or b":f" in xml:
        for match in _CELL.finditer(xml):
            body = match.group(3) or b""
            formula = _FORMULA.search(body)
            if formula is None or _VALUE.search(body):
                continue
            if _STRING_RESULT.search(match.group(1)) and _EMPTY_VALUE.search(body):
                continue  # Excel calculated it as empty text
            reference = _CELL_REF.search(match.group(1))
            if reference is None:
                continue
            position = (int(reference.group(2)) - 1, column_index(reference.group(1).decode()))
            uncalculated[position] = unescape((formula.group(1) or b"").decode("utf-8", "replace"))
    hidden_rows = {int(number) for number in _HIDDEN_ROW.findall(xml)} if b"hidden=" in xml else set()
    return merged, uncalculated, hidden_rows


_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\s(?=[^>]*\bhidden="(?:1|true)")[^>]*?\br="(\d+)"')


def _xls_sheets(data: bytes) -> tuple[str, list[_Sheet]]:
    import xlrd

    if "EncryptedPackage".encode("utf-16-le") in data:
        raise _refused(_ENCRYPTED)
    try:
        book = xlrd.open_workbook(  # every sheet parsed here; xlrd's warnings are not the user's
            file_contents=data, formatting_info=True, logfile=io.StringIO()
        )
    except xlrd.biffh.XLRDError as error:
        if "encrypt" in str(error).lower():
            raise _refused(_ENCRYPTED) from error
        raise _refused(_NOT_A_SPREADSHEET) from error
    except Exception as error:  # a workbook with damaged bytes: the user is told, never a 500
        raise _refused(
            "This Excel 97-2003 workbook (.xls) is damaged and cannot be read. Open it in Excel, save it again "
            "(as .xlsx if you can) and upload that copy."
        ) from error

    def value(cell):
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                return xlrd.xldate_as_datetime(cell.value, book.datemode)
            except Exception:  # an impossible date: shown as the number it is
                return cell.value
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return CellError(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return None
        return cell.value

    sheets = []
    for index, name in enumerate(book.sheet_names()):
        sheet = book.sheet_by_index(index)

        def rows(sheet=sheet):
            return (tuple(value(cell) for cell in sheet.row(number)) for number in range(sheet.nrows))

        def extras(sheet=sheet):
            merged = [(top, bottom - 1, left, right - 1) for top, bottom, left, right in sheet.merged_cells]
            hidden = {number + 1 for number, info in sheet.rowinfo_map.items() if info.hidden}
            return merged, {}, hidden

        sheets.append(_Sheet(name, sheet.visibility == 0, _guarded(name, rows), extras))
    return "Excel 97-2003 workbook (.xls)", sheets


_ENCODINGS = (("utf-8", "UTF-8"), ("cp1252", "Windows-1252"))
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # a line with its ending: \r\n, \n or \r alone (old Macs)
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def _decode(data: bytes) -> tuple[str, str]:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), label
            except UnicodeDecodeError as error:
                if codec == "utf-8-sig":  # a UTF-8 mark a tool put before Windows-1252 text
                    return data[len(bom) :].decode("cp1252", errors="replace"), "Windows-1252"
                raise _refused(_NOT_A_SPREADSHEET) from error
    sample = data[:4000]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without its mark
        codec = "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(codec), "UTF-16"
        except UnicodeDecodeError as error:
            raise _refused(_NOT_A_SPREADSHEET) from error
    if b"\x00" in sample:
        raise _refused(_NOT_A_SPREADSHEET)
    for codec, label in _ENCODINGS:
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "Latin-1"


def _csv_sheets(data: bytes) -> tuple[str, list[_Sheet]]:
    content, encoding = _decode(data)
    if any(ord(ch) < 32 and ch not in "\t\r\n\x0c" for ch in content[:4000]):
        raise _refused(_NOT_A_SPREADSHEET)
    lines = [line for line in _LINE.findall(content[:20000])[:50] if line.strip()]
    if not lines:
        raise _refused("The file is empty.")

    def score(delimiter: str) -> tuple[int, int]:
        """How alike the delimiter splits the lines: how many share the commonest number of fields
        (more than one), then that number. A commentary full of commas does not outvote the
        semicolons every line has."""
        counts = Counter(len(next(csv.reader([line], delimiter=delimiter))) - 1 for line in lines)
        counts.pop(0, None)
        if not counts:
            return (0, 0)
        fields, lines_alike = max(counts.items(), key=lambda item: (item[1], item[0]))
        return (lines_alike, fields)

    delimiter = max(_DELIMITERS, key=score)
    if score(delimiter)[0] == 0:
        delimiter = ","

    def rows():
        reader = csv.reader(_LINE.findall(content), delimiter=delimiter)
        while True:
            started = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise _refused(
                    f'Line {started} of the file cannot be read ({error}): a quote (") opened there may never '
                    "be closed. Correct the line and upload the file again."
                ) from error
            yield tuple(row)

    return f"CSV ({_DELIMITERS[delimiter]}-separated, {encoding})", [_Sheet("", True, rows, lambda: ([], {}, set()))]


def _open_sheets(data: bytes) -> tuple[str, list[_Sheet]]:
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_sheets(data)
    if data.startswith(_OLE):
        return _xls_sheets(data)
    if re.match(rb"\s*(\xef\xbb\xbf)?\s*(<!doctype html|<html|<table|<\?xml[^>]*>\s*<html)", data[:500], re.IGNORECASE):
        raise _refused(
            "This file is a web page (HTML) saved with a spreadsheet's name, as a reporting system's "
            '"Export to Excel" often makes: open it in Excel, save it as an Excel Workbook (.xlsx) and upload that.'
        )
    if data.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf")):
        raise _refused(_NOT_A_SPREADSHEET)
    return _csv_sheets(data)


# --- Finding the header and the table -----------------------------------------------------------

_TOTAL = re.compile(r"^(grand\s*)?(sub\s*-?\s*)?totals?\b")


def _match_header(
    spec: TableSpec, row: tuple, hidden: frozenset = frozenset()
) -> tuple[dict[str, int], list[tuple[int, str]], list[RowError]]:
    """Which cell of a row is which column: (positions, the other non-blank headers, clashes).
    A column hidden in Excel is not read (the user does not see it)."""
    names = {column.key: column.names() for column in spec.columns}
    positions: dict[str, int] = {}
    others, clashes = [], []
    for index, cell in enumerate(row):
        if index in hidden:
            continue
        words = header_words(cell) if not isinstance(cell, (Uncalculated, CellError)) else ""
        if not words:
            continue
        key = next((key for key, accepted in names.items() if words in accepted), None)
        if key is None:
            others.append((index, str(cell).strip()))
        elif key in positions:
            clashes.append((key, positions[key], index))
        else:
            positions[key] = index
    return positions, others, clashes


def _find_header(spec: TableSpec, rows: list[tuple], hidden: frozenset = frozenset()):
    """The first row with every required column; else the row matching most, for the message."""
    required = {column.key for column in spec.columns if column.required}
    best = None
    for index, row in enumerate(rows):
        positions, others, clashes = _match_header(spec, row, hidden)
        if required <= positions.keys():
            return index, positions, others, clashes
        if best is None or len(positions) > len(best[1]):
            best = (index, positions, others, clashes)
    return None, *(best[1:] if best else ({}, [], []))


def read_table(upload, spec: TableSpec, *, sheet: str | None = None) -> Table:
    """Read an upload's table. Raises ImportRejected (or SheetChoiceNeeded) for a file that cannot
    be read at all; problems of single rows (a total that does not add up) are in `table.errors`."""
    data = _read_bytes(upload)
    file_name = getattr(upload, "name", "") or "the file"
    file_kind, sheets = _open_sheets(data)
    visible = [candidate for candidate in sheets if candidate.visible]
    hidden = [candidate.name for candidate in sheets if not candidate.visible]
    if not visible:
        raise _refused("The workbook has no visible sheet: unhide the sheet to upload and try again.")

    found = []
    for candidate in visible:
        top = []
        for row in candidate.rows():
            top.append(tuple(_cell_value(value) for value in row))
            if len(top) >= HEADER_SEARCH_ROWS:
                break
        found.append((candidate, _find_header(spec, top, candidate.hidden_columns)))
    if sheet and not (len(sheets) == 1 and sheets[0].name == ""):  # a CSV is one table: any sheet named is it
        chosen = next((pair for pair in found if pair[0].name == sheet), None)
        if chosen is None:
            why = "is hidden; only visible sheets are read" if sheet in hidden else "is not in the workbook"
            raise _refused(f'The sheet "{sheet}" {why}. Sheets: {", ".join(c.name for c in visible)}.')
        if chosen[1][0] is None:
            raise _missing_columns(spec, chosen)
    else:
        qualifying = [pair for pair in found if pair[1][0] is not None]
        if len(qualifying) > 1:
            names = [pair[0].name for pair in qualifying]
            raise SheetChoiceNeeded(
                [
                    RowError(
                        0,
                        "Sheet",
                        f"The sheets {', '.join(repr(n) for n in names)} all have the columns of {spec.what}: "
                        "choose the sheet to read.",
                    )
                ],
                names,
            )
        if not qualifying:
            best = max(found, key=lambda pair: len(pair[1][1]))
            raise _missing_columns(spec, best, hidden=hidden)
        chosen = qualifying[0]
    candidate, (header_index, positions, others, clashes) = chosen
    if clashes:
        raise ImportRejected(
            [
                RowError(
                    header_index + 1,
                    spec.column(key).title,
                    f"Columns {column_letter(first)} and {column_letter(second)} are both read as "
                    f"{spec.column(key).title}: rename or delete one of them.",
                )
                for key, first, second in clashes
            ]
        )
    return _read_rows(spec, file_name, file_kind, candidate, header_index, positions, others, visible, hidden)


def _missing_columns(spec: TableSpec, pair, hidden=()) -> ImportRejected:
    candidate, (_, positions, _, _) = pair
    missing = [column.title for column in spec.columns if column.required and column.key not in positions]
    where = f'sheet "{candidate.name}"' if candidate.name else "the file"
    message = (
        f"No header row with the columns {', '.join(missing)} was found in the first {HEADER_SEARCH_ROWS} rows "
        f"of {where}. Name the columns as the template does (in any order)."
    )
    if hidden:
        message += f" Hidden sheets are not read ({', '.join(hidden)})."
    return ImportRejected([RowError(0, ", ".join(missing), message)])


def _read_rows(spec, file_name, file_kind, candidate, header_index, positions, others, visible, hidden) -> Table:
    merged, uncalculated, hidden_rows = candidate.extras() if candidate.extras else ([], {}, set())
    fill_columns = {positions[c.key] for c in spec.columns if c.fill_merged and c.key in positions}
    fills: dict[tuple[int, int], tuple[int, int]] = {}  # (row, column) -> the merged range's top-left
    for top, bottom, left, right in merged:
        if bottom > top and left <= right:
            for column in range(left, right + 1):
                if column in fill_columns:
                    for row in range(top + 1, bottom + 1):
                        fills[(row, column)] = (top, left)
    first_matched = min(positions.values())
    first_key = min(positions, key=positions.get)
    label_columns = sorted(
        {positions[c.key] for c in spec.columns if c.label and c.key in positions}
        | (set(range(first_matched)) - candidate.hidden_columns)  # a margin left of the table, headed or not
    )
    totalled = [c.key for c in spec.columns if c.totalled and c.key in positions]
    header_words_row = None
    table = Table(
        spec=spec,
        file_name=file_name,
        file_kind=file_kind,
        sheet=candidate.name or None,
        header_row=header_index + 1,
        headers={},
        letters={key: column_letter(index) for key, index in positions.items()},
        ignored_columns=[name for _, name in others],
        hidden_sheets=list(hidden),
        other_sheets=[c.name for c in visible if c is not candidate],
        rows=[],
    )
    kept_values: dict[tuple[int, int], object] = {}
    fill_tops = set(fills.values())
    since_subtotal: dict[str, list] = {key: [] for key in totalled}
    everything: dict[str, list] = {key: [] for key in totalled}
    on_top: list[tuple[int, str, dict]] = []
    for index, raw in enumerate(candidate.rows()):
        if index < header_index:
            if index < HEADER_SEARCH_ROWS:
                table.above_header.append(tuple(_cell_value(value) for value in raw))
            continue
        if index == header_index:
            header_words_row = [header_words(_cell_value(value)) for value in raw]
            table.headers = {key: str(_cell_value(raw[position])).strip() for key, position in positions.items()}
            if hidden_headed := [
                f"{column_letter(i)} (“{_cell_value(raw[i])}”)"
                for i in sorted(candidate.hidden_columns)
                if i < len(raw) and _cell_value(raw[i]) is not None
            ]:
                table.left_out.append(f"Hidden in Excel, not read: column {', column '.join(hidden_headed)}.")
            table.scales = {
                key: scale
                for key, header in table.headers.items()
                if spec.column(key).totalled and (scale := _scale_of(header))
            }
            continue
        cells = {}
        for key, position in positions.items():
            value = _cell_value(raw[position]) if position < len(raw) else None
            if (index, position) in fill_tops:
                kept_values[(index, position)] = value
            if value is None:
                if (index, position) in fills:
                    value = kept_values.get(fills[(index, position)])
                elif (index, position) in uncalculated:
                    value = Uncalculated(uncalculated[(index, position)])
            if key in table.scales and value is not None:
                value = _scaled(value, table.scales[key])
            cells[key] = value
        labels = [_cell_value(raw[i]) for i in label_columns if i < len(raw)]
        label = next((str(v) for v in labels if isinstance(v, str) and _TOTAL.match(header_words(v))), None)
        if label is None and all(value is None for value in cells.values()):
            continue  # a blank or space-only row, or one with a note only in a column not read
        if (
            header_words_row is not None
            and header_words(cells[first_key]) == header_words_row[positions[first_key]]
            and [header_words(_cell_value(v)) for v in raw] == header_words_row
        ):  # the whole row compared only when its first column repeats its header
            table.left_out.append(f"Row {index + 1} repeats the header row.")
            continue
        if label is not None:
            subtotal = "sub" in header_words(label).split()[0] or header_words(label).startswith("sub")
            if not table.rows and not subtotal:
                on_top.append((index + 1, label, cells))  # a Total above the rows it adds up: checked at the end
                continue
            _check_total(table, index + 1, label, cells, since_subtotal if subtotal else everything, totalled)
            for key in totalled:
                since_subtotal[key] = []
            continue
        table.rows.append(SheetRow(index + 1, cells))
        if index + 1 in hidden_rows:
            table.hidden_rows.append(index + 1)
        for key in totalled:
            try:
                value = amount(cells[key])
            except CellProblem:
                value = "?"
            since_subtotal[key].append(value)
            everything[key].append(value)
    for number, label, cells in on_top:
        _check_total(table, number, label, cells, everything, totalled, where="below")
    return table


def _check_total(
    table: Table, number: int, label: str, cells: dict, rows_above: dict, totalled: list[str], where: str = "above"
) -> None:
    """A Total row is left out; each amount it states must be what the rows above it add up to (or
    below it, for a Total at the top of the table)."""
    total = TotalRow(number, label, {}, {})
    for key in totalled:
        try:
            stated = amount(cells.get(key))
        except CellProblem:
            continue  # an uncalculated or unreadable total checks nothing
        values = rows_above.get(key, [])
        if stated is None or "?" in values:
            continue
        added = sum((value for value in values if value is not None), Decimal("0.00"))
        total.stated[key], total.added_up[key] = str(stated), str(added)
        if stated != added:
            noun = table.spec.column(key).counted
            said, sum_said = (
                (f"{stated:,.0f} {noun}", f"{added:,.0f}")
                if noun
                else (format_pounds(stated, pence=True), format_pounds(added, pence=True))
            )
            table.errors.append(
                table.problem(
                    number,
                    key,
                    f'The "{label}" row says {said} but the rows {where} it add up to {sum_said}: '
                    "correct the total or the rows.",
                )
            )
    table.totals.append(total)
    checked = f", and checked against the rows {where}" if totalled else ""
    table.left_out.append(f'Row {number} ("{label}") is a total: left out{checked}.')


# --- Preview and confirm ------------------------------------------------------------------------


@dataclass
class PreviewRow:
    """One row as the confirm will write it: what it says, what the record said, and the version
    of the record it was read against ("" where there was no record)."""

    row: int
    key: str
    label: str
    values: dict
    was: dict | None
    basis: str
    change: str  # "new", "changed" or "unchanged" (left as it is)


@dataclass
class Preview:
    kind: str
    scope: str
    read: dict  # Table.describe()
    rows: list[PreviewRow]
    errors: list[RowError] = field(default_factory=list)
    notes: dict = field(default_factory=dict)  # what else the upload's confirm needs (a month's coverage...)
    id: str = ""

    @property
    def to_write(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.change != "unchanged"]

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "scope": self.scope,
            **self.read,
            "rows": [
                {
                    "row": row.row,
                    "key": row.key,
                    "label": row.label,
                    "values": row.values,
                    "was": row.was,
                    "basis": row.basis,
                    "change": row.change,
                }
                for row in self.rows
            ],  # shallow: asdict's deep copy of 30,000 rows took seconds
            "errors": [error.as_dict() for error in self.errors],
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, payload: dict) -> Preview:
        read = {key: payload[key] for key in payload if key not in ("id", "kind", "scope", "rows", "errors", "notes")}
        return cls(
            kind=payload["kind"],
            scope=payload["scope"],
            read=read,
            rows=[PreviewRow(**row) for row in payload["rows"]],
            errors=[RowError(**error) for error in payload["errors"]],
            notes=payload.get("notes", {}),
            id=payload.get("id", ""),
        )


def preview_refused(*, kind: str, scope: str, upload, rejected: ImportRejected) -> Preview:
    """The preview of a file that could not be read at all: its name and the reasons."""
    read = {
        "file_name": getattr(upload, "name", "") or "the file",
        "file_kind": "",
        "sheet": None,
        "header_row": None,
        "columns": [],
        "ignored_columns": [],
        "hidden_sheets": [],
        "other_sheets": [],
        "totals": [],
        "left_out": [],
        "hidden_rows": [],
    }
    notes = {"sheets": rejected.sheets} if isinstance(rejected, SheetChoiceNeeded) else {}
    return Preview(kind=kind, scope=scope, read=read, rows=[], errors=list(rejected.errors), notes=notes)


@dataclass(frozen=True)
class Shown:
    """A preview's column as the page shows it: its heading and how its values read."""

    key: str
    heading: str
    kind: str = "text"  # "money", "count", "date" or "text"
    labels: dict | None = None  # a choice's value -> its label


def _shown(value, kind: str) -> str:
    if value in (None, ""):
        return "—"
    if kind == "money":
        return money_text(value)
    if kind == "count":
        return f"{int(value):,}"
    if kind == "date":
        return f"{date.fromisoformat(value):%d/%m/%Y}"
    return str(value)


def preview_table(preview: Preview, shown: list[Shown], *, limit: int = 500) -> dict:
    """The preview's rows as the page shows them (the first `limit`; the rest counted): each value
    as read, what was held before where it differs, and whether the row is new, changed or as held."""
    rows = []
    for row in preview.rows[:limit]:
        cells = []
        for column in shown:
            labels = column.labels or {}
            now = _shown(labels.get(row.values.get(column.key), row.values.get(column.key)), column.kind)
            was = (
                _shown(labels.get(row.was.get(column.key), row.was.get(column.key)), column.kind)
                if row.was is not None
                else None
            )
            cells.append({"now": now, "was": was if was is not None and was != now else None, "kind": column.kind})
        rows.append({"row": row.row, "key": row.key, "label": row.label, "change": row.change, "cells": cells})
    counts = {
        change: sum(1 for row in preview.rows if row.change == change) for change in ("new", "changed", "unchanged")
    }
    return {
        "headings": [column.heading for column in shown],
        "numeric": [column.kind in ("money", "count") for column in shown],
        "rows": rows,
        "more": max(0, len(preview.rows) - limit),
        "counts": counts,
        "to_write": counts["new"] + counts["changed"],
    }


def preview_keep(preview: Preview, *, user) -> Preview:
    """Keep a preview without errors for its confirm; previews older than a day are dropped."""
    from mps_ict.models import ImportPreview

    ImportPreview.objects.filter(created_at__lt=timezone.now() - PREVIEW_KEPT).delete()
    preview.id = str(uuid.uuid4())
    ImportPreview.objects.create(
        id=preview.id, kind=preview.kind, scope=preview.scope, user=user, payload=preview.as_dict()
    )  # one INSERT: the payload of a 30,000-row register is megabytes
    return preview


def preview_take(*, preview_id, kind: str, user) -> Preview:
    """The kept preview, locked and removed, for its confirm (inside the confirm's transaction):
    once confirmed (or by someone else) it is gone."""
    from mps_ict.models import ImportPreview

    try:
        kept = ImportPreview.objects.select_for_update().get(pk=preview_id, kind=kind, user=user)
    except (ImportPreview.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        raise ImportRejected(
            [
                RowError(
                    0,
                    "Preview",
                    "There is no checked upload to confirm: it was confirmed already, or is more than a day old. "
                    "Upload the file again.",
                )
            ]
        ) from error
    preview = Preview.from_dict(kept.payload)
    kept.delete()
    return preview


def hold(scope: str) -> None:
    """Within the caller's transaction, wait for any other confirm of the same scope (a quarter's
    actuals, a month's usage, the register) to finish: concurrent confirms go one at a time, so the
    second sees what the first wrote. On PostgreSQL an advisory lock; SQLite writes one at a time."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.blake2b(scope.encode(), digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def changed_by(instance) -> str:
    """Who last changed a record and when, from its audit trail: "Jane Smith at 14:02 on 3 May 2014"."""
    from mps_ict.audit import person

    latest = instance.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    if latest is None:
        return "someone"
    moment = timezone.localtime(latest.history_date)
    return f"{person(latest.history_user)} at {moment:%H:%M} on {moment.day} {moment:%B %Y}"


def stale_error(row: PreviewRow, column: str, now: str, who: str) -> RowError:
    return RowError(
        row.row,
        column,
        f"{row.key} was changed after your preview by {who}: it is now {now}. Nothing was saved; upload the "
        "file again to see the new figures.",
    )


def money_text(value) -> str:
    return "" if value in (None, "") else format_pounds(Decimal(str(value)), pence=True)
