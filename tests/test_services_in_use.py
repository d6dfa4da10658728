"""With REQUIRE_SERVICES=1 (CI), the suite must really have run against PostgreSQL and Redis."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from conftest import require_service


@pytest.mark.django_db
def test_the_database_is_postgresql():
    require_service(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert "PostgreSQL" in cursor.fetchone()[0]


def test_the_cache_is_redis():
    require_service("redis" in settings.CACHES["default"]["BACKEND"].lower(), "REDIS_URL is not set")
    cache.set("services-in-use", "yes", 10)
    assert cache.get("services-in-use") == "yes"


def test_the_celery_broker_is_redis():
    require_service(settings.CELERY_BROKER_URL.startswith("redis://"), "CELERY_BROKER_URL is not set to Redis")
