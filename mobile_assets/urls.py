from django.urls import path

from mobile_assets import views

app_name = "mobile_assets"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("devices/", views.register, name="register"),
    path("devices/upload/", views.devices_upload, name="devices-upload"),
    path("devices/upload/confirm/", views.devices_upload_confirm, name="devices-upload-confirm"),  # issue 15
    path("devices/<str:asset_tag>/", views.device, name="device"),
    path("devices/<str:asset_tag>/assign/", views.device_assign, name="device-assign"),
    path("devices/<str:asset_tag>/return/", views.device_return, name="device-return"),
    path("devices/<str:asset_tag>/status/", views.device_status, name="device-status"),
    path("benefits/", views.benefits, name="benefits"),
    path("usage/upload/", views.usage_upload, name="usage-upload"),
    # usage completeness (issue 14 part 5): confirm a checked upload; the template
    path("usage/upload/confirm/", views.usage_upload_confirm, name="usage-upload-confirm"),
    path("usage/template.xlsx", views.usage_template, name="usage-template"),
    # estate reference data and the rollout plan (issue 14 parts 2 and 3)
    path("reference/", views.reference, name="reference"),
    path("reference/capabilities/add/", views.capability_add, name="capability-add"),
    path("reference/capabilities/<int:pk>/change/", views.capability_change, name="capability-change"),
    path("reference/device-types/add/", views.device_type_add, name="device-type-add"),
    path("reference/device-types/<int:pk>/change/", views.device_type_change, name="device-type-change"),
    path("reference/device-models/add/", views.device_model_add, name="device-model-add"),
    path("reference/device-models/<int:pk>/", views.device_model, name="device-model"),  # issue 17 part 2
    path("reference/device-models/<int:pk>/change/", views.device_model_change, name="device-model-change"),
    path("reference/units/add/", views.unit_add, name="unit-add"),
    path("reference/units/<int:pk>/change/", views.unit_change, name="unit-change"),
    path("reference/vehicles/", views.vehicle_list, name="vehicle-list"),
    path("reference/vehicles/add/", views.vehicle_add, name="vehicle-add"),
    path("reference/vehicles/<str:fleet_number>/change/", views.vehicle_change, name="vehicle-change"),
    path("reference/<slug:kind>/<int:pk>/retire/", views.reference_retire, name="reference-retire"),
    path("reference/<slug:kind>/<int:pk>/reinstate/", views.reference_reinstate, name="reference-reinstate"),
    path("reference/benefit-rules/add/", views.benefit_rule_add, name="benefit-rule-add"),
    path("reference/benefit-rules/<int:pk>/change/", views.benefit_rule_change, name="benefit-rule-change"),
    path("reference/hourly-costs/add/", views.hourly_cost_add, name="hourly-cost-add"),
    path("reference/hourly-costs/<int:pk>/change/", views.hourly_cost_change, name="hourly-cost-change"),
    path("rollout/add/", views.rollout_line_add, name="rollout-line-add"),
    path("rollout/<int:pk>/change/", views.rollout_line_change, name="rollout-line-change"),
]
