from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Capital portfolio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mps_ict.figures_cache import stale_when_saved

        stale_when_saved("portfolio", self.label)
