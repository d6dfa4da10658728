"""Who may read and who may write each page and API endpoint: one table, checked on the server.

Every view is named in POLICY by its URL name with its namespace ("savings:overview",
"api:savings-actual-detail"; "admin:*" stands for every page of the Django admin). An entry says
which roles may read it (GET, HEAD, OPTIONS) and which may write to it (POST, PUT, PATCH, DELETE).
`AccessPolicyMiddleware` checks every page before its view runs, and `PolicyPermission` (DRF's
default permission) every API endpoint after its token or session is authenticated: the same
`allowed()` answers both. A view with no entry is refused, and the generated test
(mps_ict/tests/test_access_policy.py) fails until it has one.

Roles are the groups of mps_ict.roles plus "admin" (a superuser), "none" (signed in, no role) and
"anonymous". Sign-in itself is the login middleware's business: an anonymous visitor is sent to
sign in (pages) or answered 401 (API) before the policy is asked, except on the views marked
`login_not_required` (sign-in, /healthz), which the policy lists as OPEN.

What is personal data, and who reads it: the device register and each device's page (asset tags
against officers' collar numbers, units and vehicles, assignment history) and the devices
endpoint are read only by the mobile technology team and administrators. Everything else read
here is the directorate's figures: every role reads it, within what the visibility rule
(protective marking) lets each one see. Object-level rules (a programme manager changes only the
projects they manage; maker-checker on actuals) are the services' and selectors', on top of this.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import ResolverMatch
from rest_framework.permissions import BasePermission

from mps_ict.roles import (
    API_CONSUMER,
    ASSET_MANAGER,
    BOARD,
    FINANCE,
    PORTFOLIO_OFFICE,
    PROGRAMME_MANAGER,
    ROLES,
    roles_of,
)

logger = logging.getLogger(__name__)

ADMIN = "admin"  # a superuser: the administrator
NO_ROLE = "none"  # signed in, but given no role yet
ANONYMOUS = "anonymous"  # not signed in
ALL_ROLES = (*ROLES, ADMIN, NO_ROLE, ANONYMOUS)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

OPEN = frozenset(ALL_ROLES)  # sign-in and health: no sign-in needed
SIGNED_IN = frozenset({*ROLES, ADMIN, NO_ROLE})  # account and sign-out: anybody signed in
READERS = frozenset({BOARD, FINANCE, PROGRAMME_MANAGER, PORTFOLIO_OFFICE, ASSET_MANAGER, API_CONSUMER, ADMIN})
PERSONAL_DATA_READERS = frozenset({ASSET_MANAGER, ADMIN})
FINANCE_STAFF = frozenset({FINANCE, ADMIN})
PROGRAMME_MANAGERS = frozenset({PROGRAMME_MANAGER, ADMIN})
PORTFOLIO_OFFICE_STAFF = frozenset(
    {PORTFOLIO_OFFICE, ADMIN}
)  # the portfolio's structure: programmes, projects, SROs, gates
MOBILE_TEAM = frozenset({ASSET_MANAGER, ADMIN})
CONTRACT_KEEPERS = frozenset({FINANCE, PORTFOLIO_OFFICE, ADMIN})  # the contracts register
ADMINISTRATORS = frozenset({ADMIN})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Access:
    read: frozenset[str]
    write: frozenset[str] = NOBODY


def _page(read=READERS) -> Access:
    """A page or endpoint that only shows figures."""
    return Access(read=read)


def _form(writers: frozenset[str], read: frozenset[str] | None = None) -> Access:
    """A form or command: its writers use it; by default only they may open it too."""
    return Access(read=writers if read is None else read, write=writers)


POLICY: dict[str, Access] = {
    # --- the service itself
    "login": Access(read=OPEN, write=OPEN),
    "healthz": _page(OPEN),
    "logout": Access(read=SIGNED_IN, write=SIGNED_IN),
    "account": _page(SIGNED_IN),
    "home": _page(),
    "api-schema": _page(),
    "api-docs": _page(),
    # --- the Django admin: administrators only (its sign-in page is open, and refuses the others)
    "admin:login": Access(read=OPEN, write=OPEN),
    "admin:*": _form(ADMINISTRATORS),
    # --- the savings plan
    "savings:overview": _page(),
    "savings:breakdown": _page(),
    "savings:spend-baseline": _page(),
    "savings:category": _page(),
    "savings:initiative": _page(),
    "savings:actuals": _page(),
    "savings:quarter": _page(),
    "savings:actual": _page(),
    "savings:actual-edit": _form(FINANCE_STAFF),
    "savings:actual-correct": _form(FINANCE_STAFF),
    "savings:actual-discard": _form(FINANCE_STAFF),
    "savings:quarter-template": _form(FINANCE_STAFF),
    "savings:quarter-upload": _form(FINANCE_STAFF),
    "savings:quarter-upload-confirm": _form(FINANCE_STAFF),
    "savings:quarter-submit": _form(FINANCE_STAFF),
    "savings:quarter-close": _form(FINANCE_STAFF),
    "savings:quarter-reopen": _form(FINANCE_STAFF),
    "savings:quarter-decide": _form(FINANCE_STAFF),
    # finance maintain the plan: initiatives, phasing, categories, interim targets
    "savings:initiative-add": _form(FINANCE_STAFF),
    "savings:initiatives-template": _form(FINANCE_STAFF),
    "savings:initiatives-upload": _form(FINANCE_STAFF),
    "savings:initiatives-upload-confirm": _form(FINANCE_STAFF),
    "savings:initiative-change": _form(FINANCE_STAFF),
    "savings:initiative-phasing": _form(FINANCE_STAFF),
    "savings:initiative-withdraw": _form(FINANCE_STAFF),
    "savings:initiative-reinstate": _form(FINANCE_STAFF),
    "savings:category-add": _form(FINANCE_STAFF),
    "savings:category-change": _form(FINANCE_STAFF),
    "savings:category-withdraw": _form(FINANCE_STAFF),
    "savings:category-reinstate": _form(FINANCE_STAFF),
    "savings:targets": _form(FINANCE_STAFF),
    "savings:target-change": _form(FINANCE_STAFF),
    "savings:target-remove": _form(FINANCE_STAFF),
    "savings:versions": _form(FINANCE_STAFF, read=READERS),  # plan versions: everyone reads, finance take
    "savings:version-compare": _page(),
    "savings:version-change": _form(FINANCE_STAFF),
    # --- the capital portfolio
    "portfolio:dashboard": _page(),
    "portfolio:project-list": _page(),
    "portfolio:project": _page(),
    "portfolio:my-projects": _page(PROGRAMME_MANAGERS),
    "portfolio:status-update": _form(PROGRAMME_MANAGERS),
    "portfolio:reprofile": _form(PROGRAMME_MANAGERS),
    # the portfolio office keep the portfolio's structure (issue 14 part 1)
    "portfolio:programme-list": _page(),
    "portfolio:programme-add": _form(PORTFOLIO_OFFICE_STAFF),
    "portfolio:programme-change": _form(PORTFOLIO_OFFICE_STAFF),
    "portfolio:project-add": _form(PORTFOLIO_OFFICE_STAFF),
    "portfolio:project-change": _form(PORTFOLIO_OFFICE_STAFF),
    "portfolio:sro-change": _form(PORTFOLIO_OFFICE_STAFF),
    "portfolio:gate-request": _form(PORTFOLIO_OFFICE_STAFF),
    "portfolio:gate-decide": _form(PORTFOLIO_OFFICE_STAFF),
    "portfolio:assessment-add": _form(PORTFOLIO_OFFICE_STAFF),
    "portfolio:project-enables": _form(PORTFOLIO_OFFICE_STAFF),
    # a project's programme manager keeps its benefits and milestones, amends this month's update
    "portfolio:benefit-add": _form(PROGRAMME_MANAGERS),
    "portfolio:benefit-change": _form(PROGRAMME_MANAGERS),
    "portfolio:benefit-retire": _form(PROGRAMME_MANAGERS),
    "portfolio:milestone-add": _form(PROGRAMME_MANAGERS),
    "portfolio:milestone-change": _form(PROGRAMME_MANAGERS),
    "portfolio:status-update-amend": _form(PROGRAMME_MANAGERS),
    "portfolio:capital-programme-edit": _form(FINANCE_STAFF),
    # --- the mobile estate (the register holds personal data)
    "mobile_assets:dashboard": _page(),
    "mobile_assets:benefits": _page(),
    "mobile_assets:register": _page(PERSONAL_DATA_READERS),
    "mobile_assets:device": _page(PERSONAL_DATA_READERS),
    "mobile_assets:devices-upload": _form(MOBILE_TEAM),
    "mobile_assets:devices-upload-confirm": _form(MOBILE_TEAM),
    "mobile_assets:device-assign": _form(MOBILE_TEAM),
    "mobile_assets:device-return": _form(MOBILE_TEAM),
    "mobile_assets:device-status": _form(MOBILE_TEAM),
    "mobile_assets:usage-upload": _form(MOBILE_TEAM),
    "mobile_assets:usage-upload-confirm": _form(MOBILE_TEAM),
    "mobile_assets:usage-template": _page(MOBILE_TEAM),  # the upload's template: for those who upload
    # the estate's reference data and rollout plan: everyone reads them, the mobile team keeps them
    "mobile_assets:reference": _page(),
    "mobile_assets:vehicle-list": _page(),
    "mobile_assets:capability-add": _form(MOBILE_TEAM),
    "mobile_assets:capability-change": _form(MOBILE_TEAM),
    "mobile_assets:device-type-add": _form(MOBILE_TEAM),
    "mobile_assets:device-type-change": _form(MOBILE_TEAM),
    "mobile_assets:device-model": _page(),  # with the contract it is under (issue 17 part 2)
    "mobile_assets:device-model-add": _form(MOBILE_TEAM),
    "mobile_assets:device-model-change": _form(MOBILE_TEAM),
    "mobile_assets:unit-add": _form(MOBILE_TEAM),
    "mobile_assets:unit-change": _form(MOBILE_TEAM),
    "mobile_assets:vehicle-add": _form(MOBILE_TEAM),
    "mobile_assets:vehicle-change": _form(MOBILE_TEAM),
    "mobile_assets:reference-retire": _form(MOBILE_TEAM),
    "mobile_assets:reference-reinstate": _form(MOBILE_TEAM),
    "mobile_assets:benefit-rule-add": _form(MOBILE_TEAM),
    "mobile_assets:benefit-rule-change": _form(MOBILE_TEAM),
    "mobile_assets:hourly-cost-add": _form(MOBILE_TEAM),
    "mobile_assets:hourly-cost-change": _form(MOBILE_TEAM),
    "mobile_assets:rollout-line-add": _form(MOBILE_TEAM),
    "mobile_assets:rollout-line-change": _form(MOBILE_TEAM),
    # --- the contracts register (issue 17): everyone reads, finance and the portfolio office keep it
    "contracts:contract-list": _page(),
    "contracts:contract": _page(),
    "contracts:contract-add": _form(CONTRACT_KEEPERS),
    "contracts:contract-change": _form(CONTRACT_KEEPERS),
    "contracts:contract-retire": _form(CONTRACT_KEEPERS),
    "contracts:event-list": _page(),
    "contracts:event": _page(),
    "contracts:event-dependents": _form(CONTRACT_KEEPERS),
    "contracts:event-add": _form(CONTRACT_KEEPERS),
    "contracts:event-change": _form(CONTRACT_KEEPERS),
    "contracts:event-retire": _form(CONTRACT_KEEPERS),
    "contracts:supplier-list": _page(),
    "contracts:supplier": _page(),
    "contracts:supplier-add": _form(CONTRACT_KEEPERS),
    "contracts:supplier-change": _form(CONTRACT_KEEPERS),
    "contracts:supplier-retire": _form(CONTRACT_KEEPERS),
    # --- the Assembly response pack
    "assembly:pack": _page(),
    "assembly:pack-xlsx": _page(),
    "assembly:question-csv": _page(),
    "assembly:compare": _page(),
    "assembly:snapshot": _page(),
    "assembly:snapshot-xlsx": _page(),
    "assembly:snapshot-csv": _page(),
    "assembly:freeze": _form(FINANCE_STAFF),
    # --- the API
    "api:root": _page(),
    "api:me": _page(),
    "api:financial-years": _page(),
    "api:savings-summary": _page(),
    "api:savings-breakdown": _page(),
    "api:savings-plan-list": _page(),
    "api:savings-plan-detail": _page(),
    "api:savings-category-list": Access(read=READERS, write=FINANCE_STAFF),
    "api:savings-category-detail": Access(read=READERS, write=FINANCE_STAFF),
    "api:savings-category-withdraw": _form(FINANCE_STAFF),
    "api:savings-category-reinstate": _form(FINANCE_STAFF),
    "api:savings-initiative-list": Access(read=READERS, write=FINANCE_STAFF),
    "api:savings-initiative-detail": Access(read=READERS, write=FINANCE_STAFF),
    "api:savings-initiative-withdraw": _form(FINANCE_STAFF),
    "api:savings-initiative-reinstate": _form(FINANCE_STAFF),
    "api:savings-initiative-profile": _form(FINANCE_STAFF),
    "api:savings-target-list": Access(read=READERS, write=FINANCE_STAFF),
    "api:savings-target-detail": Access(read=READERS, write=FINANCE_STAFF),
    "api:savings-actual-list": Access(read=READERS, write=FINANCE_STAFF),
    "api:savings-actual-detail": Access(read=READERS, write=FINANCE_STAFF),
    "api:savings-actual-submit": _form(FINANCE_STAFF),
    "api:savings-actual-approve": _form(FINANCE_STAFF),
    "api:savings-actual-return-for-changes": _form(FINANCE_STAFF),
    "api:savings-actual-correct": _form(FINANCE_STAFF),
    "api:savings-actual-discard": _form(FINANCE_STAFF),
    "api:savings-actual-trail": _page(),
    "api:savings-quarter-close": _form(FINANCE_STAFF),
    "api:savings-quarter-reopen": _form(FINANCE_STAFF),
    "api:savings-quarter-decide": _form(FINANCE_STAFF),
    "api:savings-actuals-import": _form(FINANCE_STAFF),
    "api:savings-initiatives-import": _form(FINANCE_STAFF),
    "api:savings-version-list": Access(read=READERS, write=FINANCE_STAFF),  # plan versions: finance take
    "api:savings-version-detail": Access(read=READERS, write=FINANCE_STAFF),  # and rename
    "api:savings-version-compare": _page(),
    "api:capital-programme-list": _page(),
    "api:project-list": Access(read=READERS, write=PORTFOLIO_OFFICE_STAFF),
    "api:project-detail": Access(read=READERS, write=PORTFOLIO_OFFICE_STAFF),
    "api:project-sro-changes": _form(PORTFOLIO_OFFICE_STAFF),
    "api:project-gates": _form(PORTFOLIO_OFFICE_STAFF),
    "api:project-gate-decide": _form(PORTFOLIO_OFFICE_STAFF),
    "api:project-assessments": _form(PORTFOLIO_OFFICE_STAFF),
    "api:project-enables": _form(PORTFOLIO_OFFICE_STAFF),
    "api:programme-list": Access(read=READERS, write=PORTFOLIO_OFFICE_STAFF),
    "api:programme-detail": Access(read=READERS, write=PORTFOLIO_OFFICE_STAFF),
    "api:status-update-list": Access(read=READERS, write=PROGRAMME_MANAGERS),
    "api:status-update-detail": Access(read=READERS, write=PROGRAMME_MANAGERS),  # amend this month's
    # a project's benefits register and milestones: its programme manager writes (the services check which)
    "api:benefit-list": Access(read=READERS, write=PROGRAMME_MANAGERS),
    "api:benefit-detail": Access(read=READERS, write=PROGRAMME_MANAGERS),
    "api:benefit-retire": _form(PROGRAMME_MANAGERS),
    "api:milestone-list": Access(read=READERS, write=PROGRAMME_MANAGERS),
    "api:milestone-detail": Access(read=READERS, write=PROGRAMME_MANAGERS),
    "api:device-type-list": _page(),
    "api:device-list": _page(PERSONAL_DATA_READERS),
    "api:rollout": _page(),
    "api:usage": _page(),
    "api:mobile-usage-upload": _form(MOBILE_TEAM),
    "api:mobile-usage-import": _form(MOBILE_TEAM),
    "api:mobile-devices-import": _form(MOBILE_TEAM),
    "api:mobile-benefits": _page(),
    # the estate's reference data and rollout plan: everyone reads, the mobile team keep them
    "api:mobile-capability-list": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-capability-detail": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-capability-retire": _form(MOBILE_TEAM),
    "api:mobile-capability-reinstate": _form(MOBILE_TEAM),
    "api:mobile-device-type-list": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-device-type-detail": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-device-type-retire": _form(MOBILE_TEAM),
    "api:mobile-device-type-reinstate": _form(MOBILE_TEAM),
    "api:mobile-device-model-list": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-device-model-detail": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-device-model-retire": _form(MOBILE_TEAM),
    "api:mobile-device-model-reinstate": _form(MOBILE_TEAM),
    "api:mobile-unit-list": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-unit-detail": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-unit-retire": _form(MOBILE_TEAM),
    "api:mobile-unit-reinstate": _form(MOBILE_TEAM),
    "api:mobile-vehicle-list": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-vehicle-detail": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-vehicle-retire": _form(MOBILE_TEAM),
    "api:mobile-vehicle-reinstate": _form(MOBILE_TEAM),
    "api:mobile-benefit-rule-list": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-benefit-rule-detail": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-hourly-cost-list": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-hourly-cost-detail": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-rollout-line-list": Access(read=READERS, write=MOBILE_TEAM),
    "api:mobile-rollout-line-detail": Access(read=READERS, write=MOBILE_TEAM),
    # the contracts register (issue 17)
    "api:contracts-supplier-list": Access(read=READERS, write=CONTRACT_KEEPERS),
    "api:contracts-supplier-detail": Access(read=READERS, write=CONTRACT_KEEPERS),
    "api:contracts-supplier-retire": _form(CONTRACT_KEEPERS),
    "api:contracts-contract-list": Access(read=READERS, write=CONTRACT_KEEPERS),
    "api:contracts-contract-detail": Access(read=READERS, write=CONTRACT_KEEPERS),
    "api:contracts-contract-retire": _form(CONTRACT_KEEPERS),
    "api:contracts-event-list": Access(read=READERS, write=CONTRACT_KEEPERS),
    "api:contracts-event-detail": Access(read=READERS, write=CONTRACT_KEEPERS),
    "api:contracts-event-retire": _form(CONTRACT_KEEPERS),
    "api:overview": _page(),
    "api:assembly": _page(),
    "api:assembly-snapshots": Access(read=READERS, write=FINANCE_STAFF),
    # --- the benchmark's ceiling: a trivial signed-in view, only in bench/urls.py
    "bench-trivial": _page(),
}


def roles_for(user) -> frozenset[str]:
    """The policy's roles of a user: their groups, "admin" for a superuser, else "none";
    "anonymous" when not signed in."""
    if user is None or not user.is_authenticated:
        return frozenset({ANONYMOUS})
    cached = getattr(user, "_access_policy_roles", None)  # one query a request, however often asked
    if cached is None:
        roles = set(roles_of(user))
        if user.is_superuser:
            roles.add(ADMIN)
        cached = user._access_policy_roles = frozenset(roles or {NO_ROLE})
    return cached


def access_for(view_name: str | None) -> Access | None:
    """The entry for a view name ("ns:name"), or its namespace's "ns:*"; None if it has none."""
    if not view_name:
        return None
    if view_name in POLICY:
        return POLICY[view_name]
    namespace, _, _ = view_name.rpartition(":")
    return POLICY.get(f"{namespace}:*") if namespace else None


def allowed(user, view_name: str | None, method: str = "GET") -> bool:
    """Whether the user may use the view with this method. No entry: nobody may."""
    access = access_for(view_name)
    if access is None:
        logger.error("No access policy for view %r: refused", view_name)
        return False
    granted = access.read if method.upper() in READ_METHODS else access.write
    return bool(granted & roles_for(user))


def may_read(user, view_name: str) -> bool:
    return allowed(user, view_name, "GET")


def may_write(user, view_name: str) -> bool:
    return allowed(user, view_name, "POST")


def view_name_of(request: HttpRequest) -> str | None:
    """The namespaced name of the view a request resolved to ("admin:*" for an unnamed admin page)."""
    return view_name_of_match(getattr(request, "resolver_match", None))


def view_name_of_match(match: ResolverMatch | None) -> str | None:
    if match is None:
        return None
    return ":".join([*match.namespaces, match.url_name or "*"])


def has_no_role(user) -> bool:
    return roles_for(user) == {NO_ROLE}


class PolicyPermission(BasePermission):
    """DRF's default permission: the policy's answer for the endpoint, after authentication.

    Not signed in: False, so DRF answers 401 with its Token challenge.
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if has_no_role(user):
            self.message = "You have no access yet: an administrator must give you a role."
        return allowed(user, view_name_of(request), request.method)
