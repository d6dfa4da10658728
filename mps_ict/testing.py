"""Helpers for role-by-role tests, shared by every app's test suite.

    assert_access_by_role(client, role_user, "/savings/")

signs in a fresh user of each role in turn (every role in ROLES plus "admin" and "none", a user
with no role) and checks the answer against the access policy (mps_ict.access): 403 where the
policy refuses the role, else 200 (or `expected[role]`, for a page that answers otherwise).
`walk_urls()` lists every resolvable URL with its namespaced view name, for generated tests.
"""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver, resolve

from mps_ict import access
from mps_ict.roles import ROLES

ALL_ROLES = (*ROLES, access.ADMIN, access.NO_ROLE)


def assert_access_by_role(
    client, role_user, url, expected: dict[str, int] | None = None, *, method="get", data=None, default=200
):
    expected = expected or {}
    view_name = access.view_name_of_match(resolve(url.split("?")[0]))
    failures = []
    for role in ALL_ROLES:
        user = role_user(None if role == access.NO_ROLE else role)
        client.force_login(user)
        response = getattr(client, method)(url, data=data) if data is not None else getattr(client, method)(url)
        want = expected.get(role, default) if access.allowed(user, view_name, method.upper()) else 403
        if response.status_code != want:
            failures.append(f"{role}: expected {want}, got {response.status_code}")
        client.logout()
    assert not failures, f"{method.upper()} {url}: " + "; ".join(failures)


SAMPLE_ARGUMENTS = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000000", "path": "x"}


def _concrete(route: str, values: dict[str, str] | None = None) -> str:
    """Turn a route pattern (path or regex) into a URL, each parameter taken from `values` by its
    name where given, else a sample value for its converter."""
    values = values or {}
    route = re.sub(r"\.\(\?P<format>[^)]*\)", "", route)  # DRF's optional .json suffix
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "1"), route)  # regex groups (routers)
    route = re.sub(
        r"<(?:(\w+):)?(\w+)>", lambda m: values.get(m.group(2), SAMPLE_ARGUMENTS.get(m.group(1) or "str", "x")), route
    )
    return route.replace("^", "").replace("$", "").replace("\\", "").replace("?", "")


def walk_urls(values: dict[str, str] | None = None, patterns=None, prefix: str = "", namespace: str = ""):
    """Every resolvable URL of the project as (url, view name with its namespace), parameters
    filled from `values` (by parameter name) or with sample values."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        route = prefix + _concrete(str(entry.pattern), values)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk_urls(values, entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            # unnamed patterns (inside the admin) are known by their namespace: "admin:*"
            yield "/" + route, f"{namespace}{entry.name or '*'}"
