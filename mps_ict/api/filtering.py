"""How the API filters a list: each app's django-filter FilterSet (shared with its HTML list),
read strictly and documented as it is read.

- A yes/no filter (`?assigned=true`) takes `true` or `false`. django-filter reads anything else
  ("null", "yes", a typo) as "either" and quietly returns everything; here that is a 400 naming
  the parameter. (The HTML lists' selects send "unknown" for either and read the FilterSets
  themselves, so they keep django-filter's reading.)
- A filter that reads financial years is documented with the exact financial-year pattern.
"""

from django_filters import filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from rest_framework import exceptions

from mps_ict.api.fields import FINANCIAL_YEAR_SCHEMA
from mps_ict.fields import FinancialYearFormField

YES_NO = ("true", "false")


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            errors = {
                name: [f'"{request.query_params[name]}" is not a yes/no filter: give true or false.']
                for name, filter_ in filterset_class.base_filters.items()
                if isinstance(filter_, filters.BooleanFilter)
                and request.query_params.get(name, "") not in ("", *YES_NO)
            }
            if errors:
                raise exceptions.ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


class FilterBackendSchema(DjangoFilterExtension):
    """drf-spectacular's description of django-filter's parameters, as FilterBackend reads them."""

    target_class = FilterBackend
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        if issubclass(filter_field.field_class, FinancialYearFormField):
            for parameter in parameters:
                parameter["schema"] = dict(FINANCIAL_YEAR_SCHEMA)
        return parameters
