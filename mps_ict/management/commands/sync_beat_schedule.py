"""Store the beat schedule defined in settings in django-celery-beat's tables."""

from django.core.management.base import BaseCommand

from mps_ict.schedule import beat_schedule_store


class Command(BaseCommand):
    help = "Store CELERY_BEAT_SCHEDULE in the database, where Django admin shows it."

    def handle(self, *args, **options):
        names = beat_schedule_store()
        self.stdout.write(f"Stored {len(names)} scheduled task(s): {', '.join(names)}")
