"""A simulated figure as a range, the one way every page, the board overview and the Assembly pack
show one (issue 16): the rows of an interval chart and its table, and a chance in plain words.

The areas' simulations (portfolio.outturn, savings.probability) produce the figures; this module
only shapes them for reading, and imports no area.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class RangeRow:
    """One simulated figure as the area names its percentiles, and the line it is read against.

    A cost's P90 is its highest figure (spent in no more than 10% of draws above it); a saving's
    P90 is its lowest (reached in 90% of draws): the chart and table draw whichever way they run."""

    label: str  # e.g. "2012/13"
    p10: Decimal
    p50: Decimal
    p80: Decimal
    p90: Decimal
    reference: Decimal | None  # the budget or target; None when withheld
    probability: Decimal | None  # the chance the row's sentence states (0..1); None when withheld

    @property
    def low(self) -> Decimal:
        return min(self.p10, self.p90)

    @property
    def high(self) -> Decimal:
        return max(self.p10, self.p90)


def chance_in_words(probability) -> str:
    """A probability as a board member reads it: 'a 48% chance (about 5 in 10)'.

    Extremes are said as bounds, never as certainty: the simulation has 10,000 draws."""
    p = Decimal(str(probability))
    if p < Decimal("0.01"):
        return "less than a 1% chance (under 1 in 100)"
    if p > Decimal("0.99"):
        return "more than a 99% chance (over 99 in 100)"
    percent = (p * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if p < Decimal("0.1"):
        in_words = f"about 1 in {(1 / p).quantize(Decimal(1), rounding=ROUND_HALF_UP)}"
    elif p > Decimal("0.9"):
        in_words = f"about {(10 * p).quantize(Decimal(1), rounding=ROUND_HALF_UP)} in 10"
        if in_words == "about 10 in 10":
            in_words = f"about {(100 * p).quantize(Decimal(1), rounding=ROUND_HALF_UP)} in 100"
    else:
        in_words = f"about {(10 * p).quantize(Decimal(1), rounding=ROUND_HALF_UP)} in 10"
    article = "an" if str(percent).startswith(("8", "11", "18")) and len(str(percent)) in (1, 2) else "a"
    return f"{article} {percent}% chance ({in_words})"
