"""Savings as a probability (issue 16 part 2), tested as statistics: on synthetic plans whose true
distribution is known, the simulated probability and quantiles match the analytic ones."""

from dataclasses import replace
from decimal import Decimal
from math import sqrt
from statistics import NormalDist

import pytest
from rest_framework.test import APIClient

from mps_ict.financial_years import FinancialYear
from mps_ict.marking import ProtectiveMarking
from savings import selectors, services
from savings.choices import ActualStatus, Confidence, DeliveryStatus
from savings.models import Initiative
from savings.probability import PRIORS, SHRINK_QUARTERS, InitiativeInput, factor_parameters, savings_simulation
from savings.tests.factories import (
    CategoryFactory,
    InitiativeFactory,
    PlanTargetFactory,
    QuarterlyActualFactory,
    SavingsPlanFactory,
    SavingsProfileFactory,
)

FY14, FY15 = FinancialYear(2014), FinancialYear(2015)
MILLION = Decimal("1000000.00")


def greens(count: int, confidence: str = "green", **changes) -> list[InitiativeInput]:
    return [
        InitiativeInput(f"I-{n:03}", f"Initiative {n}", confidence, "in_progress", {FY14: MILLION}, **changes)
        for n in range(count)
    ]


def normal_sum(count: int, prior, rho: float) -> NormalDist:
    """The sum of `count` initiatives of £1m each, factors normal with the prior, correlation rho."""
    variance = (prior.spread * 1e6) ** 2 * (count + count * (count - 1) * rho)
    return NormalDist(prior.mean * 1e6 * count, sqrt(variance))


def test_independent_initiatives_match_the_normal_sum():
    # Given 20 green initiatives of £1m each, independent (rho 0): the sum is normal, £19m ± £447k
    truth = normal_sum(20, PRIORS["green"], 0)
    target = Decimal("19200000.00")
    (result,) = savings_simulation(greens(20), {FY14: target}, rho=0.0)
    # Then the probability of £19.2m and the quantiles are the analytic ones within sampling error
    assert float(result.probability_met) == pytest.approx(1 - truth.cdf(float(target)), abs=0.02)
    assert float(result.p50) == pytest.approx(truth.inv_cdf(0.5), rel=0.005)
    for level, value in ((10, result.p10), (80, result.p80), (90, result.p90)):
        # Pxx: the saving reached or exceeded in xx% of draws, the (100 − xx)th percentile
        assert float(value) == pytest.approx(truth.inv_cdf(1 - level / 100), abs=0.05 * truth.stdev), level
    assert result.p90 < result.p80 < result.p50 < result.p10
    assert result.at_risk_p80 == target - result.p80
    assert result.planned == 20 * MILLION and result.target == target


def test_a_shared_factor_widens_the_band_as_the_analytic_sum_says():
    targets = {FY14: Decimal("19000000.00")}
    (independent,) = savings_simulation(greens(20), targets, rho=0.0)
    (shared,) = savings_simulation(greens(20), targets, rho=0.3)
    width = float(shared.p10 - shared.p90)
    assert width > 2 * float(independent.p10 - independent.p90)
    truth = normal_sum(20, PRIORS["green"], 0.3)
    assert width == pytest.approx(truth.inv_cdf(0.9) - truth.inv_cdf(0.1), rel=0.05)


def test_the_same_data_give_the_same_numbers_and_other_data_other_draws():
    targets = {FY14: Decimal("14000000.00"), FY15: Decimal("1.00")}
    first = savings_simulation(greens(20, "amber"), targets)
    assert first == savings_simulation(greens(20, "amber"), targets)
    assert [r.financial_year for r in first] == [FY14, FY15]
    assert savings_simulation(greens(21, "amber"), targets)[0].p50 != first[0].p50
    assert first[0].draws >= 10_000


def test_red_confidence_lowers_the_probability_and_a_record_above_profile_raises_it():
    target = {FY14: Decimal("18500000.00")}
    base = greens(20)
    (plain,) = savings_simulation(base, target)
    (one_red,) = savings_simulation([replace(base[0], confidence="red"), *base[1:]], target)
    assert one_red.probability_met < plain.probability_met
    assert one_red.top_risks[0].reference == "I-000"  # it carries the most risk
    # Two quarters approved at 130% of profile (£325k each against £250k): certain, and a better record
    ahead = InitiativeInput("I-000", "Ahead", "green", "in_progress", {FY14: MILLION}, {FY14: (Decimal("650000"), 2)})
    (with_record,) = savings_simulation([ahead, *base[1:]], target)
    assert with_record.probability_met > plain.probability_met


def test_the_record_shrinks_the_prior_with_the_quarters_observed():
    mean, spread = factor_parameters(
        InitiativeInput("A", "", "amber", "in_progress", {FY14: MILLION}, {FY14: (Decimal("500000"), 2)})
    )
    weight = 2 / (2 + SHRINK_QUARTERS)  # record: £500k against £500k planned for two quarters, 1.0
    assert mean == pytest.approx((1 - weight) * 0.75 + weight * 1.0)
    assert spread == pytest.approx(0.15 * sqrt(1 - weight))
    assert factor_parameters(InitiativeInput("B", "", "red", "stopped", {FY14: MILLION})) == (0.0, 0.0)
    assert factor_parameters(InitiativeInput("C", "", "", "delivered", {FY14: MILLION})) == (1.0, 0.0)


def test_a_stopped_initiative_saves_only_what_is_approved_and_approved_actuals_are_certain():
    stopped = InitiativeInput("S", "", "green", "stopped", {FY14: MILLION}, {FY14: (Decimal("300000"), 1)})
    (result,) = savings_simulation([stopped], {FY14: MILLION})
    assert result.p10 == result.p90 == Decimal("300000.00") and result.probability_met == 0
    assert result.at_risk_p80 == Decimal("700000.00")
    assert result.top_risks[0].expected_shortfall == Decimal("700000.00")


# ----------------------------------------------------------------------------- read from the records


def plan_with(count: int, *, confidence: str = Confidence.GREEN):
    plan = SavingsPlanFactory()
    PlanTargetFactory(plan=plan, financial_year=FY14, cumulative_target=Decimal(count) * Decimal("380000.00"))
    category = CategoryFactory(plan=plan)
    for _ in range(count):
        initiative = InitiativeFactory(category=category, confidence=confidence)
        SavingsProfileFactory(initiative=initiative, financial_year=FY14, planned_saving=Decimal("400000.00"))
        QuarterlyActualFactory(initiative=initiative, financial_year=FY14, quarter=1, status=ActualStatus.APPROVED)
    return plan


@pytest.mark.django_db
def test_the_selector_costs_the_same_queries_at_two_sizes_and_is_cached(django_assert_num_queries):
    for count in (11, 60):
        plan = plan_with(count)
        with django_assert_num_queries(4):  # targets, initiatives, profiles, approved actuals
            (result,) = selectors.savings_target_probabilities(plan=plan)
        assert result.planned == count * Decimal("400000.00")
        with django_assert_num_queries(0):
            assert selectors.savings_target_probabilities(plan=plan) == [result]


@pytest.mark.django_db
def test_withdrawn_initiatives_are_left_out_as_the_summary_leaves_them_out():
    plan = plan_with(11)
    Initiative.objects.filter(pk=Initiative.objects.order_by("pk").first().pk).update(
        withdrawn_at="2014-01-01T00:00Z", delivery_status=DeliveryStatus.STOPPED
    )
    (result,) = selectors.savings_target_probabilities_compute(plan=plan)
    summary = selectors.plan_summary_compute(plan=plan)
    assert result.planned == summary.years[0].planned == 10 * Decimal("400000.00")


@pytest.mark.django_db
def test_an_official_sensitive_initiatives_figures_never_reach_a_reader_without_view_restricted(role_user):
    plan = plan_with(11)
    marked = Initiative.objects.order_by("pk").first()
    Initiative.objects.filter(pk=marked.pk).update(
        protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE, confidence=Confidence.RED
    )
    # The summary gives that reader no target beside the published figures, and so no probability
    assert selectors.plan_summary(plan=plan, user=role_user("api_consumer")).targets == []
    assert selectors.savings_target_probabilities(plan=plan, user=role_user("api_consumer")) == []
    # A reader with view_restricted gets every initiative, the marked one too
    (result,) = selectors.savings_target_probabilities(plan=plan, user=role_user("board"))
    assert result.planned == 11 * Decimal("400000.00")
    assert result.top_risks[0].reference == marked.reference


@pytest.mark.django_db
def test_the_seed_plan_has_a_probability_for_42m_and_60m(mps_plan, role_user):
    results = selectors.savings_target_probabilities(plan=mps_plan, user=role_user("board"))
    assert [(r.financial_year, r.target, r.planned) for r in results] == [
        (FY14, Decimal("42000000.00"), Decimal("42000000.00")),
        (FY15, Decimal("60000000.00"), Decimal("60000000.00")),
    ]
    for result in results:
        # every initiative is not yet assessed: 70% of plan on average, so the targets are unlikely
        assert 0 <= result.probability_met < Decimal("0.05")
        assert result.at_risk_p80 == result.target - result.p80 > 0
        assert len(result.top_risks) == 5 and result.method and result.assumptions
    assert results == selectors.savings_target_probabilities_compute(plan=mps_plan, user=role_user("board"))


@pytest.mark.django_db
def test_a_change_of_confidence_moves_the_cached_figures(role_user):
    plan = plan_with(11)
    (before,) = selectors.savings_target_probabilities(plan=plan)
    services.initiative_update(
        initiative=Initiative.objects.order_by("pk").first(),
        user=role_user("finance"),
        confidence=Confidence.RED,
        reason="Supplier exit slipping",
    )
    (after,) = selectors.savings_target_probabilities(plan=plan)
    assert after.probability_met < before.probability_met and after.p50 < before.p50


@pytest.mark.django_db
def test_the_api_gives_a_reader_without_view_restricted_no_probability_beside_withheld_initiatives(mps_plan, role_user):
    services.initiative_update(
        initiative=Initiative.objects.get(reference="SAV-SM"),
        user=role_user("finance"),
        protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
        reason="Commercially sensitive while the Capgemini exit is negotiated",
    )
    public, board = APIClient(), APIClient()
    public.force_authenticate(role_user("api_consumer"))
    board.force_authenticate(role_user("board"))
    assert public.get("/api/v1/savings/summary/").json()["targets"] == []
    targets = board.get("/api/v1/savings/summary/").json()["targets"]
    assert [t["financial_year"] for t in targets] == ["2014/15", "2015/16"]
    assert all(t["probability_met"] is not None and t["realised_range"]["p80"] for t in targets)
