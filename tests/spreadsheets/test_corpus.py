"""Every workbook and CSV of the corpus (tests/spreadsheets/corpus.py) read by the import engine,
with its exact outcome: the sheet and header row, each row's interpreted values, the columns
ignored, the hidden sheets, the rows left out, and every error by row, column and message. Then
the same files end to end through the quarter's savings upload on the seed plan (2014/15 Q1): the
preview's rows and errors, and, for each file without errors, the confirm writing exactly the
figures the preview showed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mps_ict import imports
from mps_ict.financial_years import FinancialYear, Quarter
from savings.io import ACTUALS_SPEC, actuals_preview
from tests.spreadsheets.corpus import AMOUNT_KEYS, CASES, PLAN_2014, TEXT_KEYS, Case, Previewed, Read, Refused


def upload(case: Case) -> SimpleUploadedFile:
    return SimpleUploadedFile(case.file_name, case.data())


def params(cases):
    return [
        pytest.param(case, id=case.id, marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [])
        for case in cases
    ]


def interpret(table: imports.Table) -> tuple[dict[int, dict[str, str]], list[tuple[int, str, str]]]:
    """Each row's non-blank values as the converters read them ("!" where one refuses the cell),
    and the refusals as (row, key, message)."""
    rows, problems = {}, []
    for sheet_row in table.rows:
        found = {}
        for key in TEXT_KEYS + AMOUNT_KEYS:
            try:
                value = imports.amount(sheet_row[key]) if key in AMOUNT_KEYS else imports.text(sheet_row[key])
            except imports.CellProblem as problem:
                problems.append((sheet_row.number, key, str(problem)))
                value = "!"
            if value not in (None, ""):
                found[key] = str(value)
        rows[sheet_row.number] = found
    return rows, problems


def assert_errors(found: list[imports.RowError], expected) -> None:
    assert [(error.row, error.column) for error in found] == [(error.row, error.column) for error in expected]
    for error, wanted in zip(found, expected, strict=True):
        assert wanted.says in error.message, (error.message, wanted.says)


@pytest.mark.parametrize("case", params(CASES))
def test_the_engine_reads_each_file_as_expected(case: Case):
    expected = case.expected
    if isinstance(expected, Refused):
        with pytest.raises(imports.ImportRejected) as refused:
            imports.read_table(upload(case), ACTUALS_SPEC, sheet=case.sheet)
        assert_errors(refused.value.errors, expected.errors)
        if expected.sheets is not None:
            assert isinstance(refused.value, imports.SheetChoiceNeeded)
            assert refused.value.sheets == list(expected.sheets)
        else:
            assert not isinstance(refused.value, imports.SheetChoiceNeeded)
        return

    assert isinstance(expected, Read)
    table = imports.read_table(upload(case), ACTUALS_SPEC, sheet=case.sheet)
    assert (table.file_name, table.file_kind, table.sheet, table.header_row) == (
        case.file_name,
        expected.file_kind,
        expected.sheet,
        expected.header_row,
    )
    rows, problems = interpret(table)
    assert rows == expected.rows
    assert len(problems) == len(expected.problems), problems
    for (row, key, message), wanted in zip(problems, expected.problems, strict=True):
        assert (row, key) == (wanted.row, wanted.column)
        assert wanted.says in message, (message, wanted.says)
    assert table.ignored_columns == list(expected.ignored_columns)
    assert table.hidden_sheets == list(expected.hidden_sheets)
    assert table.other_sheets == list(expected.other_sheets)
    assert len(table.left_out) == len(expected.left_out), table.left_out
    for note, wanted in zip(table.left_out, expected.left_out, strict=True):
        assert wanted in note, (note, wanted)
    assert_errors(table.errors, expected.errors)
    described = table.describe()
    assert (described["file_name"], described["sheet"], described["header_row"]) == (
        case.file_name,
        expected.sheet,
        expected.header_row,
    )


def test_the_corpus_is_large_and_each_case_is_named_once():
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)


# --- End to end: the same files through the quarter's upload, on the seed plan ---------------------

Q1 = Quarter(FinancialYear(2014), 1)
PLAN_REFERENCES = {imports.same_key(reference): reference for reference in PLAN_2014}


def expected_preview(case: Case) -> Previewed:
    """The case's own preview, else its Read: every row to write (the reference matched to the plan's,
    the commentary "" when blank), with the Read's errors (a total that does not add up)."""
    if case.preview is not None:
        return case.preview
    rows = {
        number: (
            PLAN_REFERENCES[imports.same_key(found["reference"])],
            {
                "actual_saving": found["actual_saving"],
                "forecast_full_year": found["forecast_full_year"],
                "commentary": found.get("commentary", ""),
            },
        )
        for number, found in case.expected.rows.items()
    }
    return Previewed(rows, case.expected.errors)


@pytest.mark.parametrize("case", params([case for case in CASES if isinstance(case.expected, Refused)]))
def test_the_quarters_upload_refuses_each_unreadable_file_as_expected(case: Case):
    # Refused before the plan is looked at: no database needed.
    preview = actuals_preview(upload=upload(case), plan=None, quarter=Q1, user=None, sheet=case.sheet)
    expected = case.expected
    assert preview.rows == []
    assert_errors(preview.errors, expected.errors)
    assert preview.read["file_name"] == case.file_name
    assert preview.notes.get("sheets") == (list(expected.sheets) if expected.sheets is not None else None)


@pytest.mark.django_db
@pytest.mark.parametrize("case", params([case for case in CASES if isinstance(case.expected, Read)]))
def test_the_quarters_upload_previews_each_file_as_expected(case: Case, seeded_plan, role_user):
    preview = actuals_preview(
        upload=upload(case), plan=seeded_plan, quarter=Q1, user=role_user("finance"), sheet=case.sheet
    )
    expected = case.expected
    wanted = expected_preview(case)
    assert (preview.read["file_name"], preview.read["sheet"], preview.read["header_row"]) == (
        case.file_name,
        expected.sheet,
        expected.header_row,
    )
    assert preview.read["hidden_sheets"] == list(expected.hidden_sheets)
    assert preview.read["ignored_columns"] == list(expected.ignored_columns)
    assert {row.row: (row.key, row.values) for row in preview.rows} == wanted.rows
    assert {row.change for row in preview.rows} <= {"new"}
    assert_errors(preview.errors, wanted.errors)


CLEAN = [
    case
    for case in CASES
    if isinstance(case.expected, Read) and not expected_preview(case).errors and expected_preview(case).rows
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", params(CLEAN))
def test_confirming_each_clean_file_writes_exactly_what_its_preview_showed(case: Case, seeded_plan, role_user):
    from mps_ict.imports import preview_keep
    from savings.models import QuarterlyActual
    from savings.services import actuals_confirm

    user = role_user("finance")
    preview = actuals_preview(upload=upload(case), plan=seeded_plan, quarter=Q1, user=user, sheet=case.sheet)
    assert preview.errors == []
    preview_keep(preview, user=user)
    written = actuals_confirm(preview_id=preview.id, plan=seeded_plan, quarter=Q1, user=user)
    wanted = expected_preview(case).rows
    assert written == len(wanted)
    saved = {
        actual.initiative.reference: {
            "actual_saving": str(actual.actual_saving),
            "forecast_full_year": str(actual.forecast_full_year),
            "commentary": actual.commentary,
        }
        for actual in QuarterlyActual.objects.filter(
            financial_year=Q1.financial_year, quarter=Q1.number
        ).select_related("initiative")
    }
    assert saved == dict(wanted.values())
    # The same file again: every figure is held already, and the upload says so
    again = actuals_preview(upload=upload(case), plan=seeded_plan, quarter=Q1, user=user, sheet=case.sheet)
    assert {row.row: row.change for row in again.rows} == dict.fromkeys(wanted, "unchanged")
    assert [error.as_dict() for error in again.errors] == [
        {"row": 0, "column": "File", "message": "Every figure in the file is already held: there is nothing to save."}
    ]
