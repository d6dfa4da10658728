import pytest
from django.db import connection

from conftest import require_service
from mps_ict import health


@pytest.mark.django_db
def test_healthz_reports_each_part_and_is_open_to_anyone(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["cache"] == "ok"
    assert body["broker"] == ("eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok")
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_is_503_naming_the_broker_when_it_is_unreachable(client, settings):
    # Given a broker address where nothing listens
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    # When the health check runs
    response = client.get("/healthz")
    # Then it is unhealthy and says which part failed
    assert response.status_code == 503
    body = response.json()
    assert body["broker"].startswith("error") and body["database"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_the_real_broker_when_one_is_configured(client, settings):
    require_service(not settings.CELERY_TASK_ALWAYS_EAGER, "CELERY_BROKER_URL is not set (no Redis broker)")
    assert client.get("/healthz").json()["broker"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_naming_the_database_when_it_is_unreachable(client):
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL) to stop reaching it")
    # Given the database connection points at a port where nothing listens
    original_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original_port
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


def test_database_status_names_the_error_of_an_unreachable_database(tmp_path, django_db_blocker):
    from django.db import connections

    # A real SQLite connection to a file in a directory that does not exist
    connections.settings["broken"] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "missing-directory" / "db.sqlite3"),
    }
    try:
        with django_db_blocker.unblock():
            assert health.database_status("broken").startswith("error: OperationalError")
    finally:
        connections["broken"].close()
        del connections.settings["broken"]
