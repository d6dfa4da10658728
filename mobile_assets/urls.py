from django.urls import path

from mobile_assets import views

app_name = "mobile_assets"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("devices/", views.register, name="register"),
    path("devices/upload/", views.devices_upload, name="devices-upload"),
    path("devices/<str:asset_tag>/", views.device, name="device"),
    path("devices/<str:asset_tag>/assign/", views.device_assign, name="device-assign"),
    path("devices/<str:asset_tag>/return/", views.device_return, name="device-return"),
    path("devices/<str:asset_tag>/status/", views.device_status, name="device-status"),
    path("benefits/", views.benefits, name="benefits"),
    path("usage/upload/", views.usage_upload, name="usage-upload"),
]
