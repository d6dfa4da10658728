"""Reads of the mobile estate that the pages, the board overview and the Assembly pack share."""

from decimal import Decimal

import pytest
from django.urls import reverse

from mobile_assets import selectors
from mobile_assets.choices import BenefitRole
from mps_ict.financial_years import FinancialYear

pytestmark = pytest.mark.django_db


def test_the_benefit_table_has_every_role_with_reported_and_computed_and_the_totals(mobile_seed):
    start, end = selectors.latest_reported_period()
    table = selectors.benefit_table(start=start, end=end)
    assert [row.label for row in table.roles] == BenefitRole.labels
    reported = {row.label: row.reported.amount for row in table.roles if row.reported}
    assert reported["Call handler efficiency"] == Decimal("1623856.00")
    assert table.reported_amount == Decimal("4028485.00") == sum(reported.values())
    assert table.reported_hours == sum(row.reported.hours for row in table.roles if row.reported)
    assert table.held == [row for row in table.roles if row.reported or row.computed]


def test_an_empty_benefit_table_has_no_totals():
    table = selectors.BenefitTable.of([])
    assert len(table.roles) == len(BenefitRole) and table.held == []
    assert (table.reported_amount, table.reported_hours, table.computed_amount, table.computed_hours) == (None,) * 4


def test_the_board_headline_totals_its_window_with_the_same_table(mobile_seed):
    headline = selectors.mobile_headline()
    table = selectors.benefit_table(start=headline.benefits_start, end=headline.benefits_end)
    assert headline.benefit_table == table
    assert (headline.benefits_reported, headline.benefits_computed) == (table.reported_amount, table.computed_amount)


def test_the_benefits_page_shows_the_table(client, mobile_seed, role_user):
    client.force_login(role_user("board"))
    response = client.get(reverse("mobile_assets:benefits"))
    assert response.status_code == 200
    table = response.context["table"]
    assert isinstance(table, selectors.BenefitTable)
    assert "Call handler efficiency" in response.content.decode()


def test_the_rollout_plan_by_financial_year_and_device_type(mobile_seed):
    years = selectors.rollout_by_financial_year()
    assert sum(year.planned for year in years) == 30000
    assert years == sorted(years, key=lambda year: (year.financial_year, year.device_type))
    assert all(isinstance(year.financial_year, FinancialYear) and year.months >= 1 for year in years)
    assert any(year.illustrative for year in years)


def test_smartphones_bought_and_the_estate_by_type(mobile_seed):
    bought = selectors.smartphones_bought()
    assert bought.priced <= bought.devices and bought.cost >= 0
    types = selectors.estate_by_type()
    assert sum(t.in_register for t in types) == 7330
    assert all(t.issued <= t.in_register for t in types)
    assert [t.name for t in types] == sorted(t.name for t in types)
