"""The register upload obeys the register's rules (issue 14 part 4): a change of status in an
upload goes through the device page's services, or the row is refused naming its row and column,
and nothing of the upload is written. Since issue 15 the file is read by the import engine into a
preview (which checks what needs only the file and the register) and the preview is confirmed
(which applies the device page's own rules)."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from mobile_assets import io as mobile_io
from mobile_assets import services
from mobile_assets.choices import DeviceStatus
from mobile_assets.models import Assignment, Device, DeviceModel, DeviceType, OrganisationalUnit, Vehicle
from mps_ict.imports import ImportRejected, preview_keep

HEADER = ["Asset tag", "Serial number", "Model", "Status", "Unit", "Collar number", "Vehicle", "Status date"]


def workbook(*rows, header=HEADER) -> SimpleUploadedFile:
    """A real .xlsx register file: the header, then the rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("register.xlsx", buffer.getvalue())


@pytest.fixture
def estate(db):
    pda = DeviceType.objects.create(code="pda", name="PDA")
    model = DeviceModel.objects.create(device_type=pda, manufacturer="BlackBerry", name="Bold 9790")
    lambeth = OrganisationalUnit.objects.create(code="lambeth", name="Lambeth")
    vehicle = Vehicle.objects.create(fleet_number="MV00042", unit=lambeth)
    return {"model": model, "unit": lambeth, "vehicle": vehicle}


@pytest.fixture
def asset_manager(role_user):
    return role_user("asset_manager")


def device(estate, tag="PDA-1", status=DeviceStatus.IN_STOCK):
    return Device.objects.create(asset_tag=tag, serial_number=f"SN-{tag}", model=estate["model"], status=status)


def upload(asset_manager, *rows):
    """Preview the rows and confirm the preview; refused (ImportRejected) by either."""
    preview = mobile_io.devices_preview(upload=workbook(*rows), user=asset_manager)
    if preview.errors:
        raise ImportRejected(preview.errors)
    preview_keep(preview, user=asset_manager)
    return services.devices_confirm(
        preview_id=preview.id, user=asset_manager, reason="test upload", today=date(2013, 4, 1)
    )


def test_issuing_in_an_upload_opens_an_assignment_like_the_device_page(estate, asset_manager):
    # Given a new device and a device in stock
    device(estate, "PDA-2")
    # When the upload issues one to an officer and fits the other to a vehicle
    created, updated = upload(
        asset_manager,
        ("PDA-1", "SN-PDA-1", "BlackBerry Bold 9790", "Issued", "Lambeth", "pc1234", "", "29/04/2013"),
        ("PDA-2", "SN-PDA-2", "BlackBerry Bold 9790", "issued", "", "", "MV00042", ""),
    )
    # Then both are issued, each with its one open assignment
    assert (created, updated) == (1, 1)
    first = Assignment.objects.get(device__asset_tag="PDA-1", ended__isnull=True)
    assert (first.collar_number, first.officer_unit, first.started) == ("PC1234", estate["unit"], date(2013, 4, 29))
    assert first.assigned_by == asset_manager
    second = Assignment.objects.get(device__asset_tag="PDA-2", ended__isnull=True)
    assert (second.vehicle, second.started) == (estate["vehicle"], date(2013, 4, 1))  # blank date: upload day
    assert set(Device.objects.values_list("status", flat=True)) == {DeviceStatus.ISSUED}
    assert Device.objects.get(asset_tag="PDA-2").unit == estate["unit"]  # the vehicle's unit


def test_issuing_to_nobody_is_refused_naming_the_row_and_column_and_nothing_is_written(estate, asset_manager):
    device(estate, "PDA-2")
    fine = ("PDA-1", "SN-PDA-1", "BlackBerry Bold 9790", "", "Lambeth", "", "", "")  # fine on its own
    no_unit = ("PDA-3", "SN-PDA-3", "BlackBerry Bold 9790", "Issued", "", "PC9", "", "")  # officer without a unit
    # the preview finds a device issued to nobody (it needs only the file)
    with pytest.raises(ImportRejected) as rejected:
        upload(
            asset_manager, fine, ("PDA-2", "SN-PDA-2", "BlackBerry Bold 9790", "Issued", "Lambeth", "", "", ""), no_unit
        )
    errors = {(error.row, error.column): error.message for error in rejected.value.errors}
    assert list(errors) == [(3, "Status")] and "cannot be issued to nobody" in errors[(3, "Status")]
    # that row corrected, the confirm applies the device page's rule: an officer needs their unit
    with pytest.raises(ImportRejected) as rejected:
        upload(
            asset_manager,
            fine,
            ("PDA-2", "SN-PDA-2", "BlackBerry Bold 9790", "Issued", "Lambeth", "PC2", "", ""),
            no_unit,
        )
    errors = {(error.row, error.column): error.message for error in rejected.value.errors}
    assert errors == {(4, "Unit"): "Give the officer's borough or OCU."}
    # all or nothing: the good rows were not written either
    assert list(Device.objects.values_list("asset_tag", "status")) == [("PDA-2", DeviceStatus.IN_STOCK)]
    assert not Assignment.objects.exists()


def test_retiring_or_losing_in_an_upload_closes_the_open_assignment(estate, asset_manager):
    for tag in ("PDA-1", "PDA-2", "PDA-3"):
        services.device_assign(
            device=device(estate, tag),
            user=asset_manager,
            started=date(2013, 1, 1),
            collar_number=f"PC{tag[-1]}",
            officer_unit=estate["unit"],
        )
    upload(
        asset_manager,
        ("PDA-1", "SN-PDA-1", "BlackBerry Bold 9790", "Retired", "Lambeth", "", "", "2013-03-31"),
        ("PDA-2", "SN-PDA-2", "BlackBerry Bold 9790", "Lost", "Lambeth", "", "", "01/03/2013"),
        ("PDA-3", "SN-PDA-3", "BlackBerry Bold 9790", "In stock", "Lambeth", "", "", ""),
    )
    statuses = dict(Device.objects.values_list("asset_tag", "status"))
    assert statuses == {"PDA-1": DeviceStatus.RETIRED, "PDA-2": DeviceStatus.LOST, "PDA-3": DeviceStatus.IN_STOCK}
    assert not Assignment.objects.filter(ended__isnull=True).exists()
    ended = dict(Assignment.objects.values_list("device__asset_tag", "ended"))
    assert ended == {"PDA-1": date(2013, 3, 31), "PDA-2": date(2013, 3, 1), "PDA-3": date(2013, 4, 1)}


def test_what_the_device_page_refuses_the_upload_refuses_too(estate, asset_manager):
    services.device_assign(
        device=device(estate, "PDA-1"),
        user=asset_manager,
        started=date(2013, 2, 1),
        collar_number="PC1",
        officer_unit=estate["unit"],
    )
    device(estate, "PDA-2", status=DeviceStatus.LOST)
    device(estate, "PDA-3")
    rows = [
        # retired before it was issued
        ("PDA-1", "SN-PDA-1", "BlackBerry Bold 9790", "Retired", "Lambeth", "", "", "01/01/2013"),
        # a lost device is not issued again without coming back to stock
        ("PDA-2", "SN-PDA-2", "BlackBerry Bold 9790", "Issued", "Lambeth", "PC2", "", ""),
        # a holder for a device not being issued
        ("PDA-3", "SN-PDA-3", "BlackBerry Bold 9790", "", "Lambeth", "PC3", "", ""),
    ]
    # the preview refuses the holder of a device not issued (it needs only the file and the register)
    with pytest.raises(ImportRejected) as rejected:
        upload(asset_manager, *rows)
    errors = {(error.row, error.column): error.message for error in rejected.value.errors}
    assert errors == {
        (4, "Collar number"): "Only an issued device has a holder: set Status to Issued, or leave Collar number "
        "and Vehicle blank.",
    }
    # that row corrected, the confirm refuses what the device page refuses
    rows[2] = ("PDA-3", "SN-PDA-3", "BlackBerry Bold 9790", "", "Lambeth", "", "", "")
    with pytest.raises(ImportRejected) as rejected:
        upload(asset_manager, *rows)
    errors = {(error.row, error.column): error.message for error in rejected.value.errors}
    assert errors == {
        (2, "Status date"): "The device was issued on 01 February 2013; end on or after it.",
        (3, "Status"): "PDA-2 is lost; return it to stock first.",
    }
    assert Device.objects.get(asset_tag="PDA-1").status == DeviceStatus.ISSUED
    assert Assignment.objects.filter(ended__isnull=True).count() == 1


def test_a_blank_status_leaves_an_issued_device_issued_and_a_new_holder_needs_a_return_first(estate, asset_manager):
    services.device_assign(
        device=device(estate, "PDA-1"),
        user=asset_manager,
        started=date(2013, 2, 1),
        collar_number="PC1",
        officer_unit=estate["unit"],
    )
    # a blank status (the old upload put the device back in stock without ending its issue)
    upload(asset_manager, ("PDA-1", "SN-PDA-1", "BlackBerry Bold 9790", "", "Lambeth", "", "", ""))
    assert Device.objects.get(asset_tag="PDA-1").status == DeviceStatus.ISSUED
    # issued again to the same officer: nothing changes; to another: refused
    upload(asset_manager, ("PDA-1", "SN-PDA-1", "BlackBerry Bold 9790", "Issued", "Lambeth", "PC1", "", ""))
    with pytest.raises(ImportRejected) as rejected:
        upload(asset_manager, ("PDA-1", "SN-PDA-1", "BlackBerry Bold 9790", "Issued", "Lambeth", "PC7", "", ""))
    [error] = rejected.value.errors
    assert (error.row, error.column) == (2, "Collar number")
    assert "issued to PC1; to issue it to PC7, return it to stock first" in error.message
    assert Assignment.objects.get().collar_number == "PC1"


def test_an_unknown_vehicle_is_named_when_the_file_is_read(estate, asset_manager):
    preview = mobile_io.devices_preview(
        upload=workbook(("PDA-1", "SN-PDA-1", "BlackBerry Bold 9790", "Issued", "", "", "MV99999", "soon")),
        user=asset_manager,
    )
    assert {(e.row, e.column, e.message) for e in preview.errors} == {
        (2, "Vehicle", 'found "MV99999", which is not a vehicle of the fleet; expected a fleet number, like MV00042'),
        (2, "Status date", 'found "soon"; expected a date, like 29/04/2013'),
    }
    assert preview.rows == []


def test_the_upload_page_lists_every_refusal_and_saves_nothing(estate, asset_manager, client):
    client.force_login(asset_manager)
    spreadsheet = workbook(
        ("PDA-1", "SN-PDA-1", "BlackBerry Bold 9790", "Issued", "Lambeth", "", "", ""),
        ("PDA-2", "SN-PDA-2", "BlackBerry Bold 9790", "Retired", "", "", "", ""),
    )
    response = client.post("/mobile/devices/upload/", {"spreadsheet": spreadsheet})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The upload has a problem. Nothing was saved." in page
    assert "Row 2, Status: PDA-1 cannot be issued to nobody" in page
    assert "/mobile/devices/upload/confirm/" not in page
    assert not Device.objects.exists()
    # and a good file is previewed, then confirmed through the same services
    spreadsheet = workbook(("PDA-1", "SN-PDA-1", "BlackBerry Bold 9790", "Issued", "Lambeth", "PC1", "", ""))
    response = client.post("/mobile/devices/upload/", {"spreadsheet": spreadsheet})
    assert response.status_code == 200 and not Device.objects.exists()
    response = client.post("/mobile/devices/upload/confirm/", {"preview_id": response.context["preview"].id})
    assert response.status_code == 302
    assert Assignment.objects.get(ended__isnull=True).device.asset_tag == "PDA-1"


def test_only_the_mobile_team_uploads_the_register(estate, client, role_user):
    from mps_ict.testing import assert_access_by_role

    assert_access_by_role(client, role_user, "/mobile/devices/upload/")


def test_a_retired_model_takes_no_new_device_but_keeps_its_own(estate, asset_manager):
    from django.utils import timezone

    # Given a device of a model since retired
    device(estate, "PDA-1")
    estate["model"].retired_at = timezone.now()
    estate["model"].save()
    # When the register comes back with that device and a new one of the retired model
    preview = mobile_io.devices_preview(
        upload=workbook(
            ("PDA-1", "SN-PDA-1", "BlackBerry Bold 9790", "", "", "", "", ""),
            ("PDA-9", "SN-PDA-9", "BlackBerry Bold 9790", "", "", "", "", ""),
        ),
        user=asset_manager,
    )
    # Then only the new device is refused, naming its row, column and why
    assert [(e.row, e.column) for e in preview.errors] == [(3, "Model")]
    assert "retired model" in preview.errors[0].message
    assert [row.key for row in preview.rows] == ["PDA-1"]
