"""The board overview: headline figures from all three areas, traceable, and "as at" a past date."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import backdate_history
from mobile_assets.choices import DeviceStatus
from mobile_assets.models import Device, DeviceType
from mps_ict.marking import ProtectiveMarking
from mps_ict.testing import assert_access_by_role
from portfolio.models import CapitalProgramme
from portfolio.services import capital_programme_set
from reporting.selectors import board_overview
from savings import services as savings_services
from savings.choices import ActualStatus
from savings.models import Initiative, QuarterlyActual
from savings.tests.factories import QuarterlyActualFactory

pytestmark = pytest.mark.django_db


def _testid(html: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</span>', html, re.S)
    assert match, f"{name} not on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_board_sees_every_area_with_the_seed_figures(client, all_seeds, role_user):
    client.force_login(role_user("board"))
    html = client.get("/").content.decode()
    # savings: the reporting year is the target year (no actuals approved yet): £60m
    assert _testid(html, "savings-target") == "£60m"
    # the capital programme: £204m budget, £213m managed, £203.68m delay-adjusted, £0.32m headroom
    assert _testid(html, "portfolio-budget") == "£204m"
    assert _testid(html, "portfolio-managed") == "£213m"
    assert _testid(html, "portfolio-delay-adjusted") == "£203.68m"
    assert _testid(html, "portfolio-headroom") == "£0.32m"
    # the estate: 7,330 devices; the rollout plan of 30,000; the reported six months
    assert _testid(html, "mobile-devices") == "7,330"
    assert "of 30,000 planned" in html
    overview = board_overview(user=role_user("board"))
    assert overview.mobile.benefits_reported == Decimal("1623856.00") + Decimal("50323.00") + Decimal("2354306.00")
    assert (overview.mobile.benefits_start, overview.mobile.benefits_end) == (date(2012, 9, 1), date(2013, 2, 1))
    # every chart has its table
    tables = ("savings-years", "savings-chances", "portfolio-dca", "portfolio-outturn", "mobile-types")
    for table in (*tables, "mobile-benefits-table"):
        assert f'data-testid="{table}"' in html
    assert html.count('class="app-chart"') == 5  # the targets' and the capital outturn's ranges too (issue 16)
    assert "last updated" in html


def test_every_headline_figure_links_to_a_page_that_exists(client, all_seeds, role_user):
    client.force_login(role_user("board"))
    html = client.get("/").content.decode()
    links = re.findall(r'data-testid="(?:savings|portfolio|mobile)-[a-z-]+"><a href="([^"]+)"', html)
    assert len(links) == 11
    for href in set(links):
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href


def test_every_role_sees_the_overview(client, all_seeds, role_user):
    assert_access_by_role(client, role_user, "/", {})


def test_readers_without_view_restricted_get_publication_figures(all_seeds, role_user):
    initiative = Initiative.objects.get(reference="SAV-DC")
    initiative.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    initiative.save()
    cache.clear()
    full = board_overview(user=role_user("board")).savings
    publication = board_overview(user=role_user("api_consumer")).savings
    assert publication.withheld == 1 and full.withheld == 0
    planned = initiative.profile.get(financial_year=full.year.financial_year).planned_saving
    assert publication.year.planned == full.year.planned - planned


def test_as_at_shows_the_figures_as_they_stood(client, all_seeds, role_user):
    # Given the seed loaded ten days ago
    backdate_history(10)
    finance, finance2 = role_user("finance"), role_user("finance")
    # When today an actual is approved, a device is lost and the budget changes
    actual = QuarterlyActualFactory(
        initiative=Initiative.objects.get(reference="SAV-DC"),
        actual_saving=Decimal("750000.00"),
        status=ActualStatus.SUBMITTED,
        entered_by=finance,
        submitted_by=finance,
    )
    savings_services.actual_approve(actual=actual, user=finance2)
    device = Device.objects.get(asset_tag="PDA-00001")
    device.status = DeviceStatus.LOST
    device.save()
    programme = CapitalProgramme.objects.get()
    capital_programme_set(
        financial_year=programme.financial_year,
        budget=Decimal("210000000.00"),
        slippage_assumption=programme.slippage_assumption,
        user=finance,
    )
    cache.clear()
    board = role_user("board")
    now = board_overview(user=board)
    yesterday = timezone.localdate() - timedelta(days=1)
    before = board_overview(user=board, as_at=yesterday)

    # Then now shows the changes and "as at" yesterday shows the figures as they stood
    assert QuarterlyActual.objects.get(pk=actual.pk).status == ActualStatus.APPROVED
    assert now.savings.years[1].realised == Decimal("750000.00")
    assert all(year.realised == 0 for year in before.savings.years)
    assert [y.planned for y in before.savings.years] == [y.planned for y in now.savings.years]
    pda = DeviceType.objects.get(code="pda").name
    issued = {t.name: t.issued for t in now.mobile.types}
    issued_before = {t.name: t.issued for t in before.mobile.types}
    assert issued_before[pda] == 3500 and issued[pda] == 3499
    assert now.portfolio.budget == Decimal("210000000.00")
    assert before.portfolio.budget == Decimal("204000000.00")
    assert before.last_updated < now.last_updated

    client.force_login(board)
    html = client.get("/", {"as_at": yesterday.isoformat()}).content.decode()
    assert _testid(html, "portfolio-budget") == "£204m"
    assert "Figures as they stood at the end of" in html


def test_as_at_before_any_source_says_nothing_was_recorded_yet_in_each_area(client, all_seeds, role_user):
    client.force_login(role_user("board"))
    html = client.get("/", {"as_at": "30/09/2012"}).content.decode()
    for area in ("savings", "portfolio", "mobile"):
        assert f'data-testid="{area}-none"' in html
    assert html.count("Nothing recorded yet") == 3


def test_as_at_between_sources_shows_the_areas_whose_source_was_out(client, all_seeds, role_user):
    # the Deloitte review (October 2012) and the mobile response (27 March 2013) were out by the
    # end of 31 March 2013; the savings briefing note (29 April 2013) was not
    client.force_login(role_user("board"))
    html = client.get("/", {"as_at": "31/3/2013"}).content.decode()
    assert 'data-testid="savings-none"' in html and "Nothing recorded yet: the savings plan" in html
    assert _testid(html, "portfolio-budget") == "£204m"
    assert _testid(html, "mobile-devices") == _testid(client.get("/").content.decode(), "mobile-devices") != "0"


def test_as_at_30_april_2013_shows_the_source_documents_figures_in_all_three_areas(client, all_seeds, role_user):
    board = role_user("board")
    overview = board_overview(user=board, as_at=date(2013, 4, 30))
    now = board_overview(user=board)
    # savings: the briefing note's plan, year by year, and the budget submission's targets
    assert [(str(y.financial_year), y.planned, y.target) for y in overview.savings.years] == [
        (str(y.financial_year), y.planned, y.target) for y in now.savings.years
    ]
    assert {str(y.financial_year): y.target for y in overview.savings.years if y.target} == {
        "2014/15": Decimal("42000000.00"),
        "2015/16": Decimal("60000000.00"),
    }
    # the capital programme: £204m budget, £213m managed, £203.68m delay-adjusted
    assert overview.portfolio.budget == Decimal("204000000.00")
    assert overview.portfolio.managed_total == Decimal("213000000.00")
    assert overview.portfolio.delay_adjusted_forecast == now.portfolio.delay_adjusted_forecast
    # the mobile estate: 3,500 PDAs reported and in the register, 1,425 vehicles' MDTs
    reported = {t.code: t.reported_count for t in overview.mobile.types}
    assert reported["pda"] == 3500 and reported["blackberry"] == 2405
    assert {t.code: t.in_register for t in overview.mobile.types} == {t.code: t.in_register for t in now.mobile.types}
    assert overview.mobile.benefits_reported == now.mobile.benefits_reported

    client.force_login(board)
    html = client.get("/", {"as_at": "30/4/2013"}).content.decode()
    assert _testid(html, "portfolio-budget") == "£204m"
    assert "Nothing recorded yet" not in html
    # every link from the as-at page keeps the date
    links = re.findall(r'href="(/[^"#]*)', html)
    area_links = [link for link in links if link.startswith(("/savings", "/portfolio", "/mobile", "/assembly"))]
    assert area_links and all("as_at=2013-04-30" in link for link in area_links), area_links


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2013", "Enter the date as a real date"),
        ("yesterday", "Enter the date as a real date"),
        ("2999-01-01", "today or in the past"),
    ],
)
def test_a_bad_as_at_date_is_named_and_the_current_figures_shown(client, all_seeds, role_user, value, message):
    client.force_login(role_user("board"))
    response = client.get("/", {"as_at": value})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert _testid(html, "portfolio-budget") == "£204m"


def _queries_for_overview(client, **params) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/", params).status_code == 200
    return len(queries)


def test_the_overview_takes_the_same_queries_however_much_data(client, all_seeds, role_user):
    from contracts.tests.factories import ContractEventFactory
    from mobile_assets.models import DeviceModel
    from portfolio.tests.factories import ProjectFactory, SpendProfileLineFactory
    from savings.tests.factories import InitiativeFactory, SavingsProfileFactory

    client.force_login(role_user("board"))
    small, small_as_at = (
        _queries_for_overview(client),
        _queries_for_overview(client, as_at=timezone.localdate().isoformat()),
    )
    category = Initiative.objects.first().category
    model = DeviceModel.objects.first()
    for index in range(30):
        initiative = InitiativeFactory(category=category)
        SavingsProfileFactory(initiative=initiative)
        QuarterlyActualFactory(initiative=initiative, status=ActualStatus.APPROVED)
        SpendProfileLineFactory(project=ProjectFactory())
        Device.objects.create(asset_tag=f"EXTRA-{index}", serial_number=f"X-{index}", model=model)
        # and contract events due in the window and past their date (issue 17 part 3)
        ContractEventFactory(due=timezone.localdate() + timedelta(days=index % 80))
        ContractEventFactory(due=timezone.localdate() - timedelta(days=index + 1))
    assert _queries_for_overview(client) == small
    assert _queries_for_overview(client, as_at=timezone.localdate().isoformat()) == small_as_at
    # and a second look is served from the figure cache
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) < small / 2


def test_the_api_gives_the_overview_and_the_summaries_as_at_the_same_day(client, all_seeds, role_user):
    board = role_user("board")
    client.force_login(board)
    overview = client.get("/api/v1/overview/", {"as_at": "2013-04-30"}).json()
    page = client.get("/", {"as_at": "30/4/2013"}).content.decode()
    assert overview["as_at"] == "2013-04-30"
    # the overview endpoint, the page and the areas' own summary endpoints agree for the day
    assert overview["portfolio"]["budget"] == "204000000.00" and _testid(page, "portfolio-budget") == "£204m"
    assert overview["portfolio"]["managed_total"] == "213000000.00"
    programmes = client.get("/api/v1/portfolio/capital-programmes/", {"as_at": "2013-04-30"}).json()["results"]
    assert programmes[-1]["delay_adjusted_forecast"] == overview["portfolio"]["delay_adjusted_forecast"]
    summary = client.get("/api/v1/savings/summary/", {"as_at": "2013-04-30"}).json()
    assert summary["as_at"] == "2013-04-30"
    assert {t["financial_year"]: t["cumulative_target"] for t in summary["targets"]} == {
        "2014/15": "42000000.00",
        "2015/16": "60000000.00",
    }
    years = {y["financial_year"]: y for y in overview["savings"]["years"]}
    assert all(years[y["financial_year"]]["planned"] == y["planned"] for y in summary["years"])
    assert summary["cost_now"] == "200000000.00" and summary["baseline_reduction"] == "60000000.00"
    # both say which version of the plan the savings figures are: as it stood that day, after the
    # briefing note's version (the seed's first)
    version = overview["savings"]["plan_version"]
    assert version["version"] is None
    assert version["latest_version"]["name"] == "Briefing note, 29 April 2013"
    assert version["description"].startswith("The plan as it stood at 30 April 2013")
    assert summary["plan_version"]["description"] == version["description"]
    device_types = client.get("/api/v1/mobile/device-types/", {"as_at": "2013-04-30"}).json()
    in_register = {t["code"]: t["in_register"] for t in overview["mobile"]["types"]}
    assert {t["code"]: t["total"] for t in device_types} == in_register
    assert in_register["pda"] == 3500


def test_the_api_says_when_nothing_was_recorded_yet_and_refuses_a_bad_day(client, all_seeds, role_user):
    client.force_login(role_user("board"))
    before = client.get("/api/v1/overview/", {"as_at": "2012-09-30"}).json()
    # the contract alerts count from the day, with the events as they stand now (issue 17 part 3)
    alerts = before.pop("contract_alerts")
    assert (alerts["start"], alerts["end"]) == ("2012-09-30", "2012-09-30")
    assert alerts["label"] == "this quarter (Q2 2012/13, to 30 September 2012)"
    assert before == {
        "as_at": "2012-09-30",
        "savings": None,
        "portfolio": None,
        "mobile": None,
        "portfolio_outturn": None,
        "savings_chances": [],
    }
    missing = client.get("/api/v1/savings/summary/", {"as_at": "2013-03-31"})
    assert missing.status_code == 404 and "Nothing recorded yet" in missing.json()["message"]
    for value, message in (("2999-01-01", "on or before today"), ("31/03/2013", "Date has wrong format")):
        response = client.get("/api/v1/overview/", {"as_at": value})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "as_at" and message in response.json()["errors"][0]["message"]


def test_the_pack_as_at_a_day_agrees_with_the_overview_and_keeps_the_date(client, all_seeds, role_user):
    board = role_user("board")
    client.force_login(board)
    pack = client.get("/api/v1/assembly/", {"as_at": "2013-04-30"}).json()
    overview = client.get("/api/v1/overview/", {"as_at": "2013-04-30"}).json()
    assert pack["as_at"] == "2013-04-30"
    q4 = next(q for q in pack["questions"] if q["number"] == 4)
    in_use = {row["device_type"]: row["in_register"] for row in q4["tables"][0]["rows"]}
    assert {t["name"]: t["in_register"] for t in overview["mobile"]["types"]} == in_use
    q6 = next(q for q in pack["questions"] if q["number"] == 6)
    total = q6["tables"][0]["total"]
    planned = {y["financial_year"]: y["planned"] for y in overview["savings"]["years"]}
    assert total["planned_2014"] == planned["2014/15"] and total["planned_2015"] == planned["2015/16"]
    # before the savings briefing note, question 6 says nothing was recorded yet
    early = client.get("/api/v1/assembly/", {"as_at": "2013-03-31"}).json()
    assert "Nothing recorded yet" in next(q for q in early["questions"] if q["number"] == 6)["answer"]
    # the page keeps the date on its files and its version switch
    html = client.get("/assembly/", {"as_at": "2013-04-30"}).content.decode()
    assert "as at 30 April 2013" in html
    downloads = re.findall(r'href="(/assembly/[^"]*(?:xlsx|csv)[^"]*)"', html)
    assert downloads and all("as_at=2013-04-30" in link for link in downloads)
    assert 'data-testid="freeze"' not in html
    both = client.get("/api/v1/assembly/", {"as_at": "2013-04-30", "snapshot": 1})
    assert both.status_code == 400 and both.json()["errors"][0]["field"] == "as_at"


@pytest.mark.parametrize(
    ("path", "seed_figure"),
    [
        ("/savings/", "£42m"),
        ("/savings/breakdown/", "£42,000,000"),
        ("/portfolio/", "£204m"),
        ("/mobile/", "3,500"),
        ("/mobile/benefits/", "£1,623,856"),
        ("/assembly/", "30,000 devices planned"),
    ],
)
def test_every_page_the_overview_links_to_shows_the_same_day(client, all_seeds, role_user, path, seed_figure):
    client.force_login(role_user("board"))
    html = client.get(path, {"as_at": "2013-04-30"}).content.decode()
    assert "as at 30 April 2013" in html and seed_figure in html
    assert "Nothing recorded yet" not in html
    # the navigation keeps the day too
    nav = re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', html)
    assert [link for link in nav if "as_at=2013-04-30" in link], nav
    before = client.get(path, {"as_at": "2012-09-30"}).content.decode()
    assert "Nothing recorded yet" in before and seed_figure not in before
