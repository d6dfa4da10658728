"""Every API route under /api/v1/; each app adds its own module here as it lands."""

from django.urls import include, path

from mps_ict.api import views

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    path("me/", views.MeView.as_view(), name="me"),
    path("financial-years/", views.FinancialYearListView.as_view(), name="financial-years"),
    path("savings/", include("savings.api.urls")),
    path("portfolio/", include("portfolio.api.urls")),
    path("mobile/", include("mobile_assets.api.urls")),
    path("contracts/", include("contracts.api.urls")),
    path("", include("reporting.api.urls")),
]
