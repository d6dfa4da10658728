"""The capital portfolio: programmes, projects, their SROs, gates, confidence, spend and
benefits, and the Capital Programme Budget each year. Every figure, status and assignment is
audited."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from mps_ict.audit import AuditHistory
from mps_ict.fields import FinancialYearField, MoneyField
from mps_ict.marking import MarkedQuerySet, ProtectiveMarking
from portfolio.choices import (
    DCA_RATINGS_BY_SCALE,
    Assessor,
    BenefitCategory,
    DcaRating,
    DcaScale,
    GateDecision,
    Priority,
    Stage,
)

ZERO = Decimal("0.00")


class Programme(models.Model):
    """A group of related projects."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_illustrative = models.BooleanField(default=False, help_text="Invented to illustrate; not from a source")
    history = AuditHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Project(models.Model):
    """A capital project. `category` groups projects whose spend tends to slip alike."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="projects")
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=60, help_text="Slippage is learned per category")
    description = models.TextField(blank=True)
    programme_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_projects", null=True, blank=True
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PROPOSED)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    budget_baseline = MoneyField(help_text="Whole-life budget at approval (£)")
    budget_forecast = MoneyField(help_text="Whole-life forecast now (£)")
    protective_marking = models.CharField(
        max_length=20, choices=ProtectiveMarking.choices, default=ProtectiveMarking.OFFICIAL
    )
    is_illustrative = models.BooleanField(default=False, help_text="Invented to illustrate; not from a source")
    enables = models.ManyToManyField(
        "savings.Initiative",
        blank=True,
        related_name="enabled_by_projects",
        help_text="Savings initiatives this project makes possible",
    )
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["stage", "category"])]
        constraints = [
            models.CheckConstraint(condition=Q(budget_baseline__gte=0), name="project_baseline_not_negative"),
            models.CheckConstraint(condition=Q(budget_forecast__gte=0), name="project_forecast_not_negative"),
        ]

    def __str__(self):
        return f"{self.code}: {self.name}"

    @property
    def budget_variance(self) -> Decimal:
        return self.budget_forecast - self.budget_baseline


class SroAssignment(models.Model):
    """Who was Senior Responsible Owner of a project, from when to when (open-ended if current)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sro_assignments")
    name = models.CharField(max_length=120)
    role_title = models.CharField(max_length=120, blank=True)
    started = models.DateField()
    ended = models.DateField(null=True, blank=True)
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()
    marked_with = ("project",)  # hidden with its project

    class Meta:
        ordering = ["project", "started"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended__isnull=True) | Q(ended__gte=models.F("started")), name="sro_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.project.code})"


class ApprovalGate(models.Model):
    """An approval the project sought: when asked, when decided, and the decision."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="gates")
    name = models.CharField(max_length=120, help_text="e.g. Strategic outline case, Full business case")
    requested = models.DateField()
    decided = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=20, choices=GateDecision.choices, default=GateDecision.PENDING)
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()
    marked_with = ("project",)  # hidden with its project

    class Meta:
        ordering = ["project", "requested"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided__isnull=True) | Q(decided__gte=models.F("requested")),
                name="gate_decided_after_request",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.name}"

    @property
    def lead_time_days(self) -> int | None:
        return (self.decided - self.requested).days if self.decided else None


class DeliveryConfidenceAssessment(models.Model):
    """A dated Delivery Confidence Assessment, on the scale in use, by the SRO or independently."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField()
    scale = models.CharField(max_length=20, choices=DcaScale.choices, default=DcaScale.FIVE_POINT)
    rating = models.CharField(max_length=20, choices=DcaRating.choices)
    assessor = models.CharField(max_length=20, choices=Assessor.choices, default=Assessor.SRO)
    assessor_name = models.CharField(max_length=120, blank=True)
    note = models.TextField(blank=True)
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()
    marked_with = ("project",)  # hidden with its project

    class Meta:
        ordering = ["project", "assessed_on"]
        constraints = [
            models.UniqueConstraint(fields=["project", "assessed_on", "assessor"], name="one_dca_per_day_and_assessor")
        ]
        indexes = [models.Index(fields=["assessed_on"])]

    def __str__(self):
        return f"{self.project.code} {self.assessed_on}: {self.get_rating_display()}"

    def clean(self):
        if self.rating and self.rating not in DCA_RATINGS_BY_SCALE.get(self.scale, []):
            raise ValidationError(
                {"rating": f"{self.get_rating_display()} is not on the {self.get_scale_display()} scale."}
            )


class SpendProfileLine(models.Model):
    """Capital spend of a project in a financial year (and month, where known): planned, actual, forecast.

    `month` is the first day of the month, or empty for a whole-year figure.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="spend")
    financial_year = FinancialYearField()
    month = models.DateField(null=True, blank=True)
    planned = MoneyField(default=ZERO)
    actual = MoneyField(null=True, blank=True)
    forecast = MoneyField(null=True, blank=True)
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()
    marked_with = ("project",)  # hidden with its project

    class Meta:
        ordering = ["project", "financial_year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "financial_year", "month"],
                condition=Q(month__isnull=False),
                name="one_spend_line_per_month",
            ),
            models.UniqueConstraint(
                fields=["project", "financial_year"], condition=Q(month__isnull=True), name="one_spend_line_per_year"
            ),
            models.CheckConstraint(condition=Q(planned__gte=0), name="planned_spend_not_negative"),
        ]
        indexes = [models.Index(fields=["financial_year", "project"])]

    def __str__(self):
        period = self.month.strftime("%b %Y") if self.month else str(self.financial_year)
        return f"{self.project.code} {period}"

    def clean(self):
        if self.month and self.month not in self.financial_year:
            raise ValidationError({"month": f"{self.month:%B %Y} is not in {self.financial_year}."})


class Reprofile(models.Model):
    """Planned spend moved between financial years, and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reprofiles")
    amount = MoneyField()
    from_year = FinancialYearField()
    to_year = FinancialYearField()
    reason = models.TextField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()
    marked_with = ("project",)  # hidden with its project

    class Meta:
        ordering = ["project", "-made_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="reprofile_amount_positive")]

    def __str__(self):
        return f"{self.project.code}: £{self.amount:,.2f} {self.from_year} → {self.to_year}"


class CapitalProgramme(models.Model):
    """The Capital Programme Budget for a financial year, finance's fallback slippage assumption, and
    the share of the optimism bias they consider mitigated (the outturn range's prior: portfolio.outturn)."""

    financial_year = FinancialYearField(unique=True)
    budget = MoneyField(help_text="Capital Programme Budget (£)")
    slippage_assumption = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0500"),
        help_text="Share of planned spend expected to slip where no history exists (0.05 = 5%)",
    )
    mitigation_share = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.5000"),
        help_text=(
            "Share of the Green Book optimism bias finance consider mitigated, for the outturn range's prior "
            "(0 = the upper bound, 200%; 1 = the lower bound, 10%)"
        ),
    )
    source = models.CharField(max_length=300, blank=True)
    history = AuditHistory()

    class Meta:
        ordering = ["financial_year"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="programme_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(slippage_assumption__gte=0, slippage_assumption__lte=1),
                name="slippage_assumption_is_a_fraction",
            ),
            models.CheckConstraint(
                condition=Q(mitigation_share__gte=0, mitigation_share__lte=1), name="mitigation_share_is_a_fraction"
            ),
        ]

    def __str__(self):
        return f"Capital programme {self.financial_year}"


class StatusUpdate(models.Model):
    """The programme manager's monthly report on a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_updates")
    month = models.DateField(help_text="First day of the month reported on")
    dca = models.CharField("Delivery confidence", max_length=20, choices=DcaRating.choices)
    narrative = models.TextField(blank=True)
    milestones = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    forecast_change = MoneyField(default=ZERO, help_text="Change to the whole-life forecast (£), + or −")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    # An amendment (issue 14): the programme manager may correct the current reporting month's
    # update; the first version stays in the audit trail, and these say who, when and why.
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    amended_at = models.DateTimeField(null=True, blank=True)
    amendment_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every amendment, so two people amending at once cannot overwrite each other"
    )
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()
    marked_with = ("project",)  # hidden with its project

    class Meta:
        ordering = ["project", "-month"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="one_status_update_per_month")]
        indexes = [models.Index(fields=["month"])]

    def __str__(self):
        return f"{self.project.code} {self.month:%b %Y}"


class Benefit(models.Model):
    """A benefit (or dis-benefit) in the project's register (HM Treasury Green Book fields): what
    it is, who benefits, who answers for it, how it is measured from what baseline to what target,
    its value and when it is realised. Retired with a reason, never deleted."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="benefits")
    category = models.CharField(max_length=30, choices=BenefitCategory.choices)
    is_disbenefit = models.BooleanField(
        "Dis-benefit", default=False, help_text="A consequence seen as negative by a stakeholder"
    )
    description = models.TextField()
    beneficiary = models.CharField(max_length=200, blank=True, help_text="Who gains (or, for a dis-benefit, loses)")
    responsible_officer = models.CharField(max_length=120)
    measure = models.CharField(max_length=200)
    baseline = models.CharField(
        "Baseline measurement", max_length=200, blank=True, help_text="The measure before the project"
    )
    target = models.CharField(max_length=200)
    full_year_value = MoneyField(null=True, blank=True)
    timescale = models.CharField(max_length=120)
    realisation_start = models.DateField("Realisation starts", null=True, blank=True)
    realisation_end = models.DateField("Realisation ends", null=True, blank=True)
    protective_marking = models.CharField(
        max_length=20, choices=ProtectiveMarking.choices, default=ProtectiveMarking.OFFICIAL
    )
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was retired from the register (never deleted); blank while current"
    )
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    retired_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()
    marked_with = ("", "project")  # its own marking, and its project's

    class Meta:
        ordering = ["project", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(realisation_end__isnull=True)
                | Q(realisation_start__isnull=True)
                | Q(realisation_end__gte=models.F("realisation_start")),
                name="benefit_realised_after_start",
            ),
            models.CheckConstraint(condition=Q(full_year_value__gte=0), name="benefit_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.project.code}: {self.description[:40]}"

    def clean(self):
        if self.realisation_start and self.realisation_end and self.realisation_end < self.realisation_start:
            raise ValidationError({"realisation_end": "Realisation must end on or after the day it starts."})


class Milestone(models.Model):
    """A dated milestone of a project: the date set at baseline, the date forecast now, and the day
    it was achieved (blank until then). Slippage is the forecast (or achieved) day against the
    baseline."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200)
    baseline_date = models.DateField(help_text="The date set when the project was baselined")
    forecast_date = models.DateField(help_text="The date expected now")
    achieved_date = models.DateField(null=True, blank=True, help_text="When it was achieved; blank until then")
    position = models.PositiveIntegerField(default=0, help_text="Order on the project page")
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()
    marked_with = ("project",)  # hidden with its project

    class Meta:
        ordering = ["project", "position", "baseline_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="milestone_name_unique_in_project"),
        ]

    def __str__(self):
        return f"{self.project.code}: {self.name}"

    @property
    def slippage_days(self) -> int:
        """Days the milestone is (or was) late against its baseline; negative if early."""
        return ((self.achieved_date or self.forecast_date) - self.baseline_date).days

    @property
    def state(self) -> str:
        if self.achieved_date:
            return "Achieved"
        return "Late" if self.slippage_days > 0 else "On track"


class PortfolioSnapshot(models.Model):
    """The capital programme position as it stood on a day (taken nightly), so movement shows."""

    taken_on = models.DateField()
    financial_year = FinancialYearField()
    budget = MoneyField()
    managed_total = MoneyField()
    delay_adjusted_forecast = MoneyField()
    expected_slippage_rate = models.DecimalField(max_digits=7, decimal_places=6)
    includes_sensitive = models.BooleanField(
        default=False, help_text="Taken over every project; otherwise OFFICIAL-SENSITIVE ones are left out"
    )
    withheld = models.PositiveIntegerField(
        default=0, help_text="Projects marked OFFICIAL-SENSITIVE left out (publication-safe snapshots only)"
    )
    withheld_projects = models.JSONField(
        default=list,
        blank=True,
        help_text="Which projects were left out (ids): a snapshot is shown to a "
        "publication reader only if it leaves out every project withheld now",
    )

    class Meta:
        ordering = ["financial_year", "taken_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["taken_on", "financial_year", "includes_sensitive"], name="one_snapshot_a_day"
            )
        ]

    def __str__(self):
        return f"{self.financial_year} as at {self.taken_on}"


class StatusReminder(models.Model):
    """A reminder sent for a missing monthly status update (one per project and month)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reminders")
    month = models.DateField()
    sent_to = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = MarkedQuerySet.as_manager()
    marked_with = ("project",)  # hidden with its project

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="one_reminder_per_project_month")]

    def __str__(self):
        return f"Reminder {self.project.code} {self.month:%b %Y}"
