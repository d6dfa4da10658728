"""A half-month usage file in Chromium: flagged, not silently taken (issue 14 part 5)."""

import pytest

from conftest import sign_in
from mobile_assets.models import OrganisationalUnit, TransactionType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_half_month_usage_file_is_flagged_and_taken_only_when_confirmed(page, live_server, mobile_seed):
    # Given the seed's usage for every borough up to February 2013, and a March file with half of them
    units = list(OrganisationalUnit.objects.order_by("name").values_list("name", flat=True))
    half = units[: len(units) // 2]
    kinds = list(TransactionType.objects.values_list("name", flat=True))
    lines = ["Unit,Transaction type,Count"] + [f"{unit},{kind},100" for unit in half for kind in kinds]
    sign_in(page, "assets", "assets-Buzzard-2013")
    page.goto("/mobile/usage/upload/")
    assert page.get_by_role("link", name="Download the template").count() == 1

    # When it is uploaded
    page.get_by_label("Month the figures are for").fill("2013-03")
    page.get_by_label("Usage statistics").set_input_files(
        files=[{"name": "march.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()}]
    )
    page.get_by_role("button", name="Check the file").click()

    # Then the preview says it is incomplete and which boroughs are missing
    warning = page.get_by_test_id("usage-incomplete").inner_text()
    assert f"INCOMPLETE: March 2013 covers {len(half)} of the {len(units)} units" in warning
    assert units[-1] in page.get_by_test_id("usage-missing").inner_text()

    # Confirming without ticking the box is refused
    page.get_by_role("button", name="Confirm and save March 2013").click()
    assert "Confirm that these are the month's figures" in page.locator(".govuk-error-summary").inner_text()

    # Ticked, it is saved, and the benefits page says March is incomplete
    page.get_by_label("These are the month's figures, incomplete: save them anyway").check()
    page.get_by_role("button", name="Confirm and save March 2013").click()
    assert "usage figures for March 2013" in page.content()
    assert "March 2013: incomplete." in page.get_by_test_id("incomplete-months").inner_text()

    # And the board overview keeps the reported benefits and says March is incomplete
    page.goto("/")
    assert page.get_by_test_id("mobile-benefits").inner_text() == "£4m"  # £4,028,485 as reported
    assert "As reported (non-cashable)" in page.content()
    assert "Latest month computed: Mar 2013" in page.get_by_test_id("mobile-latest-month").inner_text()
    assert "Mar 2013" in page.get_by_test_id("mobile-usage-incomplete").inner_text()
