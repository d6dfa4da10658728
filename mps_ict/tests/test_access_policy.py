"""The access policy, proven over every URL the project resolves × every role × every method.

Generated from the URLconf and mps_ict.access.POLICY: a URL added later is covered without anyone
writing a test for it, and one that has no policy entry fails here. Object-level rules (a
programme manager changes only the projects they manage) are tested the same way with two managers.
"""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from mps_ict import access
from mps_ict.roles import ROLES
from mps_ict.testing import walk_urls
from mps_ict.tests.factories import UserFactory

WRITE_METHODS = ("post", "put", "patch", "delete")
URLS = sorted(set(walk_urls()))
PROJECT_URLS = sorted({(url, name) for url, name in URLS if not name.startswith("admin:")})
ADMIN_URLS = sorted({(url, name) for url, name in URLS if name.startswith("admin:")})


def test_every_url_has_a_policy_entry():
    missing = sorted({name for _, name in URLS if access.access_for(name) is None})
    assert not missing, f"Add these views to mps_ict.access.POLICY: {missing}"


def test_a_view_without_an_entry_is_refused_to_everyone():
    admin = UserFactory.build(is_superuser=True)
    admin.pk = 1
    assert not access.allowed(admin, "savings:a-page-added-later", "GET")
    assert not access.allowed(admin, None, "GET")


def test_every_entry_names_a_view_that_exists():
    from bench import urls as bench_urls  # the project's URLs and the benchmark's ceiling view

    names = {name for _, name in walk_urls(patterns=bench_urls.urlpatterns)}
    stale = sorted(key for key in access.POLICY if key not in names)
    assert not stale, f"POLICY entries for views that no longer exist: {stale}"


def _users():
    users = {role: UserFactory(role=role) for role in ROLES}
    users[access.ADMIN] = UserFactory(role="admin")
    users[access.NO_ROLE] = UserFactory()
    return users


def _request(client, method, url):
    return getattr(client, method)(url) if method == "get" else getattr(client, method)(url, data={})


def _refused_anonymously(response) -> bool:
    """Sent to sign in (a page), 401 with a token challenge (the API), or 403 (a write to an open page)."""
    if response.status_code == 401:
        return response["WWW-Authenticate"].startswith("Token")
    if response.status_code == 302:
        return "/sign-in/" in response["Location"] or "/admin/login/" in response["Location"]
    return response.status_code == 403


# Pages the Django admin refuses even to an administrator, by its own model permissions (the
# sign-in audit is read-only; autocomplete needs its query): the policy lets the administrator in.
ADMIN_REFUSES_ITSELF = {
    "admin:autocomplete",
    "admin:axes_accessattempt_add",
    "admin:axes_accessfailurelog_add",
    "admin:axes_accesslog_add",
}


def _read_only_in_the_admin(name: str, method: str) -> bool:
    """The project's models are read only in the admin (mps_ict/admin.py): it refuses an
    administrator their add and delete pages, and every write."""
    from django.contrib import admin as django_admin

    from mps_ict.admin import ReadOnlyAdmin

    for model, model_admin in django_admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if isinstance(model_admin, ReadOnlyAdmin) and name.startswith(prefix):
            return method != "get" or name.endswith(("_add", "_delete"))
    return False


def _check(url, name, methods):
    """Every role (and an anonymous visitor) with every method: 403 where the policy refuses,
    anything else where it allows (sample arguments may well give 404, and a GET-only page 405)."""
    users = _users()
    client = APIClient()
    failures = []
    for method in methods:
        client.logout()
        anonymous = _request(client, method, url)
        open_to_all = access.allowed(None, name, method.upper())
        if open_to_all == _refused_anonymously(anonymous):
            failures.append(f"anonymous {method.upper()}: got {anonymous.status_code}, policy open={open_to_all}")
        for role, user in users.items():
            client.force_login(user)
            response = _request(client, method, url)
            if access.allowed(user, name, method.upper()):
                refuses_itself = name in ADMIN_REFUSES_ITSELF or _read_only_in_the_admin(name, method)
                if response.status_code == 403 and not refuses_itself:
                    failures.append(f"{role} {method.upper()}: refused, but the policy allows it")
            elif response.status_code != 403:
                failures.append(f"{role} {method.upper()}: got {response.status_code}, the policy refuses it")
    assert not failures, f"{url} ({name}): " + "; ".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "name"), PROJECT_URLS)
def test_the_policy_decides_every_page_and_endpoint(url, name):
    _check(url, name, ("get", *WRITE_METHODS))


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "name"), ADMIN_URLS)
def test_the_policy_decides_every_admin_page(url, name):
    _check(url, name, ("get", "post"))


@pytest.mark.django_db
def test_a_user_with_no_role_sees_the_no_access_page_and_a_403_from_the_api():
    client = APIClient()
    client.force_login(UserFactory())
    page = client.get("/")
    assert page.status_code == 403
    assert "You have no access yet" in page.content.decode()
    assert "an administrator" in page.content.decode()
    assert client.get("/account/").status_code == 200
    api = client.get("/api/v1/savings/summary/")
    assert api.status_code == 403
    assert api.json()["message"].startswith("You have no access yet")
    # nor does the navigation offer anything
    assert 'class="govuk-service-navigation"' not in client.get("/account/").content.decode()


@pytest.mark.django_db
def test_a_role_only_sees_navigation_it_may_follow(client):
    client.force_login(UserFactory(role="board"))
    account = client.get("/account/").content.decode()
    assert 'href="/savings/"' in account and 'href="/assembly/"' in account


@pytest.mark.django_db
def test_personal_data_is_read_only_by_the_mobile_team_and_administrators():
    readers = {role for role in access.ALL_ROLES if access.allowed(_role_user(role), "mobile_assets:register")}
    assert readers == {"asset_manager", "admin"}
    for role in ("board", "finance", "programme_manager", "api_consumer"):
        client = APIClient()
        client.force_login(UserFactory(role=role))
        assert client.get("/mobile/devices/").status_code == 403
        assert client.get("/api/v1/mobile/devices/").status_code == 403
        assert client.get("/mobile/").status_code == 200  # the estate's counts are not personal


def _role_user(role):
    if role == access.ANONYMOUS:
        return None
    return UserFactory(role=None if role == access.NO_ROLE else role)


# --- object-level rules: two programme managers, each on the other's project -------------------


@pytest.fixture
def two_managers(db):
    from portfolio.tests.factories import ProjectFactory, SpendProfileLineFactory

    first, second = UserFactory(role="programme_manager"), UserFactory(role="programme_manager")
    projects = {}
    for manager in (first, second):
        project = ProjectFactory(programme_manager=manager)
        SpendProfileLineFactory(project=project)
        projects[manager.pk] = project
    return first, second, projects


OWN_PROJECT_PAGES = ("portfolio:status-update", "portfolio:reprofile")


@pytest.mark.parametrize("name", OWN_PROJECT_PAGES)
def test_a_programme_manager_changes_only_their_own_projects(two_managers, name):
    from django.urls import reverse

    first, second, projects = two_managers
    for manager, other in ((first, second), (second, first)):
        client = APIClient()
        client.force_login(manager)
        own = reverse(name, kwargs={"code": projects[manager.pk].code})
        theirs = reverse(name, kwargs={"code": projects[other.pk].code})
        assert client.get(own).status_code == 200
        assert client.get(theirs).status_code == 403
        assert client.post(theirs, data={}).status_code == 403


def test_a_programme_manager_files_status_updates_through_the_api_only_for_their_own_projects(two_managers):
    from portfolio.models import StatusUpdate

    first, second, projects = two_managers
    client = APIClient()
    client.force_login(first)
    body = {"month": date(2013, 2, 1).isoformat(), "dca": "amber", "narrative": "On track.", "forecast_change": "0"}
    theirs = client.post(
        "/api/v1/portfolio/status-updates/", {**body, "project": projects[second.pk].code}, format="json"
    )
    assert theirs.status_code in (400, 403), theirs.content
    assert not StatusUpdate.objects.filter(project=projects[second.pk]).exists()
    own = client.post("/api/v1/portfolio/status-updates/", {**body, "project": projects[first.pk].code}, format="json")
    assert own.status_code == 201, own.content
