"""In Chromium, issue 15's 'done when': a finance officer's own workbook (their title rows, their
column order, their Total row, a hidden old sheet) previews with the right sheet named and the
right figures; a colleague's change between preview and confirm stops the confirm with their name;
uploading again shows the colleague's figure as what is replaced, and confirms."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from conftest import sign_in
from savings import services
from savings.models import Initiative, QuarterlyActual
from savings.tests.test_import import Q2, officers_workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officers_own_workbook_previews_and_a_colleagues_change_stops_the_confirm(
    page, live_server, seeded, tmp_path
):
    workbook = tmp_path / "Q2 return FINAL v3.xlsx"
    workbook.write_bytes(officers_workbook().getvalue())

    # Given finance on the quarter's upload page, with their own workbook
    sign_in(page, "finance", "finance-Harrier-2013")
    page.goto("/savings/actuals/2014/q2/")
    page.get_by_role("link", name="Upload a completed template").click()
    page.get_by_label("Upload the filled-in spreadsheet").set_input_files(str(workbook))
    page.get_by_role("button", name="Check the spreadsheet").click()

    # Then the preview names the file, the visible sheet it read and the header row, and shows the
    # figures as typed (£250k is £250,000.00), the hidden sheet's £999,999 nowhere
    read = page.get_by_test_id("upload-read").inner_text()
    assert "Q2 return FINAL v3.xlsx" in read and "Hidden sheets not read: Actuals" in read
    assert page.get_by_test_id("upload-sheet").inner_text().startswith("Actuals (2)")
    assert page.get_by_test_id("upload-header-row").inner_text() == "Row 5"
    assert 'Row 8 ("Total") is a total' in read and "Ignored: Owner" in read
    preview = page.get_by_test_id("upload-preview").inner_text()
    assert "£250,000.00" in preview and "£1,250,000.50" in preview and "999,999" not in preview
    assert page.get_by_test_id("upload-counts").inner_text() == "2 new, 0 changed."

    # When a colleague saves SAV-DC's figures by the form before they confirm
    services.actual_save(
        row=services.ActualInput(
            Initiative.objects.get(reference="SAV-DC"), Decimal("300000.00"), Decimal("4000000.00"), "By form"
        ),
        quarter=Q2,
        user=get_user_model().objects.get(username="finance2"),
    )
    page.get_by_role("button", name="Confirm and save as drafts").click()

    # Then nothing is saved, and they are told which row, its new figures and who changed it
    errors = page.get_by_test_id("upload-errors").inner_text()
    assert "Nothing was saved" in errors
    assert "Row 6, Initiative ref: SAV-DC was changed after your preview by Femi Okoro" in errors
    assert "it is now actual £300,000.00" in errors
    assert not QuarterlyActual.objects.filter(initiative__reference="SAV-NET").exists()

    # And uploading again shows the colleague's figure as what is replaced, and confirms
    page.get_by_label("Upload the filled-in spreadsheet").set_input_files(str(workbook))
    page.get_by_role("button", name="Check the spreadsheet").click()
    assert page.get_by_test_id("upload-counts").inner_text() == "1 new, 1 changed."
    assert "was £300,000.00" in page.get_by_test_id("upload-preview").inner_text()
    page.get_by_role("button", name="Confirm and save as drafts").click()
    assert "Saved 2 figure(s) for 2014/15 Q2 as drafts" in page.content()
    assert QuarterlyActual.objects.get(initiative__reference="SAV-DC").actual_saving == Decimal("250000.00")


def test_on_a_phone_the_upload_page_and_its_errors_fit(page, live_server, seeded, tmp_path):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, "finance", "finance-Harrier-2013")
    page.goto("/savings/actuals/2014/q2/upload/")
    not_a_spreadsheet = tmp_path / "photo.xlsx"
    not_a_spreadsheet.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    page.get_by_label("Upload the filled-in spreadsheet").set_input_files(str(not_a_spreadsheet))
    page.get_by_role("button", name="Check the spreadsheet").click()
    assert "This file is not a spreadsheet we can read" in page.get_by_test_id("upload-errors").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
