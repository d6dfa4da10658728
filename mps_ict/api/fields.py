import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from mps_ict.financial_years import (
    API_MONTH_EXAMPLE,
    API_MONTH_PATTERN,
    FIRST_SUPPORTED_YEAR,
    LAST_SUPPORTED_YEAR,
    FinancialYear,
    parse_month,
)

# Every financial year the API reads, exactly: "2014/15" (or "2014-15") from 1990/91 to 2100/01.
# A pattern such as \d{4}/\d{2} would also promise "2014/16", which is refused.
FINANCIAL_YEAR_SCHEMA = {
    "type": "string",
    "pattern": "^(?:"
    + "|".join(f"{year}[/-]{(year + 1) % 100:02d}" for year in range(FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR + 1))
    + ")$",
    "example": "2014/15",
    "description": f"A UK financial year, {FinancialYear(FIRST_SUPPORTED_YEAR)} to {FinancialYear(LAST_SUPPORTED_YEAR)}",
}

MONEY_PATTERN = r"^-?\d{1,12}(?:\.\d{1,2})?$"


@extend_schema_field(FINANCIAL_YEAR_SCHEMA)
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


@extend_schema_field({"type": "string", "pattern": API_MONTH_PATTERN, "example": API_MONTH_EXAMPLE})
class MonthField(serializers.Field):
    """A month written 2012-09, and nothing else (not 2012-9, nor 2012-09-15): see parse_month."""

    default_error_messages = {"invalid": "{message}"}

    def to_internal_value(self, data):
        try:
            return parse_month(data, strict=True)
        except ValueError as error:
            self.fail("invalid", message=str(error))

    def to_representation(self, value):
        return value.strftime("%Y-%m")


@extend_schema_field({"type": "string", "format": "decimal", "pattern": MONEY_PATTERN, "example": "60000000.00"})
class MoneyField(serializers.DecimalField):
    """Pounds as a decimal string with at most two places of pence: "60000000.00".

    Read strictly: a string of digits, optionally signed and with pence ("1e3", "1.", " 5" and the
    number 5 are refused), so the API reads exactly what its schema promises.
    """

    default_error_messages = {"format": 'Write an amount in pounds like "1234.56" (a string), not {value!r}.'}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        """A form field sent empty is an amount that is not one (the schema's pattern refuses it),
        not a field left out: DRF would quietly read it as absent and take the default."""
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "" and not self.allow_null:
            return ""
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(MONEY_PATTERN, data):
            self.fail("format", value=data)
        return super().to_internal_value(data)
