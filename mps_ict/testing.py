"""Helpers for role-by-role permission tests, shared by every app's test suite.

    assert_access_by_role(client, role_user, "/savings/", {"board": 200, "api_consumer": 403})

signs in a fresh user of each role in turn (every role in ROLES plus "admin" and "none", a user
with no role) and checks the status code; roles left out of `expected` default to `default`.
"""

from __future__ import annotations

from mps_ict.roles import ROLES

ALL_ROLES = (*ROLES, "admin", "none")


def assert_access_by_role(client, role_user, url, expected: dict[str, int], *, method="get", data=None, default=200):
    failures = []
    for role in ALL_ROLES:
        user = role_user(None if role == "none" else role)
        client.force_login(user)
        response = getattr(client, method)(url, data=data) if data is not None else getattr(client, method)(url)
        want = expected.get(role, default)
        if response.status_code != want:
            failures.append(f"{role}: expected {want}, got {response.status_code}")
        client.logout()
    assert not failures, f"{method.upper()} {url}: " + "; ".join(failures)
