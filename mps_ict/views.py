"""Pages shared by every area: home, account, health."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.authtoken.models import Token

from mobile_assets import charts as mobile_charts
from mps_ict import health, selectors
from mps_ict.audit import history_entries
from mps_ict.forms import AsAtForm
from mps_ict.marking import can_view_restricted
from mps_ict.roles import ROLE_DESCRIPTIONS, ROLE_LABELS, roles_of
from portfolio import charts as portfolio_charts
from savings import charts as savings_charts


def home(request):
    """The board overview: where savings, the portfolio and the mobile estate stand, now or as at
    a past date."""
    form = AsAtForm(request.GET or None)
    as_at = form.cleaned_data["as_at"] if form.is_valid() else None
    overview = selectors.board_overview(user=request.user, as_at=as_at)
    savings, portfolio, mobile = overview.savings, overview.portfolio, overview.mobile
    return render(
        request,
        "mps_ict/home.html",
        {
            "form": form,
            "overview": overview,
            "first_recorded": selectors.figures_first_recorded() if as_at else None,
            "can_view_restricted": can_view_restricted(request.user),
            "savings_chart": savings_charts.trajectory(savings) if savings and savings.years else None,
            "dca_chart": portfolio_charts.dca_distribution(portfolio.dca) if portfolio else None,
            "devices_chart": mobile_charts.devices_by_type(mobile.types),
        },
    )


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
