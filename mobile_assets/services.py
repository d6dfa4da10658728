"""Writes to the mobile estate. Atomic, audited, and each checks who may do it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

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
from mps_ict.audit import audit_context, audited
from mps_ict.figures_cache import figures_changed
from mps_ict.financial_years import FinancialYear, add_months
from mps_ict.loaders import LoadReport, upsert

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
    SELECT u.month, r.role, SUM(u.count * r.minutes_saved) AS minutes
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
    roll-ups: re-running gives identical rows."""
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
    for month, role, minutes in rows:
        month = month if isinstance(month, date) else date.fromisoformat(str(month))
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
                )
            )
        elif (rollup.hours, rollup.amount, rollup.note) != (hours, amount, note):
            rollup.hours, rollup.amount, rollup.note = hours, amount, note
            to_update.append(rollup)
    # in bulk, with their audit history; an unchanged re-run writes nothing
    if to_create:
        bulk_create_with_history(to_create, BenefitRollup, batch_size=1000)
    if to_update:
        bulk_update_with_history(to_update, BenefitRollup, ["hours", "amount", "note"], batch_size=1000)
    for key, rollup in existing.items():
        if key not in written:
            rollup.delete()
    figures_changed(BenefitRollup._meta.app_label)  # the bulk writes above record history but send no signal
    return len(written)


@dataclass(frozen=True)
class UsageRow:
    row: int
    unit: OrganisationalUnit
    transaction_type: TransactionType
    count: int


@audited
@transaction.atomic
def usage_replace_month(*, month: date, rows: list[UsageRow], user, reason: str = "") -> int:
    """Replace a month's usage statistics with an upload's rows (never doubling), then queue the
    month's benefit roll-up once the transaction commits."""
    _require_asset_manager(user)
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


@dataclass(frozen=True)
class DeviceRow:
    row: int
    asset_tag: str
    serial_number: str
    model: DeviceModel
    status: str
    unit: OrganisationalUnit | None
    purchase_date: date | None
    purchase_cost: Decimal | None
    warranty_end: date | None


@audited
@transaction.atomic
def devices_import(*, rows: list[DeviceRow], user, reason: str = "") -> tuple[int, int]:
    """Upsert the register by asset tag, all rows or none. Returns (created, updated)."""
    _require_asset_manager(user)
    created = updated = 0
    for row in rows:
        _, was_created = upsert(
            Device,
            {"asset_tag": row.asset_tag},
            serial_number=row.serial_number,
            model=row.model,
            status=row.status,
            unit=row.unit,
            purchase_date=row.purchase_date,
            purchase_cost=row.purchase_cost,
            warranty_end=row.warranty_end,
        )
        created += was_created
        updated += not was_created
    return created, updated
