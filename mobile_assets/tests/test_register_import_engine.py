"""The device register and usage uploads through the import engine (issue 15): a register as the
mobile team keep it (title rows, their own column names and order, a hidden old sheet) previews the
right sheet and values; a confirm writes exactly the preview, or nothing when a device changed
since (naming the row, the new value and who); the API gives the page's preview; the preview's
queries do not grow with the file."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook
from rest_framework.test import APIClient

from mobile_assets import io as mobile_io
from mobile_assets import services
from mobile_assets.choices import DeviceStatus
from mobile_assets.models import Device, UsageStatistic
from mobile_assets.tests.factories import (
    DeviceFactory,
    DeviceModelFactory,
    TransactionTypeFactory,
    UnitFactory,
    VehicleFactory,
)
from mps_ict.imports import ImportRejected, StaleImport, preview_keep
from mps_ict.testing import assert_access_by_role

# the register as the mobile team keep it: their own names, their own order, a column we do not read
HEADER = ["Borough", "Tag", "Make and model", "S/N", "State", "Cost (£)", "Warranty expires", "Notes"]


def workbook(*rows, header=HEADER, title=True, stale_sheet=True, name="register.xlsx") -> SimpleUploadedFile:
    """A register workbook: an old hidden sheet with the same columns first, then the visible sheet
    the user edited, with two title rows above the header."""
    book = Workbook()
    old = book.active
    if stale_sheet:
        old.title = "Register"
        old.append(header)
        old.append(["Lambeth", "PDA-1", "Acme Bold", "SN-OLD", "Retired", 999999, None, "stale"])
        old.sheet_state = "hidden"
        sheet = book.create_sheet("Register (2)")
    else:
        sheet = old
        sheet.title = "Register"
    if title:
        sheet.append(["Metropolitan Police Service: mobile device register"])
        sheet.append(["Returned by the mobile team, April 2013"])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def estate(db):
    model = DeviceModelFactory(manufacturer="Acme", name="Bold")
    lambeth = UnitFactory(code="lambeth", name="Lambeth")
    camden = UnitFactory(code="camden", name="Camden")
    vehicle = VehicleFactory(fleet_number="MV00042", unit=camden)
    return {"model": model, "lambeth": lambeth, "camden": camden, "vehicle": vehicle}


@pytest.fixture
def manager(role_user):
    return role_user("asset_manager", first_name="Asha", last_name="Patel")


@pytest.fixture
def colleague(role_user):
    return role_user("asset_manager", first_name="Jane", last_name="Smith")


def existing(estate, tag="PDA-1", **fields):
    return DeviceFactory(
        asset_tag=tag, serial_number=f"SN-{tag}", model=estate["model"], unit=estate["lambeth"], **fields
    )


def preview_of(user, upload, **kwargs):
    preview = mobile_io.devices_preview(upload=upload, user=user, **kwargs)
    if not preview.errors:
        preview_keep(preview, user=user)
    return preview


# --- reading what the user sees ---------------------------------------------------------------------


def test_a_register_with_title_rows_its_own_columns_and_a_hidden_old_sheet_previews_the_right_values(estate, manager):
    # Given a device held with a purchase cost, and the team's workbook changing it and adding one
    existing(estate, purchase_cost=Decimal("300.00"))
    upload = workbook(
        ("lambeth ", "pda-1", "ACME BOLD", "SN-PDA-1", "", "£250", "31/03/2016", "new battery"),
        ("Camden", "PDA-2", "Bold", "SN-PDA-2", "in stock", "1.2k", "", ""),
    )
    # When it is previewed
    preview = preview_of(manager, upload)
    # Then the visible sheet is read, under its title rows, each column by the user's own header
    assert preview.errors == []
    assert (preview.read["sheet"], preview.read["header_row"]) == ("Register (2)", 3)
    assert preview.read["hidden_sheets"] == ["Register"]
    assert preview.read["ignored_columns"] == ["Notes"]
    assert {c["field"]: c["header"] for c in preview.read["columns"]} == {
        "unit": "Borough",
        "asset_tag": "Tag",
        "model": "Make and model",
        "serial_number": "S/N",
        "status": "State",
        "purchase_cost": "Cost (£)",
        "warranty_end": "Warranty expires",
    }
    # and each row as it will be saved, beside the device as it is
    changed, new = preview.rows
    assert (changed.row, changed.key, changed.change) == (4, "PDA-1", "changed")
    assert changed.values | {"status_date": None} == {
        "serial_number": "SN-PDA-1",
        "model": "Acme Bold",
        "status": "In stock",  # a blank status leaves it as it is
        "unit": "Lambeth",
        "purchase_date": None,
        "purchase_cost": "250.00",
        "warranty_end": "2016-03-31",
        "collar_number": "",
        "vehicle": "",
        "status_date": None,
    }
    assert (changed.was["purchase_cost"], changed.was["warranty_end"]) == ("300.00", None)
    assert changed.basis != ""  # the device's version as read
    assert (new.key, new.change, new.was, new.basis) == ("PDA-2", "new", None, "")
    assert (new.values["unit"], new.values["purchase_cost"]) == ("Camden", "1200.00")


def test_the_same_register_as_a_csv_and_with_a_total_row_reads_the_same(estate, manager):
    existing(estate, purchase_cost=Decimal("300.00"))
    content = (
        "Tag;S/N;Make and model;Cost (£)\n"
        "PDA-1;SN-PDA-1;Acme Bold;£250.00\n"
        "PDA-2;SN-PDA-2;Acme Bold;£100.00\n"
        "Total;;;£350.00\n"
    ).encode("utf-8-sig")
    preview = preview_of(manager, SimpleUploadedFile("register.csv", content))
    assert preview.errors == []
    assert [(row.key, row.values["purchase_cost"]) for row in preview.rows] == [
        ("PDA-1", "250.00"),
        ("PDA-2", "100.00"),
    ]
    assert preview.read["left_out"] == ['Row 4 ("Total") is a total: left out, and checked against the rows above.']
    # a Total that does not add up is an error naming both figures
    wrong = content.replace(b"350.00", b"360.00")
    [error] = preview_of(manager, SimpleUploadedFile("register.csv", wrong)).errors
    assert (error.row, error.column) == (4, "Cost (£)")
    assert "£360.00" in error.message and "£350.00" in error.message


def test_every_message_names_the_row_the_users_column_what_was_found_and_what_is_expected(estate, manager):
    existing(estate, "PDA-9")
    preview = preview_of(
        manager,
        workbook(
            ("Atlantis", "PDA-1", "Nokia 3310", "SN-PDA-9", "borrowed", "-£5", "soon", ""),
            ("", "", "Acme Bold", "", "", "", "", ""),
        ),
    )
    errors = {(error.row, error.column): error.message for error in preview.errors}
    assert errors == {
        (4, "Borough"): 'found "Atlantis"; expected a borough or OCU, by name or code, like "Camden"',
        (4, "Make and model"): 'found "Nokia 3310"; expected a device model of the reference data, like "Acme Bold" '
        "(a new model is added there first)",
        (4, "S/N"): "found SN-PDA-9, the serial number of PDA-9; expected this device's own serial number",
        (4, "State"): 'found "borrowed"; expected a status: In stock, Issued, In repair, Lost, Stolen, Retired '
        "(blank leaves it as it is)",
        (4, "Cost (£)"): "found −£5.00; expected an amount of £0 or more",
        (4, "Warranty expires"): 'found "soon"; expected a date, like 29/04/2013',
        (5, "Tag"): "the cell is empty; expected the device's asset tag, like PDA-00001",
        (5, "S/N"): "the cell is empty; expected the device's serial number or IMEI",
    }
    assert preview.rows == [] and preview.id == ""


# --- confirming exactly the preview, or nothing -------------------------------------------------------


def test_a_confirm_writes_the_preview_in_bulk_with_its_history_and_changes_of_status_through_the_services(
    estate, manager
):
    existing(estate, "PDA-1")
    existing(estate, "PDA-3", purchase_cost=Decimal("10.00"))  # held as the file has it: left alone
    header = ["Tag", "S/N", "Model", "Status", "Unit", "Vehicle", "Cost", "Status date"]
    preview = preview_of(
        manager,
        workbook(
            ("PDA-1", "SN-PDA-1", "Acme Bold", "Issued", "", "MV00042", "", "01/04/2013"),
            ("PDA-2", "SN-PDA-2", "Acme Bold", "", "Camden", "", "£99.99", ""),
            ("PDA-3", "SN-PDA-3", "Acme Bold", "", "Lambeth", "", "10", ""),
            header=header,
        ),
    )
    assert [row.change for row in preview.rows] == ["changed", "new", "unchanged"]
    assert preview.rows[0].values["unit"] == "Camden"  # fitted to a vehicle, in the vehicle's unit
    added, updated = services.devices_confirm(preview_id=preview.id, user=manager, reason="April register")
    assert (added, updated) == (1, 1)
    issued = Device.objects.get(asset_tag="PDA-1")
    assert (issued.status, issued.unit, issued.assignments.get().vehicle) == (
        DeviceStatus.ISSUED,
        estate["camden"],
        estate["vehicle"],
    )
    new = Device.objects.get(asset_tag="PDA-2")
    assert (new.status, new.unit, new.purchase_cost) == (DeviceStatus.IN_STOCK, estate["camden"], Decimal("99.99"))
    entry = new.history.get()
    assert (entry.history_user, entry.history_change_reason, entry.history_type) == (manager, "April register", "+")
    # the unchanged device was not written
    assert Device.objects.get(asset_tag="PDA-3").history.count() == 1


def test_a_colleagues_change_after_the_preview_stops_the_confirm_naming_the_row_the_value_and_them(
    estate, manager, colleague
):
    # Given a preview changing PDA-1's cost and adding PDA-2
    device = existing(estate, "PDA-1", purchase_cost=Decimal("300.00"))
    preview = preview_of(
        manager,
        workbook(
            ("Lambeth", "PDA-1", "Acme Bold", "SN-PDA-1", "", "£250", "", ""),
            ("Lambeth", "PDA-2", "Acme Bold", "SN-PDA-2", "", "£100", "", ""),
        ),
    )
    # When a colleague reports PDA-1 lost from its page, and then the preview is confirmed
    services.device_set_status(device=device, user=colleague, status=DeviceStatus.LOST, on=date(2013, 4, 2))
    with pytest.raises(StaleImport) as stale:
        services.devices_confirm(preview_id=preview.id, user=manager)
    # Then the confirm is refused naming the row, the column as the file heads it, the new value and who
    [error] = stale.value.errors
    assert (error.row, error.column) == (4, "State")
    assert "PDA-1 was changed after your preview by Jane Smith at " in error.message
    assert "it is now Status Lost" in error.message and "Nothing was saved" in error.message
    # and nothing was written
    device.refresh_from_db()
    assert (device.status, device.purchase_cost) == (DeviceStatus.LOST, Decimal("300.00"))
    assert not Device.objects.filter(asset_tag="PDA-2").exists()


def test_a_device_added_elsewhere_after_the_preview_stops_the_confirm(estate, manager, colleague):
    preview = preview_of(manager, workbook(("Lambeth", "PDA-7", "Acme Bold", "SN-PDA-7", "", "", "", "")))
    existing(estate, "PDA-7")  # added meanwhile (by the API, another upload)
    with pytest.raises(StaleImport) as stale:
        services.devices_confirm(preview_id=preview.id, user=manager)
    [error] = stale.value.errors
    assert (error.row, error.column) == (4, "Tag") and "PDA-7 was changed after your preview" in error.message


def test_a_preview_is_confirmed_once_the_second_confirm_is_told(estate, manager):
    preview = preview_of(manager, workbook(("Lambeth", "PDA-1", "Acme Bold", "SN-PDA-1", "", "", "", "")))
    assert services.devices_confirm(preview_id=preview.id, user=manager) == (1, 0)
    with pytest.raises(ImportRejected) as again:
        services.devices_confirm(preview_id=preview.id, user=manager)
    assert "There is no checked upload to confirm: it was confirmed already" in again.value.errors[0].message
    assert Device.objects.count() == 1


def test_only_its_uploader_confirms_a_preview(estate, manager, colleague):
    preview = preview_of(manager, workbook(("Lambeth", "PDA-1", "Acme Bold", "SN-PDA-1", "", "", "", "")))
    with pytest.raises(ImportRejected):
        services.devices_confirm(preview_id=preview.id, user=colleague)
    assert not Device.objects.exists()


# --- the pages ------------------------------------------------------------------------------------


def test_the_register_page_previews_then_confirms_and_a_stale_confirm_says_who_and_offers_to_upload_again(
    estate, manager, colleague, client
):
    device = existing(estate, "PDA-1", purchase_cost=Decimal("300.00"))
    client.force_login(manager)
    spreadsheet = workbook(("Lambeth", "PDA-1", "Acme Bold", "SN-PDA-1", "", "£250", "", ""))
    response = client.post("/mobile/devices/upload/", {"spreadsheet": spreadsheet})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check the device register upload" in page and "Register (2)" in page and "Row 3" in page
    assert "Hidden sheets not read: Register" in page
    assert "£250.00" in page and "was £300.00" in page
    preview_id = response.context["preview"].id
    assert f'value="{preview_id}"' in page
    device.refresh_from_db()
    assert device.purchase_cost == Decimal("300.00")  # nothing saved before the confirm
    # a colleague changes the device, then the confirm
    services.device_set_status(device=device, user=colleague, status=DeviceStatus.IN_REPAIR, on=date(2013, 4, 2))
    response = client.post("/mobile/devices/upload/confirm/", {"preview_id": preview_id})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Row 4, State: PDA-1 was changed after your preview by Jane Smith" in page
    assert "Upload the file again" in page and 'name="spreadsheet"' in page
    device.refresh_from_db()
    assert device.purchase_cost == Decimal("300.00")


def test_the_page_asks_which_sheet_when_two_visible_sheets_qualify(estate, manager, client):
    book = Workbook()
    for index, title in enumerate(("March", "April")):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(["Asset tag", "Serial number", "Model"])
        sheet.append([f"PDA-{index}", f"SN-{index}", "Acme Bold"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(manager)
    page = client.post(
        "/mobile/devices/upload/", {"spreadsheet": SimpleUploadedFile("two.xlsx", buffer.getvalue())}
    ).content.decode()
    assert "Which sheet should be read?" in page and 'value="April"' in page
    response = client.post(
        "/mobile/devices/upload/",
        {"spreadsheet": SimpleUploadedFile("two.xlsx", buffer.getvalue()), "sheet": "April"},
    )
    assert [row.key for row in response.context["preview"].rows] == ["PDA-1"]


def test_only_the_mobile_team_confirms_a_register_upload(estate, client, role_user):
    # nothing to confirm: the mobile team are sent back to upload
    assert_access_by_role(client, role_user, "/mobile/devices/upload/confirm/", method="post", data={}, default=302)


# --- the API gives the page's preview -------------------------------------------------------------------


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_dry_run_gives_the_pages_preview_and_confirms_it(estate, manager, client):
    existing(estate, "PDA-1", purchase_cost=Decimal("300.00"))
    rows = [("Lambeth", "PDA-1", "Acme Bold", "SN-PDA-1", "", "£250", "", ""), ("Camden", "PDA-2", "Bold", "SN-2")]
    client.force_login(manager)
    page = client.post("/mobile/devices/upload/", {"spreadsheet": workbook(*rows)}).context["preview"]
    answer = api_as(manager).post("/api/v1/mobile/devices/import/", {"file": workbook(*rows), "dry_run": "true"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["sheet"], body["header_row"], body["hidden_sheets"], body["valid"]) == (
        "Register (2)",
        3,
        ["Register"],
        True,
    )
    assert [{key: row[key] for key in ("row", "key", "values", "was", "change")} for row in body["rows"]] == [
        {"row": row.row, "key": row.key, "values": row.values, "was": row.was, "change": row.change}
        for row in page.rows
    ]
    confirmed = api_as(manager).post("/api/v1/mobile/devices/import/", {"preview_id": body["preview_id"]})
    assert (confirmed.status_code, confirmed.json()) == (201, {"committed": True, "saved": 2})


def test_the_api_answers_400_naming_row_and_column_and_409_naming_who(estate, manager, colleague):
    api = api_as(manager)
    bad = api.post("/api/v1/mobile/devices/import/", {"file": workbook(("Atlantis", "PDA-1", "Acme Bold", "SN-1"))})
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {
            "field": "Borough",
            "row": 4,
            "message": 'found "Atlantis"; expected a borough or OCU, by name or code, like "Camden"',
        }
    ]
    assert not Device.objects.exists()
    missing = api.post("/api/v1/mobile/devices/import/", {"dry_run": "true"})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "file"
    # a device changed between the dry run and its confirm: 409, nothing written
    device = existing(estate, "PDA-5")
    dry = api.post(
        "/api/v1/mobile/devices/import/",
        {"file": workbook(("Camden", "PDA-5", "Acme Bold", "SN-PDA-5")), "dry_run": "true"},
    ).json()
    services.device_set_status(device=device, user=colleague, status=DeviceStatus.STOLEN, on=date(2013, 4, 2))
    stale = api.post("/api/v1/mobile/devices/import/", {"preview_id": dry["preview_id"]})
    assert stale.status_code == 409
    [error] = stale.json()["errors"]
    assert (error["field"], error["row"]) == ("State", 4) and "Jane Smith" in error["message"]
    assert "it is now Status Stolen" in error["message"]
    device.refresh_from_db()
    assert device.unit == estate["lambeth"]


def test_only_the_mobile_team_imports_through_the_api(estate, role_user):
    for role in ("finance", "board", "api_consumer", "programme_manager"):
        answer = api_as(role_user(role)).post("/api/v1/mobile/devices/import/", {"dry_run": "true"})
        assert answer.status_code == 403, role
        answer = api_as(role_user(role)).post("/api/v1/mobile/usage/import/", {"dry_run": "true"})
        assert answer.status_code == 403, role


# --- queries do not grow with the file --------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 200])
def test_the_register_preview_takes_the_same_queries_whatever_the_size(
    estate, manager, django_assert_num_queries, size
):
    # Given a register of `size` devices, half issued, and a file naming each of them and as many new
    for index in range(size):
        device = existing(estate, f"PDA-{index}")
        if index % 2:
            services.device_assign(
                device=device,
                user=manager,
                started=date(2013, 1, 1),
                collar_number=f"PC{index}",
                officer_unit=estate["lambeth"],
            )
    rows = [("Lambeth", f"PDA-{index}", "Acme Bold", f"SN-PDA-{index}", "", "£5", "", "") for index in range(2 * size)]
    upload = workbook(*rows)
    # the models, units, vehicles, open assignments, latest versions and devices: six, at any size
    with django_assert_num_queries(6):
        preview = mobile_io.devices_preview(upload=upload, user=manager)
    assert preview.errors == [] and len(preview.rows) == 2 * size


@pytest.mark.parametrize("size", [10, 200])
def test_the_register_confirm_writes_in_bulk(estate, manager, size):
    existing_tags = [existing(estate, f"PDA-{index}").asset_tag for index in range(size)]
    rows = [("Lambeth", f"PDA-{index}", "Acme Bold", f"SN-PDA-{index}", "", "£5", "", "") for index in range(2 * size)]
    preview = preview_of(manager, workbook(*rows))
    with CaptureQueriesContext(connection) as queries:
        assert services.devices_confirm(preview_id=preview.id, user=manager) == (size, size)
    # a few queries a thousand rows, not a few a row
    assert len(queries.captured_queries) <= 40
    assert Device.objects.filter(asset_tag__in=existing_tags, purchase_cost=Decimal("5.00")).count() == size


# --- usage ------------------------------------------------------------------------------------------


@pytest.fixture
def usage_estate(db):
    units = [UnitFactory(code="lambeth", name="Lambeth"), UnitFactory(code="camden", name="Camden")]
    types = [
        TransactionTypeFactory(code="pnc-check", name="PNC check"),
        TransactionTypeFactory(code="stop", name="Stop"),
    ]
    return units, types


def usage_book(*rows, header=("Borough", "Type", "Transactions")) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = "March"
    sheet.append(["Usage by borough, March 2013"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    sheet.append(["Total", None, sum(row[2] for row in rows if isinstance(row[2], int))])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("usage.xlsx", buffer.getvalue())


def test_a_usage_preview_reads_the_users_columns_shows_what_each_count_replaces_and_confirms(usage_estate, manager):
    (lambeth, camden), (pnc, stop) = usage_estate
    services.usage_replace_month(
        month=date(2013, 3, 1),
        rows=[services.UsageRow(2, lambeth, pnc, 10), services.UsageRow(3, camden, stop, 4)],
        user=manager,
    )
    preview = mobile_io.usage_preview(
        upload=usage_book(("lambeth", "PNC CHECK", 12), ("Lambeth", "stop", 3)), month=date(2013, 3, 1), user=manager
    )
    assert preview.errors == [] and preview.read["header_row"] == 2
    assert [(row.key, row.values["count"], (row.was or {}).get("count"), row.change) for row in preview.rows] == [
        ("Lambeth / PNC check", 12, 10, "changed"),
        ("Lambeth / Stop", 3, None, "new"),
    ]
    assert preview.notes["removed"] == ["Camden / Stop"]
    assert preview.read["left_out"] == ['Row 5 ("Total") is a total: left out, and checked against the rows above.']
    preview_keep(preview, user=manager)
    assert services.usage_confirm(preview_id=preview.id, user=manager, confirm_incomplete=True) == 2
    assert sorted(UsageStatistic.objects.filter(month=date(2013, 3, 1)).values_list("count", flat=True)) == [3, 12]


def test_a_usage_confirm_after_the_month_was_replaced_is_refused_naming_the_row_and_saves_nothing(
    usage_estate, manager
):
    (lambeth, _), (pnc, _) = usage_estate
    preview = mobile_io.usage_preview(
        upload=usage_book(("Lambeth", "PNC check", 12)), month=date(2013, 3, 1), user=manager
    )
    preview_keep(preview, user=manager)
    # the month is replaced meanwhile through the API's service
    services.usage_replace_month(month=date(2013, 3, 1), rows=[services.UsageRow(0, lambeth, pnc, 99)], user=manager)
    with pytest.raises(StaleImport) as stale:
        services.usage_confirm(preview_id=preview.id, user=manager)
    [error] = stale.value.errors
    assert (error.row, error.column) == (3, "Transactions")
    assert "The usage for March 2013 was replaced after your preview" in error.message
    assert "Lambeth / PNC check is now 99" in error.message
    assert list(UsageStatistic.objects.values_list("count", flat=True)) == [99]


def test_the_usage_api_previews_with_its_coverage_and_confirms_with_the_flag(usage_estate, manager):
    api = api_as(manager)
    body = api.post(
        "/api/v1/mobile/usage/import/",
        {"file": usage_book(("Lambeth", "PNC check", 12)), "month": "2013-03", "dry_run": "true"},
    ).json()
    assert body["valid"] and body["coverage"]["incomplete"] is False and body["removed"] == []
    assert [(row["key"], row["values"]["count"]) for row in body["rows"]] == [("Lambeth / PNC check", 12)]
    saved = api.post("/api/v1/mobile/usage/import/", {"preview_id": body["preview_id"]})
    assert (saved.status_code, saved.json()) == (201, {"committed": True, "saved": 1})
    # a month with no file: 400 naming the month
    missing = api.post("/api/v1/mobile/usage/import/", {"file": usage_book(("Lambeth", "PNC check", 1))})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "month"
    # a bad row: 400 naming the row and the user's column
    bad = api.post(
        "/api/v1/mobile/usage/import/", {"file": usage_book(("Atlantis", "PNC check", 1)), "month": "2013-04"}
    )
    assert bad.status_code == 400
    assert [(e["field"], e["row"]) for e in bad.json()["errors"]] == [("Borough", 3)]


def test_a_usage_total_that_does_not_add_up_is_named_in_transactions(usage_estate, manager):
    book = Workbook()
    sheet = book.active
    sheet.append(["Unit", "Transaction type", "Count"])
    sheet.append(["Lambeth", "PNC check", "1,200"])
    sheet.append(["Lambeth", "Stop", 30])
    sheet.append(["Grand total", None, 1300])
    buffer = io.BytesIO()
    book.save(buffer)
    preview = mobile_io.usage_preview(
        upload=SimpleUploadedFile("usage.xlsx", buffer.getvalue()), month=date(2013, 3, 1), user=manager
    )
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (
            4,
            "Count",
            'The "Grand total" row says 1,300 transactions but the rows above it add up to 1,230: correct the total '
            "or the rows.",
        )
    ]


def test_two_previews_of_the_same_devices_the_second_confirm_is_told_who_confirmed_first(estate, manager, colleague):
    # Given the same device changed in two previews, by two people
    existing(estate, "PDA-1", purchase_cost=Decimal("300.00"))
    mine = preview_of(manager, workbook(("Lambeth", "PDA-1", "Acme Bold", "SN-PDA-1", "", "£250", "", "")))
    theirs = preview_of(colleague, workbook(("Lambeth", "PDA-1", "Acme Bold", "SN-PDA-1", "", "£275", "", "")))
    # When the colleague confirms first (confirms of the register go one at a time: mps_ict.imports.hold)
    assert services.devices_confirm(preview_id=theirs.id, user=colleague) == (0, 1)
    # Then the second is told what the device is now and who changed it, and writes nothing
    with pytest.raises(StaleImport) as stale:
        services.devices_confirm(preview_id=mine.id, user=manager)
    [error] = stale.value.errors
    assert (error.row, error.column) == (4, "Cost (£)")
    assert "by Jane Smith at" in error.message and "it is now Purchase cost £275.00" in error.message
    assert Device.objects.get().purchase_cost == Decimal("275.00")


def test_a_boroughs_name_merged_down_over_its_rows_counts_for_each(usage_estate, manager):
    book = Workbook()
    sheet = book.active
    sheet.append(["Unit", "Transaction type", "Count"])
    sheet.append(["Lambeth", "PNC check", 5])
    sheet.append([None, "Stop", 7])
    sheet.merge_cells("A2:A3")
    buffer = io.BytesIO()
    book.save(buffer)
    preview = mobile_io.usage_preview(
        upload=SimpleUploadedFile("usage.xlsx", buffer.getvalue()), month=date(2013, 3, 1), user=manager
    )
    assert preview.errors == []
    assert [(row.key, row.values["count"]) for row in preview.rows] == [
        ("Lambeth / PNC check", 5),
        ("Lambeth / Stop", 7),
    ]


def test_the_usage_page_says_a_month_replaced_after_the_preview_and_offers_to_upload_again(
    usage_estate, manager, client
):
    (lambeth, _), (pnc, _) = usage_estate
    client.force_login(manager)
    response = client.post(
        "/mobile/usage/upload/", {"month": "2013-03", "spreadsheet": usage_book(("Lambeth", "PNC check", 12))}
    )
    page = response.content.decode()
    assert "Check the usage for March 2013" in page and "Row 2" in page  # the header row read, under the title
    services.usage_replace_month(month=date(2013, 3, 1), rows=[services.UsageRow(0, lambeth, pnc, 99)], user=manager)
    response = client.post("/mobile/usage/upload/confirm/", {"preview_id": response.context["preview"].id})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Row 3, Transactions: The usage for March 2013 was replaced after your preview" in page
    assert "Lambeth / PNC check is now 99" in page and 'name="spreadsheet"' in page
    assert list(UsageStatistic.objects.values_list("count", flat=True)) == [99]
