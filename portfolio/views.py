"""Portfolio pages. Thin: parse input, call a selector or service, render."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from mps_ict.access import may_write
from mps_ict.as_at import as_at_from, moment
from mps_ict.audit import history_entries
from mps_ict.financial_years import FinancialYear
from mps_ict.forms import add_service_errors
from mps_ict.listing import filtered_page
from portfolio import charts, selectors, services
from portfolio.filters import ProjectListFilter
from portfolio.forms import CapitalProgrammeForm, ReprofileForm, StatusUpdateForm, what_if_rate
from portfolio.models import CapitalProgramme, Project


def _year(request, records=None) -> FinancialYear:
    """The year asked for, else the latest with a capital programme (by then, with `records`)."""
    text = request.GET.get("year")
    if text:
        try:
            return FinancialYear.parse(text)
        except ValueError as error:
            raise Http404(str(error)) from error
    year = selectors.latest_programme_year(records)
    if year is None:
        raise Http404("No capital programme is loaded. Run: python manage.py load_portfolio")
    return year


def dashboard(request):
    """The capital programme's position and delivery confidence, now or `?as_at=` the end of a
    past day (then without today's work lists: overdue updates, lead times, SRO changes)."""
    as_at_form, as_at = as_at_from(request)
    records = selectors.records_at(moment(as_at))
    context = {"as_at_form": as_at_form, "as_at": as_at, "recorded": records.programmes.exists()}
    if not context["recorded"]:
        return render(request, "portfolio/dashboard.html", context)
    year = _year(request, records)
    what_if, what_if_error = None, ""
    if request.GET.get("what_if"):
        try:
            what_if = what_if_rate(request.GET["what_if"], percent=True)
        except ValueError as error:
            what_if_error = str(error)
    position = selectors.capital_programme_position(
        financial_year=year, what_if_rate=what_if, user=request.user, records=records
    )
    if position is None:
        raise Http404(f"No capital programme for {year}{f' by {as_at:%d %B %Y}' if as_at else ''}.")
    learned = (
        selectors.capital_programme_position(financial_year=year, user=request.user, records=records)
        if what_if is not None
        else position
    )
    distribution = selectors.dca_distribution(user=request.user, records=records)
    trend = selectors.dca_trend(user=request.user, records=records)
    context.update(
        position=position,
        learned=learned,
        what_if_error=what_if_error,
        what_if_percent=request.GET.get("what_if", ""),
        years=records.programmes.order_by("financial_year").values_list("financial_year", flat=True),
        distribution=distribution,
        trend_rows=[(day, [counts.get(value, 0) for value, _, _ in distribution]) for day, counts in trend],
        position_chart=charts.position(position),
        distribution_chart=charts.dca_distribution(distribution),
        trend_chart=charts.dca_trend(trend),
    )
    if not as_at:  # today's work: shown as it stands now only
        today = timezone.localdate()
        context.update(
            overdue=selectors.overdue_status_updates(today=today, user=request.user, limit=10),
            overdue_count=selectors.overdue_status_update_count(today=today, user=request.user),
            lead_times=selectors.approval_lead_times(user=request.user),
            sro_churn=selectors.projects_with_most_sro_changes(user=request.user),
            snapshots=selectors.snapshots(financial_year=year, user=request.user),
            projects=selectors.projects_of_most_concern(user=request.user),
            can_set_budget=may_write(request.user, "portfolio:capital-programme-edit"),
        )
    return render(request, "portfolio/dashboard.html", context)


def project_list(request):
    """Every project, filtered and paginated (50 a page)."""
    filterset, page, query = filtered_page(request, ProjectListFilter, selectors.project_list(user=request.user))
    return render(
        request,
        "portfolio/project_list.html",
        {
            "filterset": filterset,
            "page": page,
            "query": query,
        },
    )


def project(request, code):
    try:
        project = selectors.project_detail(user=request.user, code=code)
    except Project.DoesNotExist as error:
        raise Http404("No such project") from error
    spend = selectors.project_spend_by_year(project=project)
    return render(
        request,
        "portfolio/project.html",
        {
            "project": project,
            "spend": spend,
            "spend_chart": charts.spend_profile(spend),
            "sros": project.sro_assignments.all(),
            "gates": project.gates.all(),
            "assessments": project.assessments.order_by("-assessed_on"),
            "updates": project.status_updates.select_related("submitted_by").order_by("-month"),
            "reprofiles": project.reprofiles.select_related("made_by"),
            "benefits": project.benefits.all(),
            "initiatives": project.enables.all(),
            "is_manager": project.programme_manager_id == request.user.pk,
            "history": history_entries(project),
        },
    )


def my_projects(request):
    today = timezone.localdate()
    return render(
        request,
        "portfolio/my_projects.html",
        {
            "projects": selectors.managed_projects(user=request.user),
            "month": selectors.reporting_month(today),
            "overdue": {o.project.pk for o in selectors.overdue_status_updates(today=today, user=request.user)},
        },
    )


def _managed_project(request, code) -> Project:
    try:
        project = selectors.project_detail(user=request.user, code=code)
    except Project.DoesNotExist as error:
        raise Http404("No such project") from error
    if not (request.user.is_superuser or project.programme_manager_id == request.user.pk):
        raise PermissionDenied("Only the project's programme manager may do this.")
    return project


def status_update(request, code):
    project = _managed_project(request, code)
    form = StatusUpdateForm(request.POST or None, default_month=selectors.reporting_month(timezone.localdate()))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.status_update_submit(
                project=project,
                user=request.user,
                month=data["month"],
                dca=data["dca"],
                narrative=data["narrative"],
                milestones=data["milestones"],
                risks=data["risks"],
                forecast_change=data["forecast_change"] or Decimal("0.00"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Status update for {data['month']:%B %Y} filed for {project.code}.")
            return redirect("portfolio:project", code=project.code)
    return render(request, "portfolio/status_update_form.html", {"form": form, "project": project})


def reprofile(request, code):
    project = _managed_project(request, code)
    form = ReprofileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reprofile_create(
                project=project,
                user=request.user,
                amount=data["amount"],
                from_year=data["from_year"],
                to_year=data["to_year"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Moved £{data['amount']:,.2f} from {data['from_year']} to {data['to_year']}.")
            return redirect("portfolio:project", code=project.code)
    return render(
        request,
        "portfolio/reprofile_form.html",
        {
            "form": form,
            "project": project,
            "spend": selectors.project_spend_by_year(project=project),
        },
    )


def capital_programme_edit(request, year):
    financial_year = FinancialYear(year) if 1990 <= year <= 2100 else None
    if financial_year is None:
        raise Http404("No such year")
    programme = CapitalProgramme.objects.filter(financial_year=financial_year).first()
    initial = (
        {"budget": programme.budget, "slippage_assumption_percent": programme.slippage_assumption * 100}
        if programme
        else {}
    )
    form = CapitalProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.capital_programme_set(
            user=request.user,
            financial_year=financial_year,
            budget=form.cleaned_data["budget"],
            slippage_assumption=(form.cleaned_data["slippage_assumption_percent"] / 100).quantize(Decimal("0.0001")),
        )
        messages.success(request, f"Capital programme {financial_year} saved.")
        return redirect(f"/portfolio/?year={financial_year.label}")
    return render(
        request,
        "portfolio/capital_programme_form.html",
        {
            "form": form,
            "financial_year": financial_year,
            "programme": programme,
            "history": history_entries(programme) if programme else [],
        },
    )
