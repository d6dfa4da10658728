"""The device models under a contract (issue 17 part 2): listed on the contract's page, each linking
to its own page with its type and devices counted, in one query; and the seed puts its device
models under the illustrative mobile data contract only when it first inserts that contract."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from contracts import selectors
from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from mobile_assets import services as estate
from mobile_assets.choices import DeviceStatus
from mobile_assets.models import DeviceModel
from mobile_assets.tests.factories import DeviceFactory, DeviceModelFactory, DeviceTypeFactory

pytestmark = pytest.mark.django_db


def _under(contract, size):
    terminal = DeviceTypeFactory(name="Mobile Data Terminal (MDT)")
    models = []
    for index in range(size):
        model = DeviceModelFactory(manufacturer="Getac", name=f"V{index:03d}", device_type=terminal, contract=contract)
        DeviceFactory(model=model, status=DeviceStatus.ISSUED)
        DeviceFactory(model=model, status=DeviceStatus.IN_REPAIR)
        models.append(model)
    return models


def test_the_selector_counts_each_models_devices_in_one_query(django_assert_num_queries):
    contract = ContractFactory(reference="MOB-2012")
    _first, second = _under(contract, 2)
    DeviceFactory(model=second, status=DeviceStatus.ISSUED)
    DeviceModelFactory(contract=ContractFactory())  # under another contract: not listed
    with django_assert_num_queries(1):
        rows = [
            (str(m), m.device_type.name, m.devices_count, m.issued)
            for m in selectors.contract_device_models(contract=contract)
        ]
    assert rows == [
        ("Getac V000", "Mobile Data Terminal (MDT)", 2, 1),
        ("Getac V001", "Mobile Data Terminal (MDT)", 3, 2),
    ]


@pytest.mark.parametrize("role", ["finance", "portfolio_office", "board", "api_consumer"])
def test_keepers_and_readers_see_the_models_under_the_contract(client, role_user, role):
    contract = ContractFactory(reference="MOB-2012", title="Mobile data service")
    (model,) = _under(contract, 1)
    client.force_login(role_user(role))
    body = client.get(reverse("contracts:contract", args=[contract.pk])).content.decode()
    assert "Device models under this contract" in body
    assert f'href="{reverse("mobile_assets:device-model", args=[model.pk])}">Getac V000</a>' in body
    assert "Mobile Data Terminal (MDT)" in body
    # and the model's page links back
    back = client.get(reverse("mobile_assets:device-model", args=[model.pk])).content.decode()
    assert f'href="{reverse("contracts:contract", args=[contract.pk])}">MOB-2012: Mobile data service</a>' in back


def test_a_contract_with_no_models_says_none_recorded(client, role_user):
    contract = ContractFactory()
    client.force_login(role_user("board"))
    body = client.get(reverse("contracts:contract", args=[contract.pk])).content.decode()
    assert "Device models under this contract" in body and "None recorded." in body


@pytest.mark.parametrize("size", [1, 10])
def test_the_contract_page_takes_the_same_queries_whatever_its_models(
    client, role_user, django_assert_num_queries, size
):
    contract = ContractFactory()
    _under(contract, size)
    client.force_login(role_user("finance"))
    url = reverse("contracts:contract", args=[contract.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES_CONTRACT_PAGE):
        assert client.get(url).status_code == 200


QUERIES_CONTRACT_PAGE = 11  # with the timeline of its events (none here: one query)


# --- the seed ------------------------------------------------------------------------------------------

TERMINALS = "Mobile Data Terminal (MDT), model not recorded"
PDAS = "Personal Digital Assistant (PDA), model not recorded"


def _load() -> None:
    call_command("load_contracts", stdout=io.StringIO())


def _seed_models():
    return {
        name: DeviceModelFactory(manufacturer="", name=name, is_illustrative=True)
        for name in (TERMINALS, PDAS, "BlackBerry, model not recorded")
    }


def test_the_seed_puts_its_models_under_the_mobile_data_contract_labelled_illustrative():
    models = _seed_models()
    _load()
    mobile = Contract.objects.get(reference="MOB-2012")
    assert {str(m) for m in selectors.contract_device_models(contract=mobile)} == {TERMINALS, PDAS}
    assert DeviceModel.objects.get(pk=models["BlackBerry, model not recorded"].pk).contract is None
    latest = DeviceModel.objects.get(pk=models[TERMINALS].pk).history.latest()
    assert latest.history_change_reason.startswith("Illustrative") and "MOB-2012" in latest.history_change_reason


def test_re_running_the_loader_never_changes_a_users_choice(role_user):
    models = _seed_models()
    _load()
    manager = role_user("asset_manager")
    # Given the team take the terminals off the contract, and put the PDAs under another
    terminals = DeviceModel.objects.get(pk=models[TERMINALS].pk)
    estate.device_model_update(device_model=terminals, user=manager, version=terminals.version, contract=None)
    other = ContractFactory(reference="PDA-1")
    pdas = DeviceModel.objects.get(pk=models[PDAS].pk)
    estate.device_model_update(device_model=pdas, user=manager, version=pdas.version, contract=other)
    history = DeviceModel.history.count()

    # When the loader runs again (the contract is there: nothing of it is inserted)
    _load()

    # Then nothing the team chose has changed, and no history was written
    assert DeviceModel.objects.get(pk=terminals.pk).contract is None
    assert DeviceModel.objects.get(pk=pdas.pk).contract == other
    assert DeviceModel.history.count() == history


def test_a_newly_inserted_contract_takes_no_model_already_under_a_users_contract(role_user):
    models = _seed_models()
    chosen = ContractFactory(reference="CHOSEN-1")
    manager = role_user("asset_manager")
    pdas = models[PDAS]
    estate.device_model_update(device_model=pdas, user=manager, version=pdas.version, contract=chosen)
    _load()
    assert DeviceModel.objects.get(pk=pdas.pk).contract == chosen
    assert DeviceModel.objects.get(pk=models[TERMINALS].pk).contract.reference == "MOB-2012"


def test_the_api_gives_a_contracts_device_models_by_name(role_user):
    from rest_framework.test import APIClient

    contract = ContractFactory()
    _under(contract, 2)
    client = APIClient()
    client.force_authenticate(role_user("api_consumer"))
    body = client.get(reverse("api:contracts-contract-detail", args=[contract.pk])).json()
    assert body["device_models"] == ["Getac V000", "Getac V001"] and body["reference"] == contract.reference
