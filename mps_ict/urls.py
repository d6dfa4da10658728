from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from mps_ict import views
from mps_ict.forms import SignInForm

handler404 = "mps_ict.api.errors.page_not_found"

urlpatterns = [
    path("", include("reporting.urls")),
    path("account/", views.account, name="account"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "sign-in/",
        login_not_required(
            auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("savings/", include("savings.urls")),
    path("portfolio/", include("portfolio.urls")),
    path("mobile/", include("mobile_assets.urls")),
    path("contracts/", include("contracts.urls")),
    path("api/v1/", include(("mps_ict.api.urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
