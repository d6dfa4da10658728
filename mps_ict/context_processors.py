from django.conf import settings

from mps_ict.navigation import navigation_for
from mps_ict.roles import role_label


def service(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "service_name": settings.SERVICE_NAME,
        "environment_name": settings.ENVIRONMENT_NAME,
        "navigation": navigation_for(request) if signed_in else [],
        "user_role_label": role_label(user) if signed_in else "",
    }
