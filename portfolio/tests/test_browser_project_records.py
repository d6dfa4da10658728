"""In Chromium (issue 14's 'done when'): the programme manager adds a benefit and amends this
month's update; the project page shows both, with the update's original values from its trail."""

import pytest
from django.utils import timezone

from conftest import sign_in
from portfolio.selectors import reporting_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_programme_manager_adds_a_benefit_and_amends_this_months_update(page, live_server, portfolio_seed):
    month = reporting_month(timezone.localdate())
    # Given Priya, programme manager of INF-01, files this month's update as Amber
    sign_in(page, "pm", "pm-Peregrine-2013")
    page.goto("/portfolio/projects/INF-01/")
    page.get_by_role("link", name="File a monthly status update").click()
    assert page.get_by_label("Month reported on").input_value() == month.strftime("%Y-%m")
    page.get_by_label("Delivery confidence").select_option("amber")
    page.get_by_label("Narrative").fill("Cooling works on plan")
    page.get_by_role("button", name="File the update").click()
    assert f"Status update for {month:%B %Y} filed for INF-01" in page.content()

    # When she adds a benefit, first forgetting its measure
    page.get_by_role("link", name="Add a benefit").click()
    page.get_by_label("Category").select_option("cash_releasing")
    page.get_by_label("Description").fill("Lower power bills from the consolidated data halls")
    page.get_by_label("Who benefits").fill("Estates and finance")
    page.get_by_label("Benefit owner (responsible officer)").fill("Director of Technology")
    page.get_by_label("Baseline measurement").fill("£2.1m a year")
    page.get_by_label("Target", exact=True).fill("£1.6m a year")
    page.get_by_label("Full-year value (£)").fill("500,000")
    page.get_by_label("Timescale").fill("From 2014/15")
    page.get_by_label("Realisation starts").fill("1/4/2014")
    page.get_by_label("Realisation ends").fill("31/3/2017")
    page.get_by_role("button", name="Add the benefit").click()
    # Then she is told what is missing, and nothing is saved
    assert "Say how it is measured" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Measure", exact=True).fill("Annual electricity cost of the data halls")
    page.get_by_role("button", name="Add the benefit").click()
    register = page.locator("main").inner_text()
    assert "Lower power bills from the consolidated data halls" in register
    assert "From £2.1m a year to £1.6m a year" in register and "£500,000" in register

    # When she amends this month's update: Amber/Red, with a reason
    page.get_by_role("link", name="Amend this month's update").click()
    assert page.get_by_label("Narrative").input_value() == "Cooling works on plan"
    page.get_by_label("Delivery confidence").select_option("amber_red")
    page.get_by_label("Narrative").fill("Chiller delivery slipped six weeks")
    page.get_by_role("button", name="Amend the update").click()
    assert "Say why the update is being amended." in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Reason").fill("Supplier confirmed the delay after filing")
    page.get_by_role("button", name="Amend the update").click()

    # Then the project page shows the update as amended, who, why, and what it first said
    update = page.get_by_test_id(f"update-{month:%Y-%m}").inner_text()
    assert "Chiller delivery slipped six weeks" in update
    assert "Amended by Priya Mehta" in update and "Supplier confirmed the delay after filing" in update
    assert "As first filed" in update and "Cooling works on plan" in update and "Amber" in update
