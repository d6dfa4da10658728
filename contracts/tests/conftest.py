import pytest
from django.core.management import call_command


@pytest.fixture
def seed(settings):
    """The demo users, the savings plan and the contracts register, for the browser journeys."""
    quiet = open("/dev/null", "w")  # noqa: SIM115
    settings.DEBUG = True
    call_command("create_demo_users", stdout=quiet)
    settings.DEBUG = False
    call_command("load_mps_baseline", stdout=quiet)
    call_command("load_contracts", stdout=quiet)
