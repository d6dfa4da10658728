import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    # The browser tests' async-safety switch must not reach a production-like check
    skip = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {key: value for key, value in os.environ.items() if key not in skip}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "ict-tracker.example.org",
    "ENVIRONMENT_NAME": "production",
}


def test_deploy_check_is_clean_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_is_clean_behind_a_tls_proxy_without_ssl_redirect():
    # The proxy redirects to HTTPS itself; Django trusts its X-Forwarded-Proto header
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        BEHIND_TLS_PROXY="1",
        SECURE_SSL_REDIRECT="0",
    )
    # Only the SSL-redirect warning may appear, because the redirect is the proxy's job
    assert "security.W008" in result.stdout + result.stderr
    assert "W004" not in result.stdout + result.stderr and "W012" not in result.stdout + result.stderr


def test_production_without_a_secret_key_stops_with_a_clear_message():
    result = run_manage("check", DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="ict-tracker.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
