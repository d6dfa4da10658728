from celery import shared_task
from django.utils import timezone


@shared_task(name="mps_ict.ping", time_limit=30, soft_time_limit=20)
def ping() -> dict:
    """Answers "pong" with the worker's clock: proves a worker is consuming the queue."""
    return {"reply": "pong", "at": timezone.now().isoformat()}


@shared_task(name="mps_ict.board_summary", time_limit=300, soft_time_limit=240)
def board_summary_task(month: str | None = None) -> int:
    """Email the board this month's summary (month as YYYY-MM-DD; default: this month). Idempotent."""
    from datetime import date

    from mps_ict.services import board_summary_send

    day = date.fromisoformat(month) if month else timezone.localdate()
    return board_summary_send(month=day)
