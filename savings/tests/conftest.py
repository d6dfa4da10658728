"""Fixtures the savings browser tests share."""

import pytest
from django.core.management import call_command


@pytest.fixture
def seeded(settings):
    """The seed plan and the demo users, loaded as `make run` loads them (the demo users need DEBUG)."""
    call_command("load_mps_baseline", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = True
    call_command("create_demo_users", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
