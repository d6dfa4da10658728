"""Reads of the savings plan. Every figure is aggregated in the database, in a fixed number of
queries however many initiatives, quarters or years there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from mps_ict.audit import FieldChange, HistoryEntry, as_of, history_entries, last_changed, person
from mps_ict.figures_cache import cached_figure
from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.marking import Withheld, can_view_restricted, visible_q
from mps_ict.money import format_millions, format_pounds
from mps_ict.phasing import dependence
from mps_ict.ranges import RangeRow, chance_in_words
from savings.choices import ActualStatus, Confidence, SavingsType
from savings.models import (
    Category,
    Initiative,
    PlanTarget,
    PlanVersion,
    QuarterClosure,
    QuarterlyActual,
    SavingsPlan,
    SavingsProfile,
)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
AMBER_THRESHOLD = Decimal("0.90")  # forecast at 90–100% of target is amber; below is red


def _zero():
    return Value(ZERO, output_field=MONEY)


def plan_current() -> SavingsPlan | None:
    return SavingsPlan.objects.order_by("pk").first()


def plan_list(*, user) -> QuerySet:
    """The plans, each with how many of its initiatives are withheld from `user` and its whole-plan
    figures (baseline cost, target cost, reduction) only where none is: beside sums over the
    published initiatives they would disclose the withheld ones. One query."""
    if can_view_restricted(user):
        withheld = Value(0)
    else:
        hidden = Initiative.objects.filter(category__plan=OuterRef("pk")).withheld(user)
        withheld = Coalesce(Subquery(hidden.values("category__plan").annotate(n=Count("pk")).values("n")), Value(0))
    given = Q(withheld=0)
    return (
        SavingsPlan.objects.annotate(withheld=withheld)
        .annotate(
            published_baseline_cost=Case(When(given, then=F("baseline_cost")), output_field=MONEY),
            published_target_cost=Case(When(given, then=F("target_cost")), output_field=MONEY),
            published_target_reduction=Case(
                When(given, then=F("baseline_cost") - F("target_cost")), output_field=MONEY
            ),
        )
        .order_by("pk")
    )


@dataclass
class CategoryPosition:
    pk: int
    name: str
    slug: str
    initiative_count: int
    cost_now: Decimal
    future_cost: Decimal
    baseline_reduction: Decimal
    stated_reduction: Decimal | None
    stated_reduction_printed: str
    discrepancy: bool


@dataclass
class YearPosition:
    financial_year: FinancialYear
    planned: Decimal
    target: Decimal | None
    realised: Decimal
    forecast: Decimal
    quarters_reported: int

    @property
    def gap(self) -> Decimal:
        """Forecast less what is due (the target, or the plan where no target is set)."""
        return self.forecast - (self.target if self.target is not None else self.planned)

    @property
    def rag(self) -> str:
        due = self.target if self.target is not None else self.planned
        if not due or self.forecast >= due:
            return Confidence.GREEN
        return Confidence.AMBER if self.forecast >= due * AMBER_THRESHOLD else Confidence.RED


@dataclass
class PlanSummary:
    plan: SavingsPlan
    cost_now: Decimal
    future_cost: Decimal
    baseline_reduction: Decimal
    categories: list[CategoryPosition]
    years: list[YearPosition]
    reporting_year: YearPosition | None
    withheld: int = 0
    targets: list[PlanTarget] = field(default_factory=list)
    as_at: date | None = None  # the day whose end the figures were read at; None: now

    @property
    def realised_to_date(self) -> Decimal:
        return self.reporting_year.realised if self.reporting_year else ZERO

    @property
    def forecast(self) -> Decimal:
        return self.reporting_year.forecast if self.reporting_year else ZERO

    @property
    def withheld_sentence(self) -> str:
        return Withheld(self.withheld, "initiative").sentence

    @property
    def whole_plan_figures_given(self) -> bool:
        """The plan's own totals (baseline cost, target cost, targets) are given only when nothing
        is withheld: beside sums over the published initiatives they would disclose the rest."""
        return not self.withheld

    @property
    def discrepancies(self) -> list[CategoryPosition]:
        return [category for category in self.categories if category.discrepancy]


def categories_visible_to(user) -> QuerySet:
    """Categories a reader may see: all but those whose every initiative is withheld from them (in
    the seed a category has one initiative, and its name names it)."""
    categories = Category.objects.all()
    if can_view_restricted(user):
        return categories
    initiatives = Initiative.objects.filter(category=OuterRef("pk"))
    return categories.exclude(Exists(initiatives.withheld(user)) & ~Exists(initiatives.visible_to(user)))


def plan_categories(*, plan: SavingsPlan, user=None, records: PlanRecords | None = None) -> list[CategoryPosition]:
    """Each category's totals over the initiatives the user may see (two queries). With `records`
    as at a past moment, the initiatives as they stood then, and only the categories that had any."""
    records = records or PlanRecords.live()
    unreadable = Q(stated_reduction__isnull=True) & ~Q(stated_reduction_text="")
    initiatives = records.initiatives.filter(category__plan=plan)
    if not can_view_restricted(user):  # the marking a record carries now decides, also for its past
        initiatives = initiatives.filter(id__in=Initiative.objects.visible_to(user).values("pk"))
    totals = {
        row["category_id"]: row
        for row in initiatives.values("category_id")
        .annotate(
            initiative_count=Count("id"),
            cost_now_total=Sum("cost_now"),
            future_cost_total=Sum("future_cost"),
            stated_total=Sum("stated_reduction"),
            # printed, but not a number (the seed's "φ")
            unreadable=Count("id", filter=unreadable),
            # a number that disagrees with cost now less future cost
            disagreeing=Count(
                "id",
                filter=Q(stated_reduction__isnull=False) & ~Q(stated_reduction=F("cost_now") - F("future_cost")),
            ),
            printed=Max("stated_reduction_text", filter=unreadable),
        )
        .order_by()
    }
    categories = categories_visible_to(user).filter(plan=plan).order_by("position", "name")
    return [
        _category_position(category, totals.get(category.pk))
        for category in categories
        # now, every category in use (a withdrawn one has no initiative in the plan)
        if category.pk in totals or (records.at is None and category.withdrawn_at is None)
    ]


def _category_position(category: Category, row: dict | None) -> CategoryPosition:
    row = row or {"initiative_count": 0, "unreadable": 0, "disagreeing": 0}
    cost_now, future_cost = row.get("cost_now_total") or ZERO, row.get("future_cost_total") or ZERO
    return CategoryPosition(
        pk=category.pk,
        name=category.name,
        slug=category.slug,
        initiative_count=row["initiative_count"],
        cost_now=cost_now,
        future_cost=future_cost,
        baseline_reduction=cost_now - future_cost,
        stated_reduction=None if row["unreadable"] else row.get("stated_total"),
        stated_reduction_printed=(row.get("printed") or "") if row["unreadable"] else "",
        discrepancy=bool(row["unreadable"] or row["disagreeing"]),
    )


@dataclass(frozen=True)
class PlanRecords:
    """Where the plan's figures are read from: the live tables (`at` None), or the audit history
    replayed to a moment (see mps_ict.audit.as_of): this area's answer to "as at".

    The one place where a withdrawn initiative leaves the plan's figures: `initiatives`,
    `profiles` and `actuals` hold only initiatives in the plan at that moment (not withdrawn
    then: as at a day before its withdrawal, it still counts)."""

    at: datetime | None
    initiatives: QuerySet
    profiles: QuerySet
    actuals: QuerySet
    targets: QuerySet

    @classmethod
    def live(cls) -> PlanRecords:
        in_plan = Q(initiative__withdrawn_at__isnull=True)
        return cls(
            None,
            Initiative.objects.filter(withdrawn_at__isnull=True),
            SavingsProfile.objects.filter(in_plan),
            QuarterlyActual.objects.filter(in_plan),
            PlanTarget.objects.all(),
        )

    @classmethod
    def as_at(cls, at: datetime) -> PlanRecords:
        initiatives = as_of(Initiative, at).filter(withdrawn_at__isnull=True)  # as each stood then
        in_plan = Q(initiative_id__in=initiatives.values("id"))
        return cls(
            at,
            initiatives,
            as_of(SavingsProfile, at).filter(in_plan),
            as_of(QuarterlyActual, at).filter(in_plan),
            as_of(PlanTarget, at),
        )

    @property
    def moment(self) -> str:
        """The part of a cache key that says when the figures are read."""
        return self.at.isoformat() if self.at else "now"

    def recorded(self, plan: SavingsPlan) -> bool:
        """Whether the plan had any initiative by then (before its source document, none), in the
        plan or withdrawn (a plan whose every initiative was withdrawn was still recorded)."""
        return self.at is None or as_of(Initiative, self.at).filter(category__plan=plan).exists()


def records_at(at: datetime | None) -> PlanRecords:
    """The savings plan as it stands (None) or as it stood at the moment `at`."""
    return PlanRecords.live() if at is None else PlanRecords.as_at(at)


def plan_years(*, plan: SavingsPlan, user=None, records: PlanRecords | None = None) -> list[YearPosition]:
    """Per financial year: planned (sum of the profile), target, realised (approved actuals) and
    forecast (each initiative's latest approved forecast for the year, else its plan).

    Five set-based aggregates, whatever the number of initiatives or quarters. `records` reads
    the plan as it stood at a past moment (PlanRecords.as_at) instead of as it stands.
    """
    records = records or PlanRecords.live()
    visible = visible_q(user, "initiative__")
    if records.at is not None:  # only initiatives that existed then
        visible &= Q(initiative__in=records.initiatives.values("id"))
    profiles = records.profiles.filter(visible, initiative__category__plan=plan)
    approved = records.actuals.filter(visible, initiative__category__plan=plan, status=ActualStatus.APPROVED)

    # The plan per year, and the part of it replaced by initiatives that have approved actuals
    has_approved = Exists(
        records.actuals.filter(
            initiative=OuterRef("initiative"), financial_year=OuterRef("financial_year"), status=ActualStatus.APPROVED
        )
    )
    plan_rows = (
        profiles.values_list("financial_year")
        .annotate(total=Sum("planned_saving"), replaced=Sum("planned_saving", filter=has_approved))
        .values_list("financial_year", "total", "replaced")
        .order_by()
    )
    planned = {year: total for year, total, _ in plan_rows}
    replaced_plan = {year: replaced or ZERO for year, _, replaced in plan_rows}
    realised = {
        year: (total, count)
        for year, total, count in approved.values_list("financial_year")
        .annotate(total=Sum("actual_saving"), count=Count("pk"))
        .values_list("financial_year", "total", "count")
        .order_by()
    }
    # Each initiative's latest approved quarter in a year (no later approved quarter exists) carries
    # its current forecast for the year. On PostgreSQL this NOT EXISTS is an anti-join, not a
    # lookup per row (inside an aggregate's filter it would be a lookup per row: keep it here).
    later_approved = records.actuals.filter(
        initiative=OuterRef("initiative"),
        financial_year=OuterRef("financial_year"),
        status=ActualStatus.APPROVED,
        quarter__gt=OuterRef("quarter"),
    )
    latest_forecasts = dict(_sum_by_year(approved.filter(~Exists(later_approved)), "forecast_full_year"))
    targets = _targets_given(records.targets.filter(plan=plan), user)
    return [
        YearPosition(
            financial_year=year,
            planned=planned.get(year, ZERO),
            target=targets.get(year),
            realised=realised.get(year, (ZERO, 0))[0],
            forecast=planned.get(year, ZERO) - replaced_plan.get(year, ZERO) + latest_forecasts.get(year, ZERO),
            quarters_reported=realised.get(year, (ZERO, 0))[1],
        )
        for year in sorted(set(planned) | set(targets))
    ]


def _sum_by_year(queryset: QuerySet, field_name: str):
    return (
        queryset.values_list("financial_year")
        .annotate(total=Sum(field_name))
        .values_list("financial_year", "total")
        .order_by()
    )


def plan_summary(*, plan: SavingsPlan, user=None, records: PlanRecords | None = None) -> PlanSummary:
    """The plan at a glance (now, or as at `records`), cached until a savings write changes it
    (see mps_ict.figures_cache)."""
    restricted = can_view_restricted(user)
    records = records or PlanRecords.live()
    return cached_figure(
        Initiative._meta.app_label,
        ("summary", plan.pk, restricted, records.moment),
        lambda: plan_summary_compute(plan=plan, user=user, records=records),
    )


def plan_summary_compute(*, plan: SavingsPlan, user=None, records: PlanRecords | None = None) -> PlanSummary:
    """The plan at a glance: totals, categories, per-year trajectory and the reporting year
    (the latest year with approved actuals, else the year the target falls due)."""
    categories = plan_categories(plan=plan, user=user, records=records)
    years = plan_years(plan=plan, user=user, records=records)
    reporting_year = _reporting_year(years, plan=plan)
    withheld = initiatives_withheld(plan=plan, user=user)
    cost_now = sum((c.cost_now for c in categories), ZERO)
    future_cost = sum((c.future_cost for c in categories), ZERO)
    return PlanSummary(
        plan=plan,
        cost_now=cost_now,
        future_cost=future_cost,
        baseline_reduction=cost_now - future_cost,
        categories=categories,
        years=years,
        reporting_year=reporting_year,
        withheld=withheld,
        targets=[year for year in years if year.target is not None],
        as_at=timezone.localdate(records.at) if records and records.at else None,
    )


def _reporting_year(years: list[YearPosition], *, plan: SavingsPlan) -> YearPosition | None:
    """The latest year with approved actuals, else the year the target falls due."""
    reported = [year for year in years if year.quarters_reported]
    if reported:
        return reported[-1]
    return next((year for year in years if year.financial_year == plan.target_year), years[-1] if years else None)


def initiatives_withheld(*, plan: SavingsPlan, user) -> int:
    # withdrawn ones count too: figures as at a day before their withdrawal include them
    return Initiative.objects.filter(category__plan=plan).withheld_from(user)


FIGURE_MODELS = (Initiative, SavingsProfile, QuarterlyActual, PlanTarget)


@dataclass
class SavingsHeadline:
    """The plan's position for the board: the reporting year (target, realised, forecast, RAG)."""

    year: YearPosition | None
    years: list[YearPosition]
    withheld: int
    last_updated: datetime | None
    plan_version: VersionShown | None = None  # which version of the plan the figures are

    @property
    def withheld_sentence(self) -> str:
        return Withheld(self.withheld, "initiative").sentence


def savings_headline(*, plan: SavingsPlan, user=None, records: PlanRecords | None = None) -> SavingsHeadline | None:
    """Where the plan stands now or, with `records` as at a past moment, as it stood then; None
    if nothing of the plan was recorded by then. Cached until a savings write changes it."""
    restricted = can_view_restricted(user)
    records = records or PlanRecords.live()

    def compute():
        if not records.recorded(plan):
            return None
        if records.at is None:
            years = plan_summary(plan=plan, user=user).years
        else:
            years = plan_years(plan=plan, user=user, records=records)
        return SavingsHeadline(
            year=_reporting_year(years, plan=plan),
            years=years,
            withheld=initiatives_withheld(plan=plan, user=user),
            last_updated=last_changed(*FIGURE_MODELS, at=records.at),
            plan_version=plan_version_shown(plan=plan, at=records.at),
        )

    return cached_figure(Initiative._meta.app_label, ("headline", plan.pk, restricted, records.moment), compute)


@dataclass(frozen=True)
class BreakdownRow:
    financial_year: FinancialYear
    group: str
    group_key: str
    planned: Decimal
    realised: Decimal


BREAKDOWN_GROUPS = {"savings_type": "initiative__savings_type", "category": "initiative__category__name"}


def plan_breakdown(*, plan: SavingsPlan, by: str, user=None, records: PlanRecords | None = None) -> list[BreakdownRow]:
    """The breakdown (now, or as at `records`), cached until a savings write changes it."""
    restricted = can_view_restricted(user)
    records = records or PlanRecords.live()
    return cached_figure(
        Initiative._meta.app_label,
        ("breakdown", plan.pk, by, restricted, records.moment),
        lambda: plan_breakdown_compute(plan=plan, by=by, user=user, records=records),
    )


def plan_breakdown_compute(
    *, plan: SavingsPlan, by: str, user=None, records: PlanRecords | None = None
) -> list[BreakdownRow]:
    """Planned and realised saving per group per financial year (two queries).

    `planned` is the year's saving against the baseline, not the increment on the year before.
    A group is read through the initiative as it is now (its type or category).
    """
    records = records or PlanRecords.live()
    group_path = BREAKDOWN_GROUPS[by]
    visible = visible_q(user, "initiative__")
    if records.at is not None:  # only initiatives that existed then
        visible &= Q(initiative__in=records.initiatives.values("id"))
    planned = {
        (row["financial_year"], row[group_path]): row["total"]
        for row in records.profiles.filter(visible, initiative__category__plan=plan)
        .values("financial_year", group_path)
        .annotate(total=Sum("planned_saving"))
    }
    realised = {
        (row["financial_year"], row[group_path]): row["total"]
        for row in records.actuals.filter(visible, initiative__category__plan=plan, status=ActualStatus.APPROVED)
        .values("financial_year", group_path)
        .annotate(total=Sum("actual_saving"))
    }
    labels = dict(SavingsType.choices) if by == "savings_type" else {}
    order = {key: index for index, key in enumerate(SavingsType.values)} if by == "savings_type" else {}
    if by == "category":
        order = {
            name: position for name, position in Category.objects.filter(plan=plan).values_list("name", "position")
        }
    keys = sorted(set(planned) | set(realised), key=lambda key: (key[0], order.get(key[1], 999), key[1]))
    return [
        BreakdownRow(
            financial_year=year,
            group=labels.get(group, group),
            group_key=group,
            planned=planned.get((year, group), ZERO),
            realised=realised.get((year, group), ZERO),
        )
        for year, group in keys
    ]


def initiative_list(*, user, queryset: QuerySet | None = None) -> QuerySet:
    """Initiatives with their category and derived reduction, for lists and the API."""
    queryset = (Initiative.objects.all() if queryset is None else queryset).visible_to(user)
    return queryset.select_related("category", "withdrawn_by").annotate(
        baseline_reduction_value=F("cost_now") - F("future_cost")
    )


def initiative_detail(*, user, reference: str) -> Initiative:
    projects = Initiative._meta.get_field("enabled_by_projects").related_model.objects.visible_to(user)
    return (
        Initiative.objects.visible_to(user)
        .select_related("category__plan", "withdrawn_by")
        .prefetch_related("profile", Prefetch("enabled_by_projects", queryset=projects.order_by("code")))
        .get(reference=reference)
    )


@dataclass(frozen=True)
class ContractDependence:
    """A contract event the initiative's saving depends on, and the part of the saving that does,
    in each of the initiative's planned years (mps_ict.phasing)."""

    event: object  # a contracts.ContractEvent, with its contract
    financial_year: FinancialYear  # the year the event falls in
    by_year: tuple[Decimal, ...]  # in the order of the initiative's profile years
    total: Decimal


def initiative_contract_events(*, user, initiative: Initiative) -> list[ContractDependence]:
    """The live contract events (of contracts the reader may see) the initiative depends on, by
    date, each with the pounds of each planned year that depend on it. One query beyond the
    initiative's prefetched profile; the register is reached through the link it declares."""
    events = (
        initiative.contract_events.visible_to(user)
        .filter(retired_at__isnull=True)
        .select_related("contract")
        .order_by("due", "pk")
    )
    profile = {row.financial_year: row.planned_saving for row in initiative.profile.all()}
    rows = []
    for event in events:
        part = dependence(profile, event=event.due)
        rows.append(
            ContractDependence(
                event,
                FinancialYear.from_date(event.due),
                tuple(part.dependent[year] for year in part.years),
                part.dependent_total,
            )
        )
    return rows


def initiative_actuals(*, initiative: Initiative) -> QuerySet:
    """Each quarter's figures in force (approved) and any open revision (first figures or a
    correction); superseded revisions are kept and shown on each figure's page."""
    return (
        initiative.actuals.exclude(status=ActualStatus.SUPERSEDED)
        .select_related("entered_by", "submitted_by", "decided_by")
        .order_by("financial_year", "quarter", "revision")
    )


@dataclass
class QuarterRow:
    """An initiative's row of a quarter. `actual` is the revision being worked on: the open one
    (first figures, or a correction of the approved ones: its `corrects` is the figure in force)
    if there is one, else the approved one; superseded revisions are not rows."""

    initiative: Initiative
    planned: Decimal | None
    actual: QuarterlyActual | None

    @property
    def in_force(self) -> QuarterlyActual | None:
        """The approved figures of the quarter, while a correction of them is open too."""
        actual = self.actual
        if actual is None:
            return None
        return actual if actual.status == ActualStatus.APPROVED else actual.corrects


def actual_working(*, initiative: Initiative, quarter: Quarter) -> QuarterlyActual | None:
    """The initiative's figures for the quarter being worked on: the open revision (first figures
    or a correction, always the latest) if there is one, else the approved one; None if none."""
    return (
        QuarterlyActual.objects.filter(
            initiative=initiative, financial_year=quarter.financial_year, quarter=quarter.number
        )
        .exclude(status=ActualStatus.SUPERSEDED)
        .order_by("-revision")
        .first()
    )


def quarter_rows(*, plan: SavingsPlan, quarter, user) -> list[QuarterRow]:
    """Each visible initiative with its planned saving for the year and its actual for the
    quarter, the open revision where there is one (two queries)."""
    planned_for_year = SavingsProfile.objects.filter(
        initiative=OuterRef("pk"), financial_year=quarter.financial_year
    ).values("planned_saving")[:1]
    in_quarter = QuarterlyActual.objects.filter(
        initiative=OuterRef("pk"), financial_year=quarter.financial_year, quarter=quarter.number
    )
    initiatives = list(
        Initiative.objects.visible_to(user)
        .filter(category__plan=plan)
        .exclude(Q(withdrawn_at__isnull=False) & ~Exists(in_quarter))  # withdrawn: only with figures here
        .select_related("category")
        .annotate(planned_for_year=Subquery(planned_for_year, output_field=MONEY))
        .order_by("category__position", "reference")
    )
    actuals = {
        actual.initiative_id: actual
        # ordered by revision, so an initiative's open revision (always the latest) is the one kept
        for actual in QuarterlyActual.objects.filter(
            initiative__in=[i.pk for i in initiatives],
            financial_year=quarter.financial_year,
            quarter=quarter.number,
        )
        .exclude(status=ActualStatus.SUPERSEDED)
        .select_related("entered_by", "submitted_by", "decided_by", "corrects")
        .order_by("revision")
    }
    for initiative in initiatives:
        if initiative.pk in actuals:
            actuals[initiative.pk].initiative = initiative  # the row's own, with its category: no query per row
    return [QuarterRow(i, i.planned_for_year, actuals.get(i.pk)) for i in initiatives]


def spend_baseline_latest():
    from savings.models import SpendBaseline

    return SpendBaseline.objects.order_by("-financial_year").first()


@dataclass(frozen=True)
class QuarterState:
    """One row of the quarter index: a quarter, its actuals by status and its closure, if any."""

    quarter: Quarter
    open: int  # draft or returned
    submitted: int
    approved: int
    closure: QuarterClosure | None = None

    @property
    def closed(self) -> bool:
        return self.closure is not None and self.closure.closed

    @property
    def state(self) -> str:
        """The quarter's state in words: "Open", "N awaiting approval" or "Closed by …, <date>"."""
        if self.closed:
            return f"Closed by {self.closure.closed_by.get_username()}, {_day(self.closure.closed_at)}"
        if self.submitted:
            return f"{self.submitted} awaiting approval"
        return "Open"

    @property
    def reopened(self) -> str:
        """Who last reopened the quarter, when and why; empty if it never was."""
        if self.closure is None or self.closure.reopened_by_id is None:
            return ""
        closure = self.closure
        return f"Reopened by {closure.reopened_by.get_username()}, {_day(closure.reopened_at)}: {closure.reopen_reason}"


def _day(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}"


def plan_quarters(*, plan: SavingsPlan) -> list[QuarterState]:
    """The quarters of every year the plan covers, with how many actuals each has by status and
    who closed or reopened it (two queries, whatever the number of quarters or figures)."""

    years = plan_year_range(plan=plan)
    counts = {}
    for year, number, status, total in (
        # withdrawn initiatives' figures too: the quarter page lists them while they have any
        QuarterlyActual.objects.filter(initiative__category__plan=plan)
        .values_list("financial_year", "quarter", "status")
        .annotate(total=Count("pk"))
    ):
        counts.setdefault((year, number), {})[status] = total
    closures = {
        (closure.financial_year, closure.quarter): closure
        for closure in QuarterClosure.objects.filter(plan=plan).select_related("closed_by", "reopened_by")
    }
    rows = []
    for year in years:
        for quarter in year.quarters:
            key = (quarter.financial_year, quarter.number)
            by_status = counts.get(key, {})
            rows.append(
                QuarterState(
                    quarter=quarter,
                    open=by_status.get(ActualStatus.DRAFT, 0) + by_status.get(ActualStatus.RETURNED, 0),
                    submitted=by_status.get(ActualStatus.SUBMITTED, 0),
                    approved=by_status.get(ActualStatus.APPROVED, 0),
                    closure=closures.get(key),
                )
            )
    return rows


def plan_year_range(*, plan: SavingsPlan) -> list[FinancialYear]:
    first = plan.baseline_year.next()
    return list(FinancialYear.range(first, plan.target_year))


def plan_targets(*, plan: SavingsPlan, user, records: PlanRecords | None = None) -> dict[FinancialYear, Decimal]:
    """The plan's targets by year (now, or as at `records`), as far as `user` is given them (see
    _targets_given)."""
    return _targets_given((records or PlanRecords.live()).targets.filter(plan=plan), user)


def _targets_given(targets: QuerySet, user) -> dict[FinancialYear, Decimal]:
    """A target is a whole-plan figure: beside sums that leave out withheld initiatives the
    difference would disclose them, so it is given only when nothing is withheld from `user`
    (in the same query)."""
    if not can_view_restricted(user):  # withdrawn ones too, as initiatives_withheld counts them
        targets = targets.filter(~Exists(Initiative.objects.filter(category__plan=OuterRef("plan")).withheld(user)))
    return dict(targets.values_list("financial_year", "cumulative_target"))


# ----------------------------------------------------------------------------- at risk and the Assembly pack

AT_RISK = (Confidence.RED, Confidence.AMBER)


def initiatives_at_risk(*, user, records: PlanRecords | None = None) -> QuerySet:
    """The initiatives `user` may see whose delivery confidence is red or amber (as it was, with
    `records` as at a past moment)."""
    if records is None or records.at is None:  # a withdrawn initiative is no risk to the plan
        return initiative_list(user=user).filter(confidence__in=AT_RISK, withdrawn_at__isnull=True)
    visible = Initiative.objects.visible_to(user).values("pk")
    return (
        records.initiatives.filter(confidence__in=AT_RISK, id__in=visible)
        .select_related("category")
        .order_by("reference")
    )


@dataclass(frozen=True)
class TypeSavings:
    """One type of saving's planned and realised (approved actuals) saving in each year asked for."""

    savings_type: str
    label: str
    planned: dict[FinancialYear, Decimal]
    realised: dict[FinancialYear, Decimal]


@dataclass(frozen=True)
class SavingsByType:
    """The plan by type of saving for some years, over the initiatives a reader may see: each type
    planned in any of the years, the totals (over every type), the plan's targets as far as the
    reader is given them, and how many initiatives' type is assumed or are withheld."""

    plan: SavingsPlan
    years: tuple[FinancialYear, ...]
    types: list[TypeSavings]
    planned_total: dict[FinancialYear, Decimal]
    realised_total: dict[FinancialYear, Decimal]
    targets: dict[FinancialYear, Decimal]
    initiatives: int
    assumed: int
    withheld: int

    @property
    def target_given(self) -> bool:
        """Whether the targets may stand beside the totals: not when anything is withheld (the
        difference would disclose it)."""
        return not self.withheld


def savings_by_type(
    *, plan: SavingsPlan, years: tuple[FinancialYear, ...], user, records: PlanRecords | None = None
) -> SavingsByType:
    """The plan by type of saving for `years`, as far as `user` may see it, now or as at `records`
    (the cached breakdown, then three queries)."""
    records = records or PlanRecords.live()
    breakdown = plan_breakdown(plan=plan, by="savings_type", user=user, records=records)
    planned = {(row.group_key, row.financial_year): row.planned for row in breakdown}
    realised = {(row.group_key, row.financial_year): row.realised for row in breakdown}
    types = [
        TypeSavings(
            savings_type.value,
            savings_type.label,
            {year: planned.get((savings_type.value, year), ZERO) for year in years},
            {year: realised.get((savings_type.value, year), ZERO) for year in years},
        )
        for savings_type in SavingsType
        if any((savings_type.value, year) in planned for year in years)
    ]
    counts = records.initiatives.filter(
        category__plan=plan, id__in=Initiative.objects.visible_to(user).values("pk")
    ).aggregate(initiatives=Count("id"), assumed=Count("id", filter=Q(savings_type_is_assumed=True)))
    return SavingsByType(
        plan=plan,
        years=tuple(years),
        types=types,
        planned_total={year: sum((v for (_, y), v in planned.items() if y == year), ZERO) for year in years},
        realised_total={year: sum((v for (_, y), v in realised.items() if y == year), ZERO) for year in years},
        targets=_targets_given(records.targets.filter(plan=plan), user),
        initiatives=counts["initiatives"],
        assumed=counts["assumed"],
        withheld=initiatives_withheld(plan=plan, user=user),
    )


def withheld_initiatives(*, user) -> QuerySet:
    """The initiatives `user` may not see (none with `view_restricted`), as a queryset to filter or
    test in the database (e.g. `Exists`)."""
    return Initiative.objects.withheld(user)


def initiative_ids_visible_to(user) -> list[int]:
    """The ids of every initiative `user` may see, in id order (one query)."""
    # withdrawn ones too: what a frozen pack may cover (it may be as at before the withdrawal)
    return list(Initiative.objects.visible_to(user).order_by("pk").values_list("pk", flat=True))


def figures_last_changed(at: datetime | None = None) -> datetime | None:
    """When any of the plan's figures last changed (by `at`, if given)."""
    return last_changed(*FIGURE_MODELS, at=at)


def quarter_closure(*, plan: SavingsPlan, quarter: Quarter) -> QuarterClosure | None:
    """The quarter's closure record (closed, or reopened), with who closed and reopened it."""
    return (
        QuarterClosure.objects.filter(plan=plan, financial_year=quarter.financial_year, quarter=quarter.number)
        .select_related("closed_by", "reopened_by")
        .first()
    )


# ----------------------------------------------------------------------------- plan versions (issue 13, part 3)
# A version is a named, dated moment of the plan; the plan as at that moment is read back from the
# audit trail (records_at(version.taken_at), the same replay as "as at"). A comparison sets two
# moments side by side (two versions, or a version and now): initiative by initiative, by savings
# type per year, and the changes recorded between them with who made them and why. Only the
# initiatives a reader may see appear anywhere in it.


def plan_versions(*, plan: SavingsPlan) -> QuerySet:
    """The plan's versions, oldest first, with who took them (one query)."""
    return PlanVersion.objects.filter(plan=plan).select_related("taken_by").order_by("taken_at", "pk")


def plan_version_latest(*, plan: SavingsPlan, at: datetime | None = None) -> PlanVersion | None:
    """The latest version of the plan (taken by `at`, if given), or None."""
    versions = PlanVersion.objects.filter(plan=plan)
    if at is not None:
        versions = versions.filter(taken_at__lte=at)
    return versions.select_related("taken_by").order_by("-taken_at", "-pk").first()


def plan_version_find(*, plan: SavingsPlan, pk) -> PlanVersion | None:
    """The plan's version with this id (text or number), or None if there is none."""
    try:
        pk = int(str(pk).strip())
    except (TypeError, ValueError):
        return None
    return PlanVersion.objects.filter(plan=plan, pk=pk).select_related("taken_by").first()


@dataclass(frozen=True)
class VersionShown:
    """Which version of the plan figures are: `version` (None: the plan as it stands, or stood at
    a moment), the latest version by then, and both in words."""

    version: PlanVersion | None
    latest: PlanVersion | None
    description: str


def plan_version_shown(
    *, plan: SavingsPlan, version: PlanVersion | None = None, at: datetime | None = None
) -> VersionShown:
    """Which version of the plan figures are, in words: a version's own name, else the plan as it
    stands (or stood `at` a moment) with its last version by then; `latest` is the last version by
    then (for a version: the latest of all). One query."""
    latest = plan_version_latest(plan=plan, at=None if version else at)  # for a version: the latest of all
    if version is not None:
        description = (
            f"Plan version “{version.name}”, dated {version.dated:%-d %B %Y}: the plan as it stood when it was "
            f"taken ({_moment(version.taken_at)})"
        )
        return VersionShown(version, latest, description)
    latest_words = f"last version: “{latest.name}”, taken {_moment(latest.taken_at)}" if latest else "no version taken"
    if at is None:
        return VersionShown(None, latest, f"The plan as it stands now ({latest_words})")
    by_then = latest_words.replace("last version", "last version by then")
    return VersionShown(None, latest, f"The plan as it stood at {_moment(at)} ({by_then})")


def _moment(when: datetime) -> str:
    return f"{timezone.localtime(when):%-d %B %Y, %H:%M}"


@dataclass(frozen=True)
class PlanMoment:
    """One side of a comparison: a version, or (version None) the plan as it stands now."""

    version: PlanVersion | None

    @property
    def at(self) -> datetime | None:
        return self.version.taken_at if self.version else None

    @property
    def label(self) -> str:
        return self.version.name if self.version else "The plan now"

    @property
    def key(self) -> str:
        """How the compare page and API name it: the version's id, or "now"."""
        return str(self.version.pk) if self.version else "now"


@dataclass(frozen=True)
class InitiativeAt:
    """An initiative as one side of a comparison has it."""

    category: str
    description: str
    baseline_reduction: Decimal
    savings_type: str
    savings_type_label: str
    planned: dict[FinancialYear, Decimal]


ADDED, WITHDRAWN, CHANGED, UNCHANGED = "added", "withdrawn", "changed", "unchanged"


@dataclass(frozen=True)
class YearDifference:
    financial_year: FinancialYear
    before: Decimal | None  # None: the initiative is not in that side's plan
    after: Decimal | None

    @property
    def difference(self) -> Decimal:
        return (self.after or ZERO) - (self.before or ZERO)


@dataclass(frozen=True)
class InitiativeComparison:
    """An initiative in both sides (or one): "added" (not in the earlier plan), "withdrawn" (not
    in the later one: withdrawn, or gone), "changed" or "unchanged"."""

    reference: str
    before: InitiativeAt | None
    after: InitiativeAt | None
    years: tuple[YearDifference, ...]

    @property
    def status(self) -> str:
        if self.before is None:
            return ADDED
        if self.after is None:
            return WITHDRAWN
        return UNCHANGED if self.before == self.after else CHANGED

    @property
    def either(self) -> InitiativeAt:
        return self.after or self.before

    @property
    def baseline_reduction_difference(self) -> Decimal:
        return (self.after.baseline_reduction if self.after else ZERO) - (
            self.before.baseline_reduction if self.before else ZERO
        )


@dataclass(frozen=True)
class TypeYearComparison:
    """One savings type's planned saving in a year on each side (None: that type is not planned)."""

    savings_type: str
    label: str
    financial_year: FinancialYear
    before: Decimal
    after: Decimal

    @property
    def difference(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class PlanChange:
    """One recorded change between the two moments: when, who, why, to what, and what moved."""

    when: datetime
    who: str
    reason: str
    subject: str  # "SAV-DC (Data Centres)", "Target 2014/15"
    reference: str  # the initiative's reference; "" for a target
    changes: tuple[str, ...]


@dataclass(frozen=True)
class PlanComparison:
    plan: SavingsPlan
    before: PlanMoment
    after: PlanMoment
    years: tuple[FinancialYear, ...]
    initiatives: list[InitiativeComparison]
    by_type: list[TypeYearComparison]
    totals: list[TypeYearComparison]  # every type, per year: savings_type "" and label "Total"
    changes: list[PlanChange]
    withheld: int

    @property
    def withheld_sentence(self) -> str:
        return Withheld(self.withheld, "initiative").sentence

    def counted(self, status: str) -> int:
        return sum(1 for row in self.initiatives if row.status == status)

    @property
    def unchanged(self) -> int:
        return self.counted(UNCHANGED)

    @property
    def moved(self) -> list[InitiativeComparison]:
        """The initiatives added, withdrawn or changed (the unchanged ones are only counted)."""
        return [row for row in self.initiatives if row.status != UNCHANGED]


def plan_compare(*, plan: SavingsPlan, before: PlanVersion | None, after: PlanVersion | None, user) -> PlanComparison:
    """The plan at two moments side by side (a version and another, or a version and now, `None`),
    the earlier first, as far as `user` may see it: per initiative, per savings type per year (in
    the database) and the changes recorded between them. A fixed number of queries, whatever the
    number of initiatives, years or changes."""
    sides = sorted(
        [PlanMoment(before), PlanMoment(after)], key=lambda side: (side.at is None, side.at or timezone.now())
    )
    earlier, later = sides
    visible = Initiative.objects.visible_to(user).filter(category__plan=plan).values("pk")
    first, first_totals = _plan_side(plan=plan, records=records_at(earlier.at), visible=visible)
    second, second_totals = _plan_side(plan=plan, records=records_at(later.at), visible=visible)
    years = tuple(
        sorted(
            {year for side in (first, second) for row in side.values() for year in row.planned}
            | {year for totals in (first_totals, second_totals) for (_, year) in totals}
        )
    )
    references = sorted(set(first) | set(second), key=lambda reference: _initiative_order(first, second, reference))
    initiatives = [
        InitiativeComparison(
            reference=reference,
            before=first.get(reference),
            after=second.get(reference),
            years=tuple(
                YearDifference(
                    year,
                    first[reference].planned.get(year, ZERO) if reference in first else None,
                    second[reference].planned.get(year, ZERO) if reference in second else None,
                )
                for year in years
            ),
        )
        for reference in references
    ]
    types = [
        savings_type
        for savings_type in SavingsType
        if any(key == savings_type.value for totals in (first_totals, second_totals) for (key, _) in totals)
    ]
    by_type = [
        TypeYearComparison(
            savings_type.value,
            savings_type.label,
            year,
            first_totals.get((savings_type.value, year), ZERO),
            second_totals.get((savings_type.value, year), ZERO),
        )
        for savings_type in types
        for year in years
    ]
    totals = [
        TypeYearComparison("", "Total", year, first_totals.get(("", year), ZERO), second_totals.get(("", year), ZERO))
        for year in years
    ]
    return PlanComparison(
        plan=plan,
        before=earlier,
        after=later,
        years=years,
        initiatives=initiatives,
        by_type=by_type,
        totals=totals,
        changes=plan_changes(plan=plan, after=earlier.at, until=later.at, user=user),
        withheld=initiatives_withheld(plan=plan, user=user),
    )


def _initiative_order(first: dict, second: dict, reference: str):
    row = second.get(reference) or first.get(reference)
    return (row.category, reference)


def _plan_side(
    *, plan: SavingsPlan, records: PlanRecords, visible: QuerySet
) -> tuple[dict[str, InitiativeAt], dict[tuple[str, FinancialYear], Decimal]]:
    """One side's initiatives in the plan then (not withdrawn) that the reader may see, by
    reference, each with its planned saving per year; and the planned saving per (savings type,
    year) and per ("", year) for every type, summed in the database. Three queries."""
    labels = dict(SavingsType.choices)
    rows = list(
        records.initiatives.filter(category__plan=plan, withdrawn_at__isnull=True, id__in=visible).values_list(
            "id", "reference", "category__name", "description", "cost_now", "future_cost", "savings_type"
        )
    )
    ids = [row[0] for row in rows]
    planned: dict[int, dict[FinancialYear, Decimal]] = {pk: {} for pk in ids}
    profiles = records.profiles.filter(initiative_id__in=ids)
    for initiative_id, year, amount in profiles.values_list("initiative_id", "financial_year", "planned_saving"):
        planned[initiative_id][year] = amount
    of_type: dict[str, list[int]] = {}
    for pk, *_, savings_type in rows:
        of_type.setdefault(savings_type, []).append(pk)
    # the type is the one the initiative had then (a type changed between versions moves its saving)
    sums = {key: Sum("planned_saving", filter=Q(initiative_id__in=pks)) for key, pks in of_type.items()}
    totals: dict[tuple[str, FinancialYear], Decimal] = {}
    for row in profiles.values("financial_year").annotate(_all=Sum("planned_saving"), **sums).order_by():
        totals[("", row["financial_year"])] = row["_all"] or ZERO
        for key in of_type:
            if row[key] is not None:
                totals[(key, row["financial_year"])] = row[key]
    initiatives = {
        reference: InitiativeAt(
            category=category,
            description=description,
            baseline_reduction=cost_now - future_cost,
            savings_type=savings_type,
            savings_type_label=labels.get(savings_type, savings_type),
            planned=planned[pk],
        )
        for pk, reference, category, description, cost_now, future_cost, savings_type in rows
    }
    return initiatives, totals


# The fields of an initiative a change is described by (the rest, such as its version, are bookkeeping).
_INITIATIVE_FIELDS = (
    "category",
    "description",
    "owner",
    "cost_now",
    "future_cost",
    "stated_reduction",
    "savings_type",
    "cashable",
    "investment_needed",
    "inside_doi_budget",
    "delivery_status",
    "confidence",
    "dependencies",
    "protective_marking",
)


def plan_changes(*, plan: SavingsPlan, after: datetime | None, until: datetime | None, user) -> list[PlanChange]:
    """The changes to the plan's initiatives, their phasing and (for a reader from whom nothing is
    withheld) its targets that took effect after `after` and by `until` (None: now), oldest
    first, each in words with who made it and why. Only initiatives `user` may see. Seven queries."""
    visible = dict(Initiative.objects.visible_to(user).filter(category__plan=plan).values_list("pk", "reference"))
    categories = dict(Category.objects.filter(plan=plan).values_list("pk", "name"))
    changes: list[PlanChange] = []
    for row, previous in _history_between(Initiative, after, until, id__in=list(visible)):
        words = _initiative_words(row, previous, categories)
        subject = f"{row.reference} ({categories.get(row.category_id, '')})"
        changes.append(_change(row, subject, row.reference, words))
    for row, previous in _history_between(SavingsProfile, after, until, initiative_id__in=list(visible)):
        reference = visible[row.initiative_id]
        before = previous.planned_saving if previous is not None and previous.history_type != "-" else None
        after_value = None if row.history_type == "-" else row.planned_saving
        if before == after_value:
            continue
        words = [f"Planned saving {row.financial_year}: {_money(before)} → {_money(after_value)}"]
        changes.append(_change(row, reference, reference, words))
    if not initiatives_withheld(plan=plan, user=user):  # a target beside withheld initiatives would disclose them
        for row, previous in _history_between(PlanTarget, after, until, plan_id=plan.pk):
            before = previous.cumulative_target if previous is not None and previous.history_type != "-" else None
            after_value = None if row.history_type == "-" else row.cumulative_target
            if before != after_value:
                words = [f"Target {row.financial_year}: {_money(before)} → {_money(after_value)}"]
                changes.append(_change(row, f"Target {row.financial_year}", "", words))
    return sorted((change for change in changes if change.changes), key=lambda change: change.when)


def _history_between(model, after: datetime | None, until: datetime | None, **filters):
    """Each historical row of `model` that took effect after `after` and by `until`, with the row
    before it (the record as it stood just before; None for a creation). Two queries."""
    history = model.history.model.objects.filter(**filters).select_related("history_user")
    window = history.all()
    if after is not None:
        window = window.filter(effective_at__gt=after)
    if until is not None:
        window = window.filter(effective_at__lte=until)
    rows = list(window.order_by("effective_at", "history_id"))
    if not rows:
        return []
    pk_name = model._meta.pk.attname
    latest = {}
    if after is not None:
        ids = {getattr(row, pk_name) for row in rows}
        latest = {getattr(row, pk_name): row for row in as_of(model, after).filter(**{f"{pk_name}__in": ids})}
    paired = []
    for row in rows:
        pk = getattr(row, pk_name)
        paired.append((row, latest.get(pk)))
        latest[pk] = row
    return paired


def _change(row, subject: str, reference: str, words) -> PlanChange:
    return PlanChange(
        when=row.effective_at,
        who=person(row.history_user),
        reason=row.history_change_reason or "",
        subject=subject,
        reference=reference,
        changes=tuple(words),
    )


def _money(value) -> str:
    return "none" if value is None else format_pounds(value, pence=True)


def _initiative_words(row, previous, categories: dict[int, str]) -> list[str]:
    """A historical row of an initiative in words: added, withdrawn, back, or each field that moved."""
    if row.history_type == "+" or previous is None:
        return [
            f"Added to the plan: cost now {_money(row.cost_now)}, future cost {_money(row.future_cost)}, "
            f"{row.get_savings_type_display().lower()}"
        ]
    words = []
    if previous.withdrawn_at is None and row.withdrawn_at is not None:
        words.append("Withdrawn from the plan" + (f": {row.withdrawn_reason}" if row.withdrawn_reason else ""))
    elif previous.withdrawn_at is not None and row.withdrawn_at is None:
        words.append("Back in the plan")
    for name in _INITIATIVE_FIELDS:
        field = Initiative._meta.get_field(name)
        old, new = getattr(previous, field.attname), getattr(row, field.attname)
        if old == new:
            continue
        words.append(
            f"{str(field.verbose_name).capitalize()}: {_shown(field, old, categories)} → {_shown(field, new, categories)}"
        )
    return words


def _shown(field, value, categories: dict[int, str]) -> str:
    if value is None or value == "":
        return "none"
    if field.name == "category":
        return categories.get(value, str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return _money(value)
    return f"“{value}”"


# ----------------------------------------------------------------------------- each figure's page and trail
# (issue 13 part 4: corrections of approved actuals)

TRAIL_FIGURES = (
    ("actual_saving", "Actual saving in the quarter", True),
    ("forecast_full_year", "Full-year forecast", True),
    ("commentary", "Commentary", False),
)


@dataclass(frozen=True)
class TrailChange:
    """One figure before and after, as the trail says it ("£1,000.00"; "" for nothing)."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class TrailEntry:
    """One step in the life of a quarter's figures, in words: who (a name), when, what, why."""

    when: datetime
    who: str
    what: str
    reason: str = ""
    changes: tuple[TrailChange, ...] = ()


def _figure_text(row, name: str, money: bool) -> str:
    if row is None:
        return ""
    value = getattr(row, name)
    if money:
        return format_pounds(value, pence=True) if value is not None else ""
    return value or ""


def _changes(before, after, *, changed_only: bool) -> tuple[TrailChange, ...]:
    """The figures of `after` against those of `before` (None: nothing before)."""
    changes = []
    for name, label, money in TRAIL_FIGURES:
        old, new = _figure_text(before, name, money), _figure_text(after, name, money)
        if old != new or (not changed_only and (money or new)):
            changes.append(TrailChange(label, old, new))
    return tuple(changes)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _actual_step(row, previous, corrected) -> tuple[str, str, tuple[TrailChange, ...]] | None:
    """What one historical row of a revision says happened: (what, reason, changes), or None for
    a step the trail does not show on its own (a revision superseded: its correction's approval
    says so). `previous` is the revision's row before it, `corrected` the row of the revision it
    corrects as it then stood."""
    correction = row.revision > 1
    name = f"Correction (revision {row.revision}) " if correction else ""
    if row.history_type == "+":
        if correction:
            return (
                f"Correction proposed (revision {row.revision})",
                row.correction_reason,
                _changes(corrected, row, changed_only=False),
            )
        return "Entered", row.history_change_reason or "", _changes(None, row, changed_only=False)
    if row.history_type == "-":
        what = f"Correction discarded (revision {row.revision})" if correction else "Figures deleted"
        return what, row.history_change_reason or "", ()
    status_changed = previous is None or previous.status != row.status
    if status_changed and row.status == ActualStatus.SUPERSEDED:
        return None
    if status_changed and row.status == ActualStatus.SUBMITTED:
        return _sentence(f"{name}submitted for approval"), "", ()
    if status_changed and row.status == ActualStatus.RETURNED:
        return _sentence(f"{name}returned for changes"), row.return_reason, ()
    if status_changed and row.status == ActualStatus.APPROVED:
        if correction:
            return (
                f"Correction approved (revision {row.revision}): it replaces revision "
                f"{corrected.revision if corrected else row.revision - 1}, now superseded",
                "",
                _changes(corrected, row, changed_only=True),
            )
        return "Approved", "", ()
    changes = _changes(previous, row, changed_only=True)
    what = _sentence(f"{name}changed" if changes else f"{name}saved again, unchanged")
    return what, row.history_change_reason or "", changes


def _closure_step(row, previous) -> tuple[str, str] | None:
    if previous is None or previous.closed != row.closed:
        if row.closed:
            return ("Quarter closed" if previous is None else "Quarter closed again"), ""
        return "Quarter reopened", row.reopen_reason
    return None


def actual_trail(*, plan: SavingsPlan, initiative: Initiative, quarter: Quarter) -> list[TrailEntry]:
    """The trail of an initiative's figures for a quarter, newest first: every revision's steps
    (entered, changed, submitted, returned, approved; a correction proposed, approved, returned or
    discarded, before and after in pounds) and the quarter's closings and reopenings, each with
    who (by name) and when. Read from the audit history in two queries, however many revisions
    and steps there are. The caller has checked that the reader may see the initiative."""
    rows = (
        QuarterlyActual.history.filter(
            initiative_id=initiative.pk, financial_year=quarter.financial_year, quarter=quarter.number
        )
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    closures = (
        QuarterClosure.history.filter(plan_id=plan.pk, financial_year=quarter.financial_year, quarter=quarter.number)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    steps: list[tuple[datetime, int, TrailEntry]] = []
    latest = {}  # each revision's row as it last stood, walking forwards in time
    for row in rows:
        step = _actual_step(row, latest.get(row.id), latest.get(row.corrects_id))
        latest[row.id] = row
        if step is not None:
            what, reason, changes = step
            steps.append(
                (
                    row.history_date,
                    row.history_id,
                    TrailEntry(row.history_date, person(row.history_user), what, reason, changes),
                )
            )
    previous = None
    for row in closures:
        step = _closure_step(row, previous)
        previous = row
        if step is not None:
            what, reason = step
            steps.append(
                (row.history_date, row.history_id, TrailEntry(row.history_date, person(row.history_user), what, reason))
            )
    steps.sort(key=lambda step: (step[0], step[1]), reverse=True)
    return [entry for _, _, entry in steps]


@dataclass
class ActualRecord:
    """An initiative's figures for a quarter: every revision (oldest first), the approved one in
    force, the open one (first figures or a correction), the quarter's closure and the trail."""

    initiative: Initiative
    quarter: Quarter
    revisions: list[QuarterlyActual]
    closure: QuarterClosure | None
    trail: list[TrailEntry]

    @property
    def in_force(self) -> QuarterlyActual | None:
        return next((r for r in self.revisions if r.status == ActualStatus.APPROVED), None)

    @property
    def open(self) -> QuarterlyActual | None:
        return next(
            (r for r in self.revisions if r.status != ActualStatus.APPROVED and r.status != ActualStatus.SUPERSEDED),
            None,
        )

    @property
    def closed(self) -> bool:
        return self.closure is not None and self.closure.closed

    def superseded_by(self, revision: QuarterlyActual) -> QuarterlyActual | None:
        """The approved correction that superseded `revision` (None if it is not superseded)."""
        if revision.status != ActualStatus.SUPERSEDED:
            return None
        return next((r for r in self.revisions if r.corrects_id == revision.pk), None)

    @property
    def history(self) -> list[tuple[QuarterlyActual, str]]:
        """Every revision, newest first, each with what became of it in words."""
        return [(revision, self._fate(revision)) for revision in reversed(self.revisions)]

    def _fate(self, revision: QuarterlyActual) -> str:
        successor = self.superseded_by(revision)
        if successor is not None:
            return (
                f"Superseded on {_day(successor.decided_at)} by the correction approved by "
                f"{person(successor.decided_by)} (revision {successor.revision})"
            )
        if revision.status == ActualStatus.APPROVED:
            return f"In force: approved by {person(revision.decided_by)} on {_day(revision.decided_at)}"
        return revision.get_status_display()


def actual_record(*, plan: SavingsPlan, quarter: Quarter, reference: str, user) -> ActualRecord:
    """The figures of the initiative `reference` for `quarter`, as far as `user` may see it
    (Initiative.DoesNotExist otherwise): five queries, however many revisions or steps."""
    initiative = (
        Initiative.objects.visible_to(user)
        .select_related("category__plan")
        .get(reference=reference, category__plan=plan)
    )
    revisions = list(
        QuarterlyActual.objects.filter(
            initiative=initiative, financial_year=quarter.financial_year, quarter=quarter.number
        )
        .select_related("entered_by", "submitted_by", "decided_by")
        .order_by("revision")
    )
    for revision in revisions:
        revision.initiative = initiative  # its own initiative: no query for its name
    return ActualRecord(
        initiative=initiative,
        quarter=quarter,
        revisions=revisions,
        closure=quarter_closure(plan=plan, quarter=quarter),
        trail=actual_trail(plan=plan, initiative=initiative, quarter=quarter),
    )


# ----------------------------------------------------------------------------- finance maintain the plan (issue 13 part 2)


def categories_in_use(*, plan: SavingsPlan) -> QuerySet:
    """The categories an initiative can be put in: not withdrawn, in the plan's order."""
    return Category.objects.filter(plan=plan, withdrawn_at__isnull=True).order_by("position", "name")


def category_initiatives(*, category: Category, user) -> tuple[list[Initiative], list[Initiative]]:
    """The category's initiatives `user` may see: those in the plan, and those withdrawn (listed
    apart, with who withdrew them); one query."""
    initiatives = list(initiative_list(user=user).filter(category=category))
    return (
        [initiative for initiative in initiatives if initiative.withdrawn_at is None],
        [initiative for initiative in initiatives if initiative.withdrawn_at is not None],
    )


@dataclass(frozen=True)
class PhasingYear:
    """One year of an initiative's phasing page: its planned saving, the rest of the plan's, the
    target, so the page can show the plan's total against the target as the figure changes."""

    financial_year: FinancialYear
    planned: Decimal | None  # this initiative's; None: no saving planned that year
    others: Decimal  # every other initiative in the plan (that the reader may see)
    target: Decimal | None

    def total_with(self, amount: Decimal | None) -> Decimal:
        return self.others + (amount or ZERO)

    def against_target(self, amount: Decimal | None) -> str:
        """The plan's total with `amount` against the target, in words ("£2,000,000 short")."""
        if self.target is None:
            return ""
        shortfall = self.target - self.total_with(amount)
        if not shortfall:
            return "On target"
        return f"{format_pounds(shortfall)} short" if shortfall > 0 else f"{format_pounds(-shortfall)} over"


def initiative_phasing(*, initiative: Initiative, user) -> list[PhasingYear]:
    """The plan's years with this initiative's planned saving, the rest of the plan's planned
    saving and the year's target (as far as `user` is given it). Three queries."""
    plan = initiative.category.plan
    own = dict(SavingsProfile.objects.filter(initiative=initiative).values_list("financial_year", "planned_saving"))
    records = PlanRecords.live()
    others = dict(
        _sum_by_year(
            records.profiles.filter(visible_q(user, "initiative__"), initiative__category__plan=plan).exclude(
                initiative=initiative
            ),
            "planned_saving",
        )
    )
    targets = plan_targets(plan=plan, user=user)
    return [
        PhasingYear(year, own.get(year), others.get(year, ZERO), targets.get(year))
        for year in plan_year_range(plan=plan)
    ]


def target_list(*, plan: SavingsPlan) -> QuerySet:
    """The plan's interim targets, for finance to maintain (whole-plan figures: the page is theirs)."""
    return PlanTarget.objects.filter(plan=plan).order_by("financial_year")


def targets_history(*, plan: SavingsPlan, limit: int = 50) -> list[HistoryEntry]:
    """The trail of every target of the plan, removed ones too, newest first (one query)."""
    return _rows_trail(
        PlanTarget.history.filter(plan_id=plan.pk), PlanTarget, "cumulative_target", "the target for {}", limit
    )


def profile_history(*, initiative: Initiative, limit: int = 50) -> list[HistoryEntry]:
    """The trail of the initiative's planned saving year by year, removed years too (one query)."""
    return _rows_trail(
        SavingsProfile.history.filter(initiative_id=initiative.pk),
        SavingsProfile,
        "planned_saving",
        "the planned saving for {}",
        limit,
    )


def initiative_history(*, initiative: Initiative) -> list[HistoryEntry]:
    """The initiative's trail with its phasing's, newest first, so a re-phasing shows its figures
    beside the initiative's own changes (two queries)."""
    entries = history_entries(initiative) + profile_history(initiative=initiative)
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def _rows_trail(records: QuerySet, model, figure: str, what: str, limit: int) -> list[HistoryEntry]:
    """A trail over several rows of one model (a plan's targets, an initiative's years), each
    change against that row's previous state; a row set or removed shows its figure. `what` names
    a row by its financial year ("the target for {}")."""
    records = list(records.select_related("history_user").order_by("-history_date", "-history_id"))
    label = str(model._meta.get_field(figure).verbose_name).capitalize()
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = next((older for older in records[index + 1 :] if older.id == record.id), None)
        if record.history_type == "+":
            changes = (FieldChange(figure, label, None, getattr(record, figure)),)
        elif record.history_type == "-":
            changes = (FieldChange(figure, label, getattr(record, figure), None),)
        elif previous is not None:
            changes = tuple(
                FieldChange(
                    change.field,
                    str(model._meta.get_field(change.field).verbose_name).capitalize(),
                    change.old,
                    change.new,
                )
                for change in record.diff_against(previous).changes
            )
        else:
            changes = ()
        action = {"+": "Set", "~": "Changed", "-": "Removed"}.get(record.history_type, record.history_type)
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user.get_username() if record.history_user else "system",
                action=f"{action} {what.format(record.financial_year)}",
                reason=record.history_change_reason or "",
                request_id=record.request_id,
                changes=changes,
            )
        )
    return entries


def targets_given_to(*, plan: SavingsPlan, user) -> QuerySet:
    """The plan's targets as far as `user` is given them (see _targets_given), for the API."""
    targets = PlanTarget.objects.filter(plan=plan).order_by("financial_year")
    if not can_view_restricted(user):
        targets = targets.filter(~Exists(Initiative.objects.filter(category__plan=OuterRef("plan")).withheld(user)))
    return targets


# ----------------------------------------------------------------------------- savings as a probability (issue 16)


def savings_target_probabilities(*, plan: SavingsPlan, user=None, records: PlanRecords | None = None) -> list:
    """For each target the reader is given: how likely the plan is to reach it, the range of the
    saving realised and the initiatives carrying the risk (savings.probability), now or as at
    `records`. Read as the summary reads: withdrawn initiatives out (PlanRecords), only the records
    `user` may see, and nothing while the summary gives no target (anything withheld from `user`:
    the targets would disclose it). Four queries however many initiatives; cached with the area's
    figures."""
    restricted = can_view_restricted(user)
    records = records or PlanRecords.live()
    return cached_figure(
        Initiative._meta.app_label,
        ("target-probabilities", plan.pk, restricted, records.moment),
        lambda: savings_target_probabilities_compute(plan=plan, user=user, records=records),
    )


def savings_target_probabilities_compute(*, plan: SavingsPlan, user=None, records: PlanRecords | None = None) -> list:
    from savings.probability import InitiativeInput, savings_simulation

    records = records or PlanRecords.live()
    targets = _targets_given(records.targets.filter(plan=plan), user)
    if not targets:  # none set, or withheld from this reader as the summary withholds them
        return []
    initiatives = records.initiatives.filter(category__plan=plan)
    visible = visible_q(user, "initiative__")
    if not can_view_restricted(user):  # the marking a record carries now decides, also for its past
        initiatives = initiatives.filter(id__in=Initiative.objects.visible_to(user).values("pk"))
    if records.at is not None:  # only initiatives that existed then
        visible &= Q(initiative__in=records.initiatives.values("id"))
    planned: dict[int, dict] = {}
    for initiative_id, year, amount in (
        records.profiles.filter(visible, initiative__category__plan=plan)
        .values_list("initiative_id", "financial_year", "planned_saving")
        .order_by()
    ):
        planned.setdefault(initiative_id, {})[year] = amount
    approved: dict[int, dict] = {}
    for initiative_id, year, total, quarters in (
        records.actuals.filter(visible, initiative__category__plan=plan, status=ActualStatus.APPROVED)
        .values_list("initiative_id", "financial_year")
        .annotate(total=Sum("actual_saving"), quarters=Count("pk"))
        .values_list("initiative_id", "financial_year", "total", "quarters")
        .order_by()
    ):
        approved.setdefault(initiative_id, {})[year] = (total, quarters)
    inputs = [
        InitiativeInput(
            reference=reference,
            description=description,
            confidence=confidence or "",
            delivery_status=status,
            planned=planned.get(pk, {}),
            approved=approved.get(pk, {}),
        )
        for pk, reference, description, confidence, status in initiatives.values_list(
            "id", "reference", "description", "confidence", "delivery_status"
        ).order_by("reference")
    ]
    return savings_simulation(inputs, targets)


@dataclass(frozen=True)
class TargetChance:
    """One target's chance as the savings page reads it: a sentence in plain words, its row of the
    interval chart and table (mps_ict.ranges), and the initiatives carrying the most risk."""

    financial_year: FinancialYear
    sentence: str
    range_row: RangeRow
    expected_shortfall: Decimal  # the plan's: the mean of (target − realised) where short
    top_risks: list  # savings.probability.RiskInitiative, by expected shortfall, largest first


@dataclass(frozen=True)
class TargetChances:
    """How likely the targets the reader is given are, with how the figures are worked out: the
    method, every assumption and the delivery-confidence priors (savings.probability)."""

    targets: list[TargetChance]
    method: str
    assumptions: list[str]
    priors: list  # savings.probability.Prior, in the order the page lists them
    prior_source: str

    @property
    def range_rows(self) -> list[RangeRow]:
        return [target.range_row for target in self.targets]


def target_chance_sentence(result) -> str:
    """'There is less than a 1% chance (under 1 in 100) that the plan saves £42m in 2014/15. It can
    count on £25.1m with 80% confidence (P80): £16.9m of the target is at risk at P80.'"""
    year, target = result.financial_year, format_millions(result.target)
    sentence = f"There is {chance_in_words(result.probability_met)} that the plan saves {target} in {year}. "
    count_on = f"It can count on {format_millions(result.p80)} with 80% confidence (P80)"
    if result.at_risk_p80 > 0:
        return f"{sentence}{count_on}: {format_millions(result.at_risk_p80)} of the target is at risk at P80."
    return f"{sentence}{count_on}, which reaches the target: nothing is at risk at P80."


def savings_target_chances(*, plan: SavingsPlan, user=None, records: PlanRecords | None = None) -> TargetChances:
    """savings_target_probabilities (the targets `user` is given, now or as at `records`) shaped for
    the savings page; no targets while they are withheld from `user` or none is set."""
    from savings.probability import METHOD, PRIOR_SOURCE, PRIORS, assumptions

    results = savings_target_probabilities(plan=plan, user=user, records=records)
    return TargetChances(
        targets=[
            TargetChance(
                financial_year=result.financial_year,
                sentence=target_chance_sentence(result),
                range_row=RangeRow(
                    label=str(result.financial_year),
                    p10=result.p10,
                    p50=result.p50,
                    p80=result.p80,
                    p90=result.p90,
                    reference=result.target,
                    probability=result.probability_met,
                ),
                expected_shortfall=result.expected_shortfall,
                top_risks=result.top_risks,
            )
            for result in results
        ],
        method=results[0].method if results else METHOD,
        assumptions=results[0].assumptions if results else assumptions(),
        priors=list(PRIORS.values()),
        prior_source=PRIOR_SOURCE,
    )
