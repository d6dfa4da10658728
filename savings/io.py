"""The quarterly actuals spreadsheet: a template pre-filled for one quarter, and its upload.

Parsing reads every row through the same rules as the form and the API (services.actual_validate)
and reports every error with its row and column; the write is services.actuals_import, one
transaction for the whole file.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from mps_ict.downloads import safe_cell, workbook_bytes
from mps_ict.financial_years import Quarter
from mps_ict.money import FORECAST_TOLERANCE_LABEL, parse_money
from savings import selectors, services
from savings.models import SavingsPlan

SHEET_TITLE = "Actuals"
QUARTER_LABEL_CELL = "B2"
HEADER_ROW = 5
COLUMNS = {
    "reference": "Reference",
    "category": "Category",
    "initiative": "Initiative",
    "planned": "Planned saving for the year (£)",
    "actual_saving": "Actual saving in the quarter (£)",
    "forecast_full_year": "Full-year forecast (£)",
    "commentary": "Commentary",
}
REQUIRED_COLUMNS = ("reference", "actual_saving", "forecast_full_year", "commentary")


def actuals_template(*, plan: SavingsPlan, quarter: Quarter, user) -> bytes:
    """An .xlsx for the quarter: one row per initiative, pre-filled with any figures already entered."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet["A1"] = f"{plan.name}: quarterly savings actuals"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"], sheet[QUARTER_LABEL_CELL] = "Quarter", quarter.label
    sheet["A3"] = (
        "Fill in the actual saving in the quarter and the forecast for the whole year, in pounds. "
        f"Explain any forecast that moves by more than {FORECAST_TOLERANCE_LABEL}. "
        "Do not change the Reference column or the quarter."
    )
    sheet["A3"].alignment = Alignment(wrap_text=False)
    for column, title in enumerate(COLUMNS.values(), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1D70B8")
    for offset, row in enumerate(selectors.quarter_rows(plan=plan, quarter=quarter, user=user), start=1):
        actual = row.actual
        values = [
            row.initiative.reference,
            row.initiative.category.name,
            row.initiative.description,
            row.planned,
            actual.actual_saving if actual else None,
            actual.forecast_full_year if actual else None,
            actual.commentary if actual else None,
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(
                row=HEADER_ROW + offset, column=column, value=safe_cell(value) if value is not None else None
            )
            if column in (4, 5, 6):
                cell.number_format = "£#,##0.00"
    for letter, width in zip("ABCDEFG", (14, 32, 60, 22, 24, 22, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    return workbook_bytes(workbook)


@dataclass(frozen=True)
class ParsedRow:
    row: int
    reference: str
    actual_saving: object
    forecast_full_year: object
    commentary: str


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def actuals_parse(
    *, upload, plan: SavingsPlan, quarter: Quarter, user
) -> tuple[list[tuple[int, services.ActualInput]], list[services.RowError]]:
    """Read an uploaded template. Returns the rows to save and every error found (row, column)."""
    errors: list[services.RowError] = []
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return [], [
            services.RowError(0, "File", "This is not an .xlsx spreadsheet. Upload the template you downloaded.")
        ]
    sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()

    # The quarter the file was made for must be the quarter being uploaded to.
    stated_quarter = _text(rows[1][1]) if len(rows) > 1 and len(rows[1]) > 1 else ""
    try:
        if Quarter.parse(stated_quarter) != quarter:
            errors.append(
                services.RowError(
                    2,
                    "Quarter",
                    f"This file is for {stated_quarter}, not {quarter}. Download the template for {quarter}.",
                )
            )
    except ValueError:
        errors.append(
            services.RowError(
                2, "Quarter", f'"{stated_quarter}" is not a quarter; the template says, for example, {quarter}.'
            )
        )

    header_index = next(
        (index for index, row in enumerate(rows[:20]) if row and _text(row[0]).lower() == "reference"), None
    )
    if header_index is None:
        errors.append(services.RowError(HEADER_ROW, "Reference", 'No header row starting "Reference" was found.'))
        return [], errors
    headers = [_text(cell).lower() for cell in rows[header_index]]
    positions = {}
    for key, title in COLUMNS.items():
        if title.lower() in headers:
            positions[key] = headers.index(title.lower())
    missing = [COLUMNS[key] for key in REQUIRED_COLUMNS if key not in positions]
    if missing:
        errors.append(services.RowError(header_index + 1, ", ".join(missing), "Column missing from the header row."))
        return [], errors

    initiatives = {
        row.initiative.reference: row for row in selectors.quarter_rows(plan=plan, quarter=quarter, user=user)
    }
    seen: dict[str, int] = {}
    parsed: list[tuple[int, services.ActualInput]] = []

    def cell(row, key):
        index = positions.get(key)
        return row[index] if index is not None and index < len(row) else None

    for index, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if row is None or all(_text(value) == "" for value in row):
            continue  # blank rows (trailing or between) are ignored
        reference = _text(cell(row, "reference"))
        actual_raw, forecast_raw = cell(row, "actual_saving"), cell(row, "forecast_full_year")
        if not reference:
            errors.append(services.RowError(index, COLUMNS["reference"], "Reference is empty."))
            continue
        if reference not in initiatives:
            errors.append(
                services.RowError(index, COLUMNS["reference"], f'"{reference}" is not an initiative of this plan.')
            )
            continue
        if reference in seen:
            errors.append(
                services.RowError(
                    index, COLUMNS["reference"], f"{reference} appears again (first on row {seen[reference]})."
                )
            )
            continue
        seen[reference] = index
        if _text(actual_raw) == "" and _text(forecast_raw) == "":
            continue  # not reported this quarter
        amounts = {}
        for key, raw in (("actual_saving", actual_raw), ("forecast_full_year", forecast_raw)):
            if _text(raw) == "":
                errors.append(services.RowError(index, COLUMNS[key], "Enter an amount in pounds."))
                continue
            try:
                amounts[key] = parse_money(raw)
            except ValueError as error:
                errors.append(services.RowError(index, COLUMNS[key], str(error)))
        if len(amounts) < 2:
            continue
        existing = initiatives[reference]
        candidate = services.ActualInput(
            existing.initiative, amounts["actual_saving"], amounts["forecast_full_year"], _text(cell(row, "commentary"))
        )
        for field_name, message in services.actual_validate(
            row=candidate, quarter=quarter, existing=existing.actual
        ).items():
            errors.append(services.RowError(index, services.COLUMN_OF_FIELD.get(field_name, field_name), message))
        parsed.append((index, candidate))
    if not parsed and not errors:
        errors.append(
            services.RowError(header_index + 2, COLUMNS["actual_saving"], "The file has no figures to upload.")
        )
    return parsed, errors
