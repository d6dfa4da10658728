"""Mobile estate pages. Thin: parse input, call a selector or service, render."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import CheckboxSelectMultiple
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mobile_assets import charts, io, selectors, services
from mobile_assets.choices import BenefitRole, DeviceStatus
from mobile_assets.filters import DeviceFilter, VehicleFilter
from mobile_assets.forms import (
    AssignForm,
    BenefitRuleForm,
    CapabilityForm,
    ConfirmForm,
    DeviceModelForm,
    DeviceTypeForm,
    DeviceUploadForm,
    HourlyCostForm,
    RetireForm,
    ReturnForm,
    RolloutLineForm,
    StatusForm,
    UnitForm,
    UsageConfirmForm,
    UsageUploadForm,
    VehicleForm,
)
from mobile_assets.models import (
    BenefitRule,
    Capability,
    Device,
    DeviceModel,
    DeviceType,
    HourlyCost,
    OrganisationalUnit,
    RolloutPlanLine,
    Vehicle,
)
from mps_ict.access import may_write
from mps_ict.as_at import as_at_from, moment
from mps_ict.audit import history_entries
from mps_ict.downloads import xlsx_attachment
from mps_ict.financial_years import FinancialYear
from mps_ict.forms import add_service_errors
from mps_ict.imports import ImportRejected, Shown, StaleImport, preview_keep, preview_table
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
    rollout = selectors.rollout_progress(records)
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
            "rollout_deployed": sum(line.deployed for line in rollout),
            "can_plan": as_at is None and may_write(request.user, "mobile_assets:rollout-line-add"),
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
    rules_by_month = selectors.monthly_rule_sets(records)
    rule_sets = selectors.rule_sets(start=start, end=end, records=records)
    # usage keeps no history: as at a past day, only the months computed by then are said incomplete
    incomplete = selectors.incomplete_usage_months(until=(trend[-1][0] if trend else date.min) if as_at else None)
    return render(
        request,
        "mobile_assets/benefits.html",
        {
            "incomplete_months": incomplete,
            "period_incomplete": [coverage for coverage in incomplete if start <= coverage.month <= end],
            "as_at_form": as_at_form,
            "as_at": as_at,
            "recorded": bool(periods or trend) or as_at is None,
            "start": start,
            "end": end,
            "table": table,
            "trend_rows": [
                (
                    month,
                    [amounts.get(role.value) for role in BenefitRole],
                    rules_by_month.get(month),
                    FinancialYear.from_date(month),
                )
                for month, amounts in trend
            ],
            "table_rows": [(row, rule_sets.get(row.role, [])) for row in table.roles],
            "can_change_costs": as_at is None and may_write(request.user, "mobile_assets:hourly-cost-add"),
            "roles": BenefitRole.choices,
            "trend_chart": charts.benefit_trend(trend),
            "qualitative": selectors.pda_qualitative_benefits(),
        },
    )


# --- Uploads: read by the import engine, previewed, then confirmed exactly as shown (issues 14, 15) -----

PREVIEW_ROWS_SHOWN = 500
USAGE_SHOWN = [Shown("count", "Count", "count")]
DEVICE_SHOWN = [
    Shown("serial_number", "Serial number"),
    Shown("model", "Model"),
    Shown("status", "Status"),
    Shown("unit", "Unit"),
    Shown("collar_number", "Collar number"),
    Shown("vehicle", "Vehicle"),
    Shown("purchase_date", "Purchase date", "date"),
    Shown("purchase_cost", "Purchase cost", "money"),
    Shown("warranty_end", "Warranty end", "date"),
]


def _upload_form(form_class, request):
    """The upload's form; a sheet posted back (after the engine asked which one) is a valid choice."""
    sheet = request.POST.get("sheet") if request.method == "POST" else None
    return form_class(request.POST or None, request.FILES or None, sheets=[sheet] if sheet else None)


def _preview_context(preview, shown, form_class, form) -> dict:
    """What every upload page shows of a preview: what was read, the rows with what they replace,
    the errors; and the form again, asking for the sheet when two qualify."""
    if preview.notes.get("sheets"):
        form = form_class(initial=form.initial, sheets=preview.notes["sheets"])
    context = {"form": form, "preview": preview, "read": preview.read, "errors": preview.errors}
    if not preview.errors:
        context["table"] = preview_table(preview, shown, limit=PREVIEW_ROWS_SHOWN)
    return context


def _confirm_refused(request, rejected: ImportRejected, redirect_to: str):
    """A confirm that was refused: a preview gone (confirmed already, or too old) sends the user back
    to upload; anything else is shown with the upload form, to upload again."""
    if len(rejected.errors) == 1 and rejected.errors[0].row == 0 and rejected.errors[0].column in ("Preview", "File"):
        messages.error(request, rejected.errors[0].message)
        return redirect(redirect_to)
    return None


def usage_upload(request):
    """Upload a month's usage: the engine reads the file (any sheet, columns in any order), every row
    is checked, and the preview shows each figure beside the one held, and whether the file covers
    every unit and transaction type of the last complete month; nothing is saved until it is confirmed."""
    form = _upload_form(UsageUploadForm, request)
    context = {"form": form, "errors": []}
    if request.method == "POST" and form.is_valid():
        month = form.cleaned_data["month"]
        preview = io.usage_preview(
            upload=form.cleaned_data["spreadsheet"], month=month, user=request.user, sheet=form.cleaned_data["sheet"]
        )
        context = _preview_context(preview, USAGE_SHOWN, UsageUploadForm, UsageUploadForm(initial={"month": month}))
        if not preview.errors:
            preview_keep(preview, user=request.user)
            context |= _usage_preview_context(preview) | {
                "confirm_form": UsageConfirmForm(initial={"preview_id": preview.id})
            }
    return render(request, "mobile_assets/usage_upload.html", context)


def _usage_preview_context(preview) -> dict:
    notes = preview.notes
    return {
        "month": date.fromisoformat(preview.scope),
        "coverage": notes["coverage"],
        "removed": notes["removed"],
        "total": notes["total"],
    }


@require_POST
def usage_upload_confirm(request):
    """Save the checked upload exactly as its preview showed it; an incomplete one only with its box
    ticked; refused, naming what changed, if the month's usage was replaced since the preview."""
    form = UsageConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "There is no checked usage upload to confirm. Upload the file again.")
        return redirect("mobile_assets:usage-upload")
    preview_id = form.cleaned_data["preview_id"]
    preview = io.kept_preview(preview_id=preview_id, kind=io.USAGE_KIND, user=request.user)
    if preview is None:
        messages.error(
            request,
            "There is no checked usage upload to confirm: it was confirmed already, or is more than a day old. "
            "Upload the file again.",
        )
        return redirect("mobile_assets:usage-upload")
    month = date.fromisoformat(preview.scope)
    try:
        saved = services.usage_confirm(
            preview_id=preview_id, user=request.user, confirm_incomplete=form.cleaned_data["confirm_incomplete"]
        )
    except ValidationError as error:  # an incomplete month without its box ticked: the preview is kept
        add_service_errors(form, error)
    except ImportRejected as rejected:
        return _confirm_refused(request, rejected, "mobile_assets:usage-upload") or render(
            request,
            "mobile_assets/usage_upload.html",
            {"form": UsageUploadForm(), "errors": rejected.errors, "stale": isinstance(rejected, StaleImport)},
        )
    else:
        messages.success(
            request, f"Saved {saved} usage figures for {month:%B %Y}; the benefit roll-up has been queued."
        )
        return redirect("mobile_assets:benefits")
    context = _preview_context(preview, USAGE_SHOWN, UsageUploadForm, UsageUploadForm())
    context |= _usage_preview_context(preview) | {"confirm_form": form}
    return render(request, "mobile_assets/usage_upload.html", context)


def usage_template(request):
    """The usage upload's template: its columns, and every accepted unit and transaction type."""
    return xlsx_attachment(io.usage_template(), "usage-template.xlsx")


def devices_upload(request):
    """Upload the device register: the engine reads the file, every row is checked, and the preview
    shows each device as it would be beside the device as it is; nothing is saved until confirmed."""
    form = _upload_form(DeviceUploadForm, request)
    context = {"form": form, "errors": []}
    if request.method == "POST" and form.is_valid():
        preview = io.devices_preview(
            upload=form.cleaned_data["spreadsheet"], user=request.user, sheet=form.cleaned_data["sheet"]
        )
        context = _preview_context(preview, DEVICE_SHOWN, DeviceUploadForm, DeviceUploadForm())
        if not preview.errors:
            preview_keep(preview, user=request.user)
            context["confirm_form"] = ConfirmForm(initial={"preview_id": preview.id})
    return render(request, "mobile_assets/devices_upload.html", context)


@require_POST
def devices_upload_confirm(request):
    """Write the checked register upload exactly as its preview showed it, or nothing: refused,
    naming the row, the new value and who changed it, if a device changed since the preview; and
    row by row where a change of status breaks the device page's rules."""
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "There is no checked register upload to confirm. Upload the file again.")
        return redirect("mobile_assets:devices-upload")
    try:
        created, updated = services.devices_confirm(
            preview_id=form.cleaned_data["preview_id"], user=request.user, reason="Device register upload"
        )
    except ImportRejected as rejected:
        return _confirm_refused(request, rejected, "mobile_assets:devices-upload") or render(
            request,
            "mobile_assets/devices_upload.html",
            {"form": DeviceUploadForm(), "errors": rejected.errors, "stale": isinstance(rejected, StaleImport)},
        )
    messages.success(request, f"Device register updated: {created} added, {updated} updated.")
    return redirect("mobile_assets:register")


# --- Estate reference data and the rollout plan (issue 14 parts 2 and 3) -----------------------------
# The asset manager adds and changes what the estate is made of; every page is one form posted to a
# service (which checks the version read and audits the change). Records are retired, never deleted.

REFERENCE_KINDS = {
    "capabilities": Capability,
    "device-types": DeviceType,
    "device-models": DeviceModel,
    "units": OrganisationalUnit,
    "vehicles": Vehicle,
}


def reference(request):
    """The estate's reference data: capabilities, device types and models, units, benefit rules
    (effective-dated) and hourly costs, with links to change them for the asset manager."""
    return render(
        request,
        "mobile_assets/reference.html",
        {
            "data": selectors.reference_data(user=request.user),
            "can_change": may_write(request.user, "mobile_assets:device-type-add"),
        },
    )


def vehicle_list(request):
    """The fleet's vehicles, found by fleet number or borough, each with the devices fitted now and
    a link to move or retire it for the asset manager."""
    filterset, page, query = filtered_page(request, VehicleFilter, selectors.vehicle_list())
    return render(
        request,
        "mobile_assets/vehicles.html",
        {
            "filterset": filterset,
            "page": page,
            "query": query,
            "units": selectors.units(),
            "can_change": may_write(request.user, "mobile_assets:vehicle-change"),
        },
    )


def _reference_form(request, form, *, title, caption, save, record=None, history=None, status=200):
    """Render a reference form, or on a valid POST save it through the service and go back to the
    reference page (or `save`'s own address) with its message. `history`: the record's, in words,
    where the plain one would not do."""
    if request.method == "POST" and form.is_valid():
        try:
            message, back = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, message)
            return redirect(back)
    if history is None and record is not None:
        history = history_entries(record)
    context = {
        "form": form,
        "title": title,
        "caption": caption,
        "record": record,
        "history": history or [],
        "hidden": [field for field in form if field.is_hidden],
        "checkboxes": [field for field in form if isinstance(field.field.widget, CheckboxSelectMultiple)],
        "fields": [
            field
            for field in form
            if not field.is_hidden
            and not isinstance(field.field.widget, CheckboxSelectMultiple)
            and field.name != "reason"
        ],
    }
    return render(request, "mobile_assets/reference_form.html", context, status=status)


def _record(model, **lookup):
    try:
        return model.objects.get(**lookup)
    except model.DoesNotExist as error:
        raise Http404(f"No such {model._meta.verbose_name}") from error


REFERENCE_PAGE = "mobile_assets:reference"


def capability_add(request):
    def save(data):
        capability = services.capability_create(
            user=request.user, code=data["code"], name=data["name"], reason=data["reason"]
        )
        return f"Added the capability {capability.name}.", REFERENCE_PAGE

    form = CapabilityForm(request.POST or None)
    return _reference_form(request, form, title="Add a capability", caption="Estate reference data", save=save)


def capability_change(request, pk):
    capability = _record(Capability, pk=pk)

    def save(data):
        services.capability_update(
            capability=capability, user=request.user, version=data["version"], name=data["name"], reason=data["reason"]
        )
        return f"Saved the capability {data['name']}.", REFERENCE_PAGE

    form = CapabilityForm(
        request.POST or None, change=True, initial={"name": capability.name, "version": capability.version}
    )
    return _reference_form(
        request, form, title=f"Change {capability}", caption="Capability", save=save, record=capability
    )


def device_type_add(request):
    def save(data):
        device_type = services.device_type_create(user=request.user, **data)
        return f"Added the device type {device_type.name}.", REFERENCE_PAGE

    form = DeviceTypeForm(request.POST or None)
    return _reference_form(request, form, title="Add a device type", caption="Estate reference data", save=save)


def device_type_change(request, pk):
    device_type = _record(DeviceType, pk=pk)

    def save(data):
        services.device_type_update(device_type=device_type, user=request.user, **data)
        return f"Saved the device type {data['name']}.", REFERENCE_PAGE

    form = DeviceTypeForm(
        request.POST or None,
        change=True,
        initial={
            "name": device_type.name,
            "description": device_type.description,
            "capabilities": list(device_type.capabilities.all()),
            "version": device_type.version,
        },
    )
    return _reference_form(
        request, form, title=f"Change {device_type}", caption="Device type", save=save, record=device_type
    )


def device_model(request, pk):
    """A device model: its type, what it can do, its devices, the contract it is under (if the
    reader may see it) and its history."""
    try:
        record = selectors.device_model_detail(user=request.user, pk=pk)
    except DeviceModel.DoesNotExist as error:
        raise Http404("No such device model") from error
    return render(
        request,
        "mobile_assets/device_model.html",
        {
            "device_model": record,
            "can_change": may_write(request.user, "mobile_assets:device-model-change"),
            "history": selectors.device_model_history(device_model=record, user=request.user),
        },
    )


def device_model_add(request):
    def save(data):
        device_model = services.device_model_create(user=request.user, **data)
        return f"Added the device model {device_model}: the register now accepts it.", REFERENCE_PAGE

    form = DeviceModelForm(request.POST or None, user=request.user)
    return _reference_form(request, form, title="Add a device model", caption="Estate reference data", save=save)


def device_model_change(request, pk):
    device_model = _record(DeviceModel, pk=pk)

    def save(data):
        services.device_model_update(device_model=device_model, user=request.user, **data)
        return f"Saved the device model {data['manufacturer']} {data['name']}.".replace("  ", " "), REFERENCE_PAGE

    form = DeviceModelForm(
        request.POST or None,
        change=True,
        user=request.user,
        current_contract=device_model.contract,
        initial={
            "manufacturer": device_model.manufacturer,
            "name": device_model.name,
            "contract": device_model.contract_id,
            "capabilities": list(device_model.capabilities.all()),
            "version": device_model.version,
        },
    )
    return _reference_form(
        request,
        form,
        title=f"Change {device_model}",
        caption=f"Device model ({device_model.device_type})",
        save=save,
        record=device_model,
        history=selectors.device_model_history(device_model=device_model, user=request.user),
    )


def unit_add(request):
    def save(data):
        unit = services.unit_create(user=request.user, **data)
        return f"Added the borough or OCU {unit.name}.", REFERENCE_PAGE

    form = UnitForm(request.POST or None)
    return _reference_form(request, form, title="Add a borough or OCU", caption="Estate reference data", save=save)


def unit_change(request, pk):
    unit = _record(OrganisationalUnit, pk=pk)

    def save(data):
        services.unit_update(unit=unit, user=request.user, **data)
        return f"Saved the borough or OCU {data['name']}.", REFERENCE_PAGE

    form = UnitForm(request.POST or None, change=True, initial={"name": unit.name, "version": unit.version})
    return _reference_form(request, form, title=f"Change {unit}", caption="Borough or OCU", save=save, record=unit)


def vehicle_add(request):
    def save(data):
        vehicle = services.vehicle_create(user=request.user, **data)
        return f"Added the vehicle {vehicle.fleet_number}.", REFERENCE_PAGE

    form = VehicleForm(request.POST or None)
    return _reference_form(request, form, title="Add a vehicle", caption="Estate reference data", save=save)


def vehicle_change(request, fleet_number):
    vehicle = _record(Vehicle, fleet_number=fleet_number.upper())

    def save(data):
        services.vehicle_update(vehicle=vehicle, user=request.user, **data)
        return f"Saved the vehicle {vehicle.fleet_number}.", REFERENCE_PAGE

    form = VehicleForm(request.POST or None, change=True, initial={"unit": vehicle.unit_id, "version": vehicle.version})
    return _reference_form(request, form, title=f"Move vehicle {vehicle}", caption="Vehicle", save=save, record=vehicle)


def _reference_state_change(request, kind, pk, *, action, verb):
    model = REFERENCE_KINDS.get(kind)
    if model is None:
        raise Http404("No such kind of record")
    record = _record(model, pk=pk)

    def save(data):
        action(record=record, user=request.user, version=data["version"], reason=data["reason"])
        return f"{record} is {verb}.", REFERENCE_PAGE

    form = RetireForm(request.POST or None, initial={"version": record.version})
    form.fields["reason"].label = f"Why is {record} being {verb}?"
    return _reference_form(
        request,
        form,
        title=f"{'Retire' if verb == 'retired' else 'Reinstate'} {record}",
        caption=model._meta.verbose_name.capitalize(),
        save=save,
        record=record,
    )


def reference_retire(request, kind, pk):
    return _reference_state_change(request, kind, pk, action=services.reference_retire, verb="retired")


def reference_reinstate(request, kind, pk):
    return _reference_state_change(request, kind, pk, action=services.reference_reinstate, verb="reinstated")


def benefit_rule_add(request):
    def save(data):
        rule = services.benefit_rule_set(user=request.user, **data)
        return (
            f"{rule.transaction_type} saves {rule.minutes_saved} minutes of {rule.get_role_display().lower()} from "
            f"{rule.effective_from:%B %Y}; the benefits of the months it covers are being recomputed.",
            REFERENCE_PAGE,
        )

    form = BenefitRuleForm(request.POST or None)
    return _reference_form(request, form, title="Set a benefit rule from a month", caption="Benefit rules", save=save)


def benefit_rule_change(request, pk):
    rule = _record(BenefitRule, pk=pk)

    def save(data):
        services.benefit_rule_update(rule=rule, user=request.user, **data)
        return (
            f"Corrected the rule {rule.transaction_type} from {rule.effective_from:%B %Y}; its months are being recomputed.",
            REFERENCE_PAGE,
        )

    form = BenefitRuleForm(
        request.POST or None, change=True, initial={"minutes_saved": rule.minutes_saved, "version": rule.version}
    )
    period = f"from {rule.effective_from:%B %Y}" + (f" to {rule.effective_to:%B %Y}" if rule.effective_to else "")
    return _reference_form(
        request,
        form,
        title=f"Correct {rule.transaction_type} ({rule.get_role_display()}) {period}",
        caption="Benefit rule",
        save=save,
        record=rule,
    )


def hourly_cost_add(request):
    def save(data):
        rate = services.hourly_cost_set(user=request.user, **data)
        return (
            f"An hour of {rate.get_role_display().lower()} costs £{rate.cost} in {rate.financial_year}; the year's benefits are being recomputed.",
            "mobile_assets:benefits",
        )

    form = HourlyCostForm(request.POST or None)
    return _reference_form(request, form, title="Add an hourly cost", caption="Hourly costs", save=save)


def hourly_cost_change(request, pk):
    rate = _record(HourlyCost, pk=pk)

    def save(data):
        services.hourly_cost_set(user=request.user, role=rate.role, financial_year=rate.financial_year, **data)
        return (
            f"An hour of {rate.get_role_display().lower()} costs £{data['cost']} in {rate.financial_year}; the year's benefits are being recomputed.",
            "mobile_assets:benefits",
        )

    form = HourlyCostForm(
        request.POST or None, change=True, initial={"cost": rate.cost, "basis": rate.basis, "version": rate.version}
    )
    return _reference_form(
        request,
        form,
        title=f"Change the hourly cost of {rate.get_role_display().lower()} in {rate.financial_year}",
        caption="Hourly cost",
        save=save,
        record=rate,
    )


def rollout_line_add(request):
    def save(data):
        line = services.rollout_line_set(user=request.user, **data)
        return f"Planned {line.planned:,} {line.device_type} for {line.month:%B %Y}.", "mobile_assets:dashboard"

    form = RolloutLineForm(request.POST or None)
    return _reference_form(request, form, title="Plan a month of the rollout", caption="Rollout plan", save=save)


def rollout_line_change(request, pk):
    line = _record(RolloutPlanLine, pk=pk)

    def save(data):
        services.rollout_line_set(user=request.user, device_type=line.device_type, month=line.month, **data)
        return f"Planned {data['planned']:,} {line.device_type} for {line.month:%B %Y}.", "mobile_assets:dashboard"

    form = RolloutLineForm(
        request.POST or None, change=True, initial={"planned": line.planned, "version": line.version}
    )
    return _reference_form(
        request,
        form,
        title=f"Change the plan for {line.device_type} in {line.month:%B %Y}",
        caption="Rollout plan",
        save=save,
        record=line,
    )
