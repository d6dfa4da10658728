"""The capital programme as a reader without `view_restricted` gets it: published projects only,
labelled, with no figure derived against the budget and no snapshot that would give a withheld
project away by difference."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from mps_ict.financial_years import FinancialYear
from mps_ict.marking import ProtectiveMarking
from portfolio import selectors, services
from portfolio.models import Project, SpendProfileLine
from reporting.selectors import board_overview

FY12 = FinancialYear(2012)


def _mark_largest_live_project() -> tuple[Project, Decimal]:
    """Mark the project with the most planned spend in 2012/13 (as an administrator would, in the
    admin: a plain save) and return it with that spend."""
    planned = {}
    for line in SpendProfileLine.objects.filter(financial_year=FY12).select_related("project"):
        planned[line.project] = planned.get(line.project, Decimal(0)) + line.planned
    project = max(planned, key=planned.get)
    project.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    project.save()
    return project, planned[project]


def test_with_a_project_withheld_the_publication_gives_no_over_programming_or_headroom(
    portfolio_seed, client, role_user
):
    full_before = selectors.capital_programme_position(financial_year=FY12)  # cached for publication readers
    assert full_before.over_programming == Decimal("9000000.00")
    project, planned = _mark_largest_live_project()

    # The cached figures were dropped by the save: the publication version leaves the project out
    position = selectors.capital_programme_position(financial_year=FY12, user=role_user("api_consumer"))
    assert position.withheld == 1
    assert position.managed_total == Decimal("213000000.00") - planned
    assert (position.over_programming, position.headroom) == (None, None)
    full = selectors.capital_programme_position(financial_year=FY12, user=role_user("board"))
    assert (full.withheld, full.over_programming) == (0, Decimal("9000000.00"))

    client.force_login(role_user("api_consumer"))
    page = client.get("/portfolio/").content.decode()
    assert "Over-programmed by" not in page and "Headroom" not in page
    assert "£213m" not in page  # the source's whole-programme total, beside the published one
    assert "1 project marked OFFICIAL-SENSITIVE is withheld" in page
    assert project.code not in page and project.name not in page
    api = client.get("/api/v1/portfolio/capital-programmes/").json()["results"]
    year = next(row for row in api if row["financial_year"] == "2012/13")
    assert (year["over_programming"], year["headroom"], year["withheld"]) == (None, None, 1)
    assert year["managed_total"] == str(position.managed_total)
    home = client.get("/").content.decode()
    assert "Over-programmed by" not in home and "−£" not in home

    client.force_login(role_user("board"))
    assert "Over-programmed by £9m" in client.get("/portfolio/").content.decode()


def test_a_snapshot_taken_before_a_project_was_marked_is_not_shown_to_a_publication_reader(portfolio_seed, role_user):
    today = timezone.localdate()
    services.snapshot_take(taken_on=today - timedelta(days=1))  # (make run took one today too)
    reader = role_user("api_consumer")
    assert len(selectors.snapshots(financial_year=FY12, user=reader)) == 2
    _mark_largest_live_project()

    # Both earlier publication snapshots counted the project: the difference from a later one
    # would be its planned spend. Neither is shown; "as at" figures are rebuilt from the audit trail
    # with the marking as it is now, so they leave the project out as well
    assert selectors.snapshots(financial_year=FY12, user=reader) == []
    as_at_today = board_overview(user=reader, as_at=today).portfolio
    assert (
        as_at_today.withheld == 1 and as_at_today.managed_total == board_overview(user=reader).portfolio.managed_total
    )
    assert (as_at_today.over_programming, as_at_today.headroom) == (None, None)
    # A board member still sees the full snapshots
    assert len(selectors.snapshots(financial_year=FY12, user=role_user("board"))) == 2

    # The next night's snapshot leaves it out, and is shown, labelled
    services.snapshot_take(taken_on=today)
    shown = selectors.snapshots(financial_year=FY12, user=reader)
    assert [s.taken_on for s in shown] == [today] and shown[0].withheld == 1
    headline = board_overview(user=reader, as_at=today).portfolio
    assert (headline.withheld, headline.over_programming, headline.headroom) == (1, None, None)
