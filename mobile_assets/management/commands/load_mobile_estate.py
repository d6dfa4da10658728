"""Load the mobile estate as reported, and the labelled illustrative register (idempotent)."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand

from mobile_assets.services import estate_load

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "mobile_estate.yaml"


class Command(BaseCommand):
    help = "Load the mobile estate (1,425 MDT vehicles, 3,500 PDAs, 2,405 BlackBerrys) and the PDA benefits."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA_FILE)

    def handle(self, *args, file, **options):
        counts = estate_load(data=yaml.safe_load(file.read_text(encoding="utf-8")))
        self.stdout.write(f"Mobile estate loaded: {counts['devices']} devices, {counts['vehicles']} vehicles.")
