"""The plan loads exactly as the source documents give it."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from mps_ict.financial_years import FinancialYear
from savings.models import Initiative, SavingsProfile, SpendBaseline
from savings.selectors import plan_breakdown, plan_summary

M = Decimal(1_000_000)

# The Potential Savings Plan table, 29 April 2013: category, cost now, future cost, printed reduction (£m)
SEED_TABLE = [
    ("Data Centres", 16, 8, "-8"),
    ("Command & Control Systems", 14, 9, "-5"),
    ("Network", 15, 8, "-7"),
    ("Service Management", 24, 16, "φ"),
    ("CRIS & Other Police Applications", 16, 10, "-6"),
    ("Enterprise Software & Back Office", 12, 10, "-2"),
    ("Telephony", 7, 4, "-3"),
    ("Radio", 17, 12, "-5"),
    ("Desktop and Access", 8, 4, "-4"),
    ("Service Desks", 7, 3, "-4"),
    ("Pay & Others", 64, 56, "-8"),
]


def test_the_eleven_rows_load_exactly_as_the_seed_table(mps_plan):
    summary = plan_summary(plan=mps_plan)
    loaded = [(c.name, c.cost_now, c.future_cost) for c in summary.categories]
    assert loaded == [(name, now * M, future * M) for name, now, future, _ in SEED_TABLE]
    assert (summary.cost_now, summary.future_cost, summary.baseline_reduction) == (200 * M, 140 * M, 60 * M)


def test_service_management_keeps_the_printed_phi_flagged_and_totals_use_the_derived_8m(mps_plan):
    summary = plan_summary(plan=mps_plan)
    service_management = next(c for c in summary.categories if c.name == "Service Management")
    assert service_management.stated_reduction is None
    assert service_management.stated_reduction_printed == "φ"
    assert service_management.discrepancy is True
    assert service_management.baseline_reduction == 8 * M
    assert [c.name for c in summary.discrepancies] == ["Service Management"]
    initiative = Initiative.objects.get(reference="SAV-SM")
    assert initiative.stated_reduction_text == "φ" and initiative.discrepancy


def test_targets_and_costs_outside_doi(mps_plan):
    assert {t.financial_year.label: t.target for t in plan_summary(plan=mps_plan).targets} == {
        "2014/15": 42 * M,
        "2015/16": 60 * M,
    }
    assert (mps_plan.costs_outside_doi, mps_plan.costs_outside_doi_in_scope) == (47 * M, 20 * M)
    assert mps_plan.target_reduction == 60 * M


def test_phasing_reaches_the_budget_submission_targets_and_is_marked_assumed(mps_plan):
    for by in ("savings_type", "category"):
        rows = plan_breakdown(plan=mps_plan, by=by)
        totals = {}
        for row in rows:
            totals[row.financial_year.label] = totals.get(row.financial_year.label, 0) + row.planned
        assert totals["2014/15"] == 42 * M and totals["2015/16"] == 60 * M, by
    assert not SavingsProfile.objects.filter(is_assumed=False).exists()
    # Every initiative reaches its full reduction in 2015/16
    for initiative in Initiative.objects.all():
        final = initiative.profile.get(financial_year=FinancialYear(2015))
        assert final.planned_saving == initiative.baseline_reduction


def test_the_2011_12_spend_table(mps_plan):
    baseline = SpendBaseline.objects.get(financial_year="2011/12")
    assert (baseline.total, baseline.comparable_total, baseline.managed_by_doi) == (
        Decimal("321.9") * M,
        Decimal("297.5") * M,
        Decimal("280.6") * M,
    )
    assert (baseline.share_of_revenue_budget, baseline.third_party_share_of_revenue) == (Decimal("6.3"), Decimal(81))
    lines = list(baseline.lines.all())
    details = [line.amount for line in lines if not line.is_subtotal]
    assert sum(details) == baseline.total
    comparators = [line.comparator_amount for line in lines if not line.is_subtotal and line.comparator_amount]
    assert sum(comparators) == baseline.comparable_total
    assert lines[-1].name == "Total Technology Expenditure" and lines[-1].amount == baseline.total


@pytest.mark.django_db
def test_loading_twice_changes_nothing(mps_plan):
    history_before = Initiative.history.count() + SavingsProfile.history.count()
    call_command("load_mps_baseline", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Initiative.objects.count() == 11 and SavingsProfile.objects.count() == 33
    assert Initiative.history.count() + SavingsProfile.history.count() == history_before


@pytest.mark.django_db
def test_loading_leaves_a_figure_someone_changed_as_it_is(mps_plan):
    initiative = Initiative.objects.get(reference="SAV-DC")
    initiative.cost_now = Decimal("17000000.00")
    initiative.save()
    history_before = initiative.history.count()
    out = io.StringIO()
    call_command("load_mps_baseline", stdout=out)
    initiative.refresh_from_db()
    assert initiative.cost_now == Decimal("17000000.00")  # the data file says £16m: finance's figure stands
    assert initiative.history.count() == history_before
    assert "Added nothing" in out.getvalue() and "11 initiatives" in out.getvalue()
