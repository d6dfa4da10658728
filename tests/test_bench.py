"""The benchmark's framework ceiling is a real signed-in view on the project's own URLs."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_trivial_view_needs_sign_in_like_every_page(client, role_user):
    assert client.get("/bench/trivial/").status_code == 302
    client.force_login(role_user("board"))
    response = client.get("/bench/trivial/")
    assert response.status_code == 200 and response.json() == {"ok": True}
    # and the project's own pages are still there beside it
    assert client.get("/account/").status_code == 200
