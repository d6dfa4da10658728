from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from mps_ict.testing import assert_access_by_role
from portfolio.models import Project, StatusUpdate
from portfolio.tests.factories import ProjectFactory, SpendProfileLineFactory

READ_PAGES = ["/portfolio/", "/portfolio/?year=2012/13", "/portfolio/?what_if=8", "/portfolio/projects/INF-01/"]


@pytest.mark.parametrize("url", READ_PAGES)
def test_every_role_reads_the_portfolio(portfolio_seed, client, role_user, url):
    assert_access_by_role(client, role_user, url)


def test_only_programme_managers_have_my_projects(portfolio_seed, client, role_user):
    assert_access_by_role(client, role_user, "/portfolio/my-projects/")  # the policy says who: 403 for the rest


def test_only_finance_sets_the_budget(portfolio_seed, client, role_user):
    assert_access_by_role(client, role_user, "/portfolio/capital-programmes/2012/")


def test_the_dashboard_shows_204m_213m_and_the_headroom(portfolio_seed, client, role_user):
    client.force_login(role_user("board"))
    page = client.get("/portfolio/").content.decode()
    assert "£204m" in page and "£213m" in page and "Over-programmed by £9m" in page
    assert "£203.68m" in page and "£320k" in page
    assert "illustrative" in page
    what_if = client.get("/portfolio/?what_if=10").content.decode()
    assert "£191.7m" in what_if or "£191.70m" in what_if
    bad = client.get("/portfolio/?what_if=lots")
    assert bad.status_code == 200 and "Enter a slippage rate between 0 and 100" in bad.content.decode()


def test_a_programme_manager_files_for_their_project_and_is_refused_on_anothers(portfolio_seed, client):
    pm = User.objects.get(username="pm")
    client.force_login(pm)
    page = client.get("/portfolio/my-projects/").content.decode()
    assert "INF-01" in page and "INF-03" not in page  # INF-03 is pm2's
    response = client.post(
        "/portfolio/projects/INF-01/status-update/", {"month": "2013-01", "dca": "amber", "narrative": "Hall 2 delayed"}
    )
    assert response.status_code == 302 and StatusUpdate.objects.filter(project__code="INF-01").exists()
    assert client.get("/portfolio/projects/INF-03/status-update/").status_code == 403
    assert (
        client.post(
            "/portfolio/projects/INF-03/reprofile/",
            {"amount": "1", "from_year": "2012/13", "to_year": "2013/14", "reason": "x"},
        ).status_code
        == 403
    )


def test_a_reprofile_needs_a_reason(portfolio_seed, client):
    client.force_login(User.objects.get(username="pm"))
    response = client.post(
        "/portfolio/projects/INF-01/reprofile/",
        {"amount": "£1,000,000", "from_year": "2012/13", "to_year": "2013-14", "reason": ""},
    )
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    response = client.post(
        "/portfolio/projects/INF-01/reprofile/",
        {"amount": "£1,000,000", "from_year": "2012/13", "to_year": "2013-14", "reason": "Estates delay"},
    )
    assert response.status_code == 302
    assert Project.objects.get(code="INF-01").reprofiles.get().amount == Decimal("1000000.00")


def test_api_capital_programmes_give_the_same_figures(portfolio_seed, role_user):
    client = APIClient()
    client.force_authenticate(role_user("api_consumer"))
    row = client.get("/api/v1/portfolio/capital-programmes/").json()["results"][0]
    assert {
        k: row[k]
        for k in (
            "financial_year",
            "budget",
            "managed_total",
            "over_programming",
            "expected_slippage_rate",
            "delay_adjusted_forecast",
            "headroom",
        )
    } == {
        "financial_year": "2012/13",
        "budget": "204000000.00",
        "managed_total": "213000000.00",
        "over_programming": "9000000.00",
        "expected_slippage_rate": "0.043756",
        "delay_adjusted_forecast": "203680000.00",
        "headroom": "320000.00",
    }
    assert client.get("/api/v1/portfolio/capital-programmes/?slippage_rate=-1").status_code == 400


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("stage=proposed", ["MOB-01"]),
        ("dca=red", ["APP-01"]),
        ("category=mobile", ["MOB-01", "MOB-02", "MOB-03"]),
        ("programme=Mobile policing (illustrative)", ["MOB-01", "MOB-02", "MOB-03"]),
    ],
)
def test_project_filters(portfolio_seed, role_user, query, codes):
    client = APIClient()
    client.force_authenticate(role_user("board"))
    assert [p["code"] for p in client.get(f"/api/v1/portfolio/projects/?{query}").json()["results"]] == codes


def test_status_updates_through_the_api_only_by_the_projects_manager(portfolio_seed, role_user):
    payload = {"project": "INF-02", "month": "2013-01-01", "dca": "green", "narrative": "On track"}
    for user, status in (
        (role_user("board"), 403),
        (User.objects.get(username="pm2"), 403),
        (User.objects.get(username="pm"), 201),
    ):
        client = APIClient()
        client.force_authenticate(user)
        assert client.post("/api/v1/portfolio/status-updates/", payload, format="json").status_code == status
    client = APIClient()
    client.force_authenticate(User.objects.get(username="pm"))
    again = client.post("/api/v1/portfolio/status-updates/", payload, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "month"


def test_dashboard_and_project_list_queries_do_not_grow(portfolio_seed, client, role_user):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(role_user("board"))
    api = APIClient()
    api.force_authenticate(role_user("board"))

    def count(url, fetch):
        cache.clear()
        fetch(url)
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            assert fetch(url).status_code == 200
        return len(context.captured_queries)

    urls = [
        ("/portfolio/", client.get),
        ("/api/v1/portfolio/projects/", api.get),
        ("/api/v1/portfolio/capital-programmes/", api.get),
    ]
    before = [count(url, fetch) for url, fetch in urls]
    for index in range(25):
        SpendProfileLineFactory(
            project=ProjectFactory(category=f"Extra {index % 3}"), financial_year="2012/13", planned=Decimal("1000.00")
        )
    assert [count(url, fetch) for url, fetch in urls] == before


def test_the_project_list_filters_and_paginates(portfolio_seed, client, role_user):
    client.force_login(role_user("board"))
    page = client.get("/portfolio/projects/?category=mobile").content.decode()
    assert "3 projects." in page and "MOB-01" in page and "INF-01" not in page
    for index in range(60):
        ProjectFactory(code=f"EXTRA-{index:02d}")
    first = client.get("/portfolio/projects/").content.decode()
    assert "71 projects." in first and "Page 1 of 2" in first
    bad = client.get("/portfolio/projects/?financial_year=someday&stage=unknown")
    assert bad.status_code == 200 and "There is a problem with the filters" in bad.content.decode()


def test_a_status_update_is_filed_as_json_and_an_empty_amount_is_refused(portfolio_seed):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="pm"))
    payload = {"project": "INF-02", "month": "2013-01-01", "dca": "green", "forecast_change": ""}
    # a form cannot tell an amount left empty from one left out: JSON only
    assert client.post("/api/v1/portfolio/status-updates/", payload, format="multipart").status_code == 415
    # an amount sent empty is refused naming the field, and nothing is filed
    response = client.post("/api/v1/portfolio/status-updates/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "forecast_change"
    # while leaving it out takes the default: no change
    del payload["forecast_change"]
    filed = client.post("/api/v1/portfolio/status-updates/", payload, format="json")
    assert filed.status_code == 201 and filed.json()["forecast_change"] == "0.00"
