from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MpsIctConfig(AppConfig):
    name = "mps_ict"
    verbose_name = "MPS ICT Tracker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # connect the audit signal, and the receiver by which audited writes mark figures stale
        from mps_ict import audit, figures_cache  # noqa: F401

        post_migrate.connect(_sync_roles_after_migrate, sender=self)


def _sync_roles_after_migrate(sender, using, **kwargs):
    """Every migrate leaves each role group with exactly its rules' permissions."""
    from mps_ict.roles import sync_role_groups

    sync_role_groups()
