"""Benchmark: the Monte Carlo simulations at the large scale (issue 16, part 6), each against a bare
numpy simulation of the same draws measured in the same run. Target: ≤ 2 × the bare simulation.

- **Outturn** (`portfolio.outturn.outturn_simulation`): 2,000 live projects in the categories
  `generate_demo_data --scale large` gives them (four, 500 each, a year of history each at 95% of
  plan), 10,000 draws. `make bench` passes the inputs the capital-programme endpoint itself reads
  from its large database instead (the generated projects plus the seed's, so categories on the
  Green Book prior too). The bare simulation draws the same normals (per category a shared factor,
  a shift for the mean's uncertainty where the category has history, and each project's own
  score), with the same copula, maps the scores to slipped shares through the same quantile table
  (read at Φ of an even grid of scores, linear between its points), clips, sums the outturn per
  draw and takes the quantiles and the two probabilities; nothing else (no seed from the data, no
  Decimal, no chunks, no per-category figures). Its quantile tables and planned amounts are made
  beforehand, outside the timing.
- **Savings** (`savings.probability.savings_simulation`): 2,000 initiatives made as
  `generate_demo_data` makes its initiatives (three years of profile, approved actuals), against
  the seed plan's two targets (2014/15 and 2015/16), 10,000 draws. The bare simulation draws the
  same factors (plan-wide and own, cut to [0, cap]) in blocks of draws, sums the saving realised
  per target year, and takes the quantiles, the probability of reaching each target and each
  initiative's expected shortfall where a target is missed, in one pass.

Interleaved (this project, then the bare simulation, in turn), the best of BENCH_SIM_REPEATS (5) of
each. The first runs of each check the two agree (the draws differ, their distributions must not).

`make bench-outturn` runs it on its own (no database: the inputs are built as the generator builds
them) and writes its section of bench/RESULTS.md; `make bench` measures it on its large scale.
"""

import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from decimal import Decimal

import common  # configures Django and the import path
import numpy as np

from mps_ict.financial_years import FinancialYear
from portfolio import outturn
from savings import probability

REPEATS = int(os.environ.get("BENCH_SIM_REPEATS", "5"))
PROJECTS = 2_000
INITIATIVES = 2_000
TARGET = 2.0
QUANTILES = [0.10, 0.50, 0.80, 0.90]
PROGRAMME_YEAR = FinancialYear(2012)  # the seed's capital programme year (2012/13)
SAVINGS_TARGETS = {FinancialYear(2014): Decimal("42000000.00"), FinancialYear(2015): Decimal("60000000.00")}


# ----------------------------------------------------------------------------- the inputs


def generated_outturn_inputs(projects: int = PROJECTS) -> dict:
    """The outturn simulation's inputs for 2012/13 as the capital-programme endpoint reads them
    from the seed (portfolio/data/capital_portfolio.yaml: 11 projects, six in categories with
    history, the Mobile and Business change ones on the prior) plus `generate_demo_data --scale
    large` (demo_data.generate._portfolio): each generated project's 12 months of planned spend in
    the year, in four categories in turn, and its one past year (2011/12) with actuals at 95% of
    plan. The same inputs `database_outturn_inputs` reads from `make bench`'s large database."""
    import yaml

    from demo_data.generate import PROJECT_CATEGORIES
    from portfolio.choices import Stage

    seed = yaml.safe_load((common.ROOT / "portfolio" / "data" / "capital_portfolio.yaml").read_text(encoding="utf-8"))
    programme = next(
        p for p in seed["capital_programmes"] if FinancialYear.parse(p["financial_year"]) == PROGRAMME_YEAR
    )
    planned_projects, history = [], []
    for row in (project for group in seed["programmes"] for project in group["projects"]):
        for year, (planned, actual) in row["spend"].items():
            year = FinancialYear.parse(year)
            if year == PROGRAMME_YEAR and row["stage"] in Stage.live():
                planned_projects.append((row["category"], Decimal(planned)))
            elif year < PROGRAMME_YEAR and actual is not None:
                history.append((row["category"], Decimal(planned), Decimal(actual)))
    for index in range(projects):
        category = PROJECT_CATEGORIES[index % len(PROJECT_CATEGORIES)]
        month = Decimal(20_000 + (index % 5) * 1_000)
        planned_projects.append((category, month * 12))
        history.append((category, month * 12, (month * Decimal("0.95")).quantize(Decimal("0.01")) * 12))
    return {
        "financial_year": PROGRAMME_YEAR,
        "budget": Decimal(programme["budget"]),
        "projects": planned_projects,
        "history": history,
        "slippage_assumption": Decimal(programme["slippage_assumption"]),
    }


def database_outturn_inputs() -> dict:
    """The inputs the capital-programme endpoint simulates for the latest programme year, read by
    its own selector from the database (every record: the reader that sees them all)."""
    from mps_ict.marking import EVERY_RECORD
    from portfolio import selectors

    records = selectors.PortfolioRecords.live()
    programme = records.programmes.order_by("-financial_year").first()
    year = programme.financial_year
    planned, past, _ = selectors._outturn_inputs(reader=EVERY_RECORD, records=records, up_to=year)
    inputs = {
        "financial_year": year,
        "budget": programme.budget,
        "projects": [(category, total) for y, _, category, total in planned if y == year],
        "history": [(category, p, a) for y, category, p, a in past if y < year],
        "slippage_assumption": programme.slippage_assumption,
    }
    if getattr(programme, "mitigation_share", None) is not None:  # finance's, where the model has it
        inputs["mitigation_share"] = float(programme.mitigation_share)
    return inputs


def generated_initiatives(count: int = INITIATIVES) -> list:
    """Initiatives as demo_data.generate._savings makes them (the seed plan's categories aside):
    a saving growing over three years to its full amount, approved quarters at 90% of plan, not
    assessed and not started (the model's defaults); taken half-way through the last year (two of
    its quarters approved), so that year's saving is still uncertain."""
    from demo_data.generate import ACTUAL_YEARS

    initiatives = []
    for index in range(count):
        saving = Decimal(200_000 + (index % 50) * 10_000) - Decimal(150_000 + (index % 50) * 8_000)
        planned, approved = {}, {}
        for offset, year in enumerate(ACTUAL_YEARS):
            amount = (saving * (offset + 1) / len(ACTUAL_YEARS)).quantize(Decimal("0.01"))
            quarters = 4 if offset < len(ACTUAL_YEARS) - 1 else 2
            planned[year] = amount
            approved[year] = ((amount / 4 * Decimal("0.9")).quantize(Decimal("0.01")) * quarters, quarters)
        initiatives.append(
            probability.InitiativeInput(
                reference=f"gen-{index:05d}",
                description=f"ILLUSTRATIVE (generated) initiative {index}",
                confidence="",
                delivery_status="not_started",
                planned=planned,
                approved=approved,
            )
        )
    return initiatives


# ----------------------------------------------------------------------------- the bare simulations


@dataclass
class BareCategory:
    planned: np.ndarray  # each project's planned in-year spend
    p: np.ndarray  # the quantile function: probabilities …
    q: np.ndarray  # … and the slipped shares at them
    shift_sd: float | None  # the spread of the category's mean (history), None on the prior
    low: float  # the lowest share


def bare_outturn_categories(inputs: dict) -> list[BareCategory]:
    """The bare simulation's inputs: per category the planned amounts and the quantile table
    (history: the sorted observed shares; thin history: the Green Book prior, as the module)."""
    shares: dict[str, list[float]] = {}
    pooled: dict[str, list[float]] = {}
    for category, planned, actual in inputs["history"]:
        if planned and planned > 0:
            shares.setdefault(category, []).append(max(float((planned - actual) / planned), outturn.HISTORY_FLOOR))
            totals = pooled.setdefault(category, [0.0, 0.0])
            totals[0] += float(planned)
            totals[1] += max(float(planned - actual), 0.0)
    by_category: dict[str, list[float]] = {}
    for category, planned in inputs["projects"]:
        by_category.setdefault(category, []).append(float(planned))
    bias = outturn.optimism_bias(inputs.get("mitigation_share", outturn.MITIGATION_SHARE))
    categories = []
    for category in sorted(by_category):
        observed = np.sort(np.array(shares.get(category, [])))
        if len(observed) >= outturn.MIN_HISTORY:
            p = (np.arange(len(observed)) + 0.5) / len(observed)
            shift_sd = observed.std(ddof=1) / math.sqrt(len(observed))
            categories.append(
                BareCategory(np.array(by_category[category]), p, observed, shift_sd, outturn.HISTORY_FLOOR)
            )
        else:
            totals = pooled.get(category)
            mean = totals[1] / totals[0] if totals else float(inputs["slippage_assumption"])
            p, q = outturn.prior_table(mean, bias)
            categories.append(BareCategory(np.array(by_category[category]), p, q, None, -bias))
    return categories


def bare_outturn(categories: list[BareCategory], budget: float, *, draws: int = outturn.DRAWS, seed: int = 1):
    """The simulation and nothing else: normal draws, the copula, the table, the sum, the quantiles."""
    rng = np.random.default_rng(seed)
    cdf = outturn._normal_cdf_grid()  # Φ at the grid's scores (cached, as in the module)
    low, step, top = outturn.Z_LOW, outturn.Z_STEP, outturn.Z_POINTS - 1
    shared, own = math.sqrt(outturn.RHO), math.sqrt(1 - outturn.RHO)
    total = np.zeros(draws)
    for category in categories:
        factor = rng.standard_normal(draws)
        shift = 0.0 if category.shift_sd is None else rng.standard_normal(draws)[:, None] * category.shift_sd
        z = shared * factor[:, None] + own * rng.standard_normal((draws, len(category.planned)))
        table = np.interp(cdf, category.p, category.q)  # the share at each score of the grid
        # linear between the grid's points, found by index arithmetic (np.interp's search through
        # the 16,001 points is several times slower: see bench/README.md)
        slope = np.diff(table)
        position = np.clip((z - low) / step, 0, top - 1e-9)
        index = position.astype(np.intp)
        share = table[index] + (position - index) * slope[index]
        total += (1.0 - np.clip(share + shift, category.low, 1.0)) @ category.planned
    return np.quantile(total, QUANTILES), float((total > budget).mean()), float((total < 0.95 * budget).mean())


def bare_savings_inputs(initiatives: list, targets: dict) -> dict:
    """The bare simulation's arrays: each initiative's factor mean and spread, and per target year
    the approved actuals and the rest of the plan."""
    years = sorted(targets)
    parameters = np.array([probability.factor_parameters(i) for i in initiatives])
    planned = np.array([[float(i.planned.get(y, 0)) for i in initiatives] for y in years])
    known = np.array([[float(i.approved.get(y, (0, 0))[0]) for i in initiatives] for y in years])
    quarters = np.array([[min(i.approved.get(y, (0, 0))[1], 4) for i in initiatives] for y in years])
    return {
        "mean": parameters[:, 0],
        "spread": parameters[:, 1],
        "planned": planned,
        "known": known,
        "remaining": planned * (4 - quarters) / 4,
        "targets": np.array([float(targets[y]) for y in years]),
    }


def bare_savings(arrays: dict, *, draws: int = probability.DRAWS, seed: int = 1):
    """The simulation and nothing else, in one pass over blocks of draws (the factors of every
    draw at once would not fit in memory): factors, the saving realised, the draws that miss, the
    quantiles, the probabilities and each initiative's expected shortfall."""
    rng = np.random.default_rng(seed)
    mean, spread, remaining, targets = arrays["mean"], arrays["spread"], arrays["remaining"], arrays["targets"]
    count = len(mean)
    known = arrays["known"].sum(axis=1, keepdims=True)
    block = max(1, probability.CHUNK_VALUES // count)
    realised = np.empty((len(targets), draws))
    missed_factors = np.zeros((len(targets), count))
    for start in range(0, draws, block):
        rows = min(block, draws - start)
        scores = math.sqrt(probability.RHO) * rng.standard_normal((rows, 1)) + math.sqrt(
            1 - probability.RHO
        ) * rng.standard_normal((rows, count))
        factors = np.clip(mean + spread * scores, 0.0, probability.FACTOR_CAP)
        realised[:, start : start + rows] = known + remaining @ factors.T
        missed_factors += (realised[:, start : start + rows] < targets[:, None]).astype(float) @ factors
    missed = realised < targets[:, None]
    shortfall = (arrays["planned"] - arrays["known"]) * missed.mean(axis=1, keepdims=True) - (
        remaining * missed_factors / draws
    )
    top = np.argsort(-shortfall, axis=1, kind="stable")[:, : probability.TOP_RISKS]
    return np.quantile(realised, QUANTILES, axis=1), 1 - missed.mean(axis=1), top


# ----------------------------------------------------------------------------- measuring


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def _interleaved(ours, bare, repeats: int) -> tuple[list[float], list[float]]:
    ours(), bare()  # warm: numpy's first calls, the module's cached tables
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        timings[0].append(_timed(ours))
        timings[1].append(_timed(bare))
    return timings


def check_outturn(inputs: dict) -> str:
    """The module and the bare simulation agree: P10, P50 and P90 within 1% of each other (the
    draws differ; 10,000 of them put the quantiles within a fraction of that)."""
    found = outturn.outturn_simulation(**inputs)
    quantiles, _, _ = bare_outturn(bare_outturn_categories(inputs), float(inputs["budget"]))
    ours = np.array([float(found.p10), float(found.p50), float(found.p80), float(found.p90)])
    gap = float(np.max(np.abs(ours - quantiles) / np.abs(quantiles)))
    if gap > 0.01:
        raise AssertionError(f"the outturn simulation and the bare one disagree: {ours} against {quantiles}")
    return f"P50 £{float(found.p50) / 1e6:,.2f}m against £{quantiles[1] / 1e6:,.2f}m bare"


def check_savings(initiatives: list, targets: dict) -> str:
    found = probability.savings_simulation(initiatives, targets)
    quantiles, met, _ = bare_savings(bare_savings_inputs(initiatives, targets))
    for index, result in enumerate(found):
        ours = np.array([float(result.p90), float(result.p50), float(result.p10)])  # 10th, 50th, 90th percentile
        bare = quantiles[[0, 1, 3], index]
        if (
            np.max(np.abs(ours - bare) / np.maximum(np.abs(bare), 1.0)) > 0.01
            or abs(float(result.probability_met) - met[index]) > 0.02
        ):
            raise AssertionError(f"the savings simulation and the bare one disagree: {ours} against {bare}")
    return ", ".join(f"{r.financial_year} P50 £{float(r.p50) / 1e6:,.2f}m" for r in found)


def measure_simulations(outturn_inputs: dict | None = None, *, repeats: int = REPEATS) -> list[tuple]:
    """Both simulations against their bare numpy equivalents; the rows of the results table
    (metric, this project, reference, ratio, target, met)."""
    outturn_inputs = outturn_inputs or generated_outturn_inputs()
    categories = bare_outturn_categories(outturn_inputs)
    budget = float(outturn_inputs["budget"])
    initiatives = generated_initiatives()
    arrays = bare_savings_inputs(initiatives, SAVINGS_TARGETS)
    checked = {
        "outturn": check_outturn(outturn_inputs),
        "savings": check_savings(initiatives, SAVINGS_TARGETS),
    }
    measured = {
        "outturn": _interleaved(
            lambda: outturn.outturn_simulation(**outturn_inputs), lambda: bare_outturn(categories, budget), repeats
        ),
        "savings": _interleaved(
            lambda: probability.savings_simulation(initiatives, SAVINGS_TARGETS),
            lambda: bare_savings(arrays),
            repeats,
        ),
    }
    sizes = {
        "outturn": f"{len(outturn_inputs['projects']):,} projects in {len(categories)} categories",
        "savings": f"{len(initiatives):,} initiatives × {len(SAVINGS_TARGETS)} targets",
    }
    names = {"outturn": "outturn simulation", "savings": "savings simulation"}
    rows = []
    for key, (ours, bare) in measured.items():
        ratio = min(ours) / min(bare)
        rows.append(
            (
                f"{names[key]}, {sizes[key]}, {outturn.DRAWS:,} draws",
                f"{min(ours):,.0f} ms (worst {max(ours):,.0f}; {checked[key]})",
                f"{min(bare):,.0f} ms (worst {max(bare):,.0f}) bare numpy, same draws, best of {repeats}",
                f"{ratio:.2f}",
                f"≤ {TARGET:g}",
                "met" if ratio <= TARGET else "MISSED",
            )
        )
    return rows


def table(rows: list[tuple]) -> str:
    header = ("metric", "this project", "reference", "ratio", "target", "")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


NOTES = """- **simulations** (`bench/bench_outturn.py`): `portfolio.outturn.outturn_simulation` (the
  capital programme's outturn) and `savings.probability.savings_simulation` (the chance of reaching
  each savings target), each called as its selector calls it, against a bare numpy simulation of
  the same number of draws written in the bench file: the same normal draws, the same copula, the
  same mapping (the outturn's quantile table on an even grid of scores, linear between points; the
  savings factors cut to [0, cap]), the same sums and quantiles, none of the module's bookkeeping
  (seed from the data, Decimal, chunks, per-category and per-initiative figures). Interleaved, the
  best of several; a first pass checks the two agree (their quantiles within 1%)."""

SECTION = "## Simulations at the large scale (`make bench-outturn`)"


def write_results(rows: list[tuple], seconds: float) -> None:
    """Put this run's table in bench/RESULTS.md as a section of its own (replacing an earlier one);
    `make bench` writes the whole file, these rows in its table."""
    from django.utils import timezone

    path = common.ROOT / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if SECTION in text:
        start = text.index(SECTION)
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start].rstrip("\n") + ("\n\n" + text[end + 1 :] if end != -1 else "")
    section = (
        f"{SECTION}\n\n{timezone.localdate():%d %B %Y}; {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}; {seconds:.0f} s in all; the inputs built as "
        "`generate_demo_data --scale large` builds them. One run; ratios, not absolute times, carry from "
        f"machine to machine.\n\n{table(rows)}\n\n{NOTES}\n"
    )
    path.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")


def main() -> int:
    started = time.perf_counter()
    rows = measure_simulations()
    seconds = time.perf_counter() - started
    print(
        f"\nSimulations at the large scale, each against a bare numpy simulation of the same draws ({seconds:.0f} s)\n"
    )
    print(table(rows))
    missed = [row[0] for row in rows if row[-1] == "MISSED"]
    print("\n" + (f"Missed: {', '.join(missed)}." if missed else "Every target met."))
    if "--no-write" not in sys.argv:
        write_results(rows, seconds)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
