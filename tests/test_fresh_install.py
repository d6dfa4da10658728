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


def test_the_make_run_sequence_on_a_fresh_database_is_idempotent(tmp_path):
    """The Makefile's setup steps, in its order, twice over."""
    database = tmp_path / "fresh.sqlite3"
    for _ in range(2):
        manage("migrate", "--no-input", database=database)
        savings = manage("load_mps_baseline", database=database)
        users = manage("create_demo_users", database=database)
        portfolio = manage("load_portfolio", database=database)
        mobile = manage("load_mobile_estate", database=database)
        contracts = manage("load_contracts", database=database)
    assert "board" in users and "Management Board member" in users
    assert "cost now £200,000,000, future cost £140,000,000, reduction £60,000,000" in savings
    assert "budget £204,000,000, managed £213,000,000" in portfolio
    assert "7330 devices, 1425 vehicles" in mobile
    assert "Contracts register: Added nothing" in contracts  # the second run


def test_no_model_change_is_missing_a_migration(tmp_path):
    manage("makemigrations", "--check", "--dry-run", database=tmp_path / "check.sqlite3")
