"""In Chromium: a closed quarter offers no forms; a colleague reopens it with a reason; the index says so."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from conftest import sign_in
from mps_ict.financial_years import FinancialYear, Quarter
from savings import selectors, services
from savings.models import Initiative

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Q1_2014 = Quarter(FinancialYear(2014), 1)


@pytest.fixture
def closed_by_finance(settings):
    call_command("load_mps_baseline", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = True
    call_command("create_demo_users", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
    users = get_user_model().objects
    maker, closer = users.get(username="finance2"), users.get(username="finance")
    initiative = Initiative.objects.get(reference="SAV-DC")
    actual = services.actual_save(
        row=services.ActualInput(initiative, Decimal("1000000.00"), Decimal("4000000.00")), quarter=Q1_2014, user=maker
    )
    services.actuals_submit(actuals=[actual], user=maker)
    services.actual_approve(actual=actual, user=closer)
    services.quarter_close(plan=selectors.plan_current(), quarter=Q1_2014, user=closer)


def test_a_colleague_reopens_a_closed_quarter_with_a_reason(page, live_server, closed_by_finance):
    # Given the finance user who closed Q1: the index and the page say so, and offer no forms
    sign_in(page, "finance", "finance-Harrier-2013")
    page.goto("/savings/actuals/")
    q1_state = page.locator("tr[data-quarter='2014/15 Q1'] [data-testid=quarter-state]")
    assert q1_state.inner_text().startswith("Closed by finance, ")
    page.get_by_role("link", name="2014/15 Q1").click()
    assert "Closed by finance on" in page.get_by_test_id("quarter-closed").inner_text()
    assert page.locator("a[href*='q1/SAV-'][href$='/edit/']").count() == 0
    assert page.get_by_role("button", name="Reopen 2014/15 Q1").count() == 0
    assert page.get_by_test_id("reopen-not-yours").is_visible()

    # When a colleague tries to reopen it without a reason, then with one
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "finance2", "finance2-Merlin-2013")
    page.goto("/savings/actuals/2014/q1/")
    page.get_by_role("button", name="Reopen 2014/15 Q1").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")  # the refused post's page, once it has loaded
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("Why are you reopening this quarter?").fill("Capgemini credit note arrived late")
    page.get_by_role("button", name="Reopen 2014/15 Q1").click()

    # Then the quarter is open for entry again, and the index says who reopened it and why
    assert "is reopened" in page.content()
    assert page.locator("a[href*='q1/SAV-'][href$='/edit/']").count() > 0
    page.goto("/savings/actuals/")
    state = q1_state.inner_text()
    assert state.startswith("Open") and "Reopened by finance2" in state and "Capgemini credit note" in state
