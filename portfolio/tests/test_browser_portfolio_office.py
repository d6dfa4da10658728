"""In Chromium, issue 14's 'done when' for the portfolio office: adds a project with its SRO and a
gate, changes the SRO, records an independent Amber/Red, and the project page shows them."""

import pytest
from django.core.management import call_command

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office_seed(settings):
    settings.DEBUG = True
    call_command("create_demo_users", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
    from portfolio.models import Programme

    Programme.objects.create(name="Infrastructure modernisation")


def test_the_portfolio_office_adds_a_project_changes_its_sro_and_records_an_independent_assessment(
    page, live_server, office_seed
):
    sign_in(page, "office", "office-Kite-2013")

    # Given a new project added with its first SRO (and a mistake corrected on the way)
    page.goto("/portfolio/programmes/")
    page.get_by_role("link", name="Add a project").click()
    page.get_by_label("Code").fill("DC-CONSOL")
    page.get_by_label("Programme", exact=True).select_option(label="Infrastructure modernisation")
    page.get_by_label("Category").fill("Infrastructure")
    page.get_by_label("Whole-life budget at approval (£)").fill("4,200,000")
    page.get_by_label("Senior Responsible Owner (optional)").fill("Jane Doe")
    page.get_by_label("SRO since").fill("1/4/2013")
    page.get_by_role("button", name="Add the project").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Enter the project's name." in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Name", exact=True).fill("Data centre consolidation")
    page.get_by_role("button", name="Add the project").click()
    assert page.get_by_role("heading", name="Data centre consolidation").is_visible()

    # When the office requests a gate, changes the SRO and records an independent Amber/Red
    page.get_by_role("link", name="Request a gate").click()
    page.get_by_label("Gate").fill("Full business case")
    page.get_by_label("Date requested").fill("1/5/2013")
    page.get_by_role("button", name="Record the request").click()
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Decision").select_option(label="Approved")
    page.get_by_label("Date decided").fill("10/6/2013")
    page.get_by_role("button", name="Record the decision").click()

    page.get_by_role("link", name="Change the SRO").click()
    assert "Jane Doe has been SRO since 1 April 2013" in page.content()
    page.get_by_label("New SRO's name").fill("Sam Smith")
    page.get_by_label("Date they took it on").fill("16/9/2013")
    page.get_by_role("button", name="Record the change").click()

    page.get_by_role("link", name="Record an independent assessment").click()
    page.get_by_label("Date of the assessment").fill("1/10/2013")
    page.get_by_label("Scale").select_option(value="five_point")
    page.get_by_label("Delivery confidence").select_option(label="Amber/Red")
    page.get_by_label("Assessed by").fill("IPA Gateway review team")
    page.get_by_role("button", name="Record the assessment").click()

    # Then the project page shows the SRO history, the gate with its lead time, and the
    # independent assessment apart from the SRO's own
    sros = page.get_by_test_id("sro-history").inner_text()
    assert "Jane Doe" in sros and "15 Sep 2013" in sros and "Sam Smith" in sros and "Current" in sros
    gates = page.get_by_test_id("gates-table").inner_text()
    assert "Full business case" in gates and "40" in gates and "Approved" in gates
    assessments = page.get_by_test_id("assessments-table").inner_text()
    assert "Amber/Red" in assessments and "IPA Gateway review team (five-point)" in assessments
