"""FilterSets shared by the register's pages and its API."""

import django_filters

from contracts.choices import EventKind, EventStatus, ProcurementRoute
from contracts.models import Contract, ContractEvent, Supplier

RETIRED_HELP = "true: retired only; false: current only"


class SupplierFilter(django_filters.FilterSet):
    retired = django_filters.BooleanFilter(
        field_name="retired_at", lookup_expr="isnull", exclude=True, help_text=RETIRED_HELP
    )

    class Meta:
        model = Supplier
        fields = ["retired"]


class ContractFilter(django_filters.FilterSet):
    supplier = django_filters.ModelChoiceFilter(
        queryset=Supplier.objects.order_by("name"), empty_label="Any supplier", help_text="A supplier's id"
    )
    end_after = django_filters.DateFilter(
        field_name="end", lookup_expr="gte", label="Ends on or after", help_text="YYYY-MM-DD"
    )
    end_before = django_filters.DateFilter(
        field_name="end", lookup_expr="lte", label="Ends on or before", help_text="YYYY-MM-DD"
    )
    procurement_route = django_filters.ChoiceFilter(choices=ProcurementRoute.choices, empty_label="Any route")
    retired = django_filters.BooleanFilter(
        field_name="retired_at", lookup_expr="isnull", exclude=True, help_text=RETIRED_HELP
    )

    class Meta:
        model = Contract
        fields = ["supplier", "end_after", "end_before", "procurement_route", "retired"]


class EventFilter(django_filters.FilterSet):
    contract = django_filters.CharFilter(
        field_name="contract__reference", lookup_expr="iexact", help_text="A contract's reference"
    )
    supplier = django_filters.ModelChoiceFilter(
        field_name="contract__supplier",
        queryset=Supplier.objects.order_by("name"),
        empty_label="Any supplier",
        help_text="A supplier's id",
    )
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label="Event", empty_label="Any event")
    status = django_filters.ChoiceFilter(choices=EventStatus.choices, empty_label="Any status")
    due_after = django_filters.DateFilter(field_name="due", lookup_expr="gte", label="On or after")
    due_before = django_filters.DateFilter(field_name="due", lookup_expr="lte", label="On or before")
    retired = django_filters.BooleanFilter(
        field_name="retired_at", lookup_expr="isnull", exclude=True, help_text=RETIRED_HELP
    )

    class Meta:
        model = ContractEvent
        fields = ["contract", "supplier", "kind", "status", "due_after", "due_before", "retired"]


def _govuk_widgets(form):
    for field in form.fields.values():
        kind = getattr(field.widget, "input_type", "") or ""
        field.widget.attrs["class"] = "govuk-select" if kind == "select" else "govuk-input"
    return form


class ContractListFilter(ContractFilter):
    """The list page's filters: the API's, without `retired` (the page shows retired ones flagged)."""

    @property
    def form(self):
        form = _govuk_widgets(super().form)
        form.fields.pop("retired", None)
        return form


class EventListFilter(EventFilter):
    @property
    def form(self):
        form = _govuk_widgets(super().form)
        form.fields.pop("retired", None)
        form.fields.pop("contract", None)
        return form
