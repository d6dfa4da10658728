"""Reads of the contracts register. Every read of contracts and events goes through the marking
rule (`visible_to(user)`): a contract marked OFFICIAL-SENSITIVE, and its events, reach only readers
with `view_restricted`. The derived figures (extensions left, maximum end, the modification limit
and the headroom under it, whether it may still be modified, when notice is due) are computed here,
in Decimal pounds, from the record's own fields."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from contracts.choices import EventStatus
from contracts.models import Contract, ContractEvent, Supplier
from mps_ict.audit import FieldChange, HistoryEntry, history_entries, person
from mps_ict.financial_years import FinancialYear
from mps_ict.marking import visible_q
from mps_ict.money import format_percent, format_pounds
from mps_ict.phasing import ZERO, Dependence, dependence

PENNY = Decimal("0.01")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (earlier if negative), the month's last day where it is shorter;
    the calendar's first or last day where that is beyond it."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if year < date.min.year:
        return date.min
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ContractFigures:
    extensions_left: int
    maximum_end: date
    notice_by: date  # notice must be given by this day to end the contract at its current end
    modification_limit: Decimal  # the limit share of the value at award, in pounds
    headroom: Decimal  # the limit less the modifications so far (negative: over the limit)
    may_still_be_modified: bool
    may_still_be_extended: bool


def contract_figures(contract: Contract) -> ContractFigures:
    """The contract's derived figures, from its own fields (no query)."""
    extensions_left = max(contract.extensions_allowed - contract.extensions_used, 0)
    limit = (contract.modification_limit_share * contract.value).quantize(PENNY)
    headroom = (limit - contract.modifications_value).quantize(PENNY)
    live = contract.retired_at is None
    return ContractFigures(
        extensions_left=extensions_left,
        maximum_end=add_months(contract.end, extensions_left * contract.extension_months),
        notice_by=add_months(contract.end, -contract.notice_months),
        modification_limit=limit,
        headroom=headroom,
        may_still_be_modified=live and headroom > 0,
        may_still_be_extended=live and extensions_left > 0,
    )


# --- suppliers ------------------------------------------------------------------------------------


def supplier_list(*, user) -> QuerySet[Supplier]:
    """Every supplier with how many current contracts the reader may see: one query."""
    visible = visible_q(user, "contracts__") & Q(contracts__retired_at__isnull=True)
    return Supplier.objects.annotate(contract_count=Count("contracts", filter=visible)).order_by("name")


def supplier_detail(*, user, pk: int) -> Supplier:
    return supplier_list(user=user).get(pk=pk)


def supplier_contracts(*, user, supplier: Supplier) -> QuerySet[Contract]:
    return contract_list(user=user).filter(supplier=supplier)


# --- contracts ------------------------------------------------------------------------------------


def _next_event(field: str) -> Subquery:
    planned = ContractEvent.objects.filter(
        contract=OuterRef("pk"), status=EventStatus.PLANNED, retired_at__isnull=True
    ).order_by("due", "pk")
    return Subquery(planned.values(field)[:1])


def contract_list(*, user) -> QuerySet[Contract]:
    """The contracts the reader may see, with their supplier and next planned event: one query."""
    return (
        Contract.objects.visible_to(user)
        .select_related("supplier")
        .annotate(
            extensions_left=F("extensions_allowed") - F("extensions_used"),
            next_event_due=_next_event("due"),
            next_event_kind=_next_event("kind"),
        )
        .order_by("end", "reference")
    )


def contract_detail(*, user, pk: int) -> Contract:
    """The contract, if the reader may see it (else Contract.DoesNotExist: a 404, never a 403)."""
    return contract_list(user=user).select_related("retired_by").get(pk=pk)


def with_figures(contracts) -> list[tuple[Contract, ContractFigures]]:
    return [(contract, contract_figures(contract)) for contract in contracts]


def contract_events(*, contract: Contract) -> QuerySet[ContractEvent]:
    """A contract's events, retired ones too (flagged), by date. The caller has the contract, so
    may see it."""
    return contract.events.select_related("owner").order_by("due", "pk")


# --- events ---------------------------------------------------------------------------------------


def event_list(*, user) -> QuerySet[ContractEvent]:
    """The events of the contracts the reader may see, by date: one query."""
    return (
        ContractEvent.objects.visible_to(user)
        .select_related("contract", "contract__supplier", "owner")
        .order_by("due", "pk")
    )


def event_detail(*, user, pk: int) -> ContractEvent:
    return event_list(user=user).get(pk=pk)


# --- what depends on an event: the savings and projects, and the timeline ------------------------

Initiative = ContractEvent._meta.get_field("initiatives").related_model  # the savings area's, by the link
Project = ContractEvent._meta.get_field("projects").related_model  # the portfolio's


def _profile(initiative) -> dict[FinancialYear, Decimal]:
    """An initiative's planned saving by year (nothing while it is withdrawn from the plan: its
    figures have left the totals). Reads the prefetched profile."""
    if initiative.withdrawn_at is not None:
        return {}
    return {row.financial_year: row.planned_saving for row in initiative.profile.all()}


def _dependents_prefetch(user) -> tuple[Prefetch, Prefetch]:
    initiatives = (
        Initiative.objects.visible_to(user).select_related("category").prefetch_related("profile").order_by("reference")
    )
    return Prefetch("initiatives", queryset=initiatives), Prefetch(
        "projects", queryset=Project.objects.visible_to(user)
    )


def event_dependents(*, user, event: ContractEvent) -> tuple[list, list]:
    """The savings initiatives and the projects the reader may see that depend on the event."""
    initiatives = event.initiatives.visible_to(user).select_related("category").order_by("reference")
    return list(initiatives), list(event.projects.visible_to(user).order_by("code"))


def dependents_choices(*, user, event: ContractEvent) -> tuple[QuerySet, QuerySet]:
    """What the reader may link to an event: the initiatives in the plan (and any already linked,
    withdrawn since) and the projects, each as far as the reader may see them."""
    linked = event.initiatives.values("pk")
    initiatives = (
        Initiative.objects.visible_to(user)
        .filter(Q(withdrawn_at__isnull=True) | Q(pk__in=linked))
        .select_related("category")
        .order_by("reference")
    )
    return initiatives, Project.objects.visible_to(user).order_by("code")


@dataclass(frozen=True)
class DependentSaving:
    initiative: object  # a savings.Initiative
    dependence: Dependence  # its planned saving by year, the part that depends on the event, and moved
    by_year: tuple[Decimal, ...]  # the part that depends on the event, in each of the timeline's years


@dataclass(frozen=True)
class EventDependents:
    event: ContractEvent
    savings: list[DependentSaving]
    projects: list  # portfolio.Project

    @property
    def dependent_total(self) -> Decimal:
        return sum((saving.dependence.dependent_total for saving in self.savings), ZERO)

    @property
    def by_year(self) -> tuple[Decimal, ...]:
        """The part of the savings that depends on the event, in each of the timeline's years."""
        return tuple(sum(column, ZERO) for column in zip(*(s.by_year for s in self.savings), strict=True))


@dataclass(frozen=True)
class YearMove:
    year: FinancialYear
    planned: Decimal  # the dependent initiatives' whole saving that year
    moved: Decimal  # the same with the event moved
    change: Decimal


@dataclass(frozen=True)
class EventMove:
    """The what-if: an event on another date, and what the savings that depend on it make then."""

    event: ContractEvent
    moved_to: date
    months: int  # how many whole months later (0: not later; nothing moves)
    savings: list[DependentSaving]
    years: list[YearMove]

    @property
    def planned_year(self) -> FinancialYear:
        return FinancialYear.from_date(self.event.due)

    @property
    def landing_year(self) -> FinancialYear:
        """The savings year the event lands in on its new date."""
        return FinancialYear.from_date(self.moved_to)

    @property
    def lost(self) -> Decimal:
        """What the move pushes beyond the last year the savings are planned for."""
        return -sum((year.change for year in self.years), ZERO)

    @property
    def years_changed(self) -> list[YearMove]:
        return [year for year in self.years if year.change]


@dataclass(frozen=True)
class ContractTimeline:
    years: tuple[FinancialYear, ...]  # every year a dependent saving is planned in
    events: list[EventDependents]  # the contract's live events, by date
    move: EventMove | None

    @property
    def has_dependents(self) -> bool:
        return any(row.savings or row.projects for row in self.events)

    @property
    def events_with_savings(self) -> list[ContractEvent]:
        return [row.event for row in self.events if row.savings]


def contract_timeline(*, user, contract: Contract) -> ContractTimeline:
    """The contract's live events with the savings and projects (that the reader may see) that
    depend on each: which pounds of which year depend on which event (mps_ict.phasing). Four
    queries, however many events and dependents."""
    initiatives, projects = _dependents_prefetch(user)
    events = (
        contract.events.filter(retired_at__isnull=True)
        .select_related("owner")
        .prefetch_related(initiatives, projects)
        .order_by("due", "pk")
    )
    found = [
        (
            event,
            [(initiative, dependence(_profile(initiative), event=event.due)) for initiative in event.initiatives.all()],
        )
        for event in events
    ]
    years = tuple(
        sorted({year for _, savings in found for _, found_dependence in savings for year in found_dependence.years})
    )
    rows = [
        EventDependents(
            event,
            [
                DependentSaving(initiative, found_dependence, _in_years(found_dependence.dependent, years))
                for initiative, found_dependence in savings
            ],
            list(event.projects.all()),
        )
        for event, savings in found
    ]
    return ContractTimeline(years=years, events=rows, move=None)


def _in_years(amounts: dict, years) -> tuple[Decimal, ...]:
    return tuple(amounts.get(year, ZERO) for year in years)


def timeline_with_move(timeline: ContractTimeline, *, event_id: int, moved_to: date) -> ContractTimeline:
    """The what-if: the timeline with one of its events on another date (nothing is saved; no
    query). The event must be one of the timeline's with savings depending on it."""
    row = next(row for row in timeline.events if row.event.pk == event_id and row.savings)
    savings = []
    for saving in row.savings:
        moved = dependence(saving.dependence.planned, event=row.event.due, moved_to=moved_to)
        savings.append(DependentSaving(saving.initiative, moved, saving.by_year))
    years = []
    for year in timeline.years:
        planned = sum((saving.dependence.planned.get(year, ZERO) for saving in savings), ZERO)
        moved = sum((saving.dependence.moved.get(year, ZERO) for saving in savings), ZERO)
        years.append(YearMove(year, planned, moved, moved - planned))
    months = savings[0].dependence.months
    return replace(timeline, move=EventMove(row.event, moved_to, months, savings, years))


# --- the history, in words and pounds -------------------------------------------------------------

MONEY_FIELDS = {"value", "annual_value", "modifications_value"}


def _in_words(model, field: str, value, users: dict) -> object:
    if value is None or value == "":
        return value
    if field in MONEY_FIELDS:
        return format_pounds(value, pence=True)
    if field == "modification_limit_share":
        return format_percent(Decimal(value))
    model_field = model._meta.get_field(field)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation:
        related = users.get(value) if field in ("owner", "retired_by") else None
        if related is not None:
            return person(related)
        if field == "supplier":
            supplier = Supplier.objects.filter(pk=value).first()
            return supplier.name if supplier else value
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def history_in_words(instance) -> list[HistoryEntry]:
    """The record's history (mps_ict.audit.history_entries), each change said as a reader says it:
    pounds as £1,234.00, choices by their label, people by name, dates as 31 December 2015."""
    from django.contrib.auth import get_user_model

    entries = history_entries(instance)
    ids = {
        change.before if isinstance(change.before, int) else None
        for entry in entries
        for change in entry.changes
        if change.field in ("owner", "retired_by")
    } | {
        change.after if isinstance(change.after, int) else None
        for entry in entries
        for change in entry.changes
        if change.field in ("owner", "retired_by")
    }
    ids.discard(None)
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=ids)} if ids else {}
    model = instance.__class__
    return [
        replace(
            entry,
            changes=tuple(
                FieldChange(
                    change.field,
                    change.label,
                    _in_words(model, change.field, change.before, users),
                    _in_words(model, change.field, change.after, users),
                )
                for change in entry.changes
            ),
        )
        for entry in entries
    ]


# --- alerts: the decisions due (issue 17 part 3) --------------------------------------------------
# Appended here, apart from the register's reads above. The board overview, its monthly email and
# the owners' reminders read the planned events of live contracts through these.

QUARTER_WINDOW = "quarter"
WINDOW_DAYS_LIMIT = 366


def alert_window(value) -> str | int:
    """A window as the alerts take it: "quarter" (to the end of the day's UK financial quarter) or
    a number of days from 1 to 366. ValueError, saying what is allowed, for anything else."""
    text = str(value).strip().lower()
    if text == QUARTER_WINDOW:
        return QUARTER_WINDOW
    if text.isdigit() and 1 <= int(text) <= WINDOW_DAYS_LIMIT:
        return int(text)
    raise ValueError(f'The window must be "quarter" or a number of days from 1 to {WINDOW_DAYS_LIMIT}')


@dataclass(frozen=True)
class DueEvent:
    """One planned event in the alerts, said as the board reads it."""

    event_id: int
    contract_id: int
    reference: str
    title: str
    kind: str
    kind_label: str
    due: date
    owner: str  # the owner's name ("" for none)
    days_left: int  # negative: overdue by that many days

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)


@dataclass(frozen=True)
class ContractAlerts:
    """The planned events due from `start` (the day) to `end`, and those already past their date."""

    window: str | int
    start: date
    end: date
    label: str  # "this quarter (Q3 2026/27, to 31 December 2026)", "the next 90 days (to …)"
    due: tuple[DueEvent, ...]
    overdue: tuple[DueEvent, ...]
    withheld: int  # planned events of marked contracts due by `end` the reader may not see

    @property
    def withheld_sentence(self) -> str:
        if not self.withheld:
            return ""
        many = self.withheld != 1
        return (
            f"{self.withheld} event{'s' if many else ''} of contracts marked OFFICIAL-SENSITIVE "
            f"{'are' if many else 'is'} withheld."
        )


def _day_in_words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _window_end(today: date, window: str | int) -> tuple[date, str]:
    from datetime import timedelta

    from mps_ict.financial_years import Quarter

    if window == QUARTER_WINDOW:
        quarter = Quarter.from_date(today)
        end = quarter.end
        return end, f"this quarter (Q{quarter.number} {quarter.financial_year.label}, to {_day_in_words(end)})"
    end = today + timedelta(days=window)
    return end, f"the next {window} day{'s' if window != 1 else ''} (to {_day_in_words(end)})"


def planned_events(*, user) -> QuerySet[ContractEvent]:
    """The planned, live events of live contracts the reader may see, by date."""
    return (
        ContractEvent.objects.visible_to(user)
        .filter(status=EventStatus.PLANNED, retired_at__isnull=True, contract__retired_at__isnull=True)
        .order_by("due", "pk")
    )


def contract_alerts(*, user, today: date, window: str | int) -> ContractAlerts:
    """The planned events due within the window from `today` and the ones past their date, of the
    live contracts the reader may see: one query, and one more counting what is withheld from a
    reader without `view_restricted`. The events are read as they stand now."""
    window = alert_window(window)
    end, label = _window_end(today, window)
    events = planned_events(user=user).filter(due__lte=end)
    rows = [
        DueEvent(
            event_id=event.pk,
            contract_id=event.contract_id,
            reference=event.contract.reference,
            title=event.contract.title,
            kind=event.kind,
            kind_label=event.get_kind_display(),
            due=event.due,
            owner=person(event.owner) if event.owner else "",
            days_left=(event.due - today).days,
        )
        for event in events.select_related("contract", "owner")
    ]
    withheld = ContractEvent.objects.filter(
        status=EventStatus.PLANNED, retired_at__isnull=True, contract__retired_at__isnull=True, due__lte=end
    ).withheld_from(user)
    return ContractAlerts(
        window=window,
        start=today,
        end=end,
        label=label,
        due=tuple(row for row in rows if row.days_left >= 0),
        overdue=tuple(row for row in rows if row.days_left < 0),
        withheld=withheld,
    )


def events_to_remind(*, today: date, days: int) -> QuerySet[ContractEvent]:
    """The planned, live events of live contracts due from `today` to `days` later whose owner (active,
    with an email) has not yet been reminded of them for that date: one query. Every event,
    whatever its marking: the caller checks each owner may see theirs (`owner_sees`)."""
    from datetime import timedelta

    from django.db.models import Exists

    from contracts.models import EventReminder

    reminded = EventReminder.objects.filter(event=OuterRef("pk"), due=OuterRef("due"))
    return (
        ContractEvent.objects.filter(
            status=EventStatus.PLANNED,
            retired_at__isnull=True,
            contract__retired_at__isnull=True,
            due__gte=today,
            due__lte=today + timedelta(days=days),
            owner__isnull=False,
            owner__is_active=True,
        )
        .exclude(owner__email="")
        .exclude(Exists(reminded))
        .select_related("contract", "contract__supplier", "owner")
        .order_by("due", "pk")
    )


def owner_sees(owner, events) -> set[int]:
    """The ids of `events` their owner may see (the marking rule, `visible_to(owner)`): one query."""
    ids = [event.pk for event in events]
    return set(ContractEvent.objects.visible_to(owner).filter(pk__in=ids).values_list("pk", flat=True))


# --- the device models under a contract (issue 17 part 2) ---------------------------------------


def contract_device_models(*, contract: Contract) -> QuerySet:
    """The device models under the contract (retired ones too, flagged), each with its device type
    and its devices counted: `devices_count` in the register, `issued` of them issued now. One
    query, whatever their number. The caller has the contract, so may see it. (The estate is
    reached through the relation: this area imports only itself and the ground.)"""
    issued = "issued"  # mobile_assets.choices.DeviceStatus.ISSUED
    return (
        contract.device_models.select_related("device_type")
        .annotate(devices_count=Count("devices"), issued=Count("devices", filter=Q(devices__status=issued)))
        .order_by("device_type__name", "manufacturer", "name")
    )


# --- events with what depends on them (the API), and which savings depend on which contracts ------


def event_list_with_dependents(*, user) -> QuerySet[ContractEvent]:
    """The events the reader may see (event_list), each with the savings initiatives (and their
    profiles) and projects the reader may see that depend on it: four queries, however many."""
    initiatives, _ = _dependents_prefetch(user)
    projects = Prefetch("projects", queryset=Project.objects.visible_to(user).order_by("code"))
    return event_list(user=user).prefetch_related(initiatives, projects)


@dataclass(frozen=True)
class DependentPounds:
    by_year: dict[FinancialYear, Decimal]  # every year a dependent saving is planned in, in order
    total: Decimal


def event_dependent_pounds(event: ContractEvent) -> DependentPounds:
    """The pounds of each year that depend on the event, over the initiatives prefetched on it
    (event_list_with_dependents: those the reader may see), as the contract's timeline reads them
    (mps_ict.phasing). No query."""
    by_year: dict[FinancialYear, Decimal] = {}
    for initiative in event.initiatives.all():
        for year, amount in dependence(_profile(initiative), event=event.due).dependent.items():
            by_year[year] = by_year.get(year, ZERO) + amount
    return DependentPounds(dict(sorted(by_year.items())), sum(by_year.values(), ZERO))


def events_depended_on_q(*, user, initiative: str | None = None, project: str | None = None) -> Q:
    """The events that the initiative (by reference) or project (by code) depends on, as far as the
    reader may see it: a reference the reader may not see, or that does not exist, matches none."""
    if initiative is not None:
        return Q(initiatives__in=Initiative.objects.visible_to(user).filter(reference__iexact=initiative))
    return Q(projects__in=Project.objects.visible_to(user).filter(code__iexact=project))


def events_with_dependents_q(*, user) -> Q:
    """The events with a savings initiative or project, that the reader may see, depending on them."""
    through_initiatives = ContractEvent.initiatives.through.objects.filter(
        contractevent=OuterRef("pk"), initiative__in=Initiative.objects.visible_to(user)
    )
    through_projects = ContractEvent.projects.through.objects.filter(
        contractevent=OuterRef("pk"), project__in=Project.objects.visible_to(user)
    )
    return Q(Exists(through_initiatives)) | Q(Exists(through_projects))


def contracts_depended_on_q(*, user, initiative: str | None = None, project: str | None = None) -> Q:
    """The contracts with a live event that the initiative (by reference) or project (by code)
    depends on, as far as the reader may see it (events_depended_on_q)."""
    events = ContractEvent.objects.filter(retired_at__isnull=True).filter(
        events_depended_on_q(user=user, initiative=initiative, project=project)
    )
    return Q(pk__in=events.values("contract_id"))


@dataclass(frozen=True)
class SavingsDependency:
    """A saving that depends on a contract's event: the pounds of each year that depend on it."""

    contract: Contract
    event: ContractEvent
    initiative: object  # a savings.Initiative
    dependent: dict[FinancialYear, Decimal]  # every year of the initiative's profile, in order
    total: Decimal


def savings_dependencies(*, user) -> list[SavingsDependency]:
    """Which savings depend on which contracts: one row per (contract, event, initiative), for
    each live event of a live contract and each initiative in the plan (not withdrawn) depending
    on it, as far as the reader may see both the contract and the initiative (`visible_to`), by
    contract, date and initiative. Three queries, however many."""
    initiatives = (
        Initiative.objects.visible_to(user)
        .filter(withdrawn_at__isnull=True)
        .select_related("category")
        .prefetch_related("profile")
        .order_by("reference")
    )
    events = (
        ContractEvent.objects.visible_to(user)
        .filter(retired_at__isnull=True, contract__retired_at__isnull=True)
        .select_related("contract", "contract__supplier")
        .prefetch_related(Prefetch("initiatives", queryset=initiatives))
        .order_by("contract__reference", "due", "pk")
    )
    rows = []
    for event in events:
        for initiative in event.initiatives.all():
            found = dependence(_profile(initiative), event=event.due)
            rows.append(
                SavingsDependency(event.contract, event, initiative, dict(found.dependent), found.dependent_total)
            )
    return rows


def withheld_contracts(*, user) -> QuerySet[Contract]:
    """The contracts `user` may not see (none with `view_restricted`), as a queryset to filter or
    test in the database (e.g. `Exists`)."""
    return Contract.objects.withheld(user)


def dependents_linkable(*, user) -> tuple[QuerySet, QuerySet]:
    """What the reader may name as depending on an event through the API: the initiatives (the
    service refuses one withdrawn from the plan, with its reason) and projects the reader may see."""
    return Initiative.objects.visible_to(user), Project.objects.visible_to(user)
