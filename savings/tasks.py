"""Scheduled savings work. Arguments are dates as ISO strings; every task is idempotent."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from savings import services


@shared_task(name="savings.actual_reminders", time_limit=300, soft_time_limit=240)
def actual_reminders_task(today: str | None = None) -> int:
    """Email finance the initiatives with no actual submitted for the last quarter (once a quarter)."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return services.actual_reminders_send(today=day)
