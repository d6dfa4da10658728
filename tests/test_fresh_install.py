"""What `make run` does to a fresh SQLite database works, twice over, whatever the suite runs on."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(*args, database):
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")},
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_migrate_and_demo_users_on_a_fresh_database_are_idempotent(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    for _ in range(2):
        manage("migrate", "--no-input", database=database)
        out = manage("create_demo_users", database=database)
    assert "board" in out and "Management Board member" in out


def test_no_model_change_is_missing_a_migration(tmp_path):
    manage("makemigrations", "--check", "--dry-run", database=tmp_path / "check.sqlite3")
