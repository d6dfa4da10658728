"""The base of every API input serializer that reads a request body."""

import json
from collections.abc import Mapping

from django.http import QueryDict
from django.utils import timezone
from rest_framework import serializers
from rest_framework.settings import api_settings

from mps_ict.as_at import moment

_JSON_TYPES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}
_JSON_NAMES = {
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    list: "a list",
    dict: "an object",
}


class Input(serializers.Serializer):
    """A JSON body's values must have the JSON types the schema gives its fields.

    DRF reads the number 0 as the text "0", and the text "1" as the number 1; a client that sends
    the wrong type has made a mistake, and is told so: a 400 naming the field. A form or a query
    string carries only text, so there each field's own parsing decides, as DRF's does.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and not isinstance(data, QueryDict):
            errors = {}
            for name, field in self.fields.items():
                expected = _json_type(field)
                value = data.get(name)
                if field.read_only or expected is None or name not in data or value is None:
                    continue  # null is each field's own business (allow_null)
                accepted = (int, float) if expected is float else expected
                if not isinstance(value, accepted) or (isinstance(value, bool) and expected is not bool):
                    given = _JSON_NAMES.get(type(value), "a value")
                    errors[name] = [f"Give {_JSON_TYPES[expected]}, not {given} ({json.dumps(value)})."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _json_type(field) -> type | None:
    """The JSON type drf-spectacular documents for the field; None where it is not one of these."""
    if isinstance(field, serializers.BooleanField):
        return bool
    if isinstance(field, serializers.IntegerField):
        return int
    if isinstance(field, serializers.FloatField):
        return float
    if isinstance(field, serializers.DecimalField):
        return str if api_settings.COERCE_DECIMAL_TO_STRING else float
    if isinstance(field, serializers.ChoiceField):
        kinds = {type(choice) for choice in field.choices}
        return kinds.pop() if len(kinds) == 1 and kinds <= {str, int} else None
    if isinstance(field, (serializers.ListField, serializers.DictField, serializers.BaseSerializer)):
        return None
    return str


class AsAtInput(serializers.Serializer):
    """`?as_at=YYYY-MM-DD`: the figures as they stood at the end of that day (see mps_ict.as_at)."""

    as_at = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text="Show the figures as they stood at the end of this day (YYYY-MM-DD, today or earlier); "
        "without it, as they stand now",
    )

    def validate_as_at(self, day):
        if day > timezone.localdate():
            raise serializers.ValidationError("Give a day on or before today.")
        return day


def as_at_moment(request):
    """The moment `?as_at=` asks for (None: now), or a 400 naming `as_at`."""
    params = AsAtInput(data=request.query_params)
    params.is_valid(raise_exception=True)
    return moment(params.validated_data.get("as_at"))
