"""Reads of the mobile estate, aggregated in the database in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Case, Count, Exists, IntegerField, Max, Min, OuterRef, Prefetch, Q, QuerySet, Sum, When
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import timezone

from mobile_assets.choices import BenefitRole, BenefitSource, DeviceStatus
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
    UsageStatistic,
    Vehicle,
)
from mps_ict.audit import HistoryEntry, as_of, history_entries, last_changed
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


@dataclass(frozen=True)
class RolloutMonth:
    """One device type's month of the rollout: planned (the plan line; 0 where none) against
    deployed (new devices of the type first issued that month, counted from the register), and
    both summed from the type's first month."""

    device_type: str
    device_type_code: str
    month: date
    planned: int
    deployed: int
    planned_to_date: int
    deployed_to_date: int
    line_id: int | None  # the plan line, where the month has one


def first_issues(assignments: QuerySet) -> QuerySet:
    """Each device's first assignment (the day it was first issued, so new to the estate): the
    assignments with no earlier one of the same device, among `assignments`."""
    earlier = assignments.filter(device_id=OuterRef("device_id"), started__lt=OuterRef("started"))
    return assignments.exclude(Exists(earlier))


def rollout_progress(records: EstateRecords | None = None) -> list[RolloutMonth]:
    """The rollout plan against the register, month by month for each type on the plan (now, or
    as at `records`). "Deployed" is never typed: it is the devices of the type first issued in
    the month (their first assignment's start). Two queries, whatever the size of the register:
    the plan lines, and the first issues of the planned types counted per type and month in the
    database."""
    records = records or EstateRecords.live()
    lines = list(
        records.rollout.values_list(
            "id", "device_type_id", "device_type__name", "device_type__code", "month", "planned"
        )
    )
    names = {type_id: (name, code) for _, type_id, name, code, _, _ in lines}
    months: dict[tuple[int, date], list] = {
        (type_id, month): [planned, 0, line_id] for line_id, type_id, _, _, month, planned in lines
    }
    if names:
        deployments = (
            first_issues(records.assignments)
            .filter(device__model__device_type__in=list(names))
            .annotate(month=TruncMonth("started"))
            .values("device__model__device_type", "month")
            .annotate(deployed=Count("device_id", distinct=True))
            .order_by()
        )
        for row in deployments:
            month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
            months.setdefault((row["device__model__device_type"], month), [0, 0, None])[1] = row["deployed"]
    rows, to_date = [], {}
    for (type_id, month), (planned, deployed, line_id) in sorted(
        months.items(), key=lambda item: (names[item[0][0]][0], item[0][1])
    ):
        so_far = to_date.setdefault(type_id, [0, 0])
        so_far[0] += planned
        so_far[1] += deployed
        name, code = names[type_id]
        rows.append(RolloutMonth(name, code, month, planned, deployed, so_far[0], so_far[1], line_id))
    return rows


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


def vehicle_list() -> QuerySet:
    """Every vehicle with its unit and how many devices are fitted to it now (one query a page)."""
    return (
        Vehicle.objects.select_related("unit")
        .annotate(devices_fitted=Count("assignments", filter=Q(assignments__ended__isnull=True)))
        .order_by("fleet_number")
    )


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
    # issue 14 part 5: the last month computed, and the months whose usage is incomplete
    latest_month: date | None = None
    latest_month_amount: Decimal | None = None
    incomplete_months: tuple[UsageCoverage, ...] = ()

    @property
    def incomplete_in_window(self) -> list[UsageCoverage]:
        """The incomplete months inside the benefits window."""
        if self.benefits_start is None:
            return []
        return [c for c in self.incomplete_months if self.benefits_start <= c.month <= self.benefits_end]

    @property
    def latest_month_incomplete(self) -> UsageCoverage | None:
        return next((c for c in self.incomplete_months if c.month == self.latest_month), None)

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
    assignments: QuerySet  # who held which device from when: what the rollout's "deployed" counts

    @classmethod
    def live(cls) -> EstateRecords:
        return cls(
            None,
            DeviceType.objects.all(),
            Device.objects.all(),
            RolloutPlanLine.objects.all(),
            BenefitRollup.objects.all(),
            Assignment.objects.all(),
        )

    @classmethod
    def as_at(cls, at: datetime) -> EstateRecords:
        return cls(
            at,
            as_of(DeviceType, at),
            as_of(Device, at),
            as_of(RolloutPlanLine, at),
            as_of(BenefitRollup, at),
            as_of(Assignment, at),
        )

    @property
    def moment(self) -> str:
        """The part of a cache key that says when the figures are read."""
        return self.at.isoformat() if self.at else "now"


def records_at(at: datetime | None) -> EstateRecords:
    """The estate as it stands (None) or as it stood at the moment `at`."""
    return EstateRecords.live() if at is None else EstateRecords.as_at(at)


def _benefits_window(rollups: QuerySet) -> tuple[date | None, date | None]:
    """The board's benefits window: the last period the monthly statistics reported, so its
    reported figures stand beside what was computed for the same months whatever usage is uploaded
    after it; without a reported period, the last six months computed. (The window used to end at
    the last roll-up of any kind, so one later month of usage, even 3 boroughs of 32, slid it past
    the reported period, and the reported figures vanished from the board.) Two queries."""
    ends = rollups.aggregate(
        end=Max("period_end"), reported_end=Max("period_end", filter=Q(source=BenefitSource.REPORTED))
    )
    if ends["reported_end"] is not None:
        start = rollups.filter(source=BenefitSource.REPORTED, period_end=ends["reported_end"]).aggregate(
            start=Min("period_start")
        )["start"]
        return start, ends["reported_end"]
    end = ends["end"]
    return (add_months(end, 1 - BENEFIT_WINDOW_MONTHS), end) if end else (None, None)


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
        progress = rollout.aggregate(planned=Sum("planned"))
        progress["deployed"] = sum(row.deployed for row in rollout_progress(records))
        start, end = _benefits_window(rollups)
        role_benefits = _role_benefits(rollups, start=start, end=end) if end else []
        latest = (
            rollups.filter(source=BenefitSource.COMPUTED)
            .values("period_start")
            .annotate(amount=Sum("amount"))
            .order_by("-period_start")
            .first()
        )
        # usage keeps no history: as at a past moment, only the months computed by then
        incomplete = (
            incomplete_usage_months(until=latest["period_start"] if latest else date.min)
            if records.at
            else incomplete_usage_months()
        )
        return MobileHeadline(
            types=types,
            rollout_planned=progress["planned"] or 0,
            rollout_deployed=progress["deployed"] or 0,
            benefits_start=start,
            benefits_end=end,
            benefits=role_benefits,
            last_updated=last_changed(*FIGURE_MODELS, at=records.at),
            latest_month=latest["period_start"] if latest else None,
            latest_month_amount=latest["amount"] if latest else None,
            incomplete_months=tuple(incomplete),
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
    records = records or EstateRecords.live()
    deployed: dict[tuple[FinancialYear, str], int] = {}
    for row in rollout_progress(records):
        key = (FinancialYear.from_date(row.month), row.device_type)
        deployed[key] = deployed.get(key, 0) + row.deployed
    rows = (
        records.rollout.annotate(year_start=year_start)
        .values("year_start", "device_type__name")
        .annotate(
            planned=Sum("planned"),
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
            deployed.get((FinancialYear(row["year_start"]), row["device_type__name"]), 0),
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


# ----------------------------------------------------------------- estate reference data (issue 14)


@dataclass(frozen=True)
class ReferenceData:
    """What the asset manager keeps: every capability, type, model, unit, rule and hourly cost,
    retired ones too (flagged), and how many vehicles each unit has."""

    capabilities: list[Capability]
    device_types: list[DeviceType]
    device_models: list[DeviceModel]
    units: list[OrganisationalUnit]
    vehicles: int
    rules: list[BenefitRule]
    hourly_costs: list[HourlyCost]


def reference_data(*, user=None) -> ReferenceData:
    """The estate's reference data for its page: seven queries, whatever the number of records
    (models with their type and capabilities prefetched, units with their vehicles counted), and
    one more for the contracts the models are under (those `user` may see) when any is."""
    capabilities = Prefetch("capabilities", queryset=Capability.objects.order_by("name"))
    return ReferenceData(
        capabilities=list(Capability.objects.order_by("name")),
        device_types=list(
            DeviceType.objects.annotate(models_in_use=Count("models", filter=Q(models__retired_at__isnull=True)))
            .prefetch_related(capabilities)
            .order_by("name")
        ),
        device_models=list(
            DeviceModel.objects.select_related("device_type")
            .prefetch_related(visible_contract(user))
            .order_by("device_type__name", "manufacturer", "name")
        ),
        units=list(OrganisationalUnit.objects.annotate(vehicle_count=Count("vehicles")).order_by("name")),
        vehicles=Vehicle.objects.count(),
        rules=list(
            BenefitRule.objects.select_related("transaction_type").order_by(
                "transaction_type__name", "role", "effective_from"
            )
        ),
        hourly_costs=list(HourlyCost.objects.order_by("-financial_year", "role")),
    )


# --- device models and the contracts they are under (issue 17 part 2) ---------------------------------
# The contract is the contracts register's, reached through the relation (this area imports only
# itself and the ground). A contract marked OFFICIAL-SENSITIVE reaches only readers with
# `view_restricted`: to anyone else the model is under no contract recorded, on every page, in the
# API and in exports, the same absence as a withheld initiative on a project's page.


def _contracts():
    return DeviceModel.contract.field.related_model


def visible_contract(user) -> Prefetch:
    """Each model's contract if `user` may see it, else None (one query for the lot, none when no
    model is under a contract)."""
    return Prefetch("contract", queryset=_contracts().objects.visible_to(user))


def contract_choices(*, user) -> QuerySet:
    """The contracts a device model may be put under: those in force that `user` may see."""
    return _contracts().objects.visible_to(user).filter(retired_at__isnull=True).order_by("reference")


def device_model_list(*, user) -> QuerySet[DeviceModel]:
    """Every device model (retired ones too) with its type, capabilities and the contract `user`
    may see: three queries, four when any model is under a contract."""
    return (
        DeviceModel.objects.select_related("device_type")
        .prefetch_related(
            Prefetch("capabilities", queryset=Capability.objects.order_by("name")), visible_contract(user)
        )
        .order_by("pk")
    )


def device_model_detail(*, user, pk: int) -> DeviceModel:
    """A device model with its devices counted (in the register, issued) and the contract `user`
    may see (DeviceModel.DoesNotExist when there is none)."""
    return (
        device_model_list(user=user)
        .annotate(
            devices_count=Count("devices"), issued=Count("devices", filter=Q(devices__status=DeviceStatus.ISSUED))
        )
        .get(pk=pk)
    )


def device_model_history(*, device_model: DeviceModel, user) -> list[HistoryEntry]:
    """The model's history, its contract said by reference and title; a change to or from a
    contract `user` may not see is left out of the entry (two queries)."""
    entries = history_entries(device_model)
    ids = {
        value
        for entry in entries
        for change in entry.changes
        if change.field == "contract"
        for value in (change.before, change.after)
        if value is not None
    }
    named = {contract.pk: str(contract) for contract in _contracts().objects.visible_to(user).filter(pk__in=ids)}
    in_words = []
    for entry in entries:
        changes = []
        for change in entry.changes:
            if change.field == "contract":
                if any(value is not None and value not in named for value in (change.before, change.after)):
                    continue  # a withheld contract: not said, not even that there was one
                change = replace(change, before=named.get(change.before), after=named.get(change.after))
            changes.append(change)
        in_words.append(replace(entry, changes=tuple(changes)))
    return in_words


def rule_sets(*, start: date, end: date, records: EstateRecords | None = None) -> dict[str, list[date]]:
    """Per role, the rule sets (the start of the latest rule in force) the computed roll-ups of
    start..end were produced with, oldest first (one query)."""
    found: dict[str, list[date]] = {}
    for role, rules_from in (
        (records or EstateRecords.live())
        .rollups.filter(source=BenefitSource.COMPUTED, period_start__gte=start, period_end__lte=end)
        .exclude(rules_from=None)
        .values_list("role", "rules_from")
        .distinct()
        .order_by("role", "rules_from")
    ):
        found.setdefault(role, []).append(rules_from)
    return found


def monthly_rule_sets(records: EstateRecords | None = None) -> dict[date, date]:
    """Per month with computed roll-ups, the rule set they were produced with: the start of the
    latest rule in force that month (one query)."""
    return dict(
        (records or EstateRecords.live())
        .rollups.filter(source=BenefitSource.COMPUTED)
        .exclude(rules_from=None)
        .values_list("period_start")
        .annotate(latest=Max("rules_from"))
        .values_list("period_start", "latest")
        .order_by()
    )


# --- Usage completeness (issue 14 part 5) -----------------------------------------------------------


@dataclass(frozen=True)
class UsageCoverage:
    """What a month's usage covers, against the last complete month before it (the month compared
    with): the units and transaction types that month had and this one lacks. A month is complete
    when it lacks none; the first month with usage is complete by definition."""

    month: date
    compared_with: date | None
    units: int
    transaction_types: int
    expected_units: int
    expected_types: int
    missing_units: tuple[str, ...]
    missing_types: tuple[str, ...]

    @property
    def incomplete(self) -> bool:
        return bool(self.missing_units or self.missing_types)

    @property
    def missing(self) -> str:
        """What it lacks, in words: "missing units: Barnet, Bexley; missing transaction types: PNC check"."""
        parts = []
        if self.missing_units:
            parts.append(f"missing unit{'s' if len(self.missing_units) > 1 else ''}: {', '.join(self.missing_units)}")
        if self.missing_types:
            plural = "s" if len(self.missing_types) > 1 else ""
            parts.append(f"missing transaction type{plural}: {', '.join(self.missing_types)}")
        return "; ".join(parts)

    @property
    def summary(self) -> str:
        """In words: "March 2013 covers 3 of the 32 units and 5 of the 5 transaction types of February 2013"."""
        if self.compared_with is None:
            return f"{self.month:%B %Y} is the first month with usage: nothing to compare it with."
        return (
            f"{self.month:%B %Y} covers {self.units} of the {self.expected_units} units and "
            f"{self.transaction_types} of the {self.expected_types} transaction types of {self.compared_with:%B %Y}"
        )


def _usage_covered(
    *, before: date | None = None
) -> tuple[dict[date, tuple[frozenset[str], frozenset[str]]], dict[str, date]]:
    """Per month with usage (before `before`, if given), oldest first: the names of the units and
    of the transaction types it has figures for; and the day each retired unit among them was
    retired (two queries)."""
    usage = UsageStatistic.objects.all() if before is None else UsageStatistic.objects.filter(month__lt=before)
    units: dict[date, set[str]] = {}
    types: dict[date, set[str]] = {}
    retired: dict[str, date] = {}
    for month, name, retired_at in usage.values_list("month", "unit__name", "unit__retired_at").distinct().order_by():
        units.setdefault(month, set()).add(name)
        if retired_at is not None:
            retired[name] = timezone.localdate(retired_at)
    for month, name in usage.values_list("month", "transaction_type__name").distinct().order_by():
        types.setdefault(month, set()).add(name)
    covered = {month: (frozenset(units[month]), frozenset(types.get(month, ()))) for month in sorted(units)}
    return covered, retired


def _coverage(
    month: date,
    covered: tuple[frozenset, frozenset],
    baseline: tuple[date, frozenset, frozenset] | None,
    retired: dict[str, date] | None = None,
):
    units, types = covered
    if baseline is None:
        return UsageCoverage(month, None, len(units), len(types), len(units), len(types), (), ())
    compared_with, expected_units, expected_types = baseline
    # a unit retired by the end of the month is not expected in it (nor, once retired, ever again)
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    expected_units = frozenset(
        name for name in expected_units if name not in (retired or {}) or retired[name] >= next_month
    )
    return UsageCoverage(
        month,
        compared_with,
        len(units),
        len(types),
        len(expected_units),
        len(expected_types),
        tuple(sorted(expected_units - units)),
        tuple(sorted(expected_types - types)),
    )


def _coverage_history(before: date | None = None) -> tuple[list[UsageCoverage], tuple | None, dict[str, date]]:
    """Each month's coverage, oldest first, each against the last complete month before it (so a
    short month after a short month is still short), that last complete month, and when each
    retired unit among them was retired (two queries)."""
    history, baseline = [], None
    months, retired = _usage_covered(before=before)
    for month, covered in months.items():
        coverage = _coverage(month, covered, baseline, retired)
        history.append(coverage)
        if not coverage.incomplete:
            baseline = (month, *covered)
    return history, baseline, retired


def usage_completeness() -> list[UsageCoverage]:
    """Every month with usage, oldest first, with what it covers and lacks (two queries)."""
    return _coverage_history()[0]


def incomplete_usage_months(*, until: date | None = None) -> list[UsageCoverage]:
    """The months whose usage lacks a unit or a transaction type the last complete month before
    them had, oldest first (up to `until`, if given; two queries). Usage keeps no history, so this
    reads the usage as it stands."""
    return [c for c in usage_completeness() if c.incomplete and (until is None or c.month <= until)]


def usage_upload_coverage(*, month: date, units: set[str], transaction_types: set[str]) -> UsageCoverage:
    """What an upload for `month` would cover (the names of its units and transaction types),
    against the last complete month before it (two queries)."""
    _, baseline, retired = _coverage_history(before=month)
    return _coverage(month, (frozenset(units), frozenset(transaction_types)), baseline, retired)
