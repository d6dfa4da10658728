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


# --- Uploads through the import engine (mps_ict/imports.py) --------------------------------------


class ImportInput(Input):
    """An upload as the page takes it (multipart): the file, or the id of a preview to confirm."""

    file = serializers.FileField(
        required=False,
        help_text="An Excel workbook (.xlsx, .xls) or CSV, at most 20 MB. Required unless preview_id is given",
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="true: read and check the file, save nothing, and answer the preview (200)"
    )
    sheet = serializers.CharField(
        required=False, max_length=200, help_text="The sheet to read, when two visible sheets have the columns"
    )
    preview_id = serializers.UUIDField(
        required=False,
        help_text="Confirm a preview an earlier dry_run kept (its id): exactly its rows are written, or "
        "nothing if any changed since (409 naming the row, the new value and who changed it)",
    )

    def validate(self, attrs):
        if not attrs.get("file") and not attrs.get("preview_id"):
            raise serializers.ValidationError({"file": "Send the file, or the preview_id of a preview to confirm."})
        if attrs.get("file") and attrs.get("preview_id"):
            raise serializers.ValidationError({"preview_id": "Send either the file or a preview_id, not both."})
        return attrs


class ImportColumnOutput(serializers.Serializer):
    field = serializers.CharField(help_text="What the column holds")
    header = serializers.CharField(help_text="Its header in the file")
    letter = serializers.CharField(help_text="Its column letter")
    unit = serializers.CharField(
        allow_blank=True,
        help_text="'£ thousands' or '£ millions' for an amount column headed so ('Actual (£k)'), else empty",
    )


class ImportTotalOutput(serializers.Serializer):
    number = serializers.IntegerField(help_text="The Total row, as Excel numbers it")
    label = serializers.CharField()
    stated = serializers.DictField(child=serializers.CharField(), help_text="Amounts the row states")
    added_up = serializers.DictField(child=serializers.CharField(), help_text="What the rows above add up to")


class ImportRowOutput(serializers.Serializer):
    row = serializers.IntegerField(help_text="As Excel numbers it")
    key = serializers.CharField(help_text="The record the row is for")
    label = serializers.CharField(allow_blank=True)
    values = serializers.DictField(help_text="The values as read and interpreted (amounts in pounds)")
    was = serializers.DictField(allow_null=True, help_text="What the record held; null for a new one")
    change = serializers.ChoiceField(choices=["new", "changed", "unchanged"])


class ImportErrorOutput(serializers.Serializer):
    row = serializers.IntegerField(help_text="As Excel numbers it; 0 for the file as a whole")
    column = serializers.CharField(help_text="The column by its header in the file")
    message = serializers.CharField()


class ImportPreviewOutput(serializers.Serializer):
    """What an upload read and will write (dry_run), or wrote."""

    preview_id = serializers.CharField(
        source="id", allow_blank=True, help_text="Confirm this preview with it (empty when it has errors)"
    )
    kind = serializers.CharField()
    scope = serializers.CharField(help_text="What the upload replaces or adds to: a quarter, a month, the register")
    file_name = serializers.CharField(source="read.file_name")
    file_kind = serializers.CharField(source="read.file_kind", allow_blank=True)
    sheet = serializers.CharField(source="read.sheet", allow_null=True)
    header_row = serializers.IntegerField(source="read.header_row", allow_null=True)
    columns = ImportColumnOutput(source="read.columns", many=True)
    ignored_columns = serializers.ListField(source="read.ignored_columns", child=serializers.CharField())
    hidden_sheets = serializers.ListField(source="read.hidden_sheets", child=serializers.CharField())
    other_sheets = serializers.ListField(source="read.other_sheets", child=serializers.CharField())
    totals = ImportTotalOutput(source="read.totals", many=True)
    left_out = serializers.ListField(source="read.left_out", child=serializers.CharField())
    hidden_rows = serializers.ListField(
        source="read.hidden_rows",
        child=serializers.IntegerField(),
        help_text="Rows hidden in Excel that hold figures: read like the others (unhide them to check)",
    )
    rows = ImportRowOutput(many=True)
    errors = ImportErrorOutput(many=True)
    valid = serializers.SerializerMethodField()
    committed = serializers.BooleanField(default=False)
    saved = serializers.IntegerField(default=0, help_text="Records written (0 for a dry run)")

    def get_valid(self, preview) -> bool:
        return not preview.errors
