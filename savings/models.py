"""The £60m ICT savings plan: plan, targets, categories, initiatives, phasing, quarterly actuals,
and the 2011/12 technology spend baseline. Every figure, status and assignment is audited."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from mps_ict.audit import AuditHistory
from mps_ict.fields import FinancialYearField, MoneyField
from mps_ict.financial_years import Quarter
from mps_ict.marking import MarkedQuerySet, ProtectiveMarking
from savings.choices import ActualStatus, Confidence, DeliveryStatus, SavingsType, SpendGroup

ZERO = Decimal("0.00")


class SavingsPlan(models.Model):
    """A plan to bring ICT running costs from a baseline down to a target by a financial year."""

    name = models.CharField(max_length=200, unique=True)
    baseline_year = FinancialYearField(help_text="The year whose running cost is the baseline, e.g. 2012/13")
    baseline_cost = MoneyField(help_text="Running cost a year at the baseline (£)")
    target_cost = MoneyField(help_text="Running cost a year once the plan is delivered (£)")
    target_year = FinancialYearField(help_text="The year by which the reduction is due, e.g. 2015/16")
    costs_outside_doi = MoneyField(default=ZERO, help_text="ICT costs outside the Directorate of Information (£)")
    costs_outside_doi_in_scope = MoneyField(default=ZERO, help_text="Of those, the part in scope of the plan (£)")
    source = models.TextField(blank=True, help_text="Where the figures come from")
    history = AuditHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def target_reduction(self) -> Decimal:
        return self.baseline_cost - self.target_cost

    def clean(self):
        if self.target_cost is not None and self.baseline_cost is not None and self.target_cost > self.baseline_cost:
            raise ValidationError({"target_cost": "The target cost must not be above the baseline cost."})
        if self.costs_outside_doi_in_scope > self.costs_outside_doi:
            raise ValidationError({"costs_outside_doi_in_scope": "The part in scope cannot exceed the whole."})


class PlanTarget(models.Model):
    """A cumulative saving the plan must reach by a financial year (against the baseline)."""

    plan = models.ForeignKey(SavingsPlan, on_delete=models.CASCADE, related_name="targets")
    financial_year = FinancialYearField()
    cumulative_target = MoneyField(help_text="Saving a year against the baseline due by this year (£)")
    source = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()

    class Meta:
        ordering = ["plan", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "financial_year"], name="one_target_per_plan_year"),
            models.CheckConstraint(condition=Q(cumulative_target__gte=0), name="target_not_negative"),
        ]

    def __str__(self):
        return f"{self.plan}: {self.financial_year}"


class Category(models.Model):
    """An area of ICT spend the plan works on (Data Centres, Network, ...)."""

    plan = models.ForeignKey(SavingsPlan, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was withdrawn from the plan (never deleted); blank while in use"
    )
    withdrawn_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up with every change, so two people editing at once cannot overwrite each other"
    )
    history = AuditHistory()

    class Meta:
        ordering = ["plan", "position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="category_name_unique_in_plan"),
            models.UniqueConstraint(fields=["plan", "slug"], name="category_slug_unique_in_plan"),
        ]

    def __str__(self):
        return self.name


class Initiative(models.Model):
    """One way of cutting cost in a category: what it costs now, what it will cost, and how."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="initiatives")
    reference = models.SlugField(max_length=40, unique=True, help_text="Short unique reference, e.g. SAV-DC")
    description = models.TextField()
    owner = models.CharField(max_length=120, blank=True)
    cost_now = MoneyField(help_text="Running cost a year now (£)")
    future_cost = MoneyField(help_text="Running cost a year once delivered (£)")
    stated_reduction = MoneyField(
        null=True,
        blank=True,
        help_text="The reduction the source states (£, as a positive saving), if it states a number",
    )
    stated_reduction_text = models.CharField(
        max_length=40, blank=True, help_text="The reduction exactly as the source printed it, e.g. φ"
    )
    savings_type = models.CharField(max_length=40, choices=SavingsType.choices)
    savings_type_is_assumed = models.BooleanField(default=False)
    cashable = models.BooleanField(default=True)
    investment_needed = MoneyField(null=True, blank=True, help_text="Invest-to-save amount (£), if known")
    investment_note = models.CharField(max_length=300, blank=True)
    inside_doi_budget = models.BooleanField(default=True, help_text="Inside the Directorate of Information budget")
    delivery_status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_STARTED
    )
    confidence = models.CharField(
        max_length=10, choices=Confidence.choices, default=Confidence.NOT_ASSESSED, blank=True
    )
    dependencies = models.TextField(blank=True, help_text="Dependencies and constraints")
    protective_marking = models.CharField(
        max_length=20, choices=ProtectiveMarking.choices, default=ProtectiveMarking.OFFICIAL
    )
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it was withdrawn from the plan (never deleted: its figures leave the totals, "
        "its record and trail stay); blank while it is in the plan",
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdrawn_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1,
        help_text="Goes up with every change to the initiative or its profile, so two people editing at once "
        "cannot overwrite each other",
    )
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()

    class Meta:
        ordering = ["category__position", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(cost_now__gte=0), name="initiative_cost_now_not_negative"),
            models.CheckConstraint(condition=Q(future_cost__gte=0), name="initiative_future_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.category.name}"

    @property
    def baseline_reduction(self) -> Decimal:
        """Cost now less future cost: the figure every total uses."""
        return self.cost_now - self.future_cost

    @property
    def discrepancy(self) -> bool:
        """The source states a reduction that is missing or disagrees with the derived one."""
        if self.stated_reduction_text and self.stated_reduction is None:
            return True
        return self.stated_reduction is not None and self.stated_reduction != self.baseline_reduction


class SavingsProfile(models.Model):
    """The saving an initiative is planned to make in a financial year, against the baseline.

    It is the year's saving, not the increment on the year before: an initiative planned to save
    £4m in 2014/15 and £8m in 2015/16 has rows of 4,000,000 and 8,000,000.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="profile")
    financial_year = FinancialYearField()
    planned_saving = MoneyField()
    is_assumed = models.BooleanField(default=False, help_text="An assumption, not a figure from a source")
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()
    marked_with = ("initiative",)  # hidden with its initiative

    class Meta:
        ordering = ["initiative", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "financial_year"], name="one_profile_row_per_year"),
            models.CheckConstraint(condition=Q(planned_saving__gte=0), name="planned_saving_not_negative"),
        ]

    def __str__(self):
        return f"{self.initiative.reference} {self.financial_year}"


class QuarterlyActual(models.Model):
    """What an initiative actually saved in a quarter, and the forecast for its year.

    Draft → submitted → approved (or returned with a reason). `version` goes up with every save,
    so two people editing the same actual cannot silently overwrite each other.

    Approved figures are never edited in place: a correction is a new revision of the same
    initiative and quarter (`revision` 2, 3, ..., with `correction_reason`, `corrects` pointing at
    the approved revision) that goes through maker-checker again. The approved revision stays in
    force until the correction is approved; then it becomes `superseded`, kept and shown. At most
    one revision of a quarter is approved, and at most one is open (draft, submitted or returned).
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="actuals")
    financial_year = FinancialYearField()
    quarter = models.PositiveSmallIntegerField(choices=[(n, f"Q{n}") for n in (1, 2, 3, 4)])
    actual_saving = MoneyField(help_text="Saving achieved in the quarter (£)")
    forecast_full_year = MoneyField(help_text="Forecast saving for the whole financial year (£)")
    commentary = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ActualStatus.choices, default=ActualStatus.DRAFT)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    revision = models.PositiveSmallIntegerField(
        default=1, help_text="1 for the first figures of the quarter; each correction is the next revision"
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
        help_text="The approved revision this one corrects",
    )
    correction_reason = models.TextField(blank=True, help_text="Why the approved figures are being corrected")
    history = AuditHistory()
    objects = MarkedQuerySet.as_manager()
    marked_with = ("initiative",)  # hidden with its initiative

    class Meta:
        ordering = ["financial_year", "quarter", "initiative__reference", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "financial_year", "quarter", "revision"],
                name="one_actual_revision_per_initiative_quarter",
            ),
            models.UniqueConstraint(
                fields=["initiative", "financial_year", "quarter"],
                condition=Q(status="approved"),
                name="one_approved_actual_per_initiative_quarter",
            ),
            models.UniqueConstraint(
                fields=["initiative", "financial_year", "quarter"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="one_open_actual_per_initiative_quarter",
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="actual_revision_from_1"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="quarter_is_1_to_4"),
            models.CheckConstraint(condition=Q(forecast_full_year__gte=0), name="forecast_not_negative"),
        ]
        indexes = [models.Index(fields=["financial_year", "quarter", "status"])]
        permissions = [("approve_quarterlyactual", "Can approve or return a colleague's quarterly actuals")]

    def __str__(self):
        return f"{self.initiative.reference} {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.financial_year, self.quarter)

    @property
    def editable(self) -> bool:
        return self.status in (ActualStatus.DRAFT, ActualStatus.RETURNED)

    @property
    def is_correction(self) -> bool:
        return self.revision > 1


class QuarterClosure(models.Model):
    """A quarter's closure: while `closed`, its approved actuals are locked.

    A closed quarter may be reopened, with a reason, by a finance user other than the one who
    closed it, and closed again: the row keeps the last closing and the last reopening, and its
    history keeps every one (who, when, why)."""

    plan = models.ForeignKey(SavingsPlan, on_delete=models.CASCADE, related_name="closures")
    financial_year = FinancialYearField()
    quarter = models.PositiveSmallIntegerField(choices=[(n, f"Q{n}") for n in (1, 2, 3, 4)])
    closed = models.BooleanField(default=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(default=timezone.now)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)
    history = AuditHistory()

    class Meta:
        ordering = ["plan", "financial_year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "financial_year", "quarter"], name="quarter_closed_once"),
        ]

    def __str__(self):
        state = "closed" if self.closed else "reopened"
        return f"{self.plan}: {Quarter(self.financial_year, self.quarter)} {state}"


class PlanVersion(models.Model):
    """A named, dated baseline of the plan ("Briefing note, 29 April 2013", "After supplier
    consultation"): the plan as it stood at `taken_at`, read back from the audit trail (the same
    replay as "as at"), so a version is never a copy that could drift from the records. Versions
    are compared with each other or with today, initiative by initiative and by savings type."""

    plan = models.ForeignKey(SavingsPlan, on_delete=models.PROTECT, related_name="versions")
    name = models.CharField(max_length=200)
    dated = models.DateField(help_text="The date the version is known by, e.g. 29 April 2013")
    taken_at = models.DateTimeField(help_text="The moment whose plan it is: the audit trail replayed to then")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    note = models.TextField(blank=True, help_text="What this version is, and why it was taken")
    history = AuditHistory()

    class Meta:
        ordering = ["plan", "taken_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="plan_version_name_unique")]

    def __str__(self):
        return self.name


class SpendBaseline(models.Model):
    """A year's technology spend, as the 2012 review tabled it (the 2011/12 baseline)."""

    financial_year = FinancialYearField(unique=True)
    total = MoneyField(help_text="Total technology expenditure (£)")
    comparable_total = MoneyField(help_text="The part comparable with other forces (£)")
    managed_by_doi = MoneyField(help_text="The part managed by the Directorate of Information (£)")
    share_of_revenue_budget = models.DecimalField(
        max_digits=5, decimal_places=2, help_text="Comparable technology spend as % of the revenue budget"
    )
    third_party_share_of_revenue = models.DecimalField(
        max_digits=5, decimal_places=2, help_text="% of technology revenue spent through third-party contracts"
    )
    source = models.CharField(max_length=300, blank=True)
    history = AuditHistory()

    class Meta:
        ordering = ["financial_year"]

    def __str__(self):
        return f"Technology spend {self.financial_year}"


class SpendBaselineLine(models.Model):
    """One line of the spend table: an amount, and the amount used as comparator where there is one."""

    baseline = models.ForeignKey(SpendBaseline, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    group = models.CharField(max_length=30, choices=SpendGroup.choices, blank=True, help_text="Blank for totals")
    is_subtotal = models.BooleanField(default=False)
    amount = MoneyField()
    comparator_amount = MoneyField(null=True, blank=True)
    history = AuditHistory()

    class Meta:
        ordering = ["baseline", "position"]
        constraints = [models.UniqueConstraint(fields=["baseline", "position"], name="spend_line_position_unique")]

    def __str__(self):
        return self.name


class ActualReminder(models.Model):
    """The reminder to finance of the initiatives with no actual submitted for a quarter, recorded
    once per quarter so a re-run never sends twice. Like the other reminders it keeps no history:
    it holds no figure, status or assignment, only the fact that an email went."""

    financial_year = FinancialYearField()
    quarter = models.PositiveSmallIntegerField(choices=[(n, f"Q{n}") for n in (1, 2, 3, 4)])
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(help_text="Addresses it went to, one per line")
    initiative_count = models.PositiveIntegerField(help_text="How many initiatives it listed")

    class Meta:
        ordering = ["-financial_year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["financial_year", "quarter"], name="one_actual_reminder_per_quarter"),
        ]

    def __str__(self):
        return f"Actuals reminder {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.financial_year, self.quarter)
