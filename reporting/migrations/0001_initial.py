"""The reporting floor's two tables, taken over with their names and rows: the Assembly pack's
frozen copies (assembly_packsnapshot, from the former `assembly` app) and the board summaries sent
(mps_ict_boardsummarysent, from the ground package). On a new database the tables are created; on
one where they exist already they are adopted as they are."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class CreateModelOrAdoptTable(migrations.CreateModel):
    """CreateModel that leaves an existing table of the same name (and its rows) in place."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.name)
        if model._meta.db_table in schema_editor.connection.introspection.table_names():
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("mps_ict", "0004_board_summary_sent_moves_to_reporting"),
    ]

    operations = [
        CreateModelOrAdoptTable(
            name="PackSnapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "label",
                    models.CharField(help_text="What this copy is for, e.g. Submission of 3 May 2013", max_length=120),
                ),
                (
                    "version",
                    models.CharField(
                        choices=[
                            ("full", "Full (includes OFFICIAL-SENSITIVE records)"),
                            ("publication", "Publication (OFFICIAL-SENSITIVE records left out)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("frozen_at", models.DateTimeField(auto_now_add=True)),
                ("content", models.JSONField(help_text="The pack as built (amounts as decimal strings)")),
                (
                    "covers",
                    models.TextField(
                        blank=True,
                        default="",
                        help_text='The marked records its figures include, as " initiative:ID project:ID " (empty if unknown)',
                    ),
                ),
                (
                    "frozen_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={"db_table": "assembly_packsnapshot", "ordering": ["-frozen_at", "-pk"]},
        ),
        CreateModelOrAdoptTable(
            name="BoardSummarySent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(help_text="First day of the month the summary is for", unique=True)),
                ("sent_at", models.DateTimeField(auto_now_add=True)),
                ("recipients", models.TextField(help_text="Addresses it went to, one per line")),
            ],
            options={"db_table": "mps_ict_boardsummarysent", "ordering": ["-month"]},
        ),
    ]
