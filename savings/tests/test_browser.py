"""The finance journey in Chromium: template, upload, preview, confirm, submit, a colleague approves."""

import pytest
from openpyxl import load_workbook

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_uploads_a_quarter_a_colleague_approves_and_the_dashboard_moves(page, live_server, seeded, tmp_path):
    # Given a finance officer on the quarter's page
    sign_in(page, "finance", "finance-Harrier-2013")
    page.goto("/savings/actuals/")
    page.get_by_role("link", name="2014/15 Q1").click()
    assert page.get_by_role("heading", name="Actuals for 2014/15 Q1").is_visible()

    # When they download the template, fill in two rows and upload it
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the spreadsheet template").click()
    template = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=6):
        if row[0].value == "SAV-DC":
            row[4].value, row[5].value = "£1,000,000", "4,000,000"
        if row[0].value == "SAV-NET":
            row[4].value, row[5].value, row[6].value = 1500000, 6000000, "PSN migration ahead of plan"
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    page.get_by_role("link", name="Upload a completed template").click()
    page.get_by_label("Upload the filled-in spreadsheet").set_input_files(str(filled))
    page.get_by_role("button", name="Check the spreadsheet").click()

    # Then they see a preview, confirm it, and submit the drafts
    preview = page.get_by_test_id("upload-preview")
    assert "£1,000,000.00" in preview.inner_text() and "PSN migration ahead of plan" in preview.inner_text()
    page.get_by_role("button", name="Confirm and save as drafts").click()
    assert "Saved 2 figure(s) for 2014/15 Q1 as drafts" in page.content()
    page.get_by_role("button", name="Submit 2 drafts for approval").click()
    assert "A colleague in finance must approve them" in page.content()
    # They cannot approve their own
    page.get_by_test_id("decisions-table").get_by_label("Approve").first.check()
    page.get_by_role("button", name="Record these decisions").click()
    assert "A colleague must approve this" in page.get_by_test_id("decisions-errors").inner_text()

    # And a colleague approves both, in the one decision table
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "finance2", "finance2-Merlin-2013")
    page.goto("/savings/actuals/2014/q1/")
    approve = page.get_by_test_id("decisions-table").get_by_label("Approve")
    assert approve.count() == 2
    for index in range(2):
        approve.nth(index).check()
    page.get_by_role("button", name="Record these decisions").click()
    assert "Approved 2 and returned 0" in page.content()
    assert page.get_by_test_id("decisions-table").count() == 0

    # And the dashboard shows £2.5m realised in 2014/15
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Savings").click()
    assert page.get_by_role("heading", name="Where we stand in 2014/15").is_visible()
    assert page.get_by_test_id("headline-realised").inner_text() == "£2.5m"
    # The charts drew, from plotly.js served by us
    page.wait_for_selector("[data-chart='chart-waterfall'] .main-svg", timeout=10_000)
    own_host = live_server.url.split("//", 1)[1]
    assert all(own_host in url for url in page.requested_urls if url.startswith("http"))


def test_a_template_with_mistakes_lists_them_all_and_saves_nothing(page, live_server, seeded, tmp_path):
    sign_in(page, "finance", "finance-Harrier-2013")
    page.goto("/savings/actuals/2014/q1/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the spreadsheet template").click()
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook.active
    sheet.append(["SAV-NOPE", None, None, None, 1, 1, None])
    for row in sheet.iter_rows(min_row=6):
        if row[0].value == "SAV-DC":
            row[4].value, row[5].value = "a million", 4000000
    workbook.save(template)
    page.goto("/savings/actuals/2014/q1/upload/")
    page.get_by_label("Upload the filled-in spreadsheet").set_input_files(str(template))
    page.get_by_role("button", name="Check the spreadsheet").click()
    errors = page.get_by_test_id("upload-errors").inner_text()
    assert "2 problems. Nothing was saved." in errors
    assert "Actual saving in the quarter (£)" in errors and "SAV-NOPE" in errors
    page.goto("/savings/actuals/2014/q1/")
    assert page.get_by_test_id("status").first.inner_text() == "Not entered"
