"""Estate reference data kept by the asset manager (issue 14 part 2): services, pages, roles and
the roll-up recomputed when a benefit rule or an hourly cost changes."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from mobile_assets import io as register_io
from mobile_assets import services
from mobile_assets.choices import BenefitRole
from mobile_assets.models import BenefitRollup, BenefitRule, DeviceModel, DeviceType, HourlyCost
from mobile_assets.tests.factories import (
    BenefitRuleFactory,
    CapabilityFactory,
    DeviceFactory,
    DeviceModelFactory,
    DeviceTypeFactory,
    HourlyCostFactory,
    RolloutLineFactory,
    TransactionTypeFactory,
    UnitFactory,
    UsageFactory,
    VehicleFactory,
)
from mps_ict.conflicts import Conflict, StaleVersion
from mps_ict.financial_years import FinancialYear
from mps_ict.testing import assert_access_by_role

REPORTED = {
    "call_handler": (Decimal("1623856.00"), Decimal("73077.00")),
    "co16_processing": (Decimal("50323.00"), Decimal("2259.00")),
    "officer": (Decimal("2354306.00"), Decimal("65044.00")),
}


@pytest.fixture
def manager(role_user):
    return role_user("asset_manager")


def _reported():
    return {r.role: (r.amount, r.hours) for r in BenefitRollup.objects.filter(source="reported")}


def _computed(role):
    return {r.period_start: r for r in BenefitRollup.objects.filter(source="computed", role=role)}


# --- services ----------------------------------------------------------------------------------------


def test_a_new_device_model_is_then_accepted_by_the_register(mobile_seed):
    # Given the asset manager and an upload naming a Samsung Galaxy S4, refused as unknown
    user = User.objects.get(username="assets")
    smartphone = DeviceType.objects.get(code="smartphone")
    csv = b"Asset tag,Serial number,Model\nSP-00001,IMEI-0001,Samsung Galaxy S4\n"
    preview = register_io.devices_preview(upload=SimpleUploadedFile("register.csv", csv), user=user)
    assert any('found "Samsung Galaxy S4"; expected a device model' in error.message for error in preview.errors)
    # When they add the model
    model = services.device_model_create(
        user=user, device_type=smartphone, manufacturer="Samsung", name="Galaxy S4", reason="New handset"
    )
    # Then the same upload is accepted, and the addition is in the audit trail with its reason
    preview = register_io.devices_preview(upload=SimpleUploadedFile("register.csv", csv), user=user)
    assert not preview.errors and preview.rows[0].values["model"] == str(model) == "Samsung Galaxy S4"
    entry = model.history.get()
    assert (entry.history_user, entry.history_change_reason) == (user, "New handset")


def test_only_the_asset_manager_changes_reference_data(db, role_user):
    device_type = DeviceTypeFactory()
    for role in ("board", "finance", "programme_manager", "api_consumer"):
        with pytest.raises(PermissionDenied):
            services.device_model_create(user=role_user(role), device_type=device_type, name="Reader 1")
        with pytest.raises(PermissionDenied):
            services.hourly_cost_set(
                user=role_user(role), role=BenefitRole.OFFICER, financial_year=FinancialYear(2013), cost=Decimal("1")
            )
    assert not DeviceModel.objects.exists() and not HourlyCost.objects.exists()


def test_duplicates_are_refused_naming_the_field(db, manager):
    model = DeviceModelFactory(manufacturer="Samsung", name="Galaxy S4")
    with pytest.raises(Conflict) as error:
        services.device_model_create(
            user=manager, device_type=model.device_type, manufacturer="samsung", name="galaxy s4"
        )
    assert "name" in error.value.message_dict
    CapabilityFactory(code="fingerprint", name="Fingerprint identification")
    with pytest.raises(Conflict, match="code fingerprint"):
        services.capability_create(user=manager, code="Fingerprint", name="Prints")
    with pytest.raises(ValidationError) as error:
        services.device_type_create(user=manager, code="!!", name="Reader")
    assert "code" in error.value.message_dict


def test_a_change_needs_the_version_read(db, manager):
    device_type = DeviceTypeFactory(name="Reader")
    changed = services.device_type_update(device_type=device_type, user=manager, version=1, name="Fingerprint reader")
    assert (changed.name, changed.version) == ("Fingerprint reader", 2)
    with pytest.raises(StaleVersion):
        services.device_type_update(device_type=device_type, user=manager, version=1, name="Reader again")
    with pytest.raises(ValidationError) as error:
        services.device_type_update(device_type=device_type, user=manager, version=None, name="Reader again")
    assert "version" in error.value.message_dict
    assert DeviceType.objects.get().name == "Fingerprint reader"


def test_records_are_retired_not_deleted_and_leave_the_choices(db, manager):
    model = DeviceModelFactory()
    device_type = model.device_type
    with pytest.raises(ValidationError, match="retire them first"):
        services.reference_retire(record=device_type, user=manager, version=1, reason="Replaced")
    with pytest.raises(ValidationError, match="Say why"):
        services.reference_retire(record=model, user=manager, version=1, reason="")
    services.reference_retire(record=model, user=manager, version=1, reason="Withdrawn by the supplier")
    device_type = services.reference_retire(record=device_type, user=manager, version=1, reason="Replaced")
    assert device_type.retired_at is not None and DeviceModel.objects.filter(pk=model.pk).exists()
    with pytest.raises(ValidationError) as error:
        services.device_model_create(user=manager, device_type=device_type, name="New reader")
    assert "device_type" in error.value.message_dict
    with pytest.raises(ValidationError, match="retired device type"):
        services.reference_reinstate(record=model, user=manager, version=2)
    device_type = services.reference_reinstate(record=device_type, user=manager, version=2, reason="Back")
    assert services.device_model_create(user=manager, device_type=device_type, name="New reader").pk
    unit = services.reference_retire(record=UnitFactory(), user=manager, version=1, reason="Merged")
    with pytest.raises(ValidationError) as error:
        services.vehicle_create(user=manager, fleet_number="mv09999", unit=unit)
    assert "unit" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.device_assign(
            device=DeviceFactory(), user=manager, started=date(2014, 4, 1), collar_number="PC1", officer_unit=unit
        )
    assert "officer_unit" in error.value.message_dict
    with pytest.raises(ValidationError, match="retired model"):
        services.device_assign(
            device=DeviceFactory(model=model),
            user=manager,
            started=date(2014, 4, 1),
            collar_number="PC1",
            officer_unit=UnitFactory(),
        )
    vehicle = services.vehicle_create(user=manager, fleet_number="mv09999", unit=UnitFactory())
    assert vehicle.fleet_number == "MV09999"
    moved = services.vehicle_update(vehicle=VehicleFactory(), user=manager, version=1, unit=vehicle.unit)
    assert moved.unit == vehicle.unit and moved.version == 2


def _small_estate():
    """Two months of usage of one transaction, one officer rule and the 2012/13 hourly cost."""
    rule = BenefitRuleFactory(minutes_saved=Decimal("6.00"))
    unit = UnitFactory()
    for month in (date(2012, 9, 1), date(2012, 10, 1), date(2013, 4, 1)):
        UsageFactory(month=month, unit=unit, transaction_type=rule.transaction_type, count=100)
    HourlyCostFactory(financial_year=FinancialYear(2012), cost=Decimal("30.00"))
    HourlyCostFactory(financial_year=FinancialYear(2013), cost=Decimal("30.00"))
    services.benefit_rollup(start=date(2012, 9, 1), end=date(2013, 4, 1))
    return rule


def test_a_rule_changed_from_a_month_recomputes_that_month_on_and_keeps_the_earlier(
    db, manager, django_capture_on_commit_callbacks
):
    rule = _small_estate()
    assert _computed("officer")[date(2012, 10, 1)].amount == Decimal("300.00")  # 100 × 6 min = 10 h × £30
    with django_capture_on_commit_callbacks(execute=True):
        new = services.benefit_rule_set(
            user=manager,
            transaction_type=rule.transaction_type,
            role=BenefitRole.OFFICER,
            minutes_saved=Decimal("12.00"),
            effective_from=date(2012, 10, 1),
            reason="Re-timed",
        )
    rule.refresh_from_db()
    assert rule.effective_to == date(2012, 9, 30) and new.effective_to is None
    computed = _computed("officer")
    assert (computed[date(2012, 9, 1)].amount, computed[date(2012, 9, 1)].rules_from) == (
        Decimal("300.00"),
        date(2012, 4, 1),
    )
    assert (computed[date(2012, 10, 1)].amount, computed[date(2012, 10, 1)].rules_from) == (
        Decimal("600.00"),
        date(2012, 10, 1),
    )
    assert computed[date(2013, 4, 1)].amount == Decimal("600.00")
    # a rule between two: it ends where the later one starts
    with django_capture_on_commit_callbacks(execute=True):
        middle = services.benefit_rule_set(
            user=manager,
            transaction_type=rule.transaction_type,
            role=BenefitRole.OFFICER,
            minutes_saved=Decimal("3.00"),
            effective_from=date(2012, 9, 1),
        )
    rule.refresh_from_db()
    assert (rule.effective_to, middle.effective_to) == (date(2012, 8, 31), date(2012, 9, 30))
    assert _computed("officer")[date(2012, 9, 1)].amount == Decimal("150.00")
    assert _computed("officer")[date(2012, 10, 1)].amount == Decimal("600.00")
    # refused: not the first of a month, or a second rule from the same month
    with pytest.raises(ValidationError) as error:
        services.benefit_rule_set(
            user=manager,
            transaction_type=rule.transaction_type,
            role=BenefitRole.OFFICER,
            minutes_saved=Decimal("1"),
            effective_from=date(2012, 11, 15),
        )
    assert "effective_from" in error.value.message_dict
    with pytest.raises(Conflict, match="change that rule instead"):
        services.benefit_rule_set(
            user=manager,
            transaction_type=rule.transaction_type,
            role=BenefitRole.OFFICER,
            minutes_saved=Decimal("1"),
            effective_from=date(2012, 10, 1),
        )
    # a correction of a rule's minutes recomputes its own months only
    with django_capture_on_commit_callbacks(execute=True):
        services.benefit_rule_update(rule=middle, user=manager, version=1, minutes_saved=Decimal("4.50"))
    computed = _computed("officer")
    assert (computed[date(2012, 9, 1)].amount, computed[date(2012, 10, 1)].amount) == (
        Decimal("225.00"),
        Decimal("600.00"),
    )


def test_an_hourly_cost_change_recomputes_its_year_and_leaves_the_reported_figures(
    mobile_seed, django_capture_on_commit_callbacks
):
    # Given the estate as loaded: the reported figures and the computed months
    user = User.objects.get(username="assets")
    before = _computed("call_handler")
    other_roles = {r.pk: r.amount for r in BenefitRollup.objects.filter(source="computed").exclude(role="call_handler")}
    rate = HourlyCost.objects.get(role="call_handler", financial_year=FinancialYear(2012))
    assert _reported() == REPORTED
    # When the asset manager changes the 2012/13 call handler rate (the roll-up runs on commit)
    with django_capture_on_commit_callbacks(execute=True):
        services.hourly_cost_set(
            user=user,
            role="call_handler",
            financial_year=FinancialYear(2012),
            cost=Decimal("25.00"),
            version=rate.version,
            reason="Pay award",
        )
    # Then every 2012/13 month is priced at the new rate, hours unchanged; nothing else moves
    after = _computed("call_handler")
    in_year = [month for month in before if month in FinancialYear(2012)]
    assert in_year
    for month in in_year:
        assert after[month].hours == before[month].hours
        assert after[month].amount == (before[month].hours * Decimal("25.00")).quantize(Decimal("0.01"))
    for month in set(before) - set(in_year):
        assert after[month].amount == before[month].amount
    assert {r.pk: r.amount for r in BenefitRollup.objects.filter(source="computed").exclude(role="call_handler")} == (
        other_roles
    )
    assert _reported() == REPORTED
    rate.refresh_from_db()
    assert (rate.cost, rate.version, rate.history.latest().history_change_reason) == (Decimal("25.00"), 2, "Pay award")


def test_an_hourly_cost_is_added_once_and_then_changed(db, manager):
    rate = services.hourly_cost_set(
        user=manager, role="officer", financial_year=FinancialYear(2014), cost=Decimal("31.5")
    )
    assert rate.cost == Decimal("31.50")
    with pytest.raises(Conflict, match="change it"):
        services.hourly_cost_set(user=manager, role="officer", financial_year=FinancialYear(2014), cost=Decimal("32"))
    with pytest.raises(ValidationError) as error:
        services.hourly_cost_set(user=manager, role="officer", financial_year=FinancialYear(2015), cost=Decimal("0"))
    assert "cost" in error.value.message_dict


# --- pages and roles -----------------------------------------------------------------------------------


def test_the_roles_the_policy_names_read_and_keep_the_reference_data(db, client, role_user):
    capability, model, unit = CapabilityFactory(), DeviceModelFactory(), UnitFactory()
    vehicle, rule, rate = VehicleFactory(unit=unit), BenefitRuleFactory(), HourlyCostFactory()
    line = RolloutLineFactory(device_type=model.device_type)
    urls = [
        "/mobile/reference/",
        "/mobile/reference/capabilities/add/",
        f"/mobile/reference/capabilities/{capability.pk}/change/",
        "/mobile/reference/device-types/add/",
        f"/mobile/reference/device-types/{model.device_type_id}/change/",
        "/mobile/reference/device-models/add/",
        f"/mobile/reference/device-models/{model.pk}/change/",
        "/mobile/reference/units/add/",
        f"/mobile/reference/units/{unit.pk}/change/",
        "/mobile/reference/vehicles/add/",
        f"/mobile/reference/vehicles/{vehicle.fleet_number}/change/",
        f"/mobile/reference/device-models/{model.pk}/retire/",
        f"/mobile/reference/units/{unit.pk}/retire/",
        "/mobile/reference/benefit-rules/add/",
        f"/mobile/reference/benefit-rules/{rule.pk}/change/",
        "/mobile/reference/hourly-costs/add/",
        f"/mobile/reference/hourly-costs/{rate.pk}/change/",
        "/mobile/rollout/add/",
        f"/mobile/rollout/{line.pk}/change/",
    ]
    for url in urls:
        assert_access_by_role(client, role_user, url)
    retired = services.reference_retire(record=capability, user=role_user("asset_manager"), version=1, reason="Gone")
    assert_access_by_role(client, role_user, f"/mobile/reference/capabilities/{retired.pk}/reinstate/")
    # a POST by a reader is refused before anything is written
    assert_access_by_role(
        client, role_user, "/mobile/reference/capabilities/add/", method="post", data={"code": "", "name": ""}
    )


def test_the_asset_manager_adds_a_fingerprint_reader_model_through_its_page(db, client, manager):
    reader = DeviceTypeFactory(code="fingerprint-reader", name="Mobile fingerprint reader")
    prints = CapabilityFactory(name="Fingerprint identification")
    client.force_login(manager)
    # an empty name: the error summary names the field, nothing is written
    page = client.post("/mobile/reference/device-models/add/", {"device_type": reader.pk, "name": ""})
    assert page.status_code == 200 and "There is a problem" in page.content.decode()
    assert "Enter the model." in page.content.decode() and not DeviceModel.objects.exists()
    response = client.post(
        "/mobile/reference/device-models/add/",
        {"device_type": reader.pk, "manufacturer": "Crossmatch", "name": "Lantern", "capabilities": [prints.pk]},
    )
    assert response.status_code == 302 and response.url == "/mobile/reference/"
    model = DeviceModel.objects.get()
    assert (str(model), list(model.capabilities.all())) == ("Crossmatch Lantern", [prints])
    page = client.get("/mobile/reference/").content.decode()
    assert "Crossmatch Lantern" in page and "Added the device model Crossmatch Lantern" in page
    # a stale change is refused with what to do, and nothing is written
    services.device_model_update(device_model=model, user=manager, version=1, name="Lantern 2")
    page = client.post(f"/mobile/reference/device-models/{model.pk}/change/", {"name": "Lantern 3", "version": 1})
    assert "Somebody else changed" in page.content.decode()
    model.refresh_from_db()
    assert model.name == "Lantern 2"


def test_the_benefits_page_says_which_rule_set_produced_each_figure(mobile_seed, client, role_user):
    client.force_login(role_user("board"))
    page = client.get("/mobile/benefits/").content.decode()
    assert "Rules effective from 1 April 2012" in page
    assert "hourly costs of 2012/13" in page
    for figure in ("£1,623,856 / equivalent 73,077 hours", "£2,354,306 / equivalent 65,044 hours"):
        assert figure in page


def test_an_hourly_cost_changed_through_its_page_recomputes_the_benefits(
    mobile_seed, client, django_capture_on_commit_callbacks
):
    client.force_login(User.objects.get(username="assets"))
    rate = HourlyCost.objects.get(role="officer", financial_year=FinancialYear(2012))
    before = _computed("officer")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/mobile/reference/hourly-costs/{rate.pk}/change/",
            {"cost": "£40.00", "basis": "Revised", "reason": "Pay award", "version": rate.version},
        )
    assert response.status_code == 302 and response.url == "/mobile/benefits/"
    after = _computed("officer")
    month = min(before)
    assert after[month].amount == (before[month].hours * Decimal("40.00")).quantize(Decimal("0.01"))
    assert after[month].amount != before[month].amount
    page = client.get("/mobile/benefits/").content.decode()
    assert "£2,354,306 / equivalent 65,044 hours" in page  # the reported figure stays as published


def _reference_estate(size):
    for index in range(size):
        model = DeviceModelFactory()
        model.device_type.capabilities.add(CapabilityFactory(), CapabilityFactory())
        model.capabilities.add(CapabilityFactory())
        VehicleFactory(unit=UnitFactory())
        BenefitRuleFactory(transaction_type=TransactionTypeFactory())
        HourlyCostFactory(financial_year=FinancialYear(2010 + index))


@pytest.mark.parametrize("size", [2, 12])
def test_the_reference_page_takes_the_same_queries_whatever_its_size(
    db, client, manager, django_assert_num_queries, size
):
    _reference_estate(size)
    client.force_login(manager)
    client.get("/mobile/reference/")  # the session and the user's groups, once
    # 12, and the reader's permissions (2: whether they may see a marked contract a model is under)
    with django_assert_num_queries(14):
        page = client.get("/mobile/reference/")
    assert page.status_code == 200


def test_the_rule_page_refuses_bad_input_naming_the_field(db, client, manager):
    rule = BenefitRuleFactory()
    client.force_login(manager)
    page = client.post(
        "/mobile/reference/benefit-rules/add/",
        {
            "transaction_type": rule.transaction_type_id,
            "role": "officer",
            "minutes_saved": "-1",
            "effective_from": "2013-04",
        },
    )
    assert page.status_code == 200 and "There is a problem" in page.content.decode()
    page = client.post(
        "/mobile/reference/benefit-rules/add/",
        {
            "transaction_type": rule.transaction_type_id,
            "role": "officer",
            "minutes_saved": "5",
            "effective_from": "nonsense",
        },
    )
    assert "There is a problem" in page.content.decode()
    assert BenefitRule.objects.count() == 1
    response = client.post(
        "/mobile/reference/benefit-rules/add/",
        {
            "transaction_type": rule.transaction_type_id,
            "role": "officer",
            "minutes_saved": "5",
            "effective_from": "2013-04",
        },
    )
    assert response.status_code == 302 and BenefitRule.objects.count() == 2


# --- the API ---------------------------------------------------------------------------------------------


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_adds_and_changes_reference_data_through_the_same_services(
    db, role_user, django_capture_on_commit_callbacks
):
    reader_type = DeviceTypeFactory(code="fingerprint-reader")
    CapabilityFactory(code="fingerprint")
    manager = _api(role_user("asset_manager"))
    # a device model: 201, then 409 for the same again, 400 naming a bad field
    response = manager.post(
        "/api/v1/mobile/device-models/",
        {
            "device_type": "fingerprint-reader",
            "manufacturer": "Crossmatch",
            "name": "Lantern",
            "capabilities": ["fingerprint"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["device_type"], body["capabilities"], body["version"], body["retired"]) == (
        "fingerprint-reader",
        ["fingerprint"],
        1,
        False,
    )
    again = manager.post(
        "/api/v1/mobile/device-models/",
        {"device_type": "fingerprint-reader", "manufacturer": "Crossmatch", "name": "Lantern"},
        format="json",
    )
    assert again.status_code == 409
    bad = manager.post("/api/v1/mobile/device-models/", {"device_type": "nope", "name": "X"}, format="json")
    assert bad.status_code == 400 and "device_type" in str(bad.json())
    # a change needs the version read
    url = f"/api/v1/mobile/device-models/{body['id']}/"
    assert manager.patch(url, {"name": "Lantern 2"}, format="json").status_code == 400
    assert manager.patch(url, {"name": "Lantern 2", "version": 1}, format="json").json()["version"] == 2
    assert manager.patch(url, {"name": "Lantern 3", "version": 1}, format="json").status_code == 409
    # retire: the model first, then its type
    type_url = f"/api/v1/mobile/device-type-records/{reader_type.pk}/"
    assert manager.post(type_url + "retire/", {"reason": "Gone", "version": 1}, format="json").status_code == 400
    assert manager.post(url + "retire/", {"reason": "Gone", "version": 2}, format="json").json()["retired"] is True
    # a reader reads, and may not write
    reader = _api(role_user("board"))
    assert reader.get("/api/v1/mobile/device-models/").status_code == 200
    assert reader.post("/api/v1/mobile/units/", {"code": "x", "name": "X"}, format="json").status_code == 403
    assert not DeviceModel.objects.filter(name="X").exists()


def test_the_api_sets_a_rule_from_a_month_and_changes_an_hourly_cost(db, role_user, django_capture_on_commit_callbacks):
    rule = _small_estate()
    manager = _api(role_user("asset_manager"))
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            "/api/v1/mobile/benefit-rules/",
            {
                "transaction_type": rule.transaction_type.code,
                "role": "officer",
                "minutes_saved": "12.00",
                "effective_from": "2012-10",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert _computed("officer")[date(2012, 10, 1)].amount == Decimal("600.00")
    HourlyCost.objects.filter(financial_year=FinancialYear(2012)).update(basis="Derived")
    rate = HourlyCost.objects.get(financial_year=FinancialYear(2012))
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.patch(
            f"/api/v1/mobile/hourly-costs/{rate.pk}/", {"cost": "60.00", "version": 1}, format="json"
        )
    assert response.status_code == 200 and response.json()["cost"] == "60.00"
    assert response.json()["basis"] == "Derived"  # a PATCH without a basis leaves it as it was
    computed = _computed("officer")
    assert (computed[date(2012, 9, 1)].amount, computed[date(2012, 10, 1)].amount) == (
        Decimal("600.00"),
        Decimal("1200.00"),
    )
    assert computed[date(2013, 4, 1)].amount == Decimal("600.00")  # 2013/14 keeps its own rate
    assert (
        manager.patch(f"/api/v1/mobile/hourly-costs/{rate.pk}/", {"cost": 60, "version": 2}, format="json").status_code
        == 400
    )


@pytest.mark.parametrize("size", [2, 12])
def test_the_vehicle_list_finds_vehicles_in_the_same_queries_whatever_its_size(
    db, client, manager, role_user, django_assert_num_queries, size
):
    _reference_estate(size)
    retired = VehicleFactory(fleet_number="ZZ00001", unit=UnitFactory())
    services.reference_retire(record=retired, user=manager, version=retired.version, reason="Sold")
    client.force_login(manager)
    client.get("/mobile/reference/vehicles/")  # the session and the user's groups, once
    with django_assert_num_queries(7):  # the session, user and role; the count, the page of vehicles, the units
        page = client.get("/mobile/reference/vehicles/")
    body = page.content.decode()
    assert page.status_code == 200 and f"{size + 1} vehicles." in body
    assert "Retired</strong>" in body and "/mobile/reference/vehicles/ZZ00001/change/" in body
    # found by the start of its fleet number, or left out as retired
    found = client.get("/mobile/reference/vehicles/", {"q": "zz0"}).content.decode()
    assert "1 vehicle." in found and "ZZ00001" in found
    in_use = client.get("/mobile/reference/vehicles/", {"retired": "false"}).content.decode()
    assert f"{size} vehicles." in in_use and "ZZ00001" not in in_use
    # a board member reads it, without the links to change
    client.force_login(role_user("board"))
    board = client.get("/mobile/reference/vehicles/").content.decode()
    assert "ZZ00001" in board and "/change/" not in board and "Add a vehicle" not in board
