"""Factories for the mobile estate's records (small, self-contained estates for service tests)."""

from datetime import date
from decimal import Decimal

import factory

from mobile_assets.choices import BenefitRole, DeviceStatus
from mobile_assets.models import (
    BenefitRule,
    Capability,
    Device,
    DeviceModel,
    DeviceType,
    HourlyCost,
    OrganisationalUnit,
    RolloutPlanLine,
    TransactionType,
    UsageStatistic,
    Vehicle,
)
from mps_ict.financial_years import FinancialYear


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability

    code = factory.Sequence(lambda n: f"capability-{n}")
    name = factory.Sequence(lambda n: f"Capability {n}")


class DeviceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceType

    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Device type {n}")


class DeviceModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceModel

    device_type = factory.SubFactory(DeviceTypeFactory)
    manufacturer = "Acme"
    name = factory.Sequence(lambda n: f"Model {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationalUnit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Unit {n}")


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    fleet_number = factory.Sequence(lambda n: f"TV{n:05d}")
    unit = factory.SubFactory(UnitFactory)


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    asset_tag = factory.Sequence(lambda n: f"T-{n:05d}")
    serial_number = factory.Sequence(lambda n: f"SN-T-{n:07d}")
    model = factory.SubFactory(DeviceModelFactory)
    status = DeviceStatus.IN_STOCK


class TransactionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransactionType

    code = factory.Sequence(lambda n: f"transaction-{n}")
    name = factory.Sequence(lambda n: f"Transaction {n}")


class BenefitRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitRule

    transaction_type = factory.SubFactory(TransactionTypeFactory)
    role = BenefitRole.OFFICER
    minutes_saved = Decimal("6.00")
    effective_from = date(2012, 4, 1)


class HourlyCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HourlyCost

    role = BenefitRole.OFFICER
    financial_year = FinancialYear(2012)
    cost = Decimal("30.00")


class UsageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageStatistic

    month = date(2012, 9, 1)
    financial_year = factory.LazyAttribute(lambda usage: FinancialYear.from_date(usage.month))
    unit = factory.SubFactory(UnitFactory)
    transaction_type = factory.SubFactory(TransactionTypeFactory)
    count = 100


class RolloutLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RolloutPlanLine

    device_type = factory.SubFactory(DeviceTypeFactory)
    month = date(2014, 4, 1)
    planned = 10
