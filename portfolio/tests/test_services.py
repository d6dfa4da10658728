from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from mps_ict.financial_years import FinancialYear
from mps_ict.marking import ProtectiveMarking
from portfolio import services
from portfolio.choices import Stage
from portfolio.models import PortfolioSnapshot, Project, SpendProfileLine, StatusReminder

FY12, FY13 = FinancialYear(2012), FinancialYear(2013)


@pytest.fixture
def pm(portfolio_seed):
    return User.objects.get(username="pm")


def test_a_programme_manager_files_an_update_for_their_own_project(pm):
    project = Project.objects.get(code="INF-02")  # pm's
    update = services.status_update_submit(
        project=project, user=pm, month=date(2013, 1, 15), dca="amber", narrative="PSN cut-over slipped a fortnight"
    )
    assert update.month == date(2013, 1, 1)
    assert project.assessments.filter(assessed_on=date(2013, 1, 1), rating="amber").exists()
    with pytest.raises(ValidationError, match="already been filed"):
        services.status_update_submit(project=project, user=pm, month=date(2013, 1, 1), dca="amber")


def test_another_managers_project_is_refused(pm):
    theirs = Project.objects.get(code="INF-03")  # pm2's
    with pytest.raises(PermissionDenied):
        services.status_update_submit(project=theirs, user=pm, month=date(2013, 1, 1), dca="green")
    with pytest.raises(PermissionDenied):
        services.reprofile_create(project=theirs, user=pm, amount=Decimal(1), from_year=FY12, to_year=FY13, reason="x")


def test_a_forecast_moving_more_than_5_percent_needs_a_narrative(pm):
    project = Project.objects.get(code="INF-02")  # baseline and forecast £46m
    with pytest.raises(ValidationError) as error:
        services.status_update_submit(
            project=project, user=pm, month=date(2013, 2, 1), dca="amber", forecast_change=Decimal("2400000.00")
        )
    assert "narrative" in error.value.message_dict
    services.status_update_submit(
        project=project, user=pm, month=date(2013, 2, 1), dca="amber", forecast_change=Decimal("2300000.00")
    )  # exactly 5%: no narrative needed
    project.refresh_from_db()
    assert project.budget_forecast == Decimal("48300000.00")
    assert project.history.first().budget_forecast == Decimal("48300000.00")


def test_a_reprofile_moves_planned_spend_and_keeps_its_reason(pm):
    project = Project.objects.get(code="INF-01")
    services.reprofile_create(
        project=project,
        user=pm,
        amount=Decimal("5000000.00"),
        from_year=FY12,
        to_year=FY13,
        reason="Second hall fit-out waits for the estates programme",
    )
    planned = dict(SpendProfileLine.objects.filter(project=project).values_list("financial_year", "planned"))
    assert planned[FY12] == Decimal("35000000.00") and planned[FY13] == Decimal("5000000.00")
    reprofile = project.reprofiles.get()
    assert reprofile.reason.startswith("Second hall") and reprofile.made_by == pm
    for bad in ({"reason": " "}, {"amount": Decimal("999000000.00")}, {"to_year": FY12}):
        with pytest.raises(ValidationError):
            services.reprofile_create(
                **{
                    "project": project,
                    "user": pm,
                    "amount": Decimal(1),
                    "from_year": FY12,
                    "to_year": FY13,
                    "reason": "ok",
                    **bad,
                }
            )


def test_only_finance_sets_capital_programme_budgets(portfolio_seed, role_user):
    with pytest.raises(PermissionDenied):
        services.capital_programme_set(
            user=role_user("board"), financial_year=FY12, budget=Decimal(1), slippage_assumption=Decimal("0.05")
        )
    programme = services.capital_programme_set(
        user=role_user("finance"),
        financial_year=FY12,
        budget=Decimal("210000000.00"),
        slippage_assumption=Decimal("0.04"),
    )
    assert programme.budget == Decimal("210000000.00")


def test_snapshots_are_idempotent_per_day(portfolio_seed):
    services.snapshot_take(taken_on=date(2013, 3, 1))
    services.snapshot_take(taken_on=date(2013, 3, 1))
    # one over every project and one over the publication-safe ones (the seed has no sensitive project)
    taken = PortfolioSnapshot.objects.filter(taken_on=date(2013, 3, 1))
    assert sorted(taken.values_list("includes_sensitive", flat=True)) == [False, True]
    for snapshot in taken:
        assert (snapshot.managed_total, snapshot.delay_adjusted_forecast) == (
            Decimal("213000000.00"),
            Decimal("203680000.00"),
        )


def test_snapshots_keep_sensitive_projects_out_of_the_publication_copy(portfolio_seed):
    project = Project.objects.filter(stage__in=Stage.live()).order_by("code").first()
    in_year = project.spend.filter(financial_year=FinancialYear(2012)).aggregate(total=Sum("planned"))["total"]
    project.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    project.save()
    services.snapshot_take(taken_on=date(2013, 3, 1))
    full = PortfolioSnapshot.objects.get(taken_on=date(2013, 3, 1), includes_sensitive=True)
    publication = PortfolioSnapshot.objects.get(taken_on=date(2013, 3, 1), includes_sensitive=False)
    assert full.managed_total == Decimal("213000000.00")
    assert publication.managed_total == full.managed_total - in_year


def test_reminders_go_once_from_the_10th(portfolio_seed):
    assert services.status_reminders_send(today=date(2013, 2, 9)) == 0
    sent = services.status_reminders_send(today=date(2013, 2, 11))
    assert sent == len(mail.outbox) and sent > 0
    assert "January 2013" in mail.outbox[0].subject
    assert services.status_reminders_send(today=date(2013, 2, 12)) == 0  # not twice
    assert StatusReminder.objects.count() == sent
