"""Load the contracts register (GEN2 from the source documents, the rest illustrative): inserts
what is missing and leaves what is there as it is, so re-running (`make run` calls it) never
overwrites anyone's changes."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand

from contracts.services import contracts_load
from mps_ict.loaders import LoadReport

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "contracts.yaml"


class Command(BaseCommand):
    help = "Load the contracts register: Capgemini's GEN2 (ending December 2015) and illustrative contracts."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA_FILE)

    def handle(self, *args, file, **options):
        report = LoadReport()
        count = contracts_load(data=yaml.safe_load(file.read_text(encoding="utf-8")), report=report)
        self.stdout.write(f"Contracts register: {report.summary()}")
        self.stdout.write(f"Contracts register now: {count} contracts in the file (GEN2 from the source documents).")
