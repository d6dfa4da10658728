"""Load the mobile estate as reported, and the labelled illustrative register: inserts what is
missing and leaves what is there as it is, so re-running never overwrites the team's changes."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand

from mobile_assets.services import estate_load
from mps_ict.loaders import LoadReport

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "mobile_estate.yaml"


class Command(BaseCommand):
    help = "Load the mobile estate (1,425 MDT vehicles, 3,500 PDAs, 2,405 BlackBerrys) and the PDA benefits."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA_FILE)

    def handle(self, *args, file, **options):
        report = LoadReport()
        counts = estate_load(data=yaml.safe_load(file.read_text(encoding="utf-8")), report=report)
        self.stdout.write(f"Mobile estate: {report.summary()}")
        self.stdout.write(f"Mobile estate now: {counts['devices']} devices, {counts['vehicles']} vehicles.")
