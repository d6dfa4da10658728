""" "As at" for every area at once: what the savings plan, the capital portfolio and the mobile
estate looked like at the end of a day. The one strategy (audit replay by effective date) is
described in mps_ict.as_at; each area answers through its own `selectors.records_at(at)`, and this
is the one place that asks all three (the board overview, its email and the Assembly pack)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mobile_assets import selectors as mobile_selectors
from mps_ict.as_at import moment
from portfolio import selectors as portfolio_selectors
from savings import selectors as savings_selectors


@dataclass(frozen=True)
class AreaRecords:
    """The three areas' records as they stand (`day` None) or stood at the end of `day`."""

    day: date | None
    savings: savings_selectors.PlanRecords
    portfolio: portfolio_selectors.PortfolioRecords
    mobile: mobile_selectors.EstateRecords


def records_as_at(day: date | None) -> AreaRecords:
    """What every area looked like at the end of `day` (None: now)."""
    at = moment(day)
    return AreaRecords(
        day=day,
        savings=savings_selectors.records_at(at),
        portfolio=portfolio_selectors.records_at(at),
        mobile=mobile_selectors.records_at(at),
    )
