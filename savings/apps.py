from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "savings"
    verbose_name = "ICT savings plan"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mps_ict.figures_cache import stale_when_saved

        stale_when_saved("savings", self.label)
