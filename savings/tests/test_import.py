"""The quarter's actuals from a finance officer's own workbook, through the one import engine:
the right sheet, the right figures, and a confirm that never overwrites a colleague."""

import io
import re
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import close_old_connections, connection
from openpyxl import Workbook

from conftest import require_service
from mps_ict.financial_years import FinancialYear, Quarter
from mps_ict.imports import StaleImport, preview_keep
from savings import io as savings_io
from savings import services
from savings.models import Initiative, QuarterlyActual
from savings.tests.factories import InitiativeFactory, SavingsProfileFactory

Q2 = Quarter(FinancialYear(2014), 2)


@pytest.fixture
def people(role_user):
    return {
        "maker": role_user("finance", username="maker", first_name="Priya", last_name="Shah"),
        "colleague": role_user("finance", username="colleague", first_name="Tom", last_name="Okafor"),
    }


def officers_workbook(*, hidden_stale_sheet=True, actual_dc="£250k") -> io.BytesIO:
    """A workbook as a finance officer returns it: an old hidden sheet, their own title rows, their
    own column names and order, a column of their own, a merged comment, and a Total row."""
    workbook = Workbook()
    stale = workbook.active
    stale.title = "Actuals"
    stale.append(["Reference", "Actual saving in the quarter (£)", "Full-year forecast (£)"])
    stale.append(["SAV-DC", 999999, 4000000])
    stale.sheet_state = "hidden" if hidden_stale_sheet else "visible"
    sheet = workbook.create_sheet("Actuals (2)")
    sheet.append(["Metropolitan Police Service: ICT savings return"])
    sheet.append(["Quarter", "2014/15 Q2"])
    sheet.append(["Prepared by Finance Business Partnering"])
    sheet.append([])
    sheet.append(["Owner", "Initiative ref", "Forecast", "Actual (£)", "Notes"])
    sheet.append(["J. Smith", "SAV-DC ", "4,000,000", actual_dc, "Racks consolidated at two sites"])
    sheet.append(["J. Smith", "sav-net", 5000000, 1250000.5, None])
    sheet.merge_cells("E6:E7")
    sheet.append([None, "Total", "£9,000,000", "£1,500,000.50" if actual_dc == "£250k" else None, None])
    return as_upload(workbook, "Q2 return FINAL v3.xlsx")


def as_upload(workbook, name="actuals.xlsx") -> io.BytesIO:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def preview_of(upload, plan, user, quarter=Q2, **kwargs):
    return savings_io.actuals_preview(upload=upload, plan=plan, quarter=quarter, user=user, **kwargs)


def kept(preview, user):
    assert preview.errors == []
    return preview_keep(preview, user=user).id


def test_the_officers_workbook_previews_the_visible_sheet_with_the_typed_figures_and_confirms(mps_plan, people):
    preview = preview_of(officers_workbook(), mps_plan, people["maker"])
    assert preview.errors == []
    assert preview.read["file_name"] == "Q2 return FINAL v3.xlsx"
    assert (preview.read["sheet"], preview.read["header_row"]) == ("Actuals (2)", 5)
    assert preview.read["hidden_sheets"] == ["Actuals"]
    assert preview.read["ignored_columns"] == ["Owner"]
    assert {c["field"]: (c["letter"], c["header"]) for c in preview.read["columns"]} == {
        "reference": ("B", "Initiative ref"),
        "forecast_full_year": ("C", "Forecast"),
        "actual_saving": ("D", "Actual (£)"),
        "commentary": ("E", "Notes"),
    }
    assert preview.read["totals"] == [
        {
            "number": 8,
            "label": "Total",
            "stated": {"actual_saving": "1500000.50", "forecast_full_year": "9000000.00"},
            "added_up": {"actual_saving": "1500000.50", "forecast_full_year": "9000000.00"},
        }
    ]
    rows = {row.key: (row.row, row.values, row.change) for row in preview.rows}
    assert rows == {
        "SAV-DC": (
            6,
            {
                "actual_saving": "250000.00",
                "forecast_full_year": "4000000.00",
                "commentary": "Racks consolidated at two sites",
            },
            "new",
        ),
        "SAV-NET": (
            7,
            {
                "actual_saving": "1250000.50",
                "forecast_full_year": "5000000.00",
                "commentary": "Racks consolidated at two sites",  # the merged comment covers both rows
            },
            "new",
        ),
    }
    saved = services.actuals_confirm(
        preview_id=kept(preview, people["maker"]), plan=mps_plan, quarter=Q2, user=people["maker"]
    )
    assert saved == 2
    assert QuarterlyActual.objects.get(initiative__reference="SAV-DC").actual_saving == Decimal("250000.00")
    history = QuarterlyActual.objects.get(initiative__reference="SAV-DC").history.get()
    assert (history.history_user, history.history_change_reason) == (
        people["maker"],
        "Spreadsheet upload for 2014/15 Q2",
    )
    assert history.request_id


def test_a_total_that_does_not_add_up_is_named_with_both_figures(mps_plan, people):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Ref", "Actual", "Forecast"])
    sheet.append(["SAV-DC", 250000, 4000000])
    sheet.append(["SAV-NET", 100000, 5000000])
    sheet.append(["Total", 360000, 9000000])
    errors = preview_of(as_upload(workbook), mps_plan, people["maker"]).errors
    assert [(e.row, e.column, e.message) for e in errors] == [
        (
            4,
            "Actual",
            'The "Total" row says £360,000.00 but the rows above it add up to £350,000.00: correct the total or the rows.',
        )
    ]


def test_a_colleagues_change_between_preview_and_confirm_stops_the_confirm_with_their_name(mps_plan, people):
    preview = preview_of(officers_workbook(), mps_plan, people["maker"])
    preview_id = kept(preview, people["maker"])
    data_centres = Initiative.objects.get(reference="SAV-DC")
    services.actual_save(
        row=services.ActualInput(data_centres, Decimal("300000.00"), Decimal("4000000.00"), "By form"),
        quarter=Q2,
        user=people["colleague"],
    )
    with pytest.raises(StaleImport) as stale:
        services.actuals_confirm(preview_id=preview_id, plan=mps_plan, quarter=Q2, user=people["maker"])
    [error] = stale.value.errors
    assert (error.row, error.column) == (6, "Initiative ref")
    assert error.message.startswith("SAV-DC was changed after your preview by Tom Okafor at ")
    assert "it is now actual £300,000.00, forecast £4,000,000.00 (draft)" in error.message
    # nothing of the upload was written: the colleague's figure stands, SAV-NET has none
    assert QuarterlyActual.objects.get(initiative=data_centres).actual_saving == Decimal("300000.00")
    assert not QuarterlyActual.objects.filter(initiative__reference="SAV-NET").exists()
    # confirming it again is refused again; uploading again shows the change
    with pytest.raises(StaleImport, match="by Tom Okafor"):
        services.actuals_confirm(preview_id=preview_id, plan=mps_plan, quarter=Q2, user=people["maker"])
    again = preview_of(officers_workbook(), mps_plan, people["maker"])
    row = next(row for row in again.rows if row.key == "SAV-DC")
    assert (row.change, row.was["actual_saving"]) == ("changed", "300000.00")


def test_of_two_confirms_of_the_same_rows_the_first_wins_and_the_second_is_told(mps_plan, people):
    first = kept(preview_of(officers_workbook(), mps_plan, people["maker"]), people["maker"])
    second = kept(preview_of(officers_workbook(actual_dc=260000), mps_plan, people["colleague"]), people["colleague"])
    assert services.actuals_confirm(preview_id=first, plan=mps_plan, quarter=Q2, user=people["maker"]) == 2
    with pytest.raises(StaleImport) as stale:
        services.actuals_confirm(preview_id=second, plan=mps_plan, quarter=Q2, user=people["colleague"])
    assert {e.row for e in stale.value.errors} == {6, 7}
    assert all("by Priya Shah at" in e.message for e in stale.value.errors)
    assert QuarterlyActual.objects.get(initiative__reference="SAV-DC").actual_saving == Decimal("250000.00")


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirms_on_postgresql_go_one_at_a_time(mps_plan, role_user):
    """Two people confirm previews of the same quarter at the same moment: one wins, the other is told."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (advisory locks) is not the database")
    users = [role_user("finance", first_name=name, last_name="Finance") for name in ("Ada", "Ben")]
    previews = [
        kept(preview_of(officers_workbook(actual_dc=f"{amount}"), mps_plan, user), user)
        for amount, user in zip((250000, 260000), users, strict=True)
    ]
    outcomes = []
    barrier = threading.Barrier(2)

    def confirm(preview_id, user):
        try:
            barrier.wait()
            outcomes.append(services.actuals_confirm(preview_id=preview_id, plan=mps_plan, quarter=Q2, user=user))
        except StaleImport as stale:
            outcomes.append(stale)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=confirm, args=pair) for pair in zip(previews, users, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [outcome for outcome in outcomes if isinstance(outcome, int)]
    told = [outcome for outcome in outcomes if isinstance(outcome, StaleImport)]
    assert saved == [2] and len(told) == 1
    assert "changed after your preview by" in told[0].errors[0].message
    assert QuarterlyActual.objects.filter(financial_year=FinancialYear(2014), quarter=2).count() == 2


def test_figures_already_held_are_left_as_they_are_not_refused(mps_plan, people):
    """The template comes back prefilled with approved figures: those rows are 'as held'."""
    data_centres = Initiative.objects.get(reference="SAV-DC")
    actual = services.actual_save(
        row=services.ActualInput(data_centres, Decimal("250000.00"), Decimal("4000000.00"), "First"),
        quarter=Q2,
        user=people["maker"],
    )
    services.actuals_submit(actuals=[actual], user=people["maker"])
    services.actual_approve(actual=actual, user=people["colleague"])
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Reference", "Actual", "Forecast", "Commentary"])
    sheet.append(["SAV-DC", 250000, 4000000, "First"])
    sheet.append(["SAV-NET", 1000, 5000000, None])
    preview = preview_of(as_upload(workbook), mps_plan, people["maker"])
    assert preview.errors == []
    assert [(row.key, row.change) for row in preview.rows] == [("SAV-DC", "unchanged"), ("SAV-NET", "new")]
    assert (
        services.actuals_confirm(
            preview_id=kept(preview, people["maker"]), plan=mps_plan, quarter=Q2, user=people["maker"]
        )
        == 1
    )


def test_two_visible_sheets_with_the_columns_ask_which_one(mps_plan, people):
    upload = officers_workbook(hidden_stale_sheet=False)
    preview = preview_of(upload, mps_plan, people["maker"])
    assert preview.notes == {"sheets": ["Actuals", "Actuals (2)"]}
    assert "choose the sheet to read" in preview.errors[0].message
    upload.seek(0)
    chosen = preview_of(upload, mps_plan, people["maker"], sheet="Actuals (2)")
    assert chosen.errors == [] and chosen.read["sheet"] == "Actuals (2)"


def test_a_csv_of_the_same_table_in_semicolons_and_windows_encoding_reads_the_same(mps_plan, people):
    content = "Initiative ref;Forecast;Actual (£);Notes\r\nSAV-DC ;4.000.000;£250k;\r\n".replace("4.000.000", "4000000")
    upload = io.BytesIO(content.encode("cp1252"))
    upload.name = "return.csv"
    preview = preview_of(upload, mps_plan, people["maker"])
    assert preview.errors == []
    assert preview.read["file_kind"] == "CSV (semicolon-separated, Windows-1252)"
    assert [(r.key, r.values["actual_saving"]) for r in preview.rows] == [("SAV-DC", "250000.00")]


def test_the_preview_reads_in_a_constant_number_of_queries(mps_plan, people, django_assert_max_num_queries):
    category = Initiative.objects.get(reference="SAV-DC").category

    def workbook_of(count):
        for number in range(count):
            initiative = InitiativeFactory(category=category, reference=f"BULK-{count}-{number}")
            SavingsProfileFactory(initiative=initiative, financial_year=FinancialYear(2014))
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["Reference", "Actual", "Forecast"])
        for number in range(count):
            sheet.append([f"BULK-{count}-{number}", 1000, 400000])
        return as_upload(workbook)

    for size in (5, 60):
        upload = workbook_of(size)
        with django_assert_max_num_queries(8):
            preview = preview_of(upload, mps_plan, people["maker"])
        assert preview.errors == [] and len(preview.rows) == size


def test_a_marked_initiative_is_unknown_to_a_reader_without_view_restricted(mps_plan, role_user):
    """An upload cannot be used to find out that a sensitive reference exists."""
    from mps_ict.marking import ProtectiveMarking

    Initiative.objects.filter(reference="SAV-DC").update(protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    finance_without = role_user("finance")
    finance_without.groups.clear()
    finance_without.user_permissions.add(*Permission.objects.filter(codename="change_quarterlyactual"))
    workbook = Workbook()
    workbook.active.append(["Reference", "Actual", "Forecast"])
    workbook.active.append(["SAV-DC", 1, 4000000])
    workbook.active.append(["SAV-NOPE", 1, 4000000])
    errors = preview_of(as_upload(workbook), mps_plan, finance_without).errors
    assert [e.message for e in errors] == [
        '"SAV-DC" is not an initiative of this plan: check the reference.',
        '"SAV-NOPE" is not an initiative of this plan: check the reference.',
    ]


# --- The page and the API give the same preview ------------------------------------------------


def test_the_page_names_the_sheet_and_a_stale_confirm_names_the_colleague(mps_plan, client, people):
    client.force_login(people["maker"])
    page = client.post("/savings/actuals/2014/q2/upload/", {"spreadsheet": officers_workbook()}).content.decode()
    assert 'data-testid="upload-sheet">Actuals (2)' in page and "Hidden sheets not read: Actuals" in page
    assert "Row 5" in page and "£250,000.00" in page and "Ignored: Owner" in page
    preview_id = re.search(r'name="preview_id" value="([0-9a-f-]+)"', page).group(1)
    services.actual_save(
        row=services.ActualInput(
            Initiative.objects.get(reference="SAV-NET"), Decimal("7.00"), Decimal("5000000.00"), ""
        ),
        quarter=Q2,
        user=people["colleague"],
    )
    refused = client.post("/savings/actuals/2014/q2/upload/confirm/", {"preview_id": preview_id}).content.decode()
    assert "Nothing was saved" in refused
    assert "Row 7, Initiative ref: SAV-NET was changed after your preview by Tom Okafor" in refused
    assert not QuarterlyActual.objects.filter(initiative__reference="SAV-DC").exists()


def test_the_import_api_gives_the_pages_preview_and_commits_all_or_nothing(mps_plan, client, people):
    client.force_login(people["maker"])
    dry = client.post(
        "/api/v1/savings/actuals/import/", {"file": officers_workbook(), "quarter": "2014/15 Q2", "dry_run": "true"}
    )
    assert dry.status_code == 200, dry.content
    body = dry.json()
    page_preview = preview_of(officers_workbook(), mps_plan, people["maker"])
    assert (body["sheet"], body["header_row"], body["hidden_sheets"]) == ("Actuals (2)", 5, ["Actuals"])
    assert [(r["row"], r["key"], r["values"], r["was"], r["change"]) for r in body["rows"]] == [
        (r.row, r.key, r.values, r.was, r.change) for r in page_preview.rows
    ]
    assert body["valid"] is True and body["errors"] == [] and body["committed"] is False
    assert not QuarterlyActual.objects.exists()
    # confirming the dry run's preview writes it
    confirmed = client.post(
        "/api/v1/savings/actuals/import/", {"preview_id": body["preview_id"], "quarter": "2014/15 Q2"}
    )
    assert confirmed.status_code == 201 and confirmed.json() == {"committed": True, "saved": 2}
    # a file with a mistake: 400, every error with its row and column, nothing written
    workbook = Workbook()
    workbook.active.append(["Ref", "Actual", "Forecast"])
    workbook.active.append(["SAV-TEL", "lots", 2000000])
    workbook.active.append(["SAV-CC", 5, 4000000])
    refused = client.post("/api/v1/savings/actuals/import/", {"file": as_upload(workbook), "quarter": "2014/15 Q2"})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {
            "field": "Actual",
            "row": 2,
            "message": '"lots" is not an amount of money; enter pounds, like 1234.50, £1,234.50, (1,234) or £250k.',
        }
    ]
    assert not QuarterlyActual.objects.filter(initiative__reference="SAV-CC").exists()
    # without dry_run, a good file is written at once
    workbook.active["B2"] = "£12k"
    written = client.post("/api/v1/savings/actuals/import/", {"file": as_upload(workbook), "quarter": "2014/15 Q2"})
    assert written.status_code == 201 and written.json()["saved"] == 2
    assert QuarterlyActual.objects.get(initiative__reference="SAV-TEL").actual_saving == Decimal("12000.00")


def test_the_import_api_refuses_a_bad_quarter_and_a_stale_preview(mps_plan, client, people):
    client.force_login(people["maker"])
    bad = client.post("/api/v1/savings/actuals/import/", {"file": officers_workbook(), "quarter": "Q2"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "quarter"
    outside = client.post("/api/v1/savings/actuals/import/", {"file": officers_workbook(), "quarter": "2030/31 Q1"})
    assert outside.status_code == 400 and "outside the plan" in outside.json()["errors"][0]["message"]
    assert outside.json()["errors"][0]["field"] == "quarter"
    dry = client.post(
        "/api/v1/savings/actuals/import/", {"file": officers_workbook(), "quarter": "2014/15 Q2", "dry_run": "true"}
    ).json()
    services.actual_save(
        row=services.ActualInput(Initiative.objects.get(reference="SAV-DC"), Decimal("1.00"), Decimal("4000000.00")),
        quarter=Q2,
        user=people["colleague"],
    )
    stale = client.post("/api/v1/savings/actuals/import/", {"preview_id": dry["preview_id"], "quarter": "2014/15 Q2"})
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["row"] == 6 and "by Tom Okafor" in stale.json()["errors"][0]["message"]


def test_the_import_api_is_finance_only(mps_plan, client, role_user):
    client.force_login(role_user("board"))
    answer = client.post(
        "/api/v1/savings/actuals/import/", {"file": officers_workbook(), "quarter": "2014/15 Q2", "dry_run": "true"}
    )
    assert answer.status_code == 403


def test_the_page_asks_which_sheet_when_two_qualify(mps_plan, client, people):
    client.force_login(people["maker"])
    asked = client.post(
        "/savings/actuals/2014/q2/upload/", {"spreadsheet": officers_workbook(hidden_stale_sheet=False)}
    ).content.decode()
    assert "Which sheet should be read?" in asked
    assert 'value="Actuals"' in asked and 'value="Actuals (2)"' in asked
    chosen = client.post(
        "/savings/actuals/2014/q2/upload/",
        {"spreadsheet": officers_workbook(hidden_stale_sheet=False), "sheet": "Actuals (2)"},
    ).content.decode()
    assert 'data-testid="upload-sheet">Actuals (2)' in chosen and 'name="preview_id"' in chosen


def test_a_column_hidden_in_excel_is_not_read(mps_plan, people):
    """A stale copy of the Actual column, hidden in Excel, neither clashes with the one the user sees
    nor is read; the preview says it was left out."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Reference", "Actual", "Actual", "Forecast"])
    sheet.append(["SAV-DC", 250000, 999999, 4000000])
    sheet.column_dimensions["C"].hidden = True
    preview = preview_of(as_upload(workbook), mps_plan, people["maker"])
    assert preview.errors == []
    assert [(row.key, row.values["actual_saving"]) for row in preview.rows] == [("SAV-DC", "250000.00")]
    assert "Hidden in Excel, not read: column C (“Actual”)." in preview.read["left_out"]


def test_a_row_hidden_in_excel_is_read_and_said(mps_plan, people, client):
    """Excel's own totals count hidden rows, so they are read, and the preview asks to check them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Reference", "Actual", "Forecast"])
    sheet.append(["SAV-DC", 250000, 4000000])
    sheet.append(["SAV-NET", 1000, 5000000])
    sheet.append(["Total", 251000, 9000000])
    sheet.row_dimensions[3].hidden = True
    preview = preview_of(as_upload(workbook), mps_plan, people["maker"])
    assert preview.errors == [] and [row.key for row in preview.rows] == ["SAV-DC", "SAV-NET"]
    assert preview.read["hidden_rows"] == [3]
    client.force_login(people["maker"])
    page = client.post("/savings/actuals/2014/q2/upload/", {"spreadsheet": as_upload(workbook)}).content.decode()
    assert "Row 3 is hidden in Excel and was read like the others" in page
