"""The programme manager's journey in Chromium."""

import pytest

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_programme_manager_files_an_update_and_a_reprofile_and_is_refused_elsewhere(page, live_server, portfolio_seed):
    # Given Priya, programme manager of INF-01
    sign_in(page, "pm", "pm-Peregrine-2013")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Portfolio").click()
    assert page.get_by_test_id("managed").inner_text() == "£213m"
    page.get_by_role("link", name="My projects: file monthly updates and reprofiles").click()

    # When she files January's update with a forecast rise above 5% and no narrative
    page.get_by_role("link", name="File update for INF-01").click()
    page.get_by_label("Month reported on").fill("2013-01")
    page.get_by_label("Delivery confidence").select_option("amber")
    page.get_by_label("Change to the whole-life forecast (£)").fill("£4,000,000")
    page.get_by_role("button", name="File the update").click()
    # Then she is asked to explain it
    assert "Explain the change" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Narrative").fill("Second data hall needs extra cooling")
    page.get_by_role("button", name="File the update").click()
    assert "Status update for January 2013 filed for INF-01" in page.content()
    assert "Second data hall needs extra cooling" in page.content()

    # When she moves £5m of 2012/13 spend to 2013/14 with a reason
    page.get_by_role("link", name="Reprofile spend").click()
    page.get_by_label("Amount to move (£)").fill("5,000,000")
    page.get_by_label("From financial year").fill("2012/13")
    page.get_by_label("To financial year").fill("2013/14")
    page.get_by_role("button", name="Reprofile").click()
    assert "Say why the spend is moving" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Reason").fill("Hall 2 fit-out waits for the estates programme")
    page.get_by_role("button", name="Reprofile").click()
    assert "Moved £5,000,000.00 from 2012/13 to 2013/14" in page.content()
    spend = page.get_by_test_id("spend-table").inner_text()
    assert "£35,000,000" in spend and "£5,000,000" in spend

    # And the managed total for 2012/13 has fallen by £5m
    page.goto("/portfolio/")
    assert page.get_by_test_id("managed").inner_text() == "£208m"

    # But on Paul's project (INF-03) she is refused
    response = page.goto("/portfolio/projects/INF-03/status-update/")
    assert response.status == 403
    assert "You cannot do that with your role" in page.content()
