from decimal import Decimal

import factory

from mps_ict.financial_years import FinancialYear
from portfolio.choices import Stage
from portfolio.models import CapitalProgramme, Programme, Project, SpendProfileLine


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    is_illustrative = True


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"PRJ-{n:04d}")
    name = factory.Sequence(lambda n: f"Project {n}")
    category = "Infrastructure"
    stage = Stage.IN_DELIVERY
    budget_baseline = Decimal("1000000.00")
    budget_forecast = Decimal("1000000.00")
    is_illustrative = True


class SpendProfileLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpendProfileLine

    project = factory.SubFactory(ProjectFactory)
    financial_year = FinancialYear(2012)
    planned = Decimal("100000.00")


class CapitalProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapitalProgramme
        django_get_or_create = ("financial_year",)

    financial_year = FinancialYear(2012)
    budget = Decimal("1000000.00")
    slippage_assumption = Decimal("0.0500")
