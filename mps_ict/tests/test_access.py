"""Sign-in is required everywhere but the sign-in page and /healthz; failed sign-ins are throttled."""

import pytest
from django.conf import settings

from mps_ict.testing import assert_access_by_role, walk_urls
from mps_ict.tests.factories import DEFAULT_PASSWORD

OPEN_TO_ANONYMOUS = {"login", "admin:login", "healthz"}


ALL_URLS = sorted(set(walk_urls()))


def test_the_walk_finds_the_project_urls():
    names = {name for _, name in ALL_URLS}
    assert {"home", "account", "login", "logout", "healthz", "api-docs", "api-schema", "api:me"} <= names
    assert len(ALL_URLS) > 50  # the admin alone has dozens


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "name"), ALL_URLS)
def test_anonymous_visitors_are_refused_everywhere_but_sign_in_and_health(client, url, name):
    response = client.get(url)
    if name in OPEN_TO_ANONYMOUS:
        assert response.status_code in (200, 503)
        return
    if response.status_code in (301, 302):
        location = response["Location"]
        assert "/sign-in/" in location or "/admin/login/" in location, f"{url} redirects to {location}"
    else:
        assert response.status_code in (401, 403, 405), f"{url} answered {response.status_code}"


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
def test_admin_site_is_for_administrators_only(client, role_user):
    response_codes = {"admin": 200}
    for role in ("board", "finance", "programme_manager", "asset_manager", "api_consumer", "none"):
        response_codes[role] = 302  # sent to the admin sign-in: not staff
    assert_access_by_role(client, role_user, "/admin/", response_codes)


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
