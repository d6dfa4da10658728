from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Capital portfolio"
    default_auto_field = "django.db.models.BigAutoField"
