"""Monthly usage statistics uploads (CSV or XLSX): every row checked, all or nothing."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from mobile_assets.models import OrganisationalUnit, TransactionType
from mobile_assets.services import UsageRow
from mps_ict.uploads import RowError

COLUMNS = {"unit": "Unit", "transaction_type": "Transaction type", "count": "Count"}


def _rows(upload) -> list[tuple]:
    name = upload.name.lower()
    if name.endswith(".csv"):
        text = upload.read().decode("utf-8-sig", errors="replace")
        return [tuple(row) for row in csv.reader(io.StringIO(text))]
    workbook = load_workbook(upload, read_only=True, data_only=True)
    rows = [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


def usage_parse(*, upload) -> tuple[list[UsageRow], list[RowError]]:
    try:
        rows = _rows(upload)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return [], [RowError(0, "File", "The file could not be read as CSV or .xlsx.")]
    if not rows:
        return [], [RowError(1, "File", "The file is empty.")]
    headers = [str(cell or "").strip().lower() for cell in rows[0]]
    positions = {}
    for key, title in COLUMNS.items():
        if title.lower() in headers:
            positions[key] = headers.index(title.lower())
    missing = [title for key, title in COLUMNS.items() if key not in positions]
    if missing:
        return [], [RowError(1, ", ".join(missing), "Column missing from the header row.")]
    units = {}
    for unit in OrganisationalUnit.objects.all():
        units[unit.code.lower()] = unit
        units[unit.name.lower()] = unit
    types = {}
    for kind in TransactionType.objects.all():
        types[kind.code.lower()] = kind
        types[kind.name.lower()] = kind
    parsed, errors, seen = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {key: (row[index] if index < len(row) else None) for key, index in positions.items()}
        if all(str(value or "").strip() == "" for value in cells.values()):
            continue
        unit = units.get(str(cells["unit"] or "").strip().lower())
        kind = types.get(str(cells["transaction_type"] or "").strip().lower())
        if unit is None:
            errors.append(RowError(number, COLUMNS["unit"], f'"{cells["unit"]}" is not a borough or OCU.'))
        if kind is None:
            errors.append(
                RowError(
                    number, COLUMNS["transaction_type"], f'"{cells["transaction_type"]}" is not a transaction type.'
                )
            )
        raw = str(cells["count"] if cells["count"] is not None else "").strip().replace(",", "")
        try:
            count = int(float(raw)) if raw and float(raw) == int(float(raw)) else None
        except ValueError:
            count = None
        if count is None or count < 0:
            errors.append(RowError(number, COLUMNS["count"], f'"{cells["count"]}" is not a whole number of 0 or more.'))
        if unit and kind:
            key = (unit.pk, kind.pk)
            if key in seen:
                errors.append(
                    RowError(number, COLUMNS["unit"], f"{unit} / {kind} appears again (first on row {seen[key]}).")
                )
            seen.setdefault(key, number)
        if unit and kind and count is not None and count >= 0:
            parsed.append(UsageRow(number, unit, kind, count))
    if not parsed and not errors:
        errors.append(RowError(2, COLUMNS["count"], "The file has no figures."))
    return parsed, errors
