"""Assign and return a device in Chromium, as the mobile technology team does."""

import pytest

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_asset_manager_returns_a_pda_issues_it_to_another_officer_and_sees_the_history(page, live_server, mobile_seed):
    sign_in(page, "assets", "assets-Buzzard-2013")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mobile estate").click()
    page.get_by_role("link", name="Device register").click()
    page.get_by_label("Asset tag, serial or collar number").fill("PC00042")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_test_id("device-count").inner_text() == "1 device."
    page.get_by_role("link", name="PDA-00042").click()

    # Return it to stock
    page.get_by_label("Returned on").fill("02/04/2013")
    page.get_by_role("button", name="Return to stock").click()
    assert "PDA-00042 returned to stock." in page.content()
    assert page.get_by_test_id("device-status").inner_text() == "In stock"

    # Issuing without a unit is refused with a clear message
    page.get_by_label("Officer's collar number").fill("PC7001")
    page.get_by_label("Issued on").fill("03/04/2013")
    page.get_by_role("button", name="Issue").click()
    assert "Give the officer's borough or OCU" in page.locator(".govuk-error-summary").inner_text()

    # Issue it to PC7001 in Lambeth
    page.get_by_label("Officer's collar number").fill("pc7001")
    page.get_by_label("Officer's borough or OCU").select_option(label="Lambeth")
    page.get_by_label("Issued on").fill("03/04/2013")
    page.get_by_role("button", name="Issue").click()
    assert "PDA-00042 issued to PC7001." in page.content()
    assignments = page.get_by_test_id("assignments").inner_text()
    assert "Officer PC7001 (Lambeth)" in assignments and "Officer PC00042" in assignments
    # The history panel shows who changed the status
    assert "Changed by assets" in page.locator(".app-history").inner_text()


def test_a_board_member_sees_no_actions(page, live_server, mobile_seed):
    sign_in(page, "board", "board-Kestrel-2013")
    page.goto("/mobile/devices/PDA-00001/")
    assert page.get_by_role("button", name="Return to stock").count() == 0
