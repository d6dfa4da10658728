"""A yearly profile of savings read month by month: the part of it that depends on something
happening on a date, and the profile if that date moves.

A profile gives the saving of each UK financial year (the year's saving, not the increment on the
year before). Each year's saving is taken as made evenly over its twelve months. A saving that
depends on an event is what the profile adds, from the event's month on, to what it was already
saving the month before (the "base": nothing, where the profile starts at or after the event). If
the event moves later by some whole calendar months, that added part starts as many months later:
until then the saving stays at the base; what is pushed beyond the profile's last year is lost to
it. Moving an event earlier brings no saving forward (a plan is not accelerated by a date).

Amounts are Decimal pounds; each year's result is rounded to the penny.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mps_ict.financial_years import FinancialYear

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
TWELVE = Decimal(12)


def month_number(day: date) -> int:
    """The month `day` falls in, counted from year 0 (so months subtract)."""
    return day.year * 12 + day.month - 1


def months_later(planned: date, moved_to: date) -> int:
    """How many whole calendar months later `moved_to` falls than `planned` (0 if not later)."""
    return max(month_number(moved_to) - month_number(planned), 0)


def _rates(profile: Mapping[FinancialYear, Decimal]) -> dict[int, Decimal]:
    rates = {}
    for year, amount in profile.items():
        first = month_number(year.start)
        for offset in range(12):
            rates[first + offset] = Decimal(amount) / TWELVE
    return rates


def _by_year(rates: Mapping[int, Decimal], years) -> dict[FinancialYear, Decimal]:
    totals = {}
    for year in years:
        first = month_number(year.start)
        totals[year] = sum((rates.get(first + offset, ZERO) for offset in range(12)), ZERO).quantize(PENNY)
    return totals


@dataclass(frozen=True)
class Dependence:
    """What of a profile depends on an event, and the profile with the event moved."""

    years: tuple[FinancialYear, ...]  # the profile's years, in order
    planned: dict[FinancialYear, Decimal]  # the whole saving planned each year
    dependent: dict[FinancialYear, Decimal]  # the part of it that depends on the event
    moved: dict[FinancialYear, Decimal]  # the whole saving each year with the event moved
    months: int  # how many months later the event moved (0: not moved, or moved earlier)

    @property
    def dependent_total(self) -> Decimal:
        return sum(self.dependent.values(), ZERO)

    @property
    def change(self) -> dict[FinancialYear, Decimal]:
        return {year: self.moved[year] - self.planned[year] for year in self.years}

    @property
    def lost(self) -> Decimal:
        """What moving the event pushes beyond the profile's last year (a positive amount)."""
        return -sum(self.change.values(), ZERO)


def dependence(profile: Mapping[FinancialYear, Decimal], *, event: date, moved_to: date | None = None) -> Dependence:
    """The part of `profile` that depends on an event on `event`, year by year, and the whole
    profile if the event took place on `moved_to` instead (the same profile if not given)."""
    years = tuple(sorted(profile))
    rates = _rates(profile)
    start = month_number(event)
    base = rates.get(start - 1, ZERO)
    last = max(rates) if rates else start - 1
    added = {month: max(rate - base, ZERO) for month, rate in rates.items() if month >= start}
    months = months_later(event, moved_to) if moved_to is not None else 0
    moved = dict(rates)
    for month in range(start, last + 1):
        kept = min(rates.get(month, ZERO), base)
        moved[month] = kept + added.get(month - months, ZERO)
    return Dependence(
        years=years,
        planned={year: Decimal(profile[year]).quantize(PENNY) for year in years},
        dependent=_by_year(added, years),
        moved=_by_year(moved, years),
        months=months,
    )
