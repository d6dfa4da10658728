"""Load the savings plan from savings/data/mps_baseline.yaml: inserts what is missing and leaves
what is there as it is, so re-running (`make run` calls it) never overwrites finance's changes."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand

from mps_ict.loaders import LoadReport
from savings.selectors import plan_summary
from savings.services import plan_load_baseline

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "mps_baseline.yaml"


class Command(BaseCommand):
    help = "Load the £60m ICT savings plan and the 2011/12 spend baseline from the source documents."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA_FILE)

    def handle(self, *args, file, **options):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        report = LoadReport()
        plan = plan_load_baseline(data=data, report=report)
        summary = plan_summary(plan=plan)
        self.stdout.write(f"Savings plan: {report.summary()}")
        self.stdout.write(
            f"Savings plan now: {len(summary.categories)} categories, cost now £{summary.cost_now:,.0f}, "
            f"future cost £{summary.future_cost:,.0f}, reduction £{summary.baseline_reduction:,.0f}."
        )
