"""A device model under a contract (issue 17 part 2): put there by the mobile team through the same
service on the page and in the API, audited and said in words; shown on the model's page, the
reference page, the API and its exports; and never shown to a reader without `view_restricted`
when the contract is marked OFFICIAL-SENSITIVE."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contracts.tests.factories import ContractFactory
from mobile_assets import selectors, services
from mobile_assets.choices import DeviceStatus
from mobile_assets.models import DeviceModel
from mobile_assets.tests.factories import DeviceFactory, DeviceModelFactory, DeviceTypeFactory
from mps_ict.marking import ProtectiveMarking
from mps_ict.testing import assert_access_by_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(role_user):
    return role_user("asset_manager")


@pytest.fixture
def gen2():
    return ContractFactory(reference="GEN2", title="Managed IT services")


@pytest.fixture
def secret():
    return ContractFactory(
        reference="SECRET-9", title="Secret negotiation", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE
    )


SECRETS = ("SECRET-9", "Secret negotiation")


def _retired(contract):
    contract.retired_at = timezone.now()
    contract.retired_reason = "Ended"
    contract.save()
    return contract


def _writer_without_view_restricted(role_user):
    """Somebody who may change the estate but not see marked records."""
    user = role_user("api_consumer")
    user.user_permissions.add(Permission.objects.get(codename="change_device", content_type__app_label="mobile_assets"))
    return type(user).objects.get(pk=user.pk)


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def _text(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None) for sheet in workbook for row in sheet.values
        )
    return response.content.decode()


# --- the service ---------------------------------------------------------------------------------------


def test_a_model_is_put_under_a_contract_and_the_history_says_which_in_words(manager, gen2):
    # Given a model added under GEN2
    model = services.device_model_create(
        user=manager, device_type=DeviceTypeFactory(), manufacturer="Getac", name="V110", contract=gen2
    )
    assert model.contract == gen2
    other = ContractFactory(reference="MOB-2012", title="Mobile data service")

    # When it moves to another contract, then to none
    model = services.device_model_update(
        device_model=model, user=manager, version=model.version, contract=other, reason="Re-let"
    )
    model = services.device_model_update(device_model=model, user=manager, version=model.version, contract=None)

    # Then each change is audited, said by reference and title, not by id
    history = selectors.device_model_history(device_model=model, user=manager)
    changes = [
        (entry.reason, change.label, change.before, change.after)
        for entry in history
        for change in entry.changes
        if change.field == "contract"
    ]
    assert changes == [
        ("", "Contract", "MOB-2012: Mobile data service", None),
        ("Re-let", "Contract", "GEN2: Managed IT services", "MOB-2012: Mobile data service"),
    ]
    # and a change that leaves the contract out keeps it
    model = services.device_model_update(device_model=model, user=manager, version=model.version, contract=gen2)
    model = services.device_model_update(device_model=model, user=manager, version=model.version, name="V110 G2")
    assert DeviceModel.objects.get(pk=model.pk).contract == gen2


def test_a_retired_or_unseen_contract_is_refused_naming_the_field(manager, gen2, secret, role_user):
    model = DeviceModelFactory()
    _retired(gen2)
    with pytest.raises(ValidationError) as refused:
        services.device_model_update(device_model=model, user=manager, version=model.version, contract=gen2)
    assert "contract" in refused.value.message_dict and "retired" in refused.value.message_dict["contract"][0]
    # somebody who may not see the marked contract cannot put a model under it, nor learn it exists
    writer = _writer_without_view_restricted(role_user)
    with pytest.raises(ValidationError) as unseen:
        services.device_model_create(user=writer, device_type=DeviceTypeFactory(), name="X1", contract=secret)
    assert "contract" in unseen.value.message_dict
    with pytest.raises(ValidationError) as by_reference:
        services.contract_by_reference(user=writer, reference="SECRET-9")
    with pytest.raises(ValidationError) as unknown:
        services.contract_by_reference(user=writer, reference="NOPE-1")
    assert by_reference.value.message_dict["contract"] == [
        unknown.value.message_dict["contract"][0].replace("NOPE-1", "SECRET-9")
    ]
    assert services.contract_by_reference(user=writer, reference="") is None
    assert DeviceModel.objects.get(pk=model.pk).contract is None and not DeviceModel.objects.filter(name="X1")


# --- the pages -----------------------------------------------------------------------------------------


def test_the_model_page_shows_its_contract_linking_to_the_contract_page(client, manager, gen2, role_user):
    model = DeviceModelFactory(manufacturer="Getac", name="V110", contract=gen2)
    bare = DeviceModelFactory(manufacturer="Getac", name="F110")
    DeviceFactory(model=model, status=DeviceStatus.ISSUED)
    DeviceFactory(model=model)
    client.force_login(role_user("board"))
    body = client.get(reverse("mobile_assets:device-model", args=[model.pk])).content.decode()
    assert f'href="{reverse("contracts:contract", args=[gen2.pk])}">GEN2: Managed IT services</a>' in body
    assert "2 in the register, 1 issued" in body
    assert "None recorded" in client.get(reverse("mobile_assets:device-model", args=[bare.pk])).content.decode()
    reference = client.get(reverse("mobile_assets:reference")).content.decode()
    assert reverse("mobile_assets:device-model", args=[model.pk]) in reference and ">GEN2</a>" in reference
    assert client.get(reverse("mobile_assets:device-model", args=[999999])).status_code == 404


def test_every_reader_sees_the_model_page_and_only_the_mobile_team_change_it(client, role_user, gen2):
    model = DeviceModelFactory(contract=gen2)
    assert_access_by_role(client, role_user, reverse("mobile_assets:device-model", args=[model.pk]))
    assert_access_by_role(client, role_user, reverse("mobile_assets:device-model-change", args=[model.pk]))


def test_the_asset_manager_chooses_the_contract_on_the_change_page(client, manager, gen2):
    model = DeviceModelFactory(manufacturer="Getac", name="V110")
    retired = _retired(ContractFactory(reference="OLD-1", title="Old service"))
    url = reverse("mobile_assets:device-model-change", args=[model.pk])
    client.force_login(manager)
    form = client.get(url).content.decode()
    assert "GEN2: Managed IT services" in form and "None recorded" in form and "OLD-1" not in form
    data = {"manufacturer": "Getac", "name": "V110", "version": model.version, "reason": "Bought under GEN2"}
    # a retired contract is refused, naming the field; nothing is written
    refused = client.post(url, {**data, "contract": retired.pk})
    assert refused.status_code == 200 and "Choose a contract in force from the list" in refused.content.decode()
    assert DeviceModel.objects.get(pk=model.pk).contract is None
    saved = client.post(url, {**data, "contract": gen2.pk})
    assert saved.status_code == 302
    model.refresh_from_db()
    assert model.contract == gen2
    # the change page and the model's page say it in words in the history
    for page in (url, reverse("mobile_assets:device-model", args=[model.pk])):
        body = client.get(page).content.decode()
        assert "Bought under GEN2" in body and "GEN2: Managed IT services</td>" in body
    # a blank choice is none recorded
    client.post(url, {**data, "version": model.version, "contract": ""})
    assert DeviceModel.objects.get(pk=model.pk).contract is None


def test_a_marked_contract_is_shown_to_no_reader_without_view_restricted(client, manager, secret, role_user):
    model = DeviceModelFactory(manufacturer="Getac", name="V110")
    services.device_model_update(device_model=model, user=manager, version=model.version, contract=secret)
    reader = role_user("api_consumer")
    client.force_login(reader)
    pages = [reverse("mobile_assets:device-model", args=[model.pk]), reverse("mobile_assets:reference")]
    for url in pages:
        body = client.get(url).content.decode()
        assert not [s for s in SECRETS if s in body], url
    assert "None recorded" in client.get(pages[0]).content.decode()
    # the asset manager (with view_restricted) sees it
    client.force_login(manager)
    assert "SECRET-9: Secret negotiation" in client.get(pages[0]).content.decode()


def test_a_writer_who_may_not_see_the_contract_keeps_it_when_changing_the_model(manager, secret, role_user):
    from mobile_assets.forms import DeviceModelForm

    model = DeviceModelFactory(manufacturer="Getac", name="V110", contract=secret)
    writer = _writer_without_view_restricted(role_user)
    # the form offers no contract to change (so a save cannot clear the one it cannot see)
    assert "contract" not in DeviceModelForm(change=True, user=writer, current_contract=secret).fields
    assert "contract" in DeviceModelForm(change=True, user=manager, current_contract=secret).fields
    # and the service, not told of the contract, keeps it
    services.device_model_update(device_model=model, user=writer, version=model.version, name="V110 G2")
    model.refresh_from_db()
    assert model.name == "V110 G2" and model.contract == secret


# --- the API and its exports ---------------------------------------------------------------------------

API = "/api/v1/mobile/device-models/"


def test_the_api_gives_filters_and_writes_the_contract_by_reference(manager, gen2):
    DeviceModelFactory(manufacturer="Getac", name="F110")
    api = _api(manager)
    created = api.post(
        API,
        {"device_type": DeviceTypeFactory().code, "manufacturer": "Getac", "name": "V110", "contract": "gen2"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["contract"] == "GEN2"
    rows = api.get(API, {"contract": "GEN2"}).json()["results"]
    assert [row["name"] for row in rows] == ["V110"]
    assert len(api.get(API).json()["results"]) == 2
    assert api.get(API, {"contract": "NOPE-1"}).json()["results"] == []
    # a bad or retired reference: 400 naming the field; null clears it
    url = f"{API}{body['id']}/"
    bad = api.patch(url, {"contract": "NOPE-1", "version": body["version"]}, format="json")
    assert bad.status_code == 400 and [e["field"] for e in bad.json()["errors"]] == ["contract"], bad.json()
    _retired(ContractFactory(reference="OLD-1"))
    retired = api.patch(url, {"contract": "OLD-1", "version": body["version"]}, format="json")
    assert retired.status_code == 400 and "contract" in str(retired.json())
    cleared = api.patch(url, {"contract": None, "version": body["version"]}, format="json")
    assert cleared.status_code == 200 and cleared.json()["contract"] is None
    kept = api.patch(url, {"name": "V110 G2", "version": cleared.json()["version"]}, format="json")
    assert kept.json()["contract"] is None


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_the_api_and_exports_give_a_marked_contract_to_no_reader_without_view_restricted(
    manager, secret, gen2, role_user, fmt
):
    DeviceModelFactory(manufacturer="Getac", name="V110", contract=secret)
    DeviceModelFactory(manufacturer="Getac", name="F110", contract=gen2)
    reader = _api(role_user("api_consumer"))
    query = {"format": fmt} | ({"page_size": "all"} if fmt != "json" else {})
    response = reader.get(API, query)
    assert response.status_code == 200
    text = _text(response)
    assert not [s for s in SECRETS if s in text] and "GEN2" in text and "V110" in text
    filtered = reader.get(API, {"contract": "SECRET-9"})
    assert filtered.json()["results"] == []
    # the asset manager sees it, in the export too
    assert "SECRET-9" in _text(_api(manager).get(API, query))


# --- query counts --------------------------------------------------------------------------------------


def _models_under_contracts(size):
    for _ in range(size):
        contract = ContractFactory()
        model = DeviceModelFactory(contract=contract)
        DeviceFactory(model=model)


@pytest.mark.parametrize("size", [2, 12])
def test_the_reference_page_and_model_api_take_the_same_queries_whatever_the_contracts(
    client, manager, django_assert_num_queries, size
):
    _models_under_contracts(size)
    DeviceModelFactory()  # and one under none
    client.force_login(manager)
    client.get("/mobile/reference/")  # the session and the user's groups, once
    # the reference page's 12, the reader's permissions (2: may they see marked contracts?) and the
    # contracts the models are under (1)
    with django_assert_num_queries(15):
        assert client.get("/mobile/reference/").status_code == 200
    api = _api(manager)
    api.get(API)
    # the count, the page of models, their capabilities, their contracts (the force-authenticated
    # user's groups and permissions were read by the first request)
    with django_assert_num_queries(4):
        assert len(api.get(API).json()["results"]) == size + 1
