"""FilterSets shared by the register's pages and its API."""

import django_filters

from contracts import selectors
from contracts.choices import EventKind, EventStatus, ProcurementRoute
from contracts.models import Contract, ContractEvent, Supplier
from mps_ict.marking import PUBLICATION

RETIRED_HELP = "true: retired only; false: current only"
INITIATIVE_HELP = "A savings initiative's reference, e.g. SAV-SM"
PROJECT_HELP = "A capital project's code"


class DependentsFilterMixin:
    """The filters by what depends on an event. Each reads the initiative or project as far as the
    reader may see it (`visible_to`): one the reader may not see gives an empty list, as one that
    does not exist does. Without a request (a page that does not pass one) the reader is the
    publication reader, so nothing marked is ever matched."""

    def _reader(self):
        request = getattr(self, "request", None)
        return getattr(request, "user", None) or PUBLICATION


class SupplierFilter(django_filters.FilterSet):
    retired = django_filters.BooleanFilter(
        field_name="retired_at", lookup_expr="isnull", exclude=True, help_text=RETIRED_HELP
    )

    class Meta:
        model = Supplier
        fields = ["retired"]


class ContractFilter(DependentsFilterMixin, django_filters.FilterSet):
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
    initiative = django_filters.CharFilter(
        method="filter_depended_on",
        label="Savings initiative depending on it",
        help_text=f"Contracts with a live event this initiative depends on. {INITIATIVE_HELP}",
    )
    project = django_filters.CharFilter(
        method="filter_depended_on",
        label="Project depending on it",
        help_text=f"Contracts with a live event this project depends on. {PROJECT_HELP}",
    )

    class Meta:
        model = Contract
        fields = ["supplier", "end_after", "end_before", "procurement_route", "retired", "initiative", "project"]

    def filter_depended_on(self, queryset, name, value):
        return queryset.filter(selectors.contracts_depended_on_q(user=self._reader(), **{name: value.strip()}))


class EventFilter(DependentsFilterMixin, django_filters.FilterSet):
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
    initiative = django_filters.CharFilter(
        method="filter_depended_on",
        label="Savings initiative depending on it",
        help_text=f"Events this initiative depends on. {INITIATIVE_HELP}",
    )
    project = django_filters.CharFilter(
        method="filter_depended_on",
        label="Project depending on it",
        help_text=f"Events this project depends on. {PROJECT_HELP}",
    )
    has_dependents = django_filters.BooleanFilter(
        method="filter_has_dependents",
        label="Something depends on it",
        help_text="true: events a savings initiative or project you may see depends on; false: the others",
    )

    class Meta:
        model = ContractEvent
        fields = [
            "contract",
            "supplier",
            "kind",
            "status",
            "due_after",
            "due_before",
            "retired",
            "initiative",
            "project",
            "has_dependents",
        ]

    def filter_depended_on(self, queryset, name, value):
        return queryset.filter(selectors.events_depended_on_q(user=self._reader(), **{name: value.strip()}))

    def filter_has_dependents(self, queryset, name, value):
        depended_on = selectors.events_with_dependents_q(user=self._reader())
        return queryset.filter(depended_on if value else ~depended_on)


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
