"""The mobile device estate: types, models and capabilities, the device register and its
assignments, the rollout plan, monthly usage and the non-cashable benefits it yields."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from mobile_assets.choices import BenefitRole, BenefitSource, DeviceStatus
from mps_ict.audit import AuditHistory
from mps_ict.fields import FinancialYearField, MoneyField


class Capability(models.Model):
    """Something a device lets an officer do (PNC checks, CAD, FPNs ...)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was retired (never deleted: records that name it keep it)"
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "capabilities"

    def __str__(self):
        return self.name


class DeviceType(models.Model):
    """A kind of device (MDT, PDA, ...) and what the estate report says of it."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    capabilities = models.ManyToManyField(Capability, blank=True, related_name="device_types")
    reported_count = models.PositiveIntegerField(null=True, blank=True, help_text="Devices as reported, where given")
    vehicles_fitted = models.PositiveIntegerField(null=True, blank=True, help_text="Vehicles fitted (MDTs)")
    supported_users = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was retired (never deleted: records that name it keep it)"
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class DeviceModel(models.Model):
    """A make and model of device of a type; the register accepts devices of the models in use."""

    device_type = models.ForeignKey(DeviceType, on_delete=models.PROTECT, related_name="models")
    manufacturer = models.CharField(max_length=80, blank=True, help_text="Blank where not recorded")
    name = models.CharField(max_length=120)
    capabilities = models.ManyToManyField(Capability, blank=True, related_name="device_models")
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="device_models",
        help_text="The contract the devices of this model are bought or serviced under (blank: none recorded)",
    )
    is_illustrative = models.BooleanField(default=False)
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was retired (never deleted: records that name it keep it)"
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()

    class Meta:
        ordering = ["device_type", "manufacturer", "name"]
        constraints = [models.UniqueConstraint(fields=["manufacturer", "name"], name="device_model_unique")]

    def __str__(self):
        return " ".join(part for part in (self.manufacturer, self.name) if part)


class OrganisationalUnit(models.Model):
    """A borough or Operational Command Unit."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=120, unique=True)
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was retired (never deleted: records that name it keep it)"
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Vehicle(models.Model):
    """A police vehicle an in-vehicle terminal can be fitted to, based in a unit."""

    fleet_number = models.CharField(max_length=20, unique=True)
    unit = models.ForeignKey(OrganisationalUnit, on_delete=models.PROTECT, related_name="vehicles")
    is_illustrative = models.BooleanField(default=False)
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was retired (never deleted: records that name it keep it)"
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()

    class Meta:
        ordering = ["fleet_number"]

    def __str__(self):
        return self.fleet_number


class Device(models.Model):
    """One device in the register."""

    asset_tag = models.CharField(max_length=30, unique=True)
    serial_number = models.CharField(max_length=40, unique=True, help_text="Serial number or IMEI")
    model = models.ForeignKey(DeviceModel, on_delete=models.PROTECT, related_name="devices")
    status = models.CharField(max_length=20, choices=DeviceStatus.choices, default=DeviceStatus.IN_STOCK)
    unit = models.ForeignKey(
        OrganisationalUnit, on_delete=models.PROTECT, related_name="devices", null=True, blank=True
    )
    purchase_date = models.DateField(null=True, blank=True)
    purchase_cost = MoneyField(null=True, blank=True)
    warranty_end = models.DateField(null=True, blank=True)
    is_illustrative = models.BooleanField(default=False)
    history = AuditHistory()

    class Meta:
        ordering = ["asset_tag"]
        indexes = [models.Index(fields=["status", "model"]), models.Index(fields=["unit", "status"])]

    def __str__(self):
        return self.asset_tag


class Assignment(models.Model):
    """A device issued to an officer (collar number and unit) or fitted to a vehicle, from/to."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="assignments")
    collar_number = models.CharField(max_length=20, blank=True)
    officer_unit = models.ForeignKey(
        OrganisationalUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments")
    started = models.DateField()
    ended = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = AuditHistory()

    class Meta:
        ordering = ["device", "-started"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(vehicle__isnull=False) & Q(collar_number=""))
                | (Q(vehicle__isnull=True) & ~Q(collar_number="")),
                name="assigned_to_officer_or_vehicle",
            ),
            models.UniqueConstraint(fields=["device"], condition=Q(ended__isnull=True), name="one_open_assignment"),
            models.CheckConstraint(
                condition=Q(ended__isnull=True) | Q(ended__gte=models.F("started")), name="assignment_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["device", "ended"])]

    def __str__(self):
        return f"{self.device} → {self.vehicle or self.collar_number}"

    @property
    def holder(self) -> str:
        return f"Vehicle {self.vehicle}" if self.vehicle_id else f"Officer {self.collar_number}"


class RolloutPlanLine(models.Model):
    """Devices of a type planned to be deployed in a month. What was deployed is not typed here:
    it is counted from the register (selectors.rollout_progress)."""

    device_type = models.ForeignKey(DeviceType, on_delete=models.PROTECT, related_name="rollout")
    month = models.DateField(help_text="First day of the month")
    planned = models.PositiveIntegerField()
    is_illustrative = models.BooleanField(default=False)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()

    class Meta:
        ordering = ["month", "device_type"]
        constraints = [models.UniqueConstraint(fields=["device_type", "month"], name="one_rollout_line_a_month")]

    def __str__(self):
        return f"{self.device_type} {self.month:%b %Y}"


class TransactionType(models.Model):
    """Something officers do on a device that is counted monthly (a PNC check, a stop recorded ...)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class UsageStatistic(models.Model):
    """How many transactions of a type a unit made in a month (uploaded monthly)."""

    month = models.DateField(help_text="First day of the month")
    financial_year = FinancialYearField(editable=False)
    unit = models.ForeignKey(OrganisationalUnit, on_delete=models.PROTECT, related_name="usage")
    transaction_type = models.ForeignKey(TransactionType, on_delete=models.PROTECT, related_name="usage")
    device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="usage",
        help_text="Where statistics are kept per device; empty for a unit's total",
    )
    count = models.PositiveIntegerField()
    is_illustrative = models.BooleanField(default=False)

    class Meta:
        ordering = ["month", "unit", "transaction_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit", "transaction_type"],
                condition=Q(device__isnull=True),
                name="one_unit_usage_count_a_month",
            ),
            models.UniqueConstraint(
                fields=["month", "device", "transaction_type"],
                condition=Q(device__isnull=False),
                name="one_device_usage_count_a_month",
            ),
        ]
        indexes = [models.Index(fields=["month", "transaction_type"])]

    def __str__(self):
        return f"{self.unit} {self.transaction_type} {self.month:%b %Y}"

    def clean(self):
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "Give the first day of the month."})


class BenefitRule(models.Model):
    """Minutes of a role's time one transaction saves, from a date."""

    transaction_type = models.ForeignKey(TransactionType, on_delete=models.PROTECT, related_name="benefit_rules")
    role = models.CharField(max_length=20, choices=BenefitRole.choices)
    minutes_saved = models.DecimalField(max_digits=7, decimal_places=2)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    is_illustrative = models.BooleanField(default=False)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()

    class Meta:
        ordering = ["transaction_type", "role", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["transaction_type", "role", "effective_from"], name="one_rule_a_start"),
            models.CheckConstraint(condition=Q(minutes_saved__gte=0), name="minutes_saved_not_negative"),
        ]

    def __str__(self):
        return f"{self.transaction_type}: {self.minutes_saved} min of {self.get_role_display()}"


class HourlyCost(models.Model):
    """What an hour of a role costs in a financial year."""

    role = models.CharField(max_length=20, choices=BenefitRole.choices)
    financial_year = FinancialYearField()
    cost = MoneyField()
    basis = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()

    class Meta:
        ordering = ["financial_year", "role"]
        constraints = [models.UniqueConstraint(fields=["role", "financial_year"], name="one_rate_a_role_a_year")]

    def __str__(self):
        return f"{self.get_role_display()} {self.financial_year}: £{self.cost}/h"


class BenefitRollup(models.Model):
    """Hours and £ of non-cashable saving for a role over a period: reported (as published) or
    computed monthly from usage × rules × rates."""

    period_start = models.DateField()
    period_end = models.DateField(help_text="First day of the last month in the period")
    role = models.CharField(max_length=20, choices=BenefitRole.choices)
    source = models.CharField(max_length=10, choices=BenefitSource.choices)
    hours = models.DecimalField(max_digits=14, decimal_places=2)
    amount = MoneyField()
    note = models.CharField(max_length=300, blank=True)
    rules_from = models.DateField(
        null=True,
        blank=True,
        help_text="Computed: the start of the latest benefit rule the month was computed with (the rule set)",
    )
    history = AuditHistory()

    class Meta:
        ordering = ["period_start", "role", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end", "role", "source"], name="one_rollup_a_period"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.period_start:%b %Y}–{self.period_end:%b %Y} ({self.source})"


class QualitativeBenefit(models.Model):
    """A benefit the estate reports in words or a measure rather than hours and pounds."""

    device_type = models.ForeignKey(DeviceType, on_delete=models.PROTECT, related_name="qualitative_benefits")
    heading = models.CharField(max_length=120)
    description = models.TextField()
    measure = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["device_type", "pk"]

    def __str__(self):
        return self.heading
