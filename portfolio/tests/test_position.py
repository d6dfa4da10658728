"""The delay-adjusted budget: learned slippage, over-programming, headroom."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from mps_ict.financial_years import FinancialYear
from portfolio.choices import Stage
from portfolio.models import Project, SroAssignment
from portfolio.selectors import capital_programme_position
from portfolio.tests.factories import CapitalProgrammeFactory, ProjectFactory, SpendProfileLineFactory

FY12 = FinancialYear(2012)
M = Decimal(1_000_000)


def test_2012_13_budget_204m_managed_213m_over_programmed_by_9m(portfolio_seed):
    position = capital_programme_position(financial_year=FY12)
    assert (position.budget, position.managed_total, position.over_programming) == (204 * M, 213 * M, 9 * M)
    rates = {c.category: (c.rate, c.learned) for c in position.categories}
    assert rates == {
        "Applications": (Decimal("0.06"), True),
        "Business change": (Decimal("0.04"), True),
        "Infrastructure": (Decimal("0.03"), True),
        "Mobile": (Decimal("0.05"), True),
    }
    # 90m × 0.97 + 70m × 0.94 + 30m × 0.95 + 23m × 0.96
    assert position.delay_adjusted_forecast == Decimal("203680000.00")
    assert position.headroom == Decimal("320000.00")
    assert position.expected_slippage_rate == Decimal("0.043756")
    assert {row.financial_year.label for row in position.history} == {"2010/11", "2011/12"}


def test_a_what_if_rate_replaces_the_learned_rates(portfolio_seed):
    position = capital_programme_position(financial_year=FY12, what_if_rate=Decimal("0.10"))
    assert position.delay_adjusted_forecast == Decimal("191700000.00")
    assert position.headroom == Decimal("12300000.00")


def test_a_category_without_history_uses_finance_assumption(db):
    CapitalProgrammeFactory(financial_year=FY12, budget=Decimal("1000.00"), slippage_assumption=Decimal("0.2000"))
    SpendProfileLineFactory(project=ProjectFactory(category="New"), financial_year=FY12, planned=Decimal("1000.00"))
    position = capital_programme_position(financial_year=FY12)
    assert [(c.category, c.rate, c.learned) for c in position.categories] == [("New", Decimal("0.2000"), False)]
    assert position.delay_adjusted_forecast == Decimal("800.00")


def test_overspend_in_history_is_not_negative_slippage_and_closed_projects_are_not_managed(db):
    CapitalProgrammeFactory(financial_year=FY12)
    project = ProjectFactory(category="Infra")
    SpendProfileLineFactory(
        project=project, financial_year=FinancialYear(2011), planned=Decimal(100), actual=Decimal(120)
    )
    SpendProfileLineFactory(
        project=ProjectFactory(category="Infra"),
        financial_year=FinancialYear(2011),
        planned=Decimal(100),
        actual=Decimal(90),
    )
    SpendProfileLineFactory(project=project, financial_year=FY12, planned=Decimal(1000))
    SpendProfileLineFactory(
        project=ProjectFactory(category="Infra", stage=Stage.CLOSED), financial_year=FY12, planned=Decimal(5000)
    )
    position = capital_programme_position(financial_year=FY12)
    assert position.managed_total == Decimal(1000)
    assert position.categories[0].rate == Decimal("0.05")  # 10 slipped of 200 planned; the overspend counts as 0


def test_loading_twice_changes_nothing(portfolio_seed):
    before = (Project.history.count(), SroAssignment.objects.count())
    call_command("load_portfolio", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Project.history.count(), SroAssignment.objects.count()) == before


def test_every_seeded_project_is_labelled_illustrative_and_linked_to_savings(portfolio_seed):
    assert not Project.objects.filter(is_illustrative=False).exists()
    data_centres = Project.objects.get(code="INF-01")
    assert [i.reference for i in data_centres.enables.all()] == ["SAV-DC"]
    assert list(data_centres.enables.first().enabled_by_projects.all()) == [data_centres]


@pytest.mark.django_db
def test_position_costs_the_same_queries_at_any_size(django_assert_num_queries):
    from django.core.cache import cache

    CapitalProgrammeFactory(financial_year=FY12)
    for size in (2, 40):
        for index in range(size):
            project = ProjectFactory(category=f"C{index % 4}")
            SpendProfileLineFactory(project=project, financial_year=FY12)
            SpendProfileLineFactory(project=project, financial_year=FinancialYear(2011), actual=Decimal(90))
        cache.clear()
        # the programme, the planned spend, the history, and (for this reader without
        # view_restricted) how many projects are withheld
        with django_assert_num_queries(4):
            capital_programme_position(financial_year=FY12)
