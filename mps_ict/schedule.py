"""The beat schedule is defined in code (CELERY_BEAT_SCHEDULE) and stored with django-celery-beat."""

from django.db import transaction
from django_celery_beat.schedulers import ModelEntry

from mps_ict.celery import app as celery_app


def beat_schedule_store() -> list[str]:
    """Upsert every entry of the code-defined schedule into django-celery-beat's tables.

    (DatabaseScheduler.update_from_dict does the same but closes the database connection as a
    side effect, which breaks a caller's transaction; ModelEntry.from_entry is the upsert alone.)
    """
    with transaction.atomic():
        for name, fields in celery_app.conf.beat_schedule.items():
            ModelEntry.from_entry(name, app=celery_app, **fields)
    return sorted(celery_app.conf.beat_schedule)
