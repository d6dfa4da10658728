from django.apps import AppConfig


class MobileAssetsConfig(AppConfig):
    name = "mobile_assets"
    verbose_name = "Mobile device estate"
    default_auto_field = "django.db.models.BigAutoField"
