"""One error shape for the whole API.

    {"message": "The request is not valid.",
     "errors": [{"field": "to", "message": "\\"2015\\" is not a financial year; ..."}]}

A Django ValidationError raised by a service becomes the same 400 as a serializer's; rows of an
upload add "row" to each error.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail, prefix="") -> list[dict]:
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
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


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = _from_django(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"message": "The request is not valid.", "errors": _flatten(exc.detail)}
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else response.data
        response.data = {"message": str(detail), "errors": []}
    return response


def error_response(message: str, errors: list[dict], status_code: int = 400) -> Response:
    return Response({"message": message, "errors": errors}, status=status_code)
