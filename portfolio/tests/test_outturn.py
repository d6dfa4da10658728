"""The capital programme's outturn as a distribution (issue 16, parts 1, 4 and 5), tested as
statistics: on synthetic histories whose true distribution is known, the simulated quantiles fall
within tolerance of the analytic ones; more history narrows the range; a what-if moves it the
right way; no history gives the prior; correlation widens the band; the same data give the same
numbers. Then the selector (visibility, queries, cache) and the API on the seed programme."""

import math
from decimal import Decimal

import numpy as np
import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from mps_ict.financial_years import FinancialYear
from mps_ict.marking import ProtectiveMarking, can_view_restricted
from portfolio import outturn, selectors
from portfolio.models import SpendProfileLine
from portfolio.tests.factories import CapitalProgrammeFactory, ProjectFactory, SpendProfileLineFactory

FY12 = FinancialYear(2012)
M = Decimal(1_000_000)
Z10, Z90 = -1.2815516, 1.2815516  # standard normal quantiles


def _history(shares, category="Infra", planned=Decimal("1000.00")):
    """Past project-years with these slipped shares: (category, planned, actual)."""
    return [(category, planned, (planned * (1 - Decimal(repr(float(s))))).quantize(Decimal("0.01"))) for s in shares]


def _simulate(shares, *, projects=400, **options):
    options.setdefault("rho", 0.0)
    return outturn.outturn_simulation(
        financial_year=FY12,
        budget=Decimal(projects * 1000),
        projects=[("Infra", Decimal("1000.00"))] * projects,
        history=_history(shares),
        slippage_assumption=Decimal("0.0500"),
        **options,
    )


def _band(distribution) -> float:
    return float(distribution.p90 - distribution.p10)


def test_quantiles_of_independent_projects_match_the_normal_approximation():
    """400 independent projects of £1,000 with 2,000 past shares ~ N(0.10, 0.20): the total is
    normal with mean 400 × 1000 × (1 − mean) and variance 1000² × sd² × (400 + 400² / 2000) (each
    project's own draw, plus the uncertainty of the category's mean)."""
    shares = np.random.default_rng(7).normal(0.10, 0.20, 2000)
    found = _simulate(shares)
    mean, sd = float(np.mean(shares)), float(np.std(shares))
    centre = 400 * 1000 * (1 - mean)
    spread = 1000 * sd * math.sqrt(400 + 400**2 / 2000)
    tolerance = 0.05 * spread
    assert abs(float(found.p50) - centre) < tolerance
    assert abs(float(found.p10) - (centre + Z10 * spread)) < tolerance
    assert abs(float(found.p90) - (centre + Z90 * spread)) < tolerance
    assert abs(float(found.p80) - (centre + 0.8416212 * spread)) < tolerance
    assert found.draws >= 10_000 and [c.source for c in found.categories] == ["history"]
    assert found.categories[0].p50_share == Decimal("1.0000") and found.categories[0].spread_share == Decimal("1.0000")


def test_more_history_narrows_the_range():
    shares = np.random.default_rng(11).normal(0.10, 0.20, 1000)
    thin, rich = _simulate(shares[:10]), _simulate(shares)
    assert _band(rich) < 0.5 * _band(thin)
    # the analytic ratio: sqrt(400 + 400²/1000) / sqrt(400 + 400²/10), give or take the samples' spreads
    assert _band(rich) / _band(thin) == pytest.approx(math.sqrt(560 / 16400), rel=0.35)


def test_a_what_if_rate_moves_the_centre_the_right_way_and_keeps_the_spread():
    shares = np.random.default_rng(3).normal(0.10, 0.05, 500)
    learned = _simulate(shares)
    more = _simulate(shares, what_if_rate=Decimal("0.20"))
    none = _simulate(shares, what_if_rate=Decimal("0.00"))
    assert none.p50 > learned.p50 > more.p50
    assert float(more.p50) == pytest.approx(400_000 * 0.80, rel=0.005)
    assert float(none.p50) == pytest.approx(400_000, rel=0.005)
    assert _band(more) == pytest.approx(_band(learned), rel=0.05)
    assert more.what_if_rate == Decimal("0.20") and more.categories[0].centre == Decimal("0.2000")


def test_no_history_gives_the_prior_its_mean_and_bounds():
    """No history: the Green Book prior, mean at finance's assumption, between −bias and 1."""
    found = outturn.outturn_simulation(
        financial_year=FY12,
        budget=Decimal("1000.00"),
        projects=[("New", Decimal("1000.00"))],
        history=[],
        slippage_assumption=Decimal("0.0500"),
    )
    bias = outturn.optimism_bias(outturn.MITIGATION_SHARE)
    assert bias == pytest.approx(1.05)  # 10% + (200% − 10%) × (1 − 0.5)
    assert [c.source for c in found.categories] == ["prior"] and found.categories[0].history_count == 0
    assert float(found.mean) == pytest.approx(950, abs=20)  # planned × (1 − 5%), one project
    assert 0 <= found.p10 < found.p50 < found.p90 <= Decimal(1000 * (1 + bias))
    many = outturn.outturn_simulation(
        financial_year=FY12,
        budget=Decimal("500000.00"),
        projects=[("New", Decimal("1000.00"))] * 500,
        history=[],
        slippage_assumption=Decimal("0.0500"),
        rho=0.0,
    )
    assert float(many.mean) == pytest.approx(500 * 950, rel=0.002)
    # the beta's own quantile function, checked against numpy's beta sampler
    p, q = outturn.prior_table(0.05, bias)
    mean = (0.05 + bias) / (1 + bias)
    sample = np.random.default_rng(5).beta(mean * 4, (1 - mean) * 4, 200_000) * (1 + bias) - bias
    assert np.interp(0.9, p, q) == pytest.approx(np.quantile(sample, 0.9), abs=0.01)
    assert (q[0], q[-1]) == (pytest.approx(-bias), pytest.approx(1.0))
    # no mitigation: the full 200% upper bound, a wider range
    unmitigated = outturn.outturn_simulation(
        financial_year=FY12,
        budget=Decimal("1000.00"),
        projects=[("New", Decimal("1000.00"))],
        history=[],
        slippage_assumption=Decimal("0.0500"),
        mitigation_share=0.0,
    )
    assert _band(unmitigated) > _band(found) and unmitigated.optimism_bias == pytest.approx(2.0)
    assert "Green Book" in found.prior_source and any("Green Book" in line for line in found.assumptions)


def test_thin_history_uses_the_prior_centred_on_the_rate_it_has_learned():
    found = _simulate([0.2, 0.2, 0.2], projects=200)
    assert [(c.source, c.history_count, c.centre) for c in found.categories] == [("prior", 3, Decimal("0.2000"))]
    assert float(found.mean) == pytest.approx(200_000 * 0.8, rel=0.01)


def test_the_same_data_give_the_same_numbers_and_other_data_other_ones():
    shares = np.random.default_rng(1).normal(0.05, 0.1, 50)
    first, second = _simulate(shares, rho=0.5), _simulate(shares, rho=0.5)
    assert first == second and first.seed == second.seed
    other = _simulate(np.append(shares, 0.3), rho=0.5)
    assert other.seed != first.seed


def test_correlation_within_a_category_widens_the_band():
    shares = np.random.default_rng(2).normal(0.10, 0.20, 2000)
    independent, correlated = _simulate(shares, rho=0.0), _simulate(shares, rho=0.5)
    assert _band(correlated) > 3 * _band(independent)
    assert float(correlated.p50) == pytest.approx(float(independent.p50), rel=0.01)


def test_probabilities_count_the_draws_beyond_the_budget_and_the_threshold():
    shares = np.random.default_rng(4).normal(0.0, 0.2, 2000)
    shares -= shares.mean()  # centred on the plan: half the years over it
    found = _simulate(shares, underspend_threshold=Decimal("0.00"))
    assert found.probability_over_budget == pytest.approx(0.5, abs=0.03)
    assert found.probability_over_budget + found.probability_underspend == pytest.approx(1.0, abs=1e-3)
    far = _simulate(shares, underspend_threshold=Decimal("100000.00"))
    assert far.probability_underspend == 0.0 and far.underspend_threshold == Decimal("100000.00")
    assert _simulate(shares).underspend_threshold == Decimal("20000.00")  # 5% of the £400,000 budget
    assert _simulate(shares, withheld=1).probability_over_budget is None


def test_categories_contributions_add_up():
    history = _history(np.random.default_rng(6).normal(0.1, 0.1, 50), "A") + _history(
        np.random.default_rng(8).normal(0.0, 0.3, 50), "B"
    )
    found = outturn.outturn_simulation(
        financial_year=FY12,
        budget=Decimal("300000.00"),
        projects=[("A", Decimal("1000.00"))] * 100 + [("B", Decimal("2000.00"))] * 100,
        history=history,
        slippage_assumption=Decimal("0.05"),
    )
    a, b = found.categories
    assert (a.category, b.category) == ("A", "B")
    assert a.p50_share + b.p50_share == pytest.approx(Decimal(1), abs=Decimal("0.0002"))
    assert a.spread_share + b.spread_share == pytest.approx(Decimal(1), abs=Decimal("0.0002"))
    assert b.spread_share > a.spread_share  # the wider, larger category carries the risk


# ------------------------------------------------------------------ the selector and the API


def test_the_seed_programme_as_a_range_centred_on_the_delay_adjusted_forecast(portfolio_seed, role_user):
    found = selectors.capital_programme_outturn(financial_year=FY12, user=role_user("board"))
    position = selectors.capital_programme_position(financial_year=FY12, user=role_user("board"))
    assert position.delay_adjusted_forecast == Decimal("203680000.00")  # unchanged by this work
    assert found.planned == position.managed_total == 213 * M
    assert abs(found.mean - position.delay_adjusted_forecast) < 1 * M
    assert found.p10 < found.p50 < found.p80 < found.p90
    assert 0 < found.probability_over_budget < 1 and found.withheld == 0
    again = selectors.capital_programme_outturn(financial_year=FY12, user=role_user("board"))
    cache.clear()
    assert selectors.capital_programme_outturn(financial_year=FY12, user=role_user("board")) == again == found
    assert selectors.capital_programme_outturn(financial_year=FinancialYear(2030)) is None


def test_a_withheld_project_is_left_out_for_a_reader_without_view_restricted(portfolio_seed, role_user):
    planned = {}
    for line in SpendProfileLine.objects.filter(financial_year=FY12).select_related("project"):
        planned[line.project] = planned.get(line.project, Decimal(0)) + line.planned
    project = max(planned, key=planned.get)
    project.protective_marking = ProtectiveMarking.OFFICIAL_SENSITIVE
    project.save()

    reader = selectors.capital_programme_outturn(financial_year=FY12, user=role_user("api_consumer"))
    assert reader.withheld == 1 and reader.planned == 213 * M - planned[project]
    assert (reader.probability_over_budget, reader.probability_underspend) == (None, None)
    board = selectors.capital_programme_outturn(financial_year=FY12, user=role_user("board"))
    assert board.withheld == 0 and board.planned == 213 * M and board.probability_over_budget is not None
    everyone = selectors.capital_programme_outturns(user=role_user("api_consumer"))
    assert everyone[2012] == reader


@pytest.mark.parametrize("restricted", [False, True])
def test_the_outturn_takes_a_constant_number_of_queries(db, role_user, django_assert_num_queries, restricted):
    user = role_user("board" if restricted else "api_consumer")
    CapitalProgrammeFactory(financial_year=FY12)
    queries = 3 if restricted else 4  # the programme, planned, history (and withheld projects' first years)
    can_view_restricted(user)  # the user's permissions, read once per request

    def add(count):
        for index in range(count):
            project = ProjectFactory(category=f"C{index % 4}")
            SpendProfileLineFactory(project=project, financial_year=FY12)
            SpendProfileLineFactory(
                project=project, financial_year=FinancialYear(2011), planned=Decimal(100), actual=Decimal(90)
            )

    for count in (3, 40):
        add(count)
        cache.clear()
        with django_assert_num_queries(queries):
            selectors.capital_programme_outturn(financial_year=FY12, user=user)
        with django_assert_num_queries(0):  # cached
            selectors.capital_programme_outturn(financial_year=FY12, user=user)
        cache.clear()
        with django_assert_num_queries(queries):
            selectors.capital_programme_outturns(user=user)


def test_the_api_gives_the_range_as_decimal_strings_the_same_twice(portfolio_seed, role_user):
    api = APIClient()
    api.force_authenticate(role_user("board"))
    url = "/api/v1/portfolio/capital-programmes/"
    row = api.get(url).json()["results"][0]
    found = selectors.capital_programme_outturn(financial_year=FY12, user=role_user("board"))
    assert row["outturn"] == {
        "p10": str(found.p10),
        "p50": str(found.p50),
        "p80": str(found.p80),
        "p90": str(found.p90),
    }
    assert row["probability_over_budget"] == str(
        Decimal(repr(found.probability_over_budget)).quantize(Decimal("0.0001"))
    )
    assert row["underspend_threshold"] == "10200000.00"  # 5% of £204m
    cache.clear()
    assert api.get(url).json()["results"][0] == row

    wide = api.get(url, {"underspend_threshold": "100000000.00"}).json()["results"][0]
    assert wide["probability_underspend"] == "0.0000" and wide["outturn"] == row["outturn"]
    what_if = api.get(url, {"slippage_rate": "0.2"}).json()["results"][0]
    assert Decimal(what_if["outturn"]["p50"]) < Decimal(row["outturn"]["p50"])
    assert api.get(url, {"underspend_threshold": ""}).json()["results"][0] == row  # empty: not given
    for bad in ("-1", "ten", "1e3", "1234567890123.00"):
        response = api.get(url, {"underspend_threshold": bad})
        assert response.status_code == 400 and "underspend_threshold" in response.content.decode()


def test_as_at_a_past_moment_the_outturn_reads_the_records_as_they_stood(portfolio_seed, role_user):
    from django.utils import timezone

    board = role_user("board")
    now = selectors.capital_programme_outturn(financial_year=FY12, user=board)
    then = selectors.capital_programme_outturn(
        financial_year=FY12, user=board, records=selectors.records_at(timezone.now())
    )
    assert then == now
    before = selectors.records_at(timezone.now().replace(year=2000))  # before the loader's records took effect
    assert selectors.capital_programme_position(financial_year=FY12, user=board, records=before) is None
    assert selectors.capital_programme_outturn(financial_year=FY12, user=board, records=before) is None
    assert selectors.capital_programme_outturns(user=board, records=before) == {}
