"""The quarterly actuals spreadsheet: download the template, fill it in, upload it."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.imports import preview_keep
from savings import io as savings_io
from savings import services
from savings.models import Initiative, QuarterlyActual

Q1 = Quarter(FinancialYear(2014), 1)


def template(plan, user, quarter=Q1):
    return load_workbook(io.BytesIO(savings_io.actuals_template(plan=plan, quarter=quarter, user=user)))


def as_upload(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "actuals.xlsx"
    return buffer


def preview_of(upload, plan, user, quarter=Q1):
    return savings_io.actuals_preview(upload=upload, plan=plan, quarter=quarter, user=user)


def confirm(preview, plan, user, quarter=Q1):
    keep = preview_keep(preview, user=user)
    return services.actuals_confirm(preview_id=keep.id, plan=plan, quarter=quarter, user=user)


def fill(sheet, reference, actual, forecast, commentary=None):
    for row in sheet.iter_rows(min_row=savings_io.HEADER_ROW + 1):
        if row[0].value == reference:
            row[4].value, row[5].value, row[6].value = actual, forecast, commentary
            return row[0].row
    raise AssertionError(reference)


def test_template_lists_every_initiative_with_its_plan_for_the_year(mps_plan, role_user):
    sheet = template(mps_plan, role_user("finance")).active
    assert sheet["B2"].value == "2014/15 Q1"
    rows = list(sheet.iter_rows(min_row=savings_io.HEADER_ROW + 1, values_only=True))
    assert len(rows) == 11
    data_centres = next(row for row in rows if row[0] == "SAV-DC")
    assert data_centres[1] == "Data Centres" and Decimal(str(data_centres[3])) == Decimal("4000000")


def test_a_filled_template_parses_with_the_ways_people_type_money(mps_plan, role_user):
    user = role_user("finance")
    workbook = template(mps_plan, user)
    sheet = workbook.active
    fill(sheet, "SAV-DC", "£1,000,000.50", 4000000)
    fill(sheet, "SAV-NET", 1250000.25, "5,000,000")
    for _ in range(3):  # trailing blank rows
        sheet.append([None] * 7)
    preview = preview_of(as_upload(workbook), mps_plan, user)
    assert preview.errors == []
    assert preview.read["sheet"] == "Actuals" and preview.read["header_row"] == savings_io.HEADER_ROW
    parsed = {row.key: (row.values["actual_saving"], row.values["forecast_full_year"]) for row in preview.rows}
    assert parsed == {"SAV-DC": ("1000000.50", "4000000.00"), "SAV-NET": ("1250000.25", "5000000.00")}
    assert confirm(preview, mps_plan, user) == 2
    assert {(a.initiative.reference, a.actual_saving) for a in QuarterlyActual.objects.all()} == {
        ("SAV-DC", Decimal("1000000.50")),
        ("SAV-NET", Decimal("1250000.25")),
    }


def test_every_mistake_is_listed_with_row_and_column_and_nothing_is_written(mps_plan, role_user):
    user = role_user("finance")
    workbook = template(mps_plan, user)
    sheet = workbook.active
    text_row = fill(sheet, "SAV-DC", "lots", 4000000)
    negative_row = fill(sheet, "SAV-NET", "-5.00", 5000000)
    unexplained_row = fill(sheet, "SAV-CC", 100, 6000000)  # 50% above the £4m plan, no commentary
    fill(sheet, "SAV-TEL", 100, 2000000)  # a good row: still not written
    sheet.append(["SAV-UNKNOWN", None, None, None, 1, 1, None])
    unknown_row = sheet.max_row
    sheet.append(["SAV-TEL", None, None, None, 1, 2000000, None])
    duplicate_row = sheet.max_row
    errors = preview_of(as_upload(workbook), mps_plan, user).errors
    found = {(error.row, error.column) for error in errors}
    assert found == {
        (text_row, "Actual saving in the quarter (£)"),
        (negative_row, "Actual saving in the quarter (£)"),
        (unexplained_row, "Commentary"),
        (unknown_row, "Reference"),
        (duplicate_row, "Reference"),
    }
    assert any("appears again (first on row" in e.message for e in errors)
    assert not QuarterlyActual.objects.exists()


def test_a_template_for_another_quarter_is_refused(mps_plan, role_user):
    user = role_user("finance")
    workbook = template(mps_plan, user, quarter=Quarter(FinancialYear(2014), 2))
    fill(workbook.active, "SAV-DC", 1, 4000000)
    errors = preview_of(as_upload(workbook), mps_plan, user).errors
    assert [(e.row, e.column) for e in errors] == [(2, "Quarter")]
    assert "2014/15 Q2, not 2014/15 Q1" in errors[0].message


def test_a_locked_quarter_is_refused(mps_plan, role_user):
    maker, checker = role_user("finance"), role_user("finance")
    initiative = Initiative.objects.get(reference="SAV-DC")
    actual = services.actual_save(
        row=services.ActualInput(initiative, Decimal(1), Decimal(4000000)), quarter=Q1, user=maker
    )
    services.actuals_submit(actuals=[actual], user=maker)
    services.actual_approve(actual=actual, user=checker)
    services.quarter_close(plan=mps_plan, quarter=Q1, user=checker)
    workbook = template(mps_plan, maker)
    fill(workbook.active, "SAV-NET", 1, 5000000)
    errors = preview_of(as_upload(workbook), mps_plan, maker).errors
    assert errors and all("closed" in e.message for e in errors)


@pytest.mark.parametrize(
    "content", [b"", b"not a spreadsheet at all", b"PK\x03\x04 broken zip", b"Reference,Actual\nSAV-DC,1"]
)
def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_message(mps_plan, role_user, content):
    upload = io.BytesIO(content)
    errors = preview_of(upload, mps_plan, role_user("finance")).errors
    assert len(errors) == 1 and errors[0].row == 0


def test_a_workbook_without_the_columns_names_what_is_missing(mps_plan, role_user):
    workbook = Workbook()
    sheet = workbook.active
    sheet["B2"] = "2014/15 Q1"
    sheet.append([])
    sheet.append(["Reference", "Actual saving in the quarter (£)"])
    errors = preview_of(as_upload(workbook), mps_plan, role_user("finance")).errors
    assert len(errors) == 1 and errors[0].column == "Full-year forecast (£)"
    assert "No header row with the columns Full-year forecast (£) was found" in errors[0].message


def test_formula_looking_text_in_the_template_is_escaped(mps_plan, role_user):
    Initiative.objects.filter(reference="SAV-DC").update(description='=HYPERLINK("http://example.invalid")')
    sheet = template(mps_plan, role_user("finance")).active
    cell = next(row[2] for row in sheet.iter_rows(min_row=savings_io.HEADER_ROW + 1) if row[0].value == "SAV-DC")
    assert cell.data_type == "s" and cell.value.startswith("'=")
