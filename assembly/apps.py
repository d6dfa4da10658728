from django.apps import AppConfig


class AssemblyConfig(AppConfig):
    name = "assembly"
    verbose_name = "Assembly response pack"
    default_auto_field = "django.db.models.BigAutoField"
