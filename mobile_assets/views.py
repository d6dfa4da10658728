"""Mobile estate pages. Thin: parse input, call a selector or service, render."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mobile_assets import charts, io, selectors, services
from mobile_assets.choices import BenefitRole, DeviceStatus
from mobile_assets.filters import DeviceFilter
from mobile_assets.forms import AssignForm, DeviceUploadForm, ReturnForm, StatusForm, UsageUploadForm
from mobile_assets.models import Device
from mps_ict.access import may_write
from mps_ict.as_at import as_at_from, moment
from mps_ict.audit import history_entries
from mps_ict.forms import add_service_errors
from mps_ict.listing import filtered_page


def dashboard(request):
    """The estate by type, the rollout and the boroughs, now or `?as_at=` the end of a past day."""
    as_at_form, as_at = as_at_from(request)
    records = selectors.records_at(moment(as_at))
    context = {"as_at_form": as_at_form, "as_at": as_at, "recorded": records.device_types.exists()}
    if not context["recorded"]:
        return render(request, "mobile_assets/dashboard.html", context)
    types = selectors.device_types_with_counts(records)
    matrix_types, matrix = selectors.capability_matrix()
    rollout = list(selectors.rollout_lines(records))
    return render(
        request,
        "mobile_assets/dashboard.html",
        {
            **context,
            "types": [(t, [selectors.by_status(t)[s] for s in DeviceStatus.values]) for t in types],
            "statuses": DeviceStatus.choices,
            "units": selectors.devices_by_unit(records),
            "rollout": rollout,
            "rollout_planned": sum(line.planned for line in rollout),
            "rollout_chart": charts.rollout(rollout),
            "matrix_types": matrix_types,
            "matrix": matrix,
        },
    )


def register(request):
    filterset, page, query = filtered_page(request, DeviceFilter, selectors.device_list())
    return render(
        request,
        "mobile_assets/register.html",
        {
            "filterset": filterset,
            "page": page,
            "query": query,
            "types": selectors.device_types(),
            "statuses": DeviceStatus.choices,
            "units": selectors.units(),
        },
    )


def _device_page(request, device, status=200, **bound_forms):
    today = timezone.localdate()
    can_change = may_write(request.user, "mobile_assets:device-assign")
    context = {
        "device": device,
        "assignments": device.assignments.select_related("vehicle", "officer_unit", "assigned_by"),
        "can_change": can_change,
        "history": history_entries(device),
    }
    if can_change:
        context |= {
            "assign_form": AssignForm(initial={"started": today}),
            "return_form": ReturnForm(initial={"ended": today}),
            "status_form": StatusForm(initial={"on": today}),
            **bound_forms,
        }
    return render(request, "mobile_assets/device.html", context, status=status)


def _get_device(asset_tag) -> Device:
    try:
        return selectors.device_detail(asset_tag=asset_tag)
    except Device.DoesNotExist as error:
        raise Http404("No such device") from error


def device(request, asset_tag):
    return _device_page(request, _get_device(asset_tag))


def _device_action(request, asset_tag, form_class, action, form_name):
    device = _get_device(asset_tag)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = action(device, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("mobile_assets:device", asset_tag=device.asset_tag)
    return _device_page(request, device, form=form, **{form_name: form})


@require_POST
def device_assign(request, asset_tag):
    def assign(device, data):
        services.device_assign(
            device=device,
            user=request.user,
            started=data["started"],
            collar_number=data["collar_number"],
            officer_unit=data["officer_unit"],
            vehicle=data["vehicle"],
        )
        return f"{device.asset_tag} issued to {data['vehicle'] or data['collar_number'].upper()}."

    return _device_action(request, asset_tag, AssignForm, assign, "assign_form")


@require_POST
def device_return(request, asset_tag):
    def give_back(device, data):
        services.device_return(device=device, user=request.user, ended=data["ended"])
        return f"{device.asset_tag} returned to stock."

    return _device_action(request, asset_tag, ReturnForm, give_back, "return_form")


@require_POST
def device_status(request, asset_tag):
    def report(device, data):
        services.device_set_status(device=device, user=request.user, status=data["status"], on=data["on"])
        return f"{device.asset_tag} is now {DeviceStatus(data['status']).label.lower()}."

    return _device_action(request, asset_tag, StatusForm, report, "status_form")


def benefits(request):
    """The PDA benefits as reported and as computed, now or `?as_at=` the end of a past day."""
    as_at_form, as_at = as_at_from(request)
    records = selectors.records_at(moment(as_at))
    periods = selectors.reported_periods(records)
    start, end = periods[0] if periods else (date(2012, 9, 1), date(2013, 2, 1))
    table = selectors.benefit_table(start=start, end=end, records=records)
    trend = selectors.monthly_computed_benefits(records)
    return render(
        request,
        "mobile_assets/benefits.html",
        {
            "as_at_form": as_at_form,
            "as_at": as_at,
            "recorded": bool(periods or trend) or as_at is None,
            "start": start,
            "end": end,
            "table": table,
            "trend_rows": [(month, [amounts.get(role.value) for role in BenefitRole]) for month, amounts in trend],
            "roles": BenefitRole.choices,
            "trend_chart": charts.benefit_trend(trend),
            "qualitative": selectors.pda_qualitative_benefits(),
        },
    )


def usage_upload(request):
    form = UsageUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        rows, errors = io.usage_parse(upload=form.cleaned_data["spreadsheet"])
        if not errors:
            month = form.cleaned_data["month"]
            saved = services.usage_replace_month(
                month=month, rows=rows, user=request.user, reason=f"Usage upload for {month:%B %Y}"
            )
            messages.success(
                request, f"Saved {saved} usage figures for {month:%B %Y}; the benefit roll-up has been queued."
            )
            return redirect("mobile_assets:benefits")
    return render(request, "mobile_assets/usage_upload.html", {"form": form, "errors": errors})


def devices_upload(request):
    form = DeviceUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        rows, errors = io.devices_parse(upload=form.cleaned_data["spreadsheet"])
        if not errors:
            created, updated = services.devices_import(rows=rows, user=request.user, reason="Device register upload")
            messages.success(request, f"Device register updated: {created} added, {updated} updated.")
            return redirect("mobile_assets:register")
    return render(request, "mobile_assets/devices_upload.html", {"form": form, "errors": errors})
