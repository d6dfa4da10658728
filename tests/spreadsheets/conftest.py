"""The seed savings plan loaded once per module (and worker), inside a transaction rolled back at
the module's end; each test's own changes are rolled back to it by pytest-django as usual. Loading
the plan for each of the corpus's cases would take most of the run."""

import os

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def seeded_plan(django_db_setup, django_db_blocker):
    from savings.selectors import plan_current

    with django_db_blocker.unblock(), transaction.atomic():
        with open(os.devnull, "w") as quiet:
            call_command("load_mps_baseline", stdout=quiet)
        yield plan_current()
        transaction.set_rollback(True)
