"""Illustrative data at realistic volumes, for demonstrations and the benchmark suite.

Everything generated is marked: references, codes and asset tags start with "GEN-", descriptions
say "ILLUSTRATIVE (generated)", and `is_illustrative` is set where the model has it. It is added
to the seed data (so the seed's plan totals grow by the generated initiatives' savings): use a
separate database for demonstrations that must show the seed's own figures, or remove it with
`generate_demo_data --remove`.

Written in bulk: COPY on PostgreSQL, batched `bulk_create` elsewhere; usage is streamed a month at
a time, so memory stays flat however many rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from mps_ict.financial_years import FinancialYear, add_months

PREFIX = "GEN-"
LABEL = "ILLUSTRATIVE (generated)"
BATCH = 5000
USAGE_TYPES = 5  # transaction types counted per device a month
FIRST_YEAR = FinancialYear(2011)  # spend profiles: 2011/12 … 2015/16 (history and plan)
PROJECT_YEARS = 5
ACTUAL_YEARS = (FinancialYear(2013), FinancialYear(2014), FinancialYear(2015))  # 12 quarters
PROJECT_CATEGORIES = ("Infrastructure", "Applications", "Networks", "End-user devices")


@dataclass(frozen=True)
class Scale:
    name: str
    devices: int
    usage_rows: int
    projects: int
    initiatives: int


SCALES = {
    "small": Scale("small", devices=1_000, usage_rows=100_000, projects=100, initiatives=50),
    "large": Scale("large", devices=30_000, usage_rows=2_000_000, projects=2_000, initiatives=1_000),
}


@dataclass
class Generated:
    devices: int = 0
    usage_rows: int = 0
    projects: int = 0
    spend_lines: int = 0
    initiatives: int = 0
    actuals: int = 0


def generated_counts() -> Generated:
    from mobile_assets.models import Device, UsageStatistic
    from portfolio.models import Project, SpendProfileLine
    from savings.models import Initiative, QuarterlyActual

    return Generated(
        devices=Device.objects.filter(asset_tag__startswith=PREFIX).count(),
        usage_rows=UsageStatistic.objects.filter(device__asset_tag__startswith=PREFIX).count(),
        projects=Project.objects.filter(code__startswith=PREFIX).count(),
        spend_lines=SpendProfileLine.objects.filter(project__code__startswith=PREFIX).count(),
        initiatives=Initiative.objects.filter(reference__startswith=PREFIX.lower()).count(),
        actuals=QuarterlyActual.objects.filter(initiative__reference__startswith=PREFIX.lower()).count(),
    )


def expected_counts(scale: Scale) -> Generated:
    return Generated(
        devices=scale.devices,
        usage_rows=scale.usage_rows,
        projects=scale.projects,
        spend_lines=scale.projects * PROJECT_YEARS * 12,
        initiatives=scale.initiatives,
        actuals=scale.initiatives * 4 * len(ACTUAL_YEARS),
    )


def demo_data_remove() -> None:
    """Delete everything generated (the seed data stays)."""
    from mobile_assets.models import Assignment, Device, UsageStatistic
    from portfolio.models import Programme, Project
    from savings.models import Initiative, QuarterlyActual, SavingsProfile

    with transaction.atomic():
        UsageStatistic.objects.filter(device__asset_tag__startswith=PREFIX).delete()
        Assignment.objects.filter(device__asset_tag__startswith=PREFIX).delete()
        Device.objects.filter(asset_tag__startswith=PREFIX).delete()
        Project.objects.filter(code__startswith=PREFIX).delete()
        Programme.objects.filter(name__startswith=PREFIX).delete()
        QuarterlyActual.objects.filter(initiative__reference__startswith=PREFIX.lower()).delete()
        SavingsProfile.objects.filter(initiative__reference__startswith=PREFIX.lower()).delete()
        Initiative.objects.filter(reference__startswith=PREFIX.lower()).delete()
    _figures_changed()


def demo_data_generate(scale: Scale, *, log=print) -> bool:
    """Generate the scale's data (on top of the seed, which must be loaded). Idempotent: if this
    scale's data is already complete nothing is written; otherwise any generated data is removed
    and this scale's written afresh. Returns whether anything was written."""
    if generated_counts() == expected_counts(scale):
        log(f"The {scale.name} illustrative data is already in place; nothing to do.")
        return False
    demo_data_remove()
    log(f"Generating the {scale.name} illustrative data ({LABEL}) …")
    _savings(scale, log)
    _portfolio(scale, log)
    device_ids = _devices(scale, log)
    _usage(scale, device_ids, log)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    _figures_changed()
    return True


def _figures_changed() -> None:
    """Bulk inserts, COPY and usage deletes keep no history, so no audited write marks the figures
    stale: the generator says so itself, for each app it writes."""
    from mobile_assets.models import UsageStatistic
    from mps_ict.figures_cache import figures_changed
    from portfolio.models import Project
    from savings.models import Initiative

    for model in (Initiative, Project, UsageStatistic):
        figures_changed(model._meta.app_label)


# ----------------------------------------------------------------------------- savings


def _savings(scale: Scale, log) -> None:
    from savings.choices import ActualStatus, SavingsType
    from savings.models import Category, Initiative, QuarterlyActual, SavingsProfile
    from savings.selectors import plan_current

    plan = plan_current()
    if plan is None:
        raise RuntimeError("Load the savings plan first: python manage.py load_mps_baseline")
    categories = list(Category.objects.filter(plan=plan).order_by("position"))
    types = SavingsType.values
    with transaction.atomic():
        initiatives = Initiative.objects.bulk_create(
            [
                Initiative(
                    category=categories[index % len(categories)],
                    reference=f"{PREFIX.lower()}{index:05d}",
                    description=f"{LABEL} initiative {index}",
                    cost_now=Decimal(200_000 + (index % 50) * 10_000),
                    future_cost=Decimal(150_000 + (index % 50) * 8_000),
                    savings_type=types[index % len(types)],
                    savings_type_is_assumed=True,
                )
                for index in range(scale.initiatives)
            ],
            batch_size=BATCH,
        )
        profiles, actuals = [], []
        for initiative in initiatives:
            saving = initiative.cost_now - initiative.future_cost
            for offset, year in enumerate(ACTUAL_YEARS):
                planned = (saving * (offset + 1) / len(ACTUAL_YEARS)).quantize(Decimal("0.01"))
                profiles.append(
                    SavingsProfile(initiative=initiative, financial_year=year, planned_saving=planned, is_assumed=True)
                )
                for quarter in (1, 2, 3, 4):
                    actuals.append(
                        QuarterlyActual(
                            initiative=initiative,
                            financial_year=year,
                            quarter=quarter,
                            actual_saving=(planned / 4 * Decimal("0.9")).quantize(Decimal("0.01")),
                            forecast_full_year=(planned * Decimal("0.95")).quantize(Decimal("0.01")),
                            commentary=LABEL,
                            status=ActualStatus.APPROVED,
                        )
                    )
        SavingsProfile.objects.bulk_create(profiles, batch_size=BATCH)
        QuarterlyActual.objects.bulk_create(actuals, batch_size=BATCH)
    log(f"  savings: {len(initiatives):,} initiatives, {len(actuals):,} quarterly actuals")


# ----------------------------------------------------------------------------- portfolio


def _portfolio(scale: Scale, log) -> None:
    from portfolio.choices import DcaRating, Stage
    from portfolio.models import DeliveryConfidenceAssessment, Programme, Project, SpendProfileLine

    ratings = DcaRating.values
    with transaction.atomic():
        programme = Programme.objects.create(
            name=f"{PREFIX}Generated programme", description=LABEL, is_illustrative=True
        )
        projects = Project.objects.bulk_create(
            [
                Project(
                    programme=programme,
                    code=f"{PREFIX}{index:05d}",
                    name=f"{LABEL} project {index}",
                    category=PROJECT_CATEGORIES[index % len(PROJECT_CATEGORIES)],
                    stage=Stage.IN_DELIVERY,
                    budget_baseline=Decimal(1_200_000),
                    budget_forecast=Decimal(1_200_000 + (index % 7) * 20_000),
                    is_illustrative=True,
                )
                for index in range(scale.projects)
            ],
            batch_size=BATCH,
        )
        DeliveryConfidenceAssessment.objects.bulk_create(
            [
                DeliveryConfidenceAssessment(
                    project=project, assessed_on=date(2013, 3, 1), rating=ratings[index % len(ratings)], note=LABEL
                )
                for index, project in enumerate(projects)
            ],
            batch_size=BATCH,
        )
        lines = 0
        batch = []
        for index, project in enumerate(projects):
            for offset in range(PROJECT_YEARS):
                year = FinancialYear(FIRST_YEAR.start_year + offset)
                past = year.start_year < 2012
                for month_index in range(12):
                    month = date(year.start_year + (month_index + 3) // 12, (month_index + 3) % 12 + 1, 1)
                    planned = Decimal(20_000 + (index % 5) * 1_000)
                    batch.append(
                        SpendProfileLine(
                            project=project,
                            financial_year=year,
                            month=month,
                            planned=planned,
                            actual=(planned * Decimal("0.95")).quantize(Decimal("0.01")) if past else None,
                        )
                    )
            if len(batch) >= BATCH:
                SpendProfileLine.objects.bulk_create(batch)
                lines += len(batch)
                batch = []
        SpendProfileLine.objects.bulk_create(batch)
        lines += len(batch)
    log(f"  portfolio: {len(projects):,} projects, {lines:,} monthly spend lines")


# ----------------------------------------------------------------------------- mobile


def _devices(scale: Scale, log) -> list[int]:
    from mobile_assets.choices import DeviceStatus
    from mobile_assets.models import Device, DeviceModel, OrganisationalUnit

    models = list(DeviceModel.objects.order_by("pk"))
    units = list(OrganisationalUnit.objects.order_by("pk"))
    if not models or not units:
        raise RuntimeError("Load the mobile estate first: python manage.py load_mobile_estate")
    with transaction.atomic():
        for start in range(0, scale.devices, BATCH):
            Device.objects.bulk_create(
                [
                    Device(
                        asset_tag=f"{PREFIX}{index:06d}",
                        serial_number=f"SN-{PREFIX}{index:08d}",
                        model=models[index % len(models)],
                        unit=units[index % len(units)],
                        status=DeviceStatus.ISSUED if index % 10 else DeviceStatus.IN_STOCK,
                        purchase_date=date(2013, 4, 1),
                        is_illustrative=True,
                    )
                    for index in range(start, min(start + BATCH, scale.devices))
                ]
            )
    ids = list(Device.objects.filter(asset_tag__startswith=PREFIX).order_by("pk").values_list("pk", "unit_id"))
    log(f"  mobile: {len(ids):,} devices")
    return ids


def _usage(scale: Scale, devices: list[tuple[int, int]], log) -> None:
    """Monthly counts per device and transaction type, a month at a time."""
    from mobile_assets.models import TransactionType, UsageStatistic

    type_ids = list(TransactionType.objects.order_by("pk").values_list("pk", flat=True))[:USAGE_TYPES]
    per_month = len(devices) * len(type_ids)
    months = [add_months(date(2013, 3, 1), offset) for offset in range(-(-scale.usage_rows // per_month))]
    written = 0
    for month in months:
        year = FinancialYear.from_date(month).start_year
        rows = []
        for index, (device_id, unit_id) in enumerate(devices):
            for type_index, type_id in enumerate(type_ids):
                if written + len(rows) >= scale.usage_rows:
                    break
                rows.append((device_id, unit_id, type_id, (index * 7 + type_index * 13 + month.month) % 40))
        with transaction.atomic():
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                for device_id, unit_id, type_id, count in rows:
                    buffer.write(f"{month}\t{year}\t{unit_id}\t{type_id}\t{device_id}\t{count}\tt\n")
                buffer.seek(0)
                with connection.cursor() as cursor:
                    cursor.copy_expert(
                        "COPY mobile_assets_usagestatistic (month, financial_year, unit_id, transaction_type_id,"
                        " device_id, count, is_illustrative) FROM STDIN",
                        buffer,
                    )
            else:
                for start in range(0, len(rows), BATCH):
                    UsageStatistic.objects.bulk_create(
                        [
                            UsageStatistic(
                                month=month,
                                financial_year=year,
                                unit_id=unit_id,
                                transaction_type_id=type_id,
                                device_id=device_id,
                                count=count,
                                is_illustrative=True,
                            )
                            for device_id, unit_id, type_id, count in rows[start : start + BATCH]
                        ]
                    )
        written += len(rows)
        if written >= scale.usage_rows:
            break
    log(f"  mobile: {written:,} usage rows over {months[0]:%b %Y} – {month:%b %Y}")
