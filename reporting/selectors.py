"""The board overview: the three areas' headline figures, now or as they stood on a past date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from mobile_assets import selectors as mobile_selectors
from portfolio import selectors as portfolio_selectors
from portfolio.outturn import OutturnDistribution
from reporting.as_at import records_as_at
from savings import selectors as savings_selectors


@dataclass
class BoardOverview:
    as_at: date | None  # None: the figures as they stand now
    savings: savings_selectors.SavingsHeadline | None  # None: no plan (by then)
    portfolio: portfolio_selectors.PortfolioHeadline | None  # None: no capital programme (by then)
    mobile: mobile_selectors.MobileHeadline | None  # None: no estate (by then)
    # issue 16: the headline year's capital outturn as a range (None: no capital programme by then)
    portfolio_outturn: OutturnDistribution | None = None
    # and how likely the savings targets the reader is given are (None: no plan)
    savings_chances: savings_selectors.TargetChances | None = None

    @property
    def last_updated(self) -> datetime | None:
        times = [
            area.last_updated for area in (self.savings, self.portfolio, self.mobile) if area and area.last_updated
        ]
        return max(times) if times else None


def board_overview(*, user, as_at: date | None = None) -> BoardOverview:
    """Every headline for the board, now or as at the end of a past day, in a fixed number of
    queries (each area's figures are cached until a write in that area changes them)."""
    records = records_as_at(as_at)
    plan = savings_selectors.plan_current()
    portfolio = portfolio_selectors.portfolio_headline(user=user, records=records.portfolio)
    return BoardOverview(
        as_at=as_at,
        savings=savings_selectors.savings_headline(plan=plan, user=user, records=records.savings) if plan else None,
        portfolio=portfolio,
        mobile=mobile_selectors.mobile_headline(records=records.mobile),
        portfolio_outturn=portfolio_selectors.capital_programme_outturn(
            financial_year=portfolio.financial_year, user=user, records=records.portfolio
        )
        if portfolio
        else None,
        savings_chances=savings_selectors.savings_target_chances(plan=plan, user=user, records=records.savings)
        if plan
        else None,
    )
