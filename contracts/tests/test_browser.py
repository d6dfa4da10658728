"""In Chromium: finance add a contract and an event, move the event's date, and see the change in
its history; on a 390px phone the contract's page fits (its tables scroll inside themselves)."""

import pytest
from django.core.management import call_command

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def register_seed(settings):
    settings.DEBUG = True
    call_command("create_demo_users", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
    call_command("load_contracts", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_finance_add_a_contract_and_an_event_and_move_its_date(page, live_server, register_seed):
    sign_in(page, "finance", "finance-Harrier-2013")

    # Given the register, with GEN2 from the source documents
    page.goto("/contracts/")
    assert page.get_by_role("link", name="GEN2").is_visible()
    assert "December 2015" in page.get_by_test_id("sources-note").inner_text()

    # When finance add a contract (correcting a mistake on the way)
    page.get_by_role("link", name="Add a contract").click()
    page.get_by_label("Reference").fill("HOST-2013")
    page.get_by_label("Title").fill("Data centre hosting")
    page.get_by_label("Supplier").select_option(label="Capgemini")
    page.get_by_label("Start date").fill("2013-04-01")
    page.get_by_label("End date").fill("2012-03-31")
    page.get_by_label("Value at award (£)").fill("£3,000,000")
    page.get_by_label("Annual value (£)").fill("1,000,000")
    page.get_by_label("Procurement route").select_option(label="Call-off from a framework")
    page.get_by_role("button", name="Add the contract").click()
    assert "The end date must be on or after the start date." in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("End date").fill("2016-03-31")
    page.get_by_role("button", name="Add the contract").click()
    assert page.get_by_role("heading", name="HOST-2013: Data centre hosting").is_visible()
    assert "£1,500,000" in page.get_by_test_id("contract-summary").inner_text()

    # and an event, then move its date
    page.get_by_role("link", name="Add an event").click()
    page.get_by_label("Event", exact=True).select_option(label="Notice due")
    page.get_by_label("Date").fill("2015-09-30")
    page.get_by_role("button", name="Add the event").click()
    events = page.get_by_test_id("event-table")
    assert "30 Sep 2015" in events.inner_text() and "Fiona Hart" in events.inner_text()
    page.get_by_role("link", name="Change the notice due of 30 Sep 2015").click()
    page.get_by_label("Date").fill("2015-10-31")
    page.get_by_label("Reason (optional)").fill("Supplier asked for a month")
    page.get_by_role("button", name="Save the changes").click()
    assert "31 Oct 2015" in page.get_by_test_id("event-table").inner_text()

    # Then the event's history shows the move, in words
    page.get_by_role("link", name="Change the notice due of 31 Oct 2015").click()
    history = page.locator(".app-history").inner_text()
    assert "30 September 2015" in history and "31 October 2015" in history
    assert "Supplier asked for a month" in history

    # and on a 390px phone the contract's page fits
    page.goto("/contracts/")
    page.get_by_role("link", name="HOST-2013").click()
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/contracts/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
