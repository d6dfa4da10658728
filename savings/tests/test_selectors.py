from decimal import Decimal

import pytest

from mps_ict.financial_years import FinancialYear
from mps_ict.marking import ProtectiveMarking
from savings.choices import ActualStatus, SavingsType
from savings.models import Initiative
from savings.selectors import plan_breakdown, plan_summary
from savings.tests.factories import (
    CategoryFactory,
    InitiativeFactory,
    PlanTargetFactory,
    QuarterlyActualFactory,
    SavingsPlanFactory,
    SavingsProfileFactory,
)

FY14 = FinancialYear(2014)


def build_plan(initiatives: int, quarters: int = 4):
    plan = SavingsPlanFactory()
    PlanTargetFactory(plan=plan, financial_year=FY14, cumulative_target=Decimal("42000000.00"))
    categories = [CategoryFactory(plan=plan) for _ in range(3)]
    for index in range(initiatives):
        initiative = InitiativeFactory(
            category=categories[index % 3], savings_type=SavingsType.values[index % len(SavingsType.values)]
        )
        SavingsProfileFactory(initiative=initiative, financial_year=FY14, planned_saving=Decimal("400000.00"))
        for quarter in range(1, quarters + 1):
            QuarterlyActualFactory(
                initiative=initiative,
                financial_year=FY14,
                quarter=quarter,
                actual_saving=Decimal("100000.00"),
                forecast_full_year=Decimal("380000.00") + quarter,
                status=ActualStatus.APPROVED,
            )
    return plan


@pytest.mark.django_db
def test_realised_sums_approved_quarters_and_forecast_takes_the_latest_approved_quarter():
    plan = build_plan(initiatives=3, quarters=2)
    # A draft is never counted
    QuarterlyActualFactory(
        initiative=Initiative.objects.first(), financial_year=FY14, quarter=3, actual_saving=Decimal("999.00")
    )
    summary = plan_summary(plan=plan)
    year = summary.reporting_year
    assert year.financial_year == FY14
    assert year.realised == Decimal("600000.00")  # 3 initiatives × 2 quarters × £100k
    assert year.forecast == Decimal("1140006.00")  # 3 × (£380,000 + 2), the Q2 forecasts
    assert year.target == Decimal("42000000.00") and year.rag == "red"
    assert summary.realised_to_date == year.realised and summary.forecast == year.forecast


@pytest.mark.django_db
def test_official_sensitive_initiatives_are_left_out_for_users_without_view_restricted(role_user):
    plan = build_plan(initiatives=3, quarters=1)
    Initiative.objects.filter(pk=Initiative.objects.first().pk).update(
        protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE
    )
    staff = plan_summary(plan=plan, user=role_user("board"))
    public = plan_summary(plan=plan, user=role_user("api_consumer"))
    assert staff.cost_now == Decimal("3000000.00") and staff.withheld == 0
    assert public.cost_now == Decimal("2000000.00") and public.withheld == 1
    assert public.reporting_year.realised == Decimal("200000.00")
    public_rows = plan_breakdown(plan=plan, by="savings_type", user=role_user("api_consumer"))
    assert sum(row.planned for row in public_rows) == Decimal("800000.00")


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["savings_type", "category"])
def test_breakdown_groups_planned_and_realised_per_year(by):
    plan = build_plan(initiatives=4, quarters=4)
    rows = plan_breakdown(plan=plan, by=by)
    assert sum(r.planned for r in rows) == Decimal("1600000.00")
    assert sum(r.realised for r in rows) == Decimal("1600000.00")
    assert {r.financial_year for r in rows} == {FY14}


@pytest.mark.django_db
def test_summary_and_breakdown_cost_the_same_queries_at_any_size(django_assert_num_queries):
    small = build_plan(initiatives=2, quarters=1)
    large = build_plan(initiatives=40, quarters=4)
    for plan in (small, large):
        with django_assert_num_queries(6):
            summary = plan_summary(plan=plan)
            [c.cost_now for c in summary.categories]
        with django_assert_num_queries(3):
            plan_breakdown(plan=plan, by="category")


@pytest.mark.django_db
def test_a_category_is_flagged_only_for_an_unreadable_or_disagreeing_stated_reduction():
    plan = SavingsPlanFactory()
    silent, unreadable, wrong, right = (CategoryFactory(plan=plan) for _ in range(4))
    InitiativeFactory(category=silent)  # the source states nothing: nothing to flag
    InitiativeFactory(category=unreadable, stated_reduction=None, stated_reduction_text="φ")
    InitiativeFactory(category=wrong, stated_reduction=Decimal("500000.00"), stated_reduction_text="-0.5")
    InitiativeFactory(category=right, stated_reduction=Decimal("400000.00"), stated_reduction_text="-0.4")
    flags = {
        c.pk: (c.discrepancy, c.stated_reduction, c.stated_reduction_printed)
        for c in plan_summary(plan=plan).categories
    }
    assert flags[silent.pk] == (False, None, "")
    assert flags[unreadable.pk] == (True, None, "φ")
    assert flags[wrong.pk] == (True, Decimal("500000.00"), "")
    assert flags[right.pk] == (False, Decimal("400000.00"), "")
