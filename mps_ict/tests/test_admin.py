"""The Django admin shows every model of the project to administrators, and changes nothing:
figures, statuses and markings change only through the services."""

import pytest
from django.contrib import admin

from mps_ict.admin import ReadOnlyAdmin, models_of_the_project
from mps_ict.tests.factories import UserFactory
from savings.models import Initiative


def test_every_model_of_the_project_is_in_the_admin_read_only():
    models = models_of_the_project()
    assert {"Initiative", "QuarterlyActual", "PlanVersion", "Project", "Device", "PackSnapshot"} <= {
        model.__name__ for model in models
    }
    not_read_only = [m.__name__ for m in models if not isinstance(admin.site._registry.get(m), ReadOnlyAdmin)]
    assert not_read_only == []


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(role="admin"))
    return client


@pytest.mark.django_db
def test_an_administrator_reads_every_list(admin_client, all_seeds):
    for model in models_of_the_project():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_a_record_is_shown_with_its_history_and_cannot_be_changed(admin_client, mps_plan):
    initiative = Initiative.objects.get(reference="SAV-DC")
    base = f"/admin/savings/initiative/{initiative.pk}"

    page = admin_client.get(f"{base}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert initiative.description[:40] in body
    assert 'name="_save"' not in body  # nothing to save

    refused = admin_client.post(f"{base}/change/", {"description": "Changed in the admin", "cost_now": "1.00"})
    assert refused.status_code == 403
    assert admin_client.get("/admin/savings/initiative/add/").status_code == 403
    assert admin_client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403

    history = admin_client.get(f"{base}/history/")
    assert history.status_code == 200
    record = initiative.history.earliest("history_date")
    assert admin_client.get(f"{base}/history/{record.history_id}/").status_code == 200
    revert = admin_client.post(f"{base}/history/{record.history_id}/", _every_field_of(record.instance))
    assert revert.status_code == 403

    initiative.refresh_from_db()
    assert initiative.description != "Changed in the admin"
    assert initiative.description != "Reverted in the admin"
    assert Initiative.objects.filter(pk=initiative.pk).exists()


@pytest.mark.django_db
def test_a_history_address_that_is_not_a_record_is_a_404(admin_client):
    assert admin_client.get("/admin/savings/initiative/not-an-id/history/").status_code == 404


def _every_field_of(record) -> dict:
    """A complete, valid form for the record as it was, as a revert would post it."""
    from django.forms.models import model_to_dict

    data = {key: "" if value is None else value for key, value in model_to_dict(record).items()}
    data["description"] = "Reverted in the admin"
    return data
