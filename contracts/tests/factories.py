from datetime import date
from decimal import Decimal

import factory

from contracts.choices import EventKind, EventStatus, ProcurementRoute
from contracts.models import Contract, ContractEvent, Supplier


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    is_illustrative = True


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    reference = factory.Sequence(lambda n: f"CON-{n:04d}")
    title = factory.Sequence(lambda n: f"Contract {n}")
    supplier = factory.SubFactory(SupplierFactory)
    start = date(2012, 4, 1)
    end = date(2015, 3, 31)
    extension_months = 12
    extensions_allowed = 2
    extensions_used = 0
    notice_months = 6
    value = Decimal("1000000.00")
    annual_value = Decimal("250000.00")
    procurement_route = ProcurementRoute.OPEN
    modification_limit_share = Decimal("0.5000")
    modifications_value = Decimal("0.00")
    is_illustrative = True


class ContractEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractEvent

    contract = factory.SubFactory(ContractFactory)
    kind = EventKind.NOTICE_DUE
    due = date(2014, 9, 30)
    status = EventStatus.PLANNED
    is_illustrative = True
