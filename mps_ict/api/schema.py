"""The OpenAPI schema of /api/schema/: every operation documents the errors it can answer.

DRF's default AutoSchema (drf-spectacular) documents only what each view declares. Here every
operation also lists, in the one error shape (mps_ict.api.errors.ErrorOutput, always JSON):

- 400: a parameter or field not valid (every operation takes `format`);
- 401: no credentials, or a token that is not valid (every endpoint needs a token or session);
- 403: the caller's role may not do this (the access policy, mps_ict.access);
- 404: no such record (an operation whose path names one) or page (a paginated list);
- 406: an Accept header asking for a format this endpoint does not give;
- 415: a request body in a format this endpoint does not read (operations that take a body).

An optional query parameter given empty (`?status=`) is read as not given, throughout the API
(DRF's serializers and django-filter read a query string as they read a form): each says so
with `allowEmptyValue`.

A view declares what only it can answer (409, or a 404 when the data it reads is not loaded) with
`@extend_schema(responses={...})`. An error is never a table: whatever declared it, its only
content type is application/json, and it says what it means.
"""

import uritemplate
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from mps_ict.api import filtering  # noqa: F401 - registers how the API's filters are documented
from mps_ict.api.errors import ErrorOutput

ERRORS = {
    "400": "Not valid: each error names the parameter or field at fault.",
    "401": "No credentials, or a token that is not valid.",
    "403": "Your role does not allow this.",
    "404": "No such record or page.",
    "406": "The Accept header asks for a format this endpoint does not give.",
    "409": "Clashes with the record as it now stands: the message says how.",
    "415": "The request body is in a format this endpoint does not read.",
}
BODY_METHODS = ("POST", "PUT", "PATCH")


class AutoSchema(SpectacularAutoSchema):
    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorOutput, code, ["application/json"], direction)
                responses[code]["description"] = ERRORS[code]
        for code, response in responses.items():
            if code >= "400" and "content" in response:
                response["content"] = {"application/json": next(iter(response["content"].values()))}
                response["description"] = response["description"] or ERRORS.get(code, "")
        return dict(sorted(responses.items()))

    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "406"]
        if uritemplate.variables(self.path) or self._is_paginated():
            codes.append("404")
        if self.method in BODY_METHODS:
            codes.append("415")
        return codes

    def _is_paginated(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
