"""Savings pages. Thin: parse input, call a selector or service, render."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mps_ict.access import may_write
from mps_ict.as_at import as_at_from, moment
from mps_ict.audit import history_entries
from mps_ict.downloads import xlsx_attachment
from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.forms import add_service_errors
from mps_ict.marking import Withheld
from savings import charts, io, selectors, services
from savings.choices import ActualStatus
from savings.forms import ActualForm, DecisionsForm, ReopenForm, ReturnForm, UploadForm
from savings.models import Initiative, QuarterlyActual


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
    as_at_form, as_at = as_at_from(request)
    plan, records = _plan(), selectors.records_at(moment(as_at))
    context = {"as_at_form": as_at_form, "as_at": as_at, "recorded": records.recorded(plan), "plan": plan}
    if context["recorded"]:
        summary = selectors.plan_summary(plan=plan, user=request.user, records=records)
        context.update(
            summary=summary,
            at_risk=selectors.initiatives_at_risk(user=request.user, records=records),
            waterfall=charts.waterfall(summary),
            trajectory=charts.trajectory(summary),
        )
    return render(request, "savings/overview.html", context)


def breakdown(request):
    by = request.GET.get("by", "savings_type")
    if by not in selectors.BREAKDOWN_GROUPS:
        by = "savings_type"
    plan = _plan()
    as_at_form, as_at = as_at_from(request)
    records = selectors.records_at(moment(as_at))
    label = "savings type" if by == "savings_type" else "category"
    context = {"by": by, "label": label, "as_at_form": as_at_form, "as_at": as_at, "recorded": records.recorded(plan)}
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
    initiatives = selectors.initiative_list(user=request.user).filter(category=category)
    return render(
        request,
        "savings/category.html",
        {"category": category, "initiatives": initiatives, "history": history_entries(category)},
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
            "history": history_entries(initiative),
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
            "can_approve": may_write(request.user, "savings:actual-approve"),
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
    existing = QuarterlyActual.objects.filter(
        initiative=initiative, financial_year=period.financial_year, quarter=period.number
    ).first()
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
        if row.actual and row.actual.editable
    ]
    if not drafts:
        messages.error(request, f"There are no draft figures for {period} to submit.")
    else:
        services.actuals_submit(actuals=drafts, user=request.user)
        messages.success(
            request, f"Submitted {len(drafts)} figure(s) for {period}. A colleague in finance must approve them."
        )
    return redirect("savings:quarter", year=year, number=number)


@require_POST
def actual_approve(request, pk):
    actual = get_object_or_404(QuarterlyActual.objects.visible_to(request.user), pk=pk)
    seen = request.POST.get("version", "")  # the figures the approver saw on the page
    try:
        services.actual_approve(
            actual=actual, user=request.user, expected_version=int(seen) if seen.isdigit() else None
        )
        messages.success(request, f"Approved {actual.initiative.reference} for {actual.period}.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("savings:quarter", year=actual.financial_year.start_year, number=actual.quarter)


def actual_return(request, pk):
    actual = get_object_or_404(QuarterlyActual.objects.visible_to(request.user), pk=pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.actual_return(actual=actual, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, f"Returned {actual.initiative.reference} for {actual.period} to be changed.")
            return redirect("savings:quarter", year=actual.financial_year.start_year, number=actual.quarter)
    return render(request, "savings/actual_return.html", {"form": form, "actual": actual})


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


UPLOAD_SESSION_KEY = "savings_upload_preview"


def quarter_upload(request, year, number):
    """Upload the filled template; every error is listed, or a preview is shown to confirm."""
    plan = _plan()
    period = _quarter(year, number)
    if locked := _locked(request, plan, period):
        return locked
    form = UploadForm(request.POST or None, request.FILES or None)
    errors, preview = [], []
    if request.method == "POST" and form.is_valid():
        rows, errors = io.actuals_parse(
            upload=form.cleaned_data["spreadsheet"], plan=plan, quarter=period, user=request.user
        )
        if not errors:
            current = {
                row.initiative.reference: row.actual
                for row in selectors.quarter_rows(plan=plan, quarter=period, user=request.user)
            }
            preview = [(row_number, row, current.get(row.initiative.reference)) for row_number, row in rows]
            request.session[UPLOAD_SESSION_KEY] = {
                "quarter": period.label,
                "rows": [
                    [n, r.initiative.reference, str(r.actual_saving), str(r.forecast_full_year), r.commentary]
                    for n, r in rows
                ],
            }
    return render(
        request, "savings/upload.html", {"form": form, "quarter": period, "errors": errors, "preview": preview}
    )


@require_POST
def quarter_upload_confirm(request, year, number):
    period = _quarter(year, number)
    pending = request.session.get(UPLOAD_SESSION_KEY)
    if not pending or pending.get("quarter") != period.label:
        messages.error(request, "There is no checked upload for this quarter to confirm. Upload the file again.")
        return redirect("savings:quarter-upload", year=year, number=number)
    initiatives = {i.reference: i for i in Initiative.objects.visible_to(request.user).select_related("category__plan")}
    rows = []
    for row_number, reference, actual, forecast, commentary in pending["rows"]:
        if reference not in initiatives:
            messages.error(request, f"Row {row_number}: {reference} is no longer available. Upload the file again.")
            return redirect("savings:quarter-upload", year=year, number=number)
        rows.append(
            (row_number, services.ActualInput(initiatives[reference], Decimal(actual), Decimal(forecast), commentary))
        )
    try:
        saved = services.actuals_import(
            rows=rows, quarter=period, user=request.user, reason=f"Spreadsheet upload for {period}"
        )
    except services.ImportRejected as rejected:
        del request.session[UPLOAD_SESSION_KEY]
        return render(
            request,
            "savings/upload.html",
            {"form": UploadForm(), "quarter": period, "errors": rejected.errors, "preview": []},
        )
    del request.session[UPLOAD_SESSION_KEY]
    messages.success(request, f"Saved {saved} figure(s) for {period} as drafts. Submit them for approval when ready.")
    return redirect(reverse("savings:quarter", kwargs={"year": year, "number": number}))
