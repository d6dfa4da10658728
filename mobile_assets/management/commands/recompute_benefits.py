"""Recompute the benefit roll-ups for a range of months: recompute_benefits 2012-09 2013-02."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from mobile_assets.services import benefit_rollup
from mps_ict.financial_years import parse_month


def _month(text: str) -> date:
    try:
        return parse_month(text)
    except ValueError as error:
        raise CommandError(str(error)) from error


class Command(BaseCommand):
    help = "Recompute the computed benefit roll-ups from usage × rules × rates for FROM..TO (YYYY-MM)."

    def add_arguments(self, parser):
        parser.add_argument("start")
        parser.add_argument("end", nargs="?")

    def handle(self, *args, start, end, **options):
        first, last = _month(start), _month(end or start)
        if last < first:
            raise CommandError("The end month is before the start month.")
        written = benefit_rollup(start=first, end=last)
        self.stdout.write(f"Computed {written} roll-up(s) for {first:%b %Y} to {last:%b %Y}.")
