from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """The floor above the three areas: the board overview and its email, the Assembly response
    pack and "as at". It reads the areas only through their selectors."""

    name = "reporting"
    verbose_name = "Reporting: board overview and Assembly pack"
    default_auto_field = "django.db.models.BigAutoField"
