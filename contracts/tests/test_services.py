"""The register's writes: who may make them, what they refuse (naming the field), the version
check, and the audit trail said in words and pounds."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts import selectors, services
from contracts.choices import EventKind, EventStatus
from contracts.models import Contract
from contracts.tests.factories import ContractEventFactory, ContractFactory, SupplierFactory
from mps_ict.conflicts import Conflict, StaleVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(role_user):
    return role_user("finance")


def _contract(user, **changes):
    values = {
        "reference": "NET-1",
        "title": "Network",
        "supplier": SupplierFactory(),
        "start": date(2012, 4, 1),
        "end": date(2015, 3, 31),
        "value": Decimal("1000000.00"),
        "annual_value": Decimal("250000.00"),
        "extensions_allowed": 2,
    }
    return services.contract_create(user=user, **{**values, **changes})


def test_finance_and_the_portfolio_office_add_contracts_others_may_not(role_user):
    assert _contract(role_user("finance")).reference == "NET-1"
    assert _contract(role_user("portfolio_office"), reference="NET-2").reference == "NET-2"
    for role in ("board", "programme_manager", "asset_manager", "api_consumer"):
        with pytest.raises(PermissionDenied):
            _contract(role_user(role), reference=f"X-{role}")


def test_a_change_is_audited_in_words_and_pounds(finance):
    contract = _contract(finance)
    services.contract_update(
        contract=contract,
        user=finance,
        version=contract.version,
        reason="Extra sites",
        value=Decimal("1200000.00"),
        procurement_route="framework",
    )
    latest = selectors.history_in_words(Contract.objects.get(pk=contract.pk))[0]
    assert latest.action == "Changed" and latest.reason == "Extra sites"
    changes = {change.label: (change.before, change.after) for change in latest.changes}
    assert changes["Value at award"] == ("£1,000,000.00", "£1,200,000.00")
    assert changes["Procurement route"] == ("Open procedure", "Call-off from a framework")
    assert latest.who == finance.get_username()


def test_an_events_new_date_and_status_are_audited(finance):
    event = services.event_create(
        contract=_contract(finance), user=finance, kind=EventKind.NOTICE_DUE, due=date(2014, 9, 30), owner=finance
    )
    services.event_update(
        event=event, user=finance, version=event.version, due=date(2014, 10, 31), status=EventStatus.DONE
    )
    changes = {c.label: (c.before, c.after) for c in selectors.history_in_words(event)[0].changes}
    assert changes["Date"] == ("30 September 2014", "31 October 2014")
    assert changes["Status"] == ("Planned", "Done")


def test_a_change_from_an_old_version_is_refused(finance):
    contract = _contract(finance)
    services.contract_update(contract=contract, user=finance, version=contract.version, title="Network services")
    with pytest.raises(StaleVersion) as refused:
        services.contract_update(contract=contract, user=finance, version=1, title="Something else")
    assert "version" in refused.value.message_dict
    with pytest.raises(ValidationError) as missing:
        services.contract_update(contract=contract, user=finance, version=None, title="Something else")
    assert "version" in missing.value.message_dict
    assert Contract.objects.get(pk=contract.pk).title == "Network services"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": date(2011, 1, 1)}, "end"),
        ({"end": date(9999, 12, 31)}, "end"),
        ({"start": date(1, 1, 1)}, "start"),
        ({"extensions_used": 3}, "extensions_used"),
        ({"value": Decimal("-1.00")}, "value"),
        ({"modification_limit_share": Decimal("1.5")}, "modification_limit_share"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_refused_naming_the_field(finance, changes, field):
    with pytest.raises(ValidationError) as refused:
        _contract(finance, **changes)
    assert field in refused.value.message_dict


def test_a_reference_already_taken_is_a_conflict(finance):
    _contract(finance)
    with pytest.raises(Conflict) as refused:
        _contract(finance, reference="net-1")
    assert "reference" in refused.value.message_dict


def test_retiring_needs_a_reason_and_keeps_the_record(finance):
    contract = _contract(finance)
    with pytest.raises(ValidationError) as refused:
        services.contract_retire(contract=contract, user=finance, version=contract.version, reason=" ")
    assert "reason" in refused.value.message_dict
    retired = services.contract_retire(contract=contract, user=finance, version=contract.version, reason="Ended")
    assert retired.retired_at is not None and retired.retired_reason == "Ended"
    with pytest.raises(Conflict):
        services.contract_update(contract=retired, user=finance, version=retired.version, title="Again")
    assert selectors.history_in_words(retired)[0].reason == "Ended"


def test_a_supplier_with_current_contracts_cannot_be_retired(finance):
    contract = _contract(finance)
    supplier = contract.supplier
    with pytest.raises(Conflict) as refused:
        services.supplier_retire(supplier=supplier, user=finance, version=supplier.version, reason="Gone")
    assert "supplier" in refused.value.message_dict
    services.contract_retire(contract=contract, user=finance, version=contract.version, reason="Ended")
    supplier.refresh_from_db()
    assert services.supplier_retire(supplier=supplier, user=finance, version=supplier.version, reason="Gone").retired_at


def test_supplier_names_are_unique_whatever_their_case(finance):
    services.supplier_create(user=finance, name="Capgemini")
    with pytest.raises(Conflict) as refused:
        services.supplier_create(user=finance, name="CAPGEMINI")
    assert "name" in refused.value.message_dict


def test_an_event_of_a_retired_event_or_contract_cannot_change(finance):
    event = ContractEventFactory()
    services.event_retire(event=event, user=finance, version=event.version, reason="Entered twice")
    event.refresh_from_db()
    with pytest.raises(Conflict):
        services.event_update(event=event, user=finance, version=event.version, note="x")


def test_the_derived_figures():
    contract = ContractFactory.build(
        end=date(2015, 3, 31),
        extension_months=12,
        extensions_allowed=2,
        extensions_used=1,
        notice_months=6,
        value=Decimal("1000000.00"),
        modification_limit_share=Decimal("0.5000"),
        modifications_value=Decimal("300000.01"),
    )
    figures = selectors.contract_figures(contract)
    assert figures.extensions_left == 1
    assert figures.maximum_end == date(2016, 3, 31)
    assert figures.notice_by == date(2014, 9, 30)
    assert figures.modification_limit == Decimal("500000.00")
    assert figures.headroom == Decimal("199999.99")
    assert figures.may_still_be_modified and figures.may_still_be_extended
    spent = ContractFactory.build(value=Decimal("100.00"), modifications_value=Decimal("50.00"), extensions_used=2)
    assert selectors.contract_figures(spent).headroom == Decimal("0.00")
    assert not selectors.contract_figures(spent).may_still_be_modified
    assert not selectors.contract_figures(spent).may_still_be_extended


def test_add_months_keeps_the_day_or_the_months_last():
    assert selectors.add_months(date(9999, 12, 31), 12) == date.max
    assert selectors.add_months(date(1, 1, 31), -1) == date.min
    assert selectors.add_months(date(2015, 8, 31), -6) == date(2015, 2, 28)
    assert selectors.add_months(date(2015, 12, 31), 24) == date(2017, 12, 31)
