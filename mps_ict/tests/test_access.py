"""Signing in and out, and throttled failures. Who may use which page once signed in (and that an
anonymous visitor may use none but sign-in and /healthz) is proven in test_access_policy.py."""

import pytest
from django.conf import settings

from mps_ict.testing import assert_access_by_role
from mps_ict.tests.factories import DEFAULT_PASSWORD


@pytest.mark.django_db
def test_api_refuses_anonymous_with_401_and_a_token_challenge(client):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["message"]


@pytest.mark.django_db
def test_every_role_reaches_home_and_account(client, role_user):
    for url in ("/", "/account/"):
        assert_access_by_role(client, role_user, url, {})


@pytest.mark.django_db
def test_sign_in_and_sign_out(client, role_user):
    user = role_user("board")
    response = client.post("/sign-in/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    # Sign-out is a POST (a link cannot sign anyone out)
    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_wrong_password_shows_the_error_summary(client, role_user):
    user = role_user("board")
    response = client.post("/sign-in/", {"username": user.username, "password": "wrong-password"})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b"Enter a correct username and password" in response.content


@pytest.mark.django_db
def test_repeated_failed_sign_ins_are_throttled(client, role_user):
    user = role_user("finance")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/sign-in/", {"username": user.username, "password": "guess"}, REMOTE_ADDR="10.0.0.9")
    # Even the right password is refused while locked out
    response = client.post(
        "/sign-in/", {"username": user.username, "password": DEFAULT_PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert client.get("/", REMOTE_ADDR="10.0.0.9").status_code == 302  # not signed in
    # Another user from the same address is not locked out
    other = role_user("board")
    response = client.post(
        "/sign-in/", {"username": other.username, "password": DEFAULT_PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_passwords_are_validated():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("password123", "12345678901234", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("a-Long-enough-passphrase-2013")
