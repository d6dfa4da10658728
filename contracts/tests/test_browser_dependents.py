"""In Chromium, the finance officer's journey of issue 17: open GEN2, see that it ends in December
2015, when notice is due and the pounds of Service Management's saving that depend on it; move the
re-tender date by six months and see which years' savings move; follow the link to the saving and
back; and on a 390px phone the contract's page still fits."""

import pytest

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_see_what_depends_on_gen2_and_move_its_re_tender(page, live_server, seed):
    sign_in(page, "finance", "finance-Harrier-2013")

    # Given GEN2 from the source documents
    page.goto("/contracts/")
    page.get_by_role("link", name="GEN2").click()
    summary = page.get_by_test_id("contract-summary").inner_text()
    assert "31 December 2015" in summary and "it cannot be extended further" in summary
    events = page.get_by_test_id("event-table").inner_text()
    assert "31 Dec 2014" in events and "Notice due" in events

    # Then the Service Management saving that depends on the re-tender, pound by pound
    heading = page.get_by_role("heading", name="Re-tender start of 1 April 2013: £15,000,000 of savings depend on it")
    assert heading.is_visible()
    table = page.locator("table[data-testid^='dependent-savings-']").inner_text()
    assert "SAV-SM" in table and "Service Management" in table
    assert "£2,000,000" in table and "£5,000,000" in table and "£8,000,000" in table
    page.locator("[data-chart='chart-timeline'] .main-svg").first.wait_for()

    # When the finance officer moves the re-tender six months (a mistake first)
    page.get_by_label("Event", exact=True).select_option(label="Re-tender start (1 April 2013)")
    page.get_by_label("Move it to").fill("")
    page.get_by_role("button", name="Show the savings with the event moved").click()
    assert "Enter the date to move the event to." in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Event", exact=True).select_option(label="Re-tender start (1 April 2013)")
    page.get_by_label("Move it to").fill("2013-10-01")
    page.get_by_role("button", name="Show the savings with the event moved").click()

    # Then they see which years' savings move, and that nothing was saved
    sentence = page.get_by_test_id("move-sentence").inner_text()
    assert "from 1 April 2013 (2013/14) to 1 October 2013 (2013/14)" in sentence
    assert "6 months later" in sentence and "£4,000,000 of them move beyond 2015/16" in sentence
    rows = page.get_by_test_id("move-table").locator("tbody tr").all_inner_texts()
    assert rows[0].split() == ["2013/14", "Moves", "£2,000,000", "£1,000,000", "−£1,000,000"]
    assert rows[1].split() == ["2014/15", "Moves", "£5,000,000", "£3,500,000", "−£1,500,000"]
    assert rows[2].split() == ["2015/16", "Moves", "£8,000,000", "£6,500,000", "−£1,500,000"]
    assert "1 Apr 2013" in page.get_by_test_id("event-table").inner_text()

    # and the saving's own page links back to the event it depends on
    page.locator("table[data-testid^='dependent-savings-']").get_by_role("link", name="SAV-SM").click()
    contract_events = page.get_by_test_id("contract-events").inner_text()
    assert "GEN2 re-tender start" in contract_events and "£15,000,000" in contract_events
    page.get_by_role("link", name="GEN2 re-tender start").click()
    assert page.get_by_role("heading", name="Re-tender start of 1 April 2013").is_visible()

    # and on a 390px phone the contract's page with the what-if fits
    page.goto("/contracts/")
    page.get_by_role("link", name="GEN2").click()
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Event", exact=True).select_option(label="Re-tender start (1 April 2013)")
    page.get_by_label("Move it to").fill("2014-04-01")
    page.get_by_role("button", name="Show the savings with the event moved").click()
    assert "12 months later" in page.get_by_test_id("move-sentence").inner_text()
    page.wait_for_timeout(200)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
