from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from mobile_assets import services
from mobile_assets.choices import DeviceStatus
from mobile_assets.models import (
    BenefitRollup,
    Device,
    DeviceType,
    OrganisationalUnit,
    TransactionType,
    UsageStatistic,
    Vehicle,
)
from mps_ict.loaders import upsert


def test_the_estate_loads_as_reported(mobile_seed):
    counts = {t.code: Device.objects.filter(model__device_type=t).count() for t in DeviceType.objects.all()}
    assert counts == {"mdt": 1425, "pda": 3500, "blackberry": 2405, "fingerprint-reader": 0, "smartphone": 0}
    mdt = DeviceType.objects.get(code="mdt")
    assert (mdt.vehicles_fitted, mdt.supported_users) == (1425, 22000)
    assert Vehicle.objects.count() == 1425
    assert {c.code for c in DeviceType.objects.get(code="pda").capabilities.all()} == {
        "pnc",
        "carb",
        "fpn",
        "email",
        "voters",
        "nmpr",
        "form-5090",
    }
    assert not Device.objects.filter(is_illustrative=False).exists()


def test_the_reported_pda_benefits_load_exactly(mobile_seed):
    reported = {r.role: (r.amount, r.hours) for r in BenefitRollup.objects.filter(source="reported")}
    assert reported == {
        "call_handler": (Decimal("1623856.00"), Decimal("73077.00")),
        "co16_processing": (Decimal("50323.00"), Decimal("2259.00")),
        "officer": (Decimal("2354306.00"), Decimal("65044.00")),
    }
    assert all(
        r.period_start == date(2012, 9, 1) and r.period_end == date(2013, 2, 1)
        for r in BenefitRollup.objects.filter(source="reported")
    )


def test_loading_twice_changes_nothing(mobile_seed):
    before = (Device.objects.count(), UsageStatistic.objects.count(), BenefitRollup.history.count())
    call_command("load_mobile_estate", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Device.objects.count(), UsageStatistic.objects.count(), BenefitRollup.history.count()) == before


def test_rollup_is_usage_times_rules_times_rates_and_rerunning_changes_nothing(db):
    unit = OrganisationalUnit.objects.create(code="lambeth", name="Lambeth")
    pnc = TransactionType.objects.create(code="pnc-check", name="PNC check")
    upsert(
        services.BenefitRule,
        {"transaction_type": pnc, "role": "call_handler", "effective_from": date(2012, 4, 1)},
        minutes_saved=Decimal("3.00"),
    )
    upsert(services.HourlyCost, {"role": "call_handler", "financial_year": "2012/13"}, cost=Decimal("20.00"))
    UsageStatistic.objects.create(
        month=date(2012, 9, 1), financial_year="2012/13", unit=unit, transaction_type=pnc, count=1000
    )
    assert services.benefit_rollup(start=date(2012, 9, 1), end=date(2012, 9, 1)) == 1
    rollup = BenefitRollup.objects.get(source="computed")
    assert (rollup.hours, rollup.amount) == (Decimal("50.00"), Decimal("1000.00"))  # 1,000 × 3 min = 50 h × £20
    history = rollup.history.count()
    services.benefit_rollup(start=date(2012, 9, 1), end=date(2012, 9, 1))
    assert BenefitRollup.objects.filter(source="computed").count() == 1 and rollup.history.count() == history


def test_assign_return_and_report_stolen(mobile_seed):
    user = User.objects.get(username="assets")
    device = Device.objects.get(asset_tag="PDA-00001")
    with pytest.raises(ValidationError, match="return it to stock first"):
        services.device_assign(
            device=device, user=user, started=date(2013, 4, 1), collar_number="PC123", officer_unit=device.unit
        )
    services.device_return(device=device, user=user, ended=date(2013, 4, 2))
    assignment = services.device_assign(
        device=device,
        user=user,
        started=date(2013, 4, 3),
        collar_number="pc999",
        officer_unit=OrganisationalUnit.objects.get(code="lambeth"),
    )
    assert assignment.collar_number == "PC999"
    device.refresh_from_db()
    assert device.status == DeviceStatus.ISSUED and device.unit.code == "lambeth"
    services.device_set_status(device=device, user=user, status=DeviceStatus.STOLEN, on=date(2013, 5, 1))
    device.refresh_from_db()
    assert device.status == DeviceStatus.STOLEN
    assert device.assignments.filter(ended__isnull=True).count() == 0
    assert [h.status for h in device.history.order_by("history_date")][-3:] == ["in_stock", "issued", "stolen"]


def test_only_the_mobile_team_changes_the_register(mobile_seed, role_user):
    device = Device.objects.get(asset_tag="PDA-00002")
    for role in ("board", "finance", "programme_manager", "api_consumer"):
        with pytest.raises(PermissionDenied):
            services.device_return(device=device, user=role_user(role), ended=date(2013, 4, 2))
