"""Roles are Django groups; this module says which model permissions each one holds.

Which pages and endpoints a role may read or write is not decided here but by the access policy
(mps_ict/access.py). The permissions below are what remains of Django's own: `view_restricted`
(the visibility rule: who may see OFFICIAL-SENSITIVE records) and the few model permissions the
services check for themselves whoever calls them (a command or task as much as a page).

The table is declarative so the data migration, the demo users and the tests all read the same
rules. A rule grants `actions` on every model of `app_label` (model "*") or on one model.
`sync_role_groups()` (run by the data migration and after every `migrate`) makes each group hold
exactly the permissions its rules give.
"""

from __future__ import annotations

from dataclasses import dataclass

BOARD = "board"
FINANCE = "finance"
PROGRAMME_MANAGER = "programme_manager"
ASSET_MANAGER = "asset_manager"
API_CONSUMER = "api_consumer"
PORTFOLIO_OFFICE = "portfolio_office"

ROLE_LABELS = {
    BOARD: "Management Board member",
    FINANCE: "Finance",
    PROGRAMME_MANAGER: "Programme manager",
    ASSET_MANAGER: "Mobile technology team",
    API_CONSUMER: "API consumer",
    PORTFOLIO_OFFICE: "Portfolio office",
}
ROLE_DESCRIPTIONS = {
    BOARD: "Browse the dashboards and drill down. Read only.",
    FINANCE: "Enter and approve quarterly savings actuals, close quarters, set capital budgets, keep the "
    "contracts register.",
    PROGRAMME_MANAGER: "Report status, confidence, milestones and forecasts for your own projects.",
    ASSET_MANAGER: "Maintain the device register, rollout plan, usage statistics and benefit rules.",
    API_CONSUMER: "Read figures through the API; only publication-safe records unless granted more.",
    PORTFOLIO_OFFICE: "Add and change programmes and projects, record SRO changes, approval gates and independent "
    "assessments, link projects to the savings initiatives they enable, and keep the contracts register.",
}
ROLES = tuple(ROLE_LABELS)

VIEW_RESTRICTED = "mps_ict.view_restricted"


@dataclass(frozen=True)
class Rule:
    app_label: str
    model: str  # a model name in lower case, or "*" for every model in the app
    actions: tuple[str, ...]  # "view", "add", "change", "delete" or a custom codename


ROLE_RULES: dict[str, list[Rule]] = {
    BOARD: [Rule("mps_ict", "access", ("view_restricted",))],
    FINANCE: [
        Rule("mps_ict", "access", ("view_restricted",)),
        # The savings plan is finance's to keep: enter, submit, approve, close (never delete).
        Rule("savings", "*", ("add", "change")),
        Rule("savings", "quarterlyactual", ("approve_quarterlyactual",)),
        # Capital Programme Budgets and the fallback slippage assumption
        Rule("portfolio", "capitalprogramme", ("add", "change")),
        # Finance produce the Assembly response pack and freeze dated copies of it
        Rule("reporting", "packsnapshot", ("add",)),
        # the contracts register: suppliers, contracts and their events (retired, never deleted)
        Rule("contracts", "*", ("add", "change")),
    ],
    PROGRAMME_MANAGER: [
        Rule("mps_ict", "access", ("view_restricted",)),
        # Only on projects they manage: services check the project's programme manager.
        Rule("portfolio", "statusupdate", ("add", "change")),
        Rule("portfolio", "reprofile", ("add",)),
        Rule("portfolio", "deliveryconfidenceassessment", ("add",)),
        Rule("portfolio", "spendprofileline", ("change",)),
    ],
    ASSET_MANAGER: [
        Rule("mps_ict", "access", ("view_restricted",)),
        # The register, rollout plan, usage statistics and benefit rules are theirs to keep.
        Rule("mobile_assets", "*", ("add", "change")),
    ],
    API_CONSUMER: [],  # reads what the access policy lets it; never OFFICIAL-SENSITIVE records
    PORTFOLIO_OFFICE: [
        Rule("mps_ict", "access", ("view_restricted",)),
        # The portfolio's structure is theirs to keep: programmes, projects (retired by stage, never
        # deleted), SROs, approval gates and independent assessments; the services check these.
        Rule("portfolio", "programme", ("add", "change")),
        Rule("portfolio", "project", ("add", "change")),
        Rule("portfolio", "sroassignment", ("add", "change")),
        Rule("portfolio", "approvalgate", ("add", "change")),
        Rule("portfolio", "deliveryconfidenceassessment", ("add", "change")),
        # the contracts register, with finance
        Rule("contracts", "*", ("add", "change")),
    ],
}


def intended_permissions(role: str, apps=None) -> set[str]:
    """The permissions ("app_label.codename") the role's rules give, among those that exist."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Permission = apps.get_model("auth", "Permission")
    wanted: set[str] = set()
    existing = Permission.objects.select_related("content_type").values_list(
        "content_type__app_label", "content_type__model", "codename"
    )
    for app_label, model, codename in existing:
        for rule in ROLE_RULES[role]:
            if rule.app_label != app_label or rule.model not in ("*", model):
                continue
            if codename in rule.actions or any(codename == f"{action}_{model}" for action in rule.actions):
                wanted.add(f"{app_label}.{codename}")
    return wanted


def sync_role_groups(apps=None, *, create_missing_permissions: bool = True) -> None:
    """Create the role groups and give each exactly the permissions its rules name."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    if create_missing_permissions:
        for app_config in apps.get_app_configs():
            # Migration state apps have no models_module; create_permissions skips those.
            original = getattr(app_config, "models_module", None)
            app_config.models_module = original or True
            try:
                create_permissions(app_config, verbosity=0, apps=apps)
            finally:
                app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = intended_permissions(role, apps)
        permission_ids = [
            permission.pk
            for permission in Permission.objects.select_related("content_type")
            if f"{permission.content_type.app_label}.{permission.codename}" in wanted
        ]
        group.permissions.set(permission_ids)


def roles_of(user) -> list[str]:
    """The role names of a signed-in user, in the order ROLES lists them."""
    if not user.is_authenticated:
        return []
    names = {group.name for group in user.groups.all()}
    return [role for role in ROLES if role in names]


def role_label(user) -> str:
    if user.is_superuser:
        return "Administrator"
    labels = [ROLE_LABELS[role] for role in roles_of(user)]
    return ", ".join(labels) if labels else "No role assigned"
