from celery import shared_task
from django.utils import timezone


@shared_task(name="mps_ict.ping", time_limit=30, soft_time_limit=20)
def ping() -> dict:
    """Answers "pong" with the worker's clock: proves a worker is consuming the queue."""
    return {"reply": "pong", "at": timezone.now().isoformat()}
