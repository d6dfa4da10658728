"""Filter pieces shared by every app's FilterSets."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from mps_ict.fields import FinancialYearFormField


@extend_schema_field(OpenApiTypes.STR)
class FinancialYearFilter(django_filters.Filter):
    """`?financial_year=2014/15` (or 2014-15); anything else is a 400 naming the parameter."""

    field_class = FinancialYearFormField
