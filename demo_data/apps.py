from django.apps import AppConfig


class DemoDataConfig(AppConfig):
    """Illustrative data at realistic volumes for demonstrations and benchmarks (`manage.py
    generate_demo_data`): it writes into all three areas, so it stands above them, never on the
    ground floor."""

    name = "demo_data"
    verbose_name = "Demonstration data"
    default_auto_field = "django.db.models.BigAutoField"
