"""Illustrative data at realistic volumes (see demo_data.generate), on top of the seed."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo_data.generate import LABEL, SCALES, demo_data_generate, demo_data_remove, generated_counts


class Command(BaseCommand):
    help = (
        "Add ILLUSTRATIVE generated data: --scale small (1,000 devices, 100,000 usage rows, 100 projects, "
        "50 initiatives) or large (30,000 devices, 2,000,000 usage rows, 2,000 projects × 5 years × 12 months, "
        "1,000 initiatives × 12 quarters). Idempotent per scale; --remove deletes it."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--scale", choices=sorted(SCALES))
        group.add_argument("--remove", action="store_true", help="Delete the generated data; keep the seed")

    def handle(self, *args, scale=None, remove=False, **options):
        if remove:
            demo_data_remove()
            self.stdout.write("Generated data removed; the seed data is unchanged.")
            return
        started = time.perf_counter()
        # the seed first (each loader is idempotent)
        for loader in ("load_mps_baseline", "load_portfolio", "load_mobile_estate"):
            call_command(loader, stdout=self.stdout)
        demo_data_generate(SCALES[scale], log=self.stdout.write)
        counts = generated_counts()
        self.stdout.write(
            f"{LABEL} data at scale {scale}: {counts.devices:,} devices, {counts.usage_rows:,} usage rows, "
            f"{counts.projects:,} projects with {counts.spend_lines:,} spend lines, {counts.initiatives:,} "
            f"initiatives with {counts.actuals:,} actuals ({time.perf_counter() - started:.0f} s). The savings "
            "plan's totals now include the generated initiatives: `--remove` takes them out."
        )
