"""docker-compose.yml is for users (no Docker engine runs here): check it is complete and coherent."""

import shutil
import subprocess
from pathlib import Path

import yaml

from conftest import require_service

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_stack_has_every_service_with_health_checks():
    services = COMPOSE["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert services[name]["healthcheck"]["test"], name


def test_app_services_share_one_image_an_env_file_and_the_service_urls():
    for name in ("web", "worker", "beat", "migrate"):
        service = COMPOSE["services"][name]
        assert service["image"] == "mps-ict-tracker:latest" and service["build"] == "."
        assert service["env_file"] == ".env"
        environment = service["environment"]
        assert (
            environment["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in environment["DATABASE_URL"]
        )
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")
    assert "gunicorn" in COMPOSE["services"]["web"]["command"]
    assert COMPOSE["services"]["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_image_builds_from_a_dockerfile_that_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "npm ci" in dockerfile and "collectstatic" in dockerfile and "gunicorn" in dockerfile


def test_docker_compose_config_parses(tmp_path):
    """Compose itself validates the file (Debian's docker-compose; no engine is needed for this)."""
    require_service(
        shutil.which("docker-compose") is not None, "docker-compose is not installed (apt-get install docker-compose)"
    )
    (tmp_path / ".env").write_text("DEBUG=0\nSECRET_KEY=x\n")
    result = subprocess.run(
        [
            "docker-compose",
            "--project-directory",
            str(ROOT),
            "--env-file",
            str(tmp_path / ".env"),
            "-f",
            str(ROOT / "docker-compose.yml"),
            "config",
            "-q",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
