import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from mps_ict.roles import ROLES


@pytest.mark.django_db
def test_demo_users_one_per_role_printed_and_idempotent(settings, capsys, client):
    settings.DEBUG = True
    call_command("create_demo_users")
    call_command("create_demo_users")  # a second run changes nothing but works
    out = capsys.readouterr().out
    for role in ROLES:
        assert User.objects.filter(groups__name=role).exists(), role
    assert User.objects.filter(username="admin", is_superuser=True).count() == 1
    assert "board-Kestrel-2013" in out and "API token:" in out
    response = client.post("/sign-in/", {"username": "board", "password": "board-Kestrel-2013"})
    assert response.status_code == 302 and client.get("/").status_code == 200


@pytest.mark.django_db
def test_demo_users_refuse_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        call_command("create_demo_users")


@pytest.mark.django_db
def test_issue_api_token_and_rotate(role_user, capsys):
    user = role_user("api_consumer")
    call_command("issue_api_token", user.username)
    first = capsys.readouterr().out.strip()
    call_command("issue_api_token", user.username)
    assert capsys.readouterr().out.strip() == first
    call_command("issue_api_token", user.username, "--rotate")
    rotated = capsys.readouterr().out.strip()
    assert rotated != first and Token.objects.get(user=user).key == rotated


@pytest.mark.django_db
def test_issue_api_token_for_unknown_user_says_so():
    with pytest.raises(CommandError, match="No user"):
        call_command("issue_api_token", "nobody")
