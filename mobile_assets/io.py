"""Monthly usage statistics uploads (CSV or XLSX): every row checked, all or nothing."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from mobile_assets.choices import DeviceStatus
from mobile_assets.models import Device, DeviceModel, OrganisationalUnit, TransactionType, Vehicle
from mobile_assets.services import DeviceRow, UsageRow
from mps_ict.downloads import safe_cell, workbook_bytes
from mps_ict.imports import RowError
from mps_ict.money import parse_money

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


def _open(upload, columns: dict[str, str], required) -> tuple[list[tuple], dict[str, int], list[RowError]]:
    """The file's rows and where each known column is, or the errors that stop reading it."""
    try:
        rows = _rows(upload)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return [], {}, [RowError(0, "File", "The file could not be read as CSV or .xlsx.")]
    if not rows:
        return [], {}, [RowError(1, "File", "The file is empty.")]
    headers = [str(cell or "").strip().lower() for cell in rows[0]]
    positions = {key: headers.index(title.lower()) for key, title in columns.items() if title.lower() in headers}
    missing = [columns[key] for key in required if key not in positions]
    if missing:
        return [], {}, [RowError(1, ", ".join(missing), "Column missing from the header row.")]
    return rows, positions, []


def _units_by_code_or_name() -> dict[str, OrganisationalUnit]:
    units = {}
    for unit in OrganisationalUnit.objects.all():
        units[unit.code.lower()] = unit
        units[unit.name.lower()] = unit
    return units


def usage_parse(*, upload) -> tuple[list[UsageRow], list[RowError]]:
    rows, positions, errors = _open(upload, COLUMNS, tuple(COLUMNS))
    if errors:
        return [], errors
    units = _units_by_code_or_name()
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


ACCEPTED_NAMES_SHEET = "Accepted names"
TEMPLATE_ROWS = 2000  # rows of the template's sheet whose unit and transaction type cells offer the lists


def usage_template() -> bytes:
    """The usage upload's template (.xlsx): a "Usage" sheet with the upload's columns, whose Unit and
    Transaction type cells offer drop-down lists of the accepted names and whose Count cells take a
    whole number of 0 or more; and an "Accepted names" sheet listing every unit and transaction type
    (their names; their codes are accepted too). Two queries."""
    units = list(OrganisationalUnit.objects.order_by("name").values_list("name", "code"))
    types = list(TransactionType.objects.order_by("name").values_list("name", "code"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Usage"
    sheet.append([safe_cell(title) for title in COLUMNS.values()])
    names = workbook.create_sheet(ACCEPTED_NAMES_SHEET)
    names.append(["Unit", "Unit code", "Transaction type", "Transaction type code"])
    for index in range(max(len(units), len(types))):
        unit = units[index] if index < len(units) else ("", "")
        kind = types[index] if index < len(types) else ("", "")
        names.append([safe_cell(value) for value in (*unit, *kind)])
    last_row = TEMPLATE_ROWS + 1
    for column, letter, count in (("A", "A", len(units)), ("B", "C", len(types))):
        if count:
            choice = DataValidation(
                type="list",
                formula1=f"'{ACCEPTED_NAMES_SHEET}'!${letter}$2:${letter}${count + 1}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not an accepted name",
                error=f"Choose from the list (see the {ACCEPTED_NAMES_SHEET} sheet).",
            )
            choice.add(f"{column}2:{column}{last_row}")
            sheet.add_data_validation(choice)
    whole = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not a count",
        error="Enter a whole number of 0 or more.",
    )
    whole.add(f"C2:C{last_row}")
    sheet.add_data_validation(whole)
    for letter, width in (("A", 32), ("B", 32), ("C", 12)):
        sheet.column_dimensions[letter].width = width
    for letter in "ABCD":
        names.column_dimensions[letter].width = 28
    return workbook_bytes(workbook)


DEVICE_COLUMNS = {
    "asset_tag": "Asset tag",
    "serial_number": "Serial number",
    "model": "Model",
    "status": "Status",
    "unit": "Unit",
    "purchase_date": "Purchase date",
    "purchase_cost": "Purchase cost",
    "warranty_end": "Warranty end",
    # a change of status goes through the device page's services: Issued needs a holder
    "collar_number": "Collar number",
    "vehicle": "Vehicle",
    "status_date": "Status date",
}
DEVICE_REQUIRED = ("asset_tag", "serial_number", "model")


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(str(value).strip(), pattern).date()  # noqa: DTZ007 - a date, not a time
        except ValueError:
            continue
    raise ValueError(f'"{value}" is not a date; write it like 29/04/2013')


def devices_parse(*, upload) -> tuple[list[DeviceRow], list[RowError]]:
    """Read a device register file: rows to upsert by asset tag, and every error found."""
    rows, positions, errors = _open(upload, DEVICE_COLUMNS, DEVICE_REQUIRED)
    if errors:
        return [], errors
    models = {str(m).lower(): m for m in DeviceModel.objects.all()}
    units = _units_by_code_or_name()
    statuses = {value: value for value in DeviceStatus.values} | {
        label.lower(): value for value, label in DeviceStatus.choices
    }
    serial_owner = dict(Device.objects.values_list("serial_number", "asset_tag"))
    model_of = dict(Device.objects.values_list("asset_tag", "model_id"))
    vehicles = {vehicle.fleet_number.upper(): vehicle for vehicle in Vehicle.objects.all()}
    parsed, errors, seen_tags, seen_serials = [], [], {}, {}
    for number, row in enumerate(rows[1:], start=2):
        cell = {key: (row[index] if index < len(row) else None) for key, index in positions.items()}
        if all(str(value or "").strip() == "" for value in cell.values()):
            continue
        problems = []
        tag = str(cell.get("asset_tag") or "").strip().upper()
        serial = str(cell.get("serial_number") or "").strip()
        if not tag:
            problems.append(("asset_tag", "Asset tag is empty."))
        elif tag in seen_tags:
            problems.append(("asset_tag", f"{tag} appears again (first on row {seen_tags[tag]})."))
        if not serial:
            problems.append(("serial_number", "Serial number is empty."))
        elif serial in seen_serials:
            problems.append(("serial_number", f"Serial {serial} appears again (first on row {seen_serials[serial]})."))
        elif serial_owner.get(serial) not in (None, tag):
            problems.append(("serial_number", f"Serial {serial} already belongs to {serial_owner[serial]}."))
        model = models.get(str(cell.get("model") or "").strip().lower())
        if model is None:
            problems.append(("model", f'"{cell.get("model")}" is not a known device model.'))
        elif model.retired_at is not None and model_of.get(tag) != model.pk:  # its own devices may stay
            problems.append(("model", f"{model} is a retired model: no device is added to it or moved to it."))
        unit = None
        if str(cell.get("unit") or "").strip():
            unit = units.get(str(cell["unit"]).strip().lower())
            if unit is None:
                problems.append(("unit", f'"{cell["unit"]}" is not a borough or OCU.'))
        # blank: the status is left as it is (a new device goes in stock)
        status = None
        if str(cell.get("status") or "").strip():
            status = statuses.get(str(cell["status"]).strip().lower())
            if status is None:
                problems.append(("status", f'"{cell["status"]}" is not a status ({", ".join(DeviceStatus.labels)}).'))
        vehicle = None
        if fleet_number := str(cell.get("vehicle") or "").strip().upper():
            vehicle = vehicles.get(fleet_number)
            if vehicle is None:
                problems.append(("vehicle", f"There is no vehicle {fleet_number}."))
        values = {}
        for key in ("purchase_date", "warranty_end", "status_date"):
            try:
                values[key] = _date(cell.get(key))
            except ValueError as error:
                problems.append((key, str(error)))
        try:
            cost = cell.get("purchase_cost")
            values["purchase_cost"] = parse_money(cost) if str(cost or "").strip() else None
            if values["purchase_cost"] is not None and values["purchase_cost"] < 0:
                problems.append(("purchase_cost", "Purchase cost must not be negative."))
        except ValueError as error:
            problems.append(("purchase_cost", str(error)))
        errors.extend(RowError(number, DEVICE_COLUMNS[key], message) for key, message in problems)
        if tag:
            seen_tags.setdefault(tag, number)
        if serial:
            seen_serials.setdefault(serial, number)
        if not problems:
            parsed.append(
                DeviceRow(
                    number,
                    tag,
                    serial,
                    model,
                    status,
                    unit,
                    values["purchase_date"],
                    values["purchase_cost"],
                    values["warranty_end"],
                    str(cell.get("collar_number") or "").strip().upper(),
                    vehicle,
                    values["status_date"],
                )
            )
    if not parsed and not errors:
        errors.append(RowError(2, DEVICE_COLUMNS["asset_tag"], "The file has no devices."))
    return parsed, errors
