"""Reachability of the parts the service depends on, for /healthz."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from kombu import Connection

OK = "ok"


def database_status(alias: str = "default") -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means unreachable
        return f"error: {error.__class__.__name__}"
    return OK


def cache_status() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        value = cache.get(key)
        cache.delete(key)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return OK if value == "1" else "error: value not read back"


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return OK


def service_health() -> tuple[dict[str, str], bool]:
    statuses = {"database": database_status(), "cache": cache_status(), "broker": broker_status()}
    healthy = all(value in (OK, "eager") for value in statuses.values())
    return statuses, healthy
