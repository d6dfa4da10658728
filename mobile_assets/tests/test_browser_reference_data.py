"""In Chromium, the asset manager's journey of issue 14: a fingerprint-reader model added, devices of
it issued and "deployed" moving on the rollout, an hourly cost changed and the benefits recomputed."""

from datetime import date

import pytest

from conftest import sign_in
from mobile_assets.models import BenefitRollup, DeviceModel
from mobile_assets.tests.factories import DeviceFactory
from mps_ict.financial_years import FinancialYear
from mps_ict.money import format_pounds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _officer_computed():
    return {r.period_start: r.amount for r in BenefitRollup.objects.filter(source="computed", role="officer")}


def test_asset_manager_adds_a_reader_model_issues_it_and_changes_an_hourly_cost(page, live_server, mobile_seed):
    sign_in(page, "assets", "assets-Buzzard-2013")
    page.goto(f"{live_server.url}/mobile/")
    assert "deployed so far: 0" in page.get_by_test_id("rollout-summary").inner_text()

    # Given a fingerprint-reader model added from the reference data page (a missing name refused first)
    page.get_by_role("link", name="Device types, models and other reference data").click()
    page.get_by_role("link", name="Add a device model").click()
    page.get_by_label("Device type").select_option(label="Mobile fingerprint reader")
    page.get_by_role("button", name="Save").click()
    assert "Enter the model." in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Manufacturer").fill("Crossmatch")
    page.get_by_label("Model", exact=True).fill("Lantern")
    page.get_by_label("Fingerprint identification").check()
    page.get_by_role("button", name="Save").click()
    assert "Added the device model Crossmatch Lantern: the register now accepts it." in page.content()
    assert "Crossmatch Lantern" in page.get_by_test_id("device-models").inner_text()

    # and ten readers planned for April 2014
    page.goto(f"{live_server.url}/mobile/rollout/add/")
    page.get_by_label("Device type").select_option(label="Mobile fingerprint reader")
    page.get_by_label("Month").fill("2014-04")
    page.get_by_label("Devices planned").fill("10")
    page.get_by_role("button", name="Save").click()
    assert "Planned 10 Mobile fingerprint reader for April 2014." in page.content()

    # When two readers delivered into the register (in stock) are issued in April 2014
    model = DeviceModel.objects.get(manufacturer="Crossmatch", name="Lantern")
    readers = [DeviceFactory(asset_tag=f"FPR-{n:05d}", model=model) for n in (1, 2)]
    for number, reader in enumerate(readers, start=1):
        page.goto(f"{live_server.url}/mobile/devices/{reader.asset_tag}/")
        page.get_by_label("Officer's collar number").fill(f"PC80{number:02d}")
        page.get_by_label("Officer's borough or OCU").select_option(label="Lambeth")
        page.get_by_label("Issued on").fill(f"0{number}/04/2014")
        page.get_by_role("button", name="Issue").click()
        assert f"{reader.asset_tag} issued to PC80{number:02d}." in page.content()

    # Then "deployed" has moved on the rollout, from the register
    page.goto(f"{live_server.url}/mobile/")
    cells = page.get_by_test_id("rollout-fingerprint-reader-2014-04").locator("td").all_inner_texts()
    assert [cell.strip() for cell in cells[2:6]] == ["10", "2", "10", "2"]

    # When the 2012/13 officer hourly cost is changed
    before = _officer_computed()
    page.goto(f"{live_server.url}/mobile/reference/")
    page.get_by_role("link", name="Change Officer efficiency 2012/13").click()
    page.get_by_label("Cost of an hour (£)").fill("40.00")
    page.get_by_label("Why are you making this change?").fill("Pay award")
    page.get_by_role("button", name="Save").click()

    # Then the benefits page shows the year's months recomputed at £40 an hour, the reported figure as published
    assert "the year's benefits are being recomputed" in page.content()
    after = _officer_computed()
    month = min(m for m in before if m in FinancialYear(2012))
    assert after[month] != before[month]
    hours = BenefitRollup.objects.get(source="computed", role="officer", period_start=month).hours
    assert after[month] == (hours * 40).quantize(after[month])
    assert format_pounds(after[month]) in page.content()
    assert "£2,354,306 / equivalent 65,044 hours" in page.content()
    assert date(2012, 9, 1) in after
