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
    for table in ("savings-years", "portfolio-dca", "mobile-types", "mobile-benefits-table"):
        assert f'data-testid="{table}"' in html
    assert html.count('class="app-chart"') == 3
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
    assert before.portfolio.snapshot_taken_on == timezone.localdate() - timedelta(days=10)
    assert before.last_updated < now.last_updated

    client.force_login(board)
    html = client.get("/", {"as_at": yesterday.isoformat()}).content.decode()
    assert _testid(html, "portfolio-budget") == "£204m"
    assert "Figures as they stood at the end of" in html


def test_as_at_before_anything_was_recorded_says_so(client, all_seeds, role_user):
    client.force_login(role_user("board"))
    html = client.get("/", {"as_at": "31/03/2013"}).content.decode()
    assert "nothing was recorded by the date you chose" in html
    assert 'data-testid="savings-none"' in html and 'data-testid="portfolio-none"' in html
    assert _testid(html, "mobile-devices") == "0"


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
    assert _queries_for_overview(client) == small
    assert _queries_for_overview(client, as_at=timezone.localdate().isoformat()) == small_as_at
    # and a second look is served from the figure cache
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) < small / 2
