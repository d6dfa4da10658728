"""The estate's uploads, read by the one import engine (mps_ict/imports.py): a month's usage
statistics and the device register. Each declares its columns (with the names people give them),
turns the table's cells into what its confirm will write, and says for each row what it replaces;
the confirms (services.usage_confirm, services.devices_confirm) write exactly that, or nothing."""

from __future__ import annotations

from datetime import date

from django.db.models import Max
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from mobile_assets import services
from mobile_assets.choices import DeviceStatus
from mobile_assets.models import (
    Assignment,
    Device,
    DeviceModel,
    OrganisationalUnit,
    TransactionType,
    Vehicle,
)
from mobile_assets.selectors import usage_upload_coverage
from mps_ict.downloads import safe_cell, workbook_bytes
from mps_ict.imports import (
    CellProblem,
    Column,
    ImportRejected,
    Preview,
    PreviewRow,
    TableSpec,
    amount,
    day,
    preview_refused,
    read_table,
    same_key,
    text,
    whole_number,
)

USAGE_KIND = services.USAGE_KIND
DEVICES_KIND = services.DEVICES_KIND
REGISTER_SCOPE = "register"


def kept_preview(*, preview_id, kind: str, user) -> Preview | None:
    """A preview kept for its confirm (mps_ict.imports.preview_keep), read without taking it: to show
    it again beside a confirm's form errors. None if it is gone. One query."""
    from mps_ict.models import ImportPreview

    kept = ImportPreview.objects.filter(pk=preview_id, kind=kind, user=user).values_list("payload", flat=True).first()
    return Preview.from_dict(kept) if kept else None


# --- A month's usage ---------------------------------------------------------------------------------

USAGE_SPEC = TableSpec(
    what="a month's usage statistics",
    columns=(
        Column(
            "unit",
            "Unit",
            (
                "Borough",
                "OCU",
                "Borough/OCU",
                "Borough or OCU",
                "BOCU",
                "Unit code",
                "Unit name",
                "Organisational unit",
            ),
            required=True,
            fill_merged=True,  # a borough's name merged down over its transaction types
            label=True,
        ),
        Column(
            "transaction_type",
            "Transaction type",
            ("Type", "Transaction", "Transaction type code", "Transaction name", "Activity"),
            required=True,
            fill_merged=True,
            label=True,
        ),
        Column(
            "count",
            "Count",
            (
                "Number",
                "Transactions",
                "Total transactions",
                "Number of transactions",
                "Total",
                "Volume",
                "Count of transactions",
            ),
            required=True,
            totalled=True,  # a Total row's count is checked against the rows above
            counted="transactions",
        ),
    ),
)
COLUMNS = {column.key: column.title for column in USAGE_SPEC.columns}


def _lookup(records, *names) -> dict[str, object]:
    """Records by each of the given attributes (code, name..., or `str`), as `same_key` matches them."""
    found = {}
    for record in records:
        for name in names:
            found.setdefault(same_key(name(record) if callable(name) else getattr(record, name)), record)
    return found


def _example(records, attribute="name") -> str:
    first = next(iter(records), None)
    if first is None:
        return ""
    return f', like "{attribute(first) if callable(attribute) else getattr(first, attribute)}"'


def usage_preview(*, upload, month: date, user, sheet: str | None = None) -> Preview:
    """A month's usage file as its confirm would save it: each unit and transaction type's count
    beside the count held now, what the month would then cover (notes["coverage"]: INCOMPLETE
    when it lacks a unit or type the last complete month had) and the figures held now that the
    file does not have (notes["removed"]). Five queries (units, transaction types, the month held,
    its coverage), whatever the file's size."""
    scope = month.isoformat()
    try:
        table = read_table(upload, USAGE_SPEC, sheet=sheet)
    except ImportRejected as rejected:
        return preview_refused(kind=USAGE_KIND, scope=scope, upload=upload, rejected=rejected)
    unit_records = list(OrganisationalUnit.objects.order_by("name"))
    type_records = list(TransactionType.objects.order_by("name"))
    units = _lookup(unit_records, "code", "name")
    types = _lookup(type_records, "code", "name")
    held, basis = services.usage_held(month)
    counts = {(unit, kind): count for unit, kind, device, count in held if device is None}
    errors = list(table.errors)
    rows, seen = [], {}
    for line in table.rows:
        problems = []
        unit = kind = count = None
        raw_unit = _cell_text(line, "unit", problems)
        raw_type = _cell_text(line, "transaction_type", problems)
        if raw_unit == "":
            problems.append(
                ("unit", f"the cell is empty; expected a borough or OCU, by name or code{_example(unit_records)}")
            )
        elif raw_unit is not None and (unit := units.get(same_key(raw_unit))) is None:
            problems.append(
                (
                    "unit",
                    f'found "{raw_unit}"; expected a borough or OCU, by name or code{_example(unit_records)} '
                    "(the template lists them all)",
                )
            )
        if raw_type == "":
            problems.append(
                ("transaction_type", f"the cell is empty; expected a transaction type{_example(type_records)}")
            )
        elif raw_type is not None and (kind := types.get(same_key(raw_type))) is None:
            problems.append(
                (
                    "transaction_type",
                    f'found "{raw_type}"; expected a transaction type, by name or code'
                    f"{_example(type_records)} (the template lists them all)",
                )
            )
        try:
            count = whole_number(line["count"])
            if count is None:
                problems.append(("count", "the cell is empty; expected a whole number of 0 or more (0 for none)"))
        except CellProblem as problem:
            problems.append(("count", str(problem)))
        for key, message in problems:
            errors.append(table.problem(line.number, key, message))
        if unit is None or kind is None:
            continue
        if (unit.pk, kind.pk) in seen:
            errors.append(
                table.problem(
                    line.number,
                    "unit",
                    f"found {unit} / {kind} again (first on row {seen[unit.pk, kind.pk]}); expected each unit "
                    "and transaction type once: add the counts up into one row",
                )
            )
            continue
        seen[unit.pk, kind.pk] = line.number
        if count is None or problems:
            continue
        was = counts.get((unit.pk, kind.pk))
        rows.append(
            PreviewRow(
                row=line.number,
                key=f"{unit.name} / {kind.name}",
                label="",
                values={
                    "unit": unit.name,
                    "transaction_type": kind.name,
                    "count": count,
                    "unit_code": unit.code,
                    "transaction_type_code": kind.code,
                },
                was=None if was is None else {"unit": unit.name, "transaction_type": kind.name, "count": was},
                basis=basis,
                change="new" if was is None else ("unchanged" if was == count else "changed"),
            )
        )
    if not rows and not errors:
        errors.append(
            table.problem(
                table.header_row + 1,
                "count",
                "found no figures under the header row; expected one row per unit and transaction type",
            )
        )
    names = {unit.pk: unit.name for unit in unit_records}
    kinds = {kind.pk: kind.name for kind in type_records}
    in_file = set(seen)
    removed = sorted(
        f"{names.get(unit, unit)} / {kinds.get(kind, kind)}"
        for unit, kind, device, _ in held
        if device is not None or (unit, kind) not in in_file
    )
    coverage = usage_upload_coverage(
        month=month,
        units={row.values["unit"] for row in rows},
        transaction_types={row.values["transaction_type"] for row in rows},
    )
    notes = {
        "month": scope,
        "coverage": {
            "month": coverage.month.isoformat(),
            "compared_with": coverage.compared_with.isoformat() if coverage.compared_with else None,
            "units": coverage.units,
            "transaction_types": coverage.transaction_types,
            "expected_units": coverage.expected_units,
            "expected_types": coverage.expected_types,
            "missing_units": list(coverage.missing_units),
            "missing_types": list(coverage.missing_types),
            "incomplete": coverage.incomplete,
            "summary": coverage.summary,
            "missing": coverage.missing,
        },
        "removed": removed,
        "total": sum(row.values["count"] for row in rows),
        "headers": {column.key: table.column(column.key) for column in USAGE_SPEC.columns},
    }
    return Preview(kind=USAGE_KIND, scope=scope, read=table.describe(), rows=rows, errors=errors, notes=notes)


def _cell_text(line, key: str, problems: list) -> str | None:
    """A cell as text; None (and the problem noted) for a formula with no value or an Excel error."""
    try:
        return text(line[key])
    except CellProblem as problem:
        problems.append((key, str(problem)))
        return None


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


# --- The device register ----------------------------------------------------------------------------

REGISTER_SPEC = TableSpec(
    what="the device register",
    columns=(
        Column(
            "asset_tag",
            "Asset tag",
            ("Asset", "Asset no", "Asset number", "Asset ID", "Asset tag number", "Tag", "Tag number"),
            required=True,
            label=True,
        ),
        Column(
            "serial_number",
            "Serial number",
            ("Serial", "Serial no", "S/N", "SN", "IMEI", "Serial number or IMEI", "Serial/IMEI", "Serial or IMEI"),
            required=True,
        ),
        Column(
            "model",
            "Model",
            ("Device model", "Make and model", "Make/model", "Model name"),
            required=True,
            fill_merged=True,  # a model merged down over its devices
        ),
        Column("status", "Status", ("Device status", "State")),
        Column(
            "unit",
            "Unit",
            ("Borough", "OCU", "Borough/OCU", "Borough or OCU", "BOCU", "Unit code", "Organisational unit"),
            fill_merged=True,
        ),
        Column("purchase_date", "Purchase date", ("Purchased", "Purchased on", "Date purchased", "Date of purchase")),
        Column(
            "purchase_cost",
            "Purchase cost",
            ("Cost", "Price", "Purchase price", "Unit cost", "Cost (£)", "Purchase cost (£)"),
            totalled=True,
        ),
        Column(
            "warranty_end",
            "Warranty end",
            ("Warranty", "Warranty ends", "Warranty end date", "Warranty expires", "Warranty expiry", "Warranty until"),
        ),
        Column("collar_number", "Collar number", ("Collar", "Collar no", "Officer", "Officer collar number")),
        Column("vehicle", "Vehicle", ("Fleet number", "Fleet no", "Vehicle fleet number", "Fitted to")),
        Column("status_date", "Status date", ("Status changed", "Status changed on", "Date of status", "Status from")),
    ),
)
DEVICE_COLUMNS = {column.key: column.title for column in REGISTER_SPEC.columns}
_STATUSES = (
    {same_key(value): value for value in DeviceStatus.values}
    | {same_key(label): value for value, label in DeviceStatus.choices}
    | {same_key(value.replace("_", " ")): value for value in DeviceStatus.values}
)


def register_as_held() -> dict:
    """The register as it stands, read once for a preview or a confirm: every model, unit and
    vehicle by the names an upload gives them, and every device's values as an upload compares
    them, with its latest history id (the version a confirm checks). Six queries."""
    models = list(DeviceModel.objects.all())
    by_name = _lookup(models, str)
    names = {}
    for model in models:
        names.setdefault(same_key(model.name), []).append(model)
    for key, same in names.items():  # the model's name alone, where no other model has it
        if len(same) == 1:
            by_name.setdefault(key, same[0])
    units = list(OrganisationalUnit.objects.all())
    vehicles = {
        same_key(fleet): (fleet, unit) for fleet, unit in Vehicle.objects.values_list("fleet_number", "unit__name")
    }
    holders = {
        device: (collar, fleet or "")
        for device, collar, fleet in Assignment.objects.filter(ended__isnull=True).values_list(
            "device_id", "collar_number", "vehicle__fleet_number"
        )
    }
    versions = dict(
        Device.history.order_by().values("id").annotate(latest=Max("history_id")).values_list("id", "latest")
    )
    model_names = {model.pk: str(model) for model in models}
    unit_names = {unit.pk: unit.name for unit in units}
    devices = {}
    for device in Device.objects.values(*services.REGISTER_FIELDS):
        held = services.register_values(device, model_names, unit_names, holders.get(device["id"]))
        devices[same_key(device["asset_tag"])] = (device, held, str(versions.get(device["id"]) or ""))
    return {
        "models": by_name,
        "model_list": models,
        "units": _lookup(units, "code", "name"),
        "unit_list": units,
        "vehicles": vehicles,
        "devices": devices,
    }


def devices_preview(*, upload, user, sheet: str | None = None) -> Preview:
    """A register file as its confirm would write it: for each asset tag, the device as it would
    then be (its details, status and holder) beside the device as it is, new, changed or as held,
    with the version of the device it was read against. The register's rules that need only the
    file and the register are checked here (a holder only for an issued device, nobody issued to
    nobody, one change of status per upload, a retired model for no new device); the device page's
    own rules for a change of status are applied by the confirm. Six queries (register_as_held), whatever the size."""
    try:
        table = read_table(upload, REGISTER_SPEC, sheet=sheet)
    except ImportRejected as rejected:
        return preview_refused(kind=DEVICES_KIND, scope=REGISTER_SCOPE, upload=upload, rejected=rejected)
    register = register_as_held()
    serial_owner = {
        same_key(held["serial_number"]): device["asset_tag"] for device, held, _ in register["devices"].values()
    }
    model_example = _example(register["model_list"], str)
    errors = list(table.errors)
    rows, seen_tags, seen_serials = [], {}, {}
    for line in table.rows:
        problems = []
        tag = _cell_text(line, "asset_tag", problems)
        serial = _cell_text(line, "serial_number", problems)
        raw_model = _cell_text(line, "model", problems)
        raw_status = _cell_text(line, "status", problems)
        raw_unit = _cell_text(line, "unit", problems)
        collar = (_cell_text(line, "collar_number", problems) or "").upper()
        fleet = _cell_text(line, "vehicle", problems)
        found = register["devices"].get(same_key(tag)) if tag else None
        current, was, basis = found if found else (None, None, "")
        key = current["asset_tag"] if current else " ".join((tag or "").split()).upper()
        if tag == "":
            problems.append(("asset_tag", "the cell is empty; expected the device's asset tag, like PDA-00001"))
        elif tag and same_key(tag) in seen_tags:
            problems.append(
                ("asset_tag", f"found {key} again (first on row {seen_tags[same_key(tag)]}); expected each device once")
            )
        if serial == "":
            problems.append(("serial_number", "the cell is empty; expected the device's serial number or IMEI"))
        elif serial and same_key(serial) in seen_serials:
            problems.append(
                (
                    "serial_number",
                    f"found {serial} again (first on row {seen_serials[same_key(serial)]}); expected each serial number once",
                )
            )
        elif serial and serial_owner.get(same_key(serial), key) != key:
            problems.append(
                (
                    "serial_number",
                    f"found {serial}, the serial number of {serial_owner[same_key(serial)]}; expected this device's own serial number",
                )
            )
        model = None
        if raw_model == "":
            problems.append(("model", f"the cell is empty; expected a device model{model_example}"))
        elif raw_model is not None:
            model = register["models"].get(same_key(raw_model))
            if model is None:
                problems.append(
                    (
                        "model",
                        f'found "{raw_model}"; expected a device model of the reference data{model_example} '
                        "(a new model is added there first)",
                    )
                )
            elif model.retired_at is not None and (current is None or current["model_id"] != model.pk):
                problems.append(("model", f"{model} is a retired model: no device is added to it or moved to it."))
        status = None
        if raw_status:
            status = _STATUSES.get(same_key(raw_status))
            if status is None:
                problems.append(
                    (
                        "status",
                        f'found "{raw_status}"; expected a status: {", ".join(DeviceStatus.labels)} (blank leaves it as it is)',
                    )
                )
        unit_name = None
        if raw_unit:
            unit = register["units"].get(same_key(raw_unit))
            if unit is None:
                problems.append(
                    (
                        "unit",
                        f'found "{raw_unit}"; expected a borough or OCU, by name or code{_example(register["unit_list"])}',
                    )
                )
            else:
                unit_name = unit.name
        vehicle = None
        if fleet:
            vehicle = register["vehicles"].get(same_key(fleet))
            if vehicle is None:
                problems.append(
                    (
                        "vehicle",
                        f'found "{fleet}", which is not a vehicle of the fleet; expected a fleet number, like MV00042',
                    )
                )
        dates, cost = {}, None
        for date_key in ("purchase_date", "warranty_end", "status_date"):
            try:
                dates[date_key] = day(line[date_key])
            except CellProblem as problem:
                problems.append((date_key, str(problem)))
        try:
            cost = amount(line["purchase_cost"], negative=False)
        except CellProblem as problem:
            problems.append(("purchase_cost", str(problem)))
        current_status = current["status"] if current else DeviceStatus.IN_STOCK
        current_holder = was["vehicle"] or was["collar_number"] if was else ""
        holder = vehicle[0] if vehicle else collar
        if not any(field in ("status", "collar_number", "vehicle") for field, _ in problems):
            rule = services.register_status_problem(
                tag=key, current_status=current_status, current_holder=current_holder, target=status, holder=holder
            )
            if rule:
                problems.append(rule)
        for field, message in problems:
            errors.append(table.problem(line.number, field, message))
        if tag:
            seen_tags.setdefault(same_key(tag), line.number)
        if serial:
            seen_serials.setdefault(same_key(serial), line.number)
        if problems:
            continue
        changes_status = status is not None and status != current_status
        target = status if changes_status else current_status
        if changes_status:
            collar_after, fleet_after = (
                (collar, vehicle[0] if vehicle else "") if target == DeviceStatus.ISSUED else ("", "")
            )
            if target == DeviceStatus.ISSUED and vehicle:
                unit_name = vehicle[1]  # fitted to a vehicle, a device is in the vehicle's unit
        else:
            collar_after, fleet_after = (was["collar_number"], was["vehicle"]) if was else ("", "")
        keep_serial = was is not None and same_key(was["serial_number"]) == same_key(serial)
        values = {
            "serial_number": was["serial_number"] if keep_serial else serial,
            "model": str(model),
            "status": DeviceStatus(target).label,
            "unit": unit_name,
            "purchase_date": dates["purchase_date"].isoformat() if dates["purchase_date"] else None,
            "purchase_cost": str(cost) if cost is not None else None,
            "warranty_end": dates["warranty_end"].isoformat() if dates["warranty_end"] else None,
            "collar_number": collar_after,
            "vehicle": fleet_after,
            "status_date": dates["status_date"].isoformat() if dates["status_date"] else None,
        }
        if was is None:
            change = "new"
        else:
            change = "unchanged" if all(values[k] == was[k] for k in services.REGISTER_COMPARED) else "changed"
        label = ""
        if changes_status:
            when = f"{dates['status_date']:%d/%m/%Y}" if dates["status_date"] else "the day it is confirmed"
            label = f"{DeviceStatus(target).label} from {when}"
        rows.append(
            PreviewRow(row=line.number, key=key, label=label, values=values, was=was, basis=basis, change=change)
        )
    if not rows and not errors:
        errors.append(
            table.problem(
                table.header_row + 1, "asset_tag", "found no devices under the header row; expected one row per device"
            )
        )
    notes = {"headers": {column.key: table.column(column.key) for column in REGISTER_SPEC.columns}}
    return Preview(
        kind=DEVICES_KIND, scope=REGISTER_SCOPE, read=table.describe(), rows=rows, errors=errors, notes=notes
    )
