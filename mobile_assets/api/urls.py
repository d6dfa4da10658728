from django.urls import path
from rest_framework.routers import SimpleRouter

from mobile_assets.api import views

# the estate's reference data and rollout plan, kept by the mobile team (issue 14 parts 2 and 3)
router = SimpleRouter()
router.register("capabilities", views.CapabilityViewSet, basename="mobile-capability")
router.register("device-type-records", views.DeviceTypeRecordViewSet, basename="mobile-device-type")
router.register("device-models", views.DeviceModelViewSet, basename="mobile-device-model")
router.register("units", views.UnitViewSet, basename="mobile-unit")
router.register("vehicles", views.VehicleViewSet, basename="mobile-vehicle")
router.register("benefit-rules", views.BenefitRuleViewSet, basename="mobile-benefit-rule")
router.register("hourly-costs", views.HourlyCostViewSet, basename="mobile-hourly-cost")
router.register("rollout-plan", views.RolloutLineViewSet, basename="mobile-rollout-line")

urlpatterns = [
    path("device-types/", views.DeviceTypeListView.as_view(), name="device-type-list"),
    path("devices/", views.DeviceListView.as_view(), name="device-list"),
    path("rollout/", views.RolloutListView.as_view(), name="rollout"),
    path("usage/", views.UsageListView.as_view(), name="usage"),
    path("usage/upload/", views.UsageUploadView.as_view(), name="mobile-usage-upload"),  # issue 14 part 5
    path("usage/import/", views.UsageImportView.as_view(), name="mobile-usage-import"),  # issue 15
    path("devices/import/", views.DevicesImportView.as_view(), name="mobile-devices-import"),  # issue 15
    path("benefits/", views.BenefitsView.as_view(), name="mobile-benefits"),
]
urlpatterns += router.urls
