"""The register's pages. Thin: parse input, call a selector or service, render. Each change page
reads the record's version into its form, so a change somebody made meanwhile is refused, not
overwritten. A contract the reader may not see (marked OFFICIAL-SENSITIVE, no `view_restricted`)
is a 404 on every page that names it, as is each of its events."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from contracts import charts, selectors, services
from contracts.filters import ContractListFilter, EventListFilter
from contracts.forms import ContractForm, DependentsForm, EventForm, EventMoveForm, RetireForm, SupplierForm
from contracts.models import Contract, ContractEvent, Supplier
from mps_ict.access import may_write
from mps_ict.financial_years import FinancialYear
from mps_ict.forms import add_service_errors
from mps_ict.listing import filtered_page
from mps_ict.roles import FINANCE, PORTFOLIO_OFFICE


def _contract(request, pk) -> Contract:
    try:
        return selectors.contract_detail(user=request.user, pk=pk)
    except Contract.DoesNotExist as error:
        raise Http404("No such contract") from error


def _event(request, pk) -> ContractEvent:
    try:
        return selectors.event_detail(user=request.user, pk=pk)
    except ContractEvent.DoesNotExist as error:
        raise Http404("No such event") from error


def _supplier(request, pk) -> Supplier:
    try:
        return selectors.supplier_detail(user=request.user, pk=pk)
    except Supplier.DoesNotExist as error:
        raise Http404("No such supplier") from error


def _form_page(request, *, form, heading: str, button: str, back_href: str, caption: str = "", **context):
    return render(
        request,
        "contracts/form.html",
        {"form": form, "heading": heading, "button": button, "back_href": back_href, "caption": caption, **context},
    )


def _retire_page(request, *, record, retire, what: str, back_href: str, caption: str, done_href: str):
    form = RetireForm(request.POST or None, initial={"version": record.version})
    if request.method == "POST" and form.is_valid():
        try:
            retire(user=request.user, reason=form.cleaned_data["reason"], version=form.cleaned_data["version"])
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"Retired {caption}.")
            return redirect(done_href)
    return render(
        request,
        "contracts/retire.html",
        {
            "form": form,
            "what": what,
            "caption": caption,
            "back_href": back_href,
            "record": record,
            "history": selectors.history_in_words(record),
        },
    )


# --- contracts ------------------------------------------------------------------------------------


def contract_list(request):
    """Every contract the reader may see, filtered and paginated (50 a page)."""
    filterset, page, query = filtered_page(request, ContractListFilter, selectors.contract_list(user=request.user))
    return render(
        request,
        "contracts/contract_list.html",
        {
            "filterset": filterset,
            "page": page,
            "rows": selectors.with_figures(page),
            "query": query,
            "can_add": may_write(request.user, "contracts:contract-add"),
        },
    )


def contract(request, pk):
    """The contract, its events, what depends on them (the timeline) and the what-if: one of its
    events on another date (`?event=<id>&moved_to=<date>`; it changes nothing)."""
    contract = _contract(request, pk)
    timeline = selectors.contract_timeline(user=request.user, contract=contract)
    asked = "moved_to" in request.GET  # ?event= alone (the event page's link) only chooses the event
    move_form = EventMoveForm(
        request.GET if asked else None, initial={"event": request.GET.get("event")}, events=timeline.events_with_savings
    )
    if asked and move_form.is_valid():
        timeline = selectors.timeline_with_move(
            timeline, event_id=move_form.cleaned_data["event"], moved_to=move_form.cleaned_data["moved_to"]
        )
    return render(
        request,
        "contracts/contract.html",
        {
            "contract": contract,
            "figures": selectors.contract_figures(contract),
            "events": selectors.contract_events(contract=contract),
            "timeline": timeline,
            "timeline_chart": charts.timeline(timeline) if timeline.years else None,
            "move_form": move_form,
            "device_models": selectors.contract_device_models(contract=contract),  # issue 17 part 2
            "can_change": may_write(request.user, "contracts:contract-change"),
            "can_link": may_write(request.user, "contracts:event-dependents"),
            "history": selectors.history_in_words(contract),
        },
    )


def _contract_form_page(request, contract: Contract | None):
    suppliers = Supplier.objects.filter(retired_at__isnull=True)
    if contract is not None:
        suppliers = Supplier.objects.filter(Q(retired_at__isnull=True) | Q(pk=contract.supplier_id))
        initial = {name: getattr(contract, name) for name in ContractForm.SERVICE_FIELDS}
        initial["supplier"] = contract.supplier_id
        initial["version"] = contract.version
    else:
        initial = {
            "extension_months": 12,
            "extensions_allowed": 0,
            "extensions_used": 0,
            "notice_months": 6,
            "modification_limit_share": "0.5",
            "modifications_value": "0.00",
            "protective_marking": "OFFICIAL",
            "supplier": request.GET.get("supplier") or None,
        }
    form = ContractForm(request.POST or None, initial=initial, suppliers=suppliers.order_by("name"))
    if request.method == "POST" and form.is_valid():
        values, reason = form.service_fields(), form.cleaned_data["reason"]
        try:
            if contract is None:
                saved = services.contract_create(user=request.user, reason=reason, **values)
            else:
                saved = services.contract_update(
                    contract=contract, user=request.user, version=form.cleaned_data["version"], reason=reason, **values
                )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"{'Added' if contract is None else 'Saved'} contract {saved.reference}.")
            return redirect("contracts:contract", pk=saved.pk)
    return _form_page(
        request,
        form=form,
        heading="Change the contract" if contract else "Add a contract",
        caption=str(contract) if contract else "",
        button="Save the changes" if contract else "Add the contract",
        back_href=reverse("contracts:contract", args=[contract.pk]) if contract else reverse("contracts:contract-list"),
        history=selectors.history_in_words(contract) if contract else None,
    )


def contract_add(request):
    return _contract_form_page(request, None)


def contract_change(request, pk):
    contract = _contract(request, pk)
    if contract.retired_at is not None:
        raise Http404("This contract is retired from the register")
    return _contract_form_page(request, contract)


def contract_retire(request, pk):
    contract = _contract(request, pk)
    href = reverse("contracts:contract", args=[contract.pk])
    return _retire_page(
        request,
        record=contract,
        retire=lambda **kwargs: services.contract_retire(contract=contract, **kwargs),
        what="contract",
        caption=f"contract {contract.reference}",
        back_href=href,
        done_href=href,
    )


# --- events ---------------------------------------------------------------------------------------


def event_list(request):
    """Every event of the contracts the reader may see, by date, filtered and paginated."""
    filterset, page, query = filtered_page(request, EventListFilter, selectors.event_list(user=request.user))
    return render(request, "contracts/event_list.html", {"filterset": filterset, "page": page, "query": query})


def _owners(current=None):
    User = get_user_model()
    keepers = Q(is_active=True, groups__name__in=[FINANCE, PORTFOLIO_OFFICE])
    if current is not None:
        keepers |= Q(pk=current)
    return User.objects.filter(keepers).distinct().order_by("first_name", "last_name", "username")


def _event_form_page(request, *, contract: Contract, event: ContractEvent | None):
    if event is not None:
        initial = {name: getattr(event, name) for name in EventForm.SERVICE_FIELDS}
        initial |= {"owner": event.owner_id, "version": event.version}
    else:
        initial = {"status": "planned", "owner": request.user.pk}
    form = EventForm(request.POST or None, initial=initial, owners=_owners(event.owner_id if event else None))
    if request.method == "POST" and form.is_valid():
        values, reason = form.service_fields(), form.cleaned_data["reason"]
        try:
            if event is None:
                services.event_create(contract=contract, user=request.user, reason=reason, **values)
            else:
                services.event_update(
                    event=event, user=request.user, version=form.cleaned_data["version"], reason=reason, **values
                )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(
                request, f"{'Added the event to' if event is None else 'Saved the event of'} {contract.reference}."
            )
            return redirect(reverse("contracts:contract", args=[contract.pk]) + "#events")
    return _form_page(
        request,
        form=form,
        heading="Change the event" if event else "Add an event",
        caption=str(contract),
        button="Save the changes" if event else "Add the event",
        back_href=reverse("contracts:contract", args=[contract.pk]) + "#events",
        history=selectors.history_in_words(event) if event else None,
    )


def event(request, pk):
    """An event: its contract, date, owner and status, and the savings and projects that depend on
    it (each saving's pounds by year that depend on it), with its history."""
    event = _event(request, pk)
    timeline = selectors.contract_timeline(user=request.user, contract=event.contract)
    row = next((row for row in timeline.events if row.event.pk == event.pk), None)
    return render(
        request,
        "contracts/event.html",
        {
            "event": event,
            "contract": event.contract,
            "row": row,
            "years": timeline.years,
            "financial_year": FinancialYear.from_date(event.due),
            "can_change": may_write(request.user, "contracts:event-change"),
            "can_link": may_write(request.user, "contracts:event-dependents"),
            "history": selectors.history_in_words(event),
        },
    )


def event_dependents(request, pk):
    """Say which savings initiatives and capital projects depend on an event."""
    event = _event(request, pk)
    if event.retired_at is not None:
        raise Http404("This event is retired")
    initiatives, projects = selectors.event_dependents(user=request.user, event=event)
    initiative_choices, project_choices = selectors.dependents_choices(user=request.user, event=event)
    form = DependentsForm(
        request.POST or None,
        initial={"initiatives": initiatives, "projects": projects, "version": event.version},
        initiatives=initiative_choices,
        projects=project_choices,
    )
    href = reverse("contracts:event", args=[event.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.event_dependents_set(
                event=event,
                user=request.user,
                initiatives=form.cleaned_data["initiatives"],
                projects=form.cleaned_data["projects"],
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(
                request, f"Saved what depends on the {event.get_kind_display().lower()} of {event.contract.reference}."
            )
            return redirect(href)
    return render(
        request,
        "contracts/event_dependents.html",
        {
            "form": form,
            "event": event,
            "caption": f"{event.contract.reference}: {event}",
            "button": "Save",
            "back_href": href,
            "history": selectors.history_in_words(event),
        },
    )


def event_add(request, pk):
    contract = _contract(request, pk)
    if contract.retired_at is not None:
        raise Http404("This contract is retired from the register")
    return _event_form_page(request, contract=contract, event=None)


def event_change(request, pk):
    event = _event(request, pk)
    if event.retired_at is not None:
        raise Http404("This event is retired")
    return _event_form_page(request, contract=event.contract, event=event)


def event_retire(request, pk):
    event = _event(request, pk)
    href = reverse("contracts:contract", args=[event.contract_id]) + "#events"
    return _retire_page(
        request,
        record=event,
        retire=lambda **kwargs: services.event_retire(event=event, **kwargs),
        what="event",
        caption=f"the event {event} of {event.contract.reference}",
        back_href=href,
        done_href=href,
    )


# --- suppliers ------------------------------------------------------------------------------------


def supplier_list(request):
    return render(
        request,
        "contracts/supplier_list.html",
        {
            "suppliers": selectors.supplier_list(user=request.user),
            "can_add": may_write(request.user, "contracts:supplier-add"),
        },
    )


def supplier(request, pk):
    supplier = _supplier(request, pk)
    return render(
        request,
        "contracts/supplier.html",
        {
            "supplier": supplier,
            "rows": selectors.with_figures(selectors.supplier_contracts(user=request.user, supplier=supplier)),
            "can_change": may_write(request.user, "contracts:supplier-change"),
            "can_add_contract": may_write(request.user, "contracts:contract-add"),
            "history": selectors.history_in_words(supplier),
        },
    )


def _supplier_form_page(request, supplier: Supplier | None):
    initial = (
        {"name": supplier.name, "description": supplier.description, "version": supplier.version} if supplier else {}
    )
    form = SupplierForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if supplier is None:
                saved = services.supplier_create(
                    user=request.user, name=data["name"], description=data["description"], reason=data["reason"]
                )
            else:
                saved = services.supplier_update(
                    supplier=supplier,
                    user=request.user,
                    version=data["version"],
                    reason=data["reason"],
                    name=data["name"],
                    description=data["description"],
                )
        except ValidationError as error:
            add_service_errors(form, error, ignore=("version",))
        else:
            messages.success(request, f"{'Added' if supplier is None else 'Saved'} the supplier {saved.name}.")
            return redirect("contracts:supplier", pk=saved.pk)
    return _form_page(
        request,
        form=form,
        heading="Change the supplier" if supplier else "Add a supplier",
        caption=supplier.name if supplier else "",
        button="Save the changes" if supplier else "Add the supplier",
        back_href=reverse("contracts:supplier", args=[supplier.pk]) if supplier else reverse("contracts:supplier-list"),
        history=selectors.history_in_words(supplier) if supplier else None,
    )


def supplier_add(request):
    return _supplier_form_page(request, None)


def supplier_change(request, pk):
    supplier = _supplier(request, pk)
    if supplier.retired_at is not None:
        raise Http404("This supplier is retired")
    return _supplier_form_page(request, supplier)


def supplier_retire(request, pk):
    supplier = _supplier(request, pk)
    href = reverse("contracts:supplier", args=[supplier.pk])
    return _retire_page(
        request,
        record=supplier,
        retire=lambda **kwargs: services.supplier_retire(supplier=supplier, **kwargs),
        what="supplier",
        caption=f"the supplier {supplier.name}",
        back_href=href,
        done_href=href,
    )
