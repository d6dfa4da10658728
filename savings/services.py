"""Writes to the savings plan. Every function is atomic and audited (who, when, before, after)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from mps_ict.as_at import end_of_day
from mps_ict.audit import audit_context, audited, bulk_write
from mps_ict.conflicts import Conflict, StaleVersion, version_check
from mps_ict.figures_cache import figures_changed
from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.imports import ImportRejected, RowError, StaleImport, changed_by, hold, preview_take, stale_error
from mps_ict.loaders import LoadReport
from mps_ict.marking import ProtectiveMarking
from mps_ict.money import FORECAST_TOLERANCE_LABEL, forecast_beyond_tolerance, format_pounds
from savings.choices import ActualStatus
from savings.models import (
    Category,
    Initiative,
    PlanTarget,
    PlanVersion,
    QuarterClosure,
    QuarterlyActual,
    SavingsPlan,
    SavingsProfile,
    SpendBaseline,
    SpendBaselineLine,
)

MILLION = Decimal(1_000_000)


# --- The baseline from the source documents -----------------------------------------------------


def _stated_reduction(printed: str) -> Decimal | None:
    """The table prints reductions in £m as negatives ("-8"); anything else ("φ") is not a number."""
    try:
        return abs(Decimal(str(printed))) * MILLION
    except ArithmeticError:
        return None


@transaction.atomic
def plan_load_baseline(*, data: dict, user=None, report: LoadReport | None = None) -> SavingsPlan:
    """Load the plan as the data file gives it, inserting only what is missing: a plan, target,
    category (by slug), initiative (by reference), profile year, spend baseline or line that is
    already there is left exactly as it is, whatever the file says (finance maintain it in the
    application). `report` counts what was added and what was left."""
    report = report if report is not None else LoadReport()
    insert = report.insert_missing
    with audit_context(
        user=user, reason="Loaded from the source documents (load_mps_baseline)", effective=data.get("effective")
    ):
        plan_data = data["plan"]
        plan, _ = insert(
            SavingsPlan,
            {"name": plan_data["name"]},
            baseline_year=FinancialYear.parse(plan_data["baseline_year"]),
            target_year=FinancialYear.parse(plan_data["target_year"]),
            baseline_cost=Decimal(plan_data["baseline_cost"]),
            target_cost=Decimal(plan_data["target_cost"]),
            costs_outside_doi=Decimal(plan_data["costs_outside_doi"]),
            costs_outside_doi_in_scope=Decimal(plan_data["costs_outside_doi_in_scope"]),
            source=plan_data["source"].strip(),
        )
        for target in data["targets"]:
            insert(
                PlanTarget,
                {"plan": plan, "financial_year": FinancialYear.parse(target["financial_year"])},
                cumulative_target=Decimal(target["cumulative_target"]),
                source=target["source"],
            )
        for position, row in enumerate(data["initiatives"], start=1):
            # by slug, so a category finance renamed is still found (and not loaded twice)
            category, _ = insert(
                Category, {"plan": plan, "slug": slugify(row["category"])}, name=row["category"], position=position
            )
            printed = str(row["stated_reduction"])
            initiative, _ = insert(
                Initiative,
                {"reference": row["reference"]},
                category=category,
                description=" ".join(row["description"].split()),
                cost_now=Decimal(row["cost_now"]),
                future_cost=Decimal(row["future_cost"]),
                stated_reduction=_stated_reduction(printed),
                stated_reduction_text=printed,
                savings_type=row["savings_type"],
                savings_type_is_assumed=True,
                cashable=True,
                investment_needed=None,
                investment_note="To be confirmed following consultation with strategic partners (April 2013).",
                inside_doi_budget=True,
                dependencies=" ".join((row.get("dependencies") or "").split()),
                protective_marking=ProtectiveMarking.OFFICIAL,
            )
            for year_label, amount in row["profile"].items():
                insert(
                    SavingsProfile,
                    {"initiative": initiative, "financial_year": FinancialYear.parse(year_label)},
                    planned_saving=Decimal(amount),
                    is_assumed=True,
                )
        spend = data["spend_baseline"]
        baseline, _ = insert(
            SpendBaseline,
            {"financial_year": FinancialYear.parse(spend["financial_year"])},
            total=Decimal(spend["total"]),
            comparable_total=Decimal(spend["comparable_total"]),
            managed_by_doi=Decimal(spend["managed_by_doi"]),
            share_of_revenue_budget=Decimal(spend["share_of_revenue_budget"]),
            third_party_share_of_revenue=Decimal(spend["third_party_share_of_revenue"]),
            source=spend["source"],
        )
        for position, line in enumerate(spend["lines"], start=1):
            comparator = line.get("comparator_amount")
            insert(
                SpendBaselineLine,
                {"baseline": baseline, "position": position},
                name=line["name"],
                group=line.get("group", ""),
                is_subtotal=bool(line.get("subtotal")),
                amount=Decimal(line["amount"]),
                comparator_amount=Decimal(comparator) if comparator else None,
            )
        for version in data.get("versions", []):
            _plan_version_load(plan=plan, data=version, insert=insert)
    return plan


# --- Initiatives: finance maintain the plan (issue 13, part 2) -----------------------------------
# Every change takes the version the user read (mps_ict.conflicts.version_check) and moves it on;
# `reason` goes into the audit trail. An initiative or category is withdrawn, never deleted: its
# figures leave the plan's totals (selectors.PlanRecords) and its record and trail stay.

INITIATIVE_EDITABLE_FIELDS = {
    "category",
    "description",
    "owner",
    "cost_now",
    "future_cost",
    "stated_reduction",
    "savings_type",
    "cashable",
    "investment_needed",
    "investment_note",
    "inside_doi_budget",
    "delivery_status",
    "confidence",
    "dependencies",
    "protective_marking",
}
MONEY_FIELD_LABELS = {
    "cost_now": "Cost now",
    "future_cost": "Future cost",
    "stated_reduction": "The stated reduction",
    "investment_needed": "Investment needed",
}


def stated_reduction_printed(amount: Decimal | None) -> str:
    """A stated reduction as the source table prints one: £m as a negative ("-8", "-1.25"), so the
    loader's reading of it (_stated_reduction) gives the amount back."""
    if amount is None:
        return ""
    millions = (amount / MILLION).normalize()
    return f"-{millions:f}" if millions else "0"


def _money_errors(initiative: Initiative) -> dict[str, str]:
    return {
        name: f"{label} must not be negative."
        for name, label in MONEY_FIELD_LABELS.items()
        if getattr(initiative, name) is not None and getattr(initiative, name) < 0
    }


def _initiative_check(initiative: Initiative) -> None:
    """The rules a new initiative must meet beyond its fields' own, each naming its field."""
    errors = _money_errors(initiative)
    category = initiative.category if initiative.category_id else None
    if category is not None and category.withdrawn_at is not None:
        errors["category"] = f"{category.name} is withdrawn from the plan: choose a category in use."
    if errors:
        raise ValidationError(errors)
    initiative.full_clean()


@audited
@transaction.atomic
def initiative_create(
    *,
    category: Category,
    reference: str,
    description: str,
    cost_now: Decimal,
    future_cost: Decimal,
    savings_type: str,
    user,
    reason: str = "",
    owner: str = "",
    stated_reduction: Decimal | None = None,
    cashable: bool = True,
    investment_needed: Decimal | None = None,
    investment_note: str = "",
    inside_doi_budget: bool = True,
    delivery_status: str = "not_started",
    confidence: str = "",
    dependencies: str = "",
    protective_marking: str = ProtectiveMarking.OFFICIAL,
) -> Initiative:
    """Add an initiative to the plan, in a category in use. Its savings type is stated by finance
    (not assumed); it has no phasing until it is re-phased (initiative_rephase)."""
    initiative = Initiative(
        category=category,
        reference=(reference or "").strip(),
        description=(description or "").strip(),
        owner=(owner or "").strip(),
        cost_now=cost_now,
        future_cost=future_cost,
        stated_reduction=stated_reduction,
        stated_reduction_text=stated_reduction_printed(stated_reduction),
        savings_type=savings_type,
        savings_type_is_assumed=False,
        cashable=cashable,
        investment_needed=investment_needed,
        investment_note=(investment_note or "").strip(),
        inside_doi_budget=inside_doi_budget,
        delivery_status=delivery_status,
        confidence=confidence,
        dependencies=(dependencies or "").strip(),
        protective_marking=protective_marking,
    )
    if initiative.reference and Initiative.objects.filter(reference__iexact=initiative.reference).exists():
        raise Conflict({"reference": f"An initiative {initiative.reference} already exists: choose another reference."})
    _initiative_check(initiative)
    initiative.save()
    return initiative


@audited
@transaction.atomic
def initiative_update(
    *, initiative: Initiative, user, reason: str = "", version: int | None = None, **changes
) -> Initiative:
    """Change an initiative's category, figures, status or marking; audited, and the cached
    figures refresh. `version` is the version the user read: the pages and the API always give
    it, and a change made since is refused (StaleVersion); code that edits with nobody reading
    (tests, scripts) may leave it out. Setting the stated reduction sets how it is printed too;
    changing the savings type makes it stated, not assumed. Nothing changed: nothing written."""
    unknown = set(changes) - INITIATIVE_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    locked = Initiative.objects.select_for_update().select_related("category").get(pk=initiative.pk)
    if version is not None:
        version_check(current=locked.version, expected=version, what=f"initiative {locked.reference}")
    before = {name: getattr(locked, name) for name in changes}
    for name, value in changes.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    changed = {name for name in changes if getattr(locked, name) != before[name]}
    if not changed:
        return locked
    if "stated_reduction" in changed:
        locked.stated_reduction_text = stated_reduction_printed(locked.stated_reduction)
    if "savings_type" in changed:
        locked.savings_type_is_assumed = False
    errors = _money_errors(locked)
    if "category" in changed:
        if locked.category.plan_id != before["category"].plan_id:
            errors["category"] = "Choose a category of the same plan."
        elif locked.category.withdrawn_at is not None:
            errors["category"] = f"{locked.category.name} is withdrawn from the plan: choose a category in use."
    if errors:
        raise ValidationError(errors)
    locked.full_clean()
    locked.version += 1
    locked.save()
    return locked


def _reason_required(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why {what}."})
    return reason


@audited
@transaction.atomic
def initiative_withdraw(*, initiative: Initiative, user, reason: str, version: int | None) -> Initiative:
    """Take an initiative out of the plan, with a reason: its figures leave every total from now
    on (a figure as at an earlier day still counts it), its record and trail stay, and it can be
    reinstated. Refused while it has actuals submitted or approved: those are figures of the plan,
    so it is stopped (its delivery status), not withdrawn."""
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    version_check(current=locked.version, expected=version, what=f"initiative {locked.reference}")
    reason = _reason_required(reason, f"{locked.reference} is being withdrawn")
    if locked.withdrawn_at is not None:
        raise Conflict({"initiative": f"{locked.reference} is already withdrawn."})
    in_hand = (
        locked.actuals.exclude(status__in=[ActualStatus.DRAFT, ActualStatus.RETURNED])
        .order_by("financial_year", "quarter")
        .values_list("financial_year", "quarter")
    )
    periods = list(dict.fromkeys(str(Quarter(year, number)) for year, number in in_hand))
    if periods:
        raise ValidationError(
            {
                "initiative": f"{locked.reference} has actuals submitted or approved ({', '.join(periods)}), "
                "so it cannot be withdrawn: set its delivery status to Stopped instead."
            }
        )
    locked.withdrawn_at, locked.withdrawn_by, locked.withdrawn_reason = timezone.now(), user, reason
    locked.version += 1
    with audit_context(user=user, reason=reason):
        locked.save()
    return locked


@audited
@transaction.atomic
def initiative_reinstate(*, initiative: Initiative, user, reason: str, version: int | None) -> Initiative:
    """Bring a withdrawn initiative back into the plan, with a reason: its figures count again."""
    locked = Initiative.objects.select_for_update().select_related("category").get(pk=initiative.pk)
    version_check(current=locked.version, expected=version, what=f"initiative {locked.reference}")
    reason = _reason_required(reason, f"{locked.reference} is being reinstated")
    if locked.withdrawn_at is None:
        raise Conflict({"initiative": f"{locked.reference} is not withdrawn."})
    if locked.category.withdrawn_at is not None:
        raise ValidationError(
            {
                "initiative": f"Its category, {locked.category.name}, is withdrawn: reinstate the category, "
                "or move the initiative to a category in use, first."
            }
        )
    locked.withdrawn_at, locked.withdrawn_by, locked.withdrawn_reason = None, None, ""
    locked.version += 1
    with audit_context(user=user, reason=reason):
        locked.save()
    return locked


@audited
@transaction.atomic
def initiative_rephase(
    *,
    initiative: Initiative,
    user,
    profile: dict[FinancialYear, Decimal | None],
    version: int | None,
    reason: str = "",
) -> Initiative:
    """Set the initiative's planned saving for the plan's years in one go: {year: the year's saving
    against the baseline}. A blank (None) year plans no saving (its row, if any, goes); zero is
    kept as a planned zero. A year not given, or whose figure is unchanged, is left as it is. Each
    row written is audited with `reason`, and the initiative's version moves on. Every refusal
    names its year (field "profile.2014/15"), and then nothing is written."""
    from savings.selectors import plan_year_range

    locked = Initiative.objects.select_for_update().select_related("category__plan").get(pk=initiative.pk)
    version_check(current=locked.version, expected=version, what=f"the phasing of {locked.reference}")
    years = plan_year_range(plan=locked.category.plan)
    errors = {}
    for year, amount in profile.items():
        if year not in years:
            errors[f"profile.{year}"] = (
                f"{year} is outside the plan's years ({years[0]} to {years[-1]}): phase the saving within them."
            )
        elif amount is not None and amount < 0:
            errors[f"profile.{year}"] = f"The planned saving for {year} must not be negative."
    if errors:
        raise ValidationError(errors)
    rows = {row.financial_year: row for row in SavingsProfile.objects.select_for_update().filter(initiative=locked)}
    changed = False
    for year in sorted(profile):
        amount, row = profile[year], rows.get(year)
        if amount is None:
            if row is not None:
                row.delete()
                changed = True
            continue
        if row is not None and row.planned_saving == amount:
            continue
        row = row or SavingsProfile(initiative=locked, financial_year=year)
        row.planned_saving, row.is_assumed = amount, False
        row.full_clean()
        row.save()
        changed = True
    if changed:
        locked.version += 1
        locked.save()
    return locked


# --- Categories -----------------------------------------------------------------------------------


def _category_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter the category's name."})
    return name


@audited
@transaction.atomic
def category_create(*, plan: SavingsPlan, name: str, user, position: int | None = None, reason: str = "") -> Category:
    """A new category of the plan. Its slug (its address, and how the loader finds it) comes from
    the name and stays when the category is renamed; it goes last unless a position is given."""
    name = _category_name(name)
    slug = slugify(name)
    if not slug:
        raise ValidationError({"name": "Give the name some letters or numbers."})
    taken = Category.objects.filter(plan=plan)
    if taken.filter(name__iexact=name).exists():
        raise Conflict({"name": f"The plan already has a category called {name}."})
    if taken.filter(slug=slug).exists():
        raise Conflict({"name": f"The plan already has a category whose address is {slug}: choose another name."})
    if position is None:
        position = (taken.aggregate(last=Max("position"))["last"] or 0) + 1
    category = Category(plan=plan, name=name, slug=slug, position=position)
    category.full_clean()
    category.save()
    return category


@audited
@transaction.atomic
def category_update(
    *,
    category: Category,
    user,
    version: int | None,
    name: str | None = None,
    position: int | None = None,
    reason: str = "",
) -> Category:
    """Rename or move a category (its slug stays, so its address and the loader's match do)."""
    locked = Category.objects.select_for_update().get(pk=category.pk)
    version_check(current=locked.version, expected=version, what=f"the category {locked.name}")
    if name is not None:
        name = _category_name(name)
        if Category.objects.filter(plan_id=locked.plan_id, name__iexact=name).exclude(pk=locked.pk).exists():
            raise Conflict({"name": f"The plan already has a category called {name}."})
        locked.name = name
    if position is not None:
        if position < 0:
            raise ValidationError({"position": "The position must be 0 or more."})
        locked.position = position
    locked.version += 1
    locked.full_clean()
    locked.save()
    return locked


@audited
@transaction.atomic
def category_withdraw(*, category: Category, user, version: int | None, reason: str) -> Category:
    """Take a category out of the plan, with a reason: only once every initiative in it is withdrawn
    (or it has none). Its page and trail stay."""
    locked = Category.objects.select_for_update().get(pk=category.pk)
    version_check(current=locked.version, expected=version, what=f"the category {locked.name}")
    reason = _reason_required(reason, f"{locked.name} is being withdrawn")
    if locked.withdrawn_at is not None:
        raise Conflict({"category": f"{locked.name} is already withdrawn."})
    in_plan = list(locked.initiatives.filter(withdrawn_at__isnull=True).values_list("reference", flat=True))
    if in_plan:
        raise ValidationError(
            {
                "category": f"{locked.name} still has initiatives in the plan ({len(in_plan)}): withdraw them, "
                "or move them to another category, first."
            }
        )
    locked.withdrawn_at, locked.withdrawn_reason = timezone.now(), reason
    locked.version += 1
    with audit_context(user=user, reason=reason):
        locked.save()
    return locked


@audited
@transaction.atomic
def category_reinstate(*, category: Category, user, version: int | None, reason: str) -> Category:
    """Bring a withdrawn category back into use, with a reason (its initiatives stay withdrawn
    until each is reinstated)."""
    locked = Category.objects.select_for_update().get(pk=category.pk)
    version_check(current=locked.version, expected=version, what=f"the category {locked.name}")
    reason = _reason_required(reason, f"{locked.name} is being reinstated")
    if locked.withdrawn_at is None:
        raise Conflict({"category": f"{locked.name} is not withdrawn."})
    locked.withdrawn_at, locked.withdrawn_reason = None, ""
    locked.version += 1
    with audit_context(user=user, reason=reason):
        locked.save()
    return locked


# --- Interim targets ------------------------------------------------------------------------------


@audited
@transaction.atomic
def target_set(
    *,
    plan: SavingsPlan,
    financial_year: FinancialYear,
    cumulative_target: Decimal,
    user,
    version: int | None = None,
    source: str | None = None,
    reason: str = "",
) -> PlanTarget:
    """Set the plan's cumulative target for a year of the plan: a new one (no `version`), or a
    change to the one there (from the version the user read; one set since is a StaleVersion)."""
    from savings.selectors import plan_year_range

    years = plan_year_range(plan=plan)
    errors = {}
    if financial_year not in years:
        errors["financial_year"] = f"{financial_year} is outside the plan's years ({years[0]} to {years[-1]})."
    if cumulative_target is None:
        errors["cumulative_target"] = f"Enter the target for {financial_year}."
    elif cumulative_target < 0:
        errors["cumulative_target"] = f"The target for {financial_year} must not be negative."
    if errors:
        raise ValidationError(errors)
    target = PlanTarget.objects.select_for_update().filter(plan=plan, financial_year=financial_year).first()
    if target is None and version is not None:
        raise StaleVersion({"version": f"The target for {financial_year} was removed while you were editing it."})
    if target is not None:
        if version is None:
            raise StaleVersion(
                {"financial_year": f"{financial_year} already has a target: change that one (with its version)."}
            )
        version_check(current=target.version, expected=version, what=f"the target for {financial_year}")
        target.version += 1
    target = target or PlanTarget(plan=plan, financial_year=financial_year)
    target.cumulative_target = cumulative_target
    if source is not None:
        target.source = source.strip()
    target.full_clean()
    target.save()
    return target


@audited
@transaction.atomic
def target_remove(*, target: PlanTarget, user, version: int | None, reason: str) -> None:
    """Remove an interim target, with a reason. Its history keeps it (and who removed it, why)."""
    locked = PlanTarget.objects.select_for_update().get(pk=target.pk)
    version_check(current=locked.version, expected=version, what=f"the target for {locked.financial_year}")
    reason = _reason_required(reason, f"the target for {locked.financial_year} is being removed")
    with audit_context(user=user, reason=reason):
        locked.delete()


# --- Quarterly actuals: maker-checker ------------------------------------------------------------


@dataclass(frozen=True)
class ActualInput:
    initiative: Initiative
    actual_saving: Decimal
    forecast_full_year: Decimal
    commentary: str = ""


def quarter_is_closed(*, plan: SavingsPlan, quarter: Quarter) -> bool:
    return QuarterClosure.objects.filter(
        plan=plan, financial_year=quarter.financial_year, quarter=quarter.number, closed=True
    ).exists()


def forecast_reference(*, initiative: Initiative, quarter: Quarter, exclude_pk=None) -> Decimal | None:
    """What a new forecast is compared with: the latest approved forecast earlier in the same
    year, else the planned saving for the year."""
    earlier = (
        QuarterlyActual.objects.filter(
            initiative=initiative,
            financial_year=quarter.financial_year,
            quarter__lt=quarter.number,
            status=ActualStatus.APPROVED,
        )
        .exclude(pk=exclude_pk)
        .order_by("-quarter")
        .values_list("forecast_full_year", flat=True)
        .first()
    )
    if earlier is not None:
        return earlier
    return (
        SavingsProfile.objects.filter(initiative=initiative, financial_year=quarter.financial_year)
        .values_list("planned_saving", flat=True)
        .first()
    )


@dataclass(frozen=True)
class ActualChecks:
    """What actual_validate would otherwise look up for each row, looked up once for many rows
    (an upload): whether the quarter is closed, and each initiative's forecast reference."""

    closed: bool
    references: dict[int, Decimal | None]  # initiative id -> what a new forecast is compared with


def actual_checks(*, plan: SavingsPlan, quarter: Quarter, initiatives: list[Initiative]) -> ActualChecks:
    """The checks of a quarter for many initiatives at once (three queries): the latest approved
    forecast earlier in the year, else the planned saving for the year (as forecast_reference)."""
    ids = [initiative.pk for initiative in initiatives]
    references: dict[int, Decimal | None] = dict(
        SavingsProfile.objects.filter(initiative__in=ids, financial_year=quarter.financial_year).values_list(
            "initiative_id", "planned_saving"
        )
    )
    earlier = (
        QuarterlyActual.objects.filter(
            initiative__in=ids,
            financial_year=quarter.financial_year,
            quarter__lt=quarter.number,
            status=ActualStatus.APPROVED,
        )
        .order_by("initiative_id", "quarter")
        .values_list("initiative_id", "forecast_full_year")
    )
    references.update(dict(earlier))  # ordered by quarter: the latest approved one is kept
    return ActualChecks(quarter_is_closed(plan=plan, quarter=quarter), references)


def actual_validate(
    *, row: ActualInput, quarter: Quarter, existing: QuarterlyActual | None, checks: ActualChecks | None = None
) -> dict[str, str]:
    """Every rule a quarterly actual must meet, as {field: message}; empty when it is valid.
    `checks` (actual_checks) saves an upload a query or two per row."""
    errors: dict[str, str] = {}
    if row.actual_saving < 0:
        errors["actual_saving"] = "Actual saving must not be negative."
    if row.forecast_full_year < 0:
        errors["forecast_full_year"] = "Full-year forecast must not be negative."
    if row.initiative.withdrawn_at is not None:  # its figures would count nowhere
        errors["initiative"] = (
            f"{row.initiative.reference} is withdrawn from the plan: reinstate it before entering figures for it."
        )
    closed = (
        checks.closed if checks is not None else quarter_is_closed(plan=row.initiative.category.plan, quarter=quarter)
    )
    if closed:
        errors["quarter"] = f"{quarter} is closed; its actuals are locked."
    elif existing is not None and not existing.editable:
        errors["status"] = f"This actual is {existing.get_status_display().lower()} and can no longer be changed." + (
            " Propose a correction on the figure's page instead." if existing.status == ActualStatus.APPROVED else ""
        )
    if "forecast_full_year" not in errors and not row.commentary.strip():
        reference = (
            checks.references.get(row.initiative.pk)
            if checks is not None
            else forecast_reference(
                initiative=row.initiative, quarter=quarter, exclude_pk=existing.pk if existing else None
            )
        )
        if reference is not None and forecast_beyond_tolerance(reference=reference, forecast=row.forecast_full_year):
            errors["commentary"] = (
                f"Explain the forecast: it moves by more than {FORECAST_TOLERANCE_LABEL} from £{reference:,.2f}."
            )
    return errors


class ActualExists(Conflict):
    """The initiative already has figures for the quarter: update those (with their version)."""

    def __init__(self, actual: QuarterlyActual):
        self.actual = actual
        super().__init__(f"{actual} already exists; update it with its version.")


def _actual_locked(*, initiative: Initiative, quarter: Quarter) -> QuarterlyActual | None:
    """The quarter's figures being worked on, locked: the open revision (a draft, submitted or
    returned correction, or the first figures) if there is one, else the approved one; never a
    superseded one. The open revision is always the latest (a correction is the next revision)."""
    return (
        QuarterlyActual.objects.select_for_update()
        .filter(initiative=initiative, financial_year=quarter.financial_year, quarter=quarter.number)
        .exclude(status=ActualStatus.SUPERSEDED)
        .order_by("-revision")
        .first()
    )


def _actual_write(*, existing: QuarterlyActual | None, row: ActualInput, quarter: Quarter, user) -> QuarterlyActual:
    """Validate and save the draft; the callers have decided which record it is and checked its version."""
    errors = actual_validate(row=row, quarter=quarter, existing=existing)
    if errors:
        raise ValidationError(errors)
    actual = existing or QuarterlyActual(
        initiative=row.initiative, financial_year=quarter.financial_year, quarter=quarter.number
    )
    actual.actual_saving = row.actual_saving
    actual.forecast_full_year = row.forecast_full_year
    actual.commentary = row.commentary.strip()
    actual.entered_by = user
    actual.status = ActualStatus.DRAFT
    if existing is not None:
        actual.version = existing.version + 1
    actual.full_clean()
    actual.save()
    return actual


@audited
@transaction.atomic
def actual_create(*, row: ActualInput, quarter: Quarter, user) -> QuarterlyActual:
    """A new draft actual. If the initiative already has one for the quarter, that is a conflict
    (ActualExists): the caller updates it with its version rather than overwriting it unseen."""
    existing = _actual_locked(initiative=row.initiative, quarter=quarter)
    if existing is not None:
        raise ActualExists(existing)
    return _actual_write(existing=None, row=row, quarter=quarter, user=user)


@audited
@transaction.atomic
def actual_update(
    *,
    actual: QuarterlyActual,
    user,
    version: int | None,
    actual_saving: Decimal | None = None,
    forecast_full_year: Decimal | None = None,
    commentary: str | None = None,
) -> QuarterlyActual:
    """Change the figures of this actual, and only this one; a figure not given keeps its value.

    `version` is the version the user read: required, and refused (StaleVersion) if somebody
    saved in between, rather than silently overwriting their figures.
    """
    locked = QuarterlyActual.objects.select_for_update().select_related("initiative__category__plan").get(pk=actual.pk)
    version_check(current=locked.version, expected=version, what="these figures")
    row = ActualInput(
        locked.initiative,
        locked.actual_saving if actual_saving is None else actual_saving,
        locked.forecast_full_year if forecast_full_year is None else forecast_full_year,
        locked.commentary if commentary is None else commentary,
    )
    return _actual_write(existing=locked, row=row, quarter=locked.period, user=user)


@audited
@transaction.atomic
def actual_save(*, row: ActualInput, quarter: Quarter, user, expected_version: int | None = None) -> QuarterlyActual:
    """Create or update the draft actual of an initiative for a quarter, as the form shows it.

    `expected_version` is the version the user started editing from, None if they started from
    no figures; if somebody saved (or created the figures) in between, the save is refused
    (StaleVersion) rather than silently overwriting their figures.
    """
    existing = _actual_locked(initiative=row.initiative, quarter=quarter)
    if existing is not None and expected_version is None:
        raise StaleVersion(
            {"version": "Somebody else entered these figures while you were editing. Reload to see them."}
        )
    if existing is not None:
        version_check(current=existing.version, expected=expected_version, what="these figures")
    return _actual_write(existing=existing, row=row, quarter=quarter, user=user)


@audited
@transaction.atomic
def actuals_submit(*, actuals: list[QuarterlyActual], user, versions: dict[int, int] | None = None) -> int:
    """Send drafts for approval by a colleague.

    `versions` ({actual id: the version the user read}) binds the submission to the figures the
    user saw: an actual whose version moved on since is refused (StaleVersion).
    """
    now = timezone.now()
    versions = versions or {}
    for actual in (
        QuarterlyActual.objects.select_for_update().filter(pk__in=[a.pk for a in actuals]).select_related("initiative")
    ):
        if actual.pk in versions:
            version_check(current=actual.version, expected=versions[actual.pk], what="these figures")
        if not actual.editable:
            raise ValidationError({"status": f"{actual} is {actual.get_status_display().lower()}; only drafts go."})
        if actual.initiative.withdrawn_at is not None:
            raise ValidationError(
                {"initiative": f"{actual.initiative.reference} is withdrawn from the plan: reinstate it first."}
            )
        actual.status = ActualStatus.SUBMITTED
        actual.submitted_by = user
        actual.submitted_at = now
        actual.version += 1
        actual.save()
    return len(actuals)


def actual_round_makers(actual: QuarterlyActual) -> set[int]:
    """The ids of everyone who entered, edited or submitted the figures in their current round.

    A round is everything since the figures were last returned (or since they were created). It
    is read from the audit history, newest first, up to the last "returned" row (the checker's,
    which is not part of the new round). The row's own entered_by and submitted_by always count
    too, so figures loaded without history, or carried unchanged into a new round, are covered.
    """
    makers = {actual.entered_by_id, actual.submitted_by_id}
    history = actual.history.order_by("-history_date", "-history_id").values_list("status", "history_user_id")
    for status, user_id in history:
        if status == ActualStatus.RETURNED:
            break
        makers.add(user_id)
    makers.discard(None)
    return makers


def _decide(
    actual: QuarterlyActual, user, status: str, reason: str = "", expected_version: int | None = None
) -> QuarterlyActual:
    """Approve or return submitted figures. `expected_version`, if given, is the version the
    checker reviewed: if the figures moved on since, the decision is refused (StaleVersion)."""
    locked = QuarterlyActual.objects.select_for_update().get(pk=actual.pk)
    if not user.has_perm("savings.approve_quarterlyactual"):
        raise PermissionDenied("Only finance staff may approve or return actuals.")
    if expected_version is not None:
        version_check(current=locked.version, expected=expected_version, what="these figures")
    if locked.status != ActualStatus.SUBMITTED:
        raise ValidationError({"status": f"{locked} is {locked.get_status_display().lower()}, not awaiting approval."})
    if user.pk in actual_round_makers(locked):
        raise ValidationError({"decided_by": "A colleague must approve this: you entered or edited it in this round."})
    if status == ActualStatus.APPROVED and locked.corrects_id is not None:
        _supersede(locked)
    locked.status = status
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.return_reason = reason
    locked.version += 1
    locked.save()
    return locked


@audited
@transaction.atomic
def actual_approve(*, actual: QuarterlyActual, user, expected_version: int | None = None) -> QuarterlyActual:
    return _decide(actual, user, ActualStatus.APPROVED, expected_version=expected_version)


def _return_reason(reason: str, *, field: str = "return_reason") -> str:
    """Figures go back to their maker only with a reason, read without its surrounding spaces."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: "Say why the figures are being returned."})
    return reason


@audited
@transaction.atomic
def actual_return(
    *, actual: QuarterlyActual, user, reason: str, expected_version: int | None = None
) -> QuarterlyActual:
    reason = _return_reason(reason)
    return _decide(actual, user, ActualStatus.RETURNED, reason, expected_version=expected_version)


@dataclass(frozen=True)
class Decisions:
    approved: int
    returned: int


@audited
@transaction.atomic
def actuals_decide(
    *,
    plan: SavingsPlan,
    quarter: Quarter,
    user,
    approve: dict[str, int],
    returns: dict[str, tuple[int, str]],
) -> Decisions:
    """Approve and return many submitted figures of a quarter at once, as the checker saw them.

    `approve` is {initiative reference: the version the checker saw}; `returns` is {initiative
    reference: (that version, the reason)}. Each row is decided by the rules of `actual_approve`
    and `actual_return` (maker-checker, submitted only, the version seen). Every refusal is
    reported, keyed "<reference>.<field>" and naming the initiative, and then nothing is written;
    a stale version makes the whole refusal a StaleVersion (409).
    """
    if not user.has_perm("savings.approve_quarterlyactual"):
        raise PermissionDenied("Only finance staff may approve or return actuals.")
    if quarter_is_closed(plan=plan, quarter=quarter):
        raise ValidationError({"quarter": f"{quarter} is closed; its actuals are locked."})
    if not approve and not returns:
        raise ValidationError({"decisions": "Choose Approve or Return for at least one figure."})
    actuals = {
        actual.initiative.reference: actual
        for actual in QuarterlyActual.objects.visible_to(user)
        .filter(
            initiative__category__plan=plan,
            initiative__reference__in=[*approve, *returns],
            financial_year=quarter.financial_year,
            quarter=quarter.number,
        )
        .exclude(status=ActualStatus.SUPERSEDED)
        .order_by("revision")  # the open revision (a correction) is the latest: it is the one decided
        .select_related("initiative")
    }
    errors: dict[str, list[str]] = {}
    stale = False
    for reference in dict.fromkeys([*approve, *returns]):
        actual = actuals.get(reference)
        try:
            if reference in approve and reference in returns:
                raise ValidationError({"decision": "Choose either Approve or Return, not both."})
            if actual is None:
                raise ValidationError({"initiative": f"There are no figures for it in {quarter} that you may see."})
            if reference in approve:
                _decide(actual, user, ActualStatus.APPROVED, expected_version=approve[reference])
            else:
                version, reason = returns[reference]
                reason = _return_reason(reason, field="reason")
                with audit_context(user=user, reason=reason):  # its history keeps why, as actual_return's does
                    _decide(actual, user, ActualStatus.RETURNED, reason, expected_version=version)
        except ValidationError as refused:
            stale = stale or isinstance(refused, StaleVersion)
            for field, messages in refused.message_dict.items():
                errors.setdefault(f"{reference}.{field}", []).extend(f"{reference}: {m}" for m in messages)
    if errors:
        raise (StaleVersion if stale else ValidationError)(errors)
    return Decisions(approved=len(approve), returned=len(returns))


@audited
@transaction.atomic
def quarter_close(*, plan: SavingsPlan, quarter: Quarter, user) -> QuarterClosure:
    """Lock a quarter. Every actual in it must be approved first."""
    if not user.has_perm("savings.change_quarterclosure"):
        raise PermissionDenied("Only finance staff may close a quarter.")
    if quarter_is_closed(plan=plan, quarter=quarter):
        raise Conflict({"quarter": f"{quarter} is already closed."})
    in_quarter = QuarterlyActual.objects.filter(
        initiative__category__plan=plan, financial_year=quarter.financial_year, quarter=quarter.number
    )
    if not in_quarter.exists():
        raise ValidationError({"quarter": f"{quarter} has no figures to close."})
    # an open correction blocks closing too: the figure in force may be about to change
    pending = (
        in_quarter.exclude(status__in=[ActualStatus.APPROVED, ActualStatus.SUPERSEDED])
        # a draft left by an initiative since withdrawn from the plan is no figure of it: it does not hold the quarter
        .exclude(initiative__withdrawn_at__isnull=False, status__in=[ActualStatus.DRAFT, ActualStatus.RETURNED])
    )
    if pending.exists():
        # named only where the closer may see them (one mechanism: visible_to), counted otherwise
        named = list(pending.visible_to(user).values_list("initiative__reference", flat=True))
        others = pending.count() - len(named)
        listed = ", ".join([*named, *([f"{others} more you may not see"] if others else [])])
        raise ValidationError({"quarter": f"{quarter} has actuals not yet approved: {listed}."})
    closure = QuarterClosure.objects.select_for_update().filter(
        plan=plan, financial_year=quarter.financial_year, quarter=quarter.number
    ).first() or QuarterClosure(plan=plan, financial_year=quarter.financial_year, quarter=quarter.number)
    # closed again after a reopening: the same row, its history keeps the earlier closing
    closure.closed, closure.closed_by, closure.closed_at = True, user, timezone.now()
    closure.full_clean()
    closure.save()
    return closure


@audited
@transaction.atomic
def quarter_reopen(*, plan: SavingsPlan, quarter: Quarter, user, reason: str) -> QuarterClosure:
    """Unlock a closed quarter so its figures can be entered and approved again. Only a finance
    user other than the one who closed it may, and only with a reason; it is closed again with
    `quarter_close`."""
    if not user.has_perm("savings.change_quarterclosure"):
        raise PermissionDenied("Only finance staff may reopen a quarter.")
    closure = (
        QuarterClosure.objects.select_for_update()
        .filter(plan=plan, financial_year=quarter.financial_year, quarter=quarter.number, closed=True)
        .first()
    )
    if closure is None:
        raise ValidationError({"quarter": f"{quarter} is not closed."})
    if closure.closed_by_id == user.pk:
        raise ValidationError({"quarter": f"You closed {quarter}: a different finance user must reopen it."})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why {quarter} is being reopened."})
    closure.closed, closure.reopened_by, closure.reopened_at, closure.reopen_reason = (
        False,
        user,
        timezone.now(),
        reason,
    )
    closure.full_clean()
    with audit_context(user=user, reason=reason):  # the history keeps the reason as the page shows it
        closure.save()
    return closure


# --- Corrections of approved actuals (issue 13 part 4) -------------------------------------------
#
# Approved figures are never edited in place. A correction is the next revision of the same
# initiative and quarter, a draft with a reason, pointing at the approved revision it corrects;
# from then on it is edited, submitted, approved and returned by the same services as any figures
# (actual_update, actuals_submit, actual_approve, actual_return, actuals_decide; maker-checker is
# `_decide`'s). Its approval supersedes the revision it corrects in the same transaction.

OPEN_STATUSES = (ActualStatus.DRAFT, ActualStatus.SUBMITTED, ActualStatus.RETURNED)


@audited
@transaction.atomic
def actual_correct(
    *,
    actual: QuarterlyActual,
    user,
    reason: str,
    actual_saving: Decimal,
    forecast_full_year: Decimal,
    commentary: str = "",
    expected_version: int | None,
) -> QuarterlyActual:
    """Propose a correction of approved figures: a new draft revision with the reason, which a
    colleague must approve before it replaces them. Only approved figures, only while their
    quarter is open (a closed one is reopened first, quarter_reopen), only from the version the
    user read, and only if no correction of them is already open (that one is changed, submitted
    or discarded instead: a Conflict)."""
    locked = QuarterlyActual.objects.select_for_update().select_related("initiative__category__plan").get(pk=actual.pk)
    version_check(current=locked.version, expected=expected_version, what="these figures")
    quarter = locked.period
    if locked.status != ActualStatus.APPROVED:
        raise ValidationError(
            {
                "status": f"{locked} is {locked.get_status_display().lower()}: only the approved figures are "
                "corrected (figures not yet approved are changed, not corrected)."
            }
        )
    if quarter_is_closed(plan=locked.initiative.category.plan, quarter=quarter):
        raise ValidationError({"quarter": f"{quarter} is closed: reopen it first, then correct its figures."})
    open_revision = (
        QuarterlyActual.objects.select_for_update()
        .filter(
            initiative=locked.initiative,
            financial_year=locked.financial_year,
            quarter=locked.quarter,
            status__in=OPEN_STATUSES,
        )
        .first()
    )
    if open_revision is not None:
        raise Conflict(
            {
                "status": f"A correction of {locked} is already open (revision {open_revision.revision}, "
                f"{open_revision.get_status_display().lower()}): change, submit or discard that one."
            }
        )
    row = ActualInput(locked.initiative, actual_saving, forecast_full_year, commentary or "")
    errors = actual_validate(row=row, quarter=quarter, existing=None)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why the approved figures are being corrected."
    if errors:
        raise ValidationError(errors)
    # the next number ever used for the quarter: a discarded correction's number is not used again
    used = QuarterlyActual.history.filter(
        initiative_id=locked.initiative_id, financial_year=locked.financial_year, quarter=locked.quarter
    ).aggregate(highest=Max("revision"))["highest"]
    correction = QuarterlyActual(
        initiative=locked.initiative,
        financial_year=locked.financial_year,
        quarter=locked.quarter,
        revision=max(used or 0, locked.revision) + 1,
        corrects=locked,
        correction_reason=reason,
        actual_saving=actual_saving,
        forecast_full_year=forecast_full_year,
        commentary=row.commentary.strip(),
        entered_by=user,
        status=ActualStatus.DRAFT,
    )
    correction.full_clean()
    with audit_context(user=user, reason=reason):  # its history keeps the reason as the page shows it
        correction.save()
    return correction


def _supersede(correction: QuarterlyActual) -> None:
    """Called by `_decide` as a correction is approved: the approved revision it corrects becomes
    superseded first (at most one revision of a quarter is approved), kept and shown."""
    corrected = QuarterlyActual.objects.select_for_update().get(pk=correction.corrects_id)
    if corrected.status != ActualStatus.APPROVED:
        raise ValidationError(
            {"status": f"The figures this correction replaces are {corrected.get_status_display().lower()}."}
        )
    corrected.status = ActualStatus.SUPERSEDED
    corrected.version += 1
    corrected.save()


@audited
@transaction.atomic
def actual_correction_discard(
    *, actual: QuarterlyActual, user, reason: str, expected_version: int | None = None
) -> None:
    """Drop a correction that is a draft or was returned, with a reason: the approved figures stay
    in force. The row goes; its audit history keeps every step, the discarding with its reason."""
    locked = QuarterlyActual.objects.select_for_update().get(pk=actual.pk)
    if expected_version is not None:
        version_check(current=locked.version, expected=expected_version, what="this correction")
    if not locked.is_correction or not locked.editable:
        raise ValidationError(
            {
                "status": f"{locked} is {locked.get_status_display().lower()}"
                f"{'' if locked.is_correction else ' and not a correction'}: only a draft or returned "
                "correction can be discarded."
            }
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the correction is being discarded."})
    with audit_context(user=user, reason=reason):
        locked.delete()


# --- Uploads: every row valid, or nothing written ------------------------------------------------


COLUMN_OF_FIELD = {
    "actual_saving": "Actual saving in the quarter (£)",
    "forecast_full_year": "Full-year forecast (£)",
    "commentary": "Commentary",
    "quarter": "Quarter",
    "initiative": "Reference",
    "status": "Reference",
    "version": "Reference",
}


def _actual_in_words(actual: QuarterlyActual) -> str:
    return (
        f"actual {format_pounds(actual.actual_saving, pence=True)}, forecast "
        f"{format_pounds(actual.forecast_full_year, pence=True)} ({actual.get_status_display().lower()})"
    )


@audited
@transaction.atomic
def actuals_confirm(*, preview_id, plan: SavingsPlan, quarter: Quarter, user, reason: str = "") -> int:
    """Write a kept preview of the quarter's actuals (savings.io.actuals_preview) exactly as it
    showed them, as drafts, or nothing: confirms of the quarter go one at a time, and if any row's
    figures changed after the preview (by the form, the API, another upload) the confirm is refused
    naming the row, the new figures and who changed them (StaleImport). The rules are checked again
    (the quarter may have closed meanwhile). New figures and changes are written in bulk, each with
    its line in the audit trail. Returns how many figures were written."""
    if not user.has_perm("savings.change_quarterlyactual"):
        raise PermissionDenied("Only finance staff may enter actuals.")
    preview = preview_take(preview_id=preview_id, kind="savings-actuals", user=user)
    if preview.scope != quarter.label:
        raise ImportRejected(
            [RowError(0, "Quarter", f"This preview is for {preview.scope}, not {quarter}: upload the file again.")]
        )
    hold(f"savings-actuals:{plan.pk}:{quarter.label}")
    read = preview.read
    reference_column = next((c["header"] for c in read.get("columns", []) if c["field"] == "reference"), "Reference")
    column_of = {c["field"]: c["header"] for c in read.get("columns", [])}
    initiatives = {
        initiative.reference: initiative
        for initiative in Initiative.objects.visible_to(user)
        .filter(category__plan=plan, reference__in=[row.key for row in preview.rows])
        .select_related("category__plan")
    }
    current = {
        actual.initiative_id: actual
        for actual in QuarterlyActual.objects.select_for_update(of=("self",))
        .filter(
            initiative__in=[i.pk for i in initiatives.values()],
            financial_year=quarter.financial_year,
            quarter=quarter.number,
        )
        .exclude(status=ActualStatus.SUPERSEDED)
        .order_by("revision")  # the open revision, always the latest, is the one kept
    }
    errors: list[RowError] = []
    stale: list[RowError] = []
    for row in preview.rows:
        initiative = initiatives.get(row.key)
        if initiative is None:
            errors.append(
                RowError(row.row, reference_column, f"{row.key} is no longer available to you: upload the file again.")
            )
            continue
        existing = current.get(initiative.pk)
        now = f"{existing.pk}:{existing.version}" if existing is not None else ""
        if now != row.basis:
            stale.append(
                stale_error(
                    row,
                    reference_column,
                    _actual_in_words(existing) if existing is not None else "without figures (they were removed)",
                    changed_by(existing) if existing is not None else "someone",
                )
            )
    if stale:
        raise StaleImport(stale)
    if errors:
        raise ImportRejected(errors)
    writes = preview.to_write
    checks = actual_checks(plan=plan, quarter=quarter, initiatives=[initiatives[row.key] for row in writes])
    to_create, to_update = [], []
    for row in writes:
        initiative = initiatives[row.key]
        existing = current.get(initiative.pk)
        candidate = ActualInput(
            initiative,
            Decimal(row.values["actual_saving"]),
            Decimal(row.values["forecast_full_year"]),
            row.values["commentary"],
        )
        problems = actual_validate(row=candidate, quarter=quarter, existing=existing, checks=checks)
        for field_name, message in problems.items():
            column = "Quarter" if field_name == "quarter" else column_of.get(field_name, reference_column)
            errors.append(RowError(row.row, column, message))
        if problems:
            continue
        actual = existing or QuarterlyActual(
            initiative=initiative, financial_year=quarter.financial_year, quarter=quarter.number
        )
        actual.actual_saving, actual.forecast_full_year = candidate.actual_saving, candidate.forecast_full_year
        actual.commentary = candidate.commentary.strip()
        actual.entered_by, actual.status = user, ActualStatus.DRAFT
        if existing is None:
            to_create.append(actual)
        else:
            actual.version = existing.version + 1
            to_update.append(actual)
    if errors:
        raise ImportRejected(errors)
    bulk_write(
        QuarterlyActual,
        created=to_create,
        changed=to_update,
        fields=["actual_saving", "forecast_full_year", "commentary", "entered_by", "status", "version"],
        user=user,
        reason=reason or f"Spreadsheet upload for {quarter}",
        batch_size=500,
    )
    figures_changed(QuarterlyActual._meta.app_label)  # bulk writes send no signal
    return len(to_create) + len(to_update)


INITIATIVE_FIELDS_OF_UPLOAD = (
    "description",
    "owner",
    "cost_now",
    "future_cost",
    "savings_type",
    "delivery_status",
    "confidence",
    "protective_marking",
)


@audited
@transaction.atomic
def initiatives_confirm(*, preview_id, plan: SavingsPlan, user, reason: str = "") -> int:
    """Write a kept preview of the plan's initiatives (savings.io.initiatives_preview) exactly as
    it showed them, or nothing: each changed initiative through initiative_update and
    initiative_rephase at the version the preview read (a change made since refuses the whole
    confirm, naming the row, what the initiative says now and who changed it), each new one through
    initiative_create. Every refusal names its row and column. Returns how many initiatives were
    added or changed."""
    if not user.has_perm("savings.change_initiative") or not user.has_perm("savings.add_initiative"):
        raise PermissionDenied("Only finance staff may change the plan's initiatives.")
    preview = preview_take(preview_id=preview_id, kind="savings-initiatives", user=user)
    if preview.scope != str(plan.pk):
        raise ImportRejected([RowError(0, "Preview", "This preview is of another plan: upload the file again.")])
    hold(f"savings-initiatives:{plan.pk}")
    reason = reason or "Initiatives upload"
    column_of = {c["field"]: c["header"] for c in preview.read.get("columns", [])}
    reference_column = column_of.get("reference", "Reference")
    current = {
        initiative.reference.upper(): initiative
        for initiative in Initiative.objects.select_for_update(of=("self",))
        .filter(reference__in=[row.key for row in preview.rows] + [row.key.lower() for row in preview.rows])
        .select_related("category")
    }
    visible = set(
        Initiative.objects.visible_to(user).filter(pk__in=[i.pk for i in current.values()]).values_list("pk", flat=True)
    )
    stale = []
    for row in preview.rows:
        initiative = current.get(row.key.upper())
        if row.basis == "" and initiative is not None:
            who = changed_by(initiative) if initiative.pk in visible else "someone"
            stale.append(stale_error(row, reference_column, "an initiative of the plan (added since)", who))
        elif row.basis and (initiative is None or str(initiative.version) != row.basis):
            now = (
                f"at version {initiative.version}: {initiative.get_delivery_status_display().lower()}, cost now "
                f"{format_pounds(initiative.cost_now, pence=True)}"
                if initiative is not None
                else "gone"
            )
            stale.append(stale_error(row, reference_column, now, changed_by(initiative) if initiative else "someone"))
    if stale:
        raise StaleImport(stale)
    categories = {category.name: category for category in plan.categories.all()}
    errors: list[RowError] = []
    written = 0
    for row in preview.to_write:
        values = row.values
        fields = {name: values[name] for name in INITIATIVE_FIELDS_OF_UPLOAD if name in values}
        for name in ("cost_now", "future_cost"):
            if name in fields:
                fields[name] = Decimal(fields[name])
        if "cashable" in values:
            fields["cashable"] = values["cashable"] == "yes"
        if "category" in values:
            fields["category"] = categories[values["category"]]
        profile = {
            FinancialYear.parse(key.split(":", 1)[1]): Decimal(value)
            for key, value in values.items()
            if key.startswith("year:") and value != ""
        }
        try:
            with transaction.atomic():
                initiative = current.get(row.key.upper())
                if initiative is None:
                    initiative = initiative_create(reference=row.key, user=user, reason=reason, **fields)
                else:
                    initiative = initiative_update(
                        initiative=initiative, user=user, reason=reason, version=int(row.basis), **fields
                    )
                if profile:
                    initiative_rephase(
                        initiative=initiative, user=user, profile=profile, version=initiative.version, reason=reason
                    )
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {"reference": error.messages}
            for field_name, field_messages in messages.items():
                key = f"year:{field_name.split('.', 1)[1]}" if field_name.startswith("profile.") else field_name
                errors.extend(RowError(row.row, column_of.get(key, reference_column), m) for m in field_messages)
            continue
        written += 1
    if errors:
        raise ImportRejected(errors)
    return written


# --- Reminders ------------------------------------------------------------------------------------


def finance_recipients() -> list:
    """Active finance users with an email address."""
    from django.contrib.auth import get_user_model

    from mps_ict.roles import FINANCE

    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=FINANCE)
        .exclude(email="")
        .order_by("username")
        .distinct()
    )


def _initiatives_without_submitted_actual(*, plan: SavingsPlan, quarter: Quarter):
    """The plan's initiatives whose actual for `quarter` is missing, a draft or returned
    (submitted and approved ones are in hand), in the quarter page's order."""
    in_hand = QuarterlyActual.objects.filter(
        financial_year=quarter.financial_year,
        quarter=quarter.number,
        status__in=[ActualStatus.SUBMITTED, ActualStatus.APPROVED],
    ).values("initiative")
    return (
        # a withdrawn initiative is never asked for: no figures can be entered for it
        Initiative.objects.filter(category__plan=plan, withdrawn_at__isnull=True)
        .exclude(pk__in=in_hand)
        .select_related("category")
        .order_by("category__position", "reference")
    )


def actual_reminders_send(*, today: date) -> int:
    """Email finance, once a quarter, the initiatives with no actual submitted (or approved) for
    the last complete quarter before `today`, with a link to that quarter's page. Returns how many
    initiatives the email listed (0: nothing sent).

    Nothing is sent, and nothing recorded, where there is nothing to ask for: no plan, a quarter
    outside the plan's years (the quarter index offers none), a closed quarter, no finance user
    with an email, or every actual in hand. Only a sent email is recorded, so a quarter whose
    actuals were all in hand still gets its reminder if one is later returned, or an initiative is
    added. The record is written in the same transaction as the send: a re-run sends nothing, and
    a failed send leaves no record, so the next run tries again."""
    from urllib.parse import urljoin

    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    from mps_ict.marking import PUBLICATION, can_view_restricted
    from savings.models import ActualReminder
    from savings.selectors import plan_current, plan_year_range

    quarter = Quarter.from_date(today).previous()
    sent = ActualReminder.objects.filter(financial_year=quarter.financial_year, quarter=quarter.number)
    plan = plan_current()
    if sent.exists() or plan is None or quarter.financial_year not in plan_year_range(plan=plan):
        return 0
    if quarter_is_closed(plan=plan, quarter=quarter):
        return 0
    recipients = finance_recipients()
    if not recipients:
        return 0
    # one email to everyone: every initiative only if every recipient may see them all
    reader = recipients[0] if all(can_view_restricted(user) for user in recipients) else PUBLICATION
    missing = _initiatives_without_submitted_actual(plan=plan, quarter=quarter)
    initiatives = list(missing.visible_to(reader))
    if not initiatives:
        return 0
    link = urljoin(
        settings.SITE_URL,
        reverse("savings:quarter", kwargs={"year": quarter.financial_year.start_year, "number": quarter.number}),
    )
    with transaction.atomic():
        _, created = ActualReminder.objects.get_or_create(
            financial_year=quarter.financial_year,
            quarter=quarter.number,
            defaults={
                "recipients": "\n".join(user.email for user in recipients),
                "initiative_count": len(initiatives),
            },
        )
        if not created:
            return 0
        body = render_to_string(
            "savings/email/actual_reminder.txt",
            {
                "quarter": quarter,
                "plan": plan,
                "initiatives": initiatives,
                "withheld": missing.withheld_from(reader),
                "link": link,
            },
        )
        # a failure to send rolls the record back, so the next run tries again
        send_mail(
            subject=f"Savings actuals for {quarter}: {len(initiatives)} "
            f"initiative{'' if len(initiatives) == 1 else 's'} not submitted",
            message=body,
            from_email=None,
            recipient_list=[user.email for user in recipients],
        )
    return len(initiatives)


# --- Plan versions (issue 13, part 3) -------------------------------------------------------------
# A version is a named, dated moment of the plan: the plan as at `taken_at` is read back from the
# audit trail (savings.selectors.records_at), so a version holds no copy of any figure. Versions
# are never deleted; finance may rename one or change its note.


def _plan_version_load(*, plan: SavingsPlan, data: dict, insert) -> None:
    """A version the data file names (the briefing note's), inserted if missing: the plan at the
    end of the day it is dated (Europe/London). Found by its moment, so one finance renamed is
    still found and not loaded twice."""
    dated = data["dated"] if isinstance(data["dated"], date) else date.fromisoformat(str(data["dated"]))
    insert(
        PlanVersion,
        {"plan": plan, "taken_at": end_of_day(dated)},
        name=data["name"],
        dated=dated,
        note=" ".join((data.get("note") or "").split()),
    )


def _plan_version_name(*, plan: SavingsPlan, name: str, exclude_pk=None) -> str:
    """A version's name: given, and no other version of the plan has it (in any case)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the version a name, for example “After supplier consultation”."})
    if PlanVersion.objects.filter(plan=plan, name__iexact=name).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": f"The plan already has a version called “{name}”: give this one another name."})
    return name


@audited
@transaction.atomic
def plan_version_take(*, plan: SavingsPlan, name: str, dated: date | None, note: str = "", user):
    """Take the plan as it stands now as a named, dated version (finance). `dated` is the date it is
    known by (today or earlier); the version is the plan at this moment, read back from the audit
    trail whenever it is shown."""
    errors = {}
    try:
        name = _plan_version_name(plan=plan, name=name)
    except ValidationError as error:
        errors.update(error.message_dict)
    if dated is None:
        errors["dated"] = ["Give the date the version is known by, for example 30/6/2013."]
    elif dated > timezone.localdate():
        errors["dated"] = ["The date must be today or in the past."]
    if errors:
        raise ValidationError(errors)
    version = PlanVersion(
        plan=plan, name=name, dated=dated, taken_at=timezone.now(), taken_by=user, note=(note or "").strip()
    )
    version.full_clean()
    version.save()
    return version


@audited
@transaction.atomic
def plan_version_update(*, version, user, name: str | None = None, note: str | None = None):
    """Rename a version or change its note (finance); what it is a version of (its moment) never
    changes, and it is never deleted. A value not given keeps its value."""
    locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if name is not None:
        locked.name = _plan_version_name(plan=locked.plan, name=name, exclude_pk=locked.pk)
    if note is not None:
        locked.note = note.strip()
    locked.full_clean()
    locked.save()
    return locked
