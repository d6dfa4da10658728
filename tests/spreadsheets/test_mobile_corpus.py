"""The corpus's register and usage files (tests/spreadsheets/mobile_corpus.py) end to end through
the estate's uploads, each with its exact preview: the sheet and header row read, the hidden and
other sheets, the ignored columns, the rows left out, every row to write with its values, and
every error by row, column and message; the same through the import API (dry_run); and each clean
file confirmed, writing what its preview showed."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mobile_assets import io as mobile_io
from mobile_assets.tests.factories import (
    DeviceFactory,
    DeviceModelFactory,
    TransactionTypeFactory,
    UnitFactory,
    VehicleFactory,
)
from tests.spreadsheets.mobile_corpus import ESTATE, MOBILE_CASES, MobileCase
from tests.spreadsheets.test_corpus import assert_errors

MARCH_2013 = date(2013, 3, 1)


@pytest.fixture
def estate(db):
    units = {code: UnitFactory(code=code, name=name) for code, name in ESTATE["units"]}
    for code, name in ESTATE["transaction_types"]:
        TransactionTypeFactory(code=code, name=name)
    models = {}
    for manufacturer, name in ESTATE["models"]:
        model = DeviceModelFactory(manufacturer=manufacturer, name=name)
        models[str(model)] = model
    for fleet_number, unit in ESTATE["vehicles"]:
        VehicleFactory(fleet_number=fleet_number, unit=units[unit])
    for tag, serial, model, unit in ESTATE["devices"]:
        DeviceFactory(asset_tag=tag, serial_number=serial, model=models[model], unit=units[unit])


def params(cases):
    return [
        pytest.param(case, id=case.id, marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [])
        for case in cases
    ]


@pytest.mark.parametrize("case", params(MOBILE_CASES))
def test_the_estate_uploads_preview_each_file_as_expected(case: MobileCase, estate, role_user):
    upload = SimpleUploadedFile(case.file_name, case.build())
    user = role_user("asset_manager")
    if case.upload == "register":
        preview = mobile_io.devices_preview(upload=upload, user=user)
    else:
        preview = mobile_io.usage_preview(upload=upload, month=MARCH_2013, user=user)
    read = preview.read
    assert (read["file_name"], read["file_kind"], read["sheet"], read["header_row"]) == (
        case.file_name,
        case.file_kind,
        case.sheet,
        case.header_row,
    )
    assert read["hidden_sheets"] == list(case.hidden_sheets)
    assert read["other_sheets"] == list(case.other_sheets)
    assert read["ignored_columns"] == list(case.ignored_columns)
    assert len(read["left_out"]) == len(case.left_out), read["left_out"]
    for note, wanted in zip(read["left_out"], case.left_out, strict=True):
        assert wanted in note, (note, wanted)
    assert {row.row: (row.key, row.values) for row in preview.rows} == case.rows
    assert {row.row: row.change for row in preview.rows} == (case.changes or dict.fromkeys(case.rows, "new"))
    assert_errors(preview.errors, case.errors)


CLEAN = params([case for case in MOBILE_CASES if not case.errors])


@pytest.mark.parametrize("case", CLEAN)
def test_confirming_each_clean_estate_file_writes_what_its_preview_showed(case: MobileCase, estate, role_user):
    from mobile_assets import services
    from mobile_assets.models import Device, UsageStatistic
    from mps_ict.imports import preview_keep

    upload = SimpleUploadedFile(case.file_name, case.build())
    user = role_user("asset_manager")
    if case.upload == "register":
        preview = preview_keep(mobile_io.devices_preview(upload=upload, user=user), user=user)
        assert preview.errors == []
        added, updated = services.devices_confirm(preview_id=preview.id, user=user, reason="corpus")
        changes = list((case.changes or dict.fromkeys(case.rows, "new")).values())
        assert (added, updated) == (changes.count("new"), changes.count("changed"))
        held = {
            device.asset_tag: (device.serial_number, str(device.model), device.unit.name if device.unit else None)
            for device in Device.objects.select_related("model", "unit")
        }
        for key, values in case.rows.values():
            assert held[key] == (values["serial_number"], values["model"], values["unit"])
    else:
        preview = preview_keep(mobile_io.usage_preview(upload=upload, month=MARCH_2013, user=user), user=user)
        assert preview.errors == []
        assert services.usage_confirm(preview_id=preview.id, user=user) == len(case.rows)
        saved = {
            (usage.unit.name, usage.transaction_type.name): usage.count
            for usage in UsageStatistic.objects.filter(month=MARCH_2013).select_related("unit", "transaction_type")
        }
        assert saved == {
            (values["unit"], values["transaction_type"]): values["count"] for _, values in case.rows.values()
        }


@pytest.mark.parametrize("case", params(MOBILE_CASES))
def test_the_estate_import_api_gives_the_pages_preview_of_each_file(case: MobileCase, estate, role_user, client):
    user = role_user("asset_manager")
    client.force_login(user)
    form = {"file": SimpleUploadedFile(case.file_name, case.build()), "dry_run": "true"}
    if case.upload == "register":
        answer = client.post("/api/v1/mobile/devices/import/", form)
        page = mobile_io.devices_preview(upload=SimpleUploadedFile(case.file_name, case.build()), user=user)
    else:
        answer = client.post("/api/v1/mobile/usage/import/", form | {"month": "2013-03"})
        page = mobile_io.usage_preview(
            upload=SimpleUploadedFile(case.file_name, case.build()), month=MARCH_2013, user=user
        )
    assert answer.status_code == 200, answer.content[:500]
    body = answer.json()
    assert (body["sheet"], body["header_row"], body["hidden_sheets"], body["ignored_columns"]) == (
        case.sheet,
        case.header_row,
        list(case.hidden_sheets),
        list(case.ignored_columns),
    )
    assert [(r["row"], r["key"], r["values"], r["change"]) for r in body["rows"]] == [
        (r.row, r.key, r.values, r.change) for r in page.rows
    ]
    assert body["errors"] == [error.as_dict() for error in page.errors]
