from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mps_ict.financial_years import FinancialYear


@extend_schema_field({"type": "string", "pattern": r"^\d{4}/\d{2}$", "example": "2014/15"})
class FinancialYearField(serializers.Field):
    """A financial year written "2014/15" (or "2014-15")."""

    default_error_messages = {"invalid": "{message}"}

    def to_internal_value(self, data):
        try:
            return FinancialYear.parse(str(data))
        except ValueError as error:
            self.fail("invalid", message=str(error))

    def to_representation(self, value):
        return value.label if isinstance(value, FinancialYear) else FinancialYear(int(value)).label


class MoneyField(serializers.DecimalField):
    """Pounds as a decimal string with pence: "60000000.00"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
