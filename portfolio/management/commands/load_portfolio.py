"""Load the capital programme and the illustrative portfolio: inserts what is missing and leaves
what is there as it is, so re-running (`make run` calls it) never overwrites anyone's changes."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand
from django.utils import timezone

from mps_ict.loaders import LoadReport
from portfolio.selectors import capital_programme_position, latest_programme_year
from portfolio.services import portfolio_load, snapshot_take

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "capital_portfolio.yaml"


class Command(BaseCommand):
    help = "Load the 2012/13 capital programme (£204m) and its illustrative projects (£213m planned)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA_FILE)

    def handle(self, *args, file, **options):
        report = LoadReport()
        count = portfolio_load(data=yaml.safe_load(file.read_text(encoding="utf-8")), report=report)
        # today's position, so the board's "as at" has a snapshot from the day the data arrived
        snapshot_take(taken_on=timezone.localdate())
        position = capital_programme_position(financial_year=latest_programme_year())
        self.stdout.write(f"Capital portfolio: {report.summary()}")
        self.stdout.write(
            f"Capital portfolio now: {count} illustrative projects in the file; {position.financial_year} budget "
            f"£{position.budget:,.0f}, managed £{position.managed_total:,.0f}, delay-adjusted "
            f"£{position.delay_adjusted_forecast:,.0f}, headroom £{position.headroom:,.0f}."
        )
