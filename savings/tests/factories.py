from decimal import Decimal

import factory

from mps_ict.financial_years import FinancialYear
from savings.choices import SavingsType
from savings.models import Category, Initiative, PlanTarget, QuarterlyActual, SavingsPlan, SavingsProfile


class SavingsPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavingsPlan

    name = factory.Sequence(lambda n: f"Plan {n}")
    baseline_year = FinancialYear(2012)
    target_year = FinancialYear(2015)
    baseline_cost = Decimal("200000000.00")
    target_cost = Decimal("140000000.00")


class PlanTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanTarget

    plan = factory.SubFactory(SavingsPlanFactory)
    financial_year = FinancialYear(2014)
    cumulative_target = Decimal("42000000.00")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    plan = factory.SubFactory(SavingsPlanFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    position = factory.Sequence(lambda n: n)


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    category = factory.SubFactory(CategoryFactory)
    reference = factory.Sequence(lambda n: f"INIT-{n}")
    description = "Illustrative initiative"
    cost_now = Decimal("1000000.00")
    future_cost = Decimal("600000.00")
    savings_type = SavingsType.REDUCED_CONTRACT_COSTS


class SavingsProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavingsProfile

    initiative = factory.SubFactory(InitiativeFactory)
    financial_year = FinancialYear(2014)
    planned_saving = Decimal("400000.00")


class QuarterlyActualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuarterlyActual

    initiative = factory.SubFactory(InitiativeFactory)
    financial_year = FinancialYear(2014)
    quarter = 1
    actual_saving = Decimal("100000.00")
    forecast_full_year = Decimal("400000.00")
