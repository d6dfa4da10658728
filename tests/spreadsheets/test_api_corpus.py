"""Every file of the corpus through the import API (POST /api/v1/savings/actuals/import/ with
dry_run=true): never a 500, the 200 preview (an empty file is an invalid request, 400), and the
same preview the page shows (savings.io.actuals_preview): the sheet and header row read, the hidden
and ignored, every row with its values and what it replaces, every error with its row, column and
message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from savings.io import actuals_preview
from tests.spreadsheets.corpus import CASES, Case
from tests.spreadsheets.test_corpus import Q1, params


@pytest.mark.django_db
@pytest.mark.parametrize("case", params(CASES))
def test_the_import_api_gives_the_pages_preview_of_each_file(case: Case, seeded_plan, role_user, client):
    user = role_user("finance")
    client.force_login(user)
    form = {"file": SimpleUploadedFile(case.file_name, case.data()), "quarter": Q1.label, "dry_run": "true"}
    if case.sheet:
        form["sheet"] = case.sheet
    answer = client.post("/api/v1/savings/actuals/import/", form)
    if not case.data():  # the request itself is invalid: the API's 400, naming the field
        assert answer.status_code == 400
        assert answer.json()["errors"] == [{"field": "file", "message": "The submitted file is empty."}]
        return
    assert answer.status_code == 200, answer.content[:500]
    body = answer.json()
    page = actuals_preview(
        upload=SimpleUploadedFile(case.file_name, case.data()),
        plan=seeded_plan,
        quarter=Q1,
        user=user,
        sheet=case.sheet,
    )
    read = page.read
    assert (body["file_name"], body["sheet"], body["header_row"]) == (
        read["file_name"],
        read["sheet"],
        read["header_row"],
    )
    assert (body["hidden_sheets"], body["ignored_columns"], body["left_out"]) == (
        read["hidden_sheets"],
        read["ignored_columns"],
        read["left_out"],
    )
    assert [(r["row"], r["key"], r["values"], r["was"], r["change"]) for r in body["rows"]] == [
        (r.row, r.key, r.values, r.was, r.change) for r in page.rows
    ]
    assert body["errors"] == [error.as_dict() for error in page.errors]
    assert body["valid"] is (not page.errors) and body["committed"] is False
