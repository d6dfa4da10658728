"""Pages of the ground floor: the account page and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.authtoken.models import Token

from mps_ict import health
from mps_ict.audit import history_entries
from mps_ict.marking import can_view_restricted
from mps_ict.roles import ROLE_DESCRIPTIONS, ROLE_LABELS, roles_of


def account(request):
    user = request.user
    return render(
        request,
        "mps_ict/account.html",
        {
            "account": user,
            "roles": [(ROLE_LABELS[role], ROLE_DESCRIPTIONS[role]) for role in roles_of(user)],
            "has_token": Token.objects.filter(user=user).exists(),
            "can_view_restricted": can_view_restricted(user),
            "history": history_entries(user),
        },
    )


@login_not_required
@never_cache
@require_GET
def healthz(request):
    statuses, healthy = health.service_health()
    return JsonResponse(statuses, status=200 if healthy else 503)
