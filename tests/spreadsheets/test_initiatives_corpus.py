"""Initiatives and their phasing by spreadsheet (savings.io.initiatives_preview), end to end on the
seed plan, with files as finance staff send them: the downloaded template with a figure changed and
a Total row added; their own layout (title rows, a hidden stale sheet, their column names and
order, amounts typed as £8.5m and £4,500k); a CSV adding initiatives, one of them incomplete."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from savings.io import initiatives_preview, initiatives_template
from tests.spreadsheets.corpus import Err, SheetDef, csv_bytes, xlsx
from tests.spreadsheets.test_corpus import assert_errors

YEARS = ["2013/14", "2014/15", "2015/16"]


def preview_of(name: str, data: bytes, plan, user):
    return initiatives_preview(upload=SimpleUploadedFile(name, data), plan=plan, user=user)


@pytest.mark.django_db
def test_the_downloaded_template_with_one_figure_changed_and_a_total_row(seeded_plan, role_user):
    user = role_user("finance")
    workbook = load_workbook(io.BytesIO(initiatives_template(plan=seeded_plan, user=user)))
    sheet = workbook["Initiatives"]
    header = [cell.value for cell in sheet[4]]
    assert header[:6] == ["Reference", "Category", "Initiative", "Owner", "Cost now (£)", "Future cost (£)"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=5) if row[0].value}
    assert len(rows) == 11
    rows["SAV-DC"][5].value = "£7.5m"  # was £8m
    total_row = 5 + len(rows)
    # The user's own Total row: costs now £200m, future £139.5m, the phasing £11m, £42m and £60m
    for column, value in enumerate(["Total", None, None, None, 200_000_000, 139_500_000], start=1):
        sheet.cell(row=total_row, column=column, value=value)
    for offset, value in enumerate((11_000_000, 42_000_000, 60_000_000)):
        sheet.cell(row=total_row, column=12 + offset, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)

    preview = preview_of("initiatives.xlsx", buffer.getvalue(), seeded_plan, user)

    assert preview.errors == []
    assert preview.notes["years"] == YEARS
    assert (preview.read["sheet"], preview.read["header_row"]) == ("Initiatives", 4)
    assert {row.key: row.change for row in preview.rows} == {
        reference: ("changed" if reference == "SAV-DC" else "unchanged") for reference in rows
    }
    changed = next(row for row in preview.rows if row.key == "SAV-DC")
    assert (changed.row, changed.values["future_cost"], changed.was["future_cost"]) == (
        rows["SAV-DC"][0].row,
        "7500000.00",
        "8000000.00",
    )
    assert preview.read["left_out"] == [
        f'Row {total_row} ("Total") is a total: left out, and checked against the rows above.'
    ]
    (total,) = preview.read["totals"]
    assert (
        total["stated"]
        == total["added_up"]
        == {
            "cost_now": "200000000.00",
            "future_cost": "139500000.00",
            "year:2013/14": "11000000.00",
            "year:2014/15": "42000000.00",
            "year:2015/16": "60000000.00",
        }
    )


def own_layout() -> bytes:
    header = ["Ref", "Notes", "Target cost", "Current cost", "FY 2014/15", "2015-16", "RAG"]
    return xlsx(
        SheetDef("Plan", [header, ["SAV-CC", "stale", 1, 1, 1, 1, "Red"]], state="hidden"),
        SheetDef(
            "Plan (2)",
            [
                ["Savings initiatives — refresh for the Board, July 2014"],
                [],
                header,
                ["sav-cc", "re-tendered", "£8.5m", 14_000_000, "£4,500k", "5m", "Amber"],
                ["SAV-NET ", None, None, None, None, None, None],
            ],
        ),
    )


@pytest.mark.django_db
def test_their_own_layout_beside_a_hidden_stale_sheet(seeded_plan, role_user):
    preview = preview_of("board refresh.xlsx", own_layout(), seeded_plan, role_user("finance"))
    assert preview.errors == []
    read = preview.read
    assert (read["sheet"], read["header_row"], read["hidden_sheets"], read["ignored_columns"]) == (
        "Plan (2)",
        3,
        ["Plan"],
        ["Notes"],
    )
    assert {row.row: (row.key, row.change, row.values) for row in preview.rows} == {
        4: (
            "SAV-CC",
            "changed",
            {
                "future_cost": "8500000.00",
                "cost_now": "14000000.00",
                "year:2014/15": "4500000.00",
                "year:2015/16": "5000000.00",
                "confidence": "amber",
            },
        ),
        5: ("SAV-NET", "unchanged", {}),
    }
    changed = preview.rows[0]
    assert changed.was == {
        "future_cost": "9000000.00",
        "cost_now": "14000000.00",
        "year:2014/15": "4000000.00",
        "year:2015/16": "5000000.00",
        "confidence": "",
    }


@pytest.mark.django_db
def test_a_csv_adding_initiatives_names_what_a_new_one_lacks(seeded_plan, role_user):
    data = csv_bytes(
        [
            ["Reference", "Category", "Initiative", "Cost now (£)", "Future cost (£)", "Savings type"],
            ["SAV-NEW", "Network", "Broadband for small sites", "100,000", "50,000", ""],
            ["sav-new2", "network", "Wi-Fi in custody suites", "£100k", "£50k", "Staff cost savings"],
        ]
    )
    preview = preview_of("new initiatives.csv", data, seeded_plan, role_user("finance"))
    assert_errors(
        preview.errors,
        [Err(2, "Reference", "SAV-NEW is not an initiative of the plan; to add it, give its Savings type.")],
    )
    assert {row.row: (row.key, row.change, row.values) for row in preview.rows} == {
        3: (
            "SAV-NEW2",
            "new",
            {
                "category": "Network",
                "description": "Wi-Fi in custody suites",
                "cost_now": "100000.00",
                "future_cost": "50000.00",
                "savings_type": "staff_cost_savings",
            },
        )
    }
