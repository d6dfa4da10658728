"""Savings as a probability (issue 16 part 2): how likely each target year's saving is to be reached.

A Monte Carlo simulation in numpy, with no database: `savings.selectors.savings_target_probabilities`
reads the records (as far as the reader may see them) and hands them here as `InitiativeInput`s.

The method, for a target year Y (a plan target is the saving a year against the baseline due by Y,
and a profile row is the year's saving against the baseline, not an increment, so the saving
realised in Y is compared with the target, not a sum over the years before it):

- An initiative's saving in Y is its approved actuals in Y (certain) plus the rest of its plan for
  Y, `planned × (4 − quarters approved) / 4`, times a delivery factor F drawn for each draw.
- F is normal with a mean and spread set by the initiative's delivery confidence (PRIORS), cut to
  [0, FACTOR_CAP]. Where approved actuals exist (in any year with a planned saving), the prior mean
  is shrunk toward the initiative's record, r = approved actuals / the plan for the quarters
  approved (a quarter's plan is a quarter of the year's): with n quarters observed,
  w = n / (n + SHRINK_QUARTERS), mean = (1 − w)·prior mean + w·r and spread = prior spread·√(1 − w).
  A stopped initiative delivers only what is already approved (F = 0); a delivered one delivers its
  record r (its plan, F = 1, if it has none), without spread.
- The factors share one plan-wide factor: F's standard score is √ρ·S + √(1 − ρ)·E_i, S common to
  every initiative in a draw, E_i its own (ρ = RHO), so a bad year for the plan is not averaged away.
- The draws are seeded from the data (a hash of every input), so the same records give the same
  figures, call after call; different records give different draws.

Figures, per target year: the probability that the saving realised reaches the target; P10, P50,
P80, P90 of the saving realised, where Pxx is the saving reached or exceeded in xx% of draws (so
P90 ≤ P80 ≤ P50 ≤ P10: P80 is the figure the plan is 80% confident of); savings at risk at P80,
the target less P80 (nothing if P80 reaches it): the part of the target the plan cannot count on
with 80% confidence; and the initiatives carrying the most risk, by their expected shortfall: the
mean, over every draw, of the initiative's saving short of its plan for Y in the draws where the
target is missed (these add up to the plan's expected shortfall when the plan equals the target).
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

DRAWS = 10_000
RHO = 0.3  # the share of each factor's variance that is plan-wide
SHRINK_QUARTERS = 4  # quarters of record that weigh as much as the prior
FACTOR_CAP = 1.5  # no initiative delivers more than 150% of its plan in a draw
TOP_RISKS = 5
CHUNK_VALUES = 2_000_000  # factors held at once (16 MB of float64)
PENCE = Decimal("0.01")
PROBABILITY_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Prior:
    label: str
    mean: float
    spread: float  # standard deviation of the delivery factor


# Delivery confidence (a RAG rating, blank until assessed) → the share of its plan an initiative
# delivers. Judgement, stated for the page: green as good as planned bar slippage at the edges,
# amber a quarter short, red well under half, not assessed close to amber, each with a spread that
# widens as confidence falls. Finance may revise them; every figure names them.
PRIORS: dict[str, Prior] = {
    "green": Prior("Green", 0.95, 0.10),
    "amber": Prior("Amber", 0.75, 0.15),
    "red": Prior("Red", 0.40, 0.20),
    "": Prior("Not assessed", 0.70, 0.20),
}
STOPPED, DELIVERED = "stopped", "delivered"
PRIOR_SOURCE = (
    "a judgement set for this tracker, not measured: the source documents (the MPS's 2013 papers to "
    "the London Assembly) rate no savings initiative's delivery confidence and record no history of "
    "how rated initiatives delivered"
)

METHOD = (
    "Each initiative's saving in the target year is its approved actuals for the year, which are "
    "certain, plus the rest of its plan for the year times a delivery factor drawn at random: its "
    "mean and spread come from its delivery confidence, moved toward its record of approved actuals "
    "against its profile the more quarters it has reported. The factors share a plan-wide part, so a "
    f"bad year for the whole plan shows in the range. {DRAWS:,} draws, the same for the same figures."
)


def assumptions(rho: float = RHO) -> list[str]:
    """Every assumption behind the figures, in words, for the page that shows them."""
    priors = "; ".join(
        f"{prior.label}: {prior.mean:.0%} of plan on average (spread ±{prior.spread:.0%})" for prior in PRIORS.values()
    )
    return [
        f"Share of its plan an initiative delivers, by delivery confidence: {priors}. These are "
        "judgements, not measured from history.",
        f"An initiative's record (approved actuals against a quarter of the year's plan for each quarter "
        f"reported) weighs n / (n + {SHRINK_QUARTERS}) after n quarters: after a year of quarters, as much "
        "as its confidence rating.",
        "A stopped initiative saves only what is already approved; a delivered one saves at its record "
        "(its plan where it has none).",
        f"{rho:.0%} of each initiative's uncertainty is shared by the whole plan (a plan-wide factor).",
        f"No initiative delivers less than nothing or more than {FACTOR_CAP:.0%} of its plan in a draw.",
        "The target is the saving a year against the baseline due by the year, so it is compared with "
        "the saving realised in that year (profiles are the year's saving, not increments).",
        "P80 is the saving reached or exceeded in 80% of draws; savings at risk at P80 is the target "
        "less P80 (nothing if P80 reaches the target).",
    ]


@dataclass(frozen=True)
class InitiativeInput:
    """One initiative as the simulation needs it. Money in pounds (Decimal)."""

    reference: str
    description: str
    confidence: str  # "green", "amber", "red" or "" (not assessed)
    delivery_status: str  # "not_started", "in_progress", "delivered", "stopped"
    planned: Mapping[Hashable, Decimal]  # year → planned saving (the year's, against the baseline)
    approved: Mapping[Hashable, tuple[Decimal, int]] = field(default_factory=dict)  # year → (actuals, quarters)


@dataclass(frozen=True)
class RiskInitiative:
    reference: str
    description: str
    expected_shortfall: Decimal  # pounds: see the module docstring


@dataclass(frozen=True)
class TargetProbability:
    financial_year: Hashable
    target: Decimal
    planned: Decimal
    expected: Decimal  # mean saving realised
    probability_met: Decimal  # 0..1, four places
    p10: Decimal
    p50: Decimal
    p80: Decimal
    p90: Decimal
    at_risk_p80: Decimal
    expected_shortfall: Decimal  # mean of (target − realised) where short, 0 otherwise
    top_risks: list[RiskInitiative]
    draws: int
    rho: float
    method: str = METHOD
    assumptions: list[str] = field(default_factory=list)


def factor_parameters(initiative: InitiativeInput) -> tuple[float, float]:
    """The mean and spread of the initiative's delivery factor: its confidence's prior, shrunk
    toward its record of approved actuals against profile (see the module docstring)."""
    actual = expected = 0.0
    quarters = 0
    for year, (total, count) in initiative.approved.items():
        planned = float(initiative.planned.get(year, 0) or 0)
        if planned > 0 and count:
            actual += float(total)
            expected += planned * min(count, 4) / 4
            quarters += count
    record = actual / expected if expected > 0 else None
    if initiative.delivery_status == STOPPED:
        return 0.0, 0.0
    if initiative.delivery_status == DELIVERED:
        return (record if record is not None else 1.0), 0.0
    prior = PRIORS.get(initiative.confidence or "", PRIORS[""])
    if record is None:
        return prior.mean, prior.spread
    weight = quarters / (quarters + SHRINK_QUARTERS)
    return (1 - weight) * prior.mean + weight * record, prior.spread * float(np.sqrt(1 - weight))


def _seed(initiatives: Sequence[InitiativeInput], targets: Mapping, draws: int, rho: float) -> int:
    text = repr(
        (
            sorted((str(year), str(target)) for year, target in targets.items()),
            [
                (
                    i.reference,
                    i.confidence,
                    i.delivery_status,
                    sorted((str(y), str(v)) for y, v in i.planned.items()),
                    sorted((str(y), str(t), c) for y, (t, c) in i.approved.items()),
                )
                for i in initiatives
            ],
            draws,
            rho,
        )
    )
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _pounds(value: float) -> Decimal:
    return Decimal(f"{value:.2f}").quantize(PENCE)


def savings_simulation(
    initiatives: Sequence[InitiativeInput],
    targets: Mapping[Hashable, Decimal],
    *,
    draws: int = DRAWS,
    rho: float = RHO,
    top: int = TOP_RISKS,
) -> list[TargetProbability]:
    """The probability of reaching each target, with the range of the saving realised and the
    initiatives that carry the risk, one `TargetProbability` per target year in year order."""
    initiatives = sorted(initiatives, key=lambda i: i.reference)
    seed = _seed(initiatives, targets, draws, rho)
    count = len(initiatives)
    parameters = np.array([factor_parameters(i) for i in initiatives], dtype=float).reshape(count, 2)
    mean, spread = parameters[:, 0], parameters[:, 1]
    years = sorted(targets)
    planned = np.array([[float(i.planned.get(year, 0) or 0) for i in initiatives] for year in years]).reshape(
        len(years), count
    )
    approved = [[i.approved.get(year, (0, 0)) for i in initiatives] for year in years]
    known = np.array([[float(total) for total, _ in row] for row in approved]).reshape(len(years), count)
    quarters = np.array([[min(reported, 4) for _, reported in row] for row in approved], dtype=float)
    remaining = planned * (4 - quarters.reshape(len(years), count)) / 4  # years × initiatives

    def factor_chunks():
        """The draws' factors a block of draws at a time (draws × initiatives would not fit in
        memory at thousands of initiatives), each block from its own stream of the seed."""
        size = max(1, CHUNK_VALUES // max(count, 1))
        blocks = range(0, draws, size)
        shared, own = np.sqrt(rho), np.sqrt(1 - rho)
        for start, stream in zip(blocks, np.random.SeedSequence(seed).spawn(len(blocks)), strict=True):
            rng = np.random.default_rng(stream)
            rows = min(size, draws - start)
            common = shared * rng.standard_normal((rows, 1))
            # √ρ·S + √(1 − ρ)·E_i, then mean + spread × that, cut: in place (the same operations)
            scores = rng.standard_normal((rows, count))
            scores *= own
            scores += common
            scores *= spread
            scores += mean
            yield slice(start, start + rows), np.clip(scores, 0.0, FACTOR_CAP, out=scores)

    realised = np.empty((len(years), draws))
    target_values = np.array([float(targets[year]) for year in years])
    known_total = known.sum(axis=1, keepdims=True)
    # Σ over the draws where the target is missed of each initiative's factor, in the same pass: a
    # draw misses or not by its own saving, known as soon as its block's factors are drawn
    missed_factors = np.zeros((len(years), count))
    for rows, factors in factor_chunks():
        realised[:, rows] = known_total + remaining @ factors.T
        missed_factors += (realised[:, rows] < target_values[:, None] - 0.005).astype(float) @ factors
    missed = realised < target_values[:, None] - 0.005  # years × draws

    results = []
    for index, year in enumerate(years):
        target = target_values[index]
        # each initiative's saving short of its plan for the year, in the draws where the target is missed
        shortfall = (planned[index] - known[index]) * missed[index].mean() - remaining[index] * missed_factors[
            index
        ] / draws
        order = np.argsort(-shortfall, kind="stable")
        p90, p80, p50, p10 = np.quantile(realised[index], [0.10, 0.20, 0.50, 0.90])
        results.append(
            TargetProbability(
                financial_year=year,
                target=Decimal(targets[year]).quantize(PENCE),
                planned=_pounds(planned[index].sum()),
                expected=_pounds(realised[index].mean()),
                probability_met=Decimal(f"{1 - missed[index].mean():.4f}"),
                p10=_pounds(p10),
                p50=_pounds(p50),
                p80=_pounds(p80),
                p90=_pounds(p90),
                at_risk_p80=_pounds(max(0.0, target - p80)),
                expected_shortfall=_pounds(np.maximum(target - realised[index], 0).mean()),
                top_risks=[
                    RiskInitiative(initiatives[i].reference, initiatives[i].description, _pounds(shortfall[i]))
                    for i in order[:top]
                    if shortfall[i] >= 0.005
                ],
                draws=draws,
                rho=rho,
                assumptions=assumptions(rho),
            )
        )
    return results
