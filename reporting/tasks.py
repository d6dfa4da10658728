"""Scheduled work of the reporting floor: the board's monthly summary email."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="reporting.board_summary", time_limit=300, soft_time_limit=240)
def board_summary_task(month: str | None = None) -> int:
    """Email the board this month's summary (month as YYYY-MM-DD; default: this month). Idempotent."""
    from datetime import date

    from reporting.services import board_summary_send

    day = date.fromisoformat(month) if month else timezone.localdate()
    return board_summary_send(month=day)
