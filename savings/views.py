"""Savings pages. Thin: parse input, call a selector or service, render."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from mps_ict.access import may_write
from mps_ict.as_at import as_at_from, moment
from mps_ict.audit import history_entries
from mps_ict.downloads import xlsx_attachment
from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.forms import SpreadsheetForm, add_service_errors, upload_context
from mps_ict.imports import ImportRejected, preview_keep
from mps_ict.marking import Withheld
from savings import charts, io, selectors, services
from savings.choices import ActualStatus
from savings.forms import (
    ActualForm,
    CategoryForm,
    CorrectionForm,
    DecisionsForm,
    DiscardForm,
    InitiativeForm,
    PhasingForm,
    PlanVersionChangeForm,
    PlanVersionForm,
    ReinstateForm,
    ReopenForm,
    TargetForm,
    TargetRemoveForm,
    VersionCompareForm,
    WithdrawForm,
)
from savings.models import Category, Initiative, QuarterlyActual


def _plan():
    plan = selectors.plan_current()
    if plan is None:
        raise Http404("No savings plan is loaded. Run: python manage.py load_mps_baseline")
    return plan


def _quarter(year: int, number: int) -> Quarter:
    try:
        return Quarter(FinancialYear(year), number)
    except (ValueError, TypeError) as error:
        raise Http404("No such quarter") from error


def overview(request):
    """The plan at a glance, now or `?as_at=` the end of a past day."""
    plan = _plan()
    as_at_form, as_at, version, records = _plan_moment(request, plan)
    context = {"as_at_form": as_at_form, "as_at": as_at, "recorded": records.recorded(plan), "plan": plan}
    context.update(_version_context(request, plan, version, records))
    if context["recorded"]:
        summary = selectors.plan_summary(plan=plan, user=request.user, records=records)
        chances = selectors.savings_target_chances(plan=plan, user=request.user, records=records)
        context.update(
            summary=summary,
            at_risk=selectors.initiatives_at_risk(user=request.user, records=records),
            waterfall=charts.waterfall(summary),
            trajectory=charts.trajectory(summary),
            chances=chances,
            target_ranges=charts.target_ranges(chances),
        )
    return render(request, "savings/overview.html", context)


def breakdown(request):
    by = request.GET.get("by", "savings_type")
    if by not in selectors.BREAKDOWN_GROUPS:
        by = "savings_type"
    plan = _plan()
    as_at_form, as_at, version, records = _plan_moment(request, plan)
    label = "savings type" if by == "savings_type" else "category"
    context = {"by": by, "label": label, "as_at_form": as_at_form, "as_at": as_at, "recorded": records.recorded(plan)}
    context.update(_version_context(request, plan, version, records))
    context["keep_params"] = [("by", by)]
    if not context["recorded"]:
        return render(request, "savings/breakdown.html", context)
    rows = selectors.plan_breakdown(plan=plan, by=by, user=request.user, records=records)
    years = sorted({row.financial_year for row in rows})
    groups = list(dict.fromkeys(row.group for row in rows))
    cells = {(row.group, row.financial_year): row for row in rows}
    table = [(group, [cells.get((group, year)) for year in years]) for group in groups]
    totals = [sum((cells[(g, y)].planned for g in groups if (g, y) in cells), start=0) for y in years]
    realised_totals = [sum((cells[(g, y)].realised for g in groups if (g, y) in cells), start=0) for y in years]
    targets = selectors.plan_targets(plan=plan, user=request.user, records=records)
    return render(
        request,
        "savings/breakdown.html",
        {
            **context,
            "years": years,
            "table": table,
            "totals": totals,
            "realised_totals": realised_totals,
            "target_row": [targets.get(year) for year in years],
            "withheld": Withheld(selectors.initiatives_withheld(plan=plan, user=request.user), "initiative"),
            "chart": charts.breakdown(rows, title=f"Planned saving by {label} (£m a year against the baseline)"),
        },
    )


def category(request, slug):
    plan = _plan()
    category = get_object_or_404(selectors.categories_visible_to(request.user).filter(plan=plan), slug=slug)
    initiatives, withdrawn = selectors.category_initiatives(category=category, user=request.user)
    return render(
        request,
        "savings/category.html",
        {
            "category": category,
            "initiatives": initiatives,
            "withdrawn": withdrawn,
            "may_change": may_write(request.user, "savings:category-change"),
            "may_add": may_write(request.user, "savings:initiative-add"),
            "history": history_entries(category),
        },
    )


def initiative(request, reference):
    try:
        initiative = selectors.initiative_detail(user=request.user, reference=reference)
    except Initiative.DoesNotExist as error:
        raise Http404("No such initiative") from error
    return render(
        request,
        "savings/initiative.html",
        {
            "initiative": initiative,
            "profile": initiative.profile.all(),
            "actuals": selectors.initiative_actuals(initiative=initiative),
            "contract_events": selectors.initiative_contract_events(user=request.user, initiative=initiative),
            "history": selectors.initiative_history(initiative=initiative),
            "may_change": may_write(request.user, "savings:initiative-change"),
            "reinstate_form": ReinstateForm(initial={"version": initiative.version})
            if initiative.withdrawn_at and may_write(request.user, "savings:initiative-reinstate")
            else None,
        },
    )


def spend_baseline(request):
    baseline = selectors.spend_baseline_latest()
    if baseline is None:
        raise Http404("No spend baseline is loaded.")
    return render(
        request,
        "savings/spend_baseline.html",
        {"baseline": baseline, "lines": baseline.lines.all(), "history": history_entries(baseline)},
    )


def actuals_index(request):
    """Choose a quarter; defaults to the latest with figures, else the first of the plan."""
    plan = _plan()
    choice = request.GET.get("quarter")
    if choice:
        try:
            quarter = Quarter.parse(choice)
        except ValueError:
            messages.error(request, f'"{choice}" is not a quarter; choose one from the list.')
            return redirect("savings:actuals")
        return redirect("savings:quarter", year=quarter.financial_year.start_year, number=quarter.number)
    return render(request, "savings/actuals_index.html", {"quarters": selectors.plan_quarters(plan=plan)})


def quarter(request, year, number):
    return _quarter_page(request, _plan(), _quarter(year, number))


def _quarter_page(
    request,
    plan,
    period: Quarter,
    reopen_form: ReopenForm | None = None,
    decisions_form: DecisionsForm | None = None,
    rows=None,
):
    """The quarter's figures, and what the user may do with them: nothing that would be refused
    as locked is offered while the quarter is closed."""
    rows = rows if rows is not None else selectors.quarter_rows(plan=plan, quarter=period, user=request.user)
    closure = selectors.quarter_closure(plan=plan, quarter=period)
    closed = closure is not None and closure.closed
    may_reopen = closed and may_write(request.user, "savings:quarter-reopen")
    submitted = _submitted(rows)
    if decisions_form is None and submitted and not closed and may_write(request.user, "savings:quarter-decide"):
        decisions_form = DecisionsForm(actuals=submitted)
    return render(
        request,
        "savings/quarter.html",
        {
            "quarter": period,
            "rows": rows,
            "closure": closure,
            "closed": closed,
            "closed_by_you": closed and closure.closed_by_id == request.user.pk,
            "reopen_form": (reopen_form or ReopenForm()) if may_reopen else None,
            "decisions_form": decisions_form,
            "history": history_entries(closure) if closure else [],
            "can_enter": may_write(request.user, "savings:actual-edit"),
            "can_approve": may_write(request.user, "savings:quarter-decide"),
            "drafts": sum(1 for row in rows if row.actual and row.actual.editable),
            "submitted": len(submitted),
            "all_approved": any(row.actual for row in rows)
            and all(row.actual is None or row.actual.status == ActualStatus.APPROVED for row in rows),
        },
    )


def _submitted(rows) -> list[QuarterlyActual]:
    return [row.actual for row in rows if row.actual and row.actual.status == ActualStatus.SUBMITTED]


@require_POST
def quarter_decide(request, year, number):
    """The checker's decisions on the submitted figures they saw: all recorded, or none."""
    plan, period = _plan(), _quarter(year, number)
    if locked := _locked(request, plan, period):
        return locked
    rows = selectors.quarter_rows(plan=plan, quarter=period, user=request.user)
    form = DecisionsForm(request.POST, actuals=_submitted(rows))
    if form.is_valid():
        approve, returns = form.decisions()
        try:
            decided = services.actuals_decide(
                plan=plan, quarter=period, user=request.user, approve=approve, returns=returns
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Approved {decided.approved} and returned {decided.returned} figure(s) for {period}.",
            )
            return redirect("savings:quarter", year=year, number=number)
    return _quarter_page(request, plan, period, decisions_form=form, rows=rows)


def _locked(request, plan, period: Quarter):
    """A closed quarter offers no form: back to its page, which says who closed it."""
    if services.quarter_is_closed(plan=plan, quarter=period):
        messages.error(request, f"{period} is closed; its figures are locked.")
        return redirect("savings:quarter", year=period.financial_year.start_year, number=period.number)
    return None


def actual_edit(request, year, number, reference):
    plan = _plan()
    period = _quarter(year, number)
    if locked := _locked(request, plan, period):
        return locked
    try:
        initiative = selectors.initiative_detail(user=request.user, reference=reference)
    except Initiative.DoesNotExist as error:
        raise Http404("No such initiative") from error
    existing = selectors.actual_working(initiative=initiative, quarter=period)
    if existing is not None and existing.status == ActualStatus.APPROVED:
        messages.error(request, "These figures are approved: propose a correction of them here instead.")
        return redirect("savings:actual", year=year, number=number, reference=reference)
    initial = {"version": existing.version if existing else None}
    if existing:
        initial |= {
            "actual_saving": existing.actual_saving,
            "forecast_full_year": existing.forecast_full_year,
            "commentary": existing.commentary,
        }
    form = ActualForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.actual_save(
                row=services.ActualInput(
                    initiative, data["actual_saving"], data["forecast_full_year"], data["commentary"]
                ),
                quarter=period,
                user=request.user,
                expected_version=data["version"] if existing else None,
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"Saved {initiative.reference} for {period} as a draft.")
            if existing is not None and existing.is_correction:  # back to the figures it corrects
                return redirect("savings:actual", year=year, number=number, reference=reference)
            return redirect("savings:quarter", year=year, number=number)
    reference_forecast = services.forecast_reference(
        initiative=initiative, quarter=period, exclude_pk=existing.pk if existing else None
    )
    return render(
        request,
        "savings/actual_form.html",
        {
            "form": form,
            "initiative": initiative,
            "quarter": period,
            "existing": existing,
            "reference_forecast": reference_forecast,
            "plan": plan,
        },
    )


@require_POST
def quarter_submit(request, year, number):
    period = _quarter(year, number)
    drafts = [
        row.actual
        for row in selectors.quarter_rows(plan=_plan(), quarter=period, user=request.user)
        if row.actual and row.actual.editable and row.initiative.withdrawn_at is None
    ]
    if not drafts:
        messages.error(request, f"There are no draft figures for {period} to submit.")
        return redirect("savings:quarter", year=year, number=number)
    try:
        services.actuals_submit(actuals=drafts, user=request.user)
    except ValidationError as refused:  # a colleague submitted, or withdrew an initiative, meanwhile
        messages.error(request, " ".join(refused.messages) + " Nothing was submitted; check the figures below.")
    else:
        messages.success(
            request, f"Submitted {len(drafts)} figure(s) for {period}. A colleague in finance must approve them."
        )
    return redirect("savings:quarter", year=year, number=number)


@require_POST
def quarter_close(request, year, number):
    period = _quarter(year, number)
    try:
        services.quarter_close(plan=_plan(), quarter=period, user=request.user)
        messages.success(request, f"{period} is closed. Its figures are locked.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("savings:quarter", year=year, number=number)


@require_POST
def quarter_reopen(request, year, number):
    plan, period = _plan(), _quarter(year, number)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.quarter_reopen(plan=plan, quarter=period, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{period} is reopened. Its figures can be changed and approved again.")
            return redirect("savings:quarter", year=year, number=number)
    return _quarter_page(request, plan, period, reopen_form=form)


def quarter_template(request, year, number):
    period = _quarter(year, number)
    content = io.actuals_template(plan=_plan(), quarter=period, user=request.user)
    name = f"savings-actuals-{period.financial_year.start_year}-{period.financial_year.start_year % 100 + 1:02d}-Q{period.number}.xlsx"
    return xlsx_attachment(content, name)


UPLOAD_LABEL = "Upload the filled-in spreadsheet"


def _upload_page(request, plan, period: Quarter, *, preview=None, form=None, errors=()):
    context = upload_context(label=UPLOAD_LABEL, shown=io.ACTUALS_SHOWN, preview=preview, form=form, errors=errors)
    return render(request, "savings/upload.html", context | {"quarter": period})


def quarter_upload(request, year, number):
    """Upload a workbook or CSV of the quarter's figures: what was read (sheet, header row, columns)
    and every row with what it replaces, to confirm; or every problem, by row and column."""
    plan = _plan()
    period = _quarter(year, number)
    if locked := _locked(request, plan, period):
        return locked
    form = SpreadsheetForm(request.POST or None, request.FILES or None, label=UPLOAD_LABEL)
    if request.method != "POST" or not form.is_valid():
        return _upload_page(request, plan, period, form=form if request.method == "POST" else None)
    preview = io.actuals_preview(
        upload=form.cleaned_data["spreadsheet"],
        plan=plan,
        quarter=period,
        user=request.user,
        sheet=form.cleaned_data.get("sheet") or None,
    )
    if not preview.errors:
        preview_keep(preview, user=request.user)
    return _upload_page(request, plan, period, preview=preview)


@require_POST
def quarter_upload_confirm(request, year, number):
    """Write the preview exactly as shown, or nothing (a row changed since: who, and its new figures)."""
    plan, period = _plan(), _quarter(year, number)
    try:
        saved = services.actuals_confirm(
            preview_id=request.POST.get("preview_id"),
            plan=plan,
            quarter=period,
            user=request.user,
            reason=f"Spreadsheet upload for {period}",
        )
    except ImportRejected as rejected:
        return _upload_page(request, plan, period, errors=rejected.errors)
    messages.success(request, f"Saved {saved} figure(s) for {period} as drafts. Submit them for approval when ready.")
    return redirect(reverse("savings:quarter", kwargs={"year": year, "number": number}))


INITIATIVES_UPLOAD_LABEL = "Upload the initiatives spreadsheet"


def initiatives_template(request):
    """The plan's initiatives and phasing as a workbook the initiatives upload reads back."""
    plan = _plan()
    return xlsx_attachment(io.initiatives_template(plan=plan, user=request.user), "savings-initiatives.xlsx")


def _initiatives_upload_page(request, plan, *, preview=None, form=None, errors=()):
    shown = io.initiatives_shown(plan)
    context = upload_context(label=INITIATIVES_UPLOAD_LABEL, shown=shown, preview=preview, form=form, errors=errors)
    return render(request, "savings/initiatives_upload.html", context | {"plan": plan})


def initiatives_upload(request):
    """Upload the plan's initiatives: changes to figures, statuses and phasing, and new ones, to
    preview and confirm; or every problem by row and column."""
    plan = _plan()
    form = SpreadsheetForm(request.POST or None, request.FILES or None, label=INITIATIVES_UPLOAD_LABEL)
    if request.method != "POST" or not form.is_valid():
        return _initiatives_upload_page(request, plan, form=form if request.method == "POST" else None)
    preview = io.initiatives_preview(
        upload=form.cleaned_data["spreadsheet"],
        plan=plan,
        user=request.user,
        sheet=form.cleaned_data.get("sheet") or None,
    )
    if not preview.errors:
        preview_keep(preview, user=request.user)
    return _initiatives_upload_page(request, plan, preview=preview)


@require_POST
def initiatives_upload_confirm(request):
    plan = _plan()
    try:
        written = services.initiatives_confirm(
            preview_id=request.POST.get("preview_id"), plan=plan, user=request.user, reason="Initiatives upload"
        )
    except ImportRejected as rejected:
        return _initiatives_upload_page(request, plan, errors=rejected.errors)
    messages.success(request, f"Saved {written} initiative(s): each change is in its initiative's history.")
    return redirect("savings:breakdown")


# --- Each figure's page, its corrections and trail (issue 13 part 4) -----------------------------


def _actual_record(request, plan, period: Quarter, reference: str) -> selectors.ActualRecord:
    try:
        return selectors.actual_record(plan=plan, quarter=period, reference=reference, user=request.user)
    except Initiative.DoesNotExist as error:
        raise Http404("No such initiative") from error


def actual(request, year, number, reference):
    """An initiative's figures for a quarter: the figures in force and any open correction side
    by side, every revision (superseded ones kept), and the trail in words."""
    plan, period = _plan(), _quarter(year, number)
    return _actual_page(request, _actual_record(request, plan, period, reference))


def _actual_page(request, record, correct_form: CorrectionForm | None = None, discard_form: DiscardForm | None = None):
    """The figure's page, offering only what would not be refused: a correction of approved
    figures while the quarter is open and none is open; a discard of a draft or returned one."""
    in_force, pending = record.in_force, record.open
    may_correct = in_force is not None and pending is None and not record.closed
    if may_correct and may_write(request.user, "savings:actual-correct"):
        correct_form = correct_form or CorrectionForm(
            initial={
                "actual_saving": in_force.actual_saving,
                "forecast_full_year": in_force.forecast_full_year,
                "commentary": in_force.commentary,
                "version": in_force.version,
            }
        )
    else:
        correct_form = None
    may_discard = pending is not None and pending.is_correction and pending.editable and not record.closed
    if may_discard and may_write(request.user, "savings:actual-discard"):
        discard_form = discard_form or DiscardForm(prefix="discard", initial={"version": pending.version})
    else:
        discard_form = None
    return render(
        request,
        "savings/actual.html",
        {
            "record": record,
            "initiative": record.initiative,
            "quarter": record.quarter,
            "in_force": in_force,
            "pending": pending,
            "correct_form": correct_form,
            "discard_form": discard_form,
            "can_enter": not record.closed
            and ((pending is None and in_force is None) or (pending is not None and pending.editable))
            and may_write(request.user, "savings:actual-edit"),
            "offers_correction": in_force is not None
            and pending is None
            and may_write(request.user, "savings:actual-correct"),
        },
    )


def _back_to_actual(record):
    period = record.quarter
    return redirect(
        "savings:actual",
        year=period.financial_year.start_year,
        number=period.number,
        reference=record.initiative.reference,
    )


@require_POST
def actual_correct(request, year, number, reference):
    """Propose a correction of the approved figures: a new revision a colleague must approve."""
    plan, period = _plan(), _quarter(year, number)
    record = _actual_record(request, plan, period, reference)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if record.in_force is None:
                raise ValidationError({"status": f"There are no approved figures for {period} to correct."})
            services.actual_correct(
                actual=record.in_force,
                user=request.user,
                reason=data["reason"],
                actual_saving=data["actual_saving"],
                forecast_full_year=data["forecast_full_year"],
                commentary=data["commentary"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(
                request,
                f"Proposed a correction of {reference} for {period} as a draft. Submit it on the quarter's page; "
                "a colleague in finance must approve it.",
            )
            return _back_to_actual(record)
    record = _actual_record(request, plan, period, reference)
    if record.in_force is None or record.open is not None or record.closed:
        # the figures moved on since the form was shown: say why, on the page as it now stands
        for message in form.non_field_errors() or ["These figures can no longer be corrected here."]:
            messages.error(request, message)
        return _back_to_actual(record)
    return _actual_page(request, record, correct_form=form)


@require_POST
def actual_discard(request, year, number, reference):
    """Discard a draft or returned correction, with a reason: the approved figures stay in force."""
    plan, period = _plan(), _quarter(year, number)
    record = _actual_record(request, plan, period, reference)
    form = DiscardForm(request.POST, prefix="discard")
    if form.is_valid():
        try:
            if record.open is None:
                raise ValidationError({"status": f"There is no open correction of {reference} for {period}."})
            services.actual_correction_discard(
                actual=record.open,
                user=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(
                request, f"Discarded the correction of {reference} for {period}. The approved figures stay."
            )
            return _back_to_actual(record)
    if record.open is None or not record.open.is_correction or not record.open.editable:
        for message in form.non_field_errors() or ["There is no draft or returned correction to discard."]:
            messages.error(request, message)
        return _back_to_actual(record)
    return _actual_page(request, record, discard_form=form)


# --- Finance maintain the plan: initiatives, phasing, categories, targets (issue 13 part 2) -------


def _initiative_for_change(request, reference) -> Initiative:
    try:
        return selectors.initiative_detail(user=request.user, reference=reference)
    except Initiative.DoesNotExist as error:
        raise Http404("No such initiative") from error


def _category_for_change(request, slug) -> Category:
    return get_object_or_404(selectors.categories_visible_to(request.user).filter(plan=_plan()), slug=slug)


def _initiative_form_page(request, *, initiative: Initiative | None, category: Category | None = None):
    """Add an initiative (initiative None) or change one: the same fields, the same rules."""
    plan = _plan()
    categories = selectors.categories_in_use(plan=plan)
    if initiative is not None:  # its own category stays choosable, even if withdrawn since
        categories = Category.objects.filter(Q(pk__in=categories) | Q(pk=initiative.category_id)).order_by(
            "position", "name"
        )
        initial = {name: getattr(initiative, name) for name in services.INITIATIVE_EDITABLE_FIELDS}
        initial |= {
            "cashable": "yes" if initiative.cashable else "no",
            "inside_doi_budget": "yes" if initiative.inside_doi_budget else "no",
            "version": initiative.version,
        }
    else:
        initial = {"category": category, "cashable": "yes", "inside_doi_budget": "yes"}
    form = InitiativeForm(request.POST or None, initial=initial, categories=categories, adding=initiative is None)
    if request.method == "POST" and form.is_valid():
        values, reason = form.service_fields(), form.cleaned_data["reason"]
        try:
            if initiative is None:
                saved = services.initiative_create(user=request.user, reason=reason, **values)
            else:
                saved = services.initiative_update(
                    initiative=initiative,
                    user=request.user,
                    reason=reason,
                    version=form.cleaned_data["version"],
                    **values,
                )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            verb = "Added" if initiative is None else "Saved"
            messages.success(request, f"{verb} {saved.reference}.")
            return redirect("savings:initiative", reference=saved.reference)
    return render(
        request,
        "savings/initiative_form.html",
        {
            "form": form,
            "initiative": initiative,
            "category": category,
            "history": selectors.initiative_history(initiative=initiative) if initiative else [],
        },
    )


def initiative_add(request):
    """Add an initiative; `?category=<slug>` chooses its category to start with."""
    slug = request.GET.get("category")
    category = selectors.categories_in_use(plan=_plan()).filter(slug=slug).first() if slug else None
    return _initiative_form_page(request, initiative=None, category=category)


def initiative_change(request, reference):
    return _initiative_form_page(request, initiative=_initiative_for_change(request, reference))


def _reason_page(request, *, form, record, caption: str, heading: str, button: str, back_href: str, intro: str = ""):
    return render(
        request,
        "savings/reason_form.html",
        {
            "form": form,
            "caption": caption,
            "heading": heading,
            "button": button,
            "back_href": back_href,
            "intro": intro,
            "history": selectors.initiative_history(initiative=record)
            if isinstance(record, Initiative)
            else history_entries(record),
        },
    )


def _reason_action(request, *, form_class, record, service, done: str, back_href: str, **page):
    """A withdraw, reinstate or remove: a reason and the version read, then the service."""
    form = form_class(request.POST or None, initial={"version": record.version})
    if request.method == "POST" and form.is_valid():
        try:
            service(user=request.user, reason=form.cleaned_data["reason"], version=form.cleaned_data["version"])
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, done)
            return None
    return _reason_page(request, form=form, record=record, back_href=back_href, **page)


def initiative_withdraw(request, reference):
    initiative = _initiative_for_change(request, reference)
    back = reverse("savings:initiative", args=[initiative.reference])
    page = _reason_action(
        request,
        form_class=WithdrawForm,
        record=initiative,
        service=lambda **kw: services.initiative_withdraw(initiative=initiative, **kw),
        done=f"{initiative.reference} is withdrawn from the plan. Its figures have left the totals.",
        back_href=back,
        caption=f"{initiative.category.name} · {initiative.reference}",
        heading=f"Withdraw {initiative.reference} from the plan",
        button="Withdraw",
        intro="Its figures leave the plan's totals from now on; its record and history stay, and it can be "
        "reinstated. An initiative with actuals submitted or approved cannot be withdrawn: set its delivery "
        "status to Stopped instead.",
    )
    return page or redirect(back)


def initiative_reinstate(request, reference):
    initiative = _initiative_for_change(request, reference)
    back = reverse("savings:initiative", args=[initiative.reference])
    page = _reason_action(
        request,
        form_class=ReinstateForm,
        record=initiative,
        service=lambda **kw: services.initiative_reinstate(initiative=initiative, **kw),
        done=f"{initiative.reference} is back in the plan. Its figures count again.",
        back_href=back,
        caption=f"{initiative.category.name} · {initiative.reference}",
        heading=f"Reinstate {initiative.reference}",
        button="Reinstate",
    )
    return page or redirect(back)


def initiative_phasing(request, reference):
    """One figure per year of the plan, with the plan's totals against the targets: updated as
    you type (static/js/phasing.js), or by "Check totals" without JavaScript (nothing saved)."""
    initiative = _initiative_for_change(request, reference)
    years = selectors.initiative_phasing(initiative=initiative, user=request.user)
    initial = {PhasingForm.field_name(year.financial_year): year.planned for year in years}
    form = PhasingForm(
        request.POST or None,
        initial={**initial, "version": initiative.version},
        years=[year.financial_year for year in years],
    )
    checking = "check" in request.POST
    if request.method == "POST" and form.is_valid() and not checking:
        try:
            services.initiative_rephase(
                initiative=initiative,
                user=request.user,
                profile=form.profile(),
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Saved the phasing of {initiative.reference}.")
            return redirect("savings:initiative", reference=initiative.reference)
    typed = form.profile() if form.is_bound and form.is_valid() else _phasing_typed(form, years)
    if initiative.withdrawn_at is not None:  # its figures are in no total while it is withdrawn
        typed = {}
    rows = [
        {
            "year": year,
            "field": form[PhasingForm.field_name(year.financial_year)],
            "total": year.total_with(typed.get(year.financial_year)),
            "against": year.against_target(typed.get(year.financial_year)),
        }
        for year in years
    ]
    return render(
        request,
        "savings/phasing.html",
        {
            "form": form,
            "initiative": initiative,
            "rows": rows,
            "checked": checking and form.is_valid(),
            "history": selectors.initiative_history(initiative=initiative),
        },
    )


def _phasing_typed(form, years) -> dict:
    """The figures the totals are shown with: as saved, or (a form with errors) as far as each
    typed figure can be read, a figure that cannot counting as blank."""
    if not form.is_bound:
        return {year.financial_year: year.planned for year in years}
    return {
        year.financial_year: form.cleaned_data.get(PhasingForm.field_name(year.financial_year))
        for year in years
        if hasattr(form, "cleaned_data")
    }


def category_add(request):
    plan = _plan()
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(
                plan=plan,
                name=form.cleaned_data["name"],
                position=form.cleaned_data["position"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"Added the category {category.name}.")
            return redirect("savings:category", slug=category.slug)
    return render(request, "savings/category_form.html", {"form": form, "category": None, "history": []})


def category_change(request, slug):
    category = _category_for_change(request, slug)
    form = CategoryForm(
        request.POST or None,
        initial={"name": category.name, "position": category.position, "version": category.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(
                category=category,
                user=request.user,
                version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                position=form.cleaned_data["position"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"Saved the category {form.cleaned_data['name']}.")
            return redirect("savings:category", slug=category.slug)
    return render(
        request,
        "savings/category_form.html",
        {"form": form, "category": category, "history": history_entries(category)},
    )


def category_withdraw(request, slug):
    category = _category_for_change(request, slug)
    back = reverse("savings:category", args=[category.slug])
    page = _reason_action(
        request,
        form_class=WithdrawForm,
        record=category,
        service=lambda **kw: services.category_withdraw(category=category, **kw),
        done=f"{category.name} is withdrawn from the plan.",
        back_href=back,
        caption="Savings category",
        heading=f"Withdraw {category.name}",
        button="Withdraw",
        intro="A category can be withdrawn once every initiative in it is withdrawn (or it has none). "
        "Its page and history stay.",
    )
    return page or redirect(back)


def category_reinstate(request, slug):
    category = _category_for_change(request, slug)
    back = reverse("savings:category", args=[category.slug])
    page = _reason_action(
        request,
        form_class=ReinstateForm,
        record=category,
        service=lambda **kw: services.category_reinstate(category=category, **kw),
        done=f"{category.name} is back in use.",
        back_href=back,
        caption="Savings category",
        heading=f"Reinstate {category.name}",
        button="Reinstate",
    )
    return page or redirect(back)


def _target_year(year: int) -> FinancialYear:
    try:
        return FinancialYear(year)
    except (ValueError, TypeError) as error:
        raise Http404("No such year") from error


def targets(request):
    """The plan's interim targets, and a form to add one for a year that has none."""
    plan = _plan()
    rows = list(selectors.target_list(plan=plan))
    free = [year for year in selectors.plan_year_range(plan=plan) if year not in {t.financial_year for t in rows}]
    form = TargetForm(request.POST or None, years=free)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.target_set(
                plan=plan,
                financial_year=form.cleaned_data["financial_year"],
                cumulative_target=form.cleaned_data["cumulative_target"],
                source=form.cleaned_data["source"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"Set the target for {target.financial_year}.")
            return redirect("savings:targets")
    return render(
        request,
        "savings/targets.html",
        {
            "plan": plan,
            "targets": rows,
            "form": form if free else None,
            "history": selectors.targets_history(plan=plan),
        },
    )


def target_change(request, year):
    plan = _plan()
    target = get_object_or_404(selectors.target_list(plan=plan), financial_year=_target_year(year))
    form = TargetForm(
        request.POST or None,
        years=[target.financial_year],
        initial={
            "financial_year": target.financial_year.label,
            "cumulative_target": target.cumulative_target,
            "source": target.source,
            "version": target.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.target_set(
                plan=plan,
                financial_year=target.financial_year,
                cumulative_target=form.cleaned_data["cumulative_target"],
                source=form.cleaned_data["source"],
                version=form.cleaned_data["version"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"Changed the target for {target.financial_year}.")
            return redirect("savings:targets")
    return render(
        request,
        "savings/target_form.html",
        {
            "form": form,
            "target": target,
            "remove_form": TargetRemoveForm(prefix="remove", initial={"version": target.version}),
            "history": history_entries(target),
        },
    )


def target_remove(request, year):
    plan = _plan()
    target = get_object_or_404(selectors.target_list(plan=plan), financial_year=_target_year(year))
    back = reverse("savings:targets")
    page = _reason_action(
        request,
        form_class=partial(TargetRemoveForm, prefix="remove"),  # beside the change form on its page
        record=target,
        service=lambda **kw: services.target_remove(target=target, **kw),
        done=f"Removed the target for {target.financial_year}.",
        back_href=back,
        caption=plan.name,
        heading=f"Remove the target for {target.financial_year}",
        button="Remove the target",
        intro=f"The target of {target.cumulative_target:,.2f} pounds for {target.financial_year} leaves the plan; "
        "its history stays.",
    )
    return page or redirect(back)


# --- Plan versions (issue 13 part 3) --------------------------------------------------------------


def _plan_moment(request, plan):
    """The moment a plan page shows: `?version=<id>` (the plan as that version was taken), else
    `?as_at=` a past day, else now. Returns the "as at" form and day, the version and the records
    (the same replay either way: records_at). An unknown version shows now, and says so."""
    as_at_form, as_at = as_at_from(request)
    version = None
    if request.GET.get("version"):
        version = selectors.plan_version_find(plan=plan, pk=request.GET["version"])
        if version is not None:
            as_at = None  # a version is its own moment
    return as_at_form, as_at, version, selectors.records_at(version.taken_at if version else moment(as_at))


def _version_context(request, plan, version, records) -> dict:
    """What a plan page says about which version of the plan it shows."""
    asked = request.GET.get("version", "")
    return {
        "plan_version": version,
        "plan_version_note": selectors.plan_version_shown(plan=plan, version=version, at=records.at).description,
        "plan_version_unknown": asked if asked and version is None else "",
    }


def versions(request):
    """The plan's versions, and (finance) the form to take the plan as it stands as a new one."""
    plan = _plan()
    can_take = may_write(request.user, "savings:versions")
    form = PlanVersionForm(request.POST or None, initial={"dated": timezone.localdate()}) if can_take else None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = services.plan_version_take(plan=plan, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Version “{version.name}” taken: the plan as it stands now.")
                return redirect("savings:versions")
        status = 400
    return render(
        request,
        "savings/versions.html",
        {"plan": plan, "versions": selectors.plan_versions(plan=plan), "form": form},
        status=status,
    )


def version_change(request, pk):
    """Rename a version or change its note (finance)."""
    plan = _plan()
    version = selectors.plan_version_find(plan=plan, pk=pk)
    if version is None:
        raise Http404("No such version of the plan")
    form = PlanVersionChangeForm(request.POST or None, initial={"name": version.name, "note": version.note})
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.plan_version_update(version=version, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Version “{changed.name}” saved.")
            return redirect("savings:versions")
    status = 400 if form.errors else 200
    return render(request, "savings/version_change.html", {"version": version, "form": form}, status=status)


def version_compare(request):
    """Two moments of the plan side by side: `?from=<version id>&to=<version id or 'now'>`."""
    plan = _plan()
    versions = list(selectors.plan_versions(plan=plan))
    form = VersionCompareForm(request.GET or None, versions=versions)
    context = {"plan": plan, "form": form, "comparison": None, "has_versions": bool(versions)}
    if form.is_valid():
        by_id = {str(version.pk): version for version in versions}
        to = form.cleaned_data["to"] or VersionCompareForm.NOW
        context["comparison"] = selectors.plan_compare(
            plan=plan, before=by_id[form.cleaned_data["from"]], after=by_id.get(to), user=request.user
        )
    return render(request, "savings/version_compare.html", context, status=400 if form.errors else 200)
