"""A board member reads how likely the savings targets are, in Chromium (issue 16 part 3)."""

import pytest

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_board_member_reads_how_likely_the_targets_are_on_a_desk_and_on_a_phone(page, live_server, seeded):
    # Given a board member on the savings overview
    sign_in(page, "board", "board-Kestrel-2013")
    page.goto("/savings/")
    section = page.get_by_test_id("target-chances")
    assert page.get_by_role("heading", name="How likely the targets are").is_visible()

    # Then they read the chance of £42m in plain words, and the interval chart is drawn
    sentences = section.get_by_test_id("target-chance-sentence")
    assert sentences.count() == 2
    assert sentences.first.inner_text().startswith(
        "There is less than a 1% chance (under 1 in 100) that the plan saves £42m in 2014/15."
    )
    page.wait_for_selector("[data-chart='chart-target-ranges'] .main-svg", timeout=10_000)
    assert page.get_by_test_id("target-range-table").get_by_role("row").count() == 3

    # When they open the method panel, the method, the priors and their source show
    method = section.get_by_test_id("target-chances-method")
    priors = method.get_by_test_id("target-chances-priors")
    assert not priors.is_visible()
    method.get_by_text("How these figures are worked out").click()
    assert priors.is_visible()
    assert "10,000 draws" in method.inner_text() and "The priors' source" in method.inner_text()

    # And on a phone the section fits: no sideways page scroll; wide tables scroll in their own wrapper
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("[data-chart='chart-target-ranges'] .main-svg", timeout=10_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    section.scroll_into_view_if_needed()
    wrappers = section.locator(".app-table-wrapper")
    assert wrappers.count() >= 3  # the range table and each target's risks
    for index in range(wrappers.count()):
        box = wrappers.nth(index).evaluate(
            "el => ({right: el.getBoundingClientRect().right, overflow: getComputedStyle(el).overflowX})"
        )
        assert box["right"] <= 390 and box["overflow"] in ("auto", "scroll")
    chart = section.locator("[data-chart='chart-target-ranges']").bounding_box()
    assert chart["x"] >= 0 and chart["x"] + chart["width"] <= 390
