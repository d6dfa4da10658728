from django.urls import path

from mobile_assets.api import views

urlpatterns = [
    path("device-types/", views.DeviceTypeListView.as_view(), name="device-type-list"),
    path("devices/", views.DeviceListView.as_view(), name="device-list"),
    path("rollout/", views.RolloutListView.as_view(), name="rollout"),
    path("usage/", views.UsageListView.as_view(), name="usage"),
    path("benefits/", views.BenefitsView.as_view(), name="mobile-benefits"),
]
