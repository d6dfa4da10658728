"""The register's API: lists and details, filters, CSV/XLSX, writes through the services with
the version check, and a marked contract (and its events) kept from every reader without
`view_restricted`: in no page, list, count, file or error."""

import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from contracts.models import Contract
from contracts.tests.factories import ContractEventFactory, ContractFactory, SupplierFactory
from mps_ict.marking import ProtectiveMarking

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(role_user):
    def client_for(role):
        client = APIClient()
        client.force_authenticate(role_user(role))
        return client

    return client_for


def test_contracts_list_with_derived_figures_and_filters(api):
    capgemini = SupplierFactory(name="Capgemini")
    ContractFactory(
        reference="GEN2",
        supplier=capgemini,
        end="2015-12-31",
        extensions_allowed=2,
        extensions_used=2,
        value=Decimal("500000000.00"),
        modifications_value=Decimal("40000000.00"),
    )
    ContractFactory(reference="NET-1", end="2016-03-31")
    client = api("api_consumer")
    rows = client.get("/api/v1/contracts/contracts/").json()["results"]
    gen2 = next(row for row in rows if row["reference"] == "GEN2")
    assert gen2["supplier"] == "Capgemini" and gen2["extensions_left"] == 0
    assert gen2["maximum_end"] == "2015-12-31"
    assert gen2["modification_limit"] == "250000000.00" and gen2["headroom"] == "210000000.00"
    assert gen2["value"] == "500000000.00"
    by_supplier = client.get(f"/api/v1/contracts/contracts/?supplier={capgemini.pk}").json()["results"]
    assert [row["reference"] for row in by_supplier] == ["GEN2"]
    by_end = client.get("/api/v1/contracts/contracts/?end_after=2016-01-01&end_before=2016-12-31").json()["results"]
    assert [row["reference"] for row in by_end] == ["NET-1"]
    bad = client.get("/api/v1/contracts/contracts/?end_after=soon")
    assert bad.status_code == 400


def test_finance_write_through_the_api_with_the_version_check(api):
    supplier = SupplierFactory()
    client = api("finance")
    created = client.post(
        "/api/v1/contracts/contracts/",
        {
            "reference": "API-1",
            "title": "Through the API",
            "supplier": supplier.name,
            "start": "2013-04-01",
            "end": "2014-03-31",
            "value": "1000.00",
            "annual_value": "1000.00",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk, version = created.json()["id"], created.json()["version"]
    changed = client.patch(
        f"/api/v1/contracts/contracts/{pk}/", {"title": "Renamed", "version": version}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["title"] == "Renamed"
    stale = client.patch(f"/api/v1/contracts/contracts/{pk}/", {"title": "Again", "version": version}, format="json")
    assert stale.status_code == 409
    wrong = client.patch(
        f"/api/v1/contracts/contracts/{pk}/",
        {"end": "2010-01-01", "version": changed.json()["version"]},
        format="json",
    )
    assert wrong.status_code == 400 and "end" in json.dumps(wrong.json())
    event = client.post(
        "/api/v1/contracts/events/", {"contract": "API-1", "kind": "exit", "due": "2014-03-31"}, format="json"
    )
    assert event.status_code == 201, event.content
    moved = client.patch(
        f"/api/v1/contracts/events/{event.json()['id']}/",
        {"due": "2014-06-30", "status": "done", "version": event.json()["version"]},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["due"] == "2014-06-30"
    assert api("board").patch(f"/api/v1/contracts/contracts/{pk}/", {"version": 1}, format="json").status_code == 403


@pytest.fixture
def marked():
    """One published contract and one marked OFFICIAL-SENSITIVE, each with an event, one supplier."""
    supplier = SupplierFactory(name="Shared Supplier Ltd")
    published = ContractFactory(reference="PUB-1", title="Published contract", supplier=supplier)
    secret = ContractFactory(
        reference="SECRET-9",
        title="Secret negotiation",
        supplier=supplier,
        value=Decimal("7654321.00"),
        annual_value=Decimal("1234567.00"),
        protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
    )
    ContractEventFactory(contract=published, note="Published event")
    secret_event = ContractEventFactory(contract=secret, note="Secret event note")
    return {"supplier": supplier, "published": published, "secret": secret, "secret_event": secret_event}


SECRETS = ("SECRET-9", "Secret negotiation", "Secret event note", "7654321", "7,654,321", "1234567", "1,234,567")


def _text(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None) for sheet in workbook for row in sheet.values
        )
    return response.content.decode()


def test_a_marked_contract_reaches_no_reader_without_view_restricted(client, role_user, marked):
    reader = role_user("api_consumer")
    client.force_login(reader)
    secret, event = marked["secret"], marked["secret_event"]
    urls = [
        reverse("contracts:contract-list"),
        reverse("contracts:event-list"),
        reverse("contracts:supplier-list"),
        reverse("contracts:supplier", args=[marked["supplier"].pk]),
        reverse("contracts:contract", args=[marked["published"].pk]),
    ]
    for name in ("contracts-contract-list", "contracts-event-list", "contracts-supplier-list"):
        base = reverse(f"api:{name}")
        urls += [base, f"{base}?format=json", f"{base}?format=csv&page_size=all", f"{base}?format=xlsx&page_size=all"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        assert not [s for s in SECRETS if s in text], url
    # the supplier's count is of the contracts the reader may see
    suppliers = client.get("/api/v1/contracts/suppliers/").json()["results"]
    assert suppliers[0]["contract_count"] == 1
    # its own pages and endpoints are 404, as for a contract that never existed
    own = [
        reverse("contracts:contract", args=[secret.pk]),
        reverse("api:contracts-contract-detail", args=[secret.pk]),
        reverse("api:contracts-event-detail", args=[event.pk]),
        f"{reverse('api:contracts-contract-detail', args=[secret.pk])}?format=csv",
    ]
    for url in own:
        assert client.get(url).status_code == 404, url
    assert (
        client.get(reverse("api:contracts-contract-detail", args=[secret.pk])).content
        == client.get(reverse("api:contracts-contract-detail", args=[999999])).content
    )
    # the sanity check: a reader with view_restricted sees it
    client.force_login(role_user("board"))
    assert "SECRET-9" in client.get(reverse("contracts:contract-list")).content.decode()
    assert client.get(reverse("contracts:contract", args=[secret.pk])).status_code == 200


def test_a_marked_contracts_forms_are_404_to_a_keeper_without_view_restricted(role_user, marked):
    # every keeper has view_restricted today; should one not, the forms still refuse to name it
    from django.contrib.auth.models import Permission

    finance = role_user("finance")
    client = APIClient()
    client.force_authenticate(finance)
    group = finance.groups.get()
    permission = Permission.objects.get(codename="view_restricted")
    group.permissions.remove(permission)
    try:
        finance = type(finance).objects.get(pk=finance.pk)
        client.force_authenticate(finance)
        client.force_login(finance)
        assert client.get(reverse("contracts:contract-change", args=[marked["secret"].pk])).status_code == 404
        assert client.get(reverse("contracts:event-change", args=[marked["secret_event"].pk])).status_code == 404
        created = client.post(
            "/api/v1/contracts/events/",
            {"contract": "SECRET-9", "kind": "exit", "due": "2014-03-31"},
            format="json",
        )
        never = client.post(
            "/api/v1/contracts/events/", {"contract": "NO-SUCH", "kind": "exit", "due": "2014-03-31"}, format="json"
        )
        # refused exactly as a contract that never existed is (the reference is the client's own)
        assert created.status_code == never.status_code == 400
        assert created.content.decode().replace("SECRET-9", "NO-SUCH") == never.content.decode()
    finally:
        group.permissions.add(permission)


API_LISTS = ["api:contracts-contract-list", "api:contracts-event-list", "api:contracts-supplier-list"]


def _grow(count: int):
    supplier = SupplierFactory()
    for _ in range(count):
        ContractEventFactory(contract=ContractFactory(supplier=supplier))
        ContractEventFactory(contract=ContractFactory())


@pytest.mark.parametrize("name", API_LISTS)
@pytest.mark.parametrize("query", ["", "?format=csv&page_size=all"])
def test_the_api_lists_cost_the_same_queries_at_two_sizes(role_user, django_assert_num_queries, name, query):
    client = APIClient()
    client.force_login(role_user("api_consumer"))
    _grow(2)
    url = reverse(name) + query
    client.get(url)
    with django_assert_num_queries(API_QUERIES[name]) as small:
        assert client.get(url).status_code == 200
    _grow(10)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


API_QUERIES = {"api:contracts-contract-list": 7, "api:contracts-event-list": 9, "api:contracts-supplier-list": 7}


def test_contract_count_is_unchanged_by_marking_for_a_restricted_reader(role_user, marked):
    client = APIClient()
    client.force_authenticate(role_user("portfolio_office"))
    assert client.get("/api/v1/contracts/contracts/").json()["count"] == Contract.objects.count() == 2
