"""The contracts register: suppliers, their contracts and the commercial events the savings plan
and the portfolio depend on (notice, extension decisions, re-tender, award, exit). Every figure,
date, status and assignment is audited; nothing is deleted, only retired with a reason.

What comes from the source documents is said on each record (`source_facts`); everything else a
loader puts in is illustrative (`is_illustrative`)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from contracts.choices import EventKind, EventStatus, ProcurementRoute
from mps_ict.audit import AuditHistory
from mps_ict.fields import MoneyField
from mps_ict.marking import MarkedQuerySet, ProtectiveMarking

ZERO = Decimal("0.00")
SOURCE_HELP = "What on this record comes from the source documents, in words (empty: none of it)"
ILLUSTRATIVE_HELP = "Invented to illustrate; not from a source"


class Retirable(models.Model):
    """A record retired with a reason, never deleted; and the version a change starts from."""

    version = models.PositiveIntegerField(default=1, help_text="Goes up with every change")
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retired_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Supplier(Retirable):
    """A company the MPS buys technology or services from."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    source_facts = models.TextField(blank=True, help_text=SOURCE_HELP)
    is_illustrative = models.BooleanField(default=False, help_text=ILLUSTRATIVE_HELP)
    history = AuditHistory(excluded_fields=["version"])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Contract(Retirable):
    """A contract with a supplier: its term and extension options, its value, how it was procured
    and how much it may still be modified. `end` is the current end (with the extensions used);
    the maximum end, extensions left and the modification headroom are derived by the selectors."""

    reference = models.CharField(max_length=30, unique=True, help_text="For example GEN2")
    title = models.CharField(max_length=200)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    description = models.TextField(blank=True)
    start = models.DateField("start date")
    end = models.DateField("end date", help_text="The current end, with the extensions used so far")
    extension_months = models.PositiveSmallIntegerField(
        "length of each extension (months)", default=12, help_text="How long one extension option runs"
    )
    extensions_allowed = models.PositiveSmallIntegerField("extensions allowed", default=0)
    extensions_used = models.PositiveSmallIntegerField("extensions used", default=0)
    notice_months = models.PositiveSmallIntegerField("notice period (months)", default=6)
    value = MoneyField("value at award", help_text="The whole-life value when awarded (£)")
    annual_value = MoneyField("annual value", help_text="What it costs a year (£)")
    procurement_route = models.CharField(max_length=30, choices=ProcurementRoute.choices)
    modification_limit_share = models.DecimalField(
        "modification limit (share of the value at award)",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.5000"),
        help_text="Set by finance: 0.5 is 50% of the value at award (public contracts regulations)",
    )
    modifications_value = MoneyField(
        "modifications so far", default=ZERO, help_text="The value of the modifications made so far (£)"
    )
    protective_marking = models.CharField(
        max_length=20, choices=ProtectiveMarking.choices, default=ProtectiveMarking.OFFICIAL
    )
    source_facts = models.TextField(blank=True, help_text=SOURCE_HELP)
    is_illustrative = models.BooleanField(default=False, help_text=ILLUSTRATIVE_HELP)
    history = AuditHistory(excluded_fields=["version"])
    objects = MarkedQuerySet.as_manager()

    class Meta:
        ordering = ["end", "reference"]
        indexes = [models.Index(fields=["end"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="contract_ends_after_start"),
            models.CheckConstraint(
                condition=Q(extensions_used__lte=F("extensions_allowed")), name="contract_extensions_within_allowed"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="contract_value_not_negative"),
            models.CheckConstraint(condition=Q(annual_value__gte=0), name="contract_annual_value_not_negative"),
            models.CheckConstraint(condition=Q(modifications_value__gte=0), name="contract_modifications_not_negative"),
            models.CheckConstraint(
                condition=Q(modification_limit_share__gte=0, modification_limit_share__lte=1),
                name="contract_modification_limit_a_share",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"


class ContractEvent(Retirable):
    """A dated commercial event of a contract (notice due, extension decision, re-tender start,
    award, exit) with its owner and status. Hidden with its contract when that is marked.

    Savings initiatives and capital projects depend on events (`initiatives`, `projects`:
    declared by name as the portfolio declares its link to initiatives, so the areas need not
    know the register). The links keep no history of their own: the service that sets them writes
    the change in words into the trails of the event and of each initiative or project it adds or
    removes. An event keeps a stable id and is never deleted."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("event", max_length=30, choices=EventKind.choices)
    due = models.DateField("date")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="contract_events"
    )
    status = models.CharField(max_length=20, choices=EventStatus.choices, default=EventStatus.PLANNED)
    note = models.TextField(blank=True)
    source_facts = models.TextField(blank=True, help_text=SOURCE_HELP)
    is_illustrative = models.BooleanField(default=False, help_text=ILLUSTRATIVE_HELP)
    seed_key = models.SlugField(
        max_length=60, blank=True, editable=False, help_text="The seed's name for an event it loaded (empty: a user's)"
    )
    initiatives = models.ManyToManyField(
        "savings.Initiative",
        blank=True,
        related_name="contract_events",
        help_text="Savings initiatives whose saving depends on this event",
    )
    projects = models.ManyToManyField(
        "portfolio.Project",
        blank=True,
        related_name="contract_events",
        help_text="Capital projects that depend on this event",
    )
    history = AuditHistory(excluded_fields=["version"])
    objects = MarkedQuerySet.as_manager()
    marked_with = ("contract",)  # hidden with its contract

    class Meta:
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["due"])]
        verbose_name = "contract event"
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "seed_key"], condition=~Q(seed_key=""), name="one_seed_event_per_key"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.due:%d %b %Y})"


class EventReminder(models.Model):
    """The reminder sent to an event's owner before it falls due: once per event and date, so a
    re-run never sends twice and an event moved to a new date is reminded of again. Like the other
    reminders it keeps no history: it holds no figure, status or assignment, only that an email
    went."""

    event = models.ForeignKey(ContractEvent, on_delete=models.CASCADE, related_name="reminders")
    due = models.DateField(help_text="The event's date the reminder was for")
    sent_to = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)
    objects = MarkedQuerySet.as_manager()
    marked_with = ("event__contract",)  # hidden with its contract

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["event", "due"], name="one_reminder_per_event_date")]

    def __str__(self):
        return f"Reminder {self.event} to {self.sent_to}"
