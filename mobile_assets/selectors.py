"""Reads of the mobile estate, aggregated in the database in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum

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
from mps_ict.financial_years import add_months

FIGURES_AREA = "mobile"


def device_types_with_counts() -> list[DeviceType]:
    """Each type with its device count per status and its capabilities (two queries over the
    whole register, so cached until the estate changes: every mobile write bumps the version)."""
    status_counts = {
        f"status_{status}": Count("models__devices", filter=Q(models__devices__status=status))
        for status in DeviceStatus.values
    }

    def compute():
        return list(
            DeviceType.objects.annotate(total=Count("models__devices"), **status_counts)
            .prefetch_related(Prefetch("capabilities", queryset=Capability.objects.order_by("name")))
            .order_by("name")
        )

    return cached_figure(FIGURES_AREA, ("device-types",), compute)


def by_status(device_type: DeviceType) -> dict[str, int]:
    return {status: getattr(device_type, f"status_{status}") for status in DeviceStatus.values}


def devices_by_unit() -> list[tuple[str, int, int]]:
    """Devices held per borough/OCU: (unit, issued, total). One query."""
    return list(
        OrganisationalUnit.objects.annotate(
            issued=Count("devices", filter=Q(devices__status=DeviceStatus.ISSUED)), total=Count("devices")
        )
        .order_by("name")
        .values_list("name", "issued", "total")
    )


def rollout_lines() -> QuerySet:
    return RolloutPlanLine.objects.select_related("device_type").order_by("month", "device_type__name")


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


def benefits(*, start: date, end: date) -> list[RoleBenefit]:
    """Per role: computed roll-ups of months in the range summed, and reported roll-ups whose
    whole period lies in the range. One query, cached until the estate changes."""

    def compute():
        return _role_benefits(BenefitRollup.objects.all(), start=start, end=end)

    return cached_figure(FIGURES_AREA, ("benefits", start.isoformat(), end.isoformat()), compute)


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


def monthly_computed_benefits() -> list[tuple[date, dict[str, Decimal]]]:
    """£ of computed benefit per month per role, oldest first (one query)."""
    trend: dict[date, dict[str, Decimal]] = {}
    for month, role, amount in (
        BenefitRollup.objects.filter(source=BenefitSource.COMPUTED)
        .values_list("period_start", "role", "amount")
        .order_by("period_start", "role")
    ):
        trend.setdefault(month, {})[role] = amount
    return list(trend.items())


def reported_periods() -> list[tuple[date, date]]:
    return list(
        BenefitRollup.objects.filter(source=BenefitSource.REPORTED)
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

    def _benefit_total(self, source: str) -> Decimal | None:
        amounts = [b.amount for b in self.benefits if b.source == source]
        return sum(amounts, Decimal("0.00")) if amounts else None

    @property
    def benefits_reported(self) -> Decimal | None:
        return self._benefit_total(BenefitSource.REPORTED)

    @property
    def benefits_computed(self) -> Decimal | None:
        return self._benefit_total(BenefitSource.COMPUTED)


def mobile_headline(*, at: datetime | None = None) -> MobileHeadline:
    """The estate now or, with `at`, as it stood then (rebuilt from the audit history). A fixed
    number of queries; cached until the estate changes."""

    def compute():
        devices = Device.objects.all() if at is None else as_of(Device, at)
        rollout = RolloutPlanLine.objects.all() if at is None else as_of(RolloutPlanLine, at)
        rollups = BenefitRollup.objects.all() if at is None else as_of(BenefitRollup, at)
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
                counts.get(device_type.pk, {}).get("total", 0),
                counts.get(device_type.pk, {}).get("issued", 0),
                device_type.reported_count,
            )
            for device_type in device_types()
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
            last_updated=last_changed(*FIGURE_MODELS, at=at),
        )

    return cached_figure(FIGURES_AREA, ("headline", at.isoformat() if at else "now"), compute)
