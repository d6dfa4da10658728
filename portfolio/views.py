"""Portfolio pages. Thin: parse input, call a selector or service, render."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from mps_ict.access import may_write
from mps_ict.as_at import as_at_from, moment
from mps_ict.audit import history_entries
from mps_ict.financial_years import FinancialYear
from mps_ict.forms import add_service_errors
from mps_ict.listing import filtered_page
from mps_ict.money import format_percent
from portfolio import charts, outturn, selectors, services
from portfolio import forms as office_forms
from portfolio.choices import Assessor
from portfolio.filters import ProjectListFilter
from portfolio.forms import (
    BenefitForm,
    CapitalProgrammeForm,
    MilestoneForm,
    ReprofileForm,
    RetireBenefitForm,
    StatusUpdateAmendForm,
    StatusUpdateForm,
    what_if_rate,
)
from portfolio.models import Benefit, CapitalProgramme, Milestone, Programme, Project


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
    context.update(_outturn_context(request, year, what_if, records))
    distribution = selectors.dca_distribution(user=request.user, records=records)
    independent = selectors.dca_distribution(user=request.user, records=records, assessor=Assessor.INDEPENDENT)
    trend = selectors.dca_trend(user=request.user, records=records)
    context.update(
        position=position,
        learned=learned,
        what_if_error=what_if_error,
        what_if_percent=request.GET.get("what_if", ""),
        years=records.programmes.order_by("financial_year").values_list("financial_year", flat=True),
        distribution=distribution,
        # the SRO's own latest assessments are the headline; independent ones beside them (issue 14)
        dca_mix=[(*row, other[2]) for row, other in zip(distribution, independent, strict=True)],
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


def _outturn_context(request, year: FinancialYear, what_if: Decimal | None, records) -> dict:
    """The outturn as a range (issue 16): every year's, learned, and the year's under the what-if."""
    outturns = selectors.capital_programme_outturns(user=request.user, records=records)
    learned = outturns.get(year.start_year)
    if learned is None:
        return {}
    shown = learned
    rows = [outturn.range_row(d) for d in outturns.values()]
    if what_if is not None:
        shown = selectors.capital_programme_outturn(
            financial_year=year, user=request.user, what_if_rate=what_if, records=records
        )
        rows.append(outturn.range_row(shown, f"{year} what-if {format_percent(what_if, places=2)}"))
    return {
        "outturn": shown,
        "outturn_learned": learned,
        "outturn_sentences": outturn.sentences(shown),
        "outturn_rows": rows,
        "outturn_chart": charts.outturn(rows),
    }


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
            "can_add": may_write(request.user, "portfolio:project-add"),  # the portfolio office (issue 14)
        },
    )


def project(request, code):
    try:
        project = selectors.project_detail(user=request.user, code=code)
    except Project.DoesNotExist as error:
        raise Http404("No such project") from error
    spend = selectors.project_spend_by_year(project=project)
    updates = selectors.status_updates_with_originals(
        project.status_updates.select_related("submitted_by", "amended_by").order_by("-month")
    )
    return render(
        request,
        "portfolio/project.html",
        {
            "project": project,
            "spend": spend,
            "spend_chart": charts.spend_profile(spend),
            # the portfolio office's records (issue 14): SROs, gates with lead times, the SRO's own
            # assessments beside the independent ones, and what they may change
            "sros": selectors.project_sros(project=project),
            "gates": selectors.project_gates(project=project),
            "assessment_rows": selectors.project_assessments(project=project),
            "is_office": may_write(request.user, "portfolio:project-change"),
            "updates": updates,
            # issue 14: the milestones, and the month whose update may be amended
            "milestones": selectors.project_milestones(project=project),
            "amendable_month": selectors.reporting_month(timezone.localdate()),
            "reprofiles": project.reprofiles.select_related("made_by"),
            "benefits": project.benefits.all(),
            "initiatives": project.enables.all(),
            "contract_events": selectors.project_contract_events(user=request.user, project=project),
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


def _percent(fraction: Decimal) -> str:
    """0.0500 as the form shows it: 5 (not 5.0000)."""
    return format((fraction * 100).normalize(), "f")


def capital_programme_edit(request, year):
    financial_year = FinancialYear(year) if 1990 <= year <= 2100 else None
    if financial_year is None:
        raise Http404("No such year")
    programme = CapitalProgramme.objects.filter(financial_year=financial_year).first()
    initial = (
        {
            "budget": programme.budget,
            "slippage_assumption_percent": _percent(programme.slippage_assumption),
            "mitigation_share_percent": _percent(programme.mitigation_share),
        }
        if programme
        else {"mitigation_share_percent": _percent(CapitalProgramme._meta.get_field("mitigation_share").default)}
    )
    form = CapitalProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.capital_programme_set(
            user=request.user,
            financial_year=financial_year,
            budget=form.cleaned_data["budget"],
            slippage_assumption=(form.cleaned_data["slippage_assumption_percent"] / 100).quantize(Decimal("0.0001")),
            mitigation_share=(form.cleaned_data["mitigation_share_percent"] / 100).quantize(Decimal("0.0001")),
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


# --- Programme managers' project records (issue 14, part 1) ---------------------------------------
# The project's programme manager (or an administrator) keeps its benefits register and its
# milestones, and amends the current month's status update. Other programme managers: 403 here
# (_managed_project) and in the services.


def _project_records_page(request, template: str, project: Project, **context):
    return render(request, f"portfolio/{template}", {"project": project, **context})


def _benefit_for_change(request, code, pk) -> tuple[Project, Benefit]:
    project = _managed_project(request, code)
    benefit = Benefit.objects.visible_to(request.user).filter(project=project, pk=pk).first()
    if benefit is None:
        raise Http404("No such benefit")
    return project, benefit


def _benefit_form_page(request, *, project: Project, benefit: Benefit | None):
    if benefit is not None:
        initial = {name: getattr(benefit, name) for name in services.BENEFIT_EDITABLE_FIELDS}
        initial |= {"is_disbenefit": "yes" if benefit.is_disbenefit else "no", "version": benefit.version}
    else:
        initial = {"is_disbenefit": "no"}
    form = BenefitForm(request.POST or None, initial=initial, adding=benefit is None)
    if request.method == "POST" and form.is_valid():
        values, reason = form.service_fields(), form.cleaned_data["reason"]
        try:
            if benefit is None:
                services.benefit_create(project=project, user=request.user, reason=reason, **values)
            else:
                services.benefit_update(
                    benefit=benefit, user=request.user, reason=reason, version=form.cleaned_data["version"], **values
                )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(
                request, f"{'Added the benefit to' if benefit is None else 'Saved the benefit of'} {project.code}."
            )
            return redirect(reverse("portfolio:project", args=[project.code]) + "#benefits")
    return _project_records_page(
        request,
        "benefit_form.html",
        project,
        form=form,
        benefit=benefit,
        history=history_entries(benefit) if benefit else [],
    )


def benefit_add(request, code):
    return _benefit_form_page(request, project=_managed_project(request, code), benefit=None)


def benefit_change(request, code, pk):
    project, benefit = _benefit_for_change(request, code, pk)
    if benefit.retired_at is not None:
        raise Http404("This benefit is retired from the register")
    return _benefit_form_page(request, project=project, benefit=benefit)


def benefit_retire(request, code, pk):
    project, benefit = _benefit_for_change(request, code, pk)
    form = RetireBenefitForm(request.POST or None, initial={"version": benefit.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.benefit_retire(
                benefit=benefit,
                user=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"The benefit is retired from the register of {project.code}.")
            return redirect(reverse("portfolio:project", args=[project.code]) + "#benefits")
    return _project_records_page(
        request, "benefit_retire.html", project, form=form, benefit=benefit, history=history_entries(benefit)
    )


def _milestone_form_page(request, *, project: Project, milestone: Milestone | None):
    initial = (
        {name: getattr(milestone, name) for name in services.MILESTONE_EDITABLE_FIELDS} | {"version": milestone.version}
        if milestone
        else {}
    )
    form = MilestoneForm(request.POST or None, initial=initial, adding=milestone is None)
    if request.method == "POST" and form.is_valid():
        values, reason = form.service_fields(), form.cleaned_data["reason"]
        try:
            if milestone is None:
                services.milestone_create(project=project, user=request.user, reason=reason, **values)
            else:
                services.milestone_update(
                    milestone=milestone,
                    user=request.user,
                    reason=reason,
                    version=form.cleaned_data["version"],
                    **values,
                )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"Saved the milestone {values['name']} of {project.code}.")
            return redirect(reverse("portfolio:project", args=[project.code]) + "#milestones")
    return _project_records_page(
        request,
        "milestone_form.html",
        project,
        form=form,
        milestone=milestone,
        history=history_entries(milestone) if milestone else [],
    )


def milestone_add(request, code):
    return _milestone_form_page(request, project=_managed_project(request, code), milestone=None)


def milestone_change(request, code, pk):
    project = _managed_project(request, code)
    milestone = project.milestones.filter(pk=pk).first()
    if milestone is None:
        raise Http404("No such milestone")
    return _milestone_form_page(request, project=project, milestone=milestone)


def status_update_amend(request, code):
    """Amend the current reporting month's update (prefilled with it as it stands)."""
    project = _managed_project(request, code)
    month = selectors.reporting_month(timezone.localdate())
    update = selectors.current_status_update(project=project, today=timezone.localdate())
    if update is None:
        raise Http404(f"No update for {month:%B %Y} has been filed for {project.code}: file it first.")
    initial = {name: getattr(update, name) for name in services.STATUS_UPDATE_AMENDABLE_FIELDS}
    form = StatusUpdateAmendForm(request.POST or None, initial=initial | {"version": update.version})
    if request.method == "POST" and form.is_valid():
        values = form.service_fields()
        values["forecast_change"] = values["forecast_change"] or Decimal("0.00")
        try:
            services.status_update_amend(
                update=update,
                user=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                **values,
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"The {month:%B %Y} update of {project.code} is amended.")
            return redirect(reverse("portfolio:project", args=[project.code]) + "#updates")
    return _project_records_page(
        request,
        "status_update_amend.html",
        project,
        form=form,
        update=selectors.status_updates_with_originals([update])[0],
    )


# --- The portfolio office: programmes, projects, SROs, gates, assessments (issue 14, part 1) -------
# Each change page reads the record's version (services.record_version) into the form, so a change
# made by somebody else meanwhile is refused, not overwritten.


def _office_project(request, code) -> Project:
    try:
        return selectors.project_detail(user=request.user, code=code)
    except Project.DoesNotExist as error:
        raise Http404("No such project") from error


def _office_form_page(request, *, form, heading: str, button: str, back_href: str, caption: str = "", **context):
    return render(
        request,
        "portfolio/office_form.html",
        {"form": form, "heading": heading, "button": button, "back_href": back_href, "caption": caption, **context},
    )


def programme_list(request):
    """Every programme with how many projects the reader may see in it."""
    return render(
        request,
        "portfolio/programme_list.html",
        {
            "programmes": selectors.programmes(user=request.user),
            "can_add": may_write(request.user, "portfolio:programme-add"),
            "can_change": may_write(request.user, "portfolio:programme-change"),
        },
    )


def _programme_form_page(request, programme):
    initial = (
        {"name": programme.name, "description": programme.description, "version": services.record_version(programme)}
        if programme
        else {}
    )
    form = office_forms.ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if programme is None:
                saved = services.programme_create(
                    user=request.user, name=data["name"], description=data["description"], reason=data["reason"]
                )
            else:
                saved = services.programme_update(
                    programme=programme,
                    user=request.user,
                    version=data["version"],
                    reason=data["reason"],
                    name=data["name"],
                    description=data["description"],
                )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"{'Added' if programme is None else 'Saved'} the programme {saved.name}.")
            return redirect("portfolio:programme-list")
    return _office_form_page(
        request,
        form=form,
        heading="Change the programme" if programme else "Add a programme",
        caption=programme.name if programme else "",
        button="Save the changes" if programme else "Add the programme",
        back_href=reverse("portfolio:programme-list"),
        history=history_entries(programme) if programme else None,
    )


def programme_add(request):
    return _programme_form_page(request, None)


def programme_change(request, pk):
    return _programme_form_page(request, get_object_or_404(Programme, pk=pk))


def _project_form_page(request, project):
    from mps_ict.roles import PROGRAMME_MANAGER

    User = get_user_model()
    managers = User.objects.filter(is_active=True, groups__name=PROGRAMME_MANAGER).order_by(
        "first_name", "last_name", "username"
    )
    if project is not None:  # its manager stays choosable, whatever their role now
        managers = User.objects.filter(Q(pk__in=managers) | Q(pk=project.programme_manager_id)).order_by(
            "first_name", "last_name", "username"
        )
        initial = {name: getattr(project, name) for name in services.PROJECT_EDITABLE_FIELDS}
        initial["version"] = services.record_version(project)
    else:
        initial = {"stage": "proposed", "priority": 3, "protective_marking": "OFFICIAL"}
    form = office_forms.ProjectForm(
        request.POST or None,
        initial=initial,
        programmes=Programme.objects.order_by("name"),
        managers=managers,
        adding=project is None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in services.PROJECT_EDITABLE_FIELDS}
        try:
            if project is None:
                sro = {name: data[name] for name in form.SRO_FIELDS}
                saved = services.project_create(user=request.user, reason=data["reason"], **values, **sro)
            else:
                saved = services.project_update(
                    project=project, user=request.user, version=data["version"], reason=data["reason"], **values
                )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"{'Added' if project is None else 'Saved'} {saved.code}.")
            return redirect("portfolio:project", code=saved.code)
    return _office_form_page(
        request,
        form=form,
        heading="Change the project" if project else "Add a project",
        caption=f"{project.code} {project.name}" if project else "",
        button="Save the changes" if project else "Add the project",
        back_href=reverse("portfolio:project", args=[project.code]) if project else reverse("portfolio:project-list"),
        history=history_entries(project) if project else None,
    )


def project_add(request):
    return _project_form_page(request, None)


def project_change(request, code):
    return _project_form_page(request, _office_project(request, code))


def sro_change(request, code):
    project = _office_project(request, code)
    current = selectors.current_sro(project=project)
    form = office_forms.SroChangeForm(request.POST or None, initial={"replaces": current.name if current else ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sro_change(
                project=project,
                user=request.user,
                name=data["name"],
                role_title=data["role_title"],
                started=data["started"],
                replaces=data["replaces"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("replaces",))
        else:
            messages.success(request, f"{data['name']} is SRO of {project.code} from {data['started']:%-d %B %Y}.")
            return redirect("portfolio:project", code=project.code)
    intro = (
        f"{current.name} has been SRO since {current.started:%-d %B %Y}. Their assignment ends the day before the "
        "new SRO's starts."
        if current
        else "No SRO is recorded for this project yet."
    )
    return _office_form_page(
        request,
        form=form,
        heading="Change the SRO",
        caption=f"{project.code} {project.name}",
        button="Record the change",
        back_href=reverse("portfolio:project", args=[project.code]),
        intro=intro,
        sros=selectors.project_sros(project=project),
    )


def gate_request(request, code):
    project = _office_project(request, code)
    form = office_forms.GateRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.gate_request(
                project=project,
                user=request.user,
                name=data["name"],
                requested=data["requested"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{data['name']} requested for {project.code}: it awaits a decision.")
            return redirect("portfolio:project", code=project.code)
    return _office_form_page(
        request,
        form=form,
        heading="Request a gate",
        caption=f"{project.code} {project.name}",
        button="Record the request",
        back_href=reverse("portfolio:project", args=[project.code]),
    )


def gate_decide(request, code, pk):
    project = _office_project(request, code)
    gate = get_object_or_404(selectors.project_gates(project=project), pk=pk)
    form = office_forms.GateDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.gate_decide(
                gate=gate, user=request.user, decision=data["decision"], decided=data["decided"], reason=data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Decision on {gate.name} for {project.code} recorded.")
            return redirect("portfolio:project", code=project.code)
    return _office_form_page(
        request,
        form=form,
        heading=f"Record the decision: {gate.name}",
        caption=f"{project.code} {project.name}",
        button="Record the decision",
        back_href=reverse("portfolio:project", args=[project.code]),
        intro=f"Requested on {gate.requested:%-d %B %Y}."
        + (f" Decided on {gate.decided:%-d %B %Y}: {gate.get_decision_display()}." if gate.decided else ""),
    )


def assessment_add(request, code):
    project = _office_project(request, code)
    form = office_forms.AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assessment_record(project=project, user=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Independent assessment of {project.code} recorded.")
            return redirect("portfolio:project", code=project.code)
    return _office_form_page(
        request,
        form=form,
        heading="Record an independent assessment",
        caption=f"{project.code} {project.name}",
        button="Record the assessment",
        back_href=reverse("portfolio:project", args=[project.code]),
        intro="Kept apart from the SRO's own assessments (filed with the monthly status updates), and shown beside them.",
    )


def project_enables(request, code):
    project = _office_project(request, code)
    initiatives = selectors.enableable_initiatives(user=request.user, project=project)
    form = office_forms.EnablesForm(
        request.POST or None,
        initiatives=initiatives,
        initial={"initiatives": list(project.enables.all()), "version": services.record_version(project)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_enables_set(
                project=project,
                user=request.user,
                initiatives=list(data["initiatives"]),
                version=data["version"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"Saved the savings {project.code} enables.")
            return redirect("portfolio:project", code=project.code)
    return render(
        request,
        "portfolio/project_enables.html",
        {"form": form, "project": project, "history": history_entries(project)},
    )
