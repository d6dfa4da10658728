"""Fixtures shared by every app's tests.

Tests that need a real service (PostgreSQL, Redis, a Celery worker, Chromium) call
`require_service(...)`: where the service is missing they skip with the reason, unless
REQUIRE_SERVICES=1 (as in CI), where a missing service fails the run instead.
"""

import os
import shutil

import pytest

from mps_ict.celery import app as celery_app

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false", "False")


def require_service(available: bool, reason: str) -> None:
    if available:
        return
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests sign in with real passwords, but need not pay for production-strength hashing of
    every demo user (the deploy settings are checked in a subprocess, unaffected)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (cached figures must not leak between tests)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _celery_runs_eagerly(request):
    """Tasks run in-process in tests, except where a test starts a real worker."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def role_user(db):
    """role_user("finance") -> a fresh user in that role group ("admin" gives a superuser)."""
    from mps_ict.tests.factories import UserFactory

    def make(role: str, **fields):
        return UserFactory(role=role, **fields)

    return make


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright, shared by the browser tests."""
    require_service(os.path.exists(CHROMIUM), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests still use the ORM.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A new browser page that records every request it makes, for off-host checks."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requested_urls = []
    page.on("request", lambda request: page.requested_urls.append(request.url))
    yield page
    context.close()


@pytest.fixture
def mps_plan(db):
    """The £60m savings plan loaded from the source documents, as `make run` loads it."""
    from django.core.management import call_command

    from savings.selectors import plan_current

    call_command("load_mps_baseline", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return plan_current()


@pytest.fixture
def portfolio_seed(db, settings):
    """The capital programme and illustrative projects as `make run` loads them, with pm and pm2."""
    from django.core.management import call_command

    call_command("load_mps_baseline", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = True
    call_command("create_demo_users", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False
    call_command("load_portfolio", stdout=open(os.devnull, "w"))  # noqa: SIM115


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the real form in a browser test."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def mobile_seed(db, settings):
    """The mobile estate as `make run` loads it, with the demo users."""
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("create_demo_users", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.DEBUG = False
    call_command("load_mobile_estate", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def all_seeds(portfolio_seed, settings):
    """Everything `make run` loads: the savings plan, demo users, the portfolio, the mobile estate
    and the contracts register."""
    from django.core.management import call_command

    call_command("load_mobile_estate", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_contracts", stdout=open(os.devnull, "w"))  # noqa: SIM115


def backdate_history(days: int) -> None:
    """Move every audit record and portfolio snapshot `days` into the past, as if the data had
    been loaded then: lets a test change a figure today and look at the figures "as at" before."""
    from datetime import timedelta

    from django.apps import apps
    from django.db.models import F

    from portfolio.models import PortfolioSnapshot

    for model in apps.get_models():
        if model.__name__.startswith("Historical") and hasattr(model, "history_date"):
            model.objects.update(
                history_date=F("history_date") - timedelta(days=days),
                effective_at=F("effective_at") - timedelta(days=days),
            )
    PortfolioSnapshot.objects.update(taken_on=F("taken_on") - timedelta(days=days))
