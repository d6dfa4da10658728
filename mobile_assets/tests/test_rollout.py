"""Rollout actuals from the register (issue 14 part 3): "deployed" is counted from the device
register (new devices of a planned type first issued in the month), never typed; the plan is
kept per type per month by the mobile team."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from mobile_assets import selectors, services
from mobile_assets.models import RolloutPlanLine
from mobile_assets.tests.factories import (
    DeviceFactory,
    DeviceModelFactory,
    DeviceTypeFactory,
    RolloutLineFactory,
    UnitFactory,
)
from mps_ict.conflicts import Conflict, StaleVersion


@pytest.fixture
def manager(role_user):
    return role_user("asset_manager")


def _issue(device, user, on, unit):
    return services.device_assign(
        device=device, user=user, started=on, collar_number=f"PC{device.pk}", officer_unit=unit
    )


def _rows(records=None):
    return {(row.device_type_code, row.month): row for row in selectors.rollout_progress(records)}


def test_deployed_counts_new_devices_of_a_planned_type_first_issued_in_the_month(db, manager):
    # Given a plan of 10 fingerprint readers in April and May 2014, and devices of it and of another type
    reader = DeviceTypeFactory(code="fingerprint-reader", name="Fingerprint reader")
    RolloutLineFactory(device_type=reader, month=date(2014, 4, 1), planned=10)
    RolloutLineFactory(device_type=reader, month=date(2014, 5, 1), planned=10)
    model, other_model, unit = DeviceModelFactory(device_type=reader), DeviceModelFactory(), UnitFactory()
    readers = [DeviceFactory(model=model) for _ in range(4)]
    # When three are first issued in April, one of them returned and issued again in May, the
    # fourth first issued in June, and a device of an unplanned type issued in April
    for device in readers[:3]:
        _issue(device, manager, date(2014, 4, 10), unit)
    services.device_return(device=readers[0], user=manager, ended=date(2014, 5, 1))
    _issue(readers[0], manager, date(2014, 5, 2), unit)
    _issue(readers[3], manager, date(2014, 6, 3), unit)
    _issue(DeviceFactory(model=other_model), manager, date(2014, 4, 10), unit)
    # Then April deployed 3, May none (a re-issue is not a new device), June 1 with nothing planned
    rows = _rows()
    april, may, june = (rows[("fingerprint-reader", date(2014, month, 1))] for month in (4, 5, 6))
    assert (april.planned, april.deployed, april.planned_to_date, april.deployed_to_date) == (10, 3, 10, 3)
    assert (may.planned, may.deployed, may.planned_to_date, may.deployed_to_date) == (10, 0, 20, 3)
    assert (june.planned, june.deployed, june.planned_to_date, june.deployed_to_date, june.line_id) == (
        0,
        1,
        20,
        4,
        None,
    )
    assert {code for code, _ in rows} == {"fingerprint-reader"}


def test_the_plan_is_kept_per_type_per_month(db, manager):
    reader = DeviceTypeFactory()
    line = services.rollout_line_set(user=manager, device_type=reader, month=date(2014, 4, 1), planned=1250)
    assert (line.planned, line.version) == (1250, 1)
    with pytest.raises(Conflict, match="change it"):
        services.rollout_line_set(user=manager, device_type=reader, month=date(2014, 4, 1), planned=5)
    changed = services.rollout_line_set(
        user=manager, device_type=reader, month=date(2014, 4, 1), planned=1000, version=1, reason="Supplier delay"
    )
    assert (changed.planned, changed.version, changed.history.latest().history_change_reason) == (
        1000,
        2,
        "Supplier delay",
    )
    with pytest.raises(StaleVersion):
        services.rollout_line_set(user=manager, device_type=reader, month=date(2014, 4, 1), planned=900, version=1)
    with pytest.raises(ValidationError) as error:
        services.rollout_line_set(user=manager, device_type=reader, month=date(2014, 4, 15), planned=5)
    assert "month" in error.value.message_dict
    assert RolloutPlanLine.objects.get().planned == 1000


def test_the_source_figures_stay_exact_where_nobody_changed_anything(mobile_seed, client, role_user):
    headline = selectors.mobile_headline()
    assert (headline.rollout_planned, headline.rollout_deployed) == (30000, 0)
    years = selectors.rollout_by_financial_year()
    assert [(str(y.financial_year), y.planned, y.deployed) for y in years] == [
        ("2014/15", 15000, 0),
        ("2015/16", 15000, 0),
    ]
    client.force_login(role_user("board"))
    page = client.get("/mobile/").content.decode()
    assert "Planned in all: 30,000 devices; deployed so far: 0" in page


def test_issuing_devices_moves_deployed_on_the_estate_page_and_the_api(db, client, manager):
    reader = DeviceTypeFactory(code="fingerprint-reader", name="Fingerprint reader")
    line = RolloutLineFactory(device_type=reader, month=date(2014, 4, 1), planned=10)
    model, unit = DeviceModelFactory(device_type=reader), UnitFactory()
    for _ in range(3):
        _issue(DeviceFactory(model=model), manager, date(2014, 4, 2), unit)
    client.force_login(manager)
    page = client.get("/mobile/").content.decode()
    assert "Planned in all: 10 devices; deployed so far: 3" in page
    assert f"/mobile/rollout/{line.pk}/change/" in page
    api = APIClient()
    api.force_authenticate(manager)
    rows = api.get("/api/v1/mobile/rollout/").json()["results"]
    assert [(row["device_type_code"], row["month"], row["planned"], row["deployed"]) for row in rows] == [
        ("fingerprint-reader", "2014-04-01", 10, 3)
    ]
    # the plan is changed through its page, the deployed count stays the register's
    response = client.post(f"/mobile/rollout/{line.pk}/change/", {"planned": "12", "version": "1", "reason": "More"})
    assert response.status_code == 302 and response.url == "/mobile/"
    assert "Planned in all: 12 devices; deployed so far: 3" in client.get("/mobile/").content.decode()


def _estate(size, manager):
    reader = DeviceTypeFactory(code="fingerprint-reader")
    unit = UnitFactory()
    for month in range(1, size + 1):
        RolloutLineFactory(device_type=reader, month=date(2014, month, 1), planned=10)
        model = DeviceModelFactory(device_type=reader)
        for _ in range(size):
            _issue(DeviceFactory(model=model), manager, date(2014, month, 2), unit)


@pytest.mark.parametrize("size", [2, 6])
def test_rollout_progress_takes_two_queries_whatever_the_size(db, manager, django_assert_num_queries, size):
    _estate(size, manager)
    with django_assert_num_queries(2):
        rows = selectors.rollout_progress()
    assert rows[-1].deployed_to_date == size * size


@pytest.mark.parametrize("size", [2, 6])
def test_the_estate_page_and_rollout_endpoint_take_the_same_queries_whatever_the_size(
    db, client, manager, django_assert_num_queries, size
):
    _estate(size, manager)
    client.force_login(manager)
    client.get("/mobile/")  # the session, the user's groups and the figure cache, once
    with django_assert_num_queries(12):
        assert client.get("/mobile/").status_code == 200
    api = APIClient()
    api.force_authenticate(manager)
    with django_assert_num_queries(3):
        assert api.get("/api/v1/mobile/rollout/").status_code == 200
