"""In Chromium: finance add an initiative, re-phase two others watching the plan's totals move as
they type, and the overview shows the new totals."""

import pytest

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rephase(page, reference: str, year: int, amount: str, *, total_before: str, total_after: str, against: str):
    """Open the initiative's phasing, type the year's figure and see that year's plan total move."""
    page.goto(f"/savings/initiatives/{reference}/")
    page.get_by_role("link", name="Change the phasing").click()
    row = page.get_by_test_id(f"phasing-{year}")
    total = row.locator("[data-phasing-total]")
    assert total.inner_text() == total_before
    row.get_by_label(f"Planned saving in {year}/{(year + 1) % 100:02d} (£)").fill(amount)
    assert total.inner_text() == total_after  # as typed, before anything is saved
    assert row.locator("[data-phasing-gap]").inner_text() == against
    page.get_by_label("Why are you changing the phasing?").fill("After supplier consultation")
    page.get_by_role("button", name="Save the phasing").click()
    assert f"Saved the phasing of {reference}." in page.content()


def test_finance_add_an_initiative_and_rephase_two_others(page, live_server, seeded):
    # Given finance on the overview, offered to maintain the plan
    sign_in(page, "finance", "finance-Harrier-2013")
    page.goto("/savings/")
    assert page.get_by_test_id("headline-target").inner_text() == "£60m"
    page.get_by_test_id("maintain-plan").get_by_role("link", name="Add an initiative").click()

    # When they add an initiative (a mistyped figure first: named, nothing added)
    page.get_by_label("Reference").fill("SAV-DC2")
    page.get_by_label("Category").select_option(label="Data Centres")
    page.get_by_label("Description").fill("Second data centre consolidation")
    page.get_by_label("Cost now, a year (£)").fill("3,000,000.00")
    page.get_by_label("Future cost, a year, once delivered (£)").fill("one million")
    page.get_by_label("Savings type").select_option(label="Reduced contract costs")
    page.get_by_label("Cashable?").select_option(label="Yes")
    page.get_by_label("Inside the Directorate of Information budget?").select_option(label="Yes")
    page.get_by_role("button", name="Add the initiative").click()
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("Future cost, a year, once delivered (£)").fill("1,000,000.00")
    page.get_by_role("button", name="Add the initiative").click()
    assert "Added SAV-DC2." in page.content()

    # and phase it, then re-phase two others, seeing each year's plan total move as they type
    page.get_by_role("link", name="Change the phasing").click()
    row = page.get_by_test_id("phasing-2014")
    assert row.locator("[data-phasing-total]").inner_text() == "£42,000,000"
    row.get_by_label("Planned saving in 2014/15 (£)").fill("1,000,000")
    assert row.locator("[data-phasing-total]").inner_text() == "£43,000,000"
    page.get_by_label("Planned saving in 2015/16 (£)").fill("2000000")
    page.get_by_role("button", name="Save the phasing").click()
    assert "Saved the phasing of SAV-DC2." in page.content()
    _rephase(
        page,
        "SAV-NET",  # 2014/15: £5m
        2014,
        "6,000,000.00",
        total_before="£43,000,000",
        total_after="£44,000,000",
        against="£2,000,000 over",
    )
    _rephase(
        page,
        "SAV-CC",  # 2014/15: £4m
        2014,
        "3,000,000.00",
        total_before="£44,000,000",
        total_after="£43,000,000",
        against="£1,000,000 over",
    )

    # Then the overview shows the plan's new totals
    page.goto("/savings/")
    years = page.get_by_test_id("year-table")
    assert "£43,000,000" in years.locator("tr", has_text="2014/15").inner_text()
    assert "£62,000,000" in years.locator("tr", has_text="2015/16").inner_text()
    assert page.get_by_test_id("total-cost-now").inner_text() == "£203m"
    assert all(url.startswith(live_server.url) for url in page.requested_urls)  # nothing from a CDN
