"""Reads of the mobile estate, aggregated in the database in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Max, Prefetch, Q, QuerySet, Sum, When
from django.db.models.functions import ExtractYear

from mobile_assets.choices import BenefitRole, BenefitSource, DeviceStatus
from mobile_assets.models import (
    Assignment,
    BenefitRollup,
    Capability,
    Device,
    DeviceType,
    OrganisationalUnit,
    QualitativeBenefit,
    RolloutPlanLine,
)
from mps_ict.audit import as_of, last_changed
from mps_ict.figures_cache import cached_figure
from mps_ict.financial_years import FinancialYear, add_months


def device_types_with_counts(records: EstateRecords | None = None) -> list[DeviceType]:
    """Each type with its device count per status and its capabilities, now or as at `records`
    (the types, their reported figures and the devices as they stood then). Two queries over the
    whole register, so cached until the estate changes."""
    records = records or EstateRecords.live()
    status_counts = {
        f"status_{status}": Count("models__devices", filter=Q(models__devices__status=status))
        for status in DeviceStatus.values
    }
    capabilities = Prefetch("capabilities", queryset=Capability.objects.order_by("name"))

    def compute():
        if records.at is None:
            return list(
                DeviceType.objects.annotate(total=Count("models__devices"), **status_counts)
                .prefetch_related(capabilities)
                .order_by("name")
            )
        return _device_types_then(records, capabilities)

    return cached_figure(Device._meta.app_label, ("device-types", records.moment), compute)


def _device_types_then(records: EstateRecords, capabilities: Prefetch) -> list[DeviceType]:
    """The types recorded by then, each with its fields as they stood and its devices then counted
    by status (three queries; what a type can do is read as it is now)."""
    then = {row.id: row for row in records.device_types}
    counts: dict[int, dict[str, int]] = {}
    for type_id, status, count in (
        records.devices.values_list("model__device_type", "status").annotate(n=Count("id")).order_by()
    ):
        counts.setdefault(type_id, {})[status] = count
    types = list(DeviceType.objects.filter(pk__in=then).prefetch_related(capabilities).order_by("name"))
    for device_type in types:
        for field in DeviceType._meta.concrete_fields:
            if not field.primary_key:
                setattr(device_type, field.attname, getattr(then[device_type.pk], field.attname))
        by_status_then = counts.get(device_type.pk, {})
        device_type.total = sum(by_status_then.values())
        for status in DeviceStatus.values:
            setattr(device_type, f"status_{status}", by_status_then.get(status, 0))
    return types


def by_status(device_type: DeviceType) -> dict[str, int]:
    return {status: getattr(device_type, f"status_{status}") for status in DeviceStatus.values}


def devices_by_unit(records: EstateRecords | None = None) -> list[tuple[str, int, int]]:
    """Devices held per borough/OCU: (unit, issued, total), now or as at `records` (the devices
    and their units as they stood). Two queries."""
    devices = (records or EstateRecords.live()).devices
    counts = {
        unit: (issued, total)
        for unit, issued, total in devices.values_list("unit")
        .annotate(issued=Count("id", filter=Q(status=DeviceStatus.ISSUED)), total=Count("id"))
        .values_list("unit", "issued", "total")
        .order_by()
    }
    return [(unit.name, *counts.get(unit.pk, (0, 0))) for unit in OrganisationalUnit.objects.order_by("name")]


def rollout_lines(records: EstateRecords | None = None) -> QuerySet:
    """The rollout plan month by month, now or as at `records`."""
    lines = (records or EstateRecords.live()).rollout
    return lines.select_related("device_type").order_by("month", "device_type__name")


def capability_matrix() -> tuple[list[DeviceType], list[tuple[Capability, list[bool]]]]:
    """Which type offers which capability: (types, [(capability, offered by each type)]). Two queries."""
    types = list(DeviceType.objects.prefetch_related("capabilities").order_by("name"))
    offered = [{c.pk for c in device_type.capabilities.all()} for device_type in types]
    rows = [
        (capability, [capability.pk in pks for pks in offered]) for capability in Capability.objects.order_by("name")
    ]
    return types, rows


def device_list() -> QuerySet:
    """The register with each device's model, type, unit and current holder (one query a page)."""
    current = Assignment.objects.filter(ended__isnull=True).select_related("vehicle")
    return (
        Device.objects.select_related("model__device_type", "unit")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
        .order_by("asset_tag")
    )


def device_detail(*, asset_tag: str) -> Device:
    return Device.objects.select_related("model__device_type", "unit").get(asset_tag=asset_tag)


@dataclass(frozen=True)
class RoleBenefit:
    role: str
    label: str
    hours: Decimal
    amount: Decimal
    source: str


def benefits(*, start: date, end: date, records: EstateRecords | None = None) -> list[RoleBenefit]:
    """Per role: computed roll-ups of months in the range summed, and reported roll-ups whose
    whole period lies in the range (now, or as at `records`). One query, cached until the estate
    changes."""
    records = records or EstateRecords.live()

    def compute():
        return _role_benefits(records.rollups, start=start, end=end)

    parts = ("benefits", start.isoformat(), end.isoformat(), records.moment)
    return cached_figure(Device._meta.app_label, parts, compute)


def _role_benefits(rollups: QuerySet, *, start: date, end: date) -> list[RoleBenefit]:
    """The roll-ups lying within start..end summed per role and source, in role order (one query)."""
    found = {
        (row["role"], row["source"]): row
        for row in rollups.filter(period_start__gte=start, period_end__lte=end)
        .values("role", "source")
        .annotate(hours_total=Sum("hours"), amount_total=Sum("amount"))
    }
    return [
        RoleBenefit(role.value, role.label, row["hours_total"], row["amount_total"], source.value)
        for role in BenefitRole
        for source in (BenefitSource.REPORTED, BenefitSource.COMPUTED)
        if (row := found.get((role.value, source.value)))
    ]


def monthly_computed_benefits(records: EstateRecords | None = None) -> list[tuple[date, dict[str, Decimal]]]:
    """£ of computed benefit per month per role, oldest first, now or as at `records` (one query)."""
    trend: dict[date, dict[str, Decimal]] = {}
    for month, role, amount in (
        (records or EstateRecords.live())
        .rollups.filter(source=BenefitSource.COMPUTED)
        .values_list("period_start", "role", "amount")
        .order_by("period_start", "role")
    ):
        trend.setdefault(month, {})[role] = amount
    return list(trend.items())


def reported_periods(records: EstateRecords | None = None) -> list[tuple[date, date]]:
    return list(
        (records or EstateRecords.live())
        .rollups.filter(source=BenefitSource.REPORTED)
        .values_list("period_start", "period_end")
        .distinct()
        .order_by("period_start")
    )


def device_types() -> QuerySet:
    return DeviceType.objects.order_by("name")


def units() -> QuerySet:
    return OrganisationalUnit.objects.order_by("name")


def pda_qualitative_benefits() -> QuerySet:
    """The benefits the PDA report gives in words or measures (empty if none are loaded)."""
    return QualitativeBenefit.objects.filter(device_type__code="pda").order_by("pk")


FIGURE_MODELS = (DeviceType, Device, Assignment, RolloutPlanLine, BenefitRollup)
BENEFIT_WINDOW_MONTHS = 6


@dataclass(frozen=True)
class TypeCount:
    code: str
    name: str
    in_register: int
    issued: int
    reported_count: int | None


@dataclass
class MobileHeadline:
    """The estate for the board: devices by type, rollout progress, the last six months' benefits."""

    types: list[TypeCount]
    rollout_planned: int
    rollout_deployed: int
    benefits_start: date | None
    benefits_end: date | None
    benefits: list[RoleBenefit]
    last_updated: datetime | None

    @property
    def devices_total(self) -> int:
        return sum(t.in_register for t in self.types)

    @property
    def rollout_fraction(self) -> Decimal:
        """Devices deployed as a fraction of the plan (0.25 = 25%)."""
        if not self.rollout_planned:
            return Decimal("0")
        return Decimal(self.rollout_deployed) / Decimal(self.rollout_planned)

    @property
    def benefit_table(self) -> BenefitTable:
        """The window's benefits per role, with the totals of each source."""
        return BenefitTable.of(self.benefits)

    @property
    def benefits_reported(self) -> Decimal | None:
        return self.benefit_table.reported_amount

    @property
    def benefits_computed(self) -> Decimal | None:
        return self.benefit_table.computed_amount


@dataclass(frozen=True)
class EstateRecords:
    """Where the estate's figures are read from: the live tables (`at` None), or the audit history
    replayed to a moment (see mps_ict.audit.as_of): this area's answer to "as at"."""

    at: datetime | None
    device_types: QuerySet
    devices: QuerySet
    rollout: QuerySet
    rollups: QuerySet

    @classmethod
    def live(cls) -> EstateRecords:
        return cls(
            None, DeviceType.objects.all(), Device.objects.all(), RolloutPlanLine.objects.all(), BenefitRollup.objects.all()
        )

    @classmethod
    def as_at(cls, at: datetime) -> EstateRecords:
        return cls(
            at, as_of(DeviceType, at), as_of(Device, at), as_of(RolloutPlanLine, at), as_of(BenefitRollup, at)
        )

    @property
    def moment(self) -> str:
        """The part of a cache key that says when the figures are read."""
        return self.at.isoformat() if self.at else "now"


def records_at(at: datetime | None) -> EstateRecords:
    """The estate as it stands (None) or as it stood at the moment `at`."""
    return EstateRecords.live() if at is None else EstateRecords.as_at(at)


def mobile_headline(*, records: EstateRecords | None = None) -> MobileHeadline | None:
    """The estate now or, with `records` as at a past moment, as it stood then; None if no device
    type was recorded by then. A fixed number of queries; cached until the estate changes."""
    records = records or EstateRecords.live()

    def compute():
        types_then = list(records.device_types.order_by("name"))
        if not types_then:
            return None
        devices, rollout, rollups = records.devices, records.rollout, records.rollups
        counts = {
            row["model__device_type"]: row
            for row in devices.values("model__device_type").annotate(
                total=Count("pk"), issued=Count("pk", filter=Q(status=DeviceStatus.ISSUED))
            )
        }
        types = [
            TypeCount(
                device_type.code,
                device_type.name,
                counts.get(device_type.id, {}).get("total", 0),
                counts.get(device_type.id, {}).get("issued", 0),
                device_type.reported_count,
            )
            for device_type in types_then
        ]
        progress = rollout.aggregate(planned=Sum("planned"), deployed=Sum("actual"))
        end = rollups.aggregate(end=Max("period_end"))["end"]
        start = add_months(end, 1 - BENEFIT_WINDOW_MONTHS) if end else None
        role_benefits = _role_benefits(rollups, start=start, end=end) if end else []
        return MobileHeadline(
            types=types,
            rollout_planned=progress["planned"] or 0,
            rollout_deployed=progress["deployed"] or 0,
            benefits_start=start,
            benefits_end=end,
            benefits=role_benefits,
            last_updated=last_changed(*FIGURE_MODELS, at=records.at),
        )

    return cached_figure(Device._meta.app_label, ("headline", records.moment), compute)


# ----------------------------------------------------------------------------- for the Assembly pack


@dataclass(frozen=True)
class RoleBenefits:
    """One role's benefit over a period: as reported and as computed from usage (None where none)."""

    role: str
    label: str
    reported: RoleBenefit | None
    computed: RoleBenefit | None


@dataclass(frozen=True)
class BenefitTable:
    """The per-role benefit table of a period: every role in role order, each with its reported
    and computed benefit, and the totals of each source (None where the source has none)."""

    roles: tuple[RoleBenefits, ...]

    @classmethod
    def of(cls, role_benefits: list[RoleBenefit]) -> BenefitTable:
        """The table of roll-ups already summed per role and source (see `benefits`)."""
        found = {(b.role, b.source): b for b in role_benefits}
        return cls(
            tuple(
                RoleBenefits(
                    role.value,
                    role.label,
                    found.get((role.value, BenefitSource.REPORTED)),
                    found.get((role.value, BenefitSource.COMPUTED)),
                )
                for role in BenefitRole
            )
        )

    @property
    def held(self) -> list[RoleBenefits]:
        """The roles with a reported or a computed benefit."""
        return [row for row in self.roles if row.reported or row.computed]

    def _total(self, source: str, measure: str) -> Decimal | None:
        values = [getattr(getattr(row, source), measure) for row in self.roles if getattr(row, source)]
        return sum(values, Decimal("0.00")) if values else None

    @property
    def reported_hours(self) -> Decimal | None:
        return self._total(BenefitSource.REPORTED, "hours")

    @property
    def reported_amount(self) -> Decimal | None:
        return self._total(BenefitSource.REPORTED, "amount")

    @property
    def computed_hours(self) -> Decimal | None:
        return self._total(BenefitSource.COMPUTED, "hours")

    @property
    def computed_amount(self) -> Decimal | None:
        return self._total(BenefitSource.COMPUTED, "amount")


def benefit_table(*, start: date, end: date, records: EstateRecords | None = None) -> BenefitTable:
    """The per-role benefit table of start..end (one query, cached with `benefits`)."""
    return BenefitTable.of(benefits(start=start, end=end, records=records))


def latest_reported_period(records: EstateRecords | None = None) -> tuple[date, date] | None:
    """The last period the monthly statistics reported benefits for, or None (one query)."""
    periods = reported_periods(records)
    return periods[-1] if periods else None


@dataclass(frozen=True)
class RolloutYear:
    """The rollout plan of one device type in one financial year."""

    financial_year: FinancialYear
    device_type: str
    months: int
    planned: int
    deployed: int
    illustrative: bool  # any of its months is an illustrative figure, not one from the papers


def rollout_by_financial_year(records: EstateRecords | None = None) -> list[RolloutYear]:
    """The rollout plan summed per financial year and device type, oldest first (now, or as at
    `records`; one query)."""
    year_start = Case(
        When(month__month__lt=4, then=ExtractYear("month") - 1),
        default=ExtractYear("month"),
        output_field=IntegerField(),
    )
    rows = (
        (records or EstateRecords.live())
        .rollout.annotate(year_start=year_start)
        .values("year_start", "device_type__name")
        .annotate(
            planned=Sum("planned"),
            deployed=Sum("actual"),
            months=Count("pk"),
            illustrative=Count("pk", filter=Q(is_illustrative=True)),
        )
        .order_by("year_start", "device_type__name")
    )
    return [
        RolloutYear(
            FinancialYear(row["year_start"]),
            row["device_type__name"],
            row["months"],
            row["planned"],
            row["deployed"] or 0,
            bool(row["illustrative"]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class DevicesBought:
    """Devices of a type in the register and what those with a purchase cost cost."""

    devices: int
    priced: int
    cost: Decimal


def smartphones_bought(records: EstateRecords | None = None) -> DevicesBought:
    """The smartphones in the device register and their purchase cost so far (now, or as at
    `records`; one query)."""
    devices = (records or EstateRecords.live()).devices
    bought = devices.filter(model__device_type__code="smartphone").aggregate(
        devices=Count("pk"), priced=Count("purchase_cost"), cost=Sum("purchase_cost")
    )
    return DevicesBought(bought["devices"], bought["priced"], bought["cost"] or Decimal("0.00"))


@dataclass(frozen=True)
class TypeInUse:
    """A device type as the estate stands: as reported, in the register, issued, and what it can do."""

    name: str
    reported: int | None
    in_register: int
    issued: int
    vehicles: int | None
    users: int | None
    capabilities: list[str]


def estate_by_type(records: EstateRecords | None = None) -> list[TypeInUse]:
    """Each device type in use, by name, now or as at `records` (cached with
    `device_types_with_counts`)."""
    return [
        TypeInUse(
            device_type.name,
            device_type.reported_count,
            device_type.total,
            by_status(device_type)[DeviceStatus.ISSUED],
            device_type.vehicles_fitted,
            device_type.supported_users,
            [capability.name for capability in device_type.capabilities.all()],
        )
        for device_type in device_types_with_counts(records)
    ]


def rollout_last_changed(at: datetime | None = None) -> datetime | None:
    """When the rollout plan or the device register last changed (by `at`, if given)."""
    return last_changed(RolloutPlanLine, Device, at=at)


def estate_last_changed(at: datetime | None = None) -> datetime | None:
    """When the device types, the register or the benefit roll-ups last changed (by `at`, if given)."""
    return last_changed(DeviceType, Device, BenefitRollup, at=at)
