from django.apps import AppConfig


class MobileAssetsConfig(AppConfig):
    name = "mobile_assets"
    verbose_name = "Mobile device estate"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mobile_assets import tasks  # noqa: F401 - registers the tasks services queue by name
