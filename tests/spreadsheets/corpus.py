"""A corpus of spreadsheets as finance staff really send them, each generated in code with the
exact outcome the import engine (mps_ict.imports.read_table) must give for it.

Every case is a `Case`: a file name, a function building the file's bytes, and either `Read`
(the sheet and header row read, each data row by its Excel row number with its interpreted
values, the columns ignored, the hidden sheets, the rows left out, the problems) or `Refused`
(the file-level errors, by row, column and a part of the message).

Interpreted values (`Read.rows`): for each row, the non-blank values of the columns below as the
converters read them: amounts as Decimal strings ("250000.00"), the rest as text. A cell the
converter refuses reads "!" and is listed in `Read.problems` with the part of its message.

The savings cases use the references of the MPS savings plan (savings/data/mps_baseline.yaml),
whose 2014/15 plan is PLAN_2014 below, so that the same files go end to end through the quarter's
upload (savings.io.actuals_preview) for 2014/15 Q1.
"""

from __future__ import annotations

import codecs
import csv
import io
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import xlwt
from openpyxl import Workbook

from mps_ict.imports import MAX_UNPACKED_BYTES, MAX_UPLOAD_BYTES

# The headers of the quarter's template (savings.io.COLUMNS): messages name a missing column so.
REF = "Reference"
CATEGORY = "Category"
INITIATIVE = "Initiative"
PLANNED = "Planned saving for the year (£)"
ACTUAL = "Actual saving in the quarter (£)"
FORECAST = "Full-year forecast (£)"
COMMENTARY = "Commentary"
TEMPLATE_HEADER = [REF, CATEGORY, INITIATIVE, PLANNED, ACTUAL, FORECAST, COMMENTARY]

# Keys read for each row (the ACTUALS_SPEC column keys) and how each is interpreted.
AMOUNT_KEYS = ("actual_saving", "forecast_full_year")
TEXT_KEYS = ("reference", "category", "commentary")

# The plan for 2014/15 of each initiative in the seed (a forecast equal to it needs no commentary).
PLAN_2014 = {
    "SAV-DC": "4000000.00",
    "SAV-CC": "4000000.00",
    "SAV-NET": "5000000.00",
    "SAV-SM": "5000000.00",
    "SAV-APPS": "4000000.00",
    "SAV-ERP": "1000000.00",
    "SAV-TEL": "2000000.00",
    "SAV-RADIO": "3000000.00",
    "SAV-DESK": "3000000.00",
    "SAV-DESKS": "3000000.00",
    "SAV-PAY": "8000000.00",
}
CATEGORIES = {
    "SAV-DC": "Data Centres",
    "SAV-CC": "Command & Control Systems",
    "SAV-NET": "Network",
    "SAV-SM": "Service Management",
    "SAV-TEL": "Telephony",
    "SAV-RADIO": "Radio",
}
TITLE_ROWS = [
    ["ICT savings plan (£60m by 2015/16): quarterly savings actuals"],
    ["Quarter", "2014/15 Q1"],
    ["Fill in the actual saving in the quarter and the forecast for the whole year, in pounds."],
    [],
]  # the template's rows above its header (row 5)

NBSP = "\u00a0"
ZWSP = "\u200b"


# --- What a case expects --------------------------------------------------------------------------


@dataclass(frozen=True)
class Err:
    """An error: its row as Excel numbers it (0: the file), its column, and a part of its message."""

    row: int
    column: str
    says: str


@dataclass(frozen=True)
class Read:
    sheet: str | None
    header_row: int
    rows: dict[int, dict[str, str]]
    file_kind: str = "Excel workbook (.xlsx)"
    ignored_columns: tuple[str, ...] = ()
    hidden_sheets: tuple[str, ...] = ()
    other_sheets: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()  # a part of each left-out note, in order
    errors: tuple[Err, ...] = ()  # Table.errors (a total that does not add up)
    problems: tuple[Err, ...] = ()  # cells a converter refuses: Err(row, key, part of the message)


@dataclass(frozen=True)
class Refused:
    errors: tuple[Err, ...]
    sheets: tuple[str, ...] | None = None  # SheetChoiceNeeded: the sheets to choose from


@dataclass(frozen=True)
class Previewed:
    """What the quarter's upload (savings.io.actuals_preview, 2014/15 Q1, on the seed plan) shows for
    a file the engine reads: each row to write as (its initiative's reference, its values as the
    preview holds them), and every error (row, column as headed in the file, part of the message).
    A case without one expects its Read rows (references matched to the plan's, commentary "" when
    blank) and the Read errors, nothing more."""

    rows: dict[int, tuple[str, dict[str, str]]]
    errors: tuple[Err, ...] = ()


def previewed(actual: str, forecast: str, commentary: str = "") -> dict[str, str]:
    return {"actual_saving": actual, "forecast_full_year": forecast, "commentary": commentary}


@dataclass(frozen=True)
class Case:
    id: str
    file_name: str
    build: Callable[[], bytes]
    expected: Read | Refused
    sheet: str | None = None  # the sheet asked for (read_table(sheet=...))
    xfail: str = ""  # a known gap in the engine: the case's honest outcome, not yet given
    note: str = ""  # one line for the README
    preview: Previewed | None = None  # the savings upload's preview, where more than the Read's

    def data(self) -> bytes:
        if self.id not in _BUILT:  # each file is built once per run (the zip bomb takes a second)
            _BUILT[self.id] = self.build()
        return _BUILT[self.id]


_BUILT: dict[str, bytes] = {}


# --- Building files -------------------------------------------------------------------------------


@dataclass
class SheetDef:
    name: str
    rows: list[list]
    state: str = "visible"  # "hidden", "veryHidden"
    merges: list[str] = field(default_factory=list)  # "G6:G7"
    cached: dict[str, object] = field(default_factory=dict)  # cell -> the value Excel calculated


def xlsx(*sheets: SheetDef, all_hidden: bool = False) -> bytes:
    """An .xlsx as openpyxl writes it; formulas given a `cached` value get it written into the
    sheet's XML (<v>), as Excel does on save; formulas without one have none (<v />)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name)
        for row in sheet.rows:
            worksheet.append(row)
        for merge in sheet.merges:
            worksheet.merge_cells(merge)
        worksheet.sheet_state = sheet.state if not all_hidden else "visible"
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    patches = {}
    for number, sheet in enumerate(sheets, start=1):
        if sheet.cached:
            patches[f"xl/worksheets/sheet{number}.xml"] = lambda xml, cached=sheet.cached: _cache(xml, cached)
    if all_hidden:
        patches["xl/workbook.xml"] = lambda xml: xml.replace(b'state="visible" r:id', b'state="hidden" r:id')
    return rezip(data, patches) if patches else data


def _cache(xml: bytes, cached: dict[str, object]) -> bytes:
    for reference, value in cached.items():
        pattern = re.compile(rb'<c r="' + reference.encode() + rb'"([^>]*)>(<f>.*?</f>)<v\s*/>(</c>)', re.S)
        if isinstance(value, str) and value.startswith("#"):  # an Excel error
            kind, text = b' t="e"', value.encode()
        elif isinstance(value, str):
            kind, text = b' t="str"', value.encode()
        else:
            kind, text = b"", str(value).encode()
        start = b'<c r="' + reference.encode() + b'"' + kind + b">"
        xml, count = pattern.subn(
            lambda match, start=start, text=text: start + match.group(2) + b"<v>" + text + b"</v></c>",
            xml,
        )
        assert count == 1, f"no formula cell {reference} to give a cached value"
    return xml


def rezip(data: bytes, patches: dict[str, Callable[[bytes], bytes]]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename in patches:
                content = patches[info.filename](content)
            target.writestr(info.filename, content)
    return buffer.getvalue()


def xls(
    sheets: list[tuple[str, list[list], int]], merges: dict[str, list[tuple[int, int, int, int]]] | None = None
) -> bytes:
    """A legacy .xls through xlwt: (name, rows, visibility 0 visible / 1 hidden / 2 very hidden);
    merges: sheet name -> (first row, last row, first column, last column), 0-based inclusive."""
    merges = merges or {}
    workbook = xlwt.Workbook()
    for name, rows, visibility in sheets:
        worksheet = workbook.add_sheet(name)
        worksheet.visibility = visibility
        merged = {(top, left): (top, bottom, left, right) for top, bottom, left, right in merges.get(name, [])}
        covered = {
            (row, column)
            for top, bottom, left, right in merges.get(name, [])
            for row in range(top, bottom + 1)
            for column in range(left, right + 1)
        }
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) in merged:
                    top, bottom, left, right = merged[(r, c)]
                    worksheet.write_merge(top, bottom, left, right, value)
                elif (r, c) not in covered and value is not None:
                    worksheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, delimiter: str = ",", encoding: str = "utf-8", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    if encoding == "utf-16":
        return text.encode("utf-16")  # Python writes the BOM (little-endian here)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def row(reference, actual, forecast, commentary=None, *, category=None, initiative=None, planned=None):
    """A row in the template's column order."""
    return [reference, category, initiative, planned, actual, forecast, commentary]


def values(reference, actual=None, forecast=None, commentary=None, category=None) -> dict[str, str]:
    found = {
        "reference": reference,
        "category": category,
        "actual_saving": actual,
        "forecast_full_year": forecast,
        "commentary": commentary,
    }
    return {key: value for key, value in found.items() if value not in (None, "")}


# --- The cases ------------------------------------------------------------------------------------

CASES: list[Case] = []


def case(id, file_name, expected, *, sheet=None, xfail="", note="", preview=None):
    def register(build):
        CASES.append(Case(id, file_name, build, expected, sheet=sheet, xfail=xfail, note=note, preview=preview))
        return build

    return register


@case(
    "template_as_downloaded",
    "actuals-2014-15-q1.xlsx",
    Read(
        sheet="Actuals",
        header_row=5,
        rows={
            6: values("SAV-DC", "1000000.00", "4000000.00", category="Data Centres"),
            7: values("SAV-CC", "250000.00", "4000000.00", category="Command & Control Systems"),
        },
    ),
    note="the template filled in: title rows 1-4, header row 5",
)
def _template():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                *TITLE_ROWS,
                TEMPLATE_HEADER,
                row("SAV-DC", 1000000, 4000000, category="Data Centres", planned=4000000),
                row("SAV-CC", 250000, 4000000, category="Command & Control Systems", planned=4000000),
            ],
        )
    )


@case(
    "title_rows_above_header",
    "Q1 return - FINAL v3.xlsx",
    Read(
        sheet="Q1 return",
        header_row=8,
        rows={
            9: values("SAV-NET", "300000.00", "5000000.00"),
            10: values("SAV-TEL", "125000.50", "2000000.00", "On track"),
        },
    ),
    note="seven title and note rows (a logo line, a date, a blank) above the header at row 8",
)
def _title_rows():
    return xlsx(
        SheetDef(
            "Q1 return",
            [
                ["Metropolitan Police Service"],
                ["Directorate of Information"],
                ["ICT savings: quarterly return", None, None, "Prepared by: J Smith"],
                ["Quarter:", "2014/15 Q1"],
                [],
                ["Figures in pounds. Do not change the references."],
                [],
                [REF, ACTUAL, FORECAST, COMMENTARY],
                ["SAV-NET", 300000, 5000000, None],
                ["SAV-TEL", "125,000.50", 5000000 - 3000000, "On track"],
            ],
        )
    )


@case(
    "hidden_stale_sheet_beside_its_copy",
    "actuals (Jane's copy).xlsx",
    Read(
        sheet="Actuals (2)",
        header_row=5,
        rows={6: values("SAV-DC", "250000.00", "4000000.00")},
        hidden_sheets=("Actuals",),
    ),
    note='hidden stale "Actuals" (£999,999) beside visible "Actuals (2)" (£250,000): £250,000 read',
)
def _hidden_stale():
    return xlsx(
        SheetDef("Actuals", [*TITLE_ROWS, TEMPLATE_HEADER, row("SAV-DC", 999999, 4000000)], state="hidden"),
        SheetDef("Actuals (2)", [*TITLE_ROWS, TEMPLATE_HEADER, row("SAV-DC", "£250,000", 4000000)]),
    )


@case(
    "hidden_sheet_asked_for",
    "actuals (Jane's copy).xlsx",
    Refused((Err(0, "File", 'The sheet "Actuals" is hidden; only visible sheets are read'),)),
    sheet="Actuals",
    note="the same file, asking for the hidden sheet by name: refused, it is hidden",
)
def _hidden_asked_for():
    return _hidden_stale()


@case(
    "very_hidden_sheet",
    "actuals with lookups.xlsx",
    Read(
        sheet="Return",
        header_row=1,
        rows={2: values("SAV-RADIO", "75000.00", "3000000.00")},
        hidden_sheets=("Lookups",),
    ),
    note='a very hidden "Lookups" sheet (with the same columns) before the visible one: not read, listed as hidden',
)
def _very_hidden():
    return xlsx(
        SheetDef("Lookups", [[REF, ACTUAL, FORECAST], ["SAV-RADIO", 1, 1]], state="veryHidden"),
        SheetDef("Return", [[REF, ACTUAL, FORECAST], ["SAV-RADIO", 75000, 3000000]]),
    )


def _two_quarters():
    return xlsx(
        SheetDef("Q4 2013-14", [*TITLE_ROWS, TEMPLATE_HEADER, row("SAV-DC", 500000, 4000000)]),
        SheetDef("Q1 2014-15", [*TITLE_ROWS, TEMPLATE_HEADER, row("SAV-DC", 600000, 4000000)]),
        SheetDef("Notes", [["Anything else"], ["Sent late"]]),
    )


CASES.append(
    Case(
        "two_sheets_qualify",
        "actuals both quarters.xlsx",
        _two_quarters,
        Refused(
            (Err(0, "Sheet", "The sheets 'Q4 2013-14', 'Q1 2014-15' all have the columns of"),),
            sheets=("Q4 2013-14", "Q1 2014-15"),
        ),
        note="two visible sheets both have the columns: SheetChoiceNeeded naming both",
    )
)
CASES.append(
    Case(
        "two_sheets_qualify_one_chosen",
        "actuals both quarters.xlsx",
        _two_quarters,
        Read(
            sheet="Q1 2014-15",
            header_row=5,
            rows={6: values("SAV-DC", "600000.00", "4000000.00")},
            other_sheets=("Q4 2013-14", "Notes"),
        ),
        sheet="Q1 2014-15",
        note='the same file with sheet="Q1 2014-15": that sheet read (£600,000), the others listed',
    )
)


@case(
    "reordered_renamed_columns",
    "savings q1.xlsx",
    Read(
        sheet="Sheet1",
        header_row=1,
        rows={
            2: values("SAV-SM", "410000.00", "5000000.00", "Capgemini staff down by 40"),
            3: values("SAV-APPS", "90000.00", "4000000.00"),
        },
    ),
    note='"Forecast", "Commentary", "Actual (£)", "Ref" in that order: read by name',
)
def _reordered():
    return xlsx(
        SheetDef(
            "Sheet1",
            [
                ["Forecast", COMMENTARY, "Actual (£)", "Ref"],
                [5000000, "Capgemini staff down by 40", 410000, "SAV-SM"],
                [4000000, None, 90000, "SAV-APPS"],
            ],
        )
    )


@case(
    "aliases_case_and_spaces",
    "q1.xlsx",
    Read(
        sheet="Sheet1",
        header_row=2,
        rows={3: values("SAV-ERP", "12000.00", "1000000.00", "ERP with the GLA")},
    ),
    note='"INITIATIVE REF", "actual saving in the quarter", "Full year forecast (£)" with odd spacing and a wrapped header',
)
def _aliases():
    return xlsx(
        SheetDef(
            "Sheet1",
            [
                ["Savings return"],
                ["  INITIATIVE REF ", "actual saving\nin the quarter", "Full year  forecast ( £ )", " commentary"],
                ["SAV-ERP", 12000, 1000000, "ERP with the GLA"],
            ],
        )
    )


@case(
    "extra_columns_ignored",
    "actuals with owners.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={2: values("SAV-DESK", "30000.00", "3000000.00", "Desktops down to 21,500")},
        ignored_columns=("Owner", "RAG", "Last updated"),
    ),
    note='"Owner", "RAG", "Last updated" beside the template columns: listed as ignored, in order',
)
def _extra_columns():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, "Owner", ACTUAL, "RAG", FORECAST, COMMENTARY, "Last updated"],
                ["SAV-DESK", "A Patel", 30000, "Green", 3000000, "Desktops down to 21,500", "01/07/2014"],
            ],
        )
    )


@case(
    "two_columns_read_as_one_field",
    "actuals two actual columns.xlsx",
    Refused((Err(2, ACTUAL, "Columns C and E are both read as Actual saving in the quarter (£)"),)),
    note='"Actual (£)" in C and "Actual saving in the quarter (£)" in E: refused naming C and E',
)
def _clash():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                ["Q1 actuals"],
                [REF, CATEGORY, "Actual (£)", FORECAST, ACTUAL, COMMENTARY],
                ["SAV-DC", "Data Centres", 1, 4000000, 2, None],
            ],
        )
    )


@case(
    "merged_commentary_and_category",
    "actuals merged.xlsx",
    Read(
        sheet="Actuals",
        header_row=5,
        rows={
            6: values("SAV-DC", "100000.00", "4500000.00", "Both delayed by the estate closures", "Data Centres"),
            7: values("SAV-NET", "200000.00", "5500000.00", "Both delayed by the estate closures", "Data Centres"),
            8: values("SAV-TEL", "10000.00", "2000000.00", category="Telephony"),
        },
    ),
    note="commentary merged over rows 6-7 and category merged over 6-7: both rows get both",
)
def _merged():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                *TITLE_ROWS,
                TEMPLATE_HEADER,
                row("SAV-DC", 100000, 4500000, "Both delayed by the estate closures", category="Data Centres"),
                row("SAV-NET", 200000, 5500000),
                row("SAV-TEL", 10000, 2000000, category="Telephony"),
            ],
            merges=["G6:G7", "B6:B7"],
        )
    )


@case(
    "formulas_with_cached_values",
    "actuals calculated.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("SAV-DC", "250000.00", "4000000.00"),
            3: values("SAV-CC", "300000.30", "4000000.00", "On plan"),
        },
        left_out=('Row 4 ("Total") is a total',),
    ),
    note="formulas saved by Excel (cached values, one with float noise, one a text formula): the values read",
)
def _formulas_cached():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, ACTUAL, FORECAST, COMMENTARY],
                ["SAV-DC", "=1000*250", "=4*1000000", None],
                ["SAV-CC", "=100000.1*3", 4000000, '="On "&"plan"'],
                ["Total", "=SUM(B2:B3)", "=SUM(C2:C3)", None],
            ],
            cached={
                "B2": 250000,
                "C2": 4000000,
                "B3": 100000.1 * 3,  # Excel's binary noise: 300000.30000000005
                "D3": "On plan",
                "B4": 250000 + 100000.1 * 3,
                "C4": 8000000,
            },
        )
    )


@case(
    "formulas_without_cached_values",
    "actuals from a script.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("SAV-DC", "!", "4000000.00"),
            3: values("SAV-CC", "5000.00", "!"),
        },
        left_out=('Row 4 ("Total") is a total',),
        problems=(
            Err(2, "actual_saving", "the cell holds a formula (=1000*250) with no calculated value"),
            Err(3, "forecast_full_year", "the cell holds a formula (=4*1000000) with no calculated value"),
        ),
    ),
    note="formulas written by a program, never calculated: each named as a formula with no calculated value",
    preview=Previewed(
        rows={},
        errors=(
            Err(2, ACTUAL, "The cell holds a formula (=1000*250) with no calculated value: open the file in Excel"),
            Err(3, FORECAST, "The cell holds a formula (=4*1000000) with no calculated value: open the file in Excel"),
        ),
    ),
)
def _formulas_uncached():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, ACTUAL, FORECAST, COMMENTARY],
                ["SAV-DC", "=1000*250", 4000000, None],
                ["SAV-CC", 5000, "=4*1000000", None],
                ["Total", "=SUM(B2:B3)", "=SUM(C2:C3)", None],
            ],
        )
    )


@case(
    "excel_error_cells",
    "actuals broken links.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("SAV-DC", "!", "4000000.00"),
            3: values("SAV-CC", "5000.00", "!"),
        },
        problems=(
            Err(2, "actual_saving", "the cell shows the Excel error #REF!"),
            Err(3, "forecast_full_year", "the cell shows the Excel error #DIV/0!"),
        ),
    ),
    note="#REF! and #DIV/0! cached by Excel: each named with its error",
    preview=Previewed(
        rows={},
        errors=(
            Err(2, ACTUAL, "The cell shows the Excel error #REF!: correct the formula or type the figure."),
            Err(3, FORECAST, "The cell shows the Excel error #DIV/0!: correct the formula or type the figure."),
        ),
    ),
)
def _error_cells():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, ACTUAL, FORECAST, COMMENTARY],
                ["SAV-DC", "=#REF!*2", 4000000, None],
                ["SAV-CC", 5000, "=4000000/0", None],
            ],
            cached={"B2": "#REF!", "C3": "#DIV/0!"},
        )
    )


@case(
    "total_row_matches",
    "actuals with total.xlsx",
    Read(
        sheet="Actuals",
        header_row=5,
        rows={
            6: values("SAV-DC", "100000.00", "4000000.00"),
            7: values("SAV-CC", "150000.00", "4000000.00"),
        },
        left_out=('Row 9 ("TOTAL") is a total',),
    ),
    note="a TOTAL row (after a blank row) that adds up: left out, no error",
)
def _total_matches():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                *TITLE_ROWS,
                TEMPLATE_HEADER,
                row("SAV-DC", 100000, 4000000),
                row("SAV-CC", 150000, 4000000),
                [],
                row("TOTAL", 250000, 8000000),
            ],
        )
    )


@case(
    "total_row_does_not_match",
    "actuals bad total.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("SAV-DC", "100000.00", "4000000.00"),
            3: values("SAV-CC", "150000.00", "4000000.00"),
        },
        left_out=('Row 4 ("Total:") is a total',),
        errors=(
            Err(
                4,
                "Actual (£)",
                'The "Total:" row says £260,000.00 but the rows above it add up to £250,000.00',
            ),
        ),
    ),
    note="a Total row saying £260,000 over rows adding up to £250,000: an error naming both figures",
)
def _total_mismatch():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                ["Ref", "Actual (£)", "Forecast", COMMENTARY],
                ["SAV-DC", 100000, 4000000, None],
                ["SAV-CC", 150000, 4000000, None],
                ["Total:", 260000, 8000000, None],
            ],
        )
    )


@case(
    "subtotals_then_grand_total",
    "actuals by group.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("SAV-DC", "100000.00", "4000000.00"),
            3: values("SAV-CC", "50000.00", "4000000.00"),
            5: values("SAV-NET", "20000.00", "5000000.00"),
            6: values("SAV-TEL", "-5000.00", "2000000.00"),
        },
        left_out=(
            'Row 4 ("Subtotal") is a total',
            'Row 7 ("Sub-total") is a total',
            'Row 8 ("Grand Total") is a total',
        ),
    ),
    note="two Subtotals (one a negative in brackets) then a Grand total: all three left out, all add up",
    preview=Previewed(
        rows={
            2: ("SAV-DC", previewed("100000.00", "4000000.00")),
            3: ("SAV-CC", previewed("50000.00", "4000000.00")),
            5: ("SAV-NET", previewed("20000.00", "5000000.00")),
            6: ("SAV-TEL", previewed("-5000.00", "2000000.00")),
        },
        errors=(Err(6, ACTUAL, "Actual saving must not be negative."),),
    ),
)
def _subtotals():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, ACTUAL, FORECAST],
                ["SAV-DC", 100000, 4000000],
                ["SAV-CC", 50000, 4000000],
                ["Subtotal", 150000, 8000000],
                ["SAV-NET", 20000, 5000000],
                ["SAV-TEL", "(5,000)", 2000000],
                ["Sub-total", 15000, 7000000],
                ["Grand Total", "£165,000", "15m"],
            ],
        )
    )


@case(
    "grand_total_wrong_after_subtotals",
    "actuals by group bad.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("SAV-DC", "100000.00", "4000000.00"),
            4: values("SAV-NET", "20000.00", "5000000.00"),
        },
        left_out=('Row 3 ("Subtotal") is a total', 'Row 5 ("Subtotal") is a total', 'Row 6 ("Grand total")'),
        errors=(
            Err(
                6,
                FORECAST,
                'The "Grand total" row says £18,000,000.00 but the rows above it add up to £9,000,000.00',
            ),
        ),
    ),
    note="a Grand total that counts the subtotals twice (£18m for £9m): the error names both figures",
)
def _grand_total_wrong():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, ACTUAL, FORECAST],
                ["SAV-DC", 100000, 4000000],
                ["Subtotal", 100000, 4000000],
                ["SAV-NET", 20000, 5000000],
                ["Subtotal", 20000, 5000000],
                ["Grand total", 120000, 18000000],
            ],
        )
    )


@case(
    "amounts_as_people_type_them",
    "actuals typed.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("SAV-DC", "1234.50", "4000000.00"),
            3: values("SAV-CC", "1234.00", "4000000.00"),
            4: values("SAV-NET", "-1234.00", "5000000.00", "Clawed back by the supplier"),
            5: values("SAV-SM", "250000.00", "5000000.00"),
            6: values("SAV-APPS", "1200000.00", "4000000.00"),
            7: values("SAV-ERP", "1000.00", "1000000.00"),
            8: values("SAV-TEL", "250000.00", "2000000.00"),
            9: values("SAV-RADIO", "3000.00", "3000000.00"),
        },
    ),
    note='"£1,234.50", "1,234", "(1,234)", "£250k", "1.2m", "GBP 1,000", " 250 000 " (NBSP), "£3K": read as pounds',
    preview=Previewed(
        rows={
            2: ("SAV-DC", previewed("1234.50", "4000000.00")),
            3: ("SAV-CC", previewed("1234.00", "4000000.00")),
            4: ("SAV-NET", previewed("-1234.00", "5000000.00", "Clawed back by the supplier")),
            5: ("SAV-SM", previewed("250000.00", "5000000.00")),
            6: ("SAV-APPS", previewed("1200000.00", "4000000.00")),
            7: ("SAV-ERP", previewed("1000.00", "1000000.00")),
            8: ("SAV-TEL", previewed("250000.00", "2000000.00")),
            9: ("SAV-RADIO", previewed("3000.00", "3000000.00")),
        },
        errors=(Err(4, ACTUAL, "Actual saving must not be negative."),),
    ),
)
def _typed_amounts():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, ACTUAL, FORECAST, COMMENTARY],
                ["SAV-DC", "£1,234.50", "£4,000,000", None],
                ["SAV-CC", "1,234", "4m", None],
                ["SAV-NET", "(1,234)", "5,000,000.00", "Clawed back by the supplier"],
                ["SAV-SM", "£250k", "£5m", None],
                ["SAV-APPS", "1.2m", "4000k", None],
                ["SAV-ERP", "GBP 1,000", "£1 million", None],
                ["SAV-TEL", f" 250{NBSP}000 ", "2,000,000", None],
                ["SAV-RADIO", "£3K", " £3,000,000 ", None],
            ],
        )
    )


@case(
    "bad_amounts",
    "actuals typos.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("SAV-DC", "!", "4000000.00"),
            3: values("SAV-CC", "!", "4000000.00"),
            4: values("SAV-NET", "!", "5000000.00"),
            5: values("SAV-SM", "!", "5000000.00"),
            6: values("SAV-APPS", "!", "4000000.00"),
        },
        problems=(
            Err(2, "actual_saving", '"12,34" is not an amount of money'),
            Err(3, "actual_saving", '"1.2.3" is not an amount of money'),
            Err(4, "actual_saving", '"abc" is not an amount of money'),
            Err(5, "actual_saving", '"£1,234.567" has fractions of a penny'),
            Err(6, "actual_saving", "found the date 01/04/2014; expected an amount in pounds"),
        ),
    ),
    note='"12,34", "1.2.3", "abc", "£1,234.567" and a date in an amount column: each refused saying what was found',
    preview=Previewed(
        rows={},
        errors=(
            Err(2, ACTUAL, '"12,34" is not an amount of money; enter pounds, like 1234.50, £1,234.50'),
            Err(3, ACTUAL, '"1.2.3" is not an amount of money'),
            Err(4, ACTUAL, '"abc" is not an amount of money'),
            Err(5, ACTUAL, '"£1,234.567" has fractions of a penny; use at most 2 decimal places.'),
            Err(6, ACTUAL, "Found the date 01/04/2014; expected an amount in pounds, like £1,234.50."),
        ),
    ),
)
def _bad_amounts():
    from datetime import date

    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, ACTUAL, FORECAST, COMMENTARY],
                ["SAV-DC", "12,34", 4000000, None],
                ["SAV-CC", "1.2.3", 4000000, None],
                ["SAV-NET", "abc", 5000000, None],
                ["SAV-SM", "£1,234.567", 5000000, None],
                ["SAV-APPS", date(2014, 4, 1), 4000000, None],
            ],
        )
    )


@case(
    "blank_and_space_only_rows",
    "actuals gaps.xlsx",
    Read(
        sheet="Actuals",
        header_row=5,
        rows={
            6: values("SAV-DC", "1.00", "4000000.00"),
            9: values("SAV-CC", "2.00", "4000000.00"),
            12: values("SAV-NET", "3.00", "5000000.00"),
        },
    ),
    note="a blank row, space-only rows (spaces, NBSP, a tab) and trailing blanks between rows: skipped, row numbers kept",
)
def _blank_rows():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                *TITLE_ROWS,
                TEMPLATE_HEADER,
                row("SAV-DC", 1, 4000000),
                [],
                ["   ", None, None, None, " ", NBSP, "\t"],
                row("SAV-CC", 2, 4000000),
                [None, None, None, None, None, None, "  "],
                [],
                row("SAV-NET", 3, 5000000),
                [],
                ["  "],
            ],
        )
    )


@case(
    "unicode_everywhere",
    "actuals unicode.xlsx",
    Read(
        sheet="Résumé",
        header_row=1,
        rows={
            2: values("SAV-DC", "250.00", "4000000.00", "Café closure — naïve estimate"),
            3: values("SAV-CC", "1000.00", "4000000.00", "Zero width space removed"),
            4: values("SAV-NET", "2500.00", "5000000.00", "Non breaking spaces"),
        },
    ),
    note='accents, em dash, NBSP and zero-width space in headers and cells, full-width digits "２５０": read as typed',
)
def _unicode():
    return xlsx(
        SheetDef(
            "Résumé",
            [
                [f"Ref{ZWSP}erence", f"Actual{NBSP}(£)", f"Full-year{NBSP}forecast (£)", "Ｃｏｍｍｅｎｔａｒｙ"],
                ["SAV-DC", "２５０", "４,０００,０００", "Café closure — naïve estimate"],
                [f"SAV{ZWSP}-CC", "£1,000", "4000000", f"Zero{ZWSP} width space removed"],
                [f"{NBSP}SAV-NET{NBSP}", f"£2{NBSP}500", 5000000, f"Non{NBSP}breaking{NBSP}spaces"],
            ],
        )
    )


@case(
    "references_case_and_spaces",
    "actuals lower case.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("sav-cc", "100.00", "4000000.00"),
            3: values("Sav-Dc", "200.00", "4000000.00"),
            4: values("Sav-Net", "300.00", "5000000.00"),
        },
    ),
    note='"sav-cc " (case, trailing space), " Sav-Dc", "Sav-Net" and a tab: read as typed, trimmed (the upload matches them)',
)
def _reference_case():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, ACTUAL, FORECAST],
                ["sav-cc ", 100, 4000000],
                [" Sav-Dc", 200, 4000000],
                ["Sav-Net\t ", 300, 5000000],
            ],
        )
    )


@case(
    "legacy_xls_with_hidden_sheet",
    "actuals 97-2003.xls",
    Read(
        sheet="Actuals (2)",
        header_row=3,
        rows={
            4: values("SAV-DC", "250000.00", "4000000.00", "Merged over two rows"),
            5: values("SAV-CC", "125000.00", "4000000.00", "Merged over two rows"),
        },
        file_kind="Excel 97-2003 workbook (.xls)",
        hidden_sheets=("Actuals",),
    ),
    note='.xls (xlwt): hidden stale "Actuals" (£999,999) and visible "Actuals (2)" with a title row and merged commentary',
)
def _xls():
    header = [REF, ACTUAL, FORECAST, COMMENTARY]
    return xls(
        [
            ("Actuals", [["Q1 actuals"], [], header, ["SAV-DC", 999999, 4000000, "stale"]], 1),
            (
                "Actuals (2)",
                [
                    ["Q1 actuals"],
                    [],
                    header,
                    ["SAV-DC", 250000.0, 4000000.0, "Merged over two rows"],
                    ["SAV-CC", "125,000", 4000000.0, None],
                ],
                0,
            ),
        ],
        merges={"Actuals (2)": [(3, 4, 3, 3)]},
    )


CSV_ROWS = [
    [REF, ACTUAL, FORECAST, COMMENTARY],
    ["SAV-DC", "£250,000", "4000000", "Ahead; data centre 2 closed early"],
    ["SAV-CC", "1,500.75", "£4m", "Café costs"],
]
CSV_VALUES = {
    2: values("SAV-DC", "250000.00", "4000000.00", "Ahead; data centre 2 closed early"),
    3: values("SAV-CC", "1500.75", "4000000.00", "Café costs"),
}


@case(
    "csv_semicolon",
    "actuals.csv",
    Read(sheet=None, header_row=1, rows=CSV_VALUES, file_kind="CSV (semicolon-separated, UTF-8)"),
    note="a semicolon-separated CSV (a commentary holding a semicolon, quoted)",
)
def _csv_semicolon():
    return csv_bytes(CSV_ROWS, delimiter=";")


@case(
    "csv_tab",
    "actuals.txt",
    Read(sheet=None, header_row=1, rows=CSV_VALUES, file_kind="CSV (tab-separated, UTF-8)"),
    note="a tab-separated text file",
)
def _csv_tab():
    return csv_bytes(CSV_ROWS, delimiter="\t")


@case(
    "csv_utf16_with_bom",
    "actuals unicode text.txt",
    Read(sheet=None, header_row=1, rows=CSV_VALUES, file_kind="CSV (tab-separated, UTF-16)"),
    note='Excel\'s "Unicode text": UTF-16 with a BOM, tab-separated',
)
def _csv_utf16():
    return csv_bytes(CSV_ROWS, delimiter="\t", encoding="utf-16")


@case(
    "csv_utf8_with_bom_and_title_rows",
    "actuals.csv",
    Read(sheet=None, header_row=3, rows={4: CSV_VALUES[2], 5: CSV_VALUES[3]}, file_kind="CSV (comma-separated, UTF-8)"),
    note="a UTF-8 CSV with a BOM (as Excel saves CSV UTF-8) and two title lines",
)
def _csv_utf8_bom():
    return csv_bytes([["Savings actuals 2014/15 Q1"], [], *CSV_ROWS], bom=True)


@case(
    "csv_windows_1252",
    "actuals.csv",
    Read(sheet=None, header_row=1, rows=CSV_VALUES, file_kind="CSV (comma-separated, Windows-1252)"),
    note='a Windows-1252 CSV (plain "CSV" from Excel on Windows): "£" and "é" read',
)
def _csv_cp1252():
    return csv_bytes(CSV_ROWS, encoding="cp1252")


@case(
    "csv_quoted_delimiters_and_newlines",
    "actuals.csv",
    Read(
        sheet=None,
        header_row=1,
        rows={
            2: values("SAV-DC", "1234567.00", "4000000.00", "Delayed, see note\nSecond line, with commas"),
            3: values("SAV-CC", "2.00", "4000000.00", 'He said "fine"'),
        },
        file_kind="CSV (comma-separated, UTF-8)",
    ),
    note="quoted fields holding commas, a line break and quotes: one row each, numbered as Excel shows them",
)
def _csv_quoted():
    return csv_bytes(
        [
            [REF, ACTUAL, FORECAST, COMMENTARY],
            ["SAV-DC", "1,234,567", "4,000,000", "Delayed, see note\nSecond line, with commas"],
            ["SAV-CC", "2", "4,000,000", 'He said "fine"'],
        ]
    )


@case(
    "csv_semicolon_commas_in_text",
    "actuals export.csv",
    Read(
        sheet=None,
        header_row=1,
        rows={
            2: values("SAV-DC", "1234.00", "4000000.00", "Delayed, tender, re-scoped, again, and again, and again"),
            3: values("SAV-CC", "2000.00", "4000000.00"),
        },
        file_kind="CSV (semicolon-separated, UTF-8)",
    ),
    note="a semicolon CSV whose amounts and commentary hold more commas than the line has semicolons",
)
def _csv_semicolon_commas():
    return (
        "Reference;Actual (£);Forecast;Commentary\r\n"
        "SAV-DC;1,234;4,000,000;Delayed, tender, re-scoped, again, and again, and again\r\n"
        "SAV-CC;2,000;4,000,000;\r\n"
    ).encode()


@case(
    "csv_named_xlsx",
    "actuals.xlsx",
    Read(sheet=None, header_row=1, rows=CSV_VALUES, file_kind="CSV (comma-separated, UTF-8)"),
    note="a CSV saved with an .xlsx name: read by what it is, not its name",
)
def _csv_named_xlsx():
    return csv_bytes(CSV_ROWS)


@case(
    "header_repeats_lower_down",
    "actuals pasted twice.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("SAV-DC", "1.00", "4000000.00"),
            5: values("SAV-CC", "2.00", "4000000.00"),
        },
        left_out=("Row 4 repeats the header row",),
    ),
    note="two blocks pasted one under the other, each with the header: the second header left out",
)
def _repeated_header():
    header = [REF, ACTUAL, FORECAST]
    return xlsx(SheetDef("Actuals", [header, ["SAV-DC", 1, 4000000], [], header, ["SAV-CC", 2, 4000000]]))


def _missing(*titles: str) -> str:
    return ", ".join(titles)


@case(
    "header_beyond_row_30",
    "actuals long preamble.xlsx",
    Refused(
        (
            Err(
                0,
                _missing(REF, ACTUAL, FORECAST),
                f"No header row with the columns {_missing(REF, ACTUAL, FORECAST)} was found in the first 30 rows "
                'of sheet "Actuals"',
            ),
        )
    ),
    note="the header at row 32, below 31 rows of notes: refused naming the columns not found in 30 rows",
)
def _header_too_low():
    notes = [[f"Note {number}: read the guidance."] for number in range(1, 32)]
    return xlsx(SheetDef("Actuals", [*notes, [REF, ACTUAL, FORECAST], ["SAV-DC", 1, 4000000]]))


@case(
    "header_missing_one_column",
    "actuals no forecast.xlsx",
    Refused(
        (
            Err(
                0,
                FORECAST,
                f'No header row with the columns {FORECAST} was found in the first 30 rows of sheet "Actuals"',
            ),
        )
    ),
    note="a header with Reference and Actual but no forecast column: refused naming just that column",
)
def _header_missing_one():
    return xlsx(
        SheetDef(
            "Actuals",
            [*TITLE_ROWS, [REF, CATEGORY, ACTUAL, COMMENTARY, "Forecast next year"], ["SAV-DC", "x", 1, None, 2]],
        )
    )


@case(
    "no_visible_sheet",
    "actuals all hidden.xlsx",
    Refused((Err(0, "File", "The workbook has no visible sheet"),)),
    note="every sheet hidden: refused, asking to unhide the sheet",
)
def _all_hidden():
    return xlsx(
        SheetDef("Actuals", [[REF, ACTUAL, FORECAST], ["SAV-DC", 1, 4000000]]),
        SheetDef("Old", [[REF, ACTUAL, FORECAST], ["SAV-DC", 2, 4000000]]),
        all_hidden=True,
    )


@case(
    "only_hidden_sheet_has_the_columns",
    "actuals wrong sheet.xlsx",
    Refused(
        (
            Err(
                0,
                _missing(REF, ACTUAL, FORECAST),
                'first 30 rows of sheet "Summary". Name the columns as the template does (in any order). '
                "Hidden sheets are not read (Actuals).",
            ),
        )
    ),
    note="the only sheet with the columns is hidden: refused, naming the hidden sheet",
)
def _only_hidden_qualifies():
    return xlsx(
        SheetDef("Summary", [["Total saved this quarter", 250000]]),
        SheetDef("Actuals", [[REF, ACTUAL, FORECAST], ["SAV-DC", 250000, 4000000]], state="hidden"),
    )


NOT_A_SPREADSHEET = "This file is not a spreadsheet we can read"


@case(
    "png_image",
    "actuals.xlsx",
    Refused((Err(0, "File", NOT_A_SPREADSHEET),)),
    note="a PNG screenshot named .xlsx: not a spreadsheet",
)
def _png():
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


@case(
    "pdf",
    "actuals.pdf",
    Refused((Err(0, "File", NOT_A_SPREADSHEET),)),
    note="a PDF print of the sheet: not a spreadsheet",
)
def _pdf():
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"\x00\xff" * 500


@case(
    "random_bytes",
    "actuals.xlsx",
    Refused((Err(0, "File", NOT_A_SPREADSHEET),)),
    note="4 KB of random bytes: not a spreadsheet",
)
def _random():
    return random.Random(15).randbytes(4096)


@case(
    "word_document",
    "actuals.docx",
    Refused((Err(0, "File", NOT_A_SPREADSHEET),)),
    note="a zip that is not a workbook (a .docx): not a spreadsheet",
)
def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@case(
    "empty_file",
    "actuals.xlsx",
    Refused((Err(0, "File", "The file is empty."),)),
    note="0 bytes: the file is empty",
)
def _empty():
    return b""


@case(
    "blank_lines_only_csv",
    "actuals.csv",
    Refused((Err(0, "File", "The file is empty."),)),
    note="a CSV of blank lines and spaces: the file is empty",
)
def _blank_csv():
    return b"\r\n   \r\n\t\r\n"


@case(
    "encrypted_workbook",
    "actuals protected.xlsx",
    Refused((Err(0, "File", "The file is protected by a password"),)),
    note='a password-protected workbook (an OLE file holding "EncryptedPackage"): refused, save a copy without it',
)
def _encrypted():
    # An OLE compound file header; Excel keeps a protected .xlsx in a stream named EncryptedPackage.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header = header.ljust(512, b"\xff")
    directory = "Root Entry".encode("utf-16-le").ljust(128, b"\x00")
    directory += "EncryptionInfo".encode("utf-16-le").ljust(128, b"\x00")
    directory += "EncryptedPackage".encode("utf-16-le").ljust(128, b"\x00")
    return header + directory.ljust(512, b"\x00") + b"\x00" * 1024


@case(
    "zip_bomb",
    "actuals.xlsx",
    Refused((Err(0, "File", "more than a spreadsheet of this kind could hold (400 MB): it is refused as unsafe"),)),
    note="a 2 MB .xlsx whose sheet unpacks to 404 MB of spaces: refused as unsafe, nothing unpacked",
)
def _zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b" " * (4 * 1024 * 1024)
            for _ in range(MAX_UNPACKED_BYTES // len(chunk) + 1):
                sheet.write(chunk)
    return buffer.getvalue()


@case(
    "over_the_size_limit",
    "actuals huge.csv",
    Refused((Err(0, "File", "The file is 20.0 MB; the limit is 20 MB. Upload a smaller file."),)),
    note="one byte over 20 MB: refused, stating the limit",
)
def _too_big():
    return b"a" * (MAX_UPLOAD_BYTES + 1)


@case(
    "binary_workbook_xlsb",
    "actuals.xlsb",
    Refused((Err(0, "File", "This is a binary Excel workbook (.xlsb): save it as .xlsx"),)),
    note="an .xlsb (a zip with xl/workbook.bin): refused, save it as .xlsx",
)
def _xlsb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
        archive.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    return buffer.getvalue()


@case(
    "total_label_in_description_column",
    "actuals total under initiative.xlsx",
    Read(
        sheet="Actuals",
        header_row=5,
        rows={
            6: values("SAV-DC", "100000.00", "4000000.00"),
            7: values("SAV-CC", "150000.00", "4000000.00"),
        },
        left_out=('Row 8 ("Total") is a total',),
    ),
    note='the template with "Total" typed under Initiative (Reference blank) and the sums: left out as a total',
)
def _total_in_initiative():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                *TITLE_ROWS,
                TEMPLATE_HEADER,
                row("SAV-DC", 100000, 4000000, initiative="Data centres"),
                row("SAV-CC", 150000, 4000000, initiative="Command and control"),
                row(None, 250000, 8000000, initiative="Total"),
            ],
        )
    )


@case(
    "csv_with_excel_sep_line",
    "actuals.csv",
    Read(
        sheet=None,
        header_row=2,
        rows={3: values("SAV-DC", "1.00", "4000000.00"), 4: values("SAV-CC", "2.50", "4000000.00", "Dé jà vu")},
        file_kind="CSV (semicolon-separated, UTF-8)",
    ),
    note='a CSV starting with Excel\'s "sep=;" line: the line is a title row, the header is row 2',
)
def _csv_sep_line():
    return "sep=;\r\nReference;Actual;Forecast;Notes\r\nSAV-DC;1;4000000;\r\nSAV-CC;2.50;4000000;Dé jà vu\r\n".encode()


@case(
    "formula_calculated_as_empty_text",
    "actuals with checks.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("SAV-DC", "250000.00", "4000000.00"),
            3: values("SAV-CC", "90000.00", "4000000.00", "Explain"),
        },
    ),
    note='a commentary formula =IF(...,"",...) Excel calculated as empty text (<v></v>): blank, not "no calculated value"',
)
def _formula_empty_text():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, ACTUAL, FORECAST, COMMENTARY],
                ["SAV-DC", 250000, 4000000, '=IF(C2=4000000,"","Explain")'],
                ["SAV-CC", 90000, 4000000, '=IF(C3=0,"","Explain")'],
            ],
            cached={"D2": "", "D3": "Explain"},
        )
    )


@case(
    "uncalculated_formula_named_as_typed",
    "actuals from a script.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={2: values("SAV-DC", "!", "4000000.00")},
        problems=(Err(2, "actual_saving", 'the cell holds a formula (=IF(C2>0,C2/16,"")) with no calculated value'),),
    ),
    note='an uncalculated formula holding ">" and quotes: named as typed in Excel, =IF(C2>0,C2/16,"")',
    preview=Previewed(
        rows={},
        errors=(Err(2, ACTUAL, 'The cell holds a formula (=IF(C2>0,C2/16,"")) with no calculated value'),),
    ),
)
def _formula_entities():
    return xlsx(SheetDef("Actuals", [[REF, ACTUAL, FORECAST], ["SAV-DC", '=IF(C2>0,C2/16,"")', 4000000]]))


@case(
    "total_in_unheaded_margin_column",
    "actuals from column B.xlsx",
    Read(
        sheet="Actuals",
        header_row=2,
        rows={3: values("SAV-DC", "1000.00", "4000000.00"), 4: values("SAV-CC", "2000.00", "4000000.00")},
        left_out=('Row 5 ("Total") is a total',),
        errors=(Err(5, "Actual (£)", 'The "Total" row says £4,000.00 but the rows above it add up to £3,000.00'),),
    ),
    note='a table starting in column B, "Total" typed in the unheaded margin column A: left out and checked',
)
def _total_in_margin():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                ["Savings return, 2014/15 Q1"],
                [None, REF, "Actual (£)", FORECAST],
                [None, "SAV-DC", 1000, 4000000],
                [None, "SAV-CC", 2000, 4000000],
                ["Total", None, 4000, 8000000],
            ],
        )
    )


@case(
    "thousands_and_millions_headers",
    "actuals in thousands.xlsx",
    Read(
        sheet="Board summary",
        header_row=2,
        rows={
            3: values("SAV-DC", "250000.00", "4000000.00"),
            4: values("SAV-CC", "1234500.00", "4500000.00", "Tender delayed"),
        },
    ),
    note='"Actual (£k)" holding 250 and "Forecast (£m)" holding 4, as board papers give them: £250,000 and £4,000,000',
)
def _thousands_headers():
    return xlsx(
        SheetDef(
            "Board summary",
            [
                ["ICT savings, 2014/15 Q1, £ thousands unless stated"],
                [REF, "Actual (£k)", "Forecast (£m)", COMMENTARY],
                ["SAV-DC", 250, 4, None],
                ["SAV-CC", "1,234.5", 4.5, "Tender delayed"],
            ],
        )
    )


@case(
    "csv_mac_line_endings",
    "actuals mac.csv",
    Read(
        sheet=None,
        header_row=1,
        rows={2: values("SAV-DC", "1.00", "4000000.00"), 3: values("SAV-CC", "2.00", "4000000.00", "Café")},
        file_kind="CSV (comma-separated, Windows-1252)",
    ),
    note='a "CSV (Macintosh)" file: lines ended by a carriage return alone, "é" in Windows-1252',
)
def _csv_mac():
    return "Reference,Actual,Forecast,Commentary\rSAV-DC,1,4000000,\rSAV-CC,2,4000000,Café\r".encode("cp1252")


@case(
    "csv_unclosed_quote_in_a_large_file",
    "usage export.csv",
    Refused((Err(0, "File", "Line 2 of the file cannot be read"),)),
    note="a 200 KB CSV whose row 2 opens a quote it never closes: refused naming line 2, not a crash",
)
def _csv_unclosed_quote():
    lines = [f"SAV-CC,{number},4000000,fine" for number in range(8000)]
    return "\r\n".join([f"{REF},Actual,Forecast,Commentary", 'SAV-DC,1,4000000,"Delayed', *lines]).encode()


@case(
    "notes_in_unheaded_margin_column",
    "actuals with margin notes.xlsx",
    Read(
        sheet="Actuals",
        header_row=2,
        rows={3: values("SAV-DC", "1000.00", "4000000.00"), 5: values("SAV-CC", "2000.00", "4000000.00")},
    ),
    note="a table starting in column B with reviewers' notes in the unheaded margin column A, one on a row of "
    "its own: that row is not a row of figures",
)
def _margin_notes():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                ["Savings return, 2014/15 Q1"],
                [None, REF, "Actual (£)", FORECAST],
                ["checked JS", "SAV-DC", 1000, 4000000],
                ["CC figures from finance, 3 July"],
                [None, "SAV-CC", 2000, 4000000],
            ],
        )
    )


@case(
    "total_row_at_the_top",
    "actuals total first.xlsx",
    Read(
        sheet="Actuals",
        header_row=3,
        rows={
            5: values("SAV-DC", "100000.00", "4000000.00"),
            6: values("SAV-CC", "150000.00", "4000000.00"),
        },
        left_out=('Row 4 ("Total") is a total: left out, and checked against the rows below',),
    ),
    note="a Total row straight under the header, adding up the rows below it (as many board packs put it): "
    "left out, no error",
)
def _total_on_top():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                ["Savings return, 2014/15 Q1"],
                [],
                [REF, ACTUAL, FORECAST],
                ["Total", "=SUM(B5:B6)", "=SUM(C5:C6)"],
                ["SAV-DC", 100000, 4000000],
                ["SAV-CC", 150000, 4000000],
            ],
            cached={"B4": 250000, "C4": 8000000},
        )
    )


@case(
    "total_row_at_the_top_wrong",
    "actuals total first wrong.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={3: values("SAV-DC", "100000.00", "4000000.00"), 4: values("SAV-CC", "150000.00", "4000000.00")},
        left_out=('Row 2 ("Total") is a total: left out, and checked against the rows below',),
        errors=(Err(2, ACTUAL, 'The "Total" row says £260,000.00 but the rows below it add up to £250,000.00'),),
    ),
    note="a Total row at the top saying £260,000 over rows below adding up to £250,000: the error names both",
)
def _total_on_top_wrong():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, ACTUAL, FORECAST],
                ["Total", 260000, 8000000],
                ["SAV-DC", 100000, 4000000],
                ["SAV-CC", 150000, 4000000],
            ],
        )
    )


def _with_macros(data: bytes) -> bytes:
    """The workbook as Excel saves it with macros (.xlsm): a macro-enabled content type and a VBA part."""
    macro = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    sheet = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(sheet, macro)
            target.writestr(info.filename, content)
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    return buffer.getvalue()


@case(
    "macro_enabled_xlsm",
    "actuals with macros.xlsm",
    Read(sheet="Actuals", header_row=1, rows={2: values("SAV-DC", "1.00", "4000000.00")}),
    note="a macro-enabled workbook (.xlsm, with a VBA part): read like an .xlsx, the macros never run",
)
def _xlsm():
    return _with_macros(xlsx(SheetDef("Actuals", [[REF, ACTUAL, FORECAST], ["SAV-DC", 1, 4000000]])))


@case(
    "libreoffice_ods",
    "actuals.ods",
    Refused((Err(0, "File", NOT_A_SPREADSHEET),)),
    note="a LibreOffice .ods: refused, asking for an Excel workbook or a CSV",
)
def _ods():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@case(
    "csv_utf16_big_endian",
    "actuals unicode text.txt",
    Read(sheet=None, header_row=1, rows=CSV_VALUES, file_kind="CSV (tab-separated, UTF-16)"),
    note="UTF-16 big-endian with its BOM, tab-separated",
)
def _csv_utf16_be():
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\r\n").writerows(CSV_ROWS)
    return codecs.BOM_UTF16_BE + buffer.getvalue().encode("utf-16-be")


@case(
    "web_page_saved_as_xls",
    "report export.xls",
    Refused((Err(0, "File", "web page"),)),
    note='a web page saved as .xls (a reporting system\'s "Export to Excel"): refused saying what it is and to save '
    "it as .xlsx, not told its columns are missing",
)
def _html_xls():
    cells = "".join(
        "<tr>" + "".join(f"<td>{value}</td>" for value in line) + "</tr>"
        for line in ([REF, "Actual", "Forecast"], ["SAV-DC", 1, 4000000])
    )
    return (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<head><meta charset="utf-8"></head><body><table>{cells}</table></body></html>'
    ).encode()


def _fifty_rows() -> bytes:
    return xlsx(SheetDef("Actuals", [[REF, ACTUAL, FORECAST]] + [["SAV-DC", number, 4000000] for number in range(50)]))


@case(
    "damaged_sheet_xml_cut_short",
    "actuals damaged.xlsx",
    Refused((Err(0, "File", "is damaged"),)),
    note="a workbook whose zip is sound but whose sheet XML is cut short: refused as damaged, not a crash",
)
def _damaged_cut():
    return rezip(_fifty_rows(), {"xl/worksheets/sheet1.xml": lambda xml: xml[: len(xml) // 2]})


@case(
    "damaged_number_cell_holding_text",
    "actuals from a generator.xlsx",
    Refused((Err(0, "File", "is damaged"),)),
    note='a workbook written by a faulty program: a number cell holding "abc": refused as damaged, not a crash',
)
def _damaged_number():
    return rezip(
        _fifty_rows(), {"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b"<v>4000000</v>", b"<v>abc</v>", 1)}
    )


@case(
    "truncated_download",
    "actuals (1).xlsx",
    Refused((Err(0, "File", NOT_A_SPREADSHEET),)),
    note="an .xlsx cut off halfway (a download or attachment that did not finish): not a spreadsheet we can read",
)
def _truncated():
    data = _fifty_rows()
    return data[: len(data) // 2]


def _flipped(data: bytes, seed: int) -> bytes:
    """The file with a few bytes overwritten, as a faulty disk or transfer leaves it (the same every run)."""
    rng = random.Random(seed)
    damaged = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
    return bytes(damaged)


@case(
    "damaged_xls",
    "actuals 97-2003 damaged.xls",
    Refused((Err(0, "File", "is damaged"),)),
    note="the .xls of legacy_xls_with_hidden_sheet with a few bytes overwritten: refused as damaged, not a crash",
)
def _damaged_xls():
    return _flipped(_xls(), 27)


@case(
    "damaged_utf16_text",
    "actuals unicode text.txt",
    Refused((Err(0, "File", NOT_A_SPREADSHEET),)),
    note="UTF-16 text with its BOM whose bytes were damaged (an unpaired surrogate): not a spreadsheet we can read",
)
def _damaged_utf16():
    data = bytearray(_csv_utf16())
    data[40:42] = b"\x00\xdc"  # a low surrogate with no high one before it
    return bytes(data)


@case(
    "csv_utf8_mark_over_windows_1252_text",
    "actuals.csv",
    Read(sheet=None, header_row=1, rows=CSV_VALUES, file_kind="CSV (comma-separated, Windows-1252)"),
    note='a CSV whose tool put a UTF-8 mark before Windows-1252 text ("£", "é"): the text read as Windows-1252',
)
def _bom_over_cp1252():
    return codecs.BOM_UTF8 + _csv_cp1252()


@case(
    "amount_beyond_what_is_stored",
    "actuals extra zeros.xlsx",
    Read(
        sheet="Actuals",
        header_row=1,
        rows={
            2: values("SAV-DC", "!", "4000000.00"),
            3: values("SAV-CC", "999999999999.99", "4000000.00", "The most a figure can be"),
        },
        problems=(Err(2, "actual_saving", "expected an amount of at most £999,999,999,999.99"),),
    ),
    note="an actual typed with extra zeros, £1,000,000,000,000 (beyond what a figure is stored as): refused at the "
    "preview naming the most it can be; £999,999,999,999.99 read",
    preview=Previewed(
        rows={3: ("SAV-CC", previewed("999999999999.99", "4000000.00", "The most a figure can be"))},
        errors=(Err(2, ACTUAL, "expected an amount of at most £999,999,999,999.99"),),
    ),
)
def _extra_zeros():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                [REF, ACTUAL, FORECAST, COMMENTARY],
                ["SAV-DC", "£1,000,000,000,000", 4000000, None],
                ["SAV-CC", "999,999,999,999.99", 4000000, "The most a figure can be"],
            ],
        )
    )


CASES.append(
    Case(
        "sheet_asked_for_without_the_columns",
        "actuals both quarters.xlsx",
        _two_quarters,
        Refused(
            (
                Err(
                    0,
                    _missing(REF, ACTUAL, FORECAST),
                    f"No header row with the columns {_missing(REF, ACTUAL, FORECAST)} was found in the first 30 rows "
                    'of sheet "Notes"',
                ),
            )
        ),
        sheet="Notes",
        note='the two-quarter workbook with sheet="Notes" (a sheet without the columns): refused naming them',
    )
)
CASES.append(
    Case(
        "sheet_asked_for_not_in_the_workbook",
        "actuals both quarters.xlsx",
        _two_quarters,
        Refused(
            (Err(0, "File", 'The sheet "Q2 2014-15" is not in the workbook. Sheets: Q4 2013-14, Q1 2014-15, Notes.'),)
        ),
        sheet="Q2 2014-15",
        note='the same workbook with sheet="Q2 2014-15": refused, listing the sheets it has',
    )
)
CASES.append(
    Case(
        "csv_with_a_sheet_asked_for",
        "actuals.txt",
        _csv_tab,
        Read(sheet=None, header_row=1, rows=CSV_VALUES, file_kind="CSV (tab-separated, UTF-8)"),
        sheet="Actuals",
        note='a CSV uploaded with sheet="Actuals" (the sheet kept from an earlier workbook): a CSV has one table, read',
    )
)


@case(
    "template_returned_blank",
    "actuals-2014-15-q1.xlsx",
    Read(
        sheet="Actuals",
        header_row=5,
        rows={
            6: values("SAV-DC", category="Data Centres"),
            7: values("SAV-CC", category="Command & Control Systems"),
        },
    ),
    note="the template sent back with no figures filled in: read, and the upload says there is nothing to save",
    preview=Previewed(rows={}, errors=(Err(0, "File", "The file has no figures to upload"),)),
)
def _template_blank():
    return xlsx(
        SheetDef(
            "Actuals",
            [
                *TITLE_ROWS,
                TEMPLATE_HEADER,
                row("SAV-DC", None, None, category="Data Centres", planned=4000000),
                row("SAV-CC", None, None, category="Command & Control Systems", planned=4000000),
            ],
        )
    )


@case(
    "protected_sheet",
    "actuals locked template.xlsx",
    Read(sheet="Actuals", header_row=5, rows={6: values("SAV-DC", "1000.00", "4000000.00")}),
    note="the template with its sheet protected by a password (not the file encrypted): read as usual",
)
def _protected():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Actuals"
    for line in [*TITLE_ROWS, TEMPLATE_HEADER, row("SAV-DC", 1000, 4000000)]:
        sheet.append(line)
    sheet.protection.sheet = True
    sheet.protection.password = "finance"
    workbook.security.lockStructure = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@case(
    "another_quarters_template",
    "actuals-2014-15-q2.xlsx",
    Read(
        sheet="Actuals",
        header_row=5,
        rows={6: values("SAV-DC", "1000000.00", "4000000.00", category="Data Centres")},
    ),
    note="the template downloaded for 2014/15 Q2 (its B2 says so) uploaded to Q1: read, and the upload says "
    "which quarter the file is for",
    preview=Previewed(
        rows={6: ("SAV-DC", previewed("1000000.00", "4000000.00"))},
        errors=(Err(2, "Quarter", "This file is for 2014/15 Q2, not 2014/15 Q1"),),
    ),
)
def _other_quarter():
    titles = [list(line) for line in TITLE_ROWS]
    titles[1] = ["Quarter", "2014/15 Q2"]
    return xlsx(
        SheetDef(
            "Actuals",
            [*titles, TEMPLATE_HEADER, row("SAV-DC", 1000000, 4000000, category="Data Centres", planned=4000000)],
        )
    )
