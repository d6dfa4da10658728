"""The register's pages: every role against the access policy on every contracts URL, the
forms (errors naming the field, never a 500; a stale version refused), the history panel, what
comes from the source documents, and the query counts pinned at two sizes."""

from datetime import date

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import Contract, ContractEvent
from contracts.tests.factories import ContractEventFactory, ContractFactory, SupplierFactory
from mps_ict.testing import assert_access_by_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    event = ContractEventFactory()
    return {"contract": event.contract, "event": event, "supplier": event.contract.supplier}


def _urls(records):
    contract, event, supplier = records["contract"], records["event"], records["supplier"]
    return [
        reverse("contracts:contract-list"),
        reverse("contracts:contract-add"),
        reverse("contracts:contract", args=[contract.pk]),
        reverse("contracts:contract-change", args=[contract.pk]),
        reverse("contracts:contract-retire", args=[contract.pk]),
        reverse("contracts:event-list"),
        reverse("contracts:event-add", args=[contract.pk]),
        reverse("contracts:event-change", args=[event.pk]),
        reverse("contracts:event-retire", args=[event.pk]),
        reverse("contracts:supplier-list"),
        reverse("contracts:supplier-add"),
        reverse("contracts:supplier", args=[supplier.pk]),
        reverse("contracts:supplier-change", args=[supplier.pk]),
        reverse("contracts:supplier-retire", args=[supplier.pk]),
        reverse("api:contracts-contract-list"),
        reverse("api:contracts-contract-detail", args=[contract.pk]),
        reverse("api:contracts-event-list"),
        reverse("api:contracts-event-detail", args=[event.pk]),
        reverse("api:contracts-supplier-list"),
        reverse("api:contracts-supplier-detail", args=[supplier.pk]),
        reverse("contracts:event", args=[event.pk]),
        reverse("contracts:event-dependents", args=[event.pk]),
    ]


def test_every_role_reads_and_writes_every_contracts_url_as_the_policy_says(client, role_user, records):
    for url in _urls(records):
        assert_access_by_role(client, role_user, url)
    # writes: a page's form posted empty answers 200 (errors shown) to a keeper, 403 to the others
    for url in _urls(records)[:14] + _urls(records)[-1:]:
        if url.endswith(("/add/", "/change/", "/retire/", "/dependents/")):
            assert_access_by_role(client, role_user, url, method="post", data={})


def test_a_user_with_no_role_reads_nothing_here(client, role_user, records):
    client.force_login(role_user(None))
    for url in _urls(records):
        assert client.get(url).status_code == 403, url


def test_finance_adds_a_contract_and_an_event_and_sees_the_history(client, role_user):
    finance = role_user("finance")
    supplier = SupplierFactory(name="Example Hosting Ltd")
    client.force_login(finance)
    response = client.post(
        reverse("contracts:contract-add"),
        {
            "reference": "HOST-1",
            "title": "Hosting",
            "supplier": supplier.pk,
            "start": "2013-04-01",
            "end": "2016-03-31",
            "extension_months": "12",
            "extensions_allowed": "2",
            "extensions_used": "0",
            "notice_months": "6",
            "value": "£3,000,000",
            "annual_value": "1,000,000",
            "procurement_route": "framework",
            "modification_limit_share": "0.5",
            "modifications_value": "0",
            "protective_marking": "OFFICIAL",
        },
    )
    contract = Contract.objects.get(reference="HOST-1")
    assert response.status_code == 302 and response["Location"] == reverse("contracts:contract", args=[contract.pk])
    response = client.post(
        reverse("contracts:event-add", args=[contract.pk]),
        {"kind": "notice_due", "due": "2015-09-30", "owner": finance.pk, "status": "planned"},
    )
    assert response.status_code == 302
    event = ContractEvent.objects.get(contract=contract)
    response = client.post(
        reverse("contracts:event-change", args=[event.pk]),
        {"kind": "notice_due", "due": "2015-10-31", "owner": finance.pk, "status": "planned", "version": 1},
    )
    assert response.status_code == 302
    page = client.get(reverse("contracts:event-change", args=[event.pk])).content.decode()
    assert "30 September 2015" in page and "31 October 2015" in page
    detail = client.get(reverse("contracts:contract", args=[contract.pk])).content.decode()
    assert "£1,500,000" in detail  # the modification limit: 50% of £3m
    assert "Entered in the tracker by its users" in detail
    assert "History" in detail


def test_bad_input_names_the_field_and_is_never_a_500(client, role_user, records):
    client.force_login(role_user("portfolio_office"))
    contract = records["contract"]
    response = client.post(
        reverse("contracts:contract-change", args=[contract.pk]),
        {
            "reference": contract.reference,
            "title": "x",
            "supplier": contract.supplier_id,
            "start": "2015-01-01",
            "end": "2014-01-01",
            "extension_months": "12",
            "extensions_allowed": "1",
            "extensions_used": "2",
            "notice_months": "six",
            "value": "lots",
            "annual_value": "1",
            "procurement_route": "open",
            "modification_limit_share": "2",
            "modifications_value": "0",
            "protective_marking": "OFFICIAL",
            "version": contract.version,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"notice_months", "value", "modification_limit_share"} <= set(errors)
    # with the form's own errors fixed, the service's rules name their fields
    response = client.post(
        reverse("contracts:contract-change", args=[contract.pk]),
        {
            "reference": contract.reference,
            "title": "x",
            "supplier": contract.supplier_id,
            "start": "2015-01-01",
            "end": "2014-01-01",
            "extension_months": "12",
            "extensions_allowed": "1",
            "extensions_used": "2",
            "notice_months": "6",
            "value": "1",
            "annual_value": "1",
            "procurement_route": "open",
            "modification_limit_share": "0.5",
            "modifications_value": "0",
            "protective_marking": "OFFICIAL",
            "version": contract.version,
        },
    )
    assert response.status_code == 200
    assert {"end", "extensions_used"} <= set(response.context["form"].errors)


def test_a_change_from_a_stale_page_is_refused_not_overwritten(client, role_user, records):
    finance = role_user("finance")
    event = records["event"]
    services.event_update(event=event, user=finance, version=event.version, note="Moved by a colleague")
    client.force_login(finance)
    response = client.post(
        reverse("contracts:event-change", args=[event.pk]),
        {"kind": "notice_due", "due": "2014-12-31", "status": "planned", "version": 1},
    )
    assert response.status_code == 200
    assert "Somebody else changed this event" in response.content.decode()
    assert ContractEvent.objects.get(pk=event.pk).due == date(2014, 9, 30)


def test_pages_say_what_comes_from_the_source_documents(client, role_user):
    contract = ContractFactory(source_facts="GEN2 ends in December 2015.", is_illustrative=True)
    client.force_login(role_user("board"))
    page = client.get(reverse("contracts:contract", args=[contract.pk])).content.decode()
    assert "GEN2 ends in December 2015." in page and "is invented to illustrate the register" in page
    listing = client.get(reverse("contracts:contract-list")).content.decode()
    assert "The source documents" in listing and "Illustrative" in listing


def _grow(count: int):
    supplier = SupplierFactory()
    for _ in range(count):
        ContractEventFactory(contract=ContractFactory(supplier=supplier))
        ContractEventFactory(contract=ContractFactory())


LIST_PAGES = ["contracts:contract-list", "contracts:event-list", "contracts:supplier-list"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_the_list_pages_cost_the_same_queries_at_two_sizes(client, role_user, django_assert_num_queries, name):
    client.force_login(role_user("finance"))
    _grow(2)
    url = reverse(name)
    client.get(url)
    with django_assert_num_queries(QUERIES[name]) as small:
        assert client.get(url).status_code == 200
    _grow(10)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


QUERIES = {"contracts:contract-list": 9, "contracts:event-list": 9, "contracts:supplier-list": 7}
