"""Every file of the corpus uploaded on the quarter's upload page (/savings/actuals/2014/q1/upload/),
as finance staff upload it: never a 500; the page names the sheet and header row it read, says
every error the preview has (by row and column), and asks which sheet to read when two qualify."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from savings.io import actuals_preview
from tests.spreadsheets.corpus import CASES, Case, Read
from tests.spreadsheets.test_corpus import Q1, params

PAGE = "/savings/actuals/2014/q1/upload/"


@pytest.mark.django_db
@pytest.mark.parametrize("case", params(CASES))
def test_the_upload_page_shows_what_it_read_of_each_file(case: Case, seeded_plan, role_user, client):
    user = role_user("finance")
    client.force_login(user)
    answer = client.post(
        PAGE, {"spreadsheet": SimpleUploadedFile(case.file_name, case.data()), "sheet": case.sheet or ""}
    )
    assert answer.status_code == 200
    page = answer.content.decode()
    if not case.data():  # the form's own refusal
        assert "The file is empty." in page
        return
    preview = actuals_preview(
        upload=SimpleUploadedFile(case.file_name, case.data()),
        plan=seeded_plan,
        quarter=Q1,
        user=user,
        sheet=case.sheet,
    )
    for error in preview.errors:
        assert escape(error.message) in page, error
    if "sheets" in preview.notes:  # two sheets qualify: the page asks which
        for sheet in preview.notes["sheets"]:
            assert f'value="{escape(sheet)}"' in page
    if isinstance(case.expected, Read):
        shown = escape(case.expected.sheet) if case.expected.sheet else "The file has one table"
        assert f'data-testid="upload-sheet">{shown}' in page
        assert f'data-testid="upload-header-row">Row {case.expected.header_row}<' in page
