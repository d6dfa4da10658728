"""Model and form fields shared by every app."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from mps_ict.financial_years import FinancialYear, parse_month
from mps_ict.money import parse_money


def _to_financial_year(value) -> FinancialYear | None:
    if value is None or value == "":
        return None
    if isinstance(value, FinancialYear):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return FinancialYear(value)
    try:
        return FinancialYear.parse(str(value))
    except ValueError as error:
        # The message quotes what was typed, which may hold a "%": it must be a parameter, not
        # part of the message, which Django (and django-filter) format with the parameters.
        raise ValidationError("%(error)s", params={"error": str(error)}, code="invalid") from error


class FinancialYearField(models.IntegerField):
    """A UK financial year, stored as the calendar year it starts in (2014 for 2014/15).

    Reads back as a FinancialYear; lookups accept a FinancialYear, its start year or "2014/15".
    """

    description = "UK financial year (April–March)"

    def from_db_value(self, value, expression, connection):
        return None if value is None else FinancialYear(value)

    def to_python(self, value):
        return _to_financial_year(value)

    def get_prep_value(self, value):
        year = _to_financial_year(value)
        return None if year is None else year.start_year

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else value.label

    @property
    def validators(self):
        # The integer range validators would compare a FinancialYear with an int.
        return [*self.default_validators, *self._validators]

    def formfield(self, **kwargs):
        return super(models.IntegerField, self).formfield(**{"form_class": FinancialYearFormField, **kwargs})


class FinancialYearFormField(forms.CharField):
    """Accepts "2014/15" (or "2014-15")."""

    def to_python(self, value):
        return _to_financial_year(super().to_python(value))

    def prepare_value(self, value):
        return value.label if isinstance(value, FinancialYear) else value


class MoneyField(models.DecimalField):
    """Pounds with pence: DecimalField(max_digits=14, decimal_places=2)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


class MoneyFormField(forms.CharField):
    """An amount in pounds as people type it: "£1,234.50", "1234.5", "1,234"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_money(value)
        except (ValueError, TypeError) as error:
            raise ValidationError("%(error)s", params={"error": str(error)}, code="invalid") from error

    def prepare_value(self, value):
        return f"{value:.2f}" if hasattr(value, "quantize") else value


class MonthFormField(forms.CharField):
    """A month as people type it (see financial_years.MONTH_FORMATS), read as its first day."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_month(value)
        except ValueError as error:
            raise ValidationError("%(error)s", params={"error": str(error)}, code="invalid") from error

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, date) else value
