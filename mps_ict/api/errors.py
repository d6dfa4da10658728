"""One error shape for the whole API.

    {"message": "The request is not valid.",
     "errors": [{"field": "to", "message": "\\"2015\\" is not a financial year; ..."}]}

A Django ValidationError raised by a service becomes the same 400 as a serializer's; rows of an
upload add "row" to each error. A service's Conflict (mps_ict/conflicts.py: a stale version, a
record that already exists) is a 409 in the same shape. ErrorOutput documents the shape.
A URL under /api/ that names nothing (`/api/v1/savings/actuals/x/`) is a 404 in the same shape too.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mps_ict.conflicts import Conflict
from mps_ict.imports import ImportRejected, StaleImport


def _flatten(detail, prefix="") -> list[dict]:
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            if isinstance(key, int):  # a list's item (a many-related field's codes): capabilities[1]
                errors.extend(_flatten(value, f"{prefix}[{key}]"))
                continue
            name = key if key != "non_field_errors" else ""
            field = f"{prefix}.{name}" if prefix and name else (name or prefix)
            errors.extend(_flatten(value, field))
        return errors
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"field": prefix or None, "message": str(item)} for item in detail]
        errors = []
        for index, item in enumerate(detail):
            if item:
                errors.extend(_flatten(item, f"{prefix}[{index}]" if prefix else f"[{index}]"))
        return errors
    return [{"field": prefix or None, "message": str(detail)}]


def _from_django(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError({key: [str(m) for m in msgs] for key, msgs in error.message_dict.items()})
    return exceptions.ValidationError(list(error.messages))


def _upload_field(error) -> str:
    """A row's error names its column by its header in the file; an error of the file as a whole
    names the request's parameter at fault (file, sheet, quarter, preview_id)."""
    if error.row:
        return error.column
    return {"Sheet": "sheet", "Quarter": "quarter", "Month": "month", "Preview": "preview_id"}.get(error.column, "file")


def exception_handler(exc, context):
    if isinstance(exc, ImportRejected):  # an upload: each error names its row and column
        stale = isinstance(exc, StaleImport)
        return Response(
            {
                "message": "The upload was not saved: records changed after the preview."
                if stale
                else f"The upload was not saved: {len(exc.errors)} problem(s).",
                "errors": [
                    {"field": _upload_field(error), "row": error.row, "message": error.message} for error in exc.errors
                ],
            },
            status=status.HTTP_409_CONFLICT if stale else status.HTTP_400_BAD_REQUEST,
        )
    conflict = isinstance(exc, Conflict)
    if isinstance(exc, DjangoValidationError):
        exc = _from_django(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if conflict:
        response.data = {
            "message": "The request clashes with the record as it now stands.",
            "errors": _flatten(exc.detail),
        }
        response.status_code = status.HTTP_409_CONFLICT
    elif isinstance(exc, exceptions.ValidationError):
        response.data = {"message": "The request is not valid.", "errors": _flatten(exc.detail)}
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else response.data
        response.data = {"message": str(detail), "errors": []}
    return response


def page_not_found(request, exception):
    """Django's 404 handler: the styled page, or under /api/ the API's error shape."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "Not found.", "errors": []}, status=404)
    return defaults.page_not_found(request, exception)


def error_response(message: str, errors: list[dict], status_code: int = 400) -> Response:
    return Response({"message": message, "errors": errors}, status=status_code)


class FieldErrorOutput(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The field or parameter at fault; null for the whole request"
    )
    message = serializers.CharField()
    row = serializers.IntegerField(
        required=False, help_text="An upload's errors only: the row as Excel numbers it (0: the file as a whole)"
    )


class ErrorOutput(serializers.Serializer):
    """Every API error: 400 (not valid), 409 (clashes with the record as it now stands), 403, 404."""

    message = serializers.CharField()
    errors = FieldErrorOutput(many=True)
