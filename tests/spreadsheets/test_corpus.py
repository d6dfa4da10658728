"""Every workbook and CSV of the corpus (tests/spreadsheets/corpus.py) read by the import engine,
with its exact outcome: the sheet and header row, each row's interpreted values, the columns
ignored, the hidden sheets, the rows left out, and every error by row, column and message."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mps_ict import imports
from tests.spreadsheets.corpus import AMOUNT_KEYS, CASES, TEXT_KEYS, Case, Read, Refused

try:
    from savings.io import ACTUALS_SPEC
except ImportError:  # until the savings upload moves onto the engine: the same columns
    from mps_ict.imports import Column, TableSpec

    ACTUALS_SPEC = TableSpec(
        what="quarterly actuals",
        columns=(
            Column("reference", "Reference", aliases=("Ref", "Initiative ref"), required=True, label=True),
            Column("category", "Category", fill_merged=True, label=True),
            Column("initiative", "Initiative", fill_merged=True, label=True),
            Column("planned", "Planned saving for the year (£)", totalled=True),
            Column(
                "actual_saving", "Actual saving in the quarter (£)", aliases=("Actual",), required=True, totalled=True
            ),
            Column(
                "forecast_full_year",
                "Full-year forecast (£)",
                aliases=("Forecast", "Full year forecast"),
                required=True,
                totalled=True,
            ),
            Column("commentary", "Commentary", aliases=("Comments", "Notes"), fill_merged=True),
        ),
    )


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
