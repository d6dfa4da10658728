"""Create the role groups (board, finance, programme_manager, asset_manager, api_consumer) with
the permissions mps_ict.roles gives them. Later migrations of the domain apps call the same
sync after adding their models, and every `migrate` re-syncs (see MpsIctConfig.ready)."""

from django.db import migrations


def create_role_groups(apps, schema_editor):
    from mps_ict.roles import sync_role_groups

    sync_role_groups(apps)


def remove_role_groups(apps, schema_editor):
    from mps_ict.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mps_ict", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
