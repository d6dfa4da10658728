from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "savings"
    verbose_name = "ICT savings plan"
    default_auto_field = "django.db.models.BigAutoField"
