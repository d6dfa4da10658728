"""Scheduled work of the contracts register. Arguments are dates as ISO strings; every task is
idempotent."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from contracts import services


@shared_task(name="contracts.event_reminders", time_limit=600, soft_time_limit=540)
def event_reminders_task(today: str | None = None) -> int:
    """Email each planned event's owner once when it falls due within CONTRACT_REMINDER_DAYS."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return services.event_reminders_send(today=day)
