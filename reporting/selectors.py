"""The board overview: the three areas' headline figures, now or as they stood on a past date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from contracts import selectors as contract_selectors
from mobile_assets import selectors as mobile_selectors
from mps_ict.access import may_read
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
    # issue 17: the contract decisions due in the window and those past their date (None: the reader
    # may not read the contracts register)
    contract_alerts: contract_selectors.ContractAlerts | None = None

    @property
    def last_updated(self) -> datetime | None:
        times = [
            area.last_updated for area in (self.savings, self.portfolio, self.mobile) if area and area.last_updated
        ]
        return max(times) if times else None


CONTRACT_READ = "contracts:event-list"  # who may read the contract events, in the access policy


def board_overview(
    *, user, as_at: date | None = None, alert_window: str | int | None = None, contract_reader: bool | None = None
) -> BoardOverview:
    """Every headline for the board, now or as at the end of a past day, in a fixed number of
    queries (each area's figures are cached until a write in that area changes them).

    The contract alerts count from the day (the "as at" day, else today) over `alert_window`
    (CONTRACT_ALERT_WINDOW unless given), with the events as they stand now; they are given only
    to a reader the access policy lets read the contract events (`contract_reader` says so for a
    reader that is not a user: the email's)."""
    if contract_reader is None:
        contract_reader = may_read(user, CONTRACT_READ)
    alerts = (
        contract_selectors.contract_alerts(
            user=user,
            today=as_at or timezone.localdate(),
            window=settings.CONTRACT_ALERT_WINDOW if alert_window is None else alert_window,
        )
        if contract_reader
        else None
    )
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
        contract_alerts=alerts,
    )
