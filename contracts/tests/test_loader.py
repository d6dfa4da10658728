"""The register's seed: the source documents' facts exactly, the rest labelled illustrative, and
a re-run that inserts what is missing and overwrites nothing a user changed."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from contracts import selectors, services
from contracts.choices import EventKind
from contracts.models import Contract, ContractEvent, Supplier

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    call_command("load_contracts", stdout=out)
    return out.getvalue()


def test_the_seed_gives_gen2_as_the_source_documents_do():
    _load()
    gen2 = Contract.objects.select_related("supplier").get(reference="GEN2")
    assert gen2.supplier.name == "Capgemini" and not gen2.supplier.is_illustrative
    assert gen2.end == date(2015, 12, 31)  # "must come to an end in December 2015"
    figures = selectors.contract_figures(gen2)
    assert figures.extensions_left == 0 and figures.maximum_end == date(2015, 12, 31)  # "extended to its maximum"
    assert not figures.may_still_be_extended
    assert "December 2015" in gen2.source_facts and gen2.is_illustrative  # its other figures are invented
    procurement = gen2.events.get(kind=EventKind.RETENDER_START)
    assert procurement.due == date(2013, 4, 1) and "April 2013" in procurement.source_facts
    exit_event = gen2.events.get(kind=EventKind.EXIT)
    assert exit_event.due == date(2015, 12, 31) and "December 2015" in exit_event.source_facts
    # everything else is labelled illustrative
    assert all(c.is_illustrative and not c.source_facts for c in Contract.objects.exclude(reference="GEN2"))
    assert all(e.is_illustrative for e in ContractEvent.objects.filter(source_facts=""))
    assert all(s.is_illustrative for s in Supplier.objects.exclude(name="Capgemini"))


def test_re_running_the_loader_overwrites_no_users_change(role_user):
    _load()
    finance = role_user("finance")
    gen2 = Contract.objects.get(reference="GEN2")
    services.contract_update(contract=gen2, user=finance, version=gen2.version, annual_value=Decimal("56000000.00"))
    event = ContractEvent.objects.get(contract=gen2, kind=EventKind.NOTICE_DUE)
    services.event_update(event=event, user=finance, version=event.version, due=date(2015, 1, 31), status="done")
    ContractEvent.objects.get(contract=gen2, kind=EventKind.AWARD).delete()  # a seed record nobody has
    history = Contract.history.count() + ContractEvent.history.count()

    printed = _load()

    gen2.refresh_from_db()
    event.refresh_from_db()
    assert str(gen2.annual_value) == "56000000.00"
    assert event.due == date(2015, 1, 31) and event.status == "done"
    assert ContractEvent.objects.filter(contract=gen2, kind=EventKind.NOTICE_DUE).count() == 1
    assert ContractEvent.objects.filter(contract=gen2, kind=EventKind.AWARD).count() == 1  # inserted again
    assert Contract.history.count() + ContractEvent.history.count() == history + 1
    assert "Contracts register: Added 1 contract event." in printed
