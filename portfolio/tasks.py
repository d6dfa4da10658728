"""Scheduled portfolio work. Arguments are dates as ISO strings; every task is idempotent."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from portfolio import services


@shared_task(name="portfolio.snapshot", time_limit=600, soft_time_limit=540)
def portfolio_snapshot_task(taken_on: str | None = None) -> int:
    """Record each capital programme's position for the day (re-running overwrites that day's)."""
    day = date.fromisoformat(taken_on) if taken_on else timezone.localdate()
    return len(services.snapshot_take(taken_on=day))


@shared_task(name="portfolio.status_reminders", time_limit=600, soft_time_limit=540)
def status_reminders_task(today: str | None = None) -> int:
    """Email programme managers whose monthly update is overdue (once per project and month)."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return services.status_reminders_send(today=day)
