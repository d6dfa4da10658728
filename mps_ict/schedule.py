"""The beat schedule is defined in code (CELERY_BEAT_SCHEDULE) and stored with django-celery-beat."""

from django.db import transaction
from django_celery_beat.schedulers import DatabaseScheduler

from mps_ict.celery import app as celery_app


def beat_schedule_store() -> list[str]:
    """Write every entry of the code-defined schedule into django-celery-beat; idempotent."""
    with transaction.atomic():
        scheduler = DatabaseScheduler(app=celery_app, lazy=True)
        scheduler.update_from_dict(celery_app.conf.beat_schedule)
    return sorted(celery_app.conf.beat_schedule)
