"""The board overview: the three areas' headline figures, now or as they stood on a past date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from mobile_assets import selectors as mobile_selectors
from mps_ict.audit import first_recorded
from portfolio import selectors as portfolio_selectors
from savings import selectors as savings_selectors


@dataclass
class BoardOverview:
    as_at: date | None  # None: the figures as they stand now
    savings: savings_selectors.SavingsHeadline | None
    portfolio: portfolio_selectors.PortfolioHeadline | None
    mobile: mobile_selectors.MobileHeadline

    @property
    def last_updated(self) -> datetime | None:
        times = [
            area.last_updated for area in (self.savings, self.portfolio, self.mobile) if area and area.last_updated
        ]
        return max(times) if times else None


def end_of_day(day: date) -> datetime:
    """The last moment of a day in the service's time zone: figures "as at" a day include its changes."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)) - timedelta(microseconds=1)


def figures_first_recorded() -> datetime | None:
    """The earliest moment the audit history holds a figure for (before it, "as at" shows nothing)."""
    return first_recorded(
        *savings_selectors.FIGURE_MODELS, *portfolio_selectors.FIGURE_MODELS, *mobile_selectors.FIGURE_MODELS
    )


def board_overview(*, user, as_at: date | None = None) -> BoardOverview:
    """Every headline for the board, in a fixed number of queries (each area's figures are cached
    until a write in that area changes them)."""
    at = end_of_day(as_at) if as_at else None
    plan = savings_selectors.plan_current()
    return BoardOverview(
        as_at=as_at,
        savings=savings_selectors.savings_headline(plan=plan, user=user, at=at) if plan else None,
        portfolio=portfolio_selectors.portfolio_headline(user=user, at=at),
        mobile=mobile_selectors.mobile_headline(at=at),
    )
