"""What depends on an event, through the API: each event's savings initiatives (references) and
projects (codes) that the reader may see, and the pounds of each year that depend on it; the
filters by what depends on events and contracts (shared with the pages); and a marked initiative
or project kept from every reader without `view_restricted`, in no list, file, count or filter."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from contracts.choices import EventKind
from contracts.tests.factories import ContractEventFactory, ContractFactory
from mps_ict.financial_years import FinancialYear
from mps_ict.marking import ProtectiveMarking
from portfolio.tests.factories import ProjectFactory
from savings.tests.factories import InitiativeFactory, SavingsProfileFactory

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/contracts/events/"
CONTRACTS = "/api/v1/contracts/contracts/"
SENSITIVE = ProtectiveMarking.OFFICIAL_SENSITIVE


def _initiative(reference: str, profile: dict[int, str], **fields):
    initiative = InitiativeFactory(reference=reference, **fields)
    for year, amount in profile.items():
        SavingsProfileFactory(initiative=initiative, financial_year=FinancialYear(year), planned_saving=Decimal(amount))
    return initiative


@pytest.fixture
def linked():
    """GEN2's re-tender start (1 April 2013), which SAV-SM's saving and a project depend on, and a
    marked initiative (SAV-HUSH) and project (PRJ-HUSH) depending on it too; NET-1's notice, which
    nothing depends on; and a retired event of NET-1 that SAV-SM depended on."""
    gen2 = ContractFactory(reference="GEN2", title="Managed ICT services")
    net1 = ContractFactory(reference="NET-1", title="Network")
    retender = ContractEventFactory(contract=gen2, kind=EventKind.RETENDER_START, due=date(2013, 4, 1))
    notice = ContractEventFactory(contract=net1, kind=EventKind.NOTICE_DUE, due=date(2014, 9, 30))
    retired = ContractEventFactory(contract=net1, due=date(2015, 1, 1), retired_at="2014-01-01T00:00:00Z")
    sav_sm = _initiative("SAV-SM", {2013: "2000000.00", 2014: "5000000.00", 2015: "8000000.00"})
    hush = _initiative("SAV-HUSH", {2013: "987654.00"}, protective_marking=SENSITIVE)
    project = ProjectFactory(code="PRJ-OPEN")
    hidden_project = ProjectFactory(code="PRJ-HUSH", protective_marking=SENSITIVE)
    retender.initiatives.add(sav_sm, hush)
    retender.projects.add(project, hidden_project)
    retired.initiatives.add(sav_sm)
    return {"retender": retender, "notice": notice, "retired": retired, "gen2": gen2, "net1": net1}


@pytest.fixture
def api(role_user):
    def client_for(role):
        client = APIClient()
        client.force_authenticate(role_user(role))
        return client

    return client_for


def _rows(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_an_event_gives_what_depends_on_it_and_the_pounds_by_year(api, linked):
    row = api("board").get(f"{EVENTS}{linked['retender'].pk}/").json()
    assert row["initiatives"] == ["SAV-HUSH", "SAV-SM"]
    assert row["projects"] == ["PRJ-HUSH", "PRJ-OPEN"]
    assert row["dependent_savings"] == {
        "by_year": {"2013/14": "2987654.00", "2014/15": "5000000.00", "2015/16": "8000000.00"},
        "total": "15987654.00",
    }
    listed = _rows(api("board"), EVENTS)
    notice = next(r for r in listed if r["id"] == linked["notice"].pk)
    assert notice["initiatives"] == notice["projects"] == []
    assert notice["dependent_savings"] == {"by_year": {}, "total": "0.00"}


def test_a_reader_without_view_restricted_sees_only_the_published_dependents(api, linked):
    client = api("api_consumer")
    row = client.get(f"{EVENTS}{linked['retender'].pk}/").json()
    assert row["initiatives"] == ["SAV-SM"] and row["projects"] == ["PRJ-OPEN"]
    assert row["dependent_savings"] == {
        "by_year": {"2013/14": "2000000.00", "2014/15": "5000000.00", "2015/16": "8000000.00"},
        "total": "15000000.00",
    }
    for query in ("", "?format=csv&page_size=all", "?format=xlsx&page_size=all"):
        text = _text(client.get(EVENTS + query))
        assert "SAV-HUSH" not in text and "PRJ-HUSH" not in text and "987654" not in text and "2987654" not in text
        assert "SAV-SM" in text and "PRJ-OPEN" in text


def _text(response) -> str:
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None) for sheet in workbook for row in sheet.values
        )
    return response.content.decode()


def test_the_csv_has_the_dependents_and_the_pounds_by_year(api, linked):
    text = _text(api("api_consumer").get(f"{EVENTS}?format=csv&page_size=all&initiative=SAV-SM&retired=false"))
    header, row = text.splitlines()[:2]
    assert "initiatives" in header and "projects" in header
    assert "dependent_savings.by_year.2014/15" in header and "dependent_savings.total" in header
    assert "SAV-SM" in row and "5000000.00" in row and "15000000.00" in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("initiative=SAV-SM", ["retender", "retired"]),
        ("initiative=sav-sm&retired=false", ["retender"]),
        ("project=PRJ-OPEN", ["retender"]),
        ("has_dependents=true", ["retender", "retired"]),
        ("has_dependents=false", ["notice"]),
        ("initiative=NO-SUCH", []),
        ("project=NO-SUCH", []),
    ],
)
def test_the_events_filter_by_what_depends_on_them(api, linked, query, expected):
    rows = _rows(api("api_consumer"), f"{EVENTS}?{query}")
    assert sorted(row["id"] for row in rows) == sorted(linked[name].pk for name in expected)


def test_a_withheld_initiative_or_project_filters_as_one_that_does_not_exist(api, linked):
    reader, board = api("api_consumer"), api("board")
    for url in (EVENTS, CONTRACTS):
        for name, hidden in (("initiative", "SAV-HUSH"), ("project", "PRJ-HUSH")):
            withheld = reader.get(f"{url}?{name}={hidden}")
            never = reader.get(f"{url}?{name}=NO-SUCH")
            assert withheld.status_code == never.status_code == 200
            assert withheld.json() == never.json() == {**never.json(), "count": 0, "results": []}
            assert [row["id"] for row in _rows(board, f"{url}?{name}={hidden}")] != []


def test_an_event_only_a_withheld_record_depends_on_has_no_dependents_for_the_reader(api, linked):
    only_hidden = ContractEventFactory(contract=linked["net1"], due=date(2016, 1, 1))
    only_hidden.initiatives.add(linked["retender"].initiatives.get(reference="SAV-HUSH"))
    reader = [row["id"] for row in _rows(api("api_consumer"), f"{EVENTS}?has_dependents=false")]
    board = [row["id"] for row in _rows(api("board"), f"{EVENTS}?has_dependents=false")]
    assert only_hidden.pk in reader and only_hidden.pk not in board


def test_contracts_filter_by_the_live_events_that_savings_and_projects_depend_on(api, linked):
    client = api("api_consumer")
    # SAV-SM depends on GEN2's live event and on NET-1's retired one: only GEN2
    assert [row["reference"] for row in _rows(client, f"{CONTRACTS}?initiative=SAV-SM")] == ["GEN2"]
    assert [row["reference"] for row in _rows(client, f"{CONTRACTS}?project=prj-open")] == ["GEN2"]
    assert _rows(client, f"{CONTRACTS}?initiative=NO-SUCH") == []


@pytest.mark.parametrize("url", [EVENTS, f"{EVENTS}?format=csv"])
def test_a_bad_yes_no_filter_is_a_400_naming_it(api, url):
    separator = "&" if "?" in url else "?"
    response = api("api_consumer").get(f"{url}{separator}has_dependents=maybe")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "has_dependents"


def test_the_pages_filter_by_what_depends_on_events(client, role_user, linked):
    client.force_login(role_user("api_consumer"))

    def links(url):  # which of GEN2 and NET-1 the page links to (the event list links the contract)
        page = client.get(url).content.decode()
        return [f'href="{reverse("contracts:contract", args=[linked[name].pk])}' in page for name in ("gen2", "net1")]

    events, contracts = reverse("contracts:event-list"), reverse("contracts:contract-list")
    assert links(f"{events}?has_dependents=false") == [False, True]
    assert links(f"{events}?project=PRJ-OPEN") == [True, False]
    assert links(f"{contracts}?initiative=SAV-SM") == [True, False]
    assert links(f"{contracts}?initiative=SAV-HUSH") == [False, False]


def _grow(count: int):
    for _ in range(count):
        event = ContractEventFactory()
        initiative = _initiative(f"GROW-{event.pk}", {2013: "1000.00", 2014: "2000.00"})
        hidden = _initiative(f"HIDE-{event.pk}", {2013: "1000.00"}, protective_marking=SENSITIVE)
        event.initiatives.add(initiative, hidden)
        event.projects.add(ProjectFactory(), ProjectFactory(protective_marking=SENSITIVE))


@pytest.mark.parametrize("role", ["api_consumer", "board"])
@pytest.mark.parametrize("query", ["", "?format=csv&page_size=all", "?has_dependents=true"])
def test_the_event_list_with_its_dependents_costs_the_same_queries_at_two_sizes(
    role_user, django_assert_num_queries, role, query
):
    client = APIClient()
    client.force_login(role_user(role))
    _grow(2)
    client.get(EVENTS + query)
    with django_assert_num_queries(10) as small:
        assert client.get(EVENTS + query).status_code == 200
    _grow(10)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(EVENTS + query).status_code == 200


def test_finance_say_what_depends_on_an_event_through_the_api_from_the_version_read(api, linked):
    client, notice = api("finance"), linked["notice"]
    url = f"{EVENTS}{notice.pk}/"
    answer = client.patch(url, {"initiatives": ["SAV-SM"], "version": notice.version}, format="json")
    assert answer.status_code == 200, answer.content
    row = answer.json()
    assert (row["initiatives"], row["projects"], row["version"]) == (["SAV-SM"], [], notice.version + 1)
    # from September 2014: what the saving adds to its rate then (2014/15's), so only 2015/16's rise
    assert row["dependent_savings"]["by_year"] == {"2013/14": "0.00", "2014/15": "0.00", "2015/16": "3000000.00"}
    assert "SAV-SM" in notice.history.latest().history_change_reason
    stale = client.patch(url, {"projects": ["PRJ-OPEN"], "version": notice.version}, format="json")
    assert stale.status_code == 409
    # the date and what depends on it together; SAV-SM stays when only projects are given
    both = client.patch(url, {"due": "2014-10-31", "projects": ["PRJ-OPEN"], "version": row["version"]}, format="json")
    assert both.status_code == 200, both.content
    assert (both.json()["due"], both.json()["initiatives"], both.json()["projects"]) == (
        "2014-10-31",
        ["SAV-SM"],
        ["PRJ-OPEN"],
    )
    assert both.json()["version"] == row["version"] + 2


def test_a_reference_the_writer_may_not_name_is_a_400_and_nothing_changes(api, linked, role_user):
    notice = linked["notice"]
    url = f"{EVENTS}{notice.pk}/"
    client = api("finance")
    unknown = client.patch(url, {"due": "2014-12-31", "initiatives": ["NO-SUCH"], "version": 1}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "initiatives"
    withdrawn = _initiative("SAV-GONE", {2014: "1000.00"}, withdrawn_at="2014-01-01T00:00:00Z")
    refused = client.patch(
        url, {"due": "2014-12-31", "initiatives": [withdrawn.reference], "version": 1}, format="json"
    )
    assert refused.status_code == 400 and "SAV-GONE" in refused.json()["errors"][0]["message"]
    notice.refresh_from_db()
    assert (notice.due, notice.version, list(notice.initiatives.all())) == (date(2014, 9, 30), 1, [])
    assert api("api_consumer").patch(url, {"initiatives": [], "version": 1}, format="json").status_code == 403
