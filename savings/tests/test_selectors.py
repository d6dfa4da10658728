from decimal import Decimal

import pytest

from mps_ict.financial_years import FinancialYear
from mps_ict.marking import ProtectiveMarking
from savings import selectors
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
        with django_assert_num_queries(7):
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


# ----------------------------------------------------------------------------- at risk and the Assembly pack

FY15 = FinancialYear(2015)


@pytest.mark.django_db
def test_savings_by_type_pivots_planned_and_realised_by_type_with_totals_and_the_targets(role_user):
    # Given four initiatives, one of each type, each planning £400k in 2014/15 with two approved quarters
    plan = build_plan(initiatives=4, quarters=2)
    Initiative.objects.filter(pk=Initiative.objects.order_by("pk").first().pk).update(savings_type_is_assumed=True)
    # When a reader who sees everything asks for 2014/15 and 2015/16
    result = selectors.savings_by_type(plan=plan, years=(FY14, FY15), user=role_user("finance"))
    # Then every type is there in type order, each year given (nothing planned is £0)
    assert [t.label for t in result.types] == SavingsType.labels
    assert result.types[0].planned == {FY14: Decimal("400000.00"), FY15: Decimal("0.00")}
    assert result.types[0].realised == {FY14: Decimal("200000.00"), FY15: Decimal("0.00")}
    assert result.planned_total == {FY14: Decimal("1600000.00"), FY15: Decimal("0.00")}
    assert result.realised_total == {FY14: Decimal("800000.00"), FY15: Decimal("0.00")}
    assert result.targets == {FY14: Decimal("42000000.00")} and result.target_given
    assert (result.initiatives, result.assumed, result.withheld) == (4, 1, 0)


@pytest.mark.django_db
def test_savings_by_type_leaves_withheld_initiatives_out_and_gives_no_target_beside_them():
    plan = build_plan(initiatives=4, quarters=1)
    marked = Initiative.objects.order_by("pk").first()
    Initiative.objects.filter(pk=marked.pk).update(protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    result = selectors.savings_by_type(plan=plan, years=(FY14,), user=None)
    assert marked.savings_type not in [t.savings_type for t in result.types]
    assert result.planned_total == {FY14: Decimal("1200000.00")}
    assert (result.initiatives, result.withheld) == (3, 1)
    assert result.targets == {} and not result.target_given


@pytest.mark.django_db
def test_savings_by_type_types_planned_in_none_of_the_years_are_left_out_but_the_totals_count_every_type():
    plan = build_plan(initiatives=2, quarters=0)
    result = selectors.savings_by_type(plan=plan, years=(FY15,), user=None)
    assert result.types == [] and result.planned_total == {FY15: Decimal("0.00")}


@pytest.mark.django_db
def test_initiatives_at_risk_are_the_red_and_amber_ones_the_reader_may_see():
    category = CategoryFactory()
    for reference, confidence in (("RED", "red"), ("AMBER", "amber"), ("GREEN", "green"), ("NONE", "")):
        InitiativeFactory(category=category, reference=reference, confidence=confidence)
    InitiativeFactory(category=category, reference="SECRET", confidence="red", protective_marking="OFFICIAL-SENSITIVE")
    assert sorted(i.reference for i in selectors.initiatives_at_risk(user=None)) == ["AMBER", "RED"]


@pytest.mark.django_db
def test_withheld_initiatives_and_the_ids_a_reader_may_see(role_user):
    category = CategoryFactory()
    shown = InitiativeFactory(category=category)
    marked = InitiativeFactory(category=category, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    assert list(selectors.withheld_initiatives(user=None)) == [marked]
    assert not selectors.withheld_initiatives(user=role_user("finance")).exists()
    assert selectors.initiative_ids_visible_to(None) == [shown.pk]
    assert selectors.initiative_ids_visible_to(role_user("finance")) == sorted([shown.pk, marked.pk])
