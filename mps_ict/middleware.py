"""Request id, one log line per request, sign-in required for every page, and the access policy."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from mps_ict.request_context import current_request_id

request_log = logging.getLogger("mps_ict.requests")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Gives each request an id (a proxy's X-Request-ID if well formed), for logs and the audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
        request.request_id = supplied if _SAFE_REQUEST_ID.match(supplied) else uuid.uuid4().hex
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestLogMiddleware:
    """One line per request: user, method, path, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        user = getattr(request, "user", None)
        username = user.get_username() if user is not None and user.is_authenticated else "-"
        request_log.info(
            "user=%s method=%s path=%s status=%s duration_ms=%.1f",
            username,
            request.method,
            request.path,
            response.status_code,
            duration_ms,
        )
        return response


def is_api_view(view_func) -> bool:
    """DRF views authenticate for themselves (token or session) and answer 401/403 in JSON."""
    from rest_framework.views import APIView

    view_class = getattr(view_func, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a signed-in user unless marked `login_not_required`.

    API views are left to DRF, which accepts tokens as well as sessions and refuses with 401.
    (The HTML API docs are wrapped in `login_required`, so a browser is sent to sign in.)
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_api_view(view_func):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class AccessPolicyMiddleware:
    """Checks every page against the access policy (mps_ict.access) before its view runs.

    API views are checked by DRF's default permission (mps_ict.access.PolicyPermission) once their
    token or session is authenticated; anonymous visitors were already sent to sign in.
    A signed-in user with no role is shown the "no access yet" page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from mps_ict import access

        if is_api_view(view_func):
            return None
        # An anonymous visitor gets here only on the views open to anyone (LoginRequiredMiddleware
        # sent them to sign in from the others); the policy still decides which methods.
        user = getattr(request, "user", None)
        if access.allowed(user, access.view_name_of(request), request.method):
            return None
        if access.has_no_role(user):
            return render(request, "no_access.html", status=403)
        raise PermissionDenied("Your role does not allow this page or action.")
