"""The board summary email moved to the reporting floor: its record leaves the ground package's
state here, and reporting.0001 takes over the same table (mps_ict_boardsummarysent, rows kept)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mps_ict", "0003_board_summary_sent"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="BoardSummarySent")]),
    ]
