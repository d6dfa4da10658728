"""Models shared by every app: the global permissions and the audit trail of user accounts."""

from django.contrib.auth import get_user_model
from django.db import models

from mps_ict.audit import audit_model


class Access(models.Model):
    """Holds permissions that belong to no single record (there is no table behind it)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_restricted", "Can see records marked OFFICIAL-SENSITIVE"),
        ]

    def __str__(self):
        return "Access"


# Sign-in accounts are audited too: who deactivated whom, and when.
audit_model(get_user_model(), app="mps_ict", excluded_fields=["password", "last_login"])
