"""Government Security Classifications protective marking carried by records."""

from django.db import models


class ProtectiveMarking(models.TextChoices):
    OFFICIAL = "OFFICIAL", "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE (commercial)"


def can_view_restricted(user) -> bool:
    """Whether the user may see OFFICIAL-SENSITIVE records (otherwise: publication version only)."""
    from mps_ict.roles import VIEW_RESTRICTED

    return bool(user and user.is_authenticated and user.has_perm(VIEW_RESTRICTED))
