"""Writes to the mobile estate. Atomic, audited, and each checks who may do it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from mobile_assets import selectors
from mobile_assets.choices import BenefitSource, DeviceStatus
from mobile_assets.models import (
    Assignment,
    BenefitRollup,
    BenefitRule,
    Capability,
    Device,
    DeviceModel,
    DeviceType,
    HourlyCost,
    OrganisationalUnit,
    QualitativeBenefit,
    RolloutPlanLine,
    TransactionType,
    UsageStatistic,
    Vehicle,
)
from mps_ict.audit import audit_context, audited, bulk_write
from mps_ict.conflicts import Conflict, version_check
from mps_ict.figures_cache import figures_changed
from mps_ict.financial_years import FinancialYear, add_months
from mps_ict.imports import (
    ImportRejected,
    RowError,
    StaleImport,
    changed_by,
    hold,
    money_text,
    preview_take,
    same_key,
    stale_error,
)
from mps_ict.loaders import LoadReport

BENEFIT_ROLLUP_TASK = "mobile_assets.benefit_rollup"  # mobile_assets.tasks.benefit_rollup_task
PENNY = Decimal("0.01")
WRITE_PERMISSION = "mobile_assets.change_device"


def _require_asset_manager(user) -> None:
    if not user.has_perm(WRITE_PERMISSION):
        raise PermissionDenied("Only the mobile technology team may change the device register.")


def _vary(base: int, *keys) -> int:
    """A deterministic ±10% variation, so illustrative data looks lived-in but reloads identically."""
    digest = int(hashlib.sha256("|".join(map(str, keys)).encode()).hexdigest()[:8], 16)
    return base + base * ((digest % 21) - 10) // 100


@transaction.atomic
def estate_load(*, data: dict, report: LoadReport | None = None) -> dict:
    """Load the estate as reported plus the labelled illustrative register, inserting only what
    is missing: a device type, unit, rule, hourly cost, reported roll-up, rollout line or
    qualitative benefit that is already there is left exactly as it is, whatever the file says
    (the mobile technology team maintain them in the application); so are the register and each
    month's usage, once there. `report` counts what was added and what was left."""
    report = report if report is not None else LoadReport()
    insert = report.insert_missing
    with audit_context(reason="Loaded from the source documents (load_mobile_estate)", effective=data.get("effective")):
        capabilities = {
            code: insert(Capability, {"code": code}, name=name)[0] for code, name in data["capabilities"].items()
        }
        types = {}
        for row in data["device_types"]:
            device_type, created = insert(
                DeviceType,
                {"code": row["code"]},
                name=row["name"],
                description=row.get("description", ""),
                reported_count=row.get("reported_count"),
                vehicles_fitted=row.get("vehicles_fitted"),
                supported_users=row.get("supported_users"),
                source=data["source"],
            )
            if created:
                device_type.capabilities.set([capabilities[code] for code in row["capabilities"]])
            types[row["code"]] = device_type
        units = [insert(OrganisationalUnit, {"name": name}, code=slugify(name)[:20])[0] for name in data["units"]]
        transaction_types = {
            code: insert(TransactionType, {"code": code}, name=name)[0]
            for code, name in data["transaction_types"].items()
        }
        for row in data["benefit_rules"]:
            insert(
                BenefitRule,
                {
                    "transaction_type": transaction_types[row["transaction"]],
                    "role": row["role"],
                    "effective_from": date(2012, 4, 1),
                },
                minutes_saved=Decimal(row["minutes"]),
                is_illustrative=True,
            )
        reported = data["reported_benefits"]
        for row in reported["rows"]:
            amount, hours = Decimal(row["amount"]), Decimal(row["hours"])
            insert(
                BenefitRollup,
                {
                    "period_start": reported["period_start"],
                    "period_end": reported["period_end"],
                    "role": row["role"],
                    "source": BenefitSource.REPORTED,
                },
                hours=hours,
                amount=amount,
                note=data["source"],
            )
            for year in (FinancialYear(2012), FinancialYear(2013)):
                insert(
                    HourlyCost,
                    {"role": row["role"], "financial_year": year},
                    cost=(amount / hours).quantize(PENNY, rounding=ROUND_HALF_UP),
                    basis="Derived: reported £ ÷ reported hours, September 2012 – February 2013"
                    + ("" if year == FinancialYear(2012) else " (assumed unchanged in 2013/14)"),
                )
        for row in data["qualitative_benefits"]:
            insert(
                QualitativeBenefit,
                {"device_type": types["pda"], "heading": row["heading"]},
                description=row["description"],
                measure=row["measure"],
                source=data["source"],
            )
        rollout = data["rollout"]
        for offset in range(rollout["months"]):
            insert(
                RolloutPlanLine,
                {"device_type": types[rollout["device_type"]], "month": add_months(rollout["first_month"], offset)},
                planned=rollout["per_month"],
                is_illustrative=True,
            )
        _load_register(types=types, units=units, report=report)
        _load_usage(data=data, units=units, transaction_types=transaction_types, report=report)
    # capabilities (and their links), device models, units and usage keep no history, and the
    # register's bulk writes send no signal, so the load marks the estate's figures stale itself
    figures_changed(Device._meta.app_label)
    return {"devices": Device.objects.count(), "vehicles": Vehicle.objects.count()}


def _load_register(*, types: dict, units: list[OrganisationalUnit], report: LoadReport) -> None:
    """One illustrative device per reported unit of the estate (bulk: thousands of rows), loaded
    whole when the estate has no illustrative device; once there, the register (its devices,
    vehicles and assignments) is the team's to maintain and is left as it is."""
    illustrative = Device.objects.filter(is_illustrative=True).count()
    if illustrative:
        report.keep(Device, illustrative)
        return
    models = {
        code: report.insert_missing(
            DeviceModel,
            {"manufacturer": "", "name": f"{types[code].name}, model not recorded"},
            device_type=types[code],
            is_illustrative=True,
        )[0]
        for code in ("mdt", "pda", "blackberry")
    }
    # in bulk, with their history rows, so the board's "as at" can rebuild the estate
    vehicles = bulk_create_with_history(
        [
            Vehicle(fleet_number=f"MV{index:05d}", unit=units[index % len(units)], is_illustrative=True)
            for index in range(1, types["mdt"].vehicles_fitted + 1)
        ],
        Vehicle,
        batch_size=2000,
        default_change_reason="Illustrative register loaded",
    )
    counts = {
        "mdt": types["mdt"].vehicles_fitted,
        "pda": types["pda"].reported_count,
        "blackberry": types["blackberry"].reported_count,
    }
    devices = []
    for code, count in counts.items():
        for index in range(1, count + 1):
            devices.append(
                Device(
                    asset_tag=f"{code.upper()}-{index:05d}",
                    serial_number=f"SN-{code.upper()}-{index:07d}",
                    model=models[code],
                    status=DeviceStatus.ISSUED,
                    unit=units[index % len(units)],
                    purchase_date=date(2011, 4, 1),
                    is_illustrative=True,
                )
            )
    devices = bulk_create_with_history(
        devices, Device, batch_size=2000, default_change_reason="Illustrative register loaded"
    )
    assignments = []
    vehicle_iter = iter(vehicles)
    for device in devices:
        if device.asset_tag.startswith("MDT"):
            assignments.append(Assignment(device=device, vehicle=next(vehicle_iter), started=date(2011, 4, 1)))
        else:
            number = device.asset_tag.split("-")[1]
            prefix = "PC" if device.asset_tag.startswith("PDA") else "S"
            assignments.append(
                Assignment(
                    device=device, collar_number=f"{prefix}{number}", officer_unit=device.unit, started=date(2011, 4, 1)
                )
            )
    bulk_create_with_history(
        assignments, Assignment, batch_size=2000, default_change_reason="Illustrative register loaded"
    )
    report.add(Vehicle, len(vehicles))
    report.add(Device, len(devices))
    report.add(Assignment, len(assignments))


def _load_usage(*, data: dict, units, transaction_types, report: LoadReport) -> None:
    """The illustrative usage of each month that has none, and those months' roll-ups. A month
    with usage (illustrative or uploaded) is left as it is: never replaced, never added to."""
    months_with_usage = set(
        UsageStatistic.objects.filter(month__in=data["usage_months"]).values_list("month", flat=True).distinct()
    )
    months = [month for month in data["usage_months"] if month not in months_with_usage]
    report.keep(UsageStatistic, UsageStatistic.objects.filter(month__in=months_with_usage).count())
    if not months:
        return
    created = UsageStatistic.objects.bulk_create(
        [
            UsageStatistic(
                month=month,
                financial_year=FinancialYear.from_date(month),
                unit=unit,
                transaction_type=transaction_types[code],
                count=_vary(base, unit.code, code, month),
                is_illustrative=True,
            )
            for month in months
            for unit in units
            for code, base in data["usage_per_unit"].items()
        ],
        batch_size=2000,
    )
    report.add(UsageStatistic, len(created))
    for month in months:  # only the months just loaded: another month's roll-ups are left as they are
        benefit_rollup(start=month, end=month)


# --- Assignments ------------------------------------------------------------------------------------


@audited
@transaction.atomic
def device_assign(
    *, device: Device, user, started: date, collar_number: str = "", officer_unit=None, vehicle=None
) -> Assignment:
    """Issue a device to an officer (collar number and unit) or fit it to a vehicle."""
    _require_asset_manager(user)
    device = Device.objects.select_for_update().get(pk=device.pk)
    collar_number = collar_number.strip().upper()
    errors = {}
    if device.status not in (DeviceStatus.IN_STOCK,):
        errors["device"] = f"{device.asset_tag} is {device.get_status_display().lower()}; return it to stock first."
    if bool(collar_number) == bool(vehicle):
        errors["collar_number"] = "Give either an officer's collar number or a vehicle, not both."
    if collar_number and officer_unit is None:
        errors["officer_unit"] = "Give the officer's borough or OCU."
    elif collar_number and officer_unit.retired_at is not None:
        errors["officer_unit"] = f"{officer_unit} is retired: choose a borough or OCU in use."
    if vehicle is not None and vehicle.retired_at is not None:
        errors["vehicle"] = f"Vehicle {vehicle} is retired: choose a vehicle in use."
    if device.model.retired_at is not None:
        errors["device"] = f"{device.asset_tag} is a {device.model}, a retired model: it cannot be issued."
    if errors:
        raise ValidationError(errors)
    assignment = Assignment(
        device=device,
        collar_number=collar_number,
        officer_unit=officer_unit if collar_number else None,
        vehicle=vehicle,
        started=started,
        assigned_by=user,
    )
    assignment.full_clean()
    assignment.save()
    device.status = DeviceStatus.ISSUED
    device.unit = vehicle.unit if vehicle else officer_unit
    device.save()
    return assignment


def _close_assignment(device: Device, ended: date) -> None:
    current = device.assignments.filter(ended__isnull=True).first()
    if current is not None:
        if ended < current.started:
            raise ValidationError(
                {"ended": f"The device was issued on {current.started:%d %B %Y}; end on or after it."}
            )
        current.ended = ended
        current.full_clean()
        current.save()


@audited
@transaction.atomic
def device_return(*, device: Device, user, ended: date) -> Device:
    """Take a device back into stock, closing its assignment."""
    _require_asset_manager(user)
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.status != DeviceStatus.ISSUED:
        raise ValidationError({"device": f"{device.asset_tag} is not issued, so it cannot be returned."})
    _close_assignment(device, ended)
    device.status = DeviceStatus.IN_STOCK
    device.save()
    return device


@audited
@transaction.atomic
def device_set_status(*, device: Device, user, status: str, on: date, reason: str = "") -> Device:
    """Report a device lost, stolen, in repair or retired (closing any assignment)."""
    _require_asset_manager(user)
    if status not in (
        DeviceStatus.LOST,
        DeviceStatus.STOLEN,
        DeviceStatus.IN_REPAIR,
        DeviceStatus.RETIRED,
        DeviceStatus.IN_STOCK,
    ):
        raise ValidationError({"status": "Choose lost, stolen, in repair, retired or in stock."})
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.status == status:
        raise ValidationError({"status": f"{device.asset_tag} is already {device.get_status_display().lower()}."})
    _close_assignment(device, on)
    device.status = status
    device.save()
    return device


# --- Usage and benefits -----------------------------------------------------------------------------

ROLLUP_SQL = """
    SELECT u.month, r.role, SUM(u.count * r.minutes_saved) AS minutes, MAX(r.effective_from) AS rules_from
    FROM mobile_assets_usagestatistic u
    JOIN mobile_assets_benefitrule r
      ON r.transaction_type_id = u.transaction_type_id
     AND r.effective_from <= u.month
     AND (r.effective_to IS NULL OR r.effective_to >= u.month)
    WHERE u.month BETWEEN %s AND %s
    GROUP BY u.month, r.role
    ORDER BY u.month, r.role
"""


@transaction.atomic
def benefit_rollup(*, start: date, end: date) -> int:
    """Compute each month's hours and £ per role from usage × rules in one GROUP BY, price the
    (months × roles) result at each role's hourly cost for the year, and upsert the `computed`
    roll-ups: re-running gives identical rows. Each month's rules are those in force in it (a
    rule's effective_from..effective_to), and each roll-up keeps the start of the latest of them
    (`rules_from`: the rule set that produced it)."""
    with connection.cursor() as cursor:
        cursor.execute(ROLLUP_SQL, [start, end])
        rows = cursor.fetchall()
    rates = {
        (role, year): cost for role, year, cost in HourlyCost.objects.values_list("role", "financial_year", "cost")
    }
    existing = {
        (rollup.period_start, rollup.role): rollup
        for rollup in BenefitRollup.objects.filter(source=BenefitSource.COMPUTED, period_start__range=(start, end))
    }
    written, to_create, to_update = set(), [], []
    for month, role, minutes, rules_from in rows:
        month = month if isinstance(month, date) else date.fromisoformat(str(month))
        rules_from = rules_from if isinstance(rules_from, date) else date.fromisoformat(str(rules_from))
        hours = (Decimal(str(minutes)) / 60).quantize(PENNY, rounding=ROUND_HALF_UP)
        cost = rates.get((role, FinancialYear.from_date(month)))
        if cost is None:
            note = f"No hourly cost for this role in {FinancialYear.from_date(month)}: hours only"
            amount = Decimal("0.00")
        else:
            note = ""
            amount = (hours * cost).quantize(PENNY, rounding=ROUND_HALF_UP)
        written.add((month, role))
        rollup = existing.get((month, role))
        if rollup is None:
            to_create.append(
                BenefitRollup(
                    period_start=month,
                    period_end=month,
                    role=role,
                    source=BenefitSource.COMPUTED,
                    hours=hours,
                    amount=amount,
                    note=note,
                    rules_from=rules_from,
                )
            )
        elif (rollup.hours, rollup.amount, rollup.note, rollup.rules_from) != (hours, amount, note, rules_from):
            rollup.hours, rollup.amount, rollup.note, rollup.rules_from = hours, amount, note, rules_from
            to_update.append(rollup)
    # in bulk, with their audit history; an unchanged re-run writes nothing
    if to_create:
        bulk_create_with_history(to_create, BenefitRollup, batch_size=1000)
    if to_update:
        bulk_update_with_history(to_update, BenefitRollup, ["hours", "amount", "note", "rules_from"], batch_size=1000)
    for key, rollup in existing.items():
        if key not in written:
            rollup.delete()
    figures_changed(BenefitRollup._meta.app_label)  # the bulk writes above record history but send no signal
    return len(written)


def usage_rows_from_names(*, rows: list[dict]) -> list[UsageRow]:
    """Rows given by unit and transaction type (each by code or name, any case) and count, as the
    upload's rows; every unknown name and every repeated unit and type is refused, naming the row
    (`rows[2].unit`, as the API names a row's field). Two queries."""
    units, types = {}, {}
    for unit in OrganisationalUnit.objects.all():
        units[unit.code.lower()] = units[unit.name.lower()] = unit
    for kind in TransactionType.objects.all():
        types[kind.code.lower()] = types[kind.name.lower()] = kind
    parsed, errors, seen = [], {}, {}
    for index, row in enumerate(rows):
        unit = units.get(str(row["unit"]).strip().lower())
        kind = types.get(str(row["transaction_type"]).strip().lower())
        if unit is None:
            errors[f"rows[{index}].unit"] = [f'"{row["unit"]}" is not a borough or OCU.']
        if kind is None:
            errors[f"rows[{index}].transaction_type"] = [f'"{row["transaction_type"]}" is not a transaction type.']
        if unit and kind:
            if (unit.pk, kind.pk) in seen:
                errors[f"rows[{index}].unit"] = [
                    f"{unit} / {kind} appears again (first in rows[{seen[unit.pk, kind.pk]}])."
                ]
            seen.setdefault((unit.pk, kind.pk), index)
            parsed.append(UsageRow(index, unit, kind, row["count"]))
    if errors:
        raise ValidationError(errors)
    return parsed


@dataclass(frozen=True)
class UsageRow:
    row: int
    unit: OrganisationalUnit
    transaction_type: TransactionType
    count: int


@audited
@transaction.atomic
def usage_replace_month(
    *, month: date, rows: list[UsageRow], user, reason: str = "", confirm_incomplete: bool = False
) -> int:
    """Replace a month's usage statistics with an upload's rows (never doubling), then queue the
    month's benefit roll-up once the transaction commits.

    An upload that lacks a unit or a transaction type the last complete month before it had is
    incomplete (selectors.usage_upload_coverage): it is refused, naming what it lacks, unless
    `confirm_incomplete` says the uploader has seen that and takes it as the month's figures (the
    pages then say the month is incomplete)."""
    _require_asset_manager(user)
    hold(f"{USAGE_KIND}:{month.isoformat()}")  # one replacement of a month at a time (upload, confirm or API)
    coverage = selectors.usage_upload_coverage(
        month=month,
        units={row.unit.name for row in rows},
        transaction_types={row.transaction_type.name for row in rows},
    )
    if coverage.incomplete and not confirm_incomplete:
        raise ValidationError(
            {
                "confirm_incomplete": f"The file is incomplete: {coverage.summary} ({coverage.missing}). "
                "Confirm that these are the month's figures, incomplete, to save them."
            }
        )
    UsageStatistic.objects.filter(month=month).delete()
    UsageStatistic.objects.bulk_create(
        UsageStatistic(
            month=month,
            financial_year=FinancialYear.from_date(month),
            unit=row.unit,
            transaction_type=row.transaction_type,
            count=row.count,
        )
        for row in rows
    )
    # queued by the task's registered name: tasks call services, never the other way round
    rollup = current_app.tasks[BENEFIT_ROLLUP_TASK]
    transaction.on_commit(lambda: rollup.delay(month.isoformat(), month.isoformat()))
    figures_changed(UsageStatistic._meta.app_label)  # usage statistics keep no history
    return len(rows)


# --- Uploads through the import engine: a preview confirmed, exactly as shown, or nothing (issue 15) ----
# mobile_assets/io.py reads the files into previews; these confirms write them. Each takes its
# preview (once), waits for any other confirm of the same scope (`hold`), checks that nothing the
# preview read has changed since (refusing with who changed what) and writes all rows or none.

USAGE_KIND = "mobile-usage"
DEVICES_KIND = "mobile-devices"
BATCH = 1000


def _usage_basis(held: list[tuple]) -> str:
    return hashlib.sha256(repr(sorted(held)).encode()).hexdigest()[:20]


def usage_held(month: date) -> tuple[list[tuple], str]:
    """The month's figures as held ((unit id, transaction type id, device id, count) each) and
    their digest, which a preview keeps as its basis. One query."""
    held = list(
        UsageStatistic.objects.filter(month=month).values_list("unit_id", "transaction_type_id", "device_id", "count")
    )
    return held, _usage_basis(held)


@audited
@transaction.atomic
def usage_confirm(*, preview_id, user, confirm_incomplete: bool = False, reason: str = "") -> int:
    """Save a usage preview (io.usage_preview) as the month's figures, replacing those held, through
    usage_replace_month (so an incomplete month needs `confirm_incomplete`). Refused, with nothing
    saved, if the month's usage was replaced after the preview (usage keeps no history, so the
    message cannot say by whom). Returns the figures saved."""
    _require_asset_manager(user)
    preview = preview_take(preview_id=preview_id, kind=USAGE_KIND, user=user)
    month = date.fromisoformat(preview.scope)
    hold(f"{USAGE_KIND}:{preview.scope}")
    held, basis = usage_held(month)
    headers = preview.notes.get("headers", {})
    if any(row.basis != basis for row in preview.rows):
        now = {(unit, kind): count for unit, kind, device, count in held if device is None}
        units = {unit.code: unit.pk for unit in OrganisationalUnit.objects.all()}
        types = {kind.code: kind.pk for kind in TransactionType.objects.all()}
        stale = []
        for row in preview.rows:
            pair = (units.get(row.values["unit_code"]), types.get(row.values["transaction_type_code"]))
            count = now.get(pair)
            if count != (row.was or {}).get("count"):
                stale.append(
                    RowError(
                        row.row,
                        headers.get("count", "Count"),
                        f"The usage for {month:%B %Y} was replaced after your preview (by another upload or through "
                        f"the API): {row.key} is now {'not held' if count is None else f'{count:,}'}. Nothing was "
                        "saved; upload the file again to see the figures as they are now.",
                    )
                )
        raise StaleImport(
            stale
            or [
                RowError(
                    0,
                    "Month",
                    f"The usage for {month:%B %Y} was replaced after your preview (by another upload or through the "
                    "API). Nothing was saved; upload the file again to see the figures as they are now.",
                )
            ]
        )
    units = {unit.code: unit for unit in OrganisationalUnit.objects.all()}
    types = {kind.code: kind for kind in TransactionType.objects.all()}
    rows, gone = [], []
    for row in preview.rows:
        unit, kind = units.get(row.values["unit_code"]), types.get(row.values["transaction_type_code"])
        if unit is None or kind is None:
            gone.append(
                RowError(
                    row.row,
                    headers.get("unit" if unit is None else "transaction_type", "Unit"),
                    f"{row.key} is no longer in the reference data. Nothing was saved; upload the file again.",
                )
            )
        else:
            rows.append(UsageRow(row.row, unit, kind, row.values["count"]))
    if gone:
        raise StaleImport(gone)
    return usage_replace_month(
        month=month,
        rows=rows,
        user=user,
        reason=reason or f"Usage upload for {month:%B %Y}",
        confirm_incomplete=confirm_incomplete,
    )


# The register as an upload compares it: a device's values, each as the preview shows it.
REGISTER_FIELDS = (
    "id",
    "asset_tag",
    "serial_number",
    "model_id",
    "status",
    "unit_id",
    "purchase_date",
    "purchase_cost",
    "warranty_end",
)
REGISTER_COMPARED = (
    "serial_number",
    "model",
    "status",
    "unit",
    "purchase_date",
    "purchase_cost",
    "warranty_end",
    "collar_number",
    "vehicle",
)
DETAIL_FIELDS = ["serial_number", "model", "unit", "purchase_date", "purchase_cost", "warranty_end"]
# the upload's column a service's refusal is about
_REFUSAL_COLUMN = {
    "device": "status",
    "status": "status",
    "collar_number": "collar_number",
    "officer_unit": "unit",
    "vehicle": "vehicle",
    "started": "status_date",
    "ended": "status_date",
}
REGISTER_TITLES = {
    "asset_tag": "Asset tag",
    "serial_number": "Serial number",
    "model": "Model",
    "status": "Status",
    "unit": "Unit",
    "purchase_date": "Purchase date",
    "purchase_cost": "Purchase cost",
    "warranty_end": "Warranty end",
    "collar_number": "Collar number",
    "vehicle": "Vehicle",
    "status_date": "Status date",
}


def register_values(device, model_names: dict, unit_names: dict, holder: tuple[str, str] | None) -> dict:
    """A device (a dict of REGISTER_FIELDS, or a Device) as an upload's preview shows it."""
    get = device.get if isinstance(device, dict) else lambda name: getattr(device, name)
    collar, fleet = holder or ("", "")
    cost, bought, warranty = get("purchase_cost"), get("purchase_date"), get("warranty_end")
    return {
        "serial_number": get("serial_number"),
        "model": model_names.get(get("model_id"), ""),
        "status": DeviceStatus(get("status")).label,
        "unit": unit_names.get(get("unit_id")),
        "purchase_date": bought.isoformat() if bought else None,
        "purchase_cost": str(Decimal(cost).quantize(PENNY)) if cost is not None else None,
        "warranty_end": warranty.isoformat() if warranty else None,
        "collar_number": collar if not fleet else "",
        "vehicle": fleet,
    }


def register_status_problem(
    *, tag: str, current_status: str, current_holder: str, target: str | None, holder: str
) -> tuple[str, str] | None:
    """The register's rules for a row's status and holder that need no service (the upload's
    preview checks them, and its confirm again against the device as it then is): (field, message),
    or None. A blank status (None) leaves the status as it is; one upload makes one change of status."""
    if target is None or target == current_status:
        if holder and current_status != DeviceStatus.ISSUED:
            return (
                "collar_number",
                "Only an issued device has a holder: set Status to Issued, or leave Collar number and Vehicle blank.",
            )
        if holder and holder != current_holder:
            return (
                "collar_number",
                f"{tag} is issued to {current_holder}; to issue it to {holder}, return it to stock first (one upload, "
                "one change of status).",
            )
        return None
    if holder and target != DeviceStatus.ISSUED:
        return (
            "collar_number",
            f"A device set to {DeviceStatus(target).label.lower()} has no holder: leave Collar number and Vehicle blank.",
        )
    if target == DeviceStatus.ISSUED and not holder:
        return (
            "status",
            f"{tag} cannot be issued to nobody: give the officer's Collar number (and their Unit) or the Vehicle it "
            "is fitted to.",
        )
    return None


def _in_words(key: str, value) -> str:
    """A register value as a message says it: £1,234.50, 31/03/2016, blank."""
    if value in (None, ""):
        return "blank"
    if key == "purchase_cost":
        return money_text(value)
    if key in ("purchase_date", "warranty_end"):
        return f"{date.fromisoformat(value):%d/%m/%Y}"
    return str(value)


def _chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _status_value(label: str) -> str:
    return next(value for value, text in DeviceStatus.choices if text == label)


@audited
@transaction.atomic
def devices_confirm(*, preview_id, user, reason: str = "", today: date | None = None) -> tuple[int, int]:
    """Write a register preview (io.devices_preview) exactly as it showed it, all rows or none.
    Returns (added, updated).

    Each device the preview read is read again (those to write locked): if any changed since (by
    its page, the API or another upload), the confirm is refused naming the row, what the device
    is now and who changed it. New devices go in stock and changes of detail (serial, model, unit,
    purchase, warranty) are written in bulk, with their history; a change of status goes through
    the device page's own services on the row's status date (the day of the confirm if blank):
    Issued through device_assign (a collar number with the row's unit, or a vehicle; only from
    stock), In stock through device_return (or device_set_status for a device not issued), lost,
    stolen, in repair or retired through device_set_status, which closes the open assignment.
    Every row those services refuse is reported with its row and column (ImportRejected)."""
    _require_asset_manager(user)
    preview = preview_take(preview_id=preview_id, kind=DEVICES_KIND, user=user)
    hold(f"{DEVICES_KIND}:{preview.scope}")
    headers = preview.notes.get("headers", {})

    def column(key: str) -> str:
        return headers.get(key) or REGISTER_TITLES[key]

    on_upload_day = today or timezone.localdate()
    writing = {row.key for row in preview.to_write}
    devices: dict[str, Device] = {}
    tags = [row.key for row in preview.rows]
    for chunk in _chunks(tags):
        locked = [tag for tag in chunk if tag in writing]
        for query, chosen in (
            (Device.objects.select_for_update(of=("self",)), locked),
            (Device.objects.all(), [tag for tag in chunk if tag not in writing]),
        ):
            if chosen:
                devices.update((device.asset_tag, device) for device in query.filter(asset_tag__in=chosen))
    ids = [device.pk for device in devices.values()]
    holders, versions = {}, {}
    for chunk in _chunks(ids):
        holders.update(
            (device, (collar, fleet or ""))
            for device, collar, fleet in Assignment.objects.filter(device_id__in=chunk, ended__isnull=True).values_list(
                "device_id", "collar_number", "vehicle__fleet_number"
            )
        )
        versions.update(
            Device.history.filter(id__in=chunk)
            .order_by()
            .values("id")
            .annotate(latest=Max("history_id"))
            .values_list("id", "latest")
        )
    models = {same_key(str(model)): model for model in DeviceModel.objects.all()}
    model_names = {model.pk: str(model) for model in models.values()}
    units = {same_key(unit.name): unit for unit in OrganisationalUnit.objects.all()}
    unit_names = {unit.pk: unit.name for unit in units.values()}
    vehicles = {same_key(vehicle.fleet_number): vehicle for vehicle in Vehicle.objects.select_related("unit")}

    # 1. Nothing the preview read may have changed since
    stale = []
    held = {}
    for row in preview.rows:
        device = devices.get(row.key)
        now = register_values(device, model_names, unit_names, holders.get(device.pk)) if device else None
        held[row.key] = now
        if (str(versions.get(device.pk) or "") if device else "") == row.basis and (device is None) == (
            row.was is None
        ):
            continue
        if device is None:
            stale.append(
                RowError(
                    row.row,
                    column("asset_tag"),
                    f"{row.key} was deleted after your preview. Nothing was saved; upload the file again.",
                )
            )
            continue
        differing = [key for key in REGISTER_COMPARED if now[key] != (row.was or {}).get(key)]
        if row.was is not None and not differing:
            continue  # saved since, but still as the preview showed it
        described = ", ".join(f"{REGISTER_TITLES[key]} {_in_words(key, now[key])}" for key in differing)
        if row.was is None:
            described = f"in the register ({now['model']}, serial {now['serial_number']}, {now['status'].lower()})"
        key = differing[0] if differing and row.was is not None else "asset_tag"
        stale.append(stale_error(row, column(key), now=described, who=changed_by(device)))
    serials = {row.values["serial_number"]: row for row in preview.to_write}
    for chunk in _chunks(list(serials)):
        for serial, tag in Device.objects.filter(serial_number__in=chunk).values_list("serial_number", "asset_tag"):
            if tag != serials[serial].key:
                stale.append(
                    RowError(
                        serials[serial].row,
                        column("serial_number"),
                        f"The serial number {serial} was given to {tag} after your preview. Nothing was saved; upload "
                        "the file again.",
                    )
                )
    if stale:
        raise StaleImport(stale)

    # 2. New devices and changes of detail, in bulk with their history
    added, changed, status_rows, errors = [], [], [], []
    for row in preview.to_write:
        values = row.values
        model = models.get(same_key(values["model"]))
        unit = units.get(same_key(values["unit"])) if values["unit"] else None
        if model is None or (values["unit"] and unit is None):
            field = "model" if model is None else "unit"
            errors.append(
                RowError(
                    row.row,
                    column(field),
                    f"{values[field]} was renamed or removed after your preview. Nothing "
                    "was saved; upload the file again.",
                )
            )
            continue
        device = devices.get(row.key)
        details = {
            "serial_number": values["serial_number"],
            "model": model,
            "unit": unit,
            "purchase_date": date.fromisoformat(values["purchase_date"]) if values["purchase_date"] else None,
            "purchase_cost": Decimal(values["purchase_cost"]) if values["purchase_cost"] is not None else None,
            "warranty_end": date.fromisoformat(values["warranty_end"]) if values["warranty_end"] else None,
        }
        if device is None:
            device = Device(asset_tag=row.key, status=DeviceStatus.IN_STOCK, **details)
            added.append(device)
            devices[row.key] = device
        else:
            before = held[row.key]
            if any(before[key] != values[key] for key in ("serial_number", "model", "unit", *DETAIL_FIELDS[3:])):
                for name, value in details.items():
                    setattr(device, name, value)
                changed.append(device)
        target = _status_value(values["status"])
        current_status = _status_value(held[row.key]["status"]) if held[row.key] else DeviceStatus.IN_STOCK
        if target != current_status:
            status_rows.append((row, target))
    if errors:
        raise StaleImport(errors)
    try:  # each with its line in the audit trail (who, why, the request)
        bulk_write(
            Device,
            created=added,
            changed=changed,
            fields=DETAIL_FIELDS,
            user=user,
            reason=reason or "Device register upload",
            batch_size=BATCH,
        )
    except IntegrityError as error:
        raise ImportRejected(
            [
                RowError(
                    0,
                    column("asset_tag"),
                    "An asset tag or serial number in the file was taken while it was being "
                    "saved. Nothing was saved; upload the file again.",
                )
            ]
        ) from error
    if added or changed:
        figures_changed(Device._meta.app_label)  # bulk writes record history but send no signal

    # 3. Each change of status through the device page's services
    for row, target in status_rows:
        values = row.values
        device = devices[row.key]
        vehicle = vehicles.get(same_key(values["vehicle"])) if values["vehicle"] else None
        try:
            with transaction.atomic():  # a refused row leaves nothing behind, and the others are still checked
                _status_change(
                    device,
                    target=target,
                    user=user,
                    on=date.fromisoformat(values["status_date"]) if values["status_date"] else on_upload_day,
                    collar_number=values["collar_number"],
                    officer_unit=device.unit,
                    vehicle=vehicle,
                )
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {"status": error.messages}
            errors.extend(
                RowError(row.row, column(_REFUSAL_COLUMN.get(field, "status")), message)
                for field, field_messages in messages.items()
                for message in field_messages
            )
    if errors:
        raise ImportRejected(errors)
    return len(added), len(preview.to_write) - len(added)


def _status_change(device: Device, *, target: str, user, on: date, collar_number: str, officer_unit, vehicle) -> None:
    """A row's change of status, through the device page's own services."""
    if target == DeviceStatus.ISSUED:
        device_assign(
            device=device,
            user=user,
            started=on,
            collar_number=collar_number if vehicle is None else "",
            officer_unit=officer_unit,
            vehicle=vehicle,
        )
    elif target == DeviceStatus.IN_STOCK and device.status == DeviceStatus.ISSUED:
        device_return(device=device, user=user, ended=on)
    else:
        device_set_status(device=device, user=user, status=target, on=on)


# --- Estate reference data (issue 14 part 2) ----------------------------------------------------------
# The asset manager keeps the device types, models and capabilities, the units and vehicles, the
# benefit rules and hourly costs, and the rollout plan. Every change takes the version the user read
# (mps_ict.conflicts.version_check) and moves it on, and is audited with its reason. A record that
# others name is retired, never deleted: it stays on the records that name it and leaves the choices
# for new ones. A benefit rule is effective-dated: a change is a new rule from a month, the one it
# replaces ending the day before (kept for the months it produced); a change to a rule or an hourly
# cost queues the roll-up of the months it touches once the transaction commits.

REFERENCE_WHAT = {
    Capability: "capability",
    DeviceType: "device type",
    DeviceModel: "device model",
    OrganisationalUnit: "borough or OCU",
    Vehicle: "vehicle",
}


def _text(value: str | None, field: str, label: str, *, required: bool = True) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise ValidationError({field: f"Enter the {label}."})
    return value


def _code(value: str | None, field: str = "code") -> str:
    code = slugify(value or "")
    if not code:
        raise ValidationError({field: "Enter a code of letters, numbers or hyphens, for example fingerprint."})
    return code


def _unique(model, field: str, value: str, *, label: str, exclude_pk: int | None = None) -> None:
    taken = model.objects.filter(**{f"{field}__iexact": value})
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict({field: f"There is already a {REFERENCE_WHAT[model]} with the {label} {value}."})


def _in_use(record, field: str, what: str) -> None:
    if record is not None and record.retired_at is not None:
        raise ValidationError({field: f"{record} is a retired {what}: choose one in use."})


def _save(record, *, user, reason: str) -> None:
    record.full_clean()
    with audit_context(user=user, reason=reason):
        record.save()


def _locked(record, version: int | None):
    locked = type(record).objects.select_for_update().get(pk=record.pk)
    version_check(
        current=locked.version, expected=version, what=f"the {REFERENCE_WHAT.get(type(record), 'record')} {locked}"
    )
    return locked


@audited
@transaction.atomic
def capability_create(*, user, code: str, name: str, reason: str = "") -> Capability:
    """A new capability a device type or model can offer."""
    _require_asset_manager(user)
    code, name = _code(code), _text(name, "name", "capability's name")
    _unique(Capability, "code", code, label="code")
    _unique(Capability, "name", name, label="name")
    capability = Capability(code=code, name=name)
    _save(capability, user=user, reason=reason)
    return capability


@audited
@transaction.atomic
def capability_update(
    *, capability: Capability, user, version: int | None, name: str | None = None, reason: str = ""
) -> Capability:
    """Rename a capability (its code stays)."""
    _require_asset_manager(user)
    locked = _locked(capability, version)
    if name is not None:
        name = _text(name, "name", "capability's name")
        _unique(Capability, "name", name, label="name", exclude_pk=locked.pk)
        locked.name = name
    locked.version += 1
    _save(locked, user=user, reason=reason)
    return locked


def _capabilities_in_use(capabilities) -> list[Capability]:
    capabilities = list(capabilities or [])
    retired = [str(c) for c in capabilities if c.retired_at is not None]
    if retired:
        raise ValidationError({"capabilities": f"{', '.join(retired)}: retired; choose capabilities in use."})
    return capabilities


@audited
@transaction.atomic
def device_type_create(
    *, user, code: str, name: str, description: str = "", capabilities=(), reason: str = ""
) -> DeviceType:
    """A new kind of device (a fingerprint reader, a body-worn camera ...), with what it can do."""
    _require_asset_manager(user)
    code, name = _code(code), _text(name, "name", "device type's name")
    _unique(DeviceType, "code", code, label="code")
    _unique(DeviceType, "name", name, label="name")
    capabilities = _capabilities_in_use(capabilities)
    device_type = DeviceType(code=code, name=name, description=(description or "").strip())
    _save(device_type, user=user, reason=reason)
    device_type.capabilities.set(capabilities)
    return device_type


@audited
@transaction.atomic
def device_type_update(
    *,
    device_type: DeviceType,
    user,
    version: int | None,
    name: str | None = None,
    description: str | None = None,
    capabilities=None,
    reason: str = "",
) -> DeviceType:
    """Rename a device type, change its description or what it can do (its code stays)."""
    _require_asset_manager(user)
    locked = _locked(device_type, version)
    if name is not None:
        name = _text(name, "name", "device type's name")
        _unique(DeviceType, "name", name, label="name", exclude_pk=locked.pk)
        locked.name = name
    if description is not None:
        locked.description = description.strip()
    locked.version += 1
    _save(locked, user=user, reason=reason)
    if capabilities is not None:
        locked.capabilities.set(_capabilities_in_use(capabilities))
    return locked


UNCHANGED = object()  # an update's field left out: it stays as it is
NO_SUCH_CONTRACT = "There is no contract {reference} in the register: give the reference of one you can see."


def _contracts():
    """The contracts register's Contract, reached through the relation (the areas import only
    themselves and the ground)."""
    return DeviceModel.contract.field.related_model


def contract_by_reference(*, user, reference: str | None):
    """The contract the API names by its reference (None or blank: none), among those `user` may
    see; an unknown or withheld reference is refused naming the field, in the same words."""
    reference = (reference or "").strip()
    if not reference:
        return None
    contract = _contracts().objects.visible_to(user).filter(reference__iexact=reference).first()
    if contract is None:
        raise ValidationError({"contract": NO_SUCH_CONTRACT.format(reference=reference)})
    return contract


def _contract_in_force(contract, *, user):
    """None, or a contract `user` may see that is not retired: a device model goes under no other."""
    if contract is None:
        return None
    if not _contracts().objects.visible_to(user).filter(pk=contract.pk).exists():
        raise ValidationError({"contract": NO_SUCH_CONTRACT.format(reference=contract.reference)})
    if contract.retired_at is not None:
        raise ValidationError({"contract": f"{contract} is retired: choose a contract in force, or none."})
    return contract


@audited
@transaction.atomic
def device_model_create(
    *,
    user,
    device_type: DeviceType,
    name: str,
    manufacturer: str = "",
    capabilities=(),
    contract=None,
    reason: str = "",
) -> DeviceModel:
    """A new make and model of a type in use: from then on the register accepts devices of it.
    `contract`: the contract its devices are bought or serviced under (None: none recorded)."""
    _require_asset_manager(user)
    _in_use(device_type, "device_type", "device type")
    name, manufacturer = _text(name, "name", "model's name"), _text(manufacturer, "manufacturer", "", required=False)
    if DeviceModel.objects.filter(manufacturer__iexact=manufacturer, name__iexact=name).exists():
        raise Conflict({"name": f"There is already a device model {' '.join(p for p in (manufacturer, name) if p)}."})
    capabilities = _capabilities_in_use(capabilities)
    device_model = DeviceModel(
        device_type=device_type, manufacturer=manufacturer, name=name, contract=_contract_in_force(contract, user=user)
    )
    _save(device_model, user=user, reason=reason)
    device_model.capabilities.set(capabilities)
    return device_model


@audited
@transaction.atomic
def device_model_update(
    *,
    device_model: DeviceModel,
    user,
    version: int | None,
    name: str | None = None,
    manufacturer: str | None = None,
    capabilities=None,
    contract=UNCHANGED,
    reason: str = "",
) -> DeviceModel:
    """Correct a model's make or name, or what it can do (its type stays: its devices' counts do),
    or put it under a contract (None: none recorded; left out: as it is)."""
    _require_asset_manager(user)
    locked = _locked(device_model, version)
    if name is not None:
        locked.name = _text(name, "name", "model's name")
    if manufacturer is not None:
        locked.manufacturer = _text(manufacturer, "manufacturer", "", required=False)
    if contract is not UNCHANGED and getattr(contract, "pk", None) != locked.contract_id:
        locked.contract = _contract_in_force(contract, user=user)
    clash = DeviceModel.objects.filter(manufacturer__iexact=locked.manufacturer, name__iexact=locked.name)
    if clash.exclude(pk=locked.pk).exists():
        raise Conflict({"name": f"There is already a device model {locked}."})
    locked.version += 1
    _save(locked, user=user, reason=reason)
    if capabilities is not None:
        locked.capabilities.set(_capabilities_in_use(capabilities))
    return locked


@audited
@transaction.atomic
def unit_create(*, user, code: str, name: str, reason: str = "") -> OrganisationalUnit:
    """A new borough or Operational Command Unit."""
    _require_asset_manager(user)
    code, name = _code(code), _text(name, "name", "unit's name")
    _unique(OrganisationalUnit, "code", code, label="code")
    _unique(OrganisationalUnit, "name", name, label="name")
    unit = OrganisationalUnit(code=code, name=name)
    _save(unit, user=user, reason=reason)
    return unit


@audited
@transaction.atomic
def unit_update(
    *, unit: OrganisationalUnit, user, version: int | None, name: str | None = None, reason: str = ""
) -> OrganisationalUnit:
    """Rename a borough or OCU (its code, by which uploads may name it, stays)."""
    _require_asset_manager(user)
    locked = _locked(unit, version)
    if name is not None:
        name = _text(name, "name", "unit's name")
        _unique(OrganisationalUnit, "name", name, label="name", exclude_pk=locked.pk)
        locked.name = name
    locked.version += 1
    _save(locked, user=user, reason=reason)
    return locked


@audited
@transaction.atomic
def vehicle_create(*, user, fleet_number: str, unit: OrganisationalUnit, reason: str = "") -> Vehicle:
    """A new vehicle of a unit in use, so a terminal can be fitted to it."""
    _require_asset_manager(user)
    fleet_number = _text(fleet_number, "fleet_number", "fleet number").upper()
    _in_use(unit, "unit", "borough or OCU")
    _unique(Vehicle, "fleet_number", fleet_number, label="fleet number")
    vehicle = Vehicle(fleet_number=fleet_number, unit=unit)
    _save(vehicle, user=user, reason=reason)
    return vehicle


@audited
@transaction.atomic
def vehicle_update(
    *, vehicle: Vehicle, user, version: int | None, unit: OrganisationalUnit | None = None, reason: str = ""
) -> Vehicle:
    """Move a vehicle to another unit (its fleet number stays)."""
    _require_asset_manager(user)
    locked = _locked(vehicle, version)
    if unit is not None:
        _in_use(unit, "unit", "borough or OCU")
        locked.unit = unit
    locked.version += 1
    _save(locked, user=user, reason=reason)
    return locked


def _retire_blockers(record) -> str | None:
    """Why a record may not be retired yet, or None."""
    if isinstance(record, DeviceType):
        in_use = record.models.filter(retired_at__isnull=True).count()
        if in_use:
            return f"{record} still has {in_use} device model{'s' if in_use != 1 else ''} in use: retire them first."
    return None


@audited
@transaction.atomic
def reference_retire(*, record, user, version: int | None, reason: str):
    """Retire a capability, device type, device model, unit or vehicle: never deleted (the devices,
    assignments and figures that name it keep it); it only leaves the choices for new records."""
    _require_asset_manager(user)
    locked = _locked(record, version)
    if not (reason or "").strip():
        raise ValidationError({"reason": f"Say why {locked} is being retired."})
    if locked.retired_at is not None:
        raise Conflict({"record": f"{locked} is already retired."})
    blocker = _retire_blockers(locked)
    if blocker:
        raise ValidationError({"record": blocker})
    locked.retired_at = timezone.now()
    locked.version += 1
    _save(locked, user=user, reason=reason)
    return locked


@audited
@transaction.atomic
def reference_reinstate(*, record, user, version: int | None, reason: str = ""):
    """Bring a retired capability, device type, model, unit or vehicle back into use."""
    _require_asset_manager(user)
    locked = _locked(record, version)
    if locked.retired_at is None:
        raise Conflict({"record": f"{locked} is not retired."})
    if isinstance(locked, DeviceModel):
        _in_use(locked.device_type, "record", "device type")
    locked.retired_at = None
    locked.version += 1
    _save(locked, user=user, reason=reason)
    return locked


def _queue_benefit_rollup(start: date, end: date | None) -> None:
    """Queue the roll-up of the months start..end (end None: to the last month with usage) once
    the transaction commits: the months a changed rule or hourly cost touches."""
    last_usage = UsageStatistic.objects.aggregate(last=Max("month"))["last"]
    if last_usage is None or last_usage < start:
        return  # no usage in those months yet: nothing to recompute
    end = min(end, last_usage) if end is not None else last_usage
    if end < start:
        return
    rollup = current_app.tasks[BENEFIT_ROLLUP_TASK]
    transaction.on_commit(lambda: rollup.delay(start.isoformat(), end.isoformat()))


def _month_start(value: date, field: str) -> date:
    if value is None:
        raise ValidationError({field: "Give the month it takes effect from."})
    if value.day != 1:
        raise ValidationError({field: "Rules take effect from the first day of a month."})
    return value


@audited
@transaction.atomic
def benefit_rule_set(
    *,
    user,
    transaction_type: TransactionType,
    role: str,
    minutes_saved: Decimal,
    effective_from: date,
    reason: str = "",
) -> BenefitRule:
    """The minutes of a role's time a transaction saves from a month on: a new rule, effective
    from the first of that month. The rule in force then ends the day before (and is kept: the
    months before are still computed with it); a later rule, if any, still takes over on its own
    start. The months the new rule covers are recomputed once the transaction commits."""
    _require_asset_manager(user)
    effective_from = _month_start(effective_from, "effective_from")
    if minutes_saved is None or minutes_saved < 0:
        raise ValidationError({"minutes_saved": "Give the minutes saved, 0 or more."})
    rules = BenefitRule.objects.select_for_update().filter(transaction_type=transaction_type, role=role)
    same_start = rules.filter(effective_from=effective_from).first()
    if same_start is not None:
        raise Conflict(
            {
                "effective_from": f"There is already a rule for {transaction_type} ({same_start.get_role_display()}) "
                f"from {effective_from:%B %Y}: change that rule instead."
            }
        )
    previous = rules.filter(effective_from__lt=effective_from).order_by("-effective_from").first()
    following = rules.filter(effective_from__gt=effective_from).order_by("effective_from").first()
    rule = BenefitRule(
        transaction_type=transaction_type,
        role=role,
        minutes_saved=minutes_saved,
        effective_from=effective_from,
        effective_to=following.effective_from - timedelta(days=1) if following else None,
    )
    _save(rule, user=user, reason=reason)
    if previous is not None and (previous.effective_to is None or previous.effective_to >= effective_from):
        previous.effective_to = effective_from - timedelta(days=1)
        previous.version += 1
        _save(previous, user=user, reason=reason or f"Replaced from {effective_from:%B %Y}")
    _queue_benefit_rollup(effective_from, rule.effective_to)
    return rule


@audited
@transaction.atomic
def benefit_rule_update(
    *, rule: BenefitRule, user, version: int | None, minutes_saved: Decimal, reason: str = ""
) -> BenefitRule:
    """Correct the minutes of a rule over its own months (they are recomputed once the
    transaction commits). To change the minutes from a month on, set a new rule instead."""
    _require_asset_manager(user)
    locked = BenefitRule.objects.select_for_update().get(pk=rule.pk)
    version_check(current=locked.version, expected=version, what=f"the rule {locked}")
    if minutes_saved is None or minutes_saved < 0:
        raise ValidationError({"minutes_saved": "Give the minutes saved, 0 or more."})
    locked.minutes_saved = minutes_saved
    locked.version += 1
    _save(locked, user=user, reason=reason)
    _queue_benefit_rollup(locked.effective_from, locked.effective_to)
    return locked


@audited
@transaction.atomic
def hourly_cost_set(
    *,
    user,
    role: str,
    financial_year: FinancialYear,
    cost: Decimal,
    basis: str | None = None,
    version: int | None = None,
    reason: str = "",
) -> HourlyCost:
    """What an hour of a role costs in a financial year: a new rate (no `version`), or a change to
    the year's rate (with the version read; its basis stays unless one is given). The year's
    months are recomputed once the transaction commits."""
    _require_asset_manager(user)
    if cost is None or cost <= 0:
        raise ValidationError({"cost": "Give the hourly cost in pounds, more than £0."})
    cost = Decimal(cost).quantize(PENNY, rounding=ROUND_HALF_UP)
    existing = HourlyCost.objects.select_for_update().filter(role=role, financial_year=financial_year).first()
    if existing is None:
        if version is not None:
            raise Conflict({"version": f"There is no hourly cost for this role in {financial_year} to change."})
        rate = HourlyCost(role=role, financial_year=financial_year, cost=cost, basis=(basis or "").strip())
    else:
        if version is None:
            raise Conflict(
                {"financial_year": f"There is already an hourly cost for this role in {financial_year}: change it."}
            )
        version_check(current=existing.version, expected=version, what=f"the hourly cost {existing}")
        rate = existing
        rate.cost = cost
        if basis is not None:
            rate.basis = basis.strip()
        rate.version += 1
    _save(rate, user=user, reason=reason)
    _queue_benefit_rollup(financial_year.start, add_months(financial_year.start, 11))
    return rate


@audited
@transaction.atomic
def rollout_line_set(
    *, user, device_type: DeviceType, month: date, planned: int, version: int | None = None, reason: str = ""
) -> RolloutPlanLine:
    """The devices of a type planned for a month: a new plan line (no `version`), or a change to
    the month's line (with the version read). What was deployed is counted from the register."""
    _require_asset_manager(user)
    _in_use(device_type, "device_type", "device type")
    month = _month_start(month, "month")
    if planned is None or planned < 0:
        raise ValidationError({"planned": "Give the devices planned, 0 or more."})
    line = RolloutPlanLine.objects.select_for_update().filter(device_type=device_type, month=month).first()
    if line is None:
        if version is not None:
            raise Conflict({"version": f"There is no plan for {device_type} in {month:%B %Y} to change."})
        line = RolloutPlanLine(device_type=device_type, month=month, planned=planned)
    else:
        if version is None:
            raise Conflict({"month": f"{device_type} already has a plan for {month:%B %Y}: change it."})
        version_check(current=line.version, expected=version, what=f"the plan for {line}")
        line.planned = planned
        line.is_illustrative = False
        line.version += 1
    _save(line, user=user, reason=reason)
    return line
