"""The pack's pages, downloads and API, role by role."""

import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from mps_ict.marking import ProtectiveMarking
from mps_ict.testing import assert_access_by_role
from reporting.models import PackSnapshot
from savings.models import Initiative

pytestmark = pytest.mark.django_db


def _sensitive_initiative():
    initiative = Initiative.objects.get(reference="SAV-DC")
    initiative.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    initiative.save()
    cache.clear()
    return initiative


def test_every_role_reads_the_pack_and_its_files(client, all_seeds, role_user):
    for url in ("/assembly/", "/assembly/pack.xlsx", "/assembly/q6.csv", "/api/v1/assembly/"):
        assert_access_by_role(client, role_user, url, {})
    client.force_login(role_user("board"))
    assert client.get("/assembly/q7.csv").status_code == 404


def test_only_finance_can_freeze_from_the_page(client, all_seeds, role_user):
    assert_access_by_role(
        client,
        role_user,
        "/assembly/freeze/",
        {"finance": 302, "admin": 302},
        method="post",
        data={"label": "Draft", "version": "full"},
        default=403,
    )
    assert PackSnapshot.objects.count() == 2  # finance's and the superuser's


def test_freezing_without_a_label_names_the_field_and_keeps_nothing(client, all_seeds, role_user):
    client.force_login(role_user("finance"))
    response = client.post("/assembly/freeze/", {"label": "", "version": "full"})
    assert response.status_code == 400
    assert "Enter what this copy is for" in response.content.decode()
    assert PackSnapshot.objects.count() == 0


def test_a_finance_officer_freezes_downloads_and_compares(client, all_seeds, role_user):
    client.force_login(role_user("finance"))
    response = client.post("/assembly/freeze/", {"label": "Submission of 3 May 2013", "version": "full"})
    frozen = PackSnapshot.objects.get()
    assert response.url == f"/assembly/snapshots/{frozen.pk}/"
    page = client.get(response.url).content.decode()
    assert "Submission of 3 May 2013" in page and "Frozen copy" in page
    workbook = load_workbook(io.BytesIO(client.get(f"/assembly/snapshots/{frozen.pk}/pack.xlsx").content))
    assert workbook.sheetnames[0] == "Cover"
    assert client.get(f"/assembly/snapshots/{frozen.pk}/q6.csv").status_code == 200
    compared = client.get("/assembly/compare/", {"earlier": frozen.pk, "later": "live"})
    assert compared.status_code == 200
    assert 'data-testid="no-changes"' in compared.content.decode()
    same = client.get("/assembly/compare/", {"earlier": frozen.pk, "later": frozen.pk})
    assert same.status_code == 400 and "Choose a different copy" in same.content.decode()
    unknown = client.get("/assembly/compare/", {"earlier": 999, "later": "live"})
    assert unknown.status_code == 400 and "Choose one of the frozen copies" in unknown.content.decode()


def test_the_page_says_how_many_records_the_publication_version_leaves_out(client, all_seeds, role_user):
    _sensitive_initiative()
    client.force_login(role_user("board"))
    full = client.get("/assembly/").content.decode()
    assert 'data-testid="withheld"' not in full
    publication = client.get("/assembly/", {"version": "publication"}).content.decode()
    assert re.search(r"leaves out 1 record marked OFFICIAL-SENSITIVE", publication)


def test_a_token_without_view_restricted_only_ever_gets_the_publication_version(client, all_seeds, role_user):
    _sensitive_initiative()
    full_copy = PackSnapshot.objects.create(
        label="Full", version="full", frozen_by=role_user("finance"), content={"questions": []}
    )
    token = Token.objects.create(user=role_user("api_consumer"))
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    for params in ({}, {"version": "full"}):
        pack = client.get("/api/v1/assembly/", params, **headers).json()
        assert (pack["version"], pack["withheld"]) == ("publication", 1)
    assert client.get("/api/v1/assembly/", {"snapshot": full_copy.pk}, **headers).status_code == 404
    assert client.get("/api/v1/assembly/snapshots/", **headers).json() == []
    workbook = load_workbook(io.BytesIO(client.get("/api/v1/assembly/", {"format": "xlsx"}, **headers).content))
    cover = {row[0]: row[1] for row in workbook["Cover"].iter_rows(values_only=True) if row and row[0]}
    assert cover["Records left out"] == "1"
    # and it cannot freeze
    assert client.post("/api/v1/assembly/snapshots/", {"label": "x"}, **headers).status_code == 403


def test_a_publication_copy_frozen_before_a_record_was_marked_is_withheld_after(client, all_seeds, role_user):
    from portfolio.models import Project
    from reporting import services

    finance, reader = role_user("finance"), role_user("api_consumer")
    before = services.pack_freeze(user=finance, label="Before", version="publication")
    unrelated = Project.objects.exclude(enables__isnull=False).first()
    unrelated.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    unrelated.save()
    # a project the pack never showed: the copy stays readable
    client.force_login(reader)
    assert client.get(f"/assembly/snapshots/{before.pk}/").status_code == 200

    initiative = _sensitive_initiative()
    # the copy's Q6 sums counted SAV-DC: beside today's figures it would give them away
    for url in (
        f"/assembly/snapshots/{before.pk}/",
        f"/assembly/snapshots/{before.pk}/pack.xlsx",
        f"/api/v1/assembly/?snapshot={before.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/v1/assembly/snapshots/").json() == []
    assert "Before" not in client.get("/assembly/").content.decode()
    # a copy frozen now leaves SAV-DC out and is readable
    after = services.pack_freeze(user=finance, label="After", version="publication")
    page = client.get(f"/assembly/snapshots/{after.pk}/").content.decode()
    assert initiative.reference not in page
    assert [s["label"] for s in client.get("/api/v1/assembly/snapshots/").json()] == ["After"]
    # those who may see SAV-DC still read both
    client.force_login(role_user("board"))
    assert client.get(f"/assembly/snapshots/{before.pk}/").status_code == 200
    # a copy whose coverage is unknown (frozen before this was kept) is withheld while anything is
    PackSnapshot.objects.filter(pk=after.pk).update(covers="")
    client.force_login(reader)
    assert client.get(f"/assembly/snapshots/{after.pk}/").status_code == 404


def test_the_api_pack_matches_the_savings_api(client, all_seeds, role_user):
    client.force_login(role_user("board"))
    pack = client.get("/api/v1/assembly/").json()
    q6 = next(q for q in pack["questions"] if q["number"] == 6)["tables"][0]
    breakdown = client.get("/api/v1/savings/breakdown/", {"by": "savings_type"}).json()
    rows = breakdown["results"] if isinstance(breakdown, dict) else breakdown
    for year, key in (("2014/15", "planned_2014"), ("2015/16", "planned_2015")):
        api_total = sum(float(r["planned"]) for r in rows if r["financial_year"] == year)
        assert float(q6["total"][key]) == api_total


def test_api_errors_name_the_parameter(client, all_seeds, role_user):
    client.force_login(role_user("board"))
    bad = client.get("/api/v1/assembly/", {"version": "secret"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "version"
    csv_without_question = client.get("/api/v1/assembly/", {"format": "csv"})
    assert csv_without_question.status_code == 400
    assert csv_without_question.json()["errors"][0]["field"] == "question"
    csv = client.get("/api/v1/assembly/", {"format": "csv", "question": 6})
    assert csv.status_code == 200 and b"Savings by type" in csv.content


def test_finance_freezes_through_the_api(client, all_seeds, role_user):
    token = Token.objects.create(user=role_user("finance"))
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    created = client.post("/api/v1/assembly/snapshots/", {"label": "API copy"}, **headers)
    assert created.status_code == 201 and created.json()["version"] == "full"
    frozen = client.get("/api/v1/assembly/", {"snapshot": created.json()["id"]}, **headers).json()
    assert frozen["snapshot"]["label"] == "API copy"
    empty = client.post("/api/v1/assembly/snapshots/", {"label": ""}, **headers)
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "label"


def _pack_page_queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/assembly/").status_code == 200
    return len(queries)


def test_the_pack_page_takes_the_same_queries_however_much_data(client, all_seeds, role_user):
    from portfolio.models import Project
    from portfolio.tests.factories import ProjectFactory

    client.force_login(role_user("finance"))
    small = _pack_page_queries(client)
    initiative = Initiative.objects.first()
    for _ in range(20):
        ProjectFactory().enables.add(initiative)
    for index in range(5):
        PackSnapshot.objects.create(label=f"Copy {index}", version="full", frozen_by=role_user("finance"), content={})
    assert Project.objects.filter(enables__isnull=False).count() >= 20
    assert _pack_page_queries(client) == small
