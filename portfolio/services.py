"""Writes to the capital portfolio. Atomic, audited, and each checks who may do it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction

from mps_ict.audit import audit_context, audited
from mps_ict.figures_cache import figures_changed
from mps_ict.financial_years import FinancialYear
from mps_ict.loaders import LoadReport
from mps_ict.money import FORECAST_TOLERANCE_LABEL, forecast_beyond_tolerance
from portfolio.choices import Assessor, DcaScale
from portfolio.models import (
    ApprovalGate,
    Benefit,
    CapitalProgramme,
    DeliveryConfidenceAssessment,
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
    *, user, financial_year: FinancialYear, budget: Decimal, slippage_assumption: Decimal, reason: str = ""
) -> CapitalProgramme:
    """Finance set a year's Capital Programme Budget and the fallback slippage assumption."""
    if not user.has_perm("portfolio.change_capitalprogramme"):
        raise PermissionDenied("Only finance may set capital programme budgets.")
    programme, _ = CapitalProgramme.objects.select_for_update().get_or_create(
        financial_year=financial_year, defaults={"budget": budget, "slippage_assumption": slippage_assumption}
    )
    programme.budget = budget
    programme.slippage_assumption = slippage_assumption
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
