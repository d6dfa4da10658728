"""Reads of the capital portfolio, aggregated in the database in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.utils import timezone

from mps_ict.audit import as_of, last_changed
from mps_ict.figures_cache import cached_figure
from mps_ict.financial_years import FinancialYear, previous_month
from mps_ict.marking import EVERY_RECORD, PUBLICATION, Withheld, can_view_restricted, visible_q
from portfolio.choices import Assessor, DcaRating, GateDecision, Stage
from portfolio.models import (
    ApprovalGate,
    Benefit,
    CapitalProgramme,
    DeliveryConfidenceAssessment,
    PortfolioSnapshot,
    Programme,
    Project,
    SpendProfileLine,
    SroAssignment,
    StatusUpdate,
)
from portfolio.outturn import OutturnDistribution, outturn_simulation

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
RATE_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class PortfolioRecords:
    """Where the portfolio's figures are read from: the live tables (`at` None), or the audit
    history replayed to a moment (see mps_ict.audit.as_of): this area's answer to "as at". A
    project's stage is read as it stood then; its category and marking as they are now."""

    at: datetime | None
    programmes: QuerySet
    projects: QuerySet
    spend: QuerySet
    assessments: QuerySet

    @classmethod
    def live(cls) -> PortfolioRecords:
        return cls(
            None,
            CapitalProgramme.objects.all(),
            Project.objects.all(),
            SpendProfileLine.objects.all(),
            DeliveryConfidenceAssessment.objects.all(),
        )

    @classmethod
    def as_at(cls, at: datetime) -> PortfolioRecords:
        return cls(
            at,
            as_of(CapitalProgramme, at),
            as_of(Project, at),
            as_of(SpendProfileLine, at),
            as_of(DeliveryConfidenceAssessment, at).filter(assessed_on__lte=timezone.localdate(at)),
        )

    @property
    def moment(self) -> str:
        """The part of a cache key that says when the figures are read."""
        return self.at.isoformat() if self.at else "now"

    def live_project_ids(self) -> QuerySet:
        """The projects live (approved to closing) at the time, as a subquery of ids."""
        return self.projects.filter(stage__in=Stage.live()).values("id")


def records_at(at: datetime | None) -> PortfolioRecords:
    """The portfolio as it stands (None) or as it stood at the moment `at`."""
    return PortfolioRecords.live() if at is None else PortfolioRecords.as_at(at)


@dataclass(frozen=True)
class CategorySlippage:
    category: str
    planned: Decimal  # planned in-year spend of live projects
    rate: Decimal  # expected share that slips
    learned: bool  # from history, or the fallback assumption
    history_planned: Decimal
    history_slipped: Decimal

    @property
    def delay_adjusted(self) -> Decimal:
        return (self.planned * (1 - self.rate)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class HistoryRow:
    financial_year: FinancialYear
    category: str
    planned: Decimal
    actual: Decimal
    slipped: Decimal

    @property
    def rate(self) -> Decimal:
        return (self.slipped / self.planned).quantize(RATE_PLACES) if self.planned else ZERO


@dataclass
class ProgrammePosition:
    """Where a year's capital programme stands once expected slippage is allowed for."""

    financial_year: FinancialYear
    budget: Decimal
    slippage_assumption: Decimal
    categories: list[CategorySlippage]
    history: list[HistoryRow] = field(default_factory=list)
    what_if_rate: Decimal | None = None
    withheld: int = 0  # projects marked OFFICIAL-SENSITIVE left out of these figures for this reader
    withheld_projects: list[int] = field(default_factory=list)

    @property
    def managed_total(self) -> Decimal:
        return sum((c.planned for c in self.categories), ZERO)

    @property
    def over_programming(self) -> Decimal | None:
        """Managed total less budget; not given while projects are withheld (the budget covers
        them, the managed total here does not: the difference would be neither true nor safe)."""
        return None if self.withheld else self.managed_total - self.budget

    @property
    def delay_adjusted_forecast(self) -> Decimal:
        return sum((c.delay_adjusted for c in self.categories), ZERO)

    @property
    def expected_slippage_rate(self) -> Decimal:
        if not self.managed_total:
            return ZERO
        return (1 - self.delay_adjusted_forecast / self.managed_total).quantize(RATE_PLACES)

    @property
    def headroom(self) -> Decimal | None:
        """Budget less the delay-adjusted forecast; not given while projects are withheld."""
        return None if self.withheld else self.budget - self.delay_adjusted_forecast

    @property
    def withheld_sentence(self) -> str:
        return Withheld(self.withheld, "project").sentence


def capital_programme_position(
    *,
    financial_year: FinancialYear,
    what_if_rate: Decimal | None = None,
    user=None,
    records: PortfolioRecords | None = None,
) -> ProgrammePosition | None:
    """Budget, managed total (planned in-year spend of live projects), expected slippage learned
    per category from past years' planned against actual spend (or finance's assumption where a
    category has no history), the delay-adjusted forecast and the headroom. Three queries, and one
    more to count the projects withheld from a reader without `view_restricted`."""
    records = records or PortfolioRecords.live()
    programme = records.programmes.filter(financial_year=financial_year).first()
    if programme is None:
        return None
    restricted = can_view_restricted(user)

    def compute():
        return _position(programme, reader=user, records=records)

    parts = ("position", financial_year.start_year, restricted, records.moment)
    position = cached_figure(Project._meta.app_label, parts, compute)
    return position if what_if_rate is None else _with_what_if(position, what_if_rate)


def _with_what_if(position: ProgrammePosition, rate: Decimal) -> ProgrammePosition:
    """The position with one slippage rate for every category in place of the learned ones."""
    return ProgrammePosition(
        financial_year=position.financial_year,
        budget=position.budget,
        slippage_assumption=position.slippage_assumption,
        categories=[
            CategorySlippage(c.category, c.planned, rate, False, c.history_planned, c.history_slipped)
            for c in position.categories
        ],
        history=position.history,
        what_if_rate=rate,
        withheld=position.withheld,
        withheld_projects=position.withheld_projects,
    )


def _projects_withheld(year: FinancialYear, reader, records: PortfolioRecords | None = None) -> QuerySet:
    """The ids of projects with spend in or before `year` that `reader` may not see: what a
    position (and a snapshot of it) leaves out."""
    spending = (records or PortfolioRecords.live()).spend.filter(financial_year__lte=year).values("project_id")
    return Project.objects.filter(pk__in=spending).withheld(reader).values_list("pk", flat=True).distinct()


def _position(programme: CapitalProgramme, *, reader, records: PortfolioRecords | None = None) -> ProgrammePosition:
    """The position over the projects `reader` may see (EVERY_RECORD: all; PUBLICATION: the
    publication version), with the projects that spend in or before the year withheld from it.
    `records` as at a past moment reads the spend profiles and stages as they stood then."""
    records = records or PortfolioRecords.live()
    year = programme.financial_year
    withheld = sorted(_projects_withheld(year, reader, records))
    visible = visible_q(reader, "project__")
    planned = dict(
        records.spend.filter(visible, financial_year=year, project__in=records.live_project_ids())
        .values_list("project__category")
        .annotate(total=Sum("planned"))
        .values_list("project__category", "total")
        .order_by()
    )
    history = [
        HistoryRow(y, category, p, a, s)
        for y, category, p, a, s in records.spend.filter(visible, financial_year__lt=year, actual__isnull=False)
        .values_list("financial_year", "project__category")
        .annotate(
            planned_sum=Sum("planned"),
            actual_sum=Sum("actual"),
            slipped=Sum(Greatest(F("planned") - F("actual"), Value(ZERO, output_field=MONEY)), output_field=MONEY),
        )
        .values_list("financial_year", "project__category", "planned_sum", "actual_sum", "slipped")
        .order_by("financial_year", "project__category")
    ]
    learned: dict[str, tuple[Decimal, Decimal]] = {}
    for row in history:
        total_planned, total_slipped = learned.get(row.category, (ZERO, ZERO))
        learned[row.category] = (total_planned + row.planned, total_slipped + row.slipped)
    categories = []
    for category in sorted(planned):
        history_planned, history_slipped = learned.get(category, (ZERO, ZERO))
        if history_planned:
            rate, is_learned = (history_slipped / history_planned).quantize(RATE_PLACES), True
        else:
            rate, is_learned = programme.slippage_assumption, False
        categories.append(
            CategorySlippage(category, planned[category], rate, is_learned, history_planned, history_slipped)
        )
    return ProgrammePosition(
        financial_year=year,
        budget=programme.budget,
        slippage_assumption=programme.slippage_assumption,
        categories=categories,
        history=history,
        withheld=len(withheld),
        withheld_projects=withheld,
    )


def capital_programme_positions(
    *, user=None, what_if_rate: Decimal | None = None, records: PortfolioRecords | None = None
) -> list[ProgrammePosition]:
    """Every year's position, oldest first, now or as at `records`: one cached figure (three
    queries a year to compute)."""
    restricted = can_view_restricted(user)
    records = records or PortfolioRecords.live()

    def compute():
        programmes = records.programmes.order_by("financial_year")
        return [_position(programme, reader=user, records=records) for programme in programmes]

    positions = cached_figure(Project._meta.app_label, ("positions", restricted, records.moment), compute)
    return positions if what_if_rate is None else [_with_what_if(p, what_if_rate) for p in positions]


def capital_programme_positions_recorded() -> list[tuple[bool, ProgrammePosition]]:
    """Every programme's position over all projects (True) and over publication-safe ones (False),
    computed afresh, for the nightly snapshot."""
    programmes = list(CapitalProgramme.objects.order_by("financial_year"))
    return [
        (reader is EVERY_RECORD, _position(programme, reader=reader))
        for reader in (EVERY_RECORD, PUBLICATION)
        for programme in programmes
    ]


FIGURE_MODELS = (Project, SpendProfileLine, CapitalProgramme, DeliveryConfidenceAssessment)


@dataclass
class PortfolioHeadline:
    """The latest capital programme's position and the DCA mix, for the board."""

    financial_year: FinancialYear
    budget: Decimal
    managed_total: Decimal
    delay_adjusted_forecast: Decimal
    expected_slippage_rate: Decimal
    dca: list[tuple[str, str, int]]
    last_updated: datetime | None
    withheld: int = 0

    @property
    def over_programming(self) -> Decimal | None:
        return None if self.withheld else self.managed_total - self.budget

    @property
    def headroom(self) -> Decimal | None:
        return None if self.withheld else self.budget - self.delay_adjusted_forecast

    @property
    def withheld_sentence(self) -> str:
        return Withheld(self.withheld, "project").sentence


def portfolio_headline(*, user=None, records: PortfolioRecords | None = None) -> PortfolioHeadline | None:
    """The latest year's position and the DCA mix, now or, with `records` as at a past moment, as
    they stood then. None if no capital programme was recorded by then. Cached until a portfolio
    write changes it."""
    records = records or PortfolioRecords.live()
    restricted = can_view_restricted(user)

    def compute():
        programme = records.programmes.order_by("-financial_year").first()
        if programme is None:
            return None
        if records.at is None:
            position = capital_programme_position(financial_year=programme.financial_year, user=user)
        else:
            position = _position(programme, reader=user, records=records)
        return PortfolioHeadline(
            position.financial_year,
            position.budget,
            position.managed_total,
            position.delay_adjusted_forecast,
            expected_slippage_rate=position.expected_slippage_rate,
            dca=dca_distribution(user=user, records=records),
            last_updated=last_changed(*FIGURE_MODELS, at=records.at),
            withheld=position.withheld,
        )

    return cached_figure(Project._meta.app_label, ("headline", restricted, records.moment), compute)


def latest_programme_year(records: PortfolioRecords | None = None) -> FinancialYear | None:
    programmes = (records or PortfolioRecords.live()).programmes
    return programmes.order_by("-financial_year").values_list("financial_year", flat=True).first()


def _latest_dca(assessments: QuerySet | None = None, assessor: str = Assessor.SRO) -> QuerySet:
    """Each project's latest assessment by `assessor` among `assessments` (default: all there
    are). The SRO's own are the headline (the monthly status updates); independent ones are kept
    apart and shown beside them, never mixed in."""
    assessments = DeliveryConfidenceAssessment.objects.all() if assessments is None else assessments
    assessments = assessments.filter(assessor=assessor)
    later = assessments.filter(project=OuterRef("project"), assessed_on__gt=OuterRef("assessed_on"))
    return assessments.filter(~Exists(later))


def dca_distribution(
    *, user=None, records: PortfolioRecords | None = None, assessor: str = Assessor.SRO
) -> list[tuple[str, str, int]]:
    """How many live projects stand at each rating, by their latest assessment by `assessor`
    (the SRO's own unless asked for the independent ones; as at `records`, if given: the
    assessments dated by then, the stages as they stood). One query."""
    records = records or PortfolioRecords.live()
    counts = dict(
        _latest_dca(records.assessments, assessor)
        .filter(project__in=Project.objects.visible_to(user).filter(pk__in=records.live_project_ids()))
        .values_list("rating")
        .annotate(count=Count("project", distinct=True))
        .values_list("rating", "count")
        .order_by()
    )
    return [(rating.value, rating.label, counts.get(rating.value, 0)) for rating in DcaRating]


def dca_trend(*, user=None, records: PortfolioRecords | None = None) -> list[tuple[date, dict[str, int]]]:
    """The SRO's own assessments per date and rating, oldest first (those made by then, with
    `records` as at a past moment; one query)."""
    rows = (
        (records or PortfolioRecords.live())
        .assessments.filter(project__in=Project.objects.visible_to(user), assessor=Assessor.SRO)
        .values_list("assessed_on", "rating")
        .annotate(count=Count("pk"))
        .order_by("assessed_on")
    )
    trend: dict[date, dict[str, int]] = {}
    for assessed_on, rating, count in rows:
        trend.setdefault(assessed_on, {})[rating] = count
    return list(trend.items())


@dataclass(frozen=True)
class OverdueUpdate:
    project: Project
    month: date


def reporting_month(today: date) -> date:
    """The month whose status update is due by the 10th of `today`'s month: the previous one."""
    return previous_month(today)


def _overdue(*, today: date, user) -> tuple[date, QuerySet]:
    """The month now overdue (last month's once past the 10th, else the month before) and the
    live projects that have not filed it."""
    month = reporting_month(today)
    if today.day <= 10:
        month = reporting_month(month)  # last month's is not yet late; the month before is
    filed = StatusUpdate.objects.filter(project=OuterRef("pk"), month=month)
    projects = (
        Project.objects.visible_to(user)
        .filter(stage__in=[Stage.APPROVED, Stage.IN_DELIVERY, Stage.CLOSING])
        .filter(~Exists(filed))
    )
    return month, projects


def overdue_status_updates(*, today: date, user=None, limit: int | None = None) -> list[OverdueUpdate]:
    """Live projects with no update for the overdue month, highest priority first (one query)."""
    month, projects = _overdue(today=today, user=user)
    projects = projects.select_related("programme_manager").order_by("priority", "code")
    if limit is not None:
        projects = projects[:limit]
    return [OverdueUpdate(project, month) for project in projects]


def overdue_status_update_count(*, today: date, user=None) -> int:
    return _overdue(today=today, user=user)[1].count()


CONCERN_ORDER = ["red", "amber_red", "amber", "amber_green", "green"]


def projects_of_most_concern(*, user, limit: int = 10) -> list[Project]:
    """Live projects with the worst latest DCA first, then by business priority (two queries:
    rank the latest assessments, then fetch those few projects)."""
    concern = Case(
        *[When(rating=rating, then=Value(index)) for index, rating in enumerate(CONCERN_ORDER)],
        default=Value(len(CONCERN_ORDER)),
        output_field=IntegerField(),
    )
    ids = list(
        _latest_dca()
        .filter(project__in=Project.objects.visible_to(user).filter(stage__in=Stage.live()))
        .annotate(concern=concern)
        .order_by("concern", "project__priority", "project__code")
        .values_list("project_id", flat=True)[:limit]
    )
    projects = {project.pk: project for project in project_list(user=user).filter(pk__in=ids)}
    return [projects[pk] for pk in ids if pk in projects]


def approval_lead_times(*, user=None) -> list[dict]:
    """Average days from request to decision per gate, and how many wait (one query)."""
    lead = ExpressionWrapper(F("decided") - F("requested"), output_field=DurationField())
    rows = (
        ApprovalGate.objects.filter(project__in=Project.objects.visible_to(user))
        .values("name")
        .annotate(
            decided_count=Count("pk", filter=Q(decided__isnull=False)),
            waiting=Count("pk", filter=Q(decision=GateDecision.PENDING)),
            average=Avg(lead, filter=Q(decided__isnull=False)),
        )
        .order_by("name")
    )
    return [
        {
            "gate": row["name"],
            "decided": row["decided_count"],
            "waiting": row["waiting"],
            "average_days": round(row["average"].total_seconds() / 86400) if row["average"] else None,
        }
        for row in rows
    ]


def projects_with_most_sro_changes(*, user=None, limit: int = 5) -> QuerySet:
    return (
        Project.objects.visible_to(user)
        .annotate(sro_count=Count("sro_assignments"))
        .filter(sro_count__gt=1)
        .order_by("-sro_count", "code")[:limit]
    )


def project_list(*, user) -> QuerySet:
    """Projects with their latest DCA rating and current SRO, for lists and the API (one query)."""
    latest_rating = (
        DeliveryConfidenceAssessment.objects.filter(project=OuterRef("pk"), assessor=Assessor.SRO)
        .order_by("-assessed_on")
        .values("rating")[:1]
    )
    current_sro = (
        SroAssignment.objects.filter(project=OuterRef("pk"), ended__isnull=True).order_by("-started").values("name")[:1]
    )
    return (
        Project.objects.visible_to(user)
        .select_related("programme", "programme_manager")
        .annotate(
            latest_dca=Subquery(latest_rating),
            current_sro=Subquery(current_sro),
            sro_count=Count("sro_assignments", distinct=True),
            # the version a change must name (services.record_version): the latest history id
            version=Subquery(
                Project.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_id").values("history_id")[:1]
            ),
        )
        .order_by("code")
    )


def project_contract_events(*, user, project: Project) -> QuerySet:
    """The live contract events (of contracts the reader may see) the project depends on, by date:
    one query, through the link the register declares."""
    return (
        project.contract_events.visible_to(user)
        .filter(retired_at__isnull=True)
        .select_related("contract")
        .order_by("due", "pk")
    )


def project_detail(*, user, code: str) -> Project:
    """A project the user may see, with the initiatives it enables and its benefits as far as
    the user may see them."""
    initiatives = Project._meta.get_field("enables").related_model.objects.visible_to(user)
    return (
        Project.objects.visible_to(user)
        .select_related("programme", "programme_manager")
        .prefetch_related(
            Prefetch("enables", queryset=initiatives.select_related("category")),
            Prefetch("benefits", queryset=Benefit.objects.visible_to(user).select_related("retired_by")),
        )
        .get(code=code)
    )


def project_spend_by_year(*, project: Project) -> list[dict]:
    """Planned, actual and forecast per financial year (monthly lines summed), one query."""
    return list(
        project.spend.values("financial_year")
        .annotate(
            planned_total=Sum("planned"),
            actual_total=Sum("actual"),
            forecast_total=Sum("forecast"),
        )
        .order_by("financial_year")
    )


def snapshots(*, financial_year: FinancialYear, user=None) -> list[PortfolioSnapshot]:
    """The nightly positions of a year the user may see, oldest first (the dashboard's record of
    how the position moved; "as at" figures are rebuilt from the audit trail instead): with
    `view_restricted`, those over every project; without, the publication-safe ones that leave out
    every project withheld from the user now (an older one, taken before a project was marked,
    would give its figures away by the difference). Two queries."""
    found = PortfolioSnapshot.objects.filter(
        financial_year=financial_year, includes_sensitive=can_view_restricted(user)
    ).order_by("taken_on")
    if can_view_restricted(user):
        return list(found)
    withheld_now = set(_projects_withheld(financial_year, user))
    return [snapshot for snapshot in found if withheld_now <= set(snapshot.withheld_projects)]


def managed_projects(*, user) -> QuerySet:
    return project_list(user=user).filter(programme_manager=user)


# ----------------------------------------------------------------------------- for the Assembly pack


@dataclass(frozen=True)
class SavingsEnablers:
    """The live projects that enable savings initiatives, as far as a reader may see them, and how
    many such projects are withheld from the reader."""

    projects: list[Project]  # by code; each with `enables` prefetched to the initiatives the reader may see
    withheld: int


def savings_enablers(*, reader, records: PortfolioRecords | None = None) -> SavingsEnablers:
    """The live projects that enable savings initiatives, as far as `reader` may see them (each
    with the initiatives it may see), and how many such projects are withheld (three queries).
    With `records` as at a past moment, the projects live then (a link is read as it is now)."""
    records = records or PortfolioRecords.live()
    live = Project.objects.filter(pk__in=records.live_project_ids(), enables__isnull=False).distinct()
    initiatives = Project._meta.get_field("enables").related_model.objects.visible_to(reader)
    projects = list(
        live.visible_to(reader)
        .select_related("programme")
        .prefetch_related(Prefetch("enables", queryset=initiatives.order_by("reference")))
        .order_by("code")
    )
    # a project shows only for the initiatives the reader may see: one enabling only withheld
    # initiatives would otherwise still point at them
    return SavingsEnablers([p for p in projects if p.enables.all()], live.withheld_from(reader))


def withheld_projects(*, user) -> QuerySet:
    """The projects `user` may not see (none with `view_restricted`), as a queryset to filter or
    test in the database (e.g. `Exists`)."""
    return Project.objects.withheld(user)


def projects_last_changed(at: datetime | None = None) -> datetime | None:
    """When any project last changed (by `at`, if given)."""
    return last_changed(Project, at=at)


# ----------------------------------------------- programme managers' project records (issue 14, part 1)


def project_milestones(*, project: Project) -> QuerySet:
    """The project's milestones in order (hidden with their project: the caller has it visible)."""
    return project.milestones.all()


def status_updates_with_originals(updates) -> list[StatusUpdate]:
    """`updates`, each amended one with `original` set to its first version as filed (its
    history's creation row; None for one not amended). One query; none if none was amended."""
    updates = list(updates)
    amended = [update.pk for update in updates if update.amended_at is not None]
    originals: dict[int, object] = {}
    if amended:
        for row in StatusUpdate.history.filter(id__in=amended, history_type="+").order_by("history_date"):
            originals.setdefault(row.id, row)
    for update in updates:
        update.original = originals.get(update.pk)
    return updates


def current_status_update(*, project: Project, today: date) -> StatusUpdate | None:
    """The project's update for the current reporting month (the one that may be amended), or None."""
    return (
        StatusUpdate.objects.filter(project=project, month=reporting_month(today))
        .select_related("project", "amended_by")
        .first()
    )


# ----------------------------------------------------- the portfolio office (issue 14, part 1)


@dataclass(frozen=True)
class AssessmentRow:
    """One day's Delivery Confidence Assessments of a project: the SRO's own and the independent
    one, side by side (either may be missing)."""

    assessed_on: date
    sro: DeliveryConfidenceAssessment | None
    independent: DeliveryConfidenceAssessment | None


def project_assessments(*, project: Project) -> list[AssessmentRow]:
    """The project's assessments newest first, the SRO's own beside the independent one of the
    same day (one query)."""
    rows: dict[date, dict[str, DeliveryConfidenceAssessment]] = {}
    for assessment in project.assessments.order_by("-assessed_on", "assessor"):
        rows.setdefault(assessment.assessed_on, {})[assessment.assessor] = assessment
    return [AssessmentRow(day, found.get(Assessor.SRO), found.get(Assessor.INDEPENDENT)) for day, found in rows.items()]


def project_gates(*, project: Project) -> QuerySet:
    """The project's approval gates, oldest request first (each with its lead time in days)."""
    return project.gates.order_by("requested", "pk")


def project_sros(*, project: Project) -> QuerySet:
    """Who was the project's SRO, from when to when, oldest first."""
    return project.sro_assignments.order_by("started", "pk")


def current_sro(*, project: Project) -> SroAssignment | None:
    return project.sro_assignments.filter(ended__isnull=True).order_by("-started").first()


def programmes(*, user=None) -> QuerySet:
    """Every programme, with how many projects the user may see in it (one query)."""
    return Programme.objects.annotate(
        project_count=Count("projects", filter=visible_q(user, "projects__"), distinct=True)
    ).order_by("name")


def enableable_initiatives(*, user, project: Project) -> QuerySet:
    """The savings initiatives a project may be linked to, as far as the user may see them: those
    in use, and any withdrawn one it is linked to already (so it can be unlinked). One query."""
    Initiative = Project._meta.get_field("enables").related_model
    return (
        Initiative.objects.visible_to(user)
        .filter(Q(withdrawn_at__isnull=True) | Q(enabled_by_projects=project))
        .select_related("category")
        .distinct()
        .order_by("reference")
    )


# ----------------------------------------------- the outturn as a distribution (issue 16, part 1)


def _outturn_inputs(*, reader, records: PortfolioRecords, up_to: FinancialYear | None = None):
    """What the outturn simulation reads, over the projects `reader` may see, for every year (or
    those up to `up_to`): each live project's planned spend per year, each past project-year's
    planned and actual (lines with actuals), and the first year each withheld project spends in.
    Three queries, however many years and projects."""
    visible = visible_q(reader, "project__")
    spend = records.spend if up_to is None else records.spend.filter(financial_year__lte=up_to)
    planned = list(
        spend.filter(visible, project__in=records.live_project_ids())
        .values_list("financial_year", "project_id", "project__category")
        .annotate(total=Sum("planned"))
        .values_list("financial_year", "project_id", "project__category", "total")
        .order_by("financial_year", "project_id")
    )
    past = list(
        spend.filter(visible, actual__isnull=False)
        .values_list("financial_year", "project_id", "project__category")
        .annotate(planned_sum=Sum("planned"), actual_sum=Sum("actual"))
        .values_list("financial_year", "project__category", "planned_sum", "actual_sum")
        .order_by("financial_year", "project_id")
    )
    withheld_ids = Project.objects.withheld(reader).values("pk")
    first_years = list(
        spend.filter(project__in=withheld_ids)
        .values_list("project_id")
        .annotate(first=Min("financial_year"))
        .values_list("project_id", "first")
        .order_by()
        if not can_view_restricted(reader)
        else []
    )
    return planned, past, first_years


def _outturn(programme: CapitalProgramme, inputs, *, what_if_rate, underspend_threshold) -> OutturnDistribution:
    planned, past, first_years = inputs
    year = programme.financial_year
    return outturn_simulation(
        financial_year=year,
        budget=programme.budget,
        projects=[(category, total) for y, _, category, total in planned if y == year],
        history=[(category, p, a) for y, category, p, a in past if y < year],
        slippage_assumption=programme.slippage_assumption,
        mitigation_share=float(programme.mitigation_share),
        what_if_rate=what_if_rate,
        underspend_threshold=underspend_threshold,
        withheld=sum(1 for _, first in first_years if first <= year),
    )


def capital_programme_outturn(
    *,
    financial_year: FinancialYear,
    user=None,
    what_if_rate: Decimal | None = None,
    underspend_threshold: Decimal | None = None,
    records: PortfolioRecords | None = None,
) -> OutturnDistribution | None:
    """The year's in-year outturn as a distribution (P10 to P90, the chance of overspending the
    budget and of underspending it by more than `underspend_threshold`, default 5% of it), over the
    projects the reader may see, exactly as the position leaves withheld ones out (the
    probabilities are None while any is withheld). See portfolio.outturn for the method. Cached
    with the area's figures; four queries to compute, however many projects."""
    records = records or PortfolioRecords.live()
    restricted = can_view_restricted(user)

    def compute():
        programme = records.programmes.filter(financial_year=financial_year).first()
        if programme is None:
            return None
        inputs = _outturn_inputs(reader=user, records=records, up_to=financial_year)
        return _outturn(programme, inputs, what_if_rate=what_if_rate, underspend_threshold=underspend_threshold)

    parts = ("outturn", financial_year.start_year, restricted, records.moment, what_if_rate, underspend_threshold)
    return cached_figure(Project._meta.app_label, parts, compute)


def capital_programme_outturns(
    *,
    user=None,
    what_if_rate: Decimal | None = None,
    underspend_threshold: Decimal | None = None,
    records: PortfolioRecords | None = None,
) -> dict[int, OutturnDistribution]:
    """Every year's outturn distribution by the year's start, as `capital_programme_outturn`
    gives one: one cached figure, four queries to compute however many years."""
    records = records or PortfolioRecords.live()
    restricted = can_view_restricted(user)

    def compute():
        programmes = list(records.programmes.order_by("financial_year"))
        if not programmes:
            return {}
        inputs = _outturn_inputs(reader=user, records=records)
        return {
            p.financial_year.start_year: _outturn(
                p, inputs, what_if_rate=what_if_rate, underspend_threshold=underspend_threshold
            )
            for p in programmes
        }

    parts = ("outturns", restricted, records.moment, what_if_rate, underspend_threshold)
    return cached_figure(Project._meta.app_label, parts, compute)
