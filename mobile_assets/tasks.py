"""Scheduled and queued mobile-estate work. Arguments are ISO dates; every task is idempotent."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from mobile_assets import services
from mps_ict.financial_years import previous_month


@shared_task(name="mobile_assets.benefit_rollup", time_limit=1800, soft_time_limit=1700)
def benefit_rollup_task(start: str | None = None, end: str | None = None) -> int:
    """Compute the benefit roll-ups for a range of months (default: last month)."""
    if start is None:
        start = end = previous_month(timezone.localdate()).isoformat()
    return services.benefit_rollup(start=date.fromisoformat(start), end=date.fromisoformat(end or start))
