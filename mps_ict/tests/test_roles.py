import pytest
from django.contrib.auth.models import Group, Permission

from mps_ict import roles


def permissions_of(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.mark.django_db
def test_each_role_group_exists_with_exactly_its_intended_permissions():
    for role in roles.ROLES:
        assert permissions_of(role) == roles.intended_permissions(role), role


@pytest.mark.django_db
def test_no_role_can_manage_users_groups_or_tokens():
    for role in roles.ROLES:
        held = permissions_of(role)
        assert not {p for p in held if p.split(".")[0] in ("auth", "authtoken", "admin", "axes", "django_celery_beat")}


@pytest.mark.django_db
def test_board_and_api_consumer_are_read_only():
    for role in (roles.BOARD, roles.API_CONSUMER):
        held = permissions_of(role)
        assert all(p.split(".")[1].startswith("view_") for p in held), held


@pytest.mark.django_db
def test_restricted_records_are_for_staff_roles_not_api_consumers():
    for role in (roles.BOARD, roles.FINANCE, roles.PROGRAMME_MANAGER, roles.ASSET_MANAGER):
        assert roles.VIEW_RESTRICTED in permissions_of(role)
    assert roles.VIEW_RESTRICTED not in permissions_of(roles.API_CONSUMER)


@pytest.mark.django_db
def test_sync_repairs_a_group_that_drifted():
    # Given somebody added a permission by hand to the board group
    group = Group.objects.get(name=roles.BOARD)
    group.permissions.add(Permission.objects.get(codename="delete_user"))
    # When the groups are synced (as every migrate does)
    roles.sync_role_groups()
    # Then the board holds exactly its intended permissions again
    assert permissions_of(roles.BOARD) == roles.intended_permissions(roles.BOARD)


@pytest.mark.django_db
def test_role_label(role_user):
    assert roles.role_label(role_user("finance")) == "Finance"
    assert roles.role_label(role_user("admin")) == "Administrator"
    assert roles.role_label(role_user(None)) == "No role assigned"
