"""In Chromium: finance corrects an approved actual, a colleague approves the correction, and the
figure's page shows both values in its trail."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from conftest import sign_in
from mps_ict.financial_years import FinancialYear, Quarter
from savings import services
from savings.models import Initiative

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Q1_2014 = Quarter(FinancialYear(2014), 1)


@pytest.fixture
def approved_q1(settings):
    """SAV-DC's Q1 2014/15 figures entered by finance2 and approved by finance."""
    call_command("load_mps_baseline", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = True
    call_command("create_demo_users", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
    users = get_user_model().objects
    maker, checker = users.get(username="finance2"), users.get(username="finance")
    actual = services.actual_save(
        row=services.ActualInput(
            Initiative.objects.get(reference="SAV-DC"), Decimal("1000000.00"), Decimal("4000000.00")
        ),
        quarter=Q1_2014,
        user=maker,
    )
    services.actuals_submit(actuals=[actual], user=maker)
    services.actual_approve(actual=actual, user=checker)


def test_finance_corrects_an_approved_actual_and_a_colleague_approves_it(page, live_server, approved_q1):
    # Given finance on the quarter's page, following SAV-DC's figures
    sign_in(page, "finance", "finance-Harrier-2013")
    page.goto("/savings/actuals/2014/q1/")
    page.locator("tr[data-reference='SAV-DC']").get_by_role("link", name="Figures and trail").click()
    assert "£1,000,000.00" in page.get_by_test_id("in-force").inner_text()

    # When they propose a correction without a reason, then with one
    page.get_by_label("Actual saving in the quarter (£)").fill("1,250,000")
    page.get_by_role("button", name="Propose this correction").click()
    assert "Say why the approved figures are being corrected" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Why are these figures being corrected?").fill("Capgemini credit note arrived late")
    page.get_by_role("button", name="Propose this correction").click()

    # Then the figures in force stand beside the draft correction, which they submit
    assert "£1,000,000.00" in page.get_by_test_id("in-force").inner_text()
    assert "£1,250,000.00" in page.get_by_test_id("open-revision").inner_text()
    page.get_by_role("link", name="the quarter's page").click()
    assert "correction in draft" in page.locator("tr[data-reference='SAV-DC'] [data-testid=status]").inner_text()
    page.get_by_role("button", name="Submit 1 draft for approval").click()
    assert "A colleague in finance must approve them" in page.content()

    # And a colleague sees both values, and approves the correction
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "finance2", "finance2-Merlin-2013")
    page.goto("/savings/actuals/2014/q1/")
    row = page.get_by_test_id("decisions-table").locator("tr[data-reference='SAV-DC']")
    assert "£1,000,000" in row.inner_text() and "£1,250,000" in row.inner_text()
    row.get_by_label("Approve").check()
    page.get_by_role("button", name="Record these decisions").click()
    assert "Approved 1 and returned 0" in page.content()

    # Then the figure's page shows the correction in force, the old figures superseded, and the trail
    page.locator("tr[data-reference='SAV-DC']").get_by_role("link", name="Figures and trail").click()
    assert "£1,250,000.00" in page.get_by_test_id("in-force").inner_text()
    superseded = page.locator("[data-testid=revisions] tr[data-status='superseded']").inner_text()
    assert "£1,000,000.00" in superseded and "by the correction approved by Femi Okoro" in superseded
    trail = page.get_by_test_id("trail").inner_text()
    assert "Correction approved (revision 2)" in trail and "Femi Okoro" in trail and "Fiona Hart" in trail
    approved = page.get_by_test_id("trail-entry").first.inner_text()
    assert "£1,000,000.00" in approved and "£1,250,000.00" in approved
    assert "Capgemini credit note arrived late" in trail

    # And on a 320px phone the page, its revisions and its trail do not scroll sideways
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
