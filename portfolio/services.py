"""Writes to the capital portfolio. Atomic, audited, and each checks who may do it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from mps_ict.audit import audit_context, audited
from mps_ict.conflicts import Conflict, version_check
from mps_ict.figures_cache import figures_changed
from mps_ict.financial_years import FinancialYear
from mps_ict.loaders import LoadReport
from mps_ict.marking import ProtectiveMarking, named_in_trail
from mps_ict.money import FORECAST_TOLERANCE_LABEL, forecast_beyond_tolerance
from portfolio.choices import Assessor, DcaScale
from portfolio.models import (
    ApprovalGate,
    Benefit,
    CapitalProgramme,
    DeliveryConfidenceAssessment,
    Milestone,
    PortfolioSnapshot,
    Programme,
    Project,
    Reprofile,
    SpendProfileLine,
    SroAssignment,
    StatusReminder,
    StatusUpdate,
)


@transaction.atomic
def portfolio_load(*, data: dict, user=None, report: LoadReport | None = None) -> int:
    """Load the capital programme and the illustrative projects, inserting only what is missing:
    a capital programme year, programme, project (by code), spend line, SRO, gate, DCA or benefit
    that is already there is left exactly as it is, whatever the file says (finance and the
    programme managers maintain them in the application). A project's manager and the initiatives
    it enables are set only when the project is inserted. Returns the number of projects in the
    file; `report` counts what was added and what was left."""
    report = report if report is not None else LoadReport()
    insert = report.insert_missing
    # the initiatives a project enables, reached through the link the model declares (the
    # portfolio reads the savings plan only there, never by importing it)
    Initiative = Project._meta.get_field("enables").related_model

    users = {u.username: u for u in get_user_model().objects.filter(username__in=["pm", "pm2"])}
    initiatives = {i.reference: i for i in Initiative.objects.all()}
    count = 0
    with audit_context(
        user=user, reason="Loaded from the source documents (load_portfolio)", effective=data.get("effective")
    ):
        for row in data["capital_programmes"]:
            insert(
                CapitalProgramme,
                {"financial_year": FinancialYear.parse(row["financial_year"])},
                budget=Decimal(row["budget"]),
                slippage_assumption=Decimal(row["slippage_assumption"]),
                source=row["source"],
            )
        for programme_row in data["programmes"]:
            programme, _ = insert(Programme, {"name": programme_row["name"]}, is_illustrative=True)
            for row in programme_row["projects"]:
                project, created = insert(
                    Project,
                    {"code": row["code"]},
                    programme=programme,
                    name=row["name"],
                    category=row["category"],
                    stage=row["stage"],
                    priority=row["priority"],
                    budget_baseline=Decimal(row["budget_baseline"]),
                    budget_forecast=Decimal(row["budget_forecast"]),
                    programme_manager=users.get(row["manager"]),
                    is_illustrative=True,
                )
                if created:
                    project.enables.set([initiatives[ref] for ref in row["enables"] if ref in initiatives])
                for year_label, (planned, actual) in row["spend"].items():
                    insert(
                        SpendProfileLine,
                        {"project": project, "financial_year": FinancialYear.parse(year_label), "month": None},
                        planned=Decimal(planned),
                        actual=Decimal(actual) if actual is not None else None,
                    )
                for name, started, ended in row["sros"]:
                    insert(SroAssignment, {"project": project, "name": name, "started": started}, ended=ended)
                for name, requested, decided, decision in row["gates"]:
                    insert(
                        ApprovalGate,
                        {"project": project, "name": name},
                        requested=requested,
                        decided=decided,
                        decision=decision,
                    )
                for assessed_on, rating in row["dca"]:
                    insert(
                        DeliveryConfidenceAssessment,
                        {"project": project, "assessed_on": assessed_on, "assessor": Assessor.SRO},
                        scale=DcaScale.FIVE_POINT,
                        rating=rating,
                    )
                count += 1
        for row in data.get("benefits", []):
            project = Project.objects.get(code=row["project"])
            value = row.get("full_year_value")
            insert(
                Benefit,
                {"project": project, "description": row["description"]},
                category=row["category"],
                responsible_officer=row["responsible_officer"],
                measure=row["measure"],
                target=row["target"],
                full_year_value=Decimal(value) if value else None,
                timescale=row["timescale"],
            )
    figures_changed(Project._meta.app_label)  # the `enables` links keep no history, so no audited write says so
    return count


def _require_manager(project: Project, user) -> None:
    if not (user.is_superuser or project.programme_manager_id == user.pk):
        raise PermissionDenied("Only the project's programme manager may do this.")


@audited
@transaction.atomic
def status_update_submit(
    *,
    project: Project,
    user,
    month: date,
    dca: str,
    narrative: str = "",
    milestones: str = "",
    risks: str = "",
    forecast_change: Decimal = Decimal("0.00"),
) -> StatusUpdate:
    """The programme manager's monthly report. A forecast moving more than the forecast tolerance
    (mps_ict.money) from the baseline needs a narrative; the change is applied to the project's
    whole-life forecast."""
    _require_manager(project, user)
    project = Project.objects.select_for_update().get(pk=project.pk)
    month = month.replace(day=1)
    errors = {}
    if StatusUpdate.objects.filter(project=project, month=month).exists():
        errors["month"] = f"An update for {month:%B %Y} has already been filed."
    new_forecast = project.budget_forecast + forecast_change
    if new_forecast < 0:
        errors["forecast_change"] = "The whole-life forecast cannot go below zero."
    elif (
        forecast_change
        and forecast_beyond_tolerance(reference=project.budget_baseline, forecast=new_forecast)
        and not narrative.strip()
    ):
        errors["narrative"] = (
            f"Explain the change: the forecast would be £{new_forecast:,.2f}, more than "
            f"{FORECAST_TOLERANCE_LABEL} from the £{project.budget_baseline:,.2f} baseline."
        )
    if errors:
        raise ValidationError(errors)
    update = StatusUpdate(
        project=project,
        month=month,
        dca=dca,
        narrative=narrative.strip(),
        milestones=milestones.strip(),
        risks=risks.strip(),
        forecast_change=forecast_change,
        submitted_by=user,
    )
    update.full_clean()
    update.save()
    if forecast_change:
        project.budget_forecast = new_forecast
        project.save()
    DeliveryConfidenceAssessment.objects.update_or_create(
        project=project,
        assessed_on=month,
        assessor=Assessor.SRO,
        defaults={"scale": DcaScale.FIVE_POINT, "rating": dca, "assessor_name": user.get_full_name()},
    )
    return update


@audited
@transaction.atomic
def reprofile_create(
    *, project: Project, user, amount: Decimal, from_year: FinancialYear, to_year: FinancialYear, reason: str
) -> Reprofile:
    """Move planned spend from one financial year to another, with the reason kept."""
    _require_manager(project, user)
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the spend is moving."
    if amount is None or amount <= 0:
        errors["amount"] = "Enter an amount above zero."
    if from_year == to_year:
        errors["to_year"] = "Choose a different year to move the spend to."
    source = (
        SpendProfileLine.objects.select_for_update()
        .filter(project=project, financial_year=from_year, month__isnull=True)
        .first()
    )
    if source is None:
        errors.setdefault("from_year", f"{project.code} has no planned spend in {from_year}.")
    elif amount and amount > source.planned:
        errors.setdefault("amount", f"Only £{source.planned:,.2f} is planned in {from_year}.")
    if errors:
        raise ValidationError(errors)
    source.planned -= amount
    source.full_clean()
    source.save()
    target, _ = SpendProfileLine.objects.select_for_update().get_or_create(
        project=project, financial_year=to_year, month=None, defaults={"planned": Decimal("0.00")}
    )
    target.planned += amount
    target.full_clean()
    target.save()
    reprofile = Reprofile(
        project=project, amount=amount, from_year=from_year, to_year=to_year, reason=reason.strip(), made_by=user
    )
    reprofile.full_clean()
    reprofile.save()
    return reprofile


@audited
@transaction.atomic
def capital_programme_set(
    *,
    user,
    financial_year: FinancialYear,
    budget: Decimal,
    slippage_assumption: Decimal,
    mitigation_share: Decimal | None = None,
    reason: str = "",
) -> CapitalProgramme:
    """Finance set a year's Capital Programme Budget, the fallback slippage assumption and the share
    of the optimism bias they consider mitigated (None keeps it: the default 50% for a new year)."""
    if not user.has_perm("portfolio.change_capitalprogramme"):
        raise PermissionDenied("Only finance may set capital programme budgets.")
    programme, _ = CapitalProgramme.objects.select_for_update().get_or_create(
        financial_year=financial_year, defaults={"budget": budget, "slippage_assumption": slippage_assumption}
    )
    programme.budget = budget
    programme.slippage_assumption = slippage_assumption
    if mitigation_share is not None:
        programme.mitigation_share = mitigation_share
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def snapshot_take(*, taken_on: date) -> list[PortfolioSnapshot]:
    """Record every capital programme's position as it stands, twice: over every project, and
    over the publication-safe ones (so a reader without `view_restricted` is never shown a
    figure that counts OFFICIAL-SENSITIVE projects). Re-running the same day overwrites."""
    from portfolio.selectors import capital_programme_positions_recorded

    snapshots = []
    for includes_sensitive, position in capital_programme_positions_recorded():
        snapshot, _ = PortfolioSnapshot.objects.update_or_create(
            taken_on=taken_on,
            financial_year=position.financial_year,
            includes_sensitive=includes_sensitive,
            defaults={
                "budget": position.budget,
                "managed_total": position.managed_total,
                "delay_adjusted_forecast": position.delay_adjusted_forecast,
                "expected_slippage_rate": position.expected_slippage_rate,
                "withheld": position.withheld,
                "withheld_projects": position.withheld_projects,
            },
        )
        snapshots.append(snapshot)
    figures_changed(PortfolioSnapshot._meta.app_label)  # snapshots keep no history, so no audited write says so
    return snapshots


def status_reminders_send(*, today: date) -> int:
    """From the 10th, remind each programme manager once about last month's missing updates."""
    from portfolio.selectors import overdue_status_updates

    if today.day < 10:
        return 0
    sent = 0
    for overdue in overdue_status_updates(today=today):
        project, month = overdue.project, overdue.month
        manager = project.programme_manager
        if manager is None or not manager.email:
            continue
        with transaction.atomic():
            _, created = StatusReminder.objects.get_or_create(
                project=project, month=month, defaults={"sent_to": manager.email}
            )
            if not created:
                continue
            send_mail(
                subject=f"Status update overdue: {project.code} for {month:%B %Y}",
                message=(
                    f"The monthly status update for {project.code} {project.name} for {month:%B %Y} was due by "
                    f"the 10th and has not been filed. File it under My projects in the MPS ICT Tracker."
                ),
                from_email=None,
                recipient_list=[manager.email],
            )
            sent += 1
    return sent


# --- Programme managers' project records (issue 14, part 1) ---------------------------------------
# The project's programme manager (or an administrator) keeps its benefits register and its
# milestones, and may amend the current reporting month's status update. Every change is audited
# with its reason; a change takes the version the user read (mps_ict.conflicts.version_check); a
# benefit is retired with a reason, never deleted; an amended update's first version stays in its
# history (selectors.status_update_originals shows it).

BENEFIT_EDITABLE_FIELDS = {
    "category",
    "is_disbenefit",
    "description",
    "beneficiary",
    "responsible_officer",
    "measure",
    "baseline",
    "target",
    "full_year_value",
    "timescale",
    "realisation_start",
    "realisation_end",
    "protective_marking",
}
MILESTONE_EDITABLE_FIELDS = {"name", "baseline_date", "forecast_date", "achieved_date", "position"}
STATUS_UPDATE_AMENDABLE_FIELDS = {"dca", "narrative", "milestones", "risks", "forecast_change"}


def _changes_applied(record, changes: dict, editable: set[str]) -> set[str]:
    """Set the changes on `record` (text trimmed); the names of the fields whose value moved."""
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    before = {name: getattr(record, name) for name in changes}
    for name, value in changes.items():
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    return {name for name in changes if getattr(record, name) != before[name]}


def _benefit_check(benefit: Benefit) -> None:
    if benefit.full_year_value is not None and benefit.full_year_value < 0:
        raise ValidationError({"full_year_value": "The full-year value must not be negative."})
    benefit.full_clean()


@audited
@transaction.atomic
def benefit_create(*, project: Project, user, reason: str = "", **fields) -> Benefit:
    """Add a benefit (or dis-benefit) to the project's register."""
    _require_manager(project, user)
    benefit = Benefit(project=project)
    _changes_applied(benefit, fields, BENEFIT_EDITABLE_FIELDS)
    _benefit_check(benefit)
    benefit.save()
    return benefit


@audited
@transaction.atomic
def benefit_update(*, benefit: Benefit, user, version: int | None, reason: str = "", **changes) -> Benefit:
    """Change a benefit's fields, from the version the user read. Nothing changed: nothing written."""
    locked = Benefit.objects.select_for_update().select_related("project").get(pk=benefit.pk)
    _require_manager(locked.project, user)
    version_check(current=locked.version, expected=version, what="this benefit")
    if locked.retired_at is not None:
        raise Conflict({"benefit": "This benefit is retired from the register: it can no longer be changed."})
    if not _changes_applied(locked, changes, BENEFIT_EDITABLE_FIELDS):
        return locked
    _benefit_check(locked)
    locked.version += 1
    locked.save()
    return locked


@audited
@transaction.atomic
def benefit_retire(*, benefit: Benefit, user, version: int | None, reason: str) -> Benefit:
    """Retire a benefit from the register with a reason: it stays on the project page, marked
    retired, with its trail; it is never deleted."""
    locked = Benefit.objects.select_for_update().select_related("project").get(pk=benefit.pk)
    _require_manager(locked.project, user)
    version_check(current=locked.version, expected=version, what="this benefit")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the benefit is being retired."})
    if locked.retired_at is not None:
        raise Conflict({"benefit": "This benefit is already retired."})
    locked.retired_at, locked.retired_by, locked.retired_reason = timezone.now(), user, reason
    locked.version += 1
    locked.save()
    return locked


def _milestone_check(milestone: Milestone) -> None:
    errors = {}
    if milestone.achieved_date and milestone.achieved_date > timezone.localdate():
        errors["achieved_date"] = "A milestone cannot be achieved in the future: leave it blank until it is."
    if (
        milestone.name
        and Milestone.objects.filter(project=milestone.project, name__iexact=milestone.name)
        .exclude(pk=milestone.pk)
        .exists()
    ):
        errors["name"] = f"{milestone.project.code} already has a milestone called {milestone.name}."
    if errors:
        raise ValidationError(errors)
    milestone.full_clean(validate_constraints=False)  # the name's uniqueness is said above, by name


@audited
@transaction.atomic
def milestone_create(
    *,
    project: Project,
    user,
    name: str,
    baseline_date: date,
    forecast_date: date | None = None,
    achieved_date: date | None = None,
    position: int | None = None,
    reason: str = "",
) -> Milestone:
    """Add a milestone; its forecast starts at its baseline date unless given. Placed last unless
    a position is given."""
    _require_manager(project, user)
    if position is None:
        position = (project.milestones.aggregate(last=Max("position"))["last"] or 0) + 1
    milestone = Milestone(
        project=project,
        name=(name or "").strip(),
        baseline_date=baseline_date,
        forecast_date=forecast_date or baseline_date,
        achieved_date=achieved_date,
        position=position,
    )
    _milestone_check(milestone)
    milestone.save()
    return milestone


@audited
@transaction.atomic
def milestone_update(*, milestone: Milestone, user, version: int | None, reason: str = "", **changes) -> Milestone:
    """Change a milestone's name, dates (a new forecast, the day achieved) or position, from the
    version the user read. Nothing changed: nothing written."""
    locked = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    _require_manager(locked.project, user)
    version_check(current=locked.version, expected=version, what=f"the milestone {locked.name}")
    if "forecast_date" in changes and changes["forecast_date"] is None:
        raise ValidationError({"forecast_date": "Give the date the milestone is forecast now."})
    if not _changes_applied(locked, changes, MILESTONE_EDITABLE_FIELDS):
        return locked
    _milestone_check(locked)
    locked.version += 1
    locked.save()
    return locked


@audited
@transaction.atomic
def status_update_amend(
    *, update: StatusUpdate, user, version: int | None, reason: str, today: date | None = None, **changes
) -> StatusUpdate:
    """Amend the current reporting month's status update (selectors.reporting_month: last month's,
    filed this month), with a reason, from the version the user read. Its first version stays in
    its history; who amended it, when and why are kept on it. A changed forecast change moves the
    project's whole-life forecast by the difference (with the same tolerance rule as filing), and
    a changed rating replaces the SRO's assessment for that month."""
    from portfolio.selectors import reporting_month

    locked = StatusUpdate.objects.select_for_update().select_related("project").get(pk=update.pk)
    _require_manager(locked.project, user)
    version_check(current=locked.version, expected=version, what=f"the {locked.month:%B %Y} update")
    current = reporting_month(today or timezone.localdate())
    if locked.month != current:
        raise ValidationError(
            {
                "month": f"Only the current month's update ({current:%B %Y}) can be amended; "
                f"the {locked.month:%B %Y} update is closed."
            }
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the update is being amended."})
    if changes.get("forecast_change") is None and "forecast_change" in changes:
        changes["forecast_change"] = Decimal("0.00")
    previous_change = locked.forecast_change
    if not _changes_applied(locked, changes, STATUS_UPDATE_AMENDABLE_FIELDS):
        return locked
    project = Project.objects.select_for_update().get(pk=locked.project_id)
    new_forecast = project.budget_forecast - previous_change + locked.forecast_change
    errors = {}
    if new_forecast < 0:
        errors["forecast_change"] = "The whole-life forecast cannot go below zero."
    elif (
        locked.forecast_change
        and forecast_beyond_tolerance(reference=project.budget_baseline, forecast=new_forecast)
        and not locked.narrative
    ):
        errors["narrative"] = (
            f"Explain the change: the forecast would be £{new_forecast:,.2f}, more than "
            f"{FORECAST_TOLERANCE_LABEL} from the £{project.budget_baseline:,.2f} baseline."
        )
    if errors:
        raise ValidationError(errors)
    locked.amended_by, locked.amended_at, locked.amendment_reason = user, timezone.now(), reason
    locked.full_clean()
    locked.version += 1
    locked.save()
    if project.budget_forecast != new_forecast:
        project.budget_forecast = new_forecast
        project.save()
    DeliveryConfidenceAssessment.objects.update_or_create(
        project=project,
        assessed_on=locked.month,
        assessor=Assessor.SRO,
        defaults={"scale": DcaScale.FIVE_POINT, "rating": locked.dca, "assessor_name": user.get_full_name()},
    )
    return locked


# ----------------------------------------------------- the portfolio office (issue 14, part 1)
# The portfolio office keeps the portfolio's structure: programmes, projects, SROs, approval gates,
# independent assessments and the savings initiatives a project enables. Each service checks the
# model permission the role table gives (mps_ict.roles, PORTFOLIO_OFFICE), whoever calls it.
#
# Optimistic version: Programme and Project carry no version field, so the version a user read is
# the record's latest audit-history id (`record_version`): every save writes a history row, so a
# change made since moves it on and the update is refused (StaleVersion, 409 in the API). A gate's
# decision and an SRO change are checked by comparing fields instead: a gate decided meanwhile is
# refused, and an SRO change names the SRO it replaces (`replaces`).

PROGRAMME_EDITABLE_FIELDS = {"name", "description"}
PROJECT_EDITABLE_FIELDS = {
    "code",
    "name",
    "programme",
    "category",
    "description",
    "stage",
    "priority",
    "budget_baseline",
    "budget_forecast",
    "programme_manager",
    "protective_marking",
}


def record_version(record) -> int:
    """The version of an audited record as a user reads it: its latest history row's id (0 if it
    has none, as a record written in bulk may)."""
    latest = record.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return latest or 0


def _require_perm(user, permission: str, what: str) -> None:
    if not (user is not None and user.is_authenticated and user.has_perm(f"portfolio.{permission}")):
        raise PermissionDenied(f"Only the portfolio office may {what}.")


def _not_in_future(value: date | None, field: str, label: str, errors: dict) -> None:
    if value is not None and value > timezone.localdate():
        errors.setdefault(field, f"{label} must be today or in the past.")


@audited
@transaction.atomic
def programme_create(*, user, name: str, description: str = "", reason: str = "") -> Programme:
    """Add a programme (its name unique, whatever its case)."""
    _require_perm(user, "add_programme", "add programmes")
    programme = Programme(name=(name or "").strip(), description=(description or "").strip())
    if programme.name and Programme.objects.filter(name__iexact=programme.name).exists():
        raise Conflict({"name": f"A programme called {programme.name} already exists: choose another name."})
    programme.full_clean()
    programme.save()
    return programme


@audited
@transaction.atomic
def programme_update(*, programme: Programme, user, version: int | None, reason: str = "", **changes) -> Programme:
    """Rename a programme or change its description, from the version the user read."""
    _require_perm(user, "change_programme", "change programmes")
    unknown = set(changes) - PROGRAMME_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    version_check(current=record_version(locked), expected=version, what=f"the programme {locked.name}")
    before = {name: getattr(locked, name) for name in changes}
    for name, value in changes.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    if not any(getattr(locked, name) != before[name] for name in changes):
        return locked
    if Programme.objects.filter(name__iexact=locked.name).exclude(pk=locked.pk).exists():
        raise Conflict({"name": f"A programme called {locked.name} already exists: choose another name."})
    locked.full_clean()
    locked.save()
    return locked


def _project_check(project: Project, *, changed: set[str]) -> None:
    """The rules a project must meet beyond its fields' own, each naming its field."""
    from mps_ict.roles import PROGRAMME_MANAGER

    errors = {}
    for name, label in (("budget_baseline", "The whole-life baseline"), ("budget_forecast", "The forecast")):
        value = getattr(project, name)
        if value is not None and value < 0:
            errors[name] = f"{label} must not be negative."
    manager = project.programme_manager if project.programme_manager_id else None
    is_manager = manager is not None and manager.is_active and manager.groups.filter(name=PROGRAMME_MANAGER).exists()
    if "programme_manager" in changed and manager is not None and not is_manager:
        errors["programme_manager"] = (
            f"{manager.get_full_name() or manager.get_username()} is not a programme manager: "
            "choose someone with that role."
        )
    if "code" in changed and project.code:
        clash = Project.objects.filter(code__iexact=project.code).exclude(pk=project.pk).exists()
        if clash:
            errors["code"] = f"A project {project.code} already exists: choose another code."
    if errors:
        raise Conflict(errors) if set(errors) == {"code"} else ValidationError(errors)
    project.full_clean()


@audited
@transaction.atomic
def project_create(
    *,
    user,
    code: str,
    name: str,
    programme: Programme,
    category: str,
    budget_baseline: Decimal,
    budget_forecast: Decimal | None = None,
    stage: str = "proposed",
    priority: int = 3,
    description: str = "",
    programme_manager=None,
    protective_marking: str = "OFFICIAL",
    sro_name: str = "",
    sro_role_title: str = "",
    sro_started: date | None = None,
    reason: str = "",
) -> Project:
    """Add a project. The forecast starts at the baseline unless given. With `sro_name` (and
    `sro_started`), its first Senior Responsible Owner is recorded too (sro_change)."""
    _require_perm(user, "add_project", "add projects")
    project = Project(
        code=(code or "").strip(),
        name=(name or "").strip(),
        programme=programme,
        category=(category or "").strip(),
        description=(description or "").strip(),
        stage=stage,
        priority=priority,
        budget_baseline=budget_baseline,
        budget_forecast=budget_baseline if budget_forecast is None else budget_forecast,
        programme_manager=programme_manager,
        protective_marking=protective_marking,
    )
    sro_name = (sro_name or "").strip()
    if sro_name and sro_started is None:
        raise ValidationError({"sro_started": "Enter the date the SRO took the project on."})
    if sro_started is not None and not sro_name:
        raise ValidationError({"sro_name": "Enter the SRO's name, or leave the date empty."})
    _project_check(project, changed={"code", "programme_manager"})
    project.save()
    if sro_name:
        sro_change(project=project, user=user, name=sro_name, role_title=sro_role_title, started=sro_started)
    return project


@audited
@transaction.atomic
def project_update(*, project: Project, user, version: int | None, reason: str = "", **changes) -> Project:
    """Change a project's code, name, programme, category, stage, priority, whole-life budget,
    programme manager or marking, from the version the user read. A project is retired by its
    stage (Closed or Cancelled), never deleted. Nothing changed: nothing written."""
    _require_perm(user, "change_project", "change projects")
    unknown = set(changes) - PROJECT_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    locked = Project.objects.select_for_update(of=("self",)).select_related("programme_manager").get(pk=project.pk)
    version_check(current=record_version(locked), expected=version, what=f"project {locked.code}")
    before = {name: getattr(locked, name) for name in changes}
    for name, value in changes.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    changed = {name for name in changes if getattr(locked, name) != before[name]}
    if not changed:
        return locked
    _project_check(locked, changed=changed)
    locked.save()
    return locked


@audited
@transaction.atomic
def sro_change(
    *,
    project: Project,
    user,
    name: str,
    started: date,
    role_title: str = "",
    replaces: str | None = None,
    reason: str = "",
) -> SroAssignment:
    """A new Senior Responsible Owner from `started`: the current one's assignment closes the day
    before and the new one opens. A date on or before the day the current SRO started (or within
    an earlier assignment) is refused. `replaces` is the current SRO's name as the user read it
    ("" for none): given, a change recorded since is refused (StaleVersion)."""
    from datetime import timedelta

    from mps_ict.conflicts import StaleVersion

    _require_perm(user, "add_sroassignment", "record SRO changes")
    locked = Project.objects.select_for_update().get(pk=project.pk)
    name, role_title = (name or "").strip(), (role_title or "").strip()
    current = locked.sro_assignments.filter(ended__isnull=True).order_by("-started").first()
    if replaces is not None and (replaces or "").strip() != (current.name if current else ""):
        raise StaleVersion(
            {"replaces": "Somebody recorded another change of SRO while you were editing. Reload to see it."}
        )
    errors = {}
    if not name:
        errors["name"] = "Enter the new SRO's name."
    if started is None:
        errors["started"] = "Enter the date the new SRO took the project on."
    else:
        _not_in_future(started, "started", "The date the new SRO started", errors)
    if not errors and current is not None:
        if current.name.casefold() == name.casefold():
            errors["name"] = f"{current.name} is already the SRO of {locked.code}."
        elif started <= current.started:
            errors["started"] = (
                f"{current.name} has been SRO since {current.started:%-d %B %Y}: the new SRO must start after that."
            )
    if not errors:
        overlapping = locked.sro_assignments.filter(ended__gte=started).order_by("-ended").first()
        if overlapping is not None and overlapping != current:
            errors["started"] = (
                f"{overlapping.name} was SRO until {overlapping.ended:%-d %B %Y}: the new SRO must start after that."
            )
    if errors:
        raise ValidationError(errors)
    if current is not None:
        current.ended = started - timedelta(days=1)
        current.full_clean()
        current.save()
    assignment = SroAssignment(project=locked, name=name, role_title=role_title, started=started)
    assignment.full_clean()
    assignment.save()
    return assignment


@audited
@transaction.atomic
def gate_request(*, project: Project, user, name: str, requested: date, reason: str = "") -> ApprovalGate:
    """Record that the project asked for an approval (a gate) on `requested`: it waits for a
    decision. A gate of the same name already waiting is refused."""
    _require_perm(user, "add_approvalgate", "request approval gates")
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Enter the gate's name, for example Full business case."
    if requested is None:
        errors["requested"] = "Enter the date the approval was asked for."
    _not_in_future(requested, "requested", "The date requested", errors)
    if name and project.gates.filter(name__iexact=name, decided__isnull=True).exists():
        errors.setdefault("name", f"A {name} gate for {project.code} is already awaiting a decision.")
    if errors:
        raise ValidationError(errors)
    gate = ApprovalGate(project=project, name=name, requested=requested)
    gate.full_clean()
    gate.save()
    return gate


@audited
@transaction.atomic
def gate_decide(*, gate: ApprovalGate, user, decision: str, decided: date, reason: str = "") -> ApprovalGate:
    """Record a gate's decision and its date (not before it was asked for, not in the future), so
    the lead time follows. A gate decided already (by someone else meanwhile) is refused."""
    from portfolio.choices import GateDecision

    _require_perm(user, "change_approvalgate", "record gate decisions")
    locked = ApprovalGate.objects.select_for_update().get(pk=gate.pk)
    if locked.decided is not None:
        raise Conflict(
            {
                "decision": f"The {locked.name} gate was decided already on {locked.decided:%-d %B %Y} "
                f"({locked.get_decision_display()})."
            }
        )
    errors = {}
    if decision not in GateDecision.values or decision == GateDecision.PENDING:
        errors["decision"] = "Choose the decision: approved, approved with conditions, rejected or deferred."
    if decided is None:
        errors["decided"] = "Enter the date of the decision."
    elif decided < locked.requested:
        errors["decided"] = f"The decision cannot be before the request on {locked.requested:%-d %B %Y}."
    _not_in_future(decided, "decided", "The date of the decision", errors)
    if errors:
        raise ValidationError(errors)
    locked.decision, locked.decided = decision, decided
    locked.full_clean()
    locked.save()
    return locked


@audited
@transaction.atomic
def assessment_record(
    *,
    project: Project,
    user,
    assessed_on: date,
    scale: str,
    rating: str,
    assessor_name: str,
    note: str = "",
    reason: str = "",
) -> DeliveryConfidenceAssessment:
    """An independent Delivery Confidence Assessment, on either scale, kept apart from the SRO's
    own (which come from the monthly status updates): one a day per project."""
    from portfolio.choices import DCA_RATINGS_BY_SCALE, DcaRating

    _require_perm(user, "add_deliveryconfidenceassessment", "record independent assessments")
    errors = {}
    if scale not in DcaScale.values:
        errors["scale"] = "Choose the scale: five-point or three-point."
    elif rating not in DCA_RATINGS_BY_SCALE[scale]:
        labels = ", ".join(label for value, label in DcaRating.choices if value in DCA_RATINGS_BY_SCALE[scale])
        errors["rating"] = (
            f"Choose a rating on the {'five' if scale == DcaScale.FIVE_POINT else 'three'}-point scale: {labels}."
        )
    if not (assessor_name or "").strip():
        errors["assessor_name"] = "Enter who made the assessment (a person or a review team)."
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date of the assessment."
    _not_in_future(assessed_on, "assessed_on", "The date of the assessment", errors)
    if errors:
        raise ValidationError(errors)
    if project.assessments.filter(assessed_on=assessed_on, assessor=Assessor.INDEPENDENT).exists():
        raise Conflict(
            {
                "assessed_on": f"An independent assessment of {project.code} on {assessed_on:%-d %B %Y} is recorded already."
            }
        )
    assessment = DeliveryConfidenceAssessment(
        project=project,
        assessed_on=assessed_on,
        scale=scale,
        rating=rating,
        assessor=Assessor.INDEPENDENT,
        assessor_name=assessor_name.strip(),
        note=(note or "").strip(),
    )
    assessment.full_clean()
    assessment.save()
    return assessment


@transaction.atomic
def project_enables_set(*, project: Project, user, initiatives, version: int | None, reason: str = "") -> Project:
    """Set the savings initiatives a project enables to `initiatives` (among those the user may
    see; a link to one withheld from the user is kept as it is). The link keeps no history of its
    own, so the change is written in words into both records' trails: the project and each
    initiative added or removed get an audit entry whose reason names it. A withdrawn initiative
    can be unlinked but not newly linked. From the project's version the user read."""
    _require_perm(user, "change_project", "link projects to savings initiatives")
    Initiative = Project._meta.get_field("enables").related_model
    locked = Project.objects.select_for_update().get(pk=project.pk)
    version_check(current=record_version(locked), expected=version, what=f"project {locked.code}")
    visible = Initiative.objects.visible_to(user)
    wanted = {initiative.pk for initiative in initiatives}
    if wanted - set(visible.filter(pk__in=wanted).values_list("pk", flat=True)):
        raise ValidationError({"initiatives": "Choose among the savings initiatives listed."})
    linked = set(locked.enables.values_list("pk", flat=True))
    linked_visible = set(visible.filter(pk__in=linked).values_list("pk", flat=True))
    added, removed = wanted - linked, linked_visible - wanted
    if not added and not removed:
        return locked
    touched = {i.pk: i for i in Initiative.objects.select_for_update().filter(pk__in=added | removed)}
    withdrawn = sorted(touched[pk].reference for pk in added if touched[pk].withdrawn_at is not None)
    if withdrawn:
        raise ValidationError(
            {"initiatives": f"{', '.join(withdrawn)} withdrawn from the plan: reinstate it before linking a project."}
        )
    locked.enables.set((linked - linked_visible) | wanted)
    # each trail is read by readers who may not see the other side: a marked record is counted there, never named
    parts = []
    if added:
        parts.append("now enables " + named_in_trail([touched[pk] for pk in added], "reference"))
    if removed:
        parts.append("no longer enables " + named_in_trail([touched[pk] for pk in removed], "reference"))
    why = f" ({reason.strip()})" if (reason or "").strip() else ""
    with audit_context(user=user, reason=f"Savings initiatives: {locked.code} {'; '.join(parts)}{why}"):
        locked.save()
    project_words = (
        "a project marked OFFICIAL-SENSITIVE"
        if locked.protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE
        else f"project {locked.code} {locked.name}"
    )
    for pk in sorted(added):
        with audit_context(user=user, reason=f"Now enabled by {project_words}{why}"):
            touched[pk].save()
    for pk in sorted(removed):
        with audit_context(user=user, reason=f"No longer enabled by {project_words}{why}"):
            touched[pk].save()
    return locked
