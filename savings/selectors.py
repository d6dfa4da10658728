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

from mps_ict.audit import as_of, last_changed
from mps_ict.figures_cache import cached_figure
from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.marking import Withheld, can_view_restricted, visible_q
from savings.choices import ActualStatus, Confidence, SavingsType
from savings.models import (
    Category,
    Initiative,
    PlanTarget,
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
        if category.pk in totals or records.at is None
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
    replayed to a moment (see mps_ict.audit.as_of): this area's answer to "as at"."""

    at: datetime | None
    initiatives: QuerySet
    profiles: QuerySet
    actuals: QuerySet
    targets: QuerySet

    @classmethod
    def live(cls) -> PlanRecords:
        return cls(
            None,
            Initiative.objects.all(),
            SavingsProfile.objects.all(),
            QuarterlyActual.objects.all(),
            PlanTarget.objects.all(),
        )

    @classmethod
    def as_at(cls, at: datetime) -> PlanRecords:
        return cls(
            at,
            as_of(Initiative, at),
            as_of(SavingsProfile, at),
            as_of(QuarterlyActual, at),
            as_of(PlanTarget, at),
        )

    @property
    def moment(self) -> str:
        """The part of a cache key that says when the figures are read."""
        return self.at.isoformat() if self.at else "now"

    def recorded(self, plan: SavingsPlan) -> bool:
        """Whether the plan had any initiative by then (before its source document, none)."""
        return self.at is None or self.initiatives.filter(category__plan=plan).exists()


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
    return Initiative.objects.filter(category__plan=plan).withheld_from(user)


FIGURE_MODELS = (Initiative, SavingsProfile, QuarterlyActual, PlanTarget)


@dataclass
class SavingsHeadline:
    """The plan's position for the board: the reporting year (target, realised, forecast, RAG)."""

    year: YearPosition | None
    years: list[YearPosition]
    withheld: int
    last_updated: datetime | None

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
    return queryset.select_related("category").annotate(baseline_reduction_value=F("cost_now") - F("future_cost"))


def initiative_detail(*, user, reference: str) -> Initiative:
    projects = Initiative._meta.get_field("enabled_by_projects").related_model.objects.visible_to(user)
    return (
        Initiative.objects.visible_to(user)
        .select_related("category__plan")
        .prefetch_related("profile", Prefetch("enabled_by_projects", queryset=projects.order_by("code")))
        .get(reference=reference)
    )


def initiative_actuals(*, initiative: Initiative) -> QuerySet:
    return initiative.actuals.select_related("entered_by", "submitted_by", "decided_by").order_by(
        "financial_year", "quarter"
    )


@dataclass
class QuarterRow:
    initiative: Initiative
    planned: Decimal | None
    actual: QuarterlyActual | None


def quarter_rows(*, plan: SavingsPlan, quarter, user) -> list[QuarterRow]:
    """Each visible initiative with its planned saving for the year and its actual for the
    quarter (two queries)."""
    planned_for_year = SavingsProfile.objects.filter(
        initiative=OuterRef("pk"), financial_year=quarter.financial_year
    ).values("planned_saving")[:1]
    initiatives = list(
        Initiative.objects.visible_to(user)
        .filter(category__plan=plan)
        .select_related("category")
        .annotate(planned_for_year=Subquery(planned_for_year, output_field=MONEY))
        .order_by("category__position", "reference")
    )
    actuals = {
        actual.initiative_id: actual
        for actual in QuarterlyActual.objects.filter(
            initiative__in=[i.pk for i in initiatives],
            financial_year=quarter.financial_year,
            quarter=quarter.number,
        ).select_related("entered_by", "submitted_by", "decided_by")
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
    if not can_view_restricted(user):
        targets = targets.filter(~Exists(Initiative.objects.filter(category__plan=OuterRef("plan")).withheld(user)))
    return dict(targets.values_list("financial_year", "cumulative_target"))


# ----------------------------------------------------------------------------- at risk and the Assembly pack

AT_RISK = (Confidence.RED, Confidence.AMBER)


def initiatives_at_risk(*, user, records: PlanRecords | None = None) -> QuerySet:
    """The initiatives `user` may see whose delivery confidence is red or amber (as it was, with
    `records` as at a past moment)."""
    if records is None or records.at is None:
        return initiative_list(user=user).filter(confidence__in=AT_RISK)
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
