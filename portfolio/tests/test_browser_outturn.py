"""A board member reads how likely the capital programme is to fit its budget, tries a what-if and
sees the range move; finance change the mitigation share and the page says it (issue 16), in Chromium."""

import re

import pytest

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _chance(text: str) -> int:
    return int(re.search(r"There is (?:a|an) (\d+)% chance", text).group(1))


def test_a_board_member_reads_the_range_and_moves_it_with_a_what_if(page, live_server, portfolio_seed):
    # Given a board member on the portfolio dashboard
    sign_in(page, "board", "board-Kestrel-2013")
    page.goto("/portfolio/?year=2012/13")
    sentences = page.get_by_test_id("outturn-sentences").inner_text()
    # Then one sentence says how likely the year is to overspend its £204m budget
    assert "that the 2012/13 programme spends more than its £204m budget" in sentences
    learned = _chance(sentences)
    assert "(P50)" in sentences and "(P80)" in sentences
    # with the chart drawn and its table
    page.locator('[data-chart="chart-outturn"] svg').first.wait_for()
    assert "2012/13" in page.get_by_test_id("outturn-table").inner_text()
    # and the method, the prior's source and finance's mitigation share one click away
    page.get_by_text("How the range is worked out, and every assumption").click()
    method = page.get_by_test_id("outturn-method").inner_text()
    assert "Green Book" in method and page.get_by_test_id("mitigation-share").inner_text() == "50%"

    # When they try 20% slipping everywhere
    page.get_by_label("Try a what-if slippage rate (%)").fill("20")
    page.get_by_role("button", name="Show the what-if").click()
    # Then the range moves down and the chance of overspending falls
    moved = page.get_by_test_id("outturn-sentences").inner_text()
    assert _chance(moved) < learned
    assert "under the what-if: 20.00%" in page.get_by_test_id("outturn-what-if").inner_text()
    assert "what-if 20.00%" in page.get_by_test_id("outturn-table").inner_text()

    # And on a phone the section fits: its tables scroll in their own wrappers
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/portfolio/?year=2012/13")
    page.locator('[data-chart="chart-outturn"] svg').first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_finance_change_the_mitigation_share_and_the_dashboard_says_it(page, live_server, portfolio_seed):
    sign_in(page, "finance", "finance-Harrier-2013")
    page.goto("/portfolio/?year=2012/13")
    page.get_by_text("How the range is worked out, and every assumption").click()
    page.get_by_role("link", name="Change the mitigation share").click()
    page.get_by_label("Optimism bias mitigated (%)").fill("lots")
    page.get_by_role("button", name="Save").click()
    assert (
        "Enter the optimism bias mitigated as a percentage from 0 to 100"
        in page.locator(".govuk-error-summary").inner_text()
    )
    page.get_by_label("Optimism bias mitigated (%)").fill("20")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("How the range is worked out, and every assumption").click()
    assert page.get_by_test_id("mitigation-share").inner_text() == "20%"
    assert "leaving a bias of 162%" in page.get_by_test_id("outturn-method").inner_text()
