"""mps_ict.downloads: the one place every CSV and XLSX file is written."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from mps_ict import downloads


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 20 7230 4321", "'+44 20 7230 4321"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "'\rreturn"),
        ("-8000000.00", "-8000000.00"),  # a number written as text stays a number
        ("Data Centres", "Data Centres"),
        ("Bell\x07", "Bell\ufffd"),  # what a spreadsheet cannot hold is replaced, not a crash
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (5, 5),
        (Decimal("-1.50"), Decimal("-1.50")),
    ],
)
def test_safe_cell_neutralises_formulas_and_leaves_numbers_alone(value, cell):
    assert downloads.safe_cell(value) == cell


def test_an_xlsx_cell_reads_a_number_written_as_text_as_a_number():
    assert downloads.xlsx_cell("-5.00") == Decimal("-5.00")
    assert downloads.xlsx_cell("=1+1") == "'=1+1"


def test_csv_text_writes_every_cell_safely_and_adds_a_byte_order_mark_only_when_asked():
    rows = [["Name", "Amount"], ["=1+1", Decimal("12.50")], [], ["plain", None]]
    text = downloads.csv_text(rows)
    assert list(csv.reader(io.StringIO(text))) == [["Name", "Amount"], ["'=1+1", "12.50"], [], ["plain", ""]]
    assert not text.startswith("\ufeff")
    assert downloads.csv_text(rows, byte_order_mark=True) == "\ufeff" + text


def test_table_xlsx_writes_one_sheet_that_never_holds_a_formula():
    content = downloads.table_xlsx(["name", "amount"], [["=1+1", "-5.00"], ["@x", 3]])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Data"
    assert list(sheet.iter_rows(values_only=True)) == [("name", "amount"), ("'=1+1", -5), ("'@x", 3)]


def test_workbook_bytes_is_an_xlsx_file():
    workbook = Workbook()
    workbook.active["A1"] = downloads.safe_cell("+1")
    assert load_workbook(io.BytesIO(downloads.workbook_bytes(workbook))).active["A1"].value == "'+1"


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        ("financial-years.csv", 'attachment; filename="financial-years.csv"'),
        ('the "final" pack 2014.xlsx', 'attachment; filename="the \\"final\\" pack 2014.xlsx"'),
        ("back\\slash.csv", 'attachment; filename="back\\\\slash.csv"'),
        ("coût.csv", "attachment; filename*=utf-8''co%C3%BBt.csv"),
    ],
)
def test_the_attachment_header_quotes_the_filename(filename, header):
    assert downloads.content_disposition(filename) == header


def test_a_csv_attachment_is_utf_8_text_saved_under_its_name():
    response = downloads.csv_attachment("Name\r\n£5\r\n", "my file.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my file.csv"'
    assert response.content == "Name\r\n£5\r\n".encode()


def test_an_xlsx_attachment_has_the_spreadsheet_content_type():
    response = downloads.xlsx_attachment(b"PK", "pack.xlsx")
    assert response["Content-Type"] == downloads.XLSX_MEDIA_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="pack.xlsx"'
