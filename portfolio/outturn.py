"""The capital programme's in-year outturn as a distribution (issue 16, part 1): a seeded,
vectorised Monte Carlo simulation in numpy, with no database access (portfolio.selectors reads the
records and calls it). Money goes in and comes out as Decimal (pence); floats live only inside.

The method, in the words a page can show (see `METHOD` and `OutturnDistribution.assumptions`):

- Each live project's in-year planned spend is simulated as planned × (1 − s), where s is the
  share that slips (s > 0: spent later than planned; s < 0: overspent in year; s ≤ 1 always).
- Where a project's category has at least `MIN_HISTORY` past project-years with actuals, s is
  drawn from that category's own record: the observed shares (planned − actual) / planned of its
  past project-years (a smoothed bootstrap: the empirical quantile function, interpolated),
  shifted in each draw by one amount for the whole category drawn from N(0, sd² / n), the
  uncertainty of the category's mean with n observations (so thin history gives a wider range
  and more history a narrower one).
- Where history is thinner, s is drawn from a stated prior built on HM Treasury Green Book
  supplementary guidance: optimism bias. For equipment/development projects the optimism bias on
  capital cost lies between a lower bound of 10% and an upper bound of 200%; mitigation moves it
  from the upper bound towards the lower one: bias = 10% + (200% − 10%) × (1 − mitigation share),
  105% with the default mitigation share of 0.5. We read that bias as the furthest a project's
  in-year spend may run over plan: s lies between −bias and 1 (all of it slipping), as a beta
  distribution scaled onto that range with its mean where the delay-adjusted position puts the
  category (its learned rate from what history it has, planned-weighted, overspend not netted;
  finance's slippage assumption for the year where it has none), so the prior's mean agrees with
  the point forecast the board already sees, and concentration α + β = `PRIOR_CONCENTRATION`
  (unimodal, wide: a fat overrun tail).
- Projects in one category move together: a Gaussian copula with one shared factor per category
  per draw, correlation `RHO` (0.5) between any two projects of a category, none across
  categories. So a bad year for a category is bad for all its projects and the tail is not
  averaged away.
- A what-if rate replaces each category's centre (its mean share) with that one rate, keeping
  each category's spread: the history's shares are shifted by (rate − their mean); the prior is
  re-centred on the rate.
- The seed is derived from the data (a SHA-256 of the year, the budget, every project's planned
  spend and category, the history and the settings), so the same data give the same numbers.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

import numpy as np

from mps_ict.financial_years import FinancialYear
from mps_ict.money import format_millions
from mps_ict.ranges import RangeRow, chance_in_words

PENNY = Decimal("0.01")
FRACTION_PLACES = Decimal("0.0001")

PRIOR_SOURCE = (
    "HM Treasury Green Book supplementary guidance: optimism bias (equipment/development projects: "
    "capital cost lower bound 10%, upper bound 200%)"
)
OPTIMISM_BIAS_LOWER = 0.10
OPTIMISM_BIAS_UPPER = 2.00
# The share of the optimism bias finance consider mitigated, where none is given: finance set each
# year's with its budget (CapitalProgramme.mitigation_share, 0.5 unless changed).
MITIGATION_SHARE = 0.5
MIN_HISTORY = 5  # past project-years a category needs for its own record to be used
RHO = 0.5  # correlation between two projects of a category (one shared factor per category)
DRAWS = 10_000
PRIOR_CONCENTRATION = 4.0  # α + β of the prior's beta distribution
HISTORY_FLOOR = -OPTIMISM_BIAS_UPPER  # an observed share is read no lower (an overspend beyond 200%)
CHUNK = 256  # projects simulated at once (memory: draws × CHUNK floats)

METHOD = (
    "Monte Carlo simulation of each live project's in-year spend: planned × (1 − the share that "
    "slips), the share drawn from its category's past project-years (planned against actual), or "
    "from a prior based on the Green Book's optimism bias where a category has too little "
    "history; projects in one category move together (one shared factor)."
)


def optimism_bias(mitigation_share: float) -> float:
    """The Green Book bias left after mitigation: from the upper bound towards the lower one."""
    return OPTIMISM_BIAS_LOWER + (OPTIMISM_BIAS_UPPER - OPTIMISM_BIAS_LOWER) * (1 - mitigation_share)


@dataclass(frozen=True)
class CategoryOutturn:
    category: str
    projects: int
    planned: Decimal
    source: str  # "history" or "prior"
    history_count: int  # past project-years with actuals
    centre: Decimal  # the mean share that slips used (4 places)
    p50: Decimal  # the category's own median outturn
    p50_share: Decimal  # its mean outturn as a share of the programme's (4 places)
    spread_share: Decimal  # its share of the variance of the total (covariance with it / its variance)


@dataclass(frozen=True)
class OutturnDistribution:
    financial_year: FinancialYear
    budget: Decimal
    planned: Decimal  # planned in-year spend of the projects simulated
    p10: Decimal
    p50: Decimal
    p80: Decimal
    p90: Decimal
    mean: Decimal
    probability_over_budget: float | None  # None while projects are withheld from the reader
    probability_underspend: float | None
    underspend_threshold: Decimal
    categories: list[CategoryOutturn]
    draws: int
    seed: int
    rho: float
    mitigation_share: float
    optimism_bias: float
    min_history: int
    slippage_assumption: Decimal
    what_if_rate: Decimal | None = None
    withheld: int = 0
    method: str = METHOD
    prior_source: str = PRIOR_SOURCE
    assumptions: list[str] = field(default_factory=list)


# The copula's normal scores are mapped to shares through one table per category on an even grid
# of z from Z_LOW to Z_HIGH: share(z) = Q(Φ(z)), looked up by index arithmetic (no search).
Z_LOW, Z_HIGH, Z_POINTS = -8.0, 8.0, 16001
Z_STEP = (Z_HIGH - Z_LOW) / (Z_POINTS - 1)


@cache
def _normal_cdf_grid() -> np.ndarray:
    """Φ at the grid's points (numpy has no erf: math.erfc, once)."""
    z = np.linspace(Z_LOW, Z_HIGH, Z_POINTS)
    return np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in z])


def _score_table(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The share at each normal score of the grid (the quantile function Q(p) read at Φ(z)), and
    the slope to the next point."""
    values = np.interp(_normal_cdf_grid(), p, q)
    return values, np.append(np.diff(values), 0.0)


def _lookup(z: np.ndarray, table: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The table linearly interpolated at the normal scores `z` (clamped to the grid)."""
    values, slopes = table
    t = (z - Z_LOW) / Z_STEP
    np.clip(t, 0.0, Z_POINTS - 1.0, out=t)
    index = t.astype(np.intp)
    t -= index
    return values[index] + t * slopes[index]


@cache
def _beta_quantiles(alpha: float, beta: float, points: int = 2001) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, quantiles) of Beta(alpha, beta) on [0, 1], by integrating its density on a
    fine grid (deterministic; no scipy)."""
    x = (np.arange(200_000) + 0.5) / 200_000
    log_density = (alpha - 1) * np.log(x) + (beta - 1) * np.log1p(-x)
    density = np.exp(log_density - log_density.max())
    cdf = np.concatenate([[0.0], np.cumsum(density)])
    cdf /= cdf[-1]
    edges = np.arange(200_001) / 200_000
    p = np.linspace(0.0, 1.0, points)
    return p, np.interp(p, cdf, edges)


def prior_table(centre: float, bias: float) -> tuple[np.ndarray, np.ndarray]:
    """The prior's quantile function: a beta on [−bias, 1] with mean `centre`."""
    width = 1 + bias
    mean = min(max((centre + bias) / width, 0.001), 0.999)
    p, q = _beta_quantiles(round(mean * PRIOR_CONCENTRATION, 9), round((1 - mean) * PRIOR_CONCENTRATION, 9))
    return p, q * width - bias


def _history_table(shares: np.ndarray, centre: float | None) -> tuple[np.ndarray, np.ndarray]:
    values = np.sort(shares)
    if centre is not None:
        values = values - values.mean() + centre
    p = (np.arange(len(values)) + 0.5) / len(values)
    return p, values


def _seed(*parts) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "big")


def _pence(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(PENNY)


def _fraction(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(FRACTION_PLACES)


def history_share(planned: Decimal, actual: Decimal) -> float | None:
    """A past project-year's share that slipped, (planned − actual) / planned; None without a plan."""
    if not planned or planned <= 0:
        return None
    return max(float((planned - actual) / planned), HISTORY_FLOOR)


def outturn_simulation(
    *,
    financial_year: FinancialYear,
    budget: Decimal,
    projects: Iterable[tuple[str, Decimal]],
    history: Iterable[tuple[str, Decimal, Decimal]],
    slippage_assumption: Decimal,
    what_if_rate: Decimal | None = None,
    underspend_threshold: Decimal | None = None,
    withheld: int = 0,
    draws: int = DRAWS,
    rho: float = RHO,
    mitigation_share: float = MITIGATION_SHARE,
    min_history: int = MIN_HISTORY,
) -> OutturnDistribution:
    """The year's outturn as a distribution over `draws` simulated years.

    `projects`: (category, planned in-year spend) of each live project; `history`: (category,
    planned, actual) of each past project-year with actuals. The probabilities are None while
    `withheld` projects are left out (the budget covers them; the simulated spend does not)."""
    projects = sorted((str(c), Decimal(p)) for c, p in projects)
    shares: dict[str, list[float]] = {}
    pooled: dict[str, list[Decimal]] = {}  # planned, slipped (overspend not netted): the position's rate
    for category, planned, actual in history:
        share = history_share(Decimal(planned), Decimal(actual))
        if share is not None:
            shares.setdefault(str(category), []).append(share)
            totals = pooled.setdefault(str(category), [Decimal(0), Decimal(0)])
            totals[0] += Decimal(planned)
            totals[1] += max(Decimal(planned) - Decimal(actual), Decimal(0))
    for found in shares.values():
        found.sort()
    threshold = (
        (budget * Decimal("0.05")).quantize(PENNY) if underspend_threshold is None else Decimal(underspend_threshold)
    )
    bias = optimism_bias(mitigation_share)
    seed = _seed(
        financial_year.start_year,
        str(budget),
        [(c, str(p)) for c, p in projects],
        sorted(shares.items()),
        str(slippage_assumption),
        str(what_if_rate if what_if_rate is None else Decimal(what_if_rate).quantize(FRACTION_PLACES)),  # 0.2 = 0.2000
        draws,
        rho,
        mitigation_share,
        min_history,
    )
    rng = np.random.default_rng(seed)
    by_category: dict[str, list[float]] = {}
    for category, planned in projects:
        by_category.setdefault(category, []).append(float(planned))
    names = sorted(by_category)
    outturns = np.zeros((draws, len(names)))
    centres: list[tuple[str, int, float]] = []
    shared, own = math.sqrt(rho), math.sqrt(1 - rho)
    for index, category in enumerate(names):
        planned = np.array(by_category[category])
        observed = np.array(shares.get(category, []))
        centre = None if what_if_rate is None else float(what_if_rate)
        shift = np.zeros(draws)
        factor = rng.standard_normal(draws)
        if len(observed) >= min_history:
            source = "history"
            p, q = _history_table(observed, centre)
            mean = float(q.mean())
            spread = observed.std(ddof=1) if len(observed) > 1 else 0.0
            shift = rng.standard_normal(draws) * (spread / math.sqrt(len(observed)))
            low = HISTORY_FLOOR
        else:
            source = "prior"
            if centre is not None:
                mean = centre
            elif category in pooled:  # thin history still says where the category centres
                mean = float(pooled[category][1] / pooled[category][0])
            else:
                mean = float(slippage_assumption)
            p, q = prior_table(mean, bias)
            low = -bias
        centres.append((source, len(observed), mean))
        table = _score_table(p, q)
        for start in range(0, len(planned), CHUNK):
            chunk = planned[start : start + CHUNK]
            z = shared * factor[:, None] + own * rng.standard_normal((draws, len(chunk)))
            slipped = np.clip(_lookup(z, table) + shift[:, None], low, 1.0)
            outturns[:, index] += (1.0 - slipped) @ chunk
    total = outturns.sum(axis=1)
    p10, p50, p80, p90 = np.quantile(total, [0.10, 0.50, 0.80, 0.90]) if draws else (0.0,) * 4
    variance = float(total.var())
    mean_total = float(total.mean()) if draws else 0.0
    categories = []
    for index, category in enumerate(names):
        column = outturns[:, index]
        source, count, mean = centres[index]
        covariance = float(((column - column.mean()) * (total - mean_total)).mean())
        categories.append(
            CategoryOutturn(
                category=category,
                projects=len(by_category[category]),
                planned=sum((p for c, p in projects if c == category), Decimal("0.00")),
                source=source,
                history_count=count,
                centre=_fraction(mean),
                p50=_pence(np.median(column)),
                p50_share=_fraction(column.mean() / mean_total) if mean_total else Decimal("0.0000"),
                spread_share=_fraction(covariance / variance) if variance else Decimal("0.0000"),
            )
        )
    budget_f, threshold_f = float(budget), float(threshold)
    over = under = None
    if not withheld:
        over = float((total > budget_f).mean()) if draws else 0.0
        under = float((total < budget_f - threshold_f).mean()) if draws else 0.0
    return OutturnDistribution(
        financial_year=financial_year,
        budget=budget,
        planned=sum((p for _, p in projects), Decimal("0.00")),
        p10=_pence(p10),
        p50=_pence(p50),
        p80=_pence(p80),
        p90=_pence(p90),
        mean=_pence(mean_total),
        probability_over_budget=over,
        probability_underspend=under,
        underspend_threshold=threshold,
        categories=categories,
        draws=draws,
        seed=seed,
        rho=rho,
        mitigation_share=mitigation_share,
        optimism_bias=bias,
        min_history=min_history,
        slippage_assumption=slippage_assumption,
        what_if_rate=what_if_rate,
        withheld=withheld,
        assumptions=assumptions(rho=rho, mitigation_share=mitigation_share, min_history=min_history, draws=draws),
    )


def assumptions(*, rho: float, mitigation_share: float, min_history: int, draws: int) -> list[str]:
    bias = optimism_bias(mitigation_share)
    return [
        f"{draws:,} simulated years, seeded from the data: the same records give the same figures.",
        f"A category's own record is used where it has at least {min_history} past project-years with "
        "actuals: the spread of their planned-against-actual shares, plus the uncertainty of its mean.",
        f"Otherwise the prior: {PRIOR_SOURCE}. With a mitigation share of {mitigation_share:.0%} the bias is "
        f"{bias:.0%}: a project may overspend its in-year plan by up to {bias:.0%} or slip all of it, "
        "centred on the category's learned rate (finance's slippage assumption where it has no history).",
        f"Projects in the same category move together (correlation {rho:.2f}); categories move independently.",
    ]


def summary_rows(distribution: OutturnDistribution) -> Sequence[tuple[str, Decimal]]:
    """The quantiles as (label, amount), for a table."""
    d = distribution
    return [("P10", d.p10), ("P50", d.p50), ("P80", d.p80), ("P90", d.p90)]


def range_row(distribution: OutturnDistribution, label: str | None = None) -> RangeRow:
    """The distribution as the one row a range chart and table read (mps_ict.ranges)."""
    d = distribution
    over = None if d.probability_over_budget is None else _fraction(d.probability_over_budget)
    return RangeRow(label or d.financial_year.label, d.p10, d.p50, d.p80, d.p90, d.budget, over)


def sentences(distribution: OutturnDistribution) -> list[str]:
    """The distribution in plain words, for the board: the chance of overspending first."""
    d = distribution
    year, budget = d.financial_year, format_millions(d.budget)
    said = []
    if d.probability_over_budget is None:
        said.append(
            f"The chance of the {year} programme spending more than its {budget} budget is not given: projects "
            "are withheld from you, and the budget covers them."
        )
    else:
        said.append(
            f"There is {chance_in_words(d.probability_over_budget)} that the {year} programme spends more than "
            f"its {budget} budget."
        )
    said.append(
        f"Half the simulated years spend less than {format_millions(d.p50, places=2)} (P50); eight in ten spend "
        f"no more than {format_millions(d.p80, places=2)} (P80), and one in ten more than "
        f"{format_millions(d.p90, places=2)} (P90)."
    )
    if d.probability_underspend is not None:
        said.append(
            f"There is {chance_in_words(d.probability_underspend)} that it underspends the budget by more than "
            f"{format_millions(d.underspend_threshold, places=2)}."
        )
    return said
