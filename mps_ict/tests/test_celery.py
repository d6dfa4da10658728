import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from conftest import require_service
from mps_ict.celery import app as celery_app
from mps_ict.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


def test_celery_is_configured_for_json_only_with_time_limits():
    conf = celery_app.conf
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert "mps_ict.ping" in celery_app.tasks  # found by autodiscovery


def test_ping_runs_eagerly_without_a_broker():
    assert ping.delay().get(timeout=5)["reply"] == "pong"


@pytest.mark.django_db
def test_beat_schedule_defined_in_code_is_stored_with_django_celery_beat():
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("sync_beat_schedule")
    call_command("sync_beat_schedule")  # idempotent
    stored = PeriodicTask.objects.get(name="worker-heartbeat")
    assert (
        stored.task == "mps_ict.ping"
        and stored.interval.every == 300
        and stored.interval.period == "seconds"
        and stored.enabled
    )
    assert PeriodicTask.objects.filter(name="worker-heartbeat").count() == 1


@pytest.mark.services
@pytest.mark.celery_worker
def test_a_real_worker_answers_through_redis():
    broker = os.environ.get("CELERY_BROKER_URL", "")
    require_service(broker.startswith("redis://"), "CELERY_BROKER_URL is not set to a Redis broker")
    require_service(bool(settings.CELERY_RESULT_BACKEND), "no CELERY_RESULT_BACKEND/REDIS_URL for results")
    # Given a worker consuming a queue of its own
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mps_ict",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        # When a task is sent to it
        result = ping.apply_async(queue=queue)
        # Then the worker's answer comes back through the result backend
        assert result.get(timeout=60)["reply"] == "pong"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
